# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_infrastructure_role_drift_events' main() in-process against moto.mock_aws: the four steps,
a changed attribute is put back, KMS encryption, ownership, the central scope's organization."""

import json

import boto3

from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role_drift_events as module

NAME = "ecs-infrastructure-role-drift"
TAG = {"ecs_tools.iam:drift-events": "ecsInfrastructureRole"}


def test_four_steps(run_main):
    args = {"region": "us-east-1"}
    check = run_main(module, args, check_mode=True, diff=True)
    assert check["changed"] is True
    assert check["diff"] == {
        "before": {"dead_letter_queue": False, "queue": False, "rule": False},
        "after": {"dead_letter_queue": True, "queue": True, "rule": True},
    }
    assert check["actions"] == [
        "create SQS queue " + NAME + "-dlq",
        "create SQS queue " + NAME,
        "create EventBridge rule " + NAME,
        "set targets ecs-tools-iam-drift-queue of rule " + NAME,
    ]
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
    created = run_main(module, args)
    assert created["actions"] == check["actions"] and created["drift_events"] == check["drift_events"]
    assert run_main(module, args, check_mode=True)["changed"] is False
    again = run_main(module, args)
    assert again["changed"] is False and again["actions"] == []


def test_drift_of_the_plumbing_itself_is_put_back(run_main):
    run_main(module, {"region": "us-east-1"})
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": []})}
    )
    events.put_targets(Rule=NAME, Targets=[{"Id": "extra", "Arn": "arn:aws:sqs:us-east-1:123456789012:other"}])
    result = run_main(module, {"region": "us-east-1"})
    assert result["actions"] == [
        f"update SQS queue {NAME} (Policy)",
        "remove targets extra from rule " + NAME,
    ]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"].endswith(":rule/" + NAME)
    assert [t["Id"] for t in events.list_targets_by_rule(Rule=NAME)["Targets"]] == ["ecs-tools-iam-drift-queue"]


def test_kms_key(run_main):
    result = run_main(module, {"region": "us-east-1", "kms_master_key_id": "alias/drift"})
    assert result["drift_events"]["queue"]["encryption"] == "kms"
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["KmsMasterKeyId"] == "alias/drift"
    )
    assert run_main(module, {"region": "us-east-1", "kms_master_key_id": "alias/drift"})["changed"] is False


def test_foreign_rule_is_refused_in_both_states(run_main):
    events = boto3.client("events")
    events.put_rule(
        Name=NAME, ScheduleExpression="rate(5 minutes)", Tags=[{"Key": "ecs_tools.iam:drift-events", "Value": "other"}]
    )
    for state in ("present", "absent"):
        result = run_main(module, {"region": "us-east-1", "state": state})
        assert result["failed"] is True
        assert result["foreign_objects"] == [
            {
                "type": "EventBridge rule",
                "name": NAME,
                "reason": "its tag ecs_tools.iam:drift-events names the role other, not ecsInfrastructureRole",
            }
        ]
    assert events.describe_rule(Name=NAME)["ScheduleExpression"] == "rate(5 minutes)"
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []


def test_central_scope_reads_the_organization(run_main):
    org_id = boto3.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    result = run_main(module, {"region": "us-east-1", "scope": "central", "check_trail": False})
    assert result["drift_events"]["event_bus"]["organization_id"] == org_id
    assert "trail" not in result
    bus = boto3.client("events").describe_event_bus(Name=NAME)
    assert json.loads(bus["Policy"])["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == org_id
    tags = boto3.client("events").list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"]
    assert tags == [{"Key": k, "Value": v} for k, v in TAG.items()]
    removed = run_main(module, {"region": "us-east-1", "scope": "central", "state": "absent"})
    assert "delete EventBridge event bus " + NAME in removed["actions"]
    assert [b["Name"] for b in boto3.client("events").list_event_buses()["EventBuses"]] == ["default"]
