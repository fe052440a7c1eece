# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""README's ownership table ("Touch only what the collection owns") is what the code does.

Each row of the table names a case (its first cell); ``CASES`` sets that case up on moto.mock_aws
and the service layer runs it with ``state: present`` and with ``state: absent``. The outcome each
run shows (managed, adopted, refused, deleted, left alone) must be the bold word the table gives
for that state, and the rest of the cell's promises that a test can see are checked too (a refusal
"naming the version" names it, ...). A row without a case, or a case without a row, fails: the table
cannot drift from the code.
"""

import json
import os
import re

import boto3
import pytest
from moto import mock_aws

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _service
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import NotOwned
from ansible_collections.ecs_tools.iam.plugins.modules.ecs_infrastructure_role import argument_spec

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
ACCOUNT = "123456789012"
ROLE = "ecsInfrastructureRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
POLICY = ROLE + "PassRole"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{POLICY}"
MARK = "ecs_tools.iam:role-arn"
GRANT = _documents.passrole_document(ROLE_ARN)
S3_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
NO_USE = {"services": [], "tasks": [], "volumes": [], "regions": ["us-east-1"], "unreadable_regions": []}


def ownership_table():
    """``[(case, present, absent)]``: the rows of the table under "Touch only what the collection owns"."""
    with open(README) as f:
        text = f.read()
    section = text[text.index("### Touch only what the collection owns") :]
    lines = section[section.index("| object named like the grant |") :].splitlines()
    assert [c.strip() for c in lines[0].strip("|").split("|")] == [
        "object named like the grant",
        "`state: present`",
        "`state: absent`",
    ]
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append(tuple(c.strip() for c in line.strip().strip("|").split(" | ")))
    return rows


def outcome(cell):
    return re.match(r"\*\*([^*]+)\*\*", cell).group(1)


def params(**kw):
    values = {name: spec.get("default") for name, spec in argument_spec().items()}
    if kw.get("pass_role") is not None:
        kw["pass_role"] = dict(
            dict(users=[], groups=[], roles=[], mode="managed_policy", policy_name=None, purge=True), **kw["pass_role"]
        )
    values.update(kw, wait=False)
    return values


def service(iam):
    return _service.RoleService(iam, False, lambda: (ACCOUNT, "aws"), lambda arn, regions: dict(NO_USE), pauses=())


MANAGED = {"users": ["alice"]}
INLINE = {"users": ["alice"], "mode": "inline"}


def hand_made(iam, document, tags=None, older=None, holders=("alice",)):
    """A managed policy named like the grant, made by someone else: ``older``, a first version that
    the default (``document``) replaced."""
    kwargs = dict(PolicyName=POLICY, PolicyDocument=json.dumps(older or document))
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    iam.create_policy(**kwargs)
    if older:
        iam.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(document), SetAsDefault=True)
    for holder in holders:
        iam.attach_user_policy(UserName=holder, PolicyArn=POLICY_ARN)


def own_grant(iam):
    service(iam).present(params(pass_role=MANAGED))


def orphaned_grant(iam):
    own_grant(iam)
    iam.delete_role(RoleName=ROLE)


def role_then(make):
    def setup(iam):
        service(iam).present(params())
        make(iam)

    return setup


# Each case: (its setup, the pass_role of its runs, whether its object is a managed policy).
CASES = {
    "managed policy tagged `ecs_tools.iam:role-arn` = this role's ARN (the module tags every grant policy "
    "it creates)": (own_grant, MANAGED, True),
    "managed policy tagged `ecs_tools.iam:role-arn` = this role's ARN, the role deleted by hand (an orphaned grant)": (
        orphaned_grant,
        MANAGED,
        True,
    ),
    "managed policy tagged for another role": (
        role_then(lambda iam: hand_made(iam, GRANT, tags={MARK: f"arn:aws:iam::{ACCOUNT}:role/other"})),
        MANAGED,
        True,
    ),
    "managed policy, untagged: every version is exactly this role's grant and `pass_role` lists every principal "
    "holding it": (role_then(lambda iam: hand_made(iam, GRANT)), MANAGED, True),
    "managed policy, untagged: a version, the default or any other, is not exactly this role's grant": (
        role_then(lambda iam: hand_made(iam, GRANT, older=ALLOW_ALL)),
        MANAGED,
        True,
    ),
    "managed policy, untagged: a principal holding it is not listed in `pass_role`": (
        role_then(lambda iam: hand_made(iam, GRANT, holders=("alice", "mallory"))),
        MANAGED,
        True,
    ),
    "inline policy (IAM cannot tag these) whose document is exactly this role's grant": (
        role_then(
            lambda iam: iam.put_user_policy(UserName="alice", PolicyName=POLICY, PolicyDocument=json.dumps(GRANT))
        ),
        INLINE,
        False,
    ),
    "inline policy with any other document": (
        role_then(
            lambda iam: iam.put_user_policy(UserName="alice", PolicyName=POLICY, PolicyDocument=json.dumps(S3_ADMIN))
        ),
        INLINE,
        False,
    ),
}


def test_every_row_of_the_table_is_a_case_and_every_case_a_row():
    assert [row[0] for row in ownership_table()] == list(CASES)


def object_exists(iam, managed):
    try:
        if managed:
            iam.get_policy(PolicyArn=POLICY_ARN)
        else:
            iam.get_user_policy(UserName="alice", PolicyName=POLICY)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


def run(state, case):
    """``(outcome, details)`` of one run of ``case`` with ``state``, as the table words it."""
    setup, pass_role, managed = CASES[case]
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        for user in ("alice", "mallory"):
            iam.create_user(UserName=user)
        setup(iam)
        before = object_exists(iam, managed)
        assert before, "the case sets up no object"
        tags_before = iam.get_policy(PolicyArn=POLICY_ARN)["Policy"].get("Tags") if managed else None
        if state == "absent":
            info = service(iam).describe(
                dict(name=ROLE, pass_role_policy_name=None, check_usage=False, usage_regions=None)
            )
        try:
            plan, result = getattr(service(iam), state)(params(state=state, pass_role=pass_role))
        except NotOwned as e:
            assert object_exists(iam, managed)
            if managed:
                assert iam.get_policy(PolicyArn=POLICY_ARN)["Policy"].get("Tags") == tags_before
            return "refused", str(e)
        warnings = result.get("warnings", [])
        exists = object_exists(iam, managed)
        details = dict(warnings=warnings, diff=plan.after if state == "present" else plan.before)
        if state == "absent":
            details["findings"] = [f["code"] for f in info["findings"]]
        if any(w.startswith("Adopting managed policy ") for w in warnings):
            assert not exists or state == "present"
            return "adopted", details
        if exists and [o.get("arn", o.get("principal")) for o in result.get("foreign_objects", [])]:
            assert any(w.startswith("Left alone while deleting role") for w in warnings)
            return "left alone", details
        if state == "absent":
            assert not exists
            return "deleted", details
        return "managed", details


ROWS = ownership_table()


@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("row", ROWS, ids=[str(i + 1) for i in range(len(ROWS))])
def test_the_table_says_what_the_code_does(row, state):
    case, present, absent = row
    cell = present if state == "present" else absent
    found, details = run(state, case)
    assert found == outcome(cell), (case, state, details)
    if "naming the version" in cell:
        assert "its version v1 is not this role's PassRole grant" in details
    if "naming the holder" in cell:
        assert "user 'mallory', whom pass_role does not list" in details
    if "`pass_role.adopted` in the diff" in cell:
        assert details["diff"]["pass_role"]["adopted"]["arn"] == POLICY_ARN
    if "reports `pass_role_orphaned_grant`" in cell:
        assert details["findings"] == ["pass_role_orphaned_grant"]
