# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure side of the drift-event plumbing: names and ARNs, the event pattern, the policies,
attribute comparison, ownership, and which CloudTrail trail qualifies. Offline."""

import json

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events as plan

GRANT = "arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole"


def names(scope="account", central=None):
    return plan.Names("drift", "ecsInfrastructureRole", "123456789012", "aws", "us-east-1", scope, central)


def test_arns_are_known_before_anything_exists():
    n = names()
    assert n.queue_arn == "arn:aws:sqs:us-east-1:123456789012:drift"
    assert n.dead_letter_queue_arn == "arn:aws:sqs:us-east-1:123456789012:drift-dlq"
    assert n.rule_arn == "arn:aws:events:us-east-1:123456789012:rule/drift"
    assert n.grant_policy_arn("ecsInfrastructureRolePassRole") == GRANT
    central = names("central")
    assert central.event_bus_arn == "arn:aws:events:us-east-1:123456789012:event-bus/drift"
    assert central.rule_arn == "arn:aws:events:us-east-1:123456789012:rule/drift/drift"
    member = names("member", "arn:aws:events:us-east-1:210987654321:event-bus/drift")
    assert (member.rule, member.event_bus) == ("drift-forward", "default")
    assert member.forward_role_arn == "arn:aws:iam::123456789012:role/drift-forward"


def test_event_pattern_has_every_documented_event_name():
    pattern = plan.event_pattern("ecsInfrastructureRole", "ecsInfrastructureRolePassRole", grant_policy_arn=GRANT)
    role, grant, inline = pattern["detail"]["$or"]
    assert pattern["source"] == ["aws.iam"]
    assert pattern["detail-type"] == ["AWS API Call via CloudTrail"]
    assert pattern["detail"]["eventSource"] == ["iam.amazonaws.com"]
    assert sorted(role["eventName"]) == sorted(
        [
            "AttachRolePolicy",
            "DetachRolePolicy",
            "PutRolePolicy",
            "DeleteRolePolicy",
            "UpdateAssumeRolePolicy",
            "PutRolePermissionsBoundary",
            "DeleteRolePermissionsBoundary",
            "DeleteRole",
            "UpdateRole",
            "UpdateRoleDescription",
            "TagRole",
            "UntagRole",
        ]
    )
    assert role["requestParameters"] == {"roleName": ["ecsInfrastructureRole"]}
    assert sorted(grant["eventName"]) == sorted(
        [
            "CreatePolicyVersion",
            "SetDefaultPolicyVersion",
            "DeletePolicyVersion",
            "DeletePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
        ]
    )
    assert grant["requestParameters"] == {"policyArn": [GRANT]}
    # inline grants (pass_role mode inline) are found by their name on any user, group or role
    assert sorted(inline["eventName"]) == sorted(
        [
            "PutUserPolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "DeleteGroupPolicy",
            "PutRolePolicy",
            "DeleteRolePolicy",
        ]
    )
    assert inline["requestParameters"] == {"policyName": ["ecsInfrastructureRolePassRole"]}
    by_name = plan.event_pattern("ecsInfrastructureRole", "ecsInfrastructureRolePassRole")
    assert by_name["detail"]["$or"][1]["requestParameters"] == {
        "policyArn": [{"suffix": ":policy/ecsInfrastructureRolePassRole"}]
    }


def test_queue_policy_admits_only_the_rule():
    (statement,) = plan.queue_policy("arn:q", "arn:rule")["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage" and statement["Resource"] == "arn:q"
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": "arn:rule"}}


def test_bus_policy_admits_the_organization_only():
    (statement,) = plan.bus_policy("arn:bus", "o-abc")["Statement"]
    assert statement["Action"] == "events:PutEvents" and statement["Resource"] == "arn:bus"
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}


def test_attribute_changes_compare_json_and_numbers_as_sqs_returns_them():
    desired = plan.queue_attributes("arn:dlq", 5)
    current = {
        "SqsManagedSseEnabled": "true",
        "RedrivePolicy": json.dumps({"maxReceiveCount": "5", "deadLetterTargetArn": "arn:dlq"}),
    }
    assert plan.attribute_changes(desired, current) == {}
    changed = plan.attribute_changes(plan.queue_attributes("arn:dlq", 7), current)
    assert json.loads(changed["RedrivePolicy"]) == {"deadLetterTargetArn": "arn:dlq", "maxReceiveCount": 7}
    assert list(changed) == ["RedrivePolicy"]


def test_switching_to_a_kms_key_turns_sse_sqs_off_and_back():
    sse = {"SqsManagedSseEnabled": "true"}
    assert plan.attribute_changes(plan.encryption_attributes("alias/k"), sse) == {
        "KmsMasterKeyId": "alias/k",
        "SqsManagedSseEnabled": "false",
    }
    assert plan.attribute_changes(plan.encryption_attributes(), {"KmsMasterKeyId": "alias/k"}) == {
        "SqsManagedSseEnabled": "true",
        "KmsMasterKeyId": "",
    }


@pytest.mark.parametrize(
    "tags, reason",
    [
        (None, "it does not carry the tag ecs_tools.iam:drift-events"),
        ({"team": "x"}, "it does not carry the tag ecs_tools.iam:drift-events"),
        (
            {plan.OWNER_TAG: "otherRole"},
            "its tag ecs_tools.iam:drift-events names the role otherRole, not ecsInfrastructureRole",
        ),
    ],
)
def test_ownership(tags, reason):
    assert plan.foreign("SQS queue", "drift", tags, "ecsInfrastructureRole") == {
        "type": "SQS queue",
        "name": "drift",
        "reason": reason,
    }
    assert (
        plan.foreign("SQS queue", "drift", {plan.OWNER_TAG: "ecsInfrastructureRole"}, "ecsInfrastructureRole") is None
    )


def trail(name, multi=True, home="us-east-1", logging=True, selectors=None, org=False, readable=True):
    entry = {
        "Name": name,
        "TrailARN": f"arn:aws:cloudtrail:{home}:123456789012:trail/{name}",
        "HomeRegion": home,
        "IsMultiRegionTrail": multi,
        "IsOrganizationTrail": org,
    }
    entry["status"] = {"IsLogging": logging} if readable else None
    entry["selectors"] = (selectors if selectors is not None else {}) if readable else None
    return entry


WRITE = {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}
READ_ONLY = {"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}
DATA_ONLY = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]}
ADVANCED = {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}
ADVANCED_READ = {
    "AdvancedEventSelectors": [
        {
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "readOnly", "Equals": ["true"]},
            ]
        }
    ]
}


@pytest.mark.parametrize(
    "trails, ok, reason",
    [
        ([], False, None),
        ([trail("t")], True, "logging write management events in us-east-1"),
        ([trail("t", selectors=WRITE)], True, "logging write management events in us-east-1"),
        ([trail("t", selectors=ADVANCED)], True, "logging write management events in us-east-1"),
        ([trail("t", selectors=READ_ONLY)], False, "it does not log write management events"),
        ([trail("t", selectors=DATA_ONLY)], False, "it does not log write management events"),
        ([trail("t", selectors=ADVANCED_READ)], False, "it does not log write management events"),
        ([trail("t", logging=False)], False, "it is not logging"),
        ([trail("t", multi=False, home="eu-west-1")], False, "a single-region trail of eu-west-1"),
        ([trail("t", multi=False)], True, "logging write management events in us-east-1"),
        ([trail("t", readable=False)], False, "its status or event selectors could not be read"),
        (
            [trail("t", readable=False, org=True)],
            True,
            "the organization's trail (its status is readable in the management account only)",
        ),
    ],
)
def test_trail(trails, ok, reason):
    report = plan.evaluate_trails(trails, "us-east-1")
    assert report["ok"] is ok
    if reason:
        assert report["trails"][0]["reason"] == reason
    if ok:
        assert report["trail"] == "t" and "logs IAM's management events" in report["message"]
    else:
        assert report["trail"] is None
        assert report["message"].startswith("no CloudTrail trail logs write management events in us-east-1")
