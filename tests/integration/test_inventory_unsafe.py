# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS data is data (issue 18, item 1): whoever can rename a member account or an OU must not run
code on the controller. An organization on the test's moto_server whose account names, e-mail and OU
names are Jinja templates that create a file (both the ``{{ }}`` and the ``{% %}`` form);
``ansible-inventory --list`` with ``compose``, ``groups`` and ``keyed_groups`` (as the plugin's
EXAMPLES), and the ``ecs_tools.iam.audit`` playbook over that inventory: no file appears and the
names show literally, in the inventory, in report.json and (HTML-escaped) in report.html.

Runs on every ansible-core the collection claims: tests/matrix.sh runs it on the 2.17 leg, where
inventory data is templated unless the plugin marks it unsafe (2.19 distrusts it by itself).

Each run also has a canary: the same kind of lookup written where Ansible *does* template (a
``groups`` condition of the inventory configuration, an extra variable of the playbook) must create
its file in the same directory, so a lookup that could not run at all would not pass for safety."""

import json
import os
import re
import subprocess
import sys

import ansible.release
import pytest
import yaml
from markupsafe import escape

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import playbook  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import account_client  # noqa: E402
from organization import build  # noqa: E402
from organization import client  # noqa: E402
from organization import create_role  # noqa: E402

# The inventory plugin runs in the controller: measure it there too (tests/integration/conftest.py).
# These two files reach every line of it the units do not; the audit tests run it the same way.
pytestmark = pytest.mark.controller_coverage

# Real AWS limits: account names 50 characters, e-mail addresses 64 without white space, OU names 128.
# The shell of the pipe lookup expands $MARKERS, the test's own directory (set in the environment of
# every run: the lookup's working directory is the playbook's, inside the collection).
OU_OUTER = "{{ lookup('pipe', 'touch $MARKERS/ou-expr') }}"
OU_INNER = "{% if lookup('pipe', 'touch $MARKERS/ou-stmt') %}{% endif %}"
ACCOUNT_EXPR = "{{ lookup('pipe', 'touch $MARKERS/acct') }}"
ACCOUNT_STMT = "{% set x = lookup('pipe', 'touch $MARKERS/as') %}"
EMAIL = "{{lookup('pipe','touch${IFS}$MARKERS/mail')}}@example.com"
# IAM paths allow braces (not spaces): a principal in the "plain" account that can pass the role,
# so a module result from AWS (its ARN, in pass_role_principals and a finding) carries a template too.
IAM_PATH = "/{{lookup('pipe','touch${IFS}$MARKERS/iam-path')}}/"
ACCOUNTS = {  # name -> (e-mail, OU names below the root)
    ACCOUNT_EXPR: (EMAIL, [OU_OUTER, OU_INNER]),
    ACCOUNT_STMT: ("stmt@example.com", [OU_OUTER]),
    "plain": ("plain@example.com", []),
}
CONFIG = {
    "plugin": "ecs_tools.iam.aws_accounts",
    "hostname": "name",
    "compose": {
        "ansible_connection": "'local'",
        "display_name": "aws_account_name ~ ' <' ~ aws_account_email ~ '> in ' ~ aws_organizational_unit_path",
    },
    "groups": {"templated_names": "'{' in aws_account_name"},
    "keyed_groups": [
        {"key": "aws_organizational_unit_path", "prefix": "path"},
        {"key": "aws_account_name", "prefix": "account"},
    ],
}
CANARY_GROUP = {"canary": "lookup('pipe', 'touch $MARKERS/canary-inventory') == ''"}
OLD_CORE = tuple(int(part) for part in ansible.release.__version__.split(".")[:2]) < (2, 19)


def assert_templates(*texts):
    """The names really are templates Ansible would run (so the test cannot pass by accident)."""
    for text in texts:
        assert ("{{" in text and "}}" in text) or ("{%" in text and "%}" in text), text


assert_templates(OU_OUTER, OU_INNER, ACCOUNT_EXPR, ACCOUNT_STMT, EMAIL, IAM_PATH)
assert len(ACCOUNT_EXPR) <= 50 and len(ACCOUNT_STMT) <= 50 and len(EMAIL) <= 64 and " " not in EMAIL


@pytest.fixture(scope="module")
def server():
    """A moto server of this module's own (it overrides conftest's ``server``, so ``runner`` uses it):
    the organization, and the role and the user in its "plain" account, are made once; both tests only read."""
    own = MotoServer().start()
    yield own
    own.stop()


@pytest.fixture(scope="module")
def evil_org(server):
    """An organization whose names are templates; returns account name -> (id, OU path). The "plain"
    account holds an infrastructure role and a user, under an IAM path that is a template, who may
    pass any role."""
    org = build(server.env(), {})
    org_client = client(server.env())
    outer = org_client.create_organizational_unit(ParentId=org.root_id, Name=OU_OUTER)["OrganizationalUnit"]["Id"]
    inner = org_client.create_organizational_unit(ParentId=outer, Name=OU_INNER)["OrganizationalUnit"]["Id"]
    parents = {(): org.root_id, (OU_OUTER,): outer, (OU_OUTER, OU_INNER): inner}
    accounts = {}
    for name, (email, ous) in ACCOUNTS.items():
        account_id = org_client.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
        if ous:
            org_client.move_account(
                AccountId=account_id, SourceParentId=org.root_id, DestinationParentId=parents[tuple(ous)]
            )
        accounts[name] = (account_id, "/".join(["Root"] + ous))
    plain_id = accounts["plain"][0]
    create_role(
        server.env(),
        plain_id,
        ["ecs.amazonaws.com"],
        ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"],
    )
    iam = account_client(server.env(), plain_id)
    iam.create_user(UserName="deployer", Path=IAM_PATH)
    iam.put_user_policy(
        UserName="deployer",
        PolicyName="pass-anything",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
        ),
    )
    return accounts


@pytest.fixture
def workdir(tmp_path):
    """Where ansible-inventory and ansible-playbook run, and where a marker would appear ($MARKERS)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def markers(directory):
    """The files the templates in AWS's data would create (not the canaries, nor the run's own files)."""
    return sorted(set(os.listdir(str(directory))) & {"ou-expr", "ou-stmt", "acct", "as", "mail", "iam-path"})


def group_name(prefix, value):
    """The name Constructable's keyed_groups gives (invalid characters replaced by _)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{value}")


def unwrap(value, wrapped):
    """ansible-inventory prints an unsafe string as {"__ansible_unsafe": "..."}; collects them in ``wrapped``."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            wrapped.append(value["__ansible_unsafe"])
            return value["__ansible_unsafe"]
        return {k: unwrap(v, wrapped) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v, wrapped) for v in value]
    return value


def test_inventory_list_keeps_templates_from_aws_literal(evil_org, runner, workdir):
    config = dict(CONFIG, groups=dict(CONFIG["groups"], **CANARY_GROUP))
    source = workdir / "org.aws_accounts.yml"
    source.write_text(yaml.safe_dump(config))
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(source), "--list"],
        env=runner.env(extra={"MARKERS": str(workdir)}),
        cwd=str(workdir),
        capture_output=True,
        text=True,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Failed to parse" not in proc.stderr, output

    # Nothing from AWS ran; the configuration's own lookup did, in the same directory.
    assert markers(workdir) == [], output
    assert (workdir / "canary-inventory").exists(), output

    wrapped = []
    data = unwrap(json.loads(proc.stdout), wrapped)
    hostvars = data.pop("_meta")["hostvars"]
    assert sorted(hostvars) == sorted(ACCOUNTS)
    for name, (account_id, path) in evil_org.items():
        email = ACCOUNTS[name][0]
        host = hostvars[name]
        assert host["aws_account_id"] == account_id
        assert host["aws_account_name"] == name
        assert host["aws_account_email"] == email
        assert host["aws_organizational_unit_path"] == path
        assert host["ecs_infrastructure_role_assume_role_arn"] == (
            f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
        )
        assert host["ansible_connection"] == "local"
        assert host["display_name"] == f"{name} <{email}> in {path}"
        assert name in data[group_name("path", path)]["hosts"]
        assert data[group_name("account", name)]["hosts"] == [name]
    assert sorted(data["templated_names"]["hosts"]) == sorted([ACCOUNT_EXPR, ACCOUNT_STMT])
    assert sorted(data["canary"]["hosts"]) == sorted(ACCOUNTS)
    assert sorted(data["aws_accounts"]["hosts"]) == sorted(ACCOUNTS)
    # The plugin's own OU groups: sanitised names (letters, digits and _ only).
    outer_group = "ou_" + re.sub(r"[^a-z0-9_]", "_", OU_OUTER.lower())
    assert data[outer_group]["hosts"] == [ACCOUNT_STMT]

    if OLD_CORE:
        # ansible-core before 2.19 templates inventory strings unless they are unsafe: every value from
        # AWS (and every value composed from one) is printed as {"__ansible_unsafe": ...}.
        for name, (account_id, path) in evil_org.items():
            for value in (name, ACCOUNTS[name][0], path, account_id):
                assert value in wrapped, (value, proc.stdout)
        assert f"{ACCOUNT_EXPR} <{EMAIL}> in {evil_org[ACCOUNT_EXPR][1]}" in wrapped


def test_audit_playbook_keeps_templates_from_aws_literal(evil_org, runner, server, workdir):
    plain_id = evil_org["plain"][0]
    user_arn = f"arn:aws:iam::{plain_id}:user{IAM_PATH}deployer"
    (workdir / "org.aws_accounts.yml").write_text(yaml.safe_dump(CONFIG))
    with server.recording() as rec:
        proc = playbook.run(
            "ecs_tools.iam.audit",
            runner.env(extra={"MARKERS": str(workdir)}),
            cwd=workdir,
            inventory=[workdir / "org.aws_accounts.yml"],
            extra_vars={
                "ecs_infrastructure_role_usage_regions": ["us-east-1"],
                "ecs_infrastructure_role_audit_fail_on_severity": "none",  # the plain account has findings
                # The canary: an extra variable is the operator's own template, and runs.
                "ecs_infrastructure_role_session_name": "audit{{ lookup('pipe', 'touch $MARKERS/canary-playbook') }}",
            },
        )
    assert proc.returncode == 0, proc.describe()
    assert markers(workdir) == [], proc.describe()
    assert (workdir / "canary-playbook").exists(), proc.describe()
    assert rec.writes == []
    assert rec.actions("sts").count("AssumeRole") == len(ACCOUNTS)

    report_dir = workdir / "ecs-infrastructure-role-report"
    report = json.loads((report_dir / "report.json").read_text())
    rows = {row["account_name"]: row for row in report["accounts"]}
    assert sorted(rows) == sorted(ACCOUNTS)
    for name, (account_id, path) in evil_org.items():
        row = rows[name]
        assert row["host"] == name
        assert row["account_id"] == account_id
        assert row["organizational_unit_path"] == path
        assert row["error"] is None and row["role_exists"] is (name == "plain"), row
    principals = [p["arn"] for p in rows["plain"]["pass_role_principals"]]
    assert user_arn in principals, rows["plain"]
    assert "pass_role_any_service" in [f["code"] for f in rows["plain"]["findings"]]

    html = (report_dir / "report.html").read_text()
    for name, (dummy, path) in evil_org.items():
        assert str(escape(name)) in html
        assert str(escape(path)) in html
    assert "{{ lookup(&#39;pipe&#39;, &#39;touch $MARKERS/acct&#39;) }}" in html
    # the page shows the principal by name, its ARN as a tooltip
    assert f'<code title="{escape(user_arn)}">deployer</code> (any_service)' in html
