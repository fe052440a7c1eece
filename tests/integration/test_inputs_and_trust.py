# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inputs as YAML and IAM give them, and a hardened trust policy, through ansible-playbook on moto_server.

- Tag values YAML reads as numbers or booleans are written and compared as the same text: a second
  run is converged (no "changed concurrently by another writer"); ``null`` is refused before any write
  (tests/integration/test_bad_input.py, and tests/unit/plugins/modules/test_bad_input.py).
- Grantees are matched to IAM's names regardless of case (moto is case-sensitive, AWS is not): ``Alice``
  listed where IAM holds ``alice`` is converged, never an attach and a detach.
- aws:SourceAccount / aws:SourceArn conditions naming the account are kept; ``trust_source_account``
  writes aws:SourceAccount; a trust Deny with NotPrincipal that shuts ECS out is ``trust_missing_ecs``.
"""

import copy
import json

from checks import assert_four_steps
from checks import authorization_snapshot as account
from expected import TRUST_ECS

ROLE = "ecsInfrastructureRole"
ACCOUNT = "123456789012"  # moto's account
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}PassRole"
INFO = "ecs_tools.iam.ecs_infrastructure_role_info"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"


def role_tags(iam, name=ROLE):
    return {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}


def trust_of(iam, name=ROLE):
    return iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]


def create_role(iam, trust=None, name=ROLE, **extra):
    """A role made with boto3; the module adopts one with its trust policy without change
    (test_ecs_infrastructure_role.py)."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust or TRUST_ECS), **extra)


def four_steps(args):
    """amazon.aws's pattern, as tasks of one run: check mode, apply, check mode, apply (diff on the first two)."""
    return [dict(args, _check=True, _diff=True), dict(args, _diff=True), dict(args, _check=True), dict(args)]


def hardened(condition):
    trust = copy.deepcopy(TRUST_ECS)
    trust["Statement"][0]["Condition"] = condition
    return trust


def info(**args):
    return dict(args, _module=INFO, check_usage=False)


# ------------------------------------------------------------------ tags


def test_tag_values_yaml_reads_as_numbers_or_booleans_converge(runner, aws, server):
    """One run: four steps creating a role with such tags, four steps replacing another role's tags."""
    iam = aws("iam")
    create_role(iam, name="taggedRole", Tags=[{"Key": "team", "Value": "platform"}])
    iam.attach_role_policy(RoleName="taggedRole", PolicyArn=VOLUMES)
    args = {"capabilities": ["volumes"], "tags": {"cost_center": 12345, "prod": True, "ratio": 1.5}}
    with server.recording() as rec:
        results = runner.run(four_steps(args) + four_steps(dict(args, name="taggedRole")))
    text = {"cost_center": "12345", "prod": "True", "ratio": "1.5"}
    for name, steps in ((ROLE, results[:4]), ("taggedRole", results[4:])):
        assert_four_steps(steps)
        assert role_tags(iam, name) == text, name
        assert steps[1]["role"]["tags"] == text and steps[3]["role"]["tags"] == text, name
        assert steps[1]["diff"]["after"]["tags"] == text, name
    # The new role is created with its tags; the existing one's are replaced (CreateRole's, then the update's).
    assert [c.action for c in rec.writes if c.action in ("TagRole", "UntagRole", "CreateRole")] == [
        "CreateRole",
        "UntagRole",
        "TagRole",
    ]


# ------------------------------------------------------------------ grantee names and case


def test_grantees_listed_in_another_case_are_iams_principals(runner, aws, server):
    """Four steps with ``Alice`` and ``platform`` where IAM holds ``alice`` and ``Platform`` (recorded);
    then (recorded, no write): the converged grants listed in a third case, in check mode and for real,
    and a missing grantee, still named as listed while ``Alice`` is not."""
    iam = aws("iam")
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="Platform")
    args = {"capabilities": ["volumes"], "pass_role": {"users": ["Alice"], "groups": ["platform"]}}
    with server.recording() as rec:
        results = runner.run(four_steps(args))
    assert_four_steps(results)
    writes = [c.action for c in rec.writes]
    assert writes.count("AttachUserPolicy") == 1 and writes.count("AttachGroupPolicy") == 1
    assert "DetachUserPolicy" not in writes and "DetachGroupPolicy" not in writes
    entities = iam.list_entities_for_policy(PolicyArn=POLICY_ARN)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["alice"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["Platform"]
    for result in results:
        assert result["pass_role"]["users"] == ["alice"] and result["pass_role"]["groups"] == ["Platform"]

    before = account(iam)
    converged = {"pass_role": {"users": ["ALICE"], "groups": ["PLATFORM"]}}
    with server.recording() as rec:
        check, apply, missing = runner.run(
            [dict(converged, _check=True), converged, {"pass_role": {"users": ["Alice", "Ghost"]}}]
        )
    assert (check["changed"], apply["changed"]) == (False, False), (check, apply)
    assert check["pass_role"]["users"] == apply["pass_role"]["users"] == ["alice"]
    assert missing.get("failed") is True, missing
    assert "pass_role names principals that do not exist, nothing was changed: user 'Ghost'" in missing["msg"]
    assert "'Alice'" not in missing["msg"]
    assert rec.writes == [] and account(iam) == before


# ------------------------------------------------------------------ trust hardening

HARDENED = {
    "sourceAccountRole": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    "sourceArnRole": {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:*"}},
    "bothRole": {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/*"},
    },
}


def test_trust_hardened_for_this_account_is_kept_across_runs(runner, aws, server):
    """Three roles whose trust names this account (aws:SourceAccount, aws:SourceArn, both): four steps
    each change the description and the attachment, never the trust; the info module calls it hardened."""
    iam = aws("iam")
    tasks = []
    for name, condition in HARDENED.items():
        create_role(iam, hardened(condition), name=name)
        tasks += four_steps({"name": name, "capabilities": ["volumes"], "description": "ECS infrastructure"})
        tasks.append(info(name=name))
    with server.recording() as rec:
        results = runner.run(tasks)
    assert "UpdateAssumeRolePolicy" not in [c.action for c in rec.writes]
    for i, (name, condition) in enumerate(HARDENED.items()):
        steps, described = results[5 * i : 5 * i + 4], results[5 * i + 4]
        assert_four_steps(steps)  # the description and the attachment change; the trust does not
        assert trust_of(iam, name) == hardened(condition), name
        assert steps[1]["role"]["assume_role_policy_document"] == hardened(condition), name
        assert described["trust_hardened"] is True, name
        assert described["findings"] == [], name


def test_trust_shutting_ecs_out_is_reported_then_repaired(runner, aws):
    """One run: a trust hardened for another account, and a trust Deny with NotPrincipal that shuts ECS
    out, are each ``trust_missing_ecs``; four steps repair each; the info module then finds nothing."""
    iam = aws("iam")
    create_role(iam, hardened({"StringEquals": {"aws:SourceAccount": "999999999999"}}), name="otherAccountRole")
    denied = copy.deepcopy(TRUST_ECS)
    denied["Statement"].append(
        {
            "Sid": "OnlyOurAdmins",
            "Effect": "Deny",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    create_role(iam, denied, name="denyRole")
    results = runner.run(
        [info(name="otherAccountRole"), info(name="denyRole")]
        + four_steps({"name": "otherAccountRole"})
        + four_steps({"name": "denyRole"})
        + [info(name="otherAccountRole"), info(name="denyRole")]
    )
    other, deny, after = results[0], results[1], results[10:]
    assert other["trust_hardened"] is False
    assert [f["code"] for f in other["findings"]] == ["trust_missing_ecs"]
    print(other["findings"][0]["message"])
    assert "999999999999" in other["findings"][0]["message"]
    assert [f["code"] for f in deny["findings"]] == ["trust_missing_ecs"]
    assert deny["findings"][0]["severity"] == "high" and "'OnlyOurAdmins' denies it" in deny["findings"][0]["message"]
    print(deny["findings"][0]["message"])
    assert_four_steps(results[2:6])
    assert_four_steps(results[6:10])
    assert trust_of(iam, "otherAccountRole") == TRUST_ECS and trust_of(iam, "denyRole") == TRUST_ECS
    for result in after:
        assert result["trust_hardened"] is False and result["findings"] == [], result


def test_trust_source_account_writes_the_condition(runner, aws, server):
    """One run: four steps add aws:SourceAccount to an existing role's trust (the info module then calls
    it hardened), four steps create a new role with it; then, recorded, ``false`` keeps what ``true``
    wrote."""
    iam = aws("iam")
    create_role(iam)
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=VOLUMES)
    results = runner.run(
        four_steps({"trust_source_account": True})
        + [info()]
        + four_steps({"name": "newRole", "capabilities": ["volumes"], "trust_source_account": True})
    )
    wanted = hardened({"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    assert_four_steps(results[:4])
    assert results[0]["diff"]["after"]["trust_policy"] == wanted
    assert results[1]["diff"]["before"]["trust_policy"] == TRUST_ECS
    assert trust_of(iam) == wanted
    assert results[4]["trust_hardened"] is True
    assert_four_steps(results[5:])
    assert trust_of(iam, "newRole") == wanted
    # false keeps what true wrote: no write
    with server.recording() as rec:
        kept = runner.one(trust_source_account=False)
    assert kept["changed"] is False and rec.writes == []
