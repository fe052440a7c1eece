# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbook ecs_tools.iam.audit on the inventory ecs_tools.iam.aws_accounts, through the real
``ansible-playbook``, against an AWS Organization on the test's moto_server: both report files hold
every account, an account it cannot assume into is a row with the error, and it makes no write call."""

import json
import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import playbook  # noqa: E402
from organization import build  # noqa: E402
from organization import create_role  # noqa: E402

ROLE = "ecsInfrastructureRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
ODD_NAME = 'top <b>"&'  # must come out escaped in the HTML
LAYOUT = {
    "Workloads": {"Prod": ["prod-ok", "prod-bad-trust"], "Dev": ["dev-admin"]},
    "Sandbox": ["sandbox-none", "closed-a"],
    "": [ODD_NAME],
}
BROKEN_ARN = "arn:aws:iam::1:role"  # 19 characters: STS refuses it (RoleArn is at least 20)


@pytest.fixture
def fleet(server, tmp_path):
    org = build(server.env(), LAYOUT, closed=["closed-a"])
    for name, trust, policies in [
        ("prod-ok", ["ecs.amazonaws.com"], [VOLUMES]),
        ("prod-bad-trust", ["ec2.amazonaws.com"], [VOLUMES]),
        ("dev-admin", ["ecs.amazonaws.com"], ["arn:aws:iam::aws:policy/AdministratorAccess"]),
    ]:
        create_role(server.env(), org.account_id(name), trust, policies, role_name=ROLE)
    (tmp_path / "org.aws_accounts.yml").write_text("plugin: ecs_tools.iam.aws_accounts\n")
    (tmp_path / "static.yml").write_text(
        "all:\n  hosts:\n    unreachable-account:\n      ecs_infrastructure_role_assume_role_arn: '{0}'\n".format(
            BROKEN_ARN
        )
    )
    return org


def run_audit(runner, tmp_path, extra_vars, forks=5):
    return playbook.run(
        "ecs_tools.iam.audit",
        runner.env(extra={"ANSIBLE_SHOW_CUSTOM_STATS": "true"}),
        cwd=tmp_path,
        inventory=[tmp_path / "org.aws_accounts.yml", tmp_path / "static.yml"],
        forks=forks,
        extra_vars=extra_vars,
    )


def test_audit_reports_every_account_and_never_writes(fleet, runner, server, tmp_path):
    with server.recording() as rec:
        proc = run_audit(runner, tmp_path, {"ecs_infrastructure_role_usage_regions": "us-east-1,\neu-west-1"})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output

    # No write call, ever; only reads: STS AssumeRole, Organizations (inventory), IAM, EC2, ECS.
    assert rec.writes == [], rec.writes
    assert {c.service for c in rec.calls} <= {"sts", "organizations", "iam", "ec2", "ecs"}, set(rec.calls)
    assert rec.actions("sts").count("AssumeRole") == 5  # the five active member accounts

    # Both files, in the default directory, relative to where ansible-playbook ran.
    report_dir = tmp_path / "ecs-infrastructure-role-report"
    report = json.loads((report_dir / "report.json").read_text())
    html = (report_dir / "report.html").read_text()

    members = ["prod-ok", "prod-bad-trust", "dev-admin", "sandbox-none", ODD_NAME]
    rows = dict((row["account_name"], row) for row in report["accounts"])
    assert sorted(rows) == sorted(members + ["unreachable-account"])
    for name in members:
        row = rows[name]
        assert row["account_id"] == fleet.account_id(name)
        assert row["organizational_unit_path"] == fleet.accounts[name]["path"]
        assert row["error"] is None
    assert fleet.account_id("closed-a") not in [row["account_id"] for row in report["accounts"]]

    assert rows["prod-ok"]["role_exists"] is True
    assert rows["prod-ok"]["capabilities"] == ["volumes"]
    assert rows["prod-ok"]["findings"] == []
    assert rows["prod-ok"]["highest_severity"] == "none"
    assert sorted(rows["prod-ok"]["regions_scanned"]) == ["eu-west-1", "us-east-1"]
    assert rows["prod-ok"]["regions_unreadable"] == []

    bad_trust = rows["prod-bad-trust"]
    assert "trust_missing_ecs" in [f["code"] for f in bad_trust["findings"]]
    assert all(f["severity"] in ("high", "medium", "low", "info") for f in bad_trust["findings"])
    assert bad_trust["highest_severity"] == "high"
    assert "overprivileged_managed_policy" in [f["code"] for f in rows["dev-admin"]["findings"]]

    for name in ("sandbox-none", ODD_NAME):
        assert rows[name]["role_exists"] is False and rows[name]["findings"] == []

    broken = rows["unreachable-account"]
    assert broken["highest_severity"] == "error"
    assert broken["role_exists"] is None
    assert "Assume the account's role" in broken["error"] and "RoleArn" in broken["error"]

    all_findings = [f for row in report["accounts"] for f in row["findings"]]
    summary = report["summary"]
    assert summary["accounts"] == 6
    assert summary["read"] == 5 and summary["errors"] == 1
    assert summary["role_present"] == 3 and summary["role_missing"] == 2
    assert summary["with_findings"] == len([r for r in report["accounts"] if r["findings"]]) >= 2
    for severity in ("high", "medium", "low", "info"):
        assert summary["findings"][severity] == len([f for f in all_findings if f["severity"] == severity])
    assert report["regions"] == ["us-east-1", "eu-west-1"]

    # The HTML: every account, findings highlighted, escaped, self-contained, sortable.
    for row in report["accounts"]:
        assert row["account_id"] in html
    assert 'class="sev-high"' in html and 'class="sev-error"' in html
    assert "top &lt;b&gt;&#34;&amp;" in html and ODD_NAME not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external asset"
    assert "<link" not in html and "@import" not in html
    assert 'addEventListener("click"' in html

    # The printed summary and the stats for AWX.
    summary_line = re.search(
        r"ECS infrastructure role audit: (\d+) accounts, (\d+) read, (\d+) not readable[^\"]*", output
    )
    assert summary_line and summary_line.groups() == ("6", "5", "1"), output
    print(summary_line.group(0))  # shown by pytest -rP
    assert "ecs_infrastructure_role_audit" in output.split("CUSTOM STATS")[-1]


def test_audit_custom_report_dir_and_role_name(fleet, runner, server, tmp_path):
    """Another role name (missing everywhere) and report directory; usage scan regions as a list."""
    target = tmp_path / "out" / "audit"
    with server.recording() as rec:
        proc = run_audit(
            runner,
            tmp_path,
            {
                "ecs_infrastructure_role_report_dir": str(target),
                "ecs_infrastructure_role_name": "otherRole",
                "ecs_infrastructure_role_usage_regions": ["us-east-1"],
            },
            forks=1,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert rec.writes == []
    report = json.loads((target / "report.json").read_text())
    assert (target / "report.html").exists()
    assert report["role_name"] == "otherRole"
    assert [row["role_exists"] for row in report["accounts"] if row["error"] is None] == [False] * 5
    assert not (tmp_path / "ecs-infrastructure-role-report").exists()
