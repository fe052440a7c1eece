# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inputs as YAML and IAM give them, and a hardened trust policy, through ansible-playbook on moto_server.

- Tag values YAML reads as numbers or booleans are written and compared as the same text: a second
  run is converged (no "changed concurrently by another writer"); ``null`` is refused before any write.
- Grantees are matched to IAM's names regardless of case (moto is case-sensitive, AWS is not): ``Alice``
  listed where IAM holds ``alice`` is converged, never an attach and a detach.
- aws:SourceAccount / aws:SourceArn conditions naming the account are kept; ``trust_source_account``
  writes aws:SourceAccount; a trust Deny with NotPrincipal that shuts ECS out is ``trust_missing_ecs``.
"""

import copy
import json

import pytest
from checks import assert_four_steps
from checks import authorization_snapshot as account
from expected import TRUST_ECS

ROLE = "ecsInfrastructureRole"
ACCOUNT = "123456789012"  # moto's account
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}PassRole"
INFO = "ecs_tools.iam.ecs_infrastructure_role_info"


def role_tags(iam):
    return {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"]}


def trust_of(iam):
    return iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]


def hardened(condition):
    trust = copy.deepcopy(TRUST_ECS)
    trust["Statement"][0]["Condition"] = condition
    return trust


def info(**args):
    return dict(args, _module=INFO, check_usage=False)


# ------------------------------------------------------------------ tags


@pytest.mark.parametrize("existing", [False, True], ids=["create", "update"])
def test_tag_values_yaml_reads_as_numbers_or_booleans_converge(runner, aws, server, existing):
    iam = aws("iam")
    if existing:
        runner.one(capabilities=["volumes"], tags={"team": "platform"})
    args = {"capabilities": ["volumes"], "tags": {"cost_center": 12345, "prod": True, "ratio": 1.5}}
    with server.recording() as rec:
        results = runner.four_steps(args)
    assert_four_steps(results)
    text = {"cost_center": "12345", "prod": "True", "ratio": "1.5"}
    assert role_tags(iam) == text
    assert results[1]["role"]["tags"] == text and results[3]["role"]["tags"] == text
    assert results[1]["diff"]["after"]["tags"] == text
    assert [c.action for c in rec.writes if c.action in ("TagRole", "UntagRole", "CreateRole")] == (
        ["UntagRole", "TagRole"] if existing else ["CreateRole"]
    )


@pytest.mark.parametrize("existing", [False, True], ids=["create", "update"])
def test_a_null_tag_value_is_refused_before_any_write(runner, aws, server, existing):
    iam = aws("iam")
    if existing:
        runner.one(capabilities=["volumes"], tags={"team": "platform"})
    before = account(iam)
    args = {"capabilities": ["volumes", "vpc_lattice"], "tags": {"owner": None, "cost_center": 12345}}
    with server.recording() as rec:
        results = runner.run([dict(args, _check=True), args])
    for result in results:
        assert result.get("failed") is True, result
        assert "Invalid value of tag 'owner': null" in result["msg"], result["msg"]
        assert "cost_center" not in result["msg"]
    print(results[1]["msg"])
    assert rec.writes == []
    assert rec.actions() == []  # refused before any call
    assert account(iam) == before


# ------------------------------------------------------------------ grantee names and case


def test_a_grantee_listed_in_another_case_is_iams_principal(runner, aws, server):
    iam = aws("iam")
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="Platform")
    args = {"capabilities": ["volumes"], "pass_role": {"users": ["Alice"], "groups": ["platform"]}}
    with server.recording() as rec:
        results = runner.four_steps(args)
    assert_four_steps(results)
    writes = [c.action for c in rec.writes]
    assert writes.count("AttachUserPolicy") == 1 and writes.count("AttachGroupPolicy") == 1
    assert "DetachUserPolicy" not in writes and "DetachGroupPolicy" not in writes
    entities = iam.list_entities_for_policy(PolicyArn=POLICY_ARN)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["alice"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["Platform"]
    for result in results:
        assert result["pass_role"]["users"] == ["alice"] and result["pass_role"]["groups"] == ["Platform"]


def test_converged_grants_listed_in_another_case_make_no_write(runner, aws, server):
    iam = aws("iam")
    iam.create_user(UserName="alice")
    runner.one(capabilities=["volumes"], pass_role={"users": ["alice"]})
    args = {"pass_role": {"users": ["ALICE"]}}
    with server.recording() as rec:
        check, apply = runner.run([dict(args, _check=True), args])
    assert (check["changed"], apply["changed"]) == (False, False), (check, apply)
    assert rec.writes == []
    assert check["pass_role"]["users"] == apply["pass_role"]["users"] == ["alice"]


def test_a_missing_grantee_is_still_named(runner, aws, server):
    iam = aws("iam")
    iam.create_user(UserName="alice")
    runner.one(capabilities=["volumes"], pass_role={"users": ["alice"]})
    before = account(iam)
    with server.recording() as rec:
        result = runner.one(pass_role={"users": ["Alice", "Ghost"]})
    assert result.get("failed") is True
    assert "pass_role names principals that do not exist, nothing was changed: user 'Ghost'" in result["msg"]
    assert "'Alice'" not in result["msg"]
    assert rec.writes == [] and account(iam) == before


# ------------------------------------------------------------------ trust hardening


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:*"}},
        {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/*"},
        },
    ],
    ids=["source-account", "source-arn", "both"],
)
def test_trust_hardened_for_this_account_is_kept_across_runs(runner, aws, server, condition):
    iam = aws("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(hardened(condition)))
    args = {"capabilities": ["volumes"], "description": "ECS infrastructure"}
    with server.recording() as rec:
        results = runner.four_steps(args)
    assert_four_steps(results)  # the description and the attachment change; the trust does not
    assert "UpdateAssumeRolePolicy" not in [c.action for c in rec.writes]
    assert trust_of(iam) == hardened(condition)
    assert results[1]["role"]["assume_role_policy_document"] == hardened(condition)
    described = runner.one(**info())
    assert described["trust_hardened"] is True
    assert described["findings"] == []


def test_trust_hardened_for_another_account_is_reported_then_repaired(runner, aws):
    iam = aws("iam")
    other = hardened({"StringEquals": {"aws:SourceAccount": "999999999999"}})
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(other))
    before = runner.one(**info())
    assert before["trust_hardened"] is False
    assert [f["code"] for f in before["findings"]] == ["trust_missing_ecs"]
    print(before["findings"][0]["message"])
    assert "999999999999" in before["findings"][0]["message"]
    results = runner.four_steps({})
    assert_four_steps(results)
    assert trust_of(iam) == TRUST_ECS
    after = runner.one(**info())
    assert after["trust_hardened"] is False and after["findings"] == []


def test_trust_source_account_writes_the_condition(runner, aws, server):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    assert trust_of(iam) == TRUST_ECS
    results = runner.four_steps({"trust_source_account": True})
    assert_four_steps(results)
    wanted = hardened({"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    assert results[0]["diff"]["after"]["trust_policy"] == wanted
    assert results[1]["diff"]["before"]["trust_policy"] == TRUST_ECS
    assert trust_of(iam) == wanted
    assert runner.one(**info())["trust_hardened"] is True
    # false keeps what true wrote: no write
    with server.recording() as rec:
        kept = runner.one(trust_source_account=False)
    assert kept["changed"] is False and rec.writes == []


def test_trust_source_account_on_a_new_role(runner, aws):
    results = runner.four_steps({"capabilities": ["volumes"], "trust_source_account": True})
    assert_four_steps(results)
    assert trust_of(aws("iam")) == hardened({"StringEquals": {"aws:SourceAccount": ACCOUNT}})


# ------------------------------------------------------------------ trust Deny with NotPrincipal


def test_a_trust_deny_with_not_principal_shutting_ecs_out_is_reported_and_repaired(runner, aws):
    iam = aws("iam")
    trust = copy.deepcopy(TRUST_ECS)
    trust["Statement"].append(
        {
            "Sid": "OnlyOurAdmins",
            "Effect": "Deny",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    found = runner.one(**info())["findings"]
    assert [f["code"] for f in found] == ["trust_missing_ecs"]
    assert found[0]["severity"] == "high" and "'OnlyOurAdmins' denies it" in found[0]["message"]
    print(found[0]["message"])
    assert_four_steps(runner.four_steps({}))
    assert trust_of(iam) == TRUST_ECS
