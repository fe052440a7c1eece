# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A screenshot of the audit's report.html, taken by a real browser (headless Chromium) 1,280 px wide.

Starts a moto_server, builds an organization of 30 accounts with 60-character names (tests/support/
organization.py) and a mix of roles: healthy ones, one whose trust policy lets EC2 in (high), ones with
AdministratorAccess attached, one with a user who may pass the role to any service, accounts without
the role; one account the audit cannot assume into (STS refuses it) and one region one account cannot
read (an opt-in region it has not enabled), both played by tests/support/region_outage.py in front of
moto. Runs ``ecs_tools.iam.audit`` on it through ``ecs_tools.iam.aws_accounts``; then, as a team would
the next week, someone grants a second user PassRole by hand, and the audit runs again with the first
report as its baseline and the first user accepted (``ecs_infrastructure_role_accepted_principals``).
The second report, which opens with what is new, is photographed.
``make screenshot`` runs it (and installs Debian's chromium first).

    .venv/bin/python tests/support/screenshot.py docs/audit-report.png [KEEP_DIR]

With KEEP_DIR, report.json and report.html are copied there too (to look at, or to check the layout).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import playbook  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import account_client  # noqa: E402
from organization import build  # noqa: E402
from organization import create_role  # noqa: E402
from region_outage import RegionOutage  # noqa: E402

VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
TLS = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
TEAMS = ["payments", "search", "checkout", "identity", "ledger", "catalog"]
STAGES = {"Prod": "production", "Staging": "staging"}
NAME_LENGTH = 60
OUTAGE_REGION = "ap-southeast-2"
REGIONS = ["us-east-1", "eu-west-1", OUTAGE_REGION]


def account_name(team, stage, number):
    """60 characters, as long names of real organizations run."""
    stem = f"{team}-{stage}-workloads-eu-central-platform-{number:02d}-"
    return (stem + "shared-services-account")[:NAME_LENGTH]


def layout():
    """30 accounts: Workloads/{Prod,Staging} with 12 each, Sandbox with 6."""
    workloads = {}
    for ou, stage in STAGES.items():
        workloads[ou] = [account_name(team, stage, n) for team in TEAMS for n in (1, 2)]
    sandbox = [account_name(team, "sandbox", 1) for team in TEAMS]
    return {"Workloads": workloads, "Sandbox": sandbox}


def role_of(index):
    """What the role looks like in the index-th account: (trust services, policies) or None (no role)."""
    if index % 5 == 4:
        return None
    if index == 3:
        return (["ec2.amazonaws.com"], [VOLUMES])
    if index in (7, 18):
        return (["ecs.amazonaws.com"], [VOLUMES, ADMIN])
    return (["ecs.amazonaws.com"], [VOLUMES, TLS] if index % 2 else [VOLUMES])


def passer(env, account_id, user="ci-deployer"):
    """A user who may pass every role to any service (no iam:PassedToService condition)."""
    iam = account_client(env, account_id)
    iam.create_user(UserName=user)
    policy = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    iam.put_user_policy(
        UserName=user,
        PolicyName="pass-anything",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [policy]}),
    )


WIDTH, HEIGHT = 1280, 1000
DENIED_ACCOUNT = "999999999999"
DENIED_ROLE = f"arn:aws:iam::{DENIED_ACCOUNT}:role/OrganizationAccountAccessRole"
ACCEPTED = [{"arn": "arn:aws:iam::*:user/ci-deployer", "reason": "CI deploys every service (reviewed in CHG-1042)"}]
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def audit(server, workdir):
    org = build(server.env(), layout())
    names = sorted(org.accounts, key=org.account_id)
    for index, name in enumerate(names):
        role = role_of(index)
        if role is not None:
            create_role(server.env(), org.account_id(name), *role)
    passer(server.env(), org.account_id(names[1]))
    outage = RegionOutage(server.url, OUTAGE_REGION, org.account_id(names[0]), [DENIED_ACCOUNT]).start()
    try:
        first = run_audit(server, workdir, outage, "week-1")
        passer(server.env(), org.account_id(names[5]), user="release-bot")  # granted by hand since
        extra = {
            "ecs_infrastructure_role_report_baseline": os.path.join(os.path.dirname(first), "report.json"),
            "ecs_infrastructure_role_accepted_principals": ACCEPTED,
        }
        return run_audit(server, workdir, outage, "week-2", extra)
    finally:
        outage.stop()


def run_audit(server, workdir, outage, report_dir, more_vars=None):
    with open(os.path.join(workdir, "org.aws_accounts.yml"), "w") as f:
        f.write("plugin: ecs_tools.iam.aws_accounts\n")
    with open(os.path.join(workdir, "legacy.yml"), "w") as f:
        # an account the audit cannot assume into (the proxy's STS refuses it)
        f.write(
            f"all:\n  hosts:\n    legacy-account:\n      ecs_infrastructure_role_assume_role_arn: '{DENIED_ROLE}'\n"
        )
    extra = {
        "ecs_infrastructure_role_usage_regions": REGIONS,
        # the organization has high findings and an unreadable account on purpose: report, do not fail
        "ecs_infrastructure_role_audit_fail_on_severity": "none",
        "ecs_infrastructure_role_audit_fail_on_unreadable": False,
        "ecs_infrastructure_role_report_dir": os.path.join(workdir, report_dir),
    }
    extra.update(more_vars or {})
    proc = playbook.run(
        "ecs_tools.iam.audit",
        playbook.ansible_env(server, extra={"AWS_ENDPOINT_URL": outage.url}),
        cwd=workdir,
        inventory=["org.aws_accounts.yml", "legacy.yml"],
        forks=5,
        extra_vars=extra,
    )
    if proc.returncode != 0:
        raise SystemExit("the audit failed: " + proc.describe())
    if not outage.refused:
        raise SystemExit("no request reached the unreadable region: the screenshot would not show one")
    for line in proc.stdout.splitlines():
        if "ECS infrastructure role audit:" in line:  # the audit's printed summary
            sys.stdout.write(line.split('"msg": ', 1)[-1].strip().strip('"') + "\n")
    return os.path.join(workdir, report_dir, "report.html")


def screenshot(html, output, workdir):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise SystemExit("chromium is not installed: run tests/support/install_chromium.sh (make screenshot does)")
    profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)  # a fresh profile every time
    command = [browser] + BROWSER_FLAGS + ["--user-data-dir=" + profile, f"--window-size={WIDTH},{HEIGHT}"]
    command += ["--screenshot=" + os.path.abspath(output), "file://" + html]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    if not os.path.getsize(output):
        raise SystemExit("chromium wrote an empty screenshot")


def main(argv):
    output = argv[0] if argv else os.path.join(HERE, "..", "..", "docs", "audit-report.png")
    server = MotoServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="ecs-tools-screenshot-") as workdir:
            html = audit(server, workdir)
            screenshot(html, output, workdir)
            if len(argv) > 1:
                os.makedirs(argv[1], exist_ok=True)
                for name in ("report.json", "report.html"):
                    shutil.copy(os.path.join(os.path.dirname(html), name), argv[1])
    finally:
        server.stop()
    sys.stdout.write(f"wrote {output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
