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
