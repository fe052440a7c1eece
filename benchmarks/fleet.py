# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark: the playbook ecs_tools.iam.audit over an AWS Organization of 20 member accounts.

One moto_server started here holds an organization (OUs Workloads/Prod, Workloads/Dev and Sandbox,
20 active member accounts and one closed one). The infrastructure role exists in 10 of them: 5
healthy, 3 with a trust policy that lets EC2 in instead of ECS, 2 with AdministratorAccess attached.
The inventory is ``ecs_tools.iam.aws_accounts``; the audit runs with ``forks`` 1 and 5.

Per run it records the wall time of the ``ansible-playbook`` process and, through moto's recorder,
every API request: Organizations calls (the inventory), and STS, IAM, EC2 and ECS calls (the audit,
per account). Any write call, a report without the 20 accounts, or a failed run stops it.

    .venv/bin/python benchmarks/fleet.py [--repeat N] [--regions us-east-1,eu-west-1 | --all-regions]

Prints the table, writes it to benchmarks/fleet_results.md and the plot to docs/benchmark-fleet.png.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import playbook  # noqa: E402
import plotting  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import build  # noqa: E402
from organization import create_role  # noqa: E402

FORKS = (1, 5)
ROLE = "ecsInfrastructureRole"
LAYOUT = {
    "Workloads": {
        "Prod": [f"prod-{i:02d}" for i in range(1, 9)],
        "Dev": [f"dev-{i:02d}" for i in range(1, 7)],
    },
    "Sandbox": [f"sandbox-{i:02d}" for i in range(1, 7)] + ["closed-01"],
}
MEMBERS = 20
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
# account name -> (trust, policies) for the accounts that have the role
ROLES = dict(
    [(f"prod-0{i}", ("ecs.amazonaws.com", [VOLUMES])) for i in range(1, 6)]
    + [(f"prod-0{i}", ("ec2.amazonaws.com", [VOLUMES])) for i in range(6, 9)]
    + [(f"dev-0{i}", ("ecs.amazonaws.com", [ADMIN])) for i in range(1, 3)]
)


def log(message):
    sys.stderr.write("[{0}] {1}\n".format(time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


class RunFailed(Exception):
    pass


def setup(server):
    org = build(server.env(), LAYOUT, closed=["closed-01"])
    for name, (trust, policies) in sorted(ROLES.items()):
        create_role(server.env(), org.account_id(name), [trust], policies, role_name=ROLE)
    return org


def run_audit(server, workdir, forks, regions):
    inventory = os.path.join(workdir, "org.aws_accounts.yml")
    with open(inventory, "w") as f:
        f.write("plugin: ecs_tools.iam.aws_accounts\n")
    report_dir = os.path.join(workdir, f"report-forks{forks}")
    # Thresholds off: the benchmark measures the audit, whatever the fleet's findings.
    extra = {
        "ecs_infrastructure_role_report_dir": report_dir,
        "ecs_infrastructure_role_audit_fail_on_severity": "none",
        "ecs_infrastructure_role_audit_fail_on_unreadable": False,
    }
    if regions:
        extra["ecs_infrastructure_role_usage_regions"] = regions
    env = playbook.ansible_env(server, extra={"ANSIBLE_CONFIG": playbook.write_config(workdir)})  # defaults only
    load = os.getloadavg()[0]
    with server.recording() as rec:
        proc = playbook.run("ecs_tools.iam.audit", env, cwd=workdir, inventory=inventory, forks=forks, extra_vars=extra)
    if proc.returncode != 0:
        raise RunFailed(f"forks={forks}: {proc.describe(4000)}")
    if rec.writes:
        raise RunFailed(f"forks={forks}: write calls: {rec.writes}")
    with open(os.path.join(report_dir, "report.json")) as f:
        report = json.load(f)
    if len(report["accounts"]) != MEMBERS or report["summary"]["errors"]:
        raise RunFailed("forks={0}: report summary {1}".format(forks, report["summary"]))
    summary_line = [line for line in proc.stdout.splitlines() if "ECS infrastructure role audit:" in line]
    by_service = collections.Counter(call.service for call in rec.calls)
    return {
        "wall": proc.wall,
        "cpu": proc.cpu,
        "load": load,
        "calls": len(rec.calls),
        "by_service": dict(by_service),
        "by_action": dict(collections.Counter(f"{call.service}:{call.action}" for call in rec.calls)),
        "summary": report["summary"],
        "summary_line": summary_line[-1].split("ECS infrastructure role audit:", 1)[1].strip().rstrip('"')
        if summary_line
        else "",
    }


def median_run(runs):
    ordered = sorted(runs, key=lambda r: r["wall"])
    return ordered[len(ordered) // 2]


def versions():
    import ansible.release
    import moto

    return f"Python {platform.python_version()}, ansible-core {ansible.release.__version__}, moto {moto.__version__}"


def table(results):
    lines = [
        "| forks | wall (s) | wall per account (s) | CPU (s) | load before | all runs' wall (s) | API calls | "
        "Organizations (inventory) | calls per account (STS + IAM + EC2 + ECS) | writes |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for forks in FORKS:
        run = median_run(results[forks])
        org_calls = run["by_service"].get("organizations", 0)
        per_account = (run["calls"] - org_calls) / float(MEMBERS)
        lines.append(
            "| {0} | {1:.1f} | {2:.2f} | {3:.1f} | {4:.1f} | {5} | {6} | {7} | {8:.1f} | 0 |".format(
                forks,
                run["wall"],
                run["wall"] / MEMBERS,
                run["cpu"],
                run["load"],
                ", ".join("{0:.1f}".format(r["wall"]) for r in results[forks]),
                run["calls"],
                org_calls,
                per_account,
            )
        )
    return "\n".join(lines)


def plot(results, path, regions_label):
    fig, (left, right) = plotting.pyplot().subplots(1, 2, figsize=(9, 4))
    walls = [median_run(results[f])["wall"] for f in FORKS]
    bars = left.bar([str(f) for f in FORKS], walls, color=["#7a8fa6", "#2e6da4"])
    left.bar_label(bars, fmt="%.1f s")
    left.set_xlabel("forks")
    left.set_ylabel("wall time of ansible-playbook (s)")
    left.set_title(f"Audit of {MEMBERS} accounts", fontsize=10)
    left.set_ylim(0, max(walls) * 1.2)

    run = median_run(results[FORKS[-1]])
    services = sorted(s for s in run["by_service"] if s != "organizations")
    per_account = [run["by_service"][s] / float(MEMBERS) for s in services]
    bars = right.bar(services, per_account, color="#2e6da4")
    right.bar_label(bars, fmt="%.1f")
    right.set_ylabel("API calls per account")
    right.set_title(f"API calls per account, forks {FORKS[-1]} (0 writes)", fontsize=10)
    right.set_xlabel(f"service (usage scan: {regions_label})")
    right.set_ylim(0, max(per_account) * 1.2)
    plotting.save(fig, path, dpi=110)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per forks value (the median is reported)")
    parser.add_argument("--regions", default="us-east-1,eu-west-1", help="usage-scan regions, comma-separated")
    parser.add_argument("--all-regions", action="store_true", help="scan every enabled region (the audit's default)")
    parser.add_argument("--results", default=os.path.join(HERE, "fleet_results.md"))
    parser.add_argument("--plot", default=os.path.join(REPO, "docs", "benchmark-fleet.png"))
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.region_list = [] if args.all_regions else [r for r in args.regions.split(",") if r]
    return args


def main(argv):
    args = parse_args(argv)
    regions_label = "every enabled region" if not args.region_list else ", ".join(args.region_list)
    started = time.perf_counter()
    server = MotoServer().start()
    results = {forks: [] for forks in FORKS}
    try:
        setup(server)
        log(f"moto_server on {server.url}: organization of {MEMBERS} member accounts; regions: {regions_label}")
        with tempfile.TemporaryDirectory(prefix="ecs-tools-fleet-") as workdir:
            open(os.path.join(workdir, "ansible.cfg"), "w").close()
            for repetition in range(args.repeat):
                for forks in FORKS:
                    run = run_audit(server, workdir, forks, args.region_list)
                    log(
                        "run {0}, forks {1}: {2:.1f} s (CPU {3:.1f} s, load before {4:.1f}), {5} calls {6}".format(
                            repetition + 1, forks, run["wall"], run["cpu"], run["load"], run["calls"], run["by_service"]
                        )
                    )
                    results[forks].append(run)
    except RunFailed as e:
        log(f"fleet benchmark FAILED: {e}")
        return 2
    finally:
        server.stop()

    fastest = median_run(results[FORKS[-1]])
    text = "\n".join(
        [
            "# Fleet benchmark results",
            "",
            "Generated by `benchmarks/fleet.py` on {0}: the audit playbook `ecs_tools.iam.audit` over {1} "
            "member accounts of a moto organization (inventory `ecs_tools.iam.aws_accounts`), usage scan in {2}; "
            "{3} run(s) per forks value, median; {4} CPU(s), {5}; load average at the end {6:.1f}; the "
            "whole benchmark took {7:.0f} s.".format(
                datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                MEMBERS,
                regions_label,
                args.repeat,
                os.cpu_count(),
                versions(),
                os.getloadavg()[0],
                time.perf_counter() - started,
            ),
            "",
            table(results),
            "",
            "Calls by service (forks {0}): {1}.".format(
                FORKS[-1], ", ".join(f"{k} {v}" for k, v in sorted(fastest["by_service"].items()))
            ),
            "",
            "Calls by action (forks {0}): {1}.".format(
                FORKS[-1], ", ".join(f"`{k}` {v}" for k, v in sorted(fastest["by_action"].items()))
            ),
            "",
            "The audit's printed summary: `ECS infrastructure role audit: {0}`".format(fastest["summary_line"]),
            "",
        ]
    )
    sys.stdout.write(text)
    with open(args.results, "w") as f:
        f.write(text)
    plot(results, args.plot, regions_label)
    log(f"wrote {args.results} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
