# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the stages of ``make test`` side by side without oversubscribing the machine, and says where
the time went.

    stages.py [--slots N] [--log-dir DIR] [--make MAKE] STAGE[=WEIGHT|=idle] ...

Each STAGE is a make target, run as ``MAKE STAGE`` with its output in DIR/STAGE.log. WEIGHT is the
number of cores the stage keeps busy (default 1; ``integration=2`` for a stage that runs two pytest
workers, ``eda=0.5`` for one that mostly waits on a server or a timer). Stages start in the order given,
each as soon as its weight fits in the free slots (N, default: the number of cores; a stage heavier
than N runs when nothing else does); a stage that does not fit yet lets later, lighter ones start
meanwhile, so the heavy stages go first. ``STAGE=idle`` takes no slot: it starts at once at the lowest
CPU priority (nice 19), so it runs on the CPU the other stages leave idle (a stage with no wall-clock
gate, whose duration does not matter). Each stage's
output is printed as one block when it ends (never interleaved with another's), then a table of every
stage's status, wall time and CPU time (its processes' user + system time), and the exit status is 1
when any stage failed. Every stage runs even when an earlier one failed, so one run shows every failure.
"""

import argparse
import os
import subprocess
import sys
import time


def _positive(text):
    """``text`` as a number above 0, or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number > 0 else None


class Stage:
    def __init__(self, spec, log_dir):
        name, sep, weight = spec.partition("=")
        self.name = name
        self.idle = weight == "idle"
        self.weight = 0.0 if self.idle else 1.0 if not sep else _positive(weight)
        if not name or self.weight is None:
            raise ValueError(f"bad stage {spec!r}: expected NAME, NAME=WEIGHT with WEIGHT > 0, or NAME=idle")
        self.log_path = os.path.join(log_dir, name + ".log")
        self.process = None
        self.started = None
        self.wall = None
        self.cpu = None
        self.status = None

    @property
    def state(self):
        if self.status is None:
            return "not run"
        return "passed" if self.status == 0 else f"FAILED ({self.status})"


def write(text):
    sys.stdout.write(text)
    sys.stdout.flush()


def minutes(seconds):
    """``M:SS``, rounded to the second (59.6 s is ``1:00``, never ``0:60``), or ``-`` for None."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def table(stages, wall):
    width = max([len("stage"), len("total")] + [len(s.name) for s in stages])
    lines = [f"{'stage':<{width}}  {'status':<11} {'wall':>6} {'CPU':>7}"]
    for s in stages:
        cpu = minutes(s.cpu)
        lines.append(f"{s.name:<{width}}  {s.state:<11} {minutes(s.wall):>6} {cpu:>7}")
    total_cpu = sum(s.cpu or 0 for s in stages)
    lines.append(f"{'total':<{width}}  {'':<11} {minutes(wall):>6} {minutes(total_cpu):>7}")
    return "\n".join(lines) + "\n"


def start(stage, make):
    stage.log = open(stage.log_path, "wb")
    stage.started = time.monotonic()
    stage.process = subprocess.Popen(
        [make, "--no-print-directory", stage.name],
        stdout=stage.log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(19)) if stage.idle else None,
    )
    write(f"[stages] {time.strftime('%H:%M:%S')} started {stage.name}{' (idle priority)' if stage.idle else ''}\n")


def finish(stage, status, usage):
    stage.wall = time.monotonic() - stage.started
    stage.cpu = usage.ru_utime + usage.ru_stime
    stage.status = os.waitstatus_to_exitcode(status)
    stage.process.returncode = stage.status  # reaped here, with its resource usage, not by Popen
    stage.log.close()
    with open(stage.log_path, "r", errors="replace") as f:
        output = f.read()
    write(f"\n===== {stage.name}: {stage.state} in {minutes(stage.wall)} (CPU {minutes(stage.cpu)}) =====\n")
    write(output if output.endswith("\n") or not output else output + "\n")


def run(stages, slots, make):
    pending, running = list(stages), {}
    began = time.monotonic()
    while pending or running:
        busy = sum(s.weight for s in running.values())
        # In the order given, every stage that fits now; one that does not waits for the next free slot
        # while later, lighter ones may start (so give the heavy stages first).
        for stage in list(pending):
            if stage.idle or busy + stage.weight <= slots or not running:
                pending.remove(stage)
                start(stage, make)
                running[stage.process.pid] = stage
                busy += stage.weight
        pid, status, usage = os.wait4(-1, 0)
        if pid in running:
            finish(running.pop(pid), status, usage)
    return time.monotonic() - began


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="+", metavar="STAGE[=WEIGHT]")
    parser.add_argument("--slots", type=float, default=float(os.cpu_count() or 1), help="cores to fill")
    parser.add_argument("--log-dir", default=os.path.join(".build", "stages"))
    parser.add_argument("--make", default=os.environ.get("MAKE", "make"))
    args = parser.parse_args(argv)
    os.makedirs(args.log_dir, exist_ok=True)
    try:
        stages = [Stage(spec, args.log_dir) for spec in args.stages]
    except ValueError as exc:
        parser.error(str(exc))
    write(f"[stages] {len(stages)} stages on {args.slots:g} slots; output of each in {args.log_dir}/\n")
    wall = run(stages, args.slots, args.make)
    write("\n" + table(stages, wall))
    failed = [s.name for s in stages if s.status != 0]
    if failed:
        write(f"[stages] failed: {' '.join(failed)} (see {args.log_dir}/<stage>.log)\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
