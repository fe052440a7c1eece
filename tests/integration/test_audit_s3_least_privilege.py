# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/iam-policies/audit-report-s3.json is enough for the audit's upload, scoped to the prefix, and
each S3 action in it is needed: ecs_tools.iam.audit runs through ``ansible-playbook`` as a user holding
only that policy, against a moto_server of its own that enforces IAM (as in test_least_privilege.py:
the first ``ROOT_CALLS`` requests are not checked and create an ``admin`` allowed everything).

The user may not read any account (its row is an error; the thresholds are off): what is proved is
the upload. Not proved here, documented from AWS's rules: ``kms:GenerateDataKey`` (moto does not call
KMS for SSE-KMS puts) and ``s3:GetObject`` for presigned links (an enforcing moto_server answers any
query-string-signed request with a 500, whoever signed it; test_audit_s3.py fetches the links from a
moto_server that does not enforce IAM). Signing the links needs nothing beyond the policy."""

import json
import os
import sys
import urllib.request

import boto3
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import playbook  # noqa: E402
from moto_server import MotoServer  # noqa: E402

ROOT_CALLS = 3
BUCKET = "audit-reports"
PREFIX = "ecs-infrastructure-role-report/"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
NEVER_FAIL = {
    "ecs_infrastructure_role_audit_fail_on_severity": "none",
    "ecs_infrastructure_role_audit_fail_on_unreadable": False,
    "ecs_infrastructure_role_usage_regions": "us-east-1",
    "ecs_infrastructure_role_report_s3_bucket": BUCKET,
}


def documented_policy():
    """The shipped policy, with the placeholders replaced, as a user would."""
    with open(os.path.join(REPO, "docs", "iam-policies", "audit-report-s3.json")) as f:
        text = f.read()
    return json.loads(text.replace("REPORT-BUCKET", BUCKET))


def without(document, action):
    statements = []
    for statement in document["Statement"]:
        actions = [a for a in statement["Action"] if a != action]
        if actions:
            statements.append(dict(statement, Action=actions))
    return dict(document, Statement=statements)


def post(server, path, data=b""):
    headers = {"Content-Type": "text/plain"}  # moto reads the raw body
    request = urllib.request.Request(server.url + path, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def client(server, service, keys):
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
    )


@pytest.fixture(scope="module")
def auth_server():
    server = MotoServer(
        extra_env={"INITIAL_NO_AUTH_ACTION_COUNT": str(ROOT_CALLS), "MOTO_IAM_LOAD_MANAGED_POLICIES": "false"}
    ).start()
    yield server
    server.stop()


class Account:
    def __init__(self, server):
        self.server = server
        self.count = 0
        server.reset()
        post(server, "/moto-api/reset-auth", str(ROOT_CALLS).encode())
        default = server.env()
        root = client(server, "iam", (default["AWS_ACCESS_KEY_ID"], default["AWS_SECRET_ACCESS_KEY"]))
        root.create_user(UserName="admin")
        root.put_user_policy(UserName="admin", PolicyName="everything", PolicyDocument=json.dumps(ALLOW_ALL))
        key = root.create_access_key(UserName="admin")["AccessKey"]
        self.admin_keys = (key["AccessKeyId"], key["SecretAccessKey"])
        with pytest.raises(Exception, match="InvalidClientTokenId"):
            root.get_user(UserName="admin")  # from here on, moto checks every request
        self.admin("s3").create_bucket(Bucket=BUCKET)

    def admin(self, service):
        return client(self.server, service, self.admin_keys)

    def user(self, policy):
        """A new user holding only ``policy``; returns its keys."""
        self.count += 1
        name = f"reporter-{self.count}"
        iam = self.admin("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="report", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

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


@pytest.mark.parametrize("action", ["s3:PutObject", "s3:GetObjectTagging"])
def test_each_upload_action_is_needed(account, auth_server, tmp_path, action):
    keys = account.user(without(documented_policy(), action))
    proc = run_audit(auth_server, tmp_path, keys, {})
    assert proc.returncode == 2, proc.describe()
    message = failure(proc)
    assert f"s3://{BUCKET}/{PREFIX}" in message and "AccessDenied" in message, message
    print(action, "denied:", message)
