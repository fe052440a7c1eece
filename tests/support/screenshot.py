# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A screenshot of the audit's report.html, taken by a real browser (headless Chromium).

Starts a moto_server, builds a small organization (a healthy role, one whose trust policy lets EC2
in, one with AdministratorAccess attached, accounts without the role, and one account the audit
cannot assume into), runs ``ecs_tools.iam.audit`` on it through ``ecs_tools.iam.aws_accounts``, and
photographs the report. ``make screenshot`` runs it (and installs Debian's chromium first).

    .venv/bin/python tests/support/screenshot.py docs/audit-report.png
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import playbook  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import build  # noqa: E402
from organization import create_role  # noqa: E402

VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
TLS = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
LAYOUT = {"Workloads": {"Prod": ["payments-prod", "search-prod"], "Dev": ["payments-dev"]}, "Sandbox": ["sandbox-1"]}
ROLES = {
    "payments-prod": (["ecs.amazonaws.com"], [VOLUMES, TLS]),
    "search-prod": (["ec2.amazonaws.com"], [VOLUMES]),
    "payments-dev": (["ecs.amazonaws.com"], [VOLUMES, ADMIN]),
}
SHORT_ARN = "arn:aws:iam::1:role"
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
    org = build(server.env(), LAYOUT)
    for name, (trust, policies) in ROLES.items():
        create_role(server.env(), org.account_id(name), trust, policies)
    with open(os.path.join(workdir, "org.aws_accounts.yml"), "w") as f:
        f.write("plugin: ecs_tools.iam.aws_accounts\n")
    with open(os.path.join(workdir, "legacy.yml"), "w") as f:
        # an account the audit cannot assume into (STS refuses an ARN this short)
        f.write(
            "all:\n  hosts:\n    legacy-account:\n      ecs_infrastructure_role_assume_role_arn: '{0}'\n".format(
                SHORT_ARN
            )
        )
    extra = {
        "ecs_infrastructure_role_usage_regions": ["us-east-1", "eu-west-1"],
        # the organization has high findings and an unreadable account on purpose: report, do not fail
        "ecs_infrastructure_role_audit_fail_on_severity": "none",
        "ecs_infrastructure_role_audit_fail_on_unreadable": False,
    }
    proc = playbook.run(
        "ecs_tools.iam.audit",
        playbook.ansible_env(server),
        cwd=workdir,
        inventory=["org.aws_accounts.yml", "legacy.yml"],
        forks=5,
        extra_vars=extra,
    )
    if proc.returncode != 0:
        raise SystemExit("the audit failed: " + proc.describe())
    for line in proc.stdout.splitlines():
        if "ECS infrastructure role audit:" in line:  # the audit's printed summary
            sys.stdout.write(line.split('"msg": ', 1)[-1].strip().strip('"') + "\n")
    return os.path.join(workdir, "ecs-infrastructure-role-report", "report.html")


def screenshot(html, output, workdir):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise SystemExit("chromium is not installed: run tests/support/install_chromium.sh (make screenshot does)")
    profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)  # a fresh profile every time
    command = [browser] + BROWSER_FLAGS + ["--user-data-dir=" + profile, "--window-size=1500,720"]
    command += ["--screenshot=" + os.path.abspath(output), "file://" + html]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    if not os.path.getsize(output):
        raise SystemExit("chromium wrote an empty screenshot")


def main(argv):
    output = argv[0] if argv else os.path.join(HERE, "..", "..", "docs", "audit-report.png")
    server = MotoServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="ecs-tools-screenshot-") as workdir:
            screenshot(audit(server, workdir), output, workdir)
    finally:
        server.stop()
    sys.stdout.write("wrote {0}\n".format(output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
