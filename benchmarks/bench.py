# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the collection's module and role against the amazon.aws composition a user would write.

Every approach reaches the same state on one moto_server started here: the role
``ecsInfrastructureRole`` with the volumes, service_connect_tls and vpc_lattice policies, and
``iam:PassRole`` on it granted to N existing IAM users through the customer managed policy
``ecsInfrastructureRolePassRole``, in 1 or 10 accounts (STS AssumeRole into 1000000000NN).

Each measurement is one ansible-playbook process: the first run (creates everything) and a
converged run (the same playbook again). Wall time is the whole process; API calls come from
moto's recorder, without the one ``sts:AssumeRole`` per account that every playbook makes first.

    .venv/bin/python benchmarks/bench.py [--quick] [--repeat N]

Exits 1 when a goal of the project is not met (the GOAL_ constants below), 2 when a run fails.
"""

import argparse
import collections
import datetime
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.exceptions
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

from collection_link import collections_path  # noqa: E402
from expected import passrole_grant  # noqa: E402
from moto_server import MotoServer  # noqa: E402

APPROACHES = ("module", "role", "composition")
DESCRIPTIONS = {
    "module": "(a) one task: module ecs_tools.iam.ecs_infrastructure_role",
    "role": "(b) role ecs_tools.iam.infrastructure_role (validate, apply, verify, report)",
    "composition": "(c) amazon.aws.iam_role + amazon.aws.iam_managed_policy + amazon.aws.iam_user per user (loop)",
}
FULL_NS = (1, 10, 20, 100)
FULL_ACCOUNTS = (1, 10)
QUICK_NS = (1, 20)
QUICK_ACCOUNTS = (1, 2)
MAX_FORKS = 10

ROLE_NAME = "ecsInfrastructureRole"
GRANT_POLICY = ROLE_NAME + "PassRole"
ACCOUNT_ROLE = "OrganizationAccountAccessRole"
CAPABILITIES = ["volumes", "service_connect_tls", "vpc_lattice"]
CAPABILITY_POLICY_ARNS = [
    "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice",
]
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAccessToECSForInfrastructureManagement",
            "Effect": "Allow",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
# The harness's own call, made once per account by every playbook before the approach runs.
PREAMBLE_CALL = ("sts", "AssumeRole")

# The goals the benchmark asserts (do not relax them to make a run pass).
GOAL_MAX_CONVERGED_CALLS = 5  # per account, module, converged run, whatever N
GOAL_WALL_N = 20
GOAL_MAX_WALL_RATIO = 0.2  # module converged wall / composition converged wall at N = 20, 1 account

RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)

Run = collections.namedtuple("Run", "wall cpu calls writes changed actions")


class RunFailed(Exception):
    pass


def account_ids(count):
    return ["1000000000{0:02d}".format(i + 1) for i in range(count)]


def user_names(count):
    return ["bench-user-{0:03d}".format(i + 1) for i in range(count)]


# --- playbooks ------------------------------------------------------------------------------


def approach_tasks(approach):
    if approach == "module":
        return [
            {
                "name": "ECS infrastructure role and who may pass it to ECS",
                "ecs_tools.iam.ecs_infrastructure_role": {
                    "name": ROLE_NAME,
                    "capabilities": CAPABILITIES,
                    "pass_role": {"users": "{{ bench_users }}"},
                },
            }
        ]
    if approach == "role":
        return [
            {
                "name": "ECS infrastructure role with the collection's role",
                "ansible.builtin.include_role": {"name": "ecs_tools.iam.infrastructure_role"},
                "vars": {
                    "ecs_infrastructure_role_name": ROLE_NAME,
                    "ecs_infrastructure_role_capabilities": CAPABILITIES,
                    "ecs_infrastructure_role_pass_role_users": "{{ bench_users }}",
                    "ecs_infrastructure_role_usage_regions": ["us-east-1"],
                },
            }
        ]
    if approach == "composition":
        return [
            {
                "name": "ECS infrastructure role",
                "amazon.aws.iam_role": {
                    "name": ROLE_NAME,
                    "assume_role_policy_document": TRUST_POLICY,
                    "managed_policies": CAPABILITY_POLICY_ARNS,
                    "create_instance_profile": False,
                },
                "register": "bench_role",
            },
            {
                "name": "Managed policy allowing iam:PassRole on it to ECS",
                "amazon.aws.iam_managed_policy": {
                    "name": GRANT_POLICY,
                    "policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "iam:PassRole",
                                "Resource": "{{ bench_role.iam_role.arn }}",
                                "Condition": {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}},
                            }
                        ],
                    },
                },
                "register": "bench_grant",
            },
            {
                "name": "Attach it to each user who may pass the role",
                "amazon.aws.iam_user": {
                    "name": "{{ item }}",
                    "state": "present",
                    "managed_policies": ["{{ bench_grant.policy.arn }}"],
                    "purge_policies": False,
                },
                "loop": "{{ bench_users }}",
            },
        ]
    raise ValueError(approach)


def playbook(approach):
    """One play over the accounts: assume the account's role, then the approach with its credentials."""
    group = "group/amazon.aws.aws" if approach == "composition" else "group/ecs_tools.iam.aws"
    credentials = {
        key: "{{{{ bench_assumed.sts_creds.{0} }}}}".format(key)
        for key in ("access_key", "secret_key", "session_token")
    }
    return [
        {
            "name": "Benchmark: " + DESCRIPTIONS[approach],
            "hosts": "all",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "Assume the account's role",
                    "amazon.aws.sts_assume_role": {
                        "role_arn": "{{ bench_assume_role_arn }}",
                        "role_session_name": "bench",
                    },
                    "register": "bench_assumed",
                    "changed_when": False,
                },
                {
                    "name": "Reach the state in the account",
                    "module_defaults": {group: credentials},
                    "block": approach_tasks(approach),
                },
            ],
        }
    ]


def inventory(accounts, users):
    return {
        "all": {
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "bench_users": users,
            },
            "hosts": {
                "account_" + account: {
                    "bench_assume_role_arn": "arn:aws:iam::{0}:role/{1}".format(account, ACCOUNT_ROLE),
                }
                for account in accounts
            },
        }
    }


# --- moto state -----------------------------------------------------------------------------


class Accounts(object):
    """boto3 IAM clients for accounts on the moto server, through STS AssumeRole (as the playbooks)."""

    def __init__(self, server):
        self.env = server.env()

    def _kwargs(self):
        return dict(
            region_name=self.env["AWS_REGION"],
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
        )

    def iam(self, account):
        sts = boto3.client(
            "sts",
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            **self._kwargs(),
        )
        creds = sts.assume_role(
            RoleArn="arn:aws:iam::{0}:role/{1}".format(account, ACCOUNT_ROLE), RoleSessionName="bench-setup"
        )["Credentials"]
        return boto3.client(
            "iam",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            **self._kwargs(),
        )

    def create_users(self, accounts, users):
        for account in accounts:
            iam = self.iam(account)
            for user in users:
                iam.create_user(UserName=user)

    def check_state(self, accounts, users):
        """Raise RunFailed unless every account holds exactly the target state."""
        for account in accounts:
            iam = self.iam(account)
            role = iam.get_role(RoleName=ROLE_NAME)["Role"]
            role_arn = "arn:aws:iam::{0}:role/{1}".format(account, ROLE_NAME)
            problems = []
            if role["Arn"] != role_arn:
                problems.append("role ARN {0}".format(role["Arn"]))
            if normalize(role["AssumeRolePolicyDocument"]) != normalize(TRUST_POLICY):
                problems.append("trust policy {0}".format(role["AssumeRolePolicyDocument"]))
            attached = iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"]
            if sorted(p["PolicyArn"] for p in attached) != sorted(CAPABILITY_POLICY_ARNS):
                problems.append("attached {0}".format(attached))
            grant_arn = "arn:aws:iam::{0}:policy/{1}".format(account, GRANT_POLICY)
            version = iam.get_policy(PolicyArn=grant_arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=grant_arn, VersionId=version)["PolicyVersion"]["Document"]
            if normalize(document) != normalize(passrole_grant(role_arn)):
                problems.append("grant document {0}".format(document))
            entities = iam.list_entities_for_policy(PolicyArn=grant_arn, EntityFilter="User", MaxItems=1000)
            if sorted(u["UserName"] for u in entities["PolicyUsers"]) != sorted(users):
                problems.append("grantees {0}".format(entities["PolicyUsers"]))
            if problems:
                raise RunFailed("account {0}: wrong end state: {1}".format(account, "; ".join(problems)))


def normalize(document):
    """Statements without Sid, one-element lists as scalars: enough to compare these documents."""
    if isinstance(document, str):
        document = yaml.safe_load(document)

    def scalar(value):
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    return sorted(repr(sorted((k, scalar(v)) for k, v in statement.items() if k != "Sid")) for statement in statements)


# --- running --------------------------------------------------------------------------------


class Bench(object):
    def __init__(self, server, workdir):
        self.server = server
        self.accounts = Accounts(server)
        self.workdir = workdir
        self.config = os.path.join(workdir, "ansible.cfg")
        with open(self.config, "w") as f:
            f.write("# isolates the benchmark from ~/.ansible.cfg and /etc/ansible/ansible.cfg\n[defaults]\n")
        self.playbooks = {}
        for approach in APPROACHES:
            path = os.path.join(workdir, approach + ".yml")
            with open(path, "w") as f:
                yaml.safe_dump(playbook(approach), f, sort_keys=False)
            self.playbooks[approach] = path

    def env(self):
        env = dict(os.environ)
        env.update(self.server.env())
        env.update(
            ANSIBLE_CONFIG=self.config,
            ANSIBLE_COLLECTIONS_PATH=collections_path(),
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_NOCOLOR="1",
        )
        return env

    def playbook_run(self, approach, inventory_path, hosts):
        command = [
            os.path.join(BIN, "ansible-playbook"),
            "-i",
            inventory_path,
            "-f",
            str(min(hosts, MAX_FORKS)),
            self.playbooks[approach],
        ]
        with self.server.recording() as rec:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(
                command,
                env=self.env(),
                cwd=self.workdir,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        recap = RECAP.findall(proc.stdout)
        if proc.returncode != 0 or len(recap) != hosts or any(int(r[4]) or int(r[3]) for r in recap):
            raise RunFailed(
                "{0}: ansible-playbook exited {1}:\n{2}".format(approach, proc.returncode, proc.stdout[-6000:])
            )
        calls = [c for c in rec.calls if tuple(c) != PREAMBLE_CALL]
        return Run(
            wall=wall,
            cpu=after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime,
            calls=len(calls),
            writes=len([c for c in calls if c.is_write]),
            changed=sum(int(r[2]) for r in recap),
            actions=collections.Counter("{0}:{1}".format(c.service, c.action) for c in calls),
        )

    def measure(self, approach, n_accounts, n_users):
        """Fresh server state with the users, then the first run and the converged run."""
        accounts = account_ids(n_accounts)
        users = user_names(n_users)
        self.server.reset()
        self.accounts.create_users(accounts, users)
        inventory_path = os.path.join(self.workdir, "inventory-{0}-{1}.yml".format(n_accounts, n_users))
        with open(inventory_path, "w") as f:
            yaml.safe_dump(inventory(accounts, users), f)
        first = self.playbook_run(approach, inventory_path, n_accounts)
        converged = self.playbook_run(approach, inventory_path, n_accounts)
        self.accounts.check_state(accounts, users)
        return first, converged


def run_matrix(bench, ns, account_counts, repeat):
    """results[(accounts, n, approach)] = list of (first, converged); approaches alternate a, b, c, a, b, c.
    One unmeasured warm-up of each approach first (caches, compiled files)."""
    for approach in APPROACHES:
        bench.measure(approach, 1, 1)
        log("warm-up run of {0} done (not measured)".format(approach))
    results = collections.defaultdict(list)
    loads = []
    total = len(ns) * len(account_counts) * repeat * len(APPROACHES)
    done = 0
    for n_accounts in account_counts:
        for n_users in ns:
            for rep in range(repeat):
                for approach in APPROACHES:
                    loads.append(os.getloadavg()[0])
                    first, converged = bench.measure(approach, n_accounts, n_users)
                    results[(n_accounts, n_users, approach)].append((first, converged))
                    done += 1
                    log(
                        "[{0}/{1}] accounts={2} N={3} rep {4}/{5} {6:<11} first {7:7.2f}s {8:5d} calls | "
                        "converged {9:7.2f}s (CPU {13:.2f}s) {10:5d} calls {11} writes, changed={12}".format(
                            done,
                            total,
                            n_accounts,
                            n_users,
                            rep + 1,
                            repeat,
                            approach,
                            first.wall,
                            first.calls,
                            converged.wall,
                            converged.calls,
                            converged.writes,
                            converged.changed,
                            converged.cpu,
                        )
                    )
    return results, loads


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


# --- report ---------------------------------------------------------------------------------


class Summary(object):
    """Medians of one (accounts, N, approach) cell."""

    def __init__(self, runs):
        firsts = [first for first, dummy in runs]
        convergeds = [converged for dummy, converged in runs]
        self.runs = len(runs)
        self.first_wall = statistics.median(r.wall for r in firsts)
        self.first_calls = statistics.median(r.calls for r in firsts)
        self.first_calls_range = (min(r.calls for r in firsts), max(r.calls for r in firsts))
        self.conv_wall = statistics.median(r.wall for r in convergeds)
        self.conv_cpu = statistics.median(r.cpu for r in convergeds)
        self.conv_calls = statistics.median(r.calls for r in convergeds)
        self.conv_calls_range = (min(r.calls for r in convergeds), max(r.calls for r in convergeds))
        self.conv_writes = max(r.writes for r in convergeds)
        self.conv_changed = max(r.changed for r in convergeds)
        self.conv_actions = convergeds[-1].actions


def count(value, spread):
    text = "{0:g}".format(value)
    if spread[0] != spread[1]:
        text += " ({0}-{1})".format(*spread)
    return text


def ratio(value, reference):
    return "{0:.2f}".format(value / reference) if reference else "n/a"


def table(summaries, ns, account_counts):
    header = [
        "accounts",
        "N users",
        "approach",
        "first run wall (s)",
        "first run API calls",
        "converged wall (s)",
        "converged CPU (s)",
        "converged API calls",
        "converged writes",
        "first wall / comp.",
        "first calls / comp.",
        "converged wall / comp.",
        "converged calls / comp.",
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i != 2 else "---" for i in range(len(header))) + "|",
    ]
    for n_accounts in account_counts:
        for n_users in ns:
            comp = summaries[(n_accounts, n_users, "composition")]
            for approach in APPROACHES:
                s = summaries[(n_accounts, n_users, approach)]
                lines.append(
                    "| "
                    + " | ".join(
                        [
                            str(n_accounts),
                            str(n_users),
                            approach,
                            "{0:.2f}".format(s.first_wall),
                            count(s.first_calls, s.first_calls_range),
                            "{0:.2f}".format(s.conv_wall),
                            "{0:.2f}".format(s.conv_cpu),
                            count(s.conv_calls, s.conv_calls_range),
                            str(s.conv_writes),
                            ratio(s.first_wall, comp.first_wall),
                            ratio(s.first_calls, comp.first_calls),
                            ratio(s.conv_wall, comp.conv_wall),
                            ratio(s.conv_calls, comp.conv_calls),
                        ]
                    )
                    + " |"
                )
    return "\n".join(lines)


def check_goals(summaries, ns, account_counts):
    """Returns (lines to print, all goals met)."""
    lines = []
    met = True
    lines.append(
        "Goal 1: a converged run of the module makes no writes and at most {0} API calls per account, "
        "whatever N is.".format(GOAL_MAX_CONVERGED_CALLS)
    )
    for n_accounts in account_counts:
        for n_users in ns:
            s = summaries[(n_accounts, n_users, "module")]
            per_account = s.conv_calls_range[1] / n_accounts
            ok = s.conv_writes == 0 and per_account <= GOAL_MAX_CONVERGED_CALLS
            met = met and ok
            lines.append(
                "  {0} accounts={1} N={2}: writes {3}, API calls {4} (worst of {5} runs) = {6:g} per account; "
                "calls: {7}".format(
                    "PASS" if ok else "FAIL",
                    n_accounts,
                    n_users,
                    s.conv_writes,
                    s.conv_calls_range[1],
                    s.runs,
                    per_account,
                    ", ".join("{0} x{1}".format(k, v) for k, v in sorted(s.conv_actions.items())),
                )
            )
    lines.append(
        "Goal 2: at N = {0}, 1 account, the module's converged wall time is at most {1:g} of the composition's.".format(
            GOAL_WALL_N, GOAL_MAX_WALL_RATIO
        )
    )
    if (1, GOAL_WALL_N, "module") in summaries:
        module = summaries[(1, GOAL_WALL_N, "module")]
        comp = summaries[(1, GOAL_WALL_N, "composition")]
        value = module.conv_wall / comp.conv_wall
        ok = value <= GOAL_MAX_WALL_RATIO
        met = met and ok
        lines.append(
            "  {0} module {1:.2f}s / composition {2:.2f}s = {3:.3f} (limit {4:g}; medians of {5} runs)".format(
                "PASS" if ok else "FAIL", module.conv_wall, comp.conv_wall, value, GOAL_MAX_WALL_RATIO, module.runs
            )
        )
    else:
        met = False
        lines.append("  FAIL not measured (N = {0} with 1 account is not in this run)".format(GOAL_WALL_N))
    changed = ["{0} accounts={1} N={2}".format(a, k, n) for (k, n, a), s in summaries.items() if s.conv_changed]
    lines.append(
        "Converged runs reporting changes: {0}.".format(", ".join(changed) if changed else "none (all changed=0)")
    )
    return lines, met


def versions():
    import ansible.release
    import ansible_collections.amazon.aws
    import moto

    with open(os.path.join(list(ansible_collections.amazon.aws.__path__)[0], "MANIFEST.json")) as f:
        amazon = yaml.safe_load(f)["collection_info"]["version"]
    return "Python {0}, ansible-core {1}, amazon.aws {2}, boto3 {3}, botocore {4}, moto {5}".format(
        platform.python_version(),
        ansible.release.__version__,
        amazon,
        boto3.__version__,
        botocore.__version__,
        moto.__version__,
    )


def report(summaries, ns, account_counts, repeat, elapsed, loads, goal_lines):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/bench.py` on {0}: {1} repetition(s), medians; {2} CPU(s), {3}; "
        "the whole benchmark took {4:.0f} s. The 1-minute load average before each measurement was {5:.1f} "
        "(median; min {6:.1f}, max {7:.1f}).".format(
            when,
            repeat,
            os.cpu_count(),
            versions(),
            elapsed,
            statistics.median(loads),
            min(loads),
            max(loads),
        ),
        "",
        "Approaches: " + "; ".join(DESCRIPTIONS[a] for a in APPROACHES) + ".",
        "",
        "Wall times are of whole ansible-playbook processes, in seconds; CPU is the user + system time of that "
        "process and everything it ran (it varies less than wall time with the machine's load). API calls are "
        "the requests moto_server received (all accounts together), without the one `sts:AssumeRole` per "
        "account every playbook makes first; a range in brackets means the repetitions differed. Ratios are "
        "to the composition (c): below 1 is better.",
        "",
        table(summaries, ns, account_counts),
        "",
        "```text",
    ]
    parts.extend(goal_lines)
    parts.extend(["```", ""])
    return "\n".join(parts)


def plot(summaries, ns, path, repeat):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for approach, marker in zip(APPROACHES, ("o", "s", "^"), strict=True):
        ax.plot(ns, [summaries[(1, n, approach)].conv_wall for n in ns], marker=marker, label=DESCRIPTIONS[approach])
    ax.set_xlabel("N: IAM users granted iam:PassRole")
    ax.set_ylabel("converged run wall time (s)")
    ax.set_title("Converged ansible-playbook run, 1 account (moto_server, median of {0})".format(repeat), fontsize=10)
    ax.set_ylim(bottom=0)
    ax.set_xticks(ns)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: N in {0}, accounts in {1}, 1 repetition unless --repeat; "
        "writes its table and plot under .build/bench-quick/".format(QUICK_NS, QUICK_ACCOUNTS),
    )
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement (default 3, or 1 with --quick)")
    parser.add_argument("--results", help="markdown table to write (default benchmarks/results.md)")
    parser.add_argument("--plot", help="PNG plot to write (default docs/benchmark.png)")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.quick:
        out = os.path.join(REPO, ".build", "bench-quick")
        defaults = (os.path.join(out, "results.md"), os.path.join(out, "benchmark.png"))
    else:
        defaults = (os.path.join(HERE, "results.md"), os.path.join(REPO, "docs", "benchmark.png"))
    args.results = args.results or defaults[0]
    args.plot = args.plot or defaults[1]
    return args


def main(argv):
    args = parse_args(argv)
    ns = QUICK_NS if args.quick else FULL_NS
    account_counts = QUICK_ACCOUNTS if args.quick else FULL_ACCOUNTS
    start = time.perf_counter()
    server = MotoServer().start()
    log(
        "moto_server on {0}; N in {1}, accounts in {2}, {3} repetition(s)".format(
            server.url, ns, account_counts, args.repeat
        )
    )
    try:
        with tempfile.TemporaryDirectory(prefix="ecs-tools-bench-") as workdir:
            results, loads = run_matrix(Bench(server, workdir), ns, account_counts, args.repeat)
    except (RunFailed, botocore.exceptions.ClientError) as e:
        log("benchmark run FAILED: {0}".format(e))
        return 2
    finally:
        server.stop()
    elapsed = time.perf_counter() - start

    summaries = {key: Summary(runs) for key, runs in results.items()}
    goal_lines, met = check_goals(summaries, ns, account_counts)
    text = report(summaries, ns, account_counts, args.repeat, elapsed, loads, goal_lines)
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results, "w") as f:
        f.write(text)
    plot(summaries, ns, args.plot, args.repeat)
    sys.stdout.write(text)
    sys.stdout.write("\nwrote {0} and {1}\n".format(args.results, args.plot))
    sys.stdout.write("goals {0}\n".format("met" if met else "NOT MET"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
