# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the usage scan of ``ecs_tools.iam.ecs_infrastructure_role_info``, every region against one.

On one moto_server started here: the role ``ecsInfrastructureRole`` (Volumes policy attached) and
one ECS-managed EBS volume (tags ``AmazonECSManaged=true``, ``AmazonECSCreated=<task ARN>``)
attached to an instance in a region other than the default one (``--volume-region``).

Each measurement is one ``ansible-playbook`` process (the real executor) running the info module
once: either with ``usage_regions: [us-east-1]`` (the one-region scan) or without it (every region
EC2 DescribeRegions reports enabled: the all-region scan). Runs alternate one, all, one, all, ...
after one unmeasured warm-up of each; the wall time is the whole process, API calls come from
moto's recorder. Every run's result is checked: the all-region scan must list every enabled region,
none unreadable, and find the seeded volume in its region; the one-region scan must not.

    .venv/bin/python benchmarks/scan.py [--quick] [--repeat N] [--volume-region REGION]

Exits 1 when the goal is not met (all-region median wall at most GOAL_MAX_RATIO times the
one-region median), 2 when a run fails or finds the wrong thing. ``make bench-smoke`` runs ``--quick``
as part of ``make test``.
"""

import argparse
import collections
import datetime
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import playbook  # noqa: E402
from ecs_volumes import ecs_volume  # noqa: E402
from expected import TRUST_ECS  # noqa: E402
from moto_server import MotoServer  # noqa: E402

GOAL_MAX_RATIO = 2.5  # all-region wall / one-region wall, medians (do not relax it to make a run pass)
DEFAULT_REGION = "us-east-1"
ROLE_NAME = "ecsInfrastructureRole"
VOLUMES_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
SCANS = ("one", "all")

Run = collections.namedtuple("Run", "wall task calls usage")


class RunFailed(Exception):
    pass


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def plays(scan):
    args = {"name": ROLE_NAME}
    if scan == "one":
        args["usage_regions"] = [DEFAULT_REGION]
    task = {"name": "Describe the role and scan", "ecs_tools.iam.ecs_infrastructure_role_info": args}
    return [playbook.play([task], name=f"Usage scan, {scan} region(s)")]


def seed(server, volume_region):
    """The role, and an attached ECS-managed volume in ``volume_region``. Returns (volume id, enabled regions)."""
    client = server.client

    iam = client("iam")
    iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(TRUST_ECS))
    iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=VOLUMES_POLICY)
    regions = sorted(r["RegionName"] for r in client("ec2").describe_regions()["Regions"])
    if volume_region not in regions or volume_region == DEFAULT_REGION:
        raise RunFailed(f"--volume-region must be an enabled region other than {DEFAULT_REGION}: {regions}")
    ec2 = client("ec2", volume_region)
    task = f"arn:aws:ecs:{volume_region}:123456789012:task/prod/0123456789abcdef"
    volume = ecs_volume(ec2, task=task, size=10)
    return volume, regions


class Bench:
    def __init__(self, server, workdir):
        self.server = server
        self.workdir = workdir
        self.env = playbook.ansible_env(server, DEFAULT_REGION, {"ANSIBLE_CONFIG": playbook.write_config(workdir)})
        self.playbooks = {}
        for scan in SCANS:
            self.playbooks[scan] = playbook.write_playbook(os.path.join(workdir, scan + ".yml"), plays(scan))

    def run(self, scan):
        # the task's whole result comes from the JSON callback: the playbook needs no second task to save it
        with self.server.recording() as rec:
            done = playbook.run(self.playbooks[scan], self.env, cwd=self.workdir, results=True)
        try:
            task = done.tasks[0]
            result = task["hosts"]["localhost"]
            duration = task["task"]["duration"]
            seconds = (parse_time(duration["end"]) - parse_time(duration["start"])).total_seconds()
        except (TypeError, LookupError):
            result = None
        if not done.succeeded() or not result or result.get("failed"):
            raise RunFailed(f"{scan}-region scan: {done.describe()}")
        return Run(
            wall=done.wall,
            task=seconds,
            calls=collections.Counter(f"{c.service}:{c.action}" for c in rec.calls),
            usage=result["usage"],
        )


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_usage(scan, usage, volume, volume_region, regions):
    """Raise RunFailed unless the scan covered the expected regions and found exactly the seeded volume."""
    expected = [DEFAULT_REGION] if scan == "one" else regions
    found = [(v["volume_id"], v["region"]) for v in usage["volumes"]]
    problems = []
    if usage["regions"] != expected:
        problems.append("regions scanned {0}, expected {1}".format(usage["regions"], expected))
    if usage["unreadable_regions"]:
        problems.append("unreadable regions {0}".format(usage["unreadable_regions"]))
    if found != ([] if scan == "one" else [(volume, volume_region)]):
        problems.append(f"volumes found {found}")
    if problems:
        raise RunFailed("{0}-region scan: {1}".format(scan, "; ".join(problems)))


def measure(bench, repeat, volume, volume_region, regions):
    for scan in SCANS:
        check_usage(scan, bench.run(scan).usage, volume, volume_region, regions)
        log(f"warm-up run of the {scan}-region scan done (not measured)")
    runs = collections.defaultdict(list)
    for rep in range(repeat):
        for scan in SCANS:
            run = bench.run(scan)
            check_usage(scan, run.usage, volume, volume_region, regions)
            runs[scan].append(run)
            log(
                f"rep {rep + 1}/{repeat} {scan}-region scan: {run.wall:6.2f}s (module task "
                f"{run.task:.2f}s), {sum(run.calls.values())} API calls"
            )
    return runs


def versions():
    import ansible.release
    import botocore
    import moto

    return (
        f"Python {sys.version.split()[0]}, ansible-core {ansible.release.__version__}, "
        f"botocore {botocore.__version__}, moto {moto.__version__}"
    )


def report(runs, regions, volume, volume_region, repeat, elapsed):
    one = statistics.median(r.wall for r in runs["one"])
    every = statistics.median(r.wall for r in runs["all"])
    ratio = every / one
    calls = runs["all"][-1].calls
    lines = [
        f"Usage scan of ecs_tools.iam.ecs_infrastructure_role_info on moto_server, {len(regions)} enabled regions, "
        f"median of {repeat} ansible-playbook runs each ({versions()}; {os.cpu_count()} CPU(s); "
        f"{elapsed:.0f} s in all)",
        "",
        "| scan | ansible-playbook wall (s), median | runs (s) | module task (s), median | API calls |",
        "|---|---:|---|---:|---:|",
    ]
    for scan, label in (("one", f"one region ({DEFAULT_REGION})"), ("all", "every enabled region")):
        lines.append(
            "| {0} | {1:.2f} | {2} | {3:.2f} | {4} |".format(
                label,
                statistics.median(r.wall for r in runs[scan]),
                ", ".join(f"{r.wall:.2f}" for r in runs[scan]),
                statistics.median(r.task for r in runs[scan]),
                sum(runs[scan][-1].calls.values()),
            )
        )
    lines.extend(
        [
            "",
            f"all-region / one-region wall: {ratio:.2f} (goal: at most {GOAL_MAX_RATIO})",
            "all-region scan found volume {0} in {1}; API calls of one all-region run: {2}".format(
                volume, volume_region, ", ".join(f"{k} x{v}" for k, v in sorted(calls.items()))
            ),
        ]
    )
    return ratio, "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions (the pytest test runs this)")
    parser.add_argument("--repeat", type=int, help="repetitions of each scan (default 5; 3 with --quick)")
    parser.add_argument("--volume-region", default="ap-southeast-2", help="where the ECS-managed volume is seeded")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 3 if args.quick else 5
    return args


def main(argv):
    args = parse_args(argv)
    started = time.perf_counter()
    server = MotoServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="scan-bench-") as workdir:
            volume, regions = seed(server, args.volume_region)
            runs = measure(Bench(server, workdir), args.repeat, volume, args.volume_region, regions)
    except RunFailed as e:
        log(f"run failed: {e}")
        return 2
    finally:
        server.stop()
    ratio, text = report(runs, regions, volume, args.volume_region, args.repeat, time.perf_counter() - started)
    print(text)
    if ratio > GOAL_MAX_RATIO:
        print(f"FAIL: the all-region scan costs {ratio:.2f}x the one-region scan (goal: at most {GOAL_MAX_RATIO}x)")
        return 1
    print(f"PASS: the all-region scan costs {ratio:.2f}x the one-region scan (goal: at most {GOAL_MAX_RATIO}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
