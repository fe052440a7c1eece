# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: time to repair with Event-Driven Ansible, from a change's event on the queue to the
role converged again.

On one moto_server started here (tests/support/eda.py, the same scenario as
tests/integration/test_eda_repair.py): the role created by ``ecs_tools.iam.manage``, then the real
``ansible-rulebook`` with the shipped rulebook and event source watching a moto SQS queue. Each round
makes the three changes by hand with boto3 (detach the Volumes policy; add a principal to the trust
policy; attach the PassRole grant to an unlisted user), each followed by its CloudTrail-shaped
EventBridge event on the queue, and times each until IAM reads back the converged state. Each time is
split into: event on the queue -> received by the rulebook (the source's long poll), -> ansible-playbook
started (the rule's 3-second once_after throttle, ansible-runner's start), -> state restored (the run).

    .venv/bin/python benchmarks/eda_repair.py [--rounds N]

Needs .build/eda-venv and Java 17+ (``make eda`` builds the venv and runs this). Prints every time it
asserts on; exits 1 when a change's median time to repair is GOAL_SECONDS or more, 2 when a repair does
not happen at all.
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import eda  # noqa: E402
from moto_server import MotoServer  # noqa: E402

GOAL_SECONDS = 15.0  # per change, event on the queue to restored state (issue 20; do not relax it)
RECEIVED = re.compile(r"\*\* (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \[received event\]")
ANSIBLE_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+) p=(\d+) ")


def log(message):
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def _epoch(text, fmt):
    # ansible-rulebook and Ansible's log write local time.
    return datetime.datetime.strptime(text, fmt).timestamp()


def phases(drift, sent, restored):
    """(queue -> rulebook, rulebook -> playbook start, playbook start -> restored) for the last change."""
    received = [_epoch(t, "%Y-%m-%d %H:%M:%S.%f") for t in RECEIVED.findall(drift.log())]
    received = [t for t in received if t >= sent - 1]
    started = {}
    with open(drift.ansible_log, errors="replace") as f:
        for line in f:
            found = ANSIBLE_LINE.match(line)
            if found and found.group(2) not in started:
                started[found.group(2)] = _epoch(found.group(1), "%Y-%m-%d %H:%M:%S,%f")
    starts = [t for t in started.values() if t >= sent - 1]
    if not received or not starts:
        return None
    return (min(received) - sent, min(starts) - min(received), restored - min(starts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three changes (default 3)")
    args = parser.parse_args(argv)
    why = eda.missing()
    if why:
        log("eda_repair: cannot run: " + why)
        return 2
    times = {label: [] for label, dummy, dummy2 in eda.CHANGES}
    server = MotoServer().start()
    drift = None
    try:
        with tempfile.TemporaryDirectory(prefix="eda-bench-") as tmp:
            drift = eda.Drift(server, tmp).prepare()
            drift.manage()
            drift.start()
            for number in range(1, args.rounds + 1):
                for label, change, restored in eda.CHANGES:
                    getattr(drift, change)()
                    sent = drift.last_sent
                    try:
                        seconds = drift.wait_until(getattr(drift, restored), timeout=120)
                    except AssertionError as exc:
                        log(f"eda_repair: not repaired: {label}\n{exc}")
                        return 2
                    split = phases(drift, sent, sent + seconds)
                    drift.wait_until(lambda: not drift.running(), timeout=120)
                    times[label].append(seconds)
                    log(
                        "round {0}: {1:<38} {2:5.1f}s{3}".format(
                            number,
                            label,
                            seconds,
                            ""
                            if split is None
                            else "  (queue->rulebook {0:.2f}s, ->playbook start {1:.1f}s, ->restored {2:.1f}s)".format(
                                *split
                            ),
                        )
                    )
            runs = drift.runs()
    finally:
        if drift is not None:
            drift.stop()
        server.stop()
    failed = False
    log(f"time to repair, median of {args.rounds} (goal: under {GOAL_SECONDS:.0f}s each):")
    for label, values in times.items():
        median = statistics.median(values)
        verdict = "ok" if median < GOAL_SECONDS else "ABOVE THE GOAL"
        failed |= median >= GOAL_SECONDS
        log(
            "  {0:<38} {1:5.1f}s  (runs: {2})  {3}".format(
                label, median, ", ".join("%.1f" % v for v in values), verdict
            )
        )
    log(f"playbook runs: {runs} for {len(eda.CHANGES) * args.rounds} changes")
    load = os.getloadavg()[0]
    log("1-minute load average at the end: {0:.1f} ({1})".format(load, time.strftime("%Y-%m-%d %H:%M:%S %Z")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
