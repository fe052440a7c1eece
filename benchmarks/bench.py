# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the collection's module and role against the amazon.aws composition a user would write.

Every approach reaches the same state on one moto_server started here (benchmarks/scenarios.py);
each measurement is one ansible-playbook process run by tests/support/playbook.py
(benchmarks/measure.py); the medians go to a results JSON file, from which benchmarks/report.py
writes the table, the goal checks, the plot and (full run) docs/benchmark.md.

    .venv/bin/python benchmarks/bench.py [--quick | --smoke] [--repeat N]

Exits 1 when a goal of the project is not met (report.GOAL_*), 2 when a run fails.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time

import botocore.exceptions
import measure
import report
import scenarios
from moto_server import MotoServer  # tests/support, on sys.path through scenarios

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FULL_NS = (1, 10, 20, 100)
FULL_ACCOUNTS = (1, 10)
QUICK_NS = (1, 20)
QUICK_ACCOUNTS = (1, 2)
SMOKE_NS = (1, report.GOAL_WALL_N)  # goal 2 needs N = 20 with 1 account
SMOKE_ACCOUNTS = (1,)


def versions():
    import ansible.release
    import ansible_collections.amazon.aws
    import boto3
    import moto
    import yaml

    with open(os.path.join(list(ansible_collections.amazon.aws.__path__)[0], "MANIFEST.json")) as f:
        amazon = yaml.safe_load(f)["collection_info"]["version"]
    return {
        "python": platform.python_version(),
        "ansible-core": ansible.release.__version__,
        "amazon.aws": amazon,
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "moto": moto.__version__,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: N in {QUICK_NS}, accounts in {QUICK_ACCOUNTS}, 1 repetition unless --repeat; "
        "writes its table and plot under .build/bench-quick/",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"the smallest run: N in {SMOKE_NS}, 1 account, 1 repetition unless --repeat; "
        "writes under .build/bench-smoke/",
    )
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement (default 3, or 1 with --quick)")
    parser.add_argument("--results", help="markdown table to write (default benchmarks/results.md)")
    parser.add_argument("--plot", help="PNG plot to write (default docs/benchmark.png)")
    args = parser.parse_args(argv)
    if args.quick and args.smoke:
        parser.error("--quick and --smoke are exclusive")
    if args.repeat is None:
        args.repeat = 1 if args.quick or args.smoke else 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.ns, args.accounts = FULL_NS, FULL_ACCOUNTS
    args.doc = report.DOC  # docs/benchmark.md: from a full run only
    if args.quick or args.smoke:
        args.ns, args.accounts = (QUICK_NS, QUICK_ACCOUNTS) if args.quick else (SMOKE_NS, SMOKE_ACCOUNTS)
        out = os.path.join(REPO, ".build", "bench-quick" if args.quick else "bench-smoke")
        defaults = (os.path.join(out, "results.md"), os.path.join(out, "benchmark.png"))
        args.doc = None
    else:
        defaults = (report.RESULTS_MD, report.PLOT)
    args.results = args.results or defaults[0]
    args.plot = args.plot or defaults[1]
    args.results_json = os.path.splitext(args.results)[0] + ".json"
    return args


def main(argv):
    args = parse_args(argv)
    start = time.perf_counter()
    server = MotoServer().start()
    measure.log(
        f"moto_server on {server.url}; N in {args.ns}, accounts in {args.accounts}, {args.repeat} repetition(s)"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="ecs-tools-bench-") as workdir:
            runs, loads = measure.run_matrix(measure.Bench(server, workdir), args.ns, args.accounts, args.repeat)
    except (scenarios.RunFailed, botocore.exceptions.ClientError) as e:
        measure.log(f"benchmark run FAILED: {e}")
        return 2
    finally:
        server.stop()
    results = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "versions": versions(),
        "elapsed": time.perf_counter() - start,
        "load": {"median": statistics.median(loads), "min": min(loads), "max": max(loads)},
        "ns": list(args.ns),
        "accounts": list(args.accounts),
        "cells": [measure.summarize(key, cell) for key, cell in sorted(runs.items())],
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results_json, "w") as f:
        f.write(json.dumps(results, indent=1, sort_keys=True) + "\n")
    for path, text in report.outputs(results, args.results, args.doc).items():
        with open(path, "w") as f:
            f.write(text)
    report.plot(results, args.plot)
    met = report.check_goals(results)[1]
    sys.stdout.write(report.results_markdown(results))
    written = [args.results_json, args.results, args.plot] + ([args.doc] if args.doc else [])
    sys.stdout.write("\nwrote {0}\n".format(", ".join(written)))
    sys.stdout.write("goals {0}\n".format("met" if met else "NOT MET"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
