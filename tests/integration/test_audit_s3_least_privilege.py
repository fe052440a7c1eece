# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/iam-policies/audit-report-s3.json is enough for the audit's upload, scoped to the prefix, and
each S3 action in it is needed: ecs_tools.iam.audit runs through ``ansible-playbook`` as a user holding
only that policy, against a moto_server of its own that enforces IAM (as in test_least_privilege.py:
the first ``ROOT_CALLS`` requests are not checked and create an ``admin`` allowed everything).

That each S3 action is needed is shown by the audit's own upload task (its arguments read from
playbooks/tasks/report_upload.yml) run in this process as a user lacking that action; how a denied
upload reaches the user (the play fails naming the bucket and key) once, through ``ansible-playbook``
(test_nothing_outside_the_prefix). The shared helpers are tests/support/enforcing.py's.

The user may not read any account (its row is an error; the thresholds are off): what is proved is
the upload. Not proved here, documented from AWS's rules: ``kms:GenerateDataKey`` (moto does not call
KMS for SSE-KMS puts) and ``s3:GetObject`` for presigned links (an enforcing moto_server answers any
query-string-signed request with a 500, whoever signed it; test_audit_s3.py fetches the links from a
moto_server that does not enforce IAM). Signing the links needs nothing beyond the policy."""

import json
import os
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import playbook  # noqa: E402
from enforcing import bootstrap_admin  # noqa: E402
from enforcing import client  # noqa: E402
from enforcing import enforcing_server  # noqa: E402
from enforcing import user_with  # noqa: E402
from enforcing import without  # noqa: E402
from in_process import run_module  # noqa: E402

BUCKET = "audit-reports"
PREFIX = "ecs-infrastructure-role-report/"
NEVER_FAIL = {
    "ecs_infrastructure_role_audit_fail_on_severity": "none",
    "ecs_infrastructure_role_audit_fail_on_unreadable": False,
    "ecs_infrastructure_role_usage_regions": "us-east-1",
    "ecs_infrastructure_role_report_s3_bucket": BUCKET,
}
UPLOAD_TASKS = os.path.join(REPO, "playbooks", "tasks", "report_upload.yml")


def documented_policy():
    """The shipped policy, with the placeholders replaced, as a user would."""
    with open(os.path.join(REPO, "docs", "iam-policies", "audit-report-s3.json")) as f:
        text = f.read()
    return json.loads(text.replace("REPORT-BUCKET", BUCKET))


@pytest.fixture(scope="module")
def auth_server():
    server = enforcing_server(load_managed_policies=False)
    yield server
    server.stop()


class Account:
    def __init__(self, server):
        self.server = server
        self.count = 0
        self.admin_keys = bootstrap_admin(server)  # from here on, moto checks every request
        self.admin("s3").create_bucket(Bucket=BUCKET)

    def admin(self, service):
        return client(self.server, service, self.admin_keys)

    def user(self, policy):
        """A new user holding only ``policy``; returns its keys."""
        self.count += 1
        return user_with(self.admin("iam"), f"reporter-{self.count}", policy)

    def keys(self):
        return sorted(o["Key"] for o in self.admin("s3").list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def account(auth_server):
    return Account(auth_server)


def run_audit(server, tmp_path, keys, extra):
    (tmp_path / "static.yml").write_text("all:\n  hosts:\n    controller-account: {}\n")
    env = playbook.ansible_env(
        server,
        extra={"AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1], "ANSIBLE_SHOW_CUSTOM_STATS": "true"},
    )
    return playbook.run(
        "ecs_tools.iam.audit",
        env,
        cwd=tmp_path,
        inventory=[tmp_path / "static.yml"],
        extra_vars=dict(NEVER_FAIL, **extra),
        results=True,
    )


def stats(proc):
    return (proc.document or {}).get("global_custom_stats", {}).get("ecs_infrastructure_role_audit", {})


def failure(proc):
    found = [
        result["msg"]
        for task in proc.tasks
        for result in task["hosts"].values()
        if result.get("failed") and "could not be uploaded" in str(result.get("msg"))
    ]
    assert len(found) == 1, proc.describe()
    return found[0]


def test_the_documented_policy_is_enough(account, auth_server, tmp_path):
    keys = account.user(documented_policy())
    proc = run_audit(auth_server, tmp_path, keys, {"ecs_infrastructure_role_report_s3_presign_seconds": 300})
    assert proc.returncode == 0, proc.describe()
    report_dir = tmp_path / "ecs-infrastructure-role-report"
    report = json.loads((report_dir / "report.json").read_text())
    assert report["summary"]["errors"] == 1  # the user may read no account: only the upload is proved
    assert len(account.keys()) == 4 and all(key.startswith(PREFIX) for key in account.keys())
    urls = stats(proc)["report_urls"]
    assert "X-Amz-Expires=300" in urls["html_presigned"] or "Expires=" in urls["html_presigned"], urls
    for key in account.keys():
        body = account.admin("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert body == (report_dir / key.rsplit("/", 1)[1]).read_bytes(), key


def test_nothing_outside_the_prefix(account, auth_server, tmp_path):
    keys = account.user(documented_policy())
    proc = run_audit(auth_server, tmp_path, keys, {"ecs_infrastructure_role_report_s3_prefix": "elsewhere"})
    assert proc.returncode == 2, proc.describe()
    message = failure(proc)
    assert f"s3://{BUCKET}/elsewhere/" in message and "AccessDenied" in message, message
    assert account.keys() == []
    print(message)


def put_task_args(key, src):
    """The arguments of the audit's upload task (playbooks/tasks/report_upload.yml, read, not copied),
    its templated values given as the play gives them for one file with SSE-S3."""
    with open(UPLOAD_TASKS) as f:
        tasks = yaml.safe_load(f)

    def find(tasks):
        for task in tasks:
            if task.get("name") == "Put the report files in the bucket":
                return task["amazon.aws.s3_object"]
            found = find(task.get("block", []) + task.get("rescue", []))
            if found:
                return found
        return None

    args = dict(find(tasks))
    templated = {k for k, v in args.items() if "{{" in json.dumps(v)}
    assert templated == {"bucket", "object", "src", "encryption_mode", "encryption_kms_key_id", "metadata"}, templated
    args.update(
        bucket=BUCKET, object=key, src=str(src), encryption_mode="AES256", metadata={"ContentType": "application/json"}
    )
    del args["encryption_kms_key_id"]  # omitted without a KMS key
    return args


@pytest.mark.parametrize("action", ["s3:PutObject", "s3:GetObjectTagging"])
def test_each_upload_action_is_needed(account, auth_server, tmp_path, action):
    """The audit's upload task (amazon.aws.s3_object with the playbook's own arguments), run in this
    process as a user whose policy lacks ``action``, fails with AccessDenied (without s3:PutObject it
    uploads nothing; without s3:GetObjectTagging the put is made, and the tags read after it fail); with
    the documented policy the same task uploads. How such a failure reaches the user (the play fails naming
    the bucket and key) is test_nothing_outside_the_prefix's, through ansible-playbook."""
    src = tmp_path / "report.json"
    src.write_text('{"summary": {}}')
    key = PREFIX + "20261205T000000Z/report.json"
    env = dict(auth_server.env())
    for policy, name in ((without(documented_policy(), action), "denied"), (documented_policy(), "allowed")):
        keys = account.user(policy)
        result = run_module(
            "amazon.aws.s3_object",
            put_task_args(key, src),
            dict(env, AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1]),
        )
        if name == "denied":
            assert result.get("failed") is True, result
            assert "AccessDenied" in json.dumps(result), result
            assert f"when calling the {action.split(':')[1]} operation" in result["msg"], result["msg"]
            if action == "s3:PutObject":
                assert account.keys() == []
            print(action, "denied:", result["msg"], result.get("error"))
        else:
            assert not result.get("failed"), result.get("msg")
            assert result["changed"] is True and account.keys() == [key]
