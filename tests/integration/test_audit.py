# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbook ecs_tools.iam.audit on the inventory ecs_tools.iam.aws_accounts, through the real
``ansible-playbook``, against an AWS Organization on the test's moto_server: both report files hold
every account, an account it cannot assume into is a row with the error, and it makes no write call."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import playbook  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import account_client  # noqa: E402
from organization import build  # noqa: E402
from organization import create_role  # noqa: E402
from playbook import TaskRunner  # noqa: E402

ROLE = "ecsInfrastructureRole"
SCHEMA = os.path.join(HERE, "..", "..", "docs", "report.schema.json")


def schema_errors(report):
    """What docs/report.schema.json finds wrong with a real report.json (jsonschema comes with ansible-lint)."""
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report))


VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
ODD_NAME = 'top <b>"&'  # must come out escaped in the HTML
LAYOUT = {
    "Workloads": {"Prod": ["prod-ok", "prod-bad-trust"], "Dev": ["dev-admin"]},
    "Sandbox": ["sandbox-none", "closed-a"],
    "": [ODD_NAME],
}
BROKEN_ARN = "arn:aws:iam::1:role"  # 19 characters: STS refuses it (RoleArn is at least 20)


@pytest.fixture(scope="module")
def server():
    """A moto server of this module's own (it overrides conftest's ``server``, so ``runner`` and ``aws``
    use it): the organization below is built once and only read by the tests that use ``fleet``."""
    own = MotoServer().start()
    yield own
    own.stop()


def build_fleet(env):
    org = build(env, LAYOUT, closed=["closed-a"])
    for name, trust, policies in [
        ("prod-ok", ["ecs.amazonaws.com"], [VOLUMES]),
        ("prod-bad-trust", ["ec2.amazonaws.com"], [VOLUMES]),
        ("dev-admin", ["ecs.amazonaws.com"], ["arn:aws:iam::aws:policy/AdministratorAccess"]),
    ]:
        create_role(env, org.account_id(name), trust, policies, role_name=ROLE)
    return org


@pytest.fixture(scope="module")
def organization(server):
    """Built once per module: the audits below only read it (no test here writes to AWS)."""
    return build_fleet(server.env())


def write_inventory(tmp_path):
    (tmp_path / "org.aws_accounts.yml").write_text("plugin: ecs_tools.iam.aws_accounts\n")
    (tmp_path / "static.yml").write_text(
        f"all:\n  hosts:\n    unreachable-account:\n      ecs_infrastructure_role_assume_role_arn: '{BROKEN_ARN}'\n"
    )


@pytest.fixture
def fleet(organization, tmp_path):
    write_inventory(tmp_path)
    return organization


def run_audit(runner, tmp_path, extra_vars, forks=5, env=None, inventory=None, **options):
    return playbook.run(
        "ecs_tools.iam.audit",
        env or runner.env(extra={"ANSIBLE_SHOW_CUSTOM_STATS": "true"}),
        cwd=tmp_path,
        inventory=inventory or [tmp_path / "org.aws_accounts.yml", tmp_path / "static.yml"],
        forks=forks,
        extra_vars=extra_vars,
        **options,
    )


# Thresholds off: a run that must succeed whatever the fleet holds.
NEVER_FAIL = {
    "ecs_infrastructure_role_audit_fail_on_severity": "none",
    "ecs_infrastructure_role_audit_fail_on_unreadable": False,
}
FAILED_SUMMARY = re.compile(r'"msg": "(ECS infrastructure role audit: [^"]*; failed: [^"]*)"')


def comparable(report):
    """report.json without what differs between two runs of the same audit: the time, the directory."""
    return {key: value for key, value in report.items() if key != "generated_at"}


def failed_summaries(proc):
    """The failed summary lines of a run with results=True (the json callback prints each msg as JSON)."""
    return FAILED_SUMMARY.findall(proc.stdout)


def test_audit_reports_every_account_in_normal_and_check_mode_and_never_writes(fleet, runner, server, tmp_path):
    """The same audit twice: a normal run, then an AWX Check job (--check). AssumeRole runs in check mode
    too, so every row is the member's own account (never the controller's), and the check run writes the
    same report. Neither run writes to AWS nor reports a change, not even for its own report files."""
    extra = {"ecs_infrastructure_role_usage_regions": "us-east-1,\neu-west-1"}
    env = runner.env(extra={"ANSIBLE_SHOW_CUSTOM_STATS": "true"})
    runs = {}
    for mode, variables, args in (
        ("normal", extra, ()),  # into the default report directory
        ("check", dict(extra, ecs_infrastructure_role_report_dir=str(tmp_path / "check")), ("--check",)),
    ):
        with server.recording() as rec:
            proc = run_audit(runner, tmp_path, variables, env=env, args=args, results=True)
        runs[mode] = proc
        # Default thresholds (fail on high, fail on unreadable): this fleet has both, so the job fails,
        # after writing the report (read below) and publishing the counts; the message is the summary line.
        assert proc.returncode == 2, (mode, proc.describe())
        assert proc.changed == 0, (mode, proc.stats)
        # No write call, ever; only reads: STS AssumeRole, Organizations (inventory), IAM, EC2, ECS.
        assert rec.writes == [], (mode, rec.writes)
        assert {c.service for c in rec.calls} <= {"sts", "organizations", "iam", "ec2", "ecs"}, (mode, set(rec.calls))
        assert rec.actions("sts").count("AssumeRole") == 5, (mode, rec.actions("sts"))  # the five active members

    proc = runs["normal"]
    output = proc.stdout + proc.stderr
    [failed] = failed_summaries(proc)
    assert failed.startswith("ECS infrastructure role audit: 6 accounts, 5 read, 1 not readable;")
    assert failed.endswith(
        "; failed: 1 account(s) not readable (ecs_infrastructure_role_audit_fail_on_unreadable); "
        "2 finding(s) of severity high or worse (ecs_infrastructure_role_audit_fail_on_severity)"
    )
    print(failed)  # shown by pytest -rP
    assert failed_summaries(runs["check"]) == [
        failed.replace(str(tmp_path / "ecs-infrastructure-role-report"), str(tmp_path / "check"))
    ], "check mode fails alike"

    # Both files, in the default directory, relative to where ansible-playbook ran.
    report_dir = tmp_path / "ecs-infrastructure-role-report"
    report = json.loads((report_dir / "report.json").read_text())
    html = (report_dir / "report.html").read_text()

    # The check job's report is the normal run's.
    check = json.loads((tmp_path / "check" / "report.json").read_text())
    assert (tmp_path / "check" / "report.html").exists()
    assert comparable(check) == comparable(report), "check mode writes the same report"

    members = ["prod-ok", "prod-bad-trust", "dev-admin", "sandbox-none", ODD_NAME]
    rows = {row["account_name"]: row for row in report["accounts"]}
    assert sorted(rows) == sorted(members + ["unreachable-account"])
    for name in members:
        row = rows[name]
        assert row["account_id"] == fleet.account_id(name)
        assert row["organizational_unit_path"] == fleet.accounts[name]["path"]
        assert row["error"] is None
    assert fleet.account_id("closed-a") not in [row["account_id"] for row in report["accounts"]]

    assert rows["prod-ok"]["role_exists"] is True
    assert rows["prod-ok"]["role_arn"] == "arn:aws:iam::{0}:role/{1}".format(fleet.account_id("prod-ok"), ROLE)
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

    # sandbox-none has no role: the controller's account would not say so for every member
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
    assert summary["with_findings"] == len([r for r in report["accounts"] if r["findings"]]) == 2
    for severity in ("high", "medium", "low", "info"):
        assert summary["findings"][severity] == len([f for f in all_findings if f["severity"] == severity])
    assert report["regions"] == ["us-east-1", "eu-west-1"]
    assert schema_errors(report) == []  # docs/report.schema.json describes what the audit writes

    # The HTML: every account, findings highlighted, escaped, self-contained, sortable (by keyboard too).
    for row in report["accounts"]:
        assert row["account_id"] in html
    assert "regions: us-east-1, eu-west-1." in html
    assert html.count('<button type="button">') == 9 and 'aria-sort="ascending"' in html
    assert '<div class="card c-low' in html and 'data-card="with_unreadable_regions"' in html
    assert "{'" not in html  # no Python repr of a dict or a list
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
    for mode, run in runs.items():
        stats = (run.document or {}).get("global_custom_stats", {}).get("ecs_infrastructure_role_audit")
        assert stats and stats["accounts"] == 6 and stats["read"] == 5 and stats["errors"] == 1, (mode, stats)


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
                "ecs_infrastructure_role_audit_fail_on_unreadable": "false",  # as an AWX survey sends it
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


def test_fail_thresholds(fleet, runner, server, tmp_path):
    """Exit code and reason of a threshold met: dev-admin's worst finding is medium, and the threshold
    is compared without case. (The gate's decisions for every threshold, also for unreadable accounts
    alone, are units: tests/unit/plugins/plugin_utils/test_audit_gate.py.) No usage_regions: the scan
    covers every enabled region, said as an empty list (not a sentence) in report.json."""
    dev_admin = fleet.account_id("dev-admin")
    report_dir = tmp_path / "report-medium"
    proc = run_audit(
        runner,
        tmp_path,
        {
            "ecs_infrastructure_role_target_hosts": dev_admin,
            "ecs_infrastructure_role_audit_fail_on_severity": "MEDIUM",
            "ecs_infrastructure_role_report_dir": str(report_dir),
        },
        forks=1,
    )
    assert proc.returncode == 2, proc.output
    report = json.loads((report_dir / "report.json").read_text())  # written before failing
    assert [row["host"] for row in report["accounts"]] == [dev_admin]
    assert report["accounts"][0]["highest_severity"] == "medium"
    failed = FAILED_SUMMARY.search(proc.output)
    assert failed and failed.group(1).startswith("ECS infrastructure role audit: 1 accounts,"), proc.output
    assert failed.group(1).endswith(
        "; failed: 1 finding(s) of severity medium or worse (ecs_infrastructure_role_audit_fail_on_severity)"
    ), failed.group(1)
    # Every enabled region: moto enables more than the two regions the other audits name.
    assert report["regions"] == [] and schema_errors(report) == []
    assert len(report["accounts"][0]["regions_scanned"]) > 2, report["accounts"][0]
    assert "regions: every enabled region." in (report_dir / "report.html").read_text()

    # A threshold that is not a severity: refused before any AWS call, no report.
    with server.recording() as rec:
        proc = run_audit(runner, tmp_path, {"ecs_infrastructure_role_audit_fail_on_severity": "critical"})
    assert proc.returncode == 2, proc.output
    assert (
        "ecs_infrastructure_role_audit_fail_on_severity must be one of high, medium, low, info, none; got 'critical'"
        in proc.output
    )
    assert {c.service for c in rec.calls} <= {"organizations"}, rec.calls  # the inventory only
    assert not (tmp_path / "ecs-infrastructure-role-report").exists()


def test_no_account_hosts_is_a_failure(fleet, runner, server, tmp_path):
    """An empty inventory, and a misspelt option of the plugin (it refuses the source, Ansible warns and
    goes on with no host; on an organization with accounts, so the typo cannot widen to all of them)."""
    (tmp_path / "empty.yml").write_text("all:\n  hosts: {}\n")
    (tmp_path / "typo.aws_accounts.yml").write_text(
        "plugin: ecs_tools.iam.aws_accounts\norganisational_unit_ids: [ou-x]\n"
    )
    with server.recording() as rec:
        proc = run_audit(runner, tmp_path, {}, inventory=[tmp_path / "empty.yml", tmp_path / "typo.aws_accounts.yml"])
    assert proc.returncode == 2, proc.output
    assert "unknown option 'organisational_unit_ids'" in proc.output, proc.output
    assert (
        "ECS infrastructure role audit: 0 accounts, 0 read, 0 not readable; no inventory host matches 'all': "
        "the inventory is empty or its source could not be read (see the warnings above); no report written"
    ) in proc.output
    assert rec.writes == []
    assert not (tmp_path / "ecs-infrastructure-role-report").exists()


def without_boto3_python(directory):
    """A ``python3`` (and ``python``) that runs this interpreter without site-packages: no boto3."""
    directory.mkdir()
    base = os.path.realpath(sys.executable)
    for name in ("python3", "python"):
        path = directory / name
        path.write_text(f'#!/bin/sh\nexec "{base}" -S "$@"\n')
        path.chmod(0o755)
    return directory / "python3"


def test_audit_runs_from_an_inventory_without_an_interpreter(fleet, runner, server, tmp_path):
    """No ANSIBLE_PYTHON_INTERPRETER anywhere, no ansible.cfg, and the first python3 on PATH (like the
    distribution's, which Ansible's discovery picks) has no boto3: every account is still read, with
    the Python running ansible-playbook. A host whose inventory names an interpreter keeps it; its row
    carries why the module failed."""
    no_boto3 = without_boto3_python(tmp_path / "bin")
    env = runner.env(extra={"PATH": "{0}{1}{2}".format(no_boto3.parent, os.pathsep, os.environ["PATH"])})
    del env["ANSIBLE_PYTHON_INTERPRETER"]
    # AnsiballZ's coverage extension (make test's measurement) needs coverage in every interpreter a module
    # runs with; the pinned one below has neither boto3 nor coverage, and must fail on boto3.
    env.pop("_ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG", None)
    assert not [key for key in env if "INTERPRETER" in key or key == "ANSIBLE_CONFIG"]
    playbook.write_config(tmp_path)
    first = shutil.which("python3", path=env["PATH"])
    assert subprocess.run([first, "-c", "import boto3"], env=env, capture_output=True, check=False).returncode != 0
    assert first == str(no_boto3)

    prod_ok = fleet.account_id("prod-ok")
    (tmp_path / "static.yml").write_text(
        "all:\n  hosts:\n    pinned-interpreter:\n"
        f"      ecs_infrastructure_role_assume_role_arn: 'arn:aws:iam::{prod_ok}:role/OrganizationAccountAccessRole'\n"
        f"      ansible_python_interpreter: '{no_boto3}'\n"
        "    missing-interpreter:\n"
        f"      ecs_infrastructure_role_assume_role_arn: 'arn:aws:iam::{prod_ok}:role/OrganizationAccountAccessRole'\n"
        "      ansible_python_interpreter: /nonexistent/python3\n"
    )
    proc = run_audit(runner, tmp_path, NEVER_FAIL, env=env)
    assert proc.returncode == 0, proc.output
    report = json.loads((tmp_path / "ecs-infrastructure-role-report" / "report.json").read_text())
    rows = {row["host"]: row for row in report["accounts"]}
    members = ["prod-ok", "prod-bad-trust", "dev-admin", "sandbox-none", ODD_NAME]
    for name in members:
        row = rows[fleet.account_id(name)]
        assert row["error"] is None, row
    assert rows[prod_ok]["role_exists"] is True
    assert report["summary"]["read"] == 5 and report["summary"]["errors"] == 2

    pinned = rows["pinned-interpreter"]["error"]
    assert pinned.startswith("Assume the account's role: Failed to import the required Python library"), pinned
    assert "botocore and boto3" in pinned and os.path.realpath(sys.executable) in pinned, pinned
    # A module that cannot even start: the row keeps the end of its stderr (ansible-core before 2.19
    # says only "MODULE FAILURE ... See stdout/stderr for the exact error").
    missing = rows["missing-interpreter"]["error"]
    assert missing.startswith("Assume the account's role: "), missing
    assert " | " in missing and missing.endswith("/nonexistent/python3: not found"), missing
    print(missing)
    assert "traceback unavailable" not in pinned, pinned
    print(pinned)  # shown by pytest -rP


PASS_ANYTHING = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
)


def pass_anything(server, account_id, user):
    """A user (made by hand in a member account) who may pass any role to any service: high."""
    iam = account_client(server.env(), account_id)
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="pass-anything", PolicyDocument=PASS_ANYTHING)
    return f"arn:aws:iam::{account_id}:user/{user}"


@pytest.fixture
def own_server(moto):
    """This test writes: the session's moto server (conftest's ``moto``), reset, not the module's."""
    moto.reset()
    return moto


def test_accepted_principals_and_what_is_new_since_a_baseline(own_server, tmp_path):
    """prod-ok gets a CI user who may pass any role (high). First run: it fails the audit and is new.
    Accepted, against the first report as baseline: the audit passes and it is known. Then a second
    such user by hand, baseline from S3: exactly that finding is new, and it fails the audit.
    It writes, so it has a server and an organization of its own: prod-ok alone."""
    server, runner, aws = own_server, TaskRunner(own_server, tmp_path), own_server.client
    org = build(server.env(), {"": ["prod-ok"]})
    create_role(server.env(), org.account_id("prod-ok"), ["ecs.amazonaws.com"], [VOLUMES], role_name=ROLE)
    write_inventory(tmp_path)
    prod_ok = org.account_id("prod-ok")
    ci = pass_anything(server, prod_ok, "ci")
    base = {"ecs_infrastructure_role_target_hosts": prod_ok, "ecs_infrastructure_role_usage_regions": "us-east-1"}

    first_dir = tmp_path / "first"
    proc = run_audit(runner, tmp_path, dict(base, ecs_infrastructure_role_report_dir=str(first_dir)), forks=1)
    assert proc.returncode == 2, proc.output
    failed = FAILED_SUMMARY.search(proc.output)
    assert failed and failed.group(1).endswith(
        "failed: 1 finding(s) of severity high or worse (ecs_infrastructure_role_audit_fail_on_severity)"
    ), proc.output
    assert "info 0; 1 new, 0 accepted);" in failed.group(1), failed.group(1)
    first = json.loads((first_dir / "report.json").read_text())
    assert first["baseline"] is None and first["summary"]["new"] == 1 and first["summary"]["accepted"] == 0
    [finding] = first["accounts"][0]["findings"]
    assert finding["code"] == "pass_role_any_service" and finding["principals"] == [ci]
    assert (finding["accepted"], finding["accepted_reason"], finding["status"]) == (False, None, "new")
    assert first["accounts"][0]["highest_severity"] == "high"

    accepted = [{"arn": "arn:aws:iam::*:user/ci", "reason": "CI pipeline deploys ECS services"}]
    second_dir = tmp_path / "second"
    proc = run_audit(
        runner,
        tmp_path,
        dict(
            base,
            ecs_infrastructure_role_report_dir=str(second_dir),
            ecs_infrastructure_role_accepted_principals=accepted,
            ecs_infrastructure_role_report_baseline=str(first_dir / "report.json"),
        ),
        forks=1,
    )
    assert proc.returncode == 0, proc.output  # the high finding is accepted: shown, not gated
    second = json.loads((second_dir / "report.json").read_text())
    assert second["baseline"] == {"source": str(first_dir / "report.json"), "generated_at": first["generated_at"]}
    [finding] = second["accounts"][0]["findings"]
    assert (finding["accepted"], finding["accepted_reason"], finding["status"]) == (
        True,
        "CI pipeline deploys ECS services",
        "known",
    )
    assert second["accounts"][0]["highest_severity"] == "none"
    summary = second["summary"]
    assert (summary["new"], summary["accepted"], summary["findings"]["high"]) == (0, 1, 1)
    assert "0 new since {0}, 1 accepted);".format(first_dir / "report.json") in proc.output

    # A new grant by hand; the baseline is the first report, in an S3 bucket (read with the controller's credentials).
    ops = pass_anything(server, prod_ok, "ops")
    s3 = aws("s3")
    s3.create_bucket(Bucket="audit-reports")
    s3.put_object(Bucket="audit-reports", Key="fleet/first/report.json", Body=(first_dir / "report.json").read_bytes())
    third_dir = tmp_path / "third"
    proc = run_audit(
        runner,
        tmp_path,
        dict(
            base,
            ecs_infrastructure_role_report_dir=str(third_dir),
            ecs_infrastructure_role_accepted_principals=accepted,
            ecs_infrastructure_role_report_baseline="s3://audit-reports/fleet/first/report.json",
        ),
        forks=1,
    )
    assert proc.returncode == 2, proc.output
    failed = FAILED_SUMMARY.search(proc.output)
    assert failed and failed.group(1).endswith(
        "failed: 1 finding(s) of severity high or worse (ecs_infrastructure_role_audit_fail_on_severity)"
    ), proc.output
    third = json.loads((third_dir / "report.json").read_text())
    assert third["baseline"]["source"] == "s3://audit-reports/fleet/first/report.json"
    marks = sorted((f["principals"], f["status"], f["accepted"]) for f in third["accounts"][0]["findings"])
    assert marks == [([ci], "known", True), ([ops], "new", False)]
    assert third["summary"]["new"] == 1 and third["accounts"][0]["highest_severity"] == "high"


# One case per refusal path through the playbook: the accepted principals' filter, the baseline's filter
# on a local file, the S3 read of the baseline (its block's rescue). Every other bad value of these two
# variables is a unit: tests/unit/plugins/plugin_utils/test_audit_report.py.
@pytest.mark.parametrize(
    "variable, value, message",
    [
        (
            "ecs_infrastructure_role_accepted_principals",
            [{"arn": "arn:aws:iam::*:role/Admin", "reason": " "}],
            "ecs_infrastructure_role_accepted_principals[0]: reason is missing or blank; "
            "each entry needs an arn and a reason",
        ),
        (
            "ecs_infrastructure_role_report_baseline",
            "missing/report.json",
            "ecs_infrastructure_role_report_baseline: cannot read missing/report.json: ",
        ),
        (
            "ecs_infrastructure_role_report_baseline",
            "s3://audit-reports/none/report.json",
            "ecs_infrastructure_role_report_baseline: cannot read s3://audit-reports/none/report.json: ",
        ),
    ],
)
def test_bad_accepted_principals_or_baseline_read_no_account(fleet, runner, server, tmp_path, variable, value, message):
    with server.recording() as rec:
        proc = run_audit(runner, tmp_path, {variable: value})
    assert proc.returncode == 2, proc.output
    assert message in proc.output, proc.output
    assert rec.writes == []
    assert {c.service for c in rec.calls} <= {"organizations", "s3"}, rec.calls  # the inventory (and the baseline)
    assert not (tmp_path / "ecs-infrastructure-role-report").exists()
