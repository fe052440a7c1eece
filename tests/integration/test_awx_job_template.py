# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWX job template, emulated with ansible-runner (the engine AWX runs jobs with).

A private data directory as AWX lays it out: a project whose playbook imports ecs_tools.iam.manage,
an inventory of two AWS accounts reached through STS AssumeRole (moto serves any account id),
env/envvars (what an AWS credential exports) and env/extravars with survey-style answers (a
textarea answer is one string; a text field left empty is an empty string). The job events carry
what an AWX workflow passes to the next job: the set_stats data of the playbook_on_stats event.
"""

import json
import os
import sys
import textwrap

import ansible_runner
import boto3
import pytest
import yaml
from playbook import ansible_settings

ACCOUNTS = {"account_a": "111111111111", "account_b": "222222222222"}
ASSUME = "arn:aws:iam::{0}:role/OrganizationAccountAccessRole"
ARN = "arn:aws:iam::{0}:role/ecsInfrastructureRole"
PIPELINES = ["pipeline-a", "pipeline-b"]

# The answers the collection's manage survey (extensions/awx/surveys/manage.json, which the AWX guide
# points to) sends for every question: multiselect -> list, textarea -> one string, integer -> int,
# multiplechoice -> string, a text field left empty -> "" (blank means "not set": the boundary and the
# description are left alone, the PassRole users keep their holders).
SURVEY = {
    "ecs_infrastructure_role_name": "ecsInfrastructureRole",
    "ecs_infrastructure_role_state": "present",
    "ecs_infrastructure_role_capabilities": ["volumes", "service_connect_tls"],
    "ecs_infrastructure_role_managed_policies": "",
    "ecs_infrastructure_role_pass_role_users": "",
    "ecs_infrastructure_role_pass_role_groups": "",
    "ecs_infrastructure_role_pass_role_roles": "pipeline-a\npipeline-b\n",
    "ecs_infrastructure_role_pass_role_mode": "managed_policy",
    "ecs_infrastructure_role_permissions_boundary": "",
    "ecs_infrastructure_role_remove_permissions_boundary": "false",
    "ecs_infrastructure_role_description": "",
    "ecs_infrastructure_role_max_session_duration": 7200,
    "ecs_infrastructure_role_usage_regions": "us-east-1",
    "ecs_infrastructure_role_force": "false",
    "ecs_infrastructure_role_fail_on_severity": "high",
}
MANAGE_SURVEY = os.path.join(os.path.dirname(__file__), "..", "..", "extensions", "awx", "surveys", "manage.json")
# Stands in for the guide's ECS service stack: what matters here is the parameter it receives.
WEB_SERVICE = """
Parameters:
  InfrastructureRoleArn:
    Type: String
Resources:
  Placeholder:
    Type: AWS::SNS::Topic
Outputs:
  InfrastructureRoleArn:
    Value: !Ref InfrastructureRoleArn
"""
GUIDE = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "docsite", "rst", "guide_awx.rst")


def guide_code_blocks():
    """The YAML code blocks of the AWX guide, parsed."""
    with open(GUIDE) as f:
        text = f.read()
    blocks = []
    for part in text.split(".. code-block:: yaml")[1:]:
        lines = part.split("\n")[1:]
        first = next(line for line in lines if line.strip())
        indent = first[: len(first) - len(first.lstrip())]
        body = []
        for line in lines:
            if line.strip() and not line.startswith(indent):
                break
            body.append(line)
        blocks.append(yaml.safe_load(textwrap.dedent("\n".join(body))))
    return blocks


def test_the_shipped_survey_asks_for_what_this_test_answers():
    with open(MANAGE_SURVEY) as f:
        survey = json.load(f)
    assert [q["variable"] for q in survey["spec"]] == list(SURVEY)
    types = {q["variable"]: q["type"] for q in survey["spec"]}
    sent = {"multiselect": list, "textarea": str, "text": str, "integer": int, "multiplechoice": str}
    assert all(isinstance(SURVEY[name], sent[kind]) for name, kind in types.items())
    for question in survey["spec"]:
        if question["type"] in ("multiplechoice", "multiselect"):
            answer = SURVEY[question["variable"]]
            assert set(answer if isinstance(answer, list) else [answer]) <= set(question["choices"])


def account_client(server, service, account_id):
    env = server.env()
    creds = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    ).assume_role(RoleArn=ASSUME.format(account_id), RoleSessionName="test")["Credentials"]
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


class JobTemplate:
    """One private data directory; each launch() is one job with its own artifacts."""

    def __init__(self, server, root):
        self.server = server
        self.root = root
        (root / "project").mkdir(parents=True)
        (root / "inventory").mkdir()
        (root / "env").mkdir()
        (root / "project" / "site.yml").write_text(
            yaml.safe_dump(
                [{"name": "ECS infrastructure role", "ansible.builtin.import_playbook": "ecs_tools.iam.manage"}]
            )
        )
        hosts = {
            host: {"ecs_infrastructure_role_assume_role_arn": ASSUME.format(account)}
            for host, account in ACCOUNTS.items()
        }
        inventory = {
            "all": {
                "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
                "hosts": hosts,
            }
        }
        (root / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory))
        envvars = ansible_settings(server)
        envvars.update(
            # ansible-runner starts the ansible-playbook it finds on PATH: this interpreter's.
            PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
        )
        (root / "env" / "envvars").write_text(yaml.safe_dump(envvars))
        self.jobs = 0

    def launch(self, extravars, cmdline=None, limit=None, playbook="site.yml"):
        self.jobs += 1
        (self.root / "env" / "extravars").write_text(yaml.safe_dump(extravars))
        kwargs = {}
        if cmdline:
            kwargs["cmdline"] = cmdline
        if limit:
            kwargs["limit"] = limit
        run = ansible_runner.run(
            private_data_dir=str(self.root),
            playbook=playbook,
            ident=f"job-{self.jobs}",
            quiet=True,
            **kwargs,
        )
        return Job(run)


class Job:
    def __init__(self, run):
        self.run = run
        self.events = list(run.events)
        stats = [e for e in self.events if e.get("event") == "playbook_on_stats"]
        assert len(stats) == 1, self.output()
        self.stats_event = stats[0]["event_data"]
        self.artifacts = self.stats_event.get("artifact_data", {})

    def output(self):
        return "\n".join(e.get("stdout", "") for e in self.events if e.get("stdout"))

    def assert_successful(self):
        assert (self.run.status, self.run.rc) == ("successful", 0), self.output()
        assert not self.stats_event.get("failures") and not self.stats_event.get("dark"), self.output()

    def changed_tasks(self):
        return [
            (e["event_data"]["host"], e["event_data"]["task"])
            for e in self.events
            if e.get("event") == "runner_on_ok" and e["event_data"]["res"].get("changed")
        ]


@pytest.fixture
def job_template(server, tmp_path):
    for account in ACCOUNTS.values():
        iam = account_client(server, "iam", account)
        for name in PIPELINES:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    return JobTemplate(server, tmp_path / "awx")


def grants(server, account):
    iam = account_client(server, "iam", account)
    arn = f"arn:aws:iam::{account}:policy/ecsInfrastructureRolePassRole"
    return sorted(r["RoleName"] for r in iam.list_entities_for_policy(PolicyArn=arn)["PolicyRoles"])


def test_two_account_job_template(job_template, server):
    # 1. The job converges both accounts from survey answers (textarea, blank text field).
    first = job_template.launch(SURVEY)
    first.assert_successful()
    expected_arns = {host: ARN.format(account) for host, account in ACCOUNTS.items()}
    assert first.artifacts == {
        "ecs_infrastructure_role_arns": expected_arns,
        "ecs_infrastructure_role_arns_by_account": {a: ARN.format(a) for a in ACCOUNTS.values()},
    }, "two accounts: maps only, never one concatenated ARN"
    print(f"two-account job stats (playbook_on_stats artifact_data): {first.artifacts}")
    for account in ACCOUNTS.values():
        iam = account_client(server, "iam", account)
        attached = iam.list_attached_role_policies(RoleName="ecsInfrastructureRole")["AttachedPolicies"]
        assert sorted(p["PolicyName"] for p in attached) == [
            "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
            "AmazonECSInfrastructureRolePolicyForVolumes",
        ]
        assert grants(server, account) == PIPELINES
        assert iam.get_role(RoleName="ecsInfrastructureRole")["Role"]["MaxSessionDuration"] == 7200
    assert {host for host, dummy in first.changed_tasks()} == set(ACCOUNTS)

    # The workflow's next job template (the guide's deploy.yml) gets the stats as extra variables.
    deploy = [b for b in guide_code_blocks() if isinstance(b, list) and "stack" in b[0]["name"]][0]
    (job_template.root / "project" / "deploy.yml").write_text(yaml.safe_dump(deploy))
    (job_template.root / "project" / "web-service.yml").write_text(WEB_SERVICE)
    downstream = job_template.launch(first.artifacts, playbook="deploy.yml")
    downstream.assert_successful()
    for account in ACCOUNTS.values():
        stack = account_client(server, "cloudformation", account).describe_stacks(StackName="web-service")
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Stacks"][0]["Parameters"]}
        assert parameters == {"InfrastructureRoleArn": ARN.format(account)}

    # 2. The same job again changes nothing and writes nothing.
    with server.recording() as rec:
        second = job_template.launch(SURVEY)
    second.assert_successful()
    assert second.changed_tasks() == []
    assert not any(second.stats_event.get("changed", {}).values())
    assert rec.writes == []
    assert second.artifacts == first.artifacts

    # 3. A check job (--check) asking for a change reports it and writes nothing.
    with server.recording() as rec:
        check = job_template.launch(
            dict(SURVEY, ecs_infrastructure_role_pass_role_roles="pipeline-a"), cmdline="--check"
        )
    check.assert_successful()
    assert {host for host, dummy in check.changed_tasks()} == set(ACCOUNTS)
    assert rec.writes == []
    assert len(rec) > 0
    for account in ACCOUNTS.values():
        assert grants(server, account) == PIPELINES

    # 4. A job limited to one account, its survey's roles field left blank: a blank field never revokes
    # grants, and a one-account job publishes the single ARN too.
    blank = job_template.launch(dict(SURVEY, ecs_infrastructure_role_pass_role_roles="  \n"), limit="account_b")
    blank.assert_successful()
    assert blank.changed_tasks() == []
    for account in ACCOUNTS.values():
        assert grants(server, account) == PIPELINES
    arn = ARN.format(ACCOUNTS["account_b"])
    assert blank.artifacts == {
        "ecs_infrastructure_role_arn": arn,
        "ecs_infrastructure_role_arns": {"account_b": arn},
        "ecs_infrastructure_role_arns_by_account": {ACCOUNTS["account_b"]: arn},
    }, "one account: the single ARN beside the maps"


def test_audit_job_fails_after_publishing_so_a_failure_notification_fires(job_template, server, tmp_path):
    """An AWX audit job on two accounts and one it cannot assume into: the job's status is "failed"
    (what an AWX failure notification fires on), yet the report is written and the counts published."""
    project = job_template.root / "project"
    (project / "audit.yml").write_text(
        yaml.safe_dump([{"name": "Audit", "ansible.builtin.import_playbook": "ecs_tools.iam.audit"}])
    )
    hosts_file = job_template.root / "inventory" / "hosts.yml"
    inventory = yaml.safe_load(hosts_file.read_text())
    inventory["all"]["hosts"]["unreachable"] = {"ecs_infrastructure_role_assume_role_arn": "arn:aws:iam::1:role"}
    hosts_file.write_text(yaml.safe_dump(inventory))
    report_dir = tmp_path / "report"
    extravars = {
        "ecs_infrastructure_role_report_dir": str(report_dir),
        "ecs_infrastructure_role_usage_regions": "us-east-1",
    }

    job = job_template.launch(extravars, playbook="audit.yml")
    assert (job.run.status, job.run.rc) == ("failed", 2), job.output()
    assert "failed: 1 account(s) not readable (ecs_infrastructure_role_audit_fail_on_unreadable)" in job.output()
    assert job.artifacts["ecs_infrastructure_role_audit"]["errors"] == 1
    assert job.artifacts["ecs_infrastructure_role_audit"]["read"] == 2
    report = json.loads((report_dir / "report.json").read_text())
    assert sorted(row["host"] for row in report["accounts"]) == sorted(list(ACCOUNTS) + ["unreachable"])
