# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import pytest
from expected import TRUST_ECS

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents

DOCUMENTED = TRUST_ECS


def statement(**overrides):
    base = {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}
    base.update(overrides)
    return {"Version": "2012-10-17", "Statement": [base]}


def test_trust_policy_is_exactly_the_documented_one():
    assert _documents.trust_policy() == DOCUMENTED
    _documents.trust_policy()["Statement"].clear()
    assert _documents.TRUST_POLICY == DOCUMENTED  # copies, not the shared constant


@pytest.mark.parametrize(
    "current",
    [
        DOCUMENTED,
        json.dumps(DOCUMENTED),
        statement(),
        statement(Principal={"Service": ["ecs.amazonaws.com"]}),
        statement(Action=["sts:AssumeRole"]),
        statement(Sid="Other"),
        {"Statement": statement()["Statement"][0], "Version": "2012-10-17"},
    ],
    ids=["documented", "json-string", "no-sid", "list-principal", "list-action", "other-sid", "statement-object"],
)
def test_equivalent_trust_policies_are_not_drift(current):
    assert not _documents.trust_policy_drifted(current)


@pytest.mark.parametrize(
    "current",
    [
        None,
        statement(Principal={"Service": "ec2.amazonaws.com"}),
        statement(Principal={"Service": ["ecs.amazonaws.com", "ec2.amazonaws.com"]}),
        statement(Effect="Deny"),
        statement(Action="sts:TagSession"),
        statement(Condition={"StringEquals": {"aws:SourceAccount": "123456789012"}}),
        {
            "Version": "2012-10-17",
            "Statement": statement()["Statement"] * 1 + statement(Principal={"AWS": "*"})["Statement"],
        },
    ],
    ids=["missing", "other-service", "extra-service", "deny", "other-action", "extra-condition", "extra-statement"],
)
def test_drift_is_detected(current):
    assert _documents.trust_policy_drifted(current)


def test_to_json_is_compact_and_stable():
    assert _documents.to_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


ACCOUNT = "123456789012"
ECS_ARN = f"arn:aws:ecs:*:{ACCOUNT}:*"


@pytest.mark.parametrize(
    "condition,kept",
    [
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, True),
        ({"StringLike": {"aws:SourceAccount": ACCOUNT}}, True),
        ({"StringEquals": {"AWS:SOURCEACCOUNT": ACCOUNT}}, True),  # condition keys are case-insensitive
        ({"ArnLike": {"aws:SourceArn": ECS_ARN}}, True),
        ({"ArnEquals": {"aws:SourceArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/prod"}}, True),
        ({"ArnLike": {"aws:SourceArn": [ECS_ARN, "arn:aws:ecs:*:999999999999:*"]}}, False),
        ({"ArnLike": {"aws:SourceArn": f"arn:aws:ec2:*:{ACCOUNT}:*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:*:*"}}, False),
        # StringEquals compares literally: a wildcard there matches no real ARN and shuts ECS out.
        ({"StringEquals": {"aws:SourceArn": ECS_ARN}}, False),
        ({"StringLike": {"aws:SourceArn": ECS_ARN}}, True),
        ({"StringLike": {"aws:SourceAccount": "*"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, False),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:PrincipalTag/x": "y"}}, False),
    ],
)
def test_hardening_of_this_account_is_not_drift(condition, kept):
    current = statement(Condition=condition)
    assert _documents.trust_policy_drifted(current, "aws", ACCOUNT) is not kept
    assert _documents.trust_policy_drifted(current)  # without the account nothing is kept
    assert bool(_documents.trust_hardening(current, "aws", ACCOUNT)["keys"]) or not kept


def test_hardening_on_another_statement_is_still_drift():
    current = statement()
    current["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    )
    assert _documents.trust_policy_drifted(current, "aws", ACCOUNT)


def test_source_account_is_required_when_asked_for():
    source_arn = statement(Condition={"ArnLike": {"aws:SourceArn": ECS_ARN}})
    assert not _documents.trust_policy_drifted(source_arn, "aws", ACCOUNT)
    assert _documents.trust_policy_drifted(source_arn, "aws", ACCOUNT, source_account=True)
    desired = _documents.desired_trust_policy(source_arn, "aws", ACCOUNT, source_account=True)
    assert desired["Statement"][0]["Condition"] == {
        "ArnLike": {"aws:SourceArn": ECS_ARN},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }
    assert desired["Statement"][0]["Sid"] == "AllowAccessToECSForInfrastructureManagement"
    assert not _documents.trust_policy_drifted(desired, "aws", ACCOUNT, source_account=True)
    assert _documents.trust_policy_drifted(DOCUMENTED, "aws", ACCOUNT, source_account=True)


def test_trust_policy_with_source_account_is_the_documented_statement_plus_one_condition():
    document = _documents.trust_policy(ACCOUNT)
    expected = json.loads(json.dumps(DOCUMENTED))
    expected["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert document == expected
    assert _documents.TRUST_POLICY == DOCUMENTED
