# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbook ecs_tools.iam.drift_events through the real ``ansible-playbook`` against the test's
moto_server: check mode changes nothing, a run creates the queue, dead-letter queue, queue policy and
rule, a second run changes nothing, an IAM-shaped event put on the bus arrives in the queue (moto
delivers to SQS targets), ``state: absent`` removes everything, a foreign queue is refused, and the
organization-wide variant across moto accounts (central bus admitting the organization, forwarding
rules in the members)."""

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import playbook  # noqa: E402
from organization import account_client  # noqa: E402
from organization import build  # noqa: E402

NAME = "ecs-infrastructure-role-drift"
ROLE = "ecsInfrastructureRole"
TAG = "ecs_tools.iam:drift-events"
MODULE = "ecs_tools.iam.ecs_infrastructure_role_drift_events"
ACCESS_ROLE = "arn:aws:iam::{0}:role/OrganizationAccountAccessRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
NO_TRAIL = "no CloudTrail trail logs write management events in us-east-1"


def run(runner, tmp_path, extra_vars=None, inventory=("localhost,",), args=()):
    proc = playbook.run(
        "ecs_tools.iam.drift_events",
        runner.env(),
        cwd=tmp_path,
        results=True,
        inventory=inventory,
        extra_vars=extra_vars or {},
        args=args,
    )
    return proc


def module_result(proc, host="localhost", task="Converge the account's plumbing"):
    return proc.task_results(host)[task]


def first_ran(proc, task, host="localhost"):
    """The first result of ``task`` on ``host`` that was not skipped (the central tasks appear in two plays)."""
    for entry in proc.tasks:
        result = entry["hosts"].get(host)
        if entry["task"]["name"] == task and result is not None and not result.get("skipped"):
            return result
    raise AssertionError(f"{task} did not run:\n{proc.describe()}")


def cloudtrail_event(event_name, **request_parameters):
    """What CloudTrail puts on the bus for an IAM call (moto emits none: the test puts it)."""
    return {
        "Source": "aws.iam",
        "DetailType": "AWS API Call via CloudTrail",
        "Detail": json.dumps(
            {
                "eventVersion": "1.08",
                "eventSource": "iam.amazonaws.com",
                "eventName": event_name,
                "awsRegion": "us-east-1",
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice"},
                "requestParameters": request_parameters,
            }
        ),
    }


def received(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_converge_check_mode_delivery_and_absent(runner, aws, tmp_path):
    sqs, events = aws("sqs"), aws("events")

    check = run(runner, tmp_path, args=["--check"])
    assert check.succeeded(), check.describe()
    result = module_result(check)
    assert result["changed"] and result["actions"][:2] == [
        "create SQS queue " + NAME + "-dlq",
        "create SQS queue " + NAME,
    ]
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert events.list_rules()["Rules"] == []

    first = run(runner, tmp_path)
    assert first.succeeded(), first.describe()
    result = module_result(first)
    assert result["changed"]
    assert NO_TRAIL in first.output  # the warning: no trail on this moto account
    assert result["trail"]["ok"] is False

    # The queue: SSE on, redrive to the dead-letter queue, only the rule may send, tagged.
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    rule = events.describe_rule(Name=NAME)
    assert rule["Arn"] == result["drift_events"]["rule"]["arn"]
    assert attributes["SqsManagedSseEnabled"] == "true"
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(":" + NAME + "-dlq") and int(redrive["maxReceiveCount"]) == 5
    statement = json.loads(attributes["Policy"])["Statement"]
    assert len(statement) == 1
    assert statement[0]["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement[0]["Action"] == "sqs:SendMessage"
    assert statement[0]["Condition"] == {"ArnEquals": {"aws:SourceArn": rule["Arn"]}}
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {TAG: ROLE}
    dlq_url = sqs.get_queue_url(QueueName=NAME + "-dlq")["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    assert dlq["SqsManagedSseEnabled"] == "true" and dlq["MessageRetentionPeriod"] == "1209600"

    # The rule: default bus, the documented pattern, the queue as its one target.
    assert rule["EventBusName"] == "default" and rule["State"] == "ENABLED"
    pattern = json.loads(rule["EventPattern"])
    assert pattern["source"] == ["aws.iam"] and pattern["detail-type"] == ["AWS API Call via CloudTrail"]
    role_branch, grant_branch, inline_branch = pattern["detail"]["$or"]
    assert role_branch["requestParameters"] == {"roleName": [ROLE]}
    assert "DetachRolePolicy" in role_branch["eventName"] and "UpdateAssumeRolePolicy" in role_branch["eventName"]
    assert grant_branch["requestParameters"] == {
        "policyArn": ["arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole"]
    }
    assert inline_branch["requestParameters"] == {"policyName": ["ecsInfrastructureRolePassRole"]}
    targets = events.list_targets_by_rule(Rule=NAME)["Targets"]
    assert [t["Arn"] for t in targets] == [attributes["QueueArn"]]

    # A trail that logs the management events, made by hand: the next run reports it, and changes nothing.
    aws("s3").create_bucket(Bucket="trail-bucket")
    cloudtrail = aws("cloudtrail")
    cloudtrail.create_trail(Name="management", S3BucketName="trail-bucket", IsMultiRegionTrail=True)
    cloudtrail.start_logging(Name="management")
    second = run(runner, tmp_path)
    assert second.succeeded(), second.describe()
    assert module_result(second)["changed"] is False and module_result(second)["actions"] == []
    assert second.changed == 0
    trail = module_result(second)["trail"]
    assert trail["ok"] is True and trail["trail"] == "management", trail
    assert NO_TRAIL not in second.output

    # Delivery: matching events arrive, an event about another role or policy does not.
    events.put_events(
        Entries=[
            cloudtrail_event("DetachRolePolicy", roleName=ROLE, policyArn=VOLUMES),
            cloudtrail_event(
                "DetachRolePolicy", roleName="someoneElse", policyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
            ),
            cloudtrail_event(
                "AttachUserPolicy",
                userName="mallory",
                policyArn="arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole",
            ),
            # an inline grant handed out by hand (pass_role mode inline), and an unrelated inline policy
            cloudtrail_event("PutUserPolicy", userName="mallory", policyName="ecsInfrastructureRolePassRole"),
            cloudtrail_event("PutUserPolicy", userName="mallory", policyName="s3-read"),
        ]
    )
    details = [m["detail"] for m in received(sqs, url)]
    assert sorted(d["eventName"] for d in details) == ["AttachUserPolicy", "DetachRolePolicy", "PutUserPolicy"]
    assert all(d["requestParameters"].get("roleName") != "someoneElse" for d in details)

    # absent: check mode first (nothing goes), then everything goes, then nothing to do.
    absent_check = run(runner, tmp_path, {"ecs_infrastructure_role_drift_events_state": "absent"}, args=["--check"])
    assert absent_check.succeeded() and module_result(absent_check)["changed"], absent_check.describe()
    assert len(sqs.list_queues()["QueueUrls"]) == 2
    absent = run(runner, tmp_path, {"ecs_infrastructure_role_drift_events_state": "absent"})
    assert absent.succeeded(), absent.describe()
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert events.list_rules()["Rules"] == []
    again = run(runner, tmp_path, {"ecs_infrastructure_role_drift_events_state": "absent"})
    assert again.succeeded() and again.changed == 0, again.describe()


def test_refuses_a_foreign_queue_and_leaves_it(runner, aws, tmp_path):
    sqs, events = aws("sqs"), aws("events")
    url = sqs.create_queue(QueueName=NAME, tags={"team": "payments"})["QueueUrl"]
    proc = run(runner, tmp_path)
    assert proc.returncode != 0
    result = module_result(proc)
    assert result["failed"]
    assert result["msg"].startswith(
        "refusing to change or delete SQS queue " + NAME + ", which the collection did not create"
    )
    assert result["foreign_objects"] == [
        {"type": "SQS queue", "name": NAME, "reason": "it does not carry the tag " + TAG}
    ]
    # Nothing written: no dead-letter queue, no rule, the queue as it was.
    assert sqs.list_queues()["QueueUrls"] == [url]
    assert events.list_rules()["Rules"] == []
    assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    absent = run(runner, tmp_path, {"ecs_infrastructure_role_drift_events_state": "absent"})
    assert absent.returncode != 0 and "refusing to change or delete SQS queue" in module_result(absent)["msg"]
    assert sqs.list_queues()["QueueUrls"] == [url]


def test_bad_input_fails_before_any_write(runner, aws, tmp_path):
    results = runner.run(
        [
            {"_module": MODULE, "region": "eu-west-1"},
            {"_module": MODULE, "region": "us-east-1", "scope": "member"},
            {"_module": MODULE, "region": "us-east-1", "scope": "member", "central_event_bus_arn": "my-bus"},
        ],
        region="eu-west-1",
    )
    assert results[0]["failed"] and results[0]["msg"] == (
        "IAM's CloudTrail events reach EventBridge only in us-east-1 (IAM is global); "
        "run this with region us-east-1, not eu-west-1"
    )
    assert results[1]["msg"] == "scope member forwards to a central event bus: set central_event_bus_arn"
    assert results[2]["msg"] == "central_event_bus_arn my-bus is not an EventBridge event bus ARN"
    assert aws("sqs").list_queues().get("QueueUrls", []) == [] and aws("iam").list_roles()["Roles"] == []


@pytest.fixture
def organization(server, tmp_path):
    org = build(server.env(), {"": ["central", "member-a", "member-b"]})
    lines = ["all:", "  hosts:"]
    for name in ("member-a", "member-b"):
        lines += [
            f"    {name}:",
            "      ecs_infrastructure_role_assume_role_arn: "
            f"arn:aws:iam::{org.account_id(name)}:role/OrganizationAccountAccessRole",
        ]
    (tmp_path / "accounts.yml").write_text("\n".join(lines) + "\n")
    return org


def test_organization_wide(runner, server, organization, tmp_path):
    org, env = organization, server.env()
    central_id = org.account_id("central")
    extra = {
        "ecs_infrastructure_role_drift_events_central_account_id": central_id,
        "ecs_infrastructure_role_drift_events_central_assume_role_arn": ACCESS_ROLE.format(central_id),
    }
    inventory = [str(tmp_path / "accounts.yml")]
    account_client(env, central_id, "s3").create_bucket(Bucket="central-trail")
    account_client(env, central_id, "cloudtrail").create_trail(
        Name="management", S3BucketName="central-trail", IsMultiRegionTrail=True
    )
    account_client(env, central_id, "cloudtrail").start_logging(Name="management")
    with server.recording() as first_calls:
        first = run(runner, tmp_path, extra, inventory=inventory)
    assert first.succeeded(hosts=3), first.describe()
    central = first_ran(first, "Converge the central account's plumbing")
    bus_arn = f"arn:aws:events:us-east-1:{central_id}:event-bus/{NAME}"
    assert central["drift_events"]["event_bus"]["arn"] == bus_arn
    assert central["trail"]["ok"] is True and central["trail"]["trail"] == "management"
    # The members have no trail (and no organization trail): each is warned.
    for name in ("member-a", "member-b"):
        assert module_result(first, name)["trail"]["ok"] is False

    # Central: the bus admits the organization only; the rule on it sends to the queue.
    events = account_client(env, central_id, "events")
    bus = events.describe_event_bus(Name=NAME)
    (statement,) = json.loads(bus["Policy"])["Statement"]
    org_id = account_client(env, central_id, "organizations").describe_organization()["Organization"]["Id"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": org_id}}
    assert statement["Action"] == "events:PutEvents" and statement["Resource"] == bus_arn
    assert events.list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"] == [{"Key": TAG, "Value": ROLE}]
    (target,) = events.list_targets_by_rule(Rule=NAME, EventBusName=NAME)["Targets"]
    assert target["Arn"] == f"arn:aws:sqs:us-east-1:{central_id}:{NAME}"

    # Members: a forwarding rule on the default bus, through a role that may only put on that bus.
    for name in ("member-a", "member-b"):
        account_id = org.account_id(name)
        member_events = account_client(env, account_id, "events")
        (forward,) = member_events.list_targets_by_rule(Rule=NAME + "-forward")["Targets"]
        assert forward["Arn"] == bus_arn
        assert forward["RoleArn"] == f"arn:aws:iam::{account_id}:role/{NAME}-forward"
        iam = account_client(env, account_id, "iam")
        policy = iam.get_role_policy(RoleName=NAME + "-forward", PolicyName=NAME + "-forward")["PolicyDocument"]
        assert policy["Statement"] == [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus_arn}]
        trust = iam.get_role(RoleName=NAME + "-forward")["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": account_id}}
        # Nothing of the central plumbing in a member.
        assert account_client(env, account_id, "sqs").list_queues().get("QueueUrls", []) == []

    # Delivery across accounts: a member's IAM event reaches the central queue through the bus.
    member_a = org.account_id("member-a")
    account_client(env, member_a, "events").put_events(
        Entries=[
            cloudtrail_event("DetachRolePolicy", roleName=ROLE, policyArn=VOLUMES),
            cloudtrail_event("DetachRolePolicy", roleName="someoneElse", policyArn=VOLUMES),
        ]
    )
    central_sqs = account_client(env, central_id, "sqs")
    arrived = received(central_sqs, central_sqs.get_queue_url(QueueName=NAME)["QueueUrl"])
    # moto's SQS delivery leaves out the envelope's "account" (AWS sets it): the detail identifies the event.
    assert [(m["source"], m["detail"]["eventName"], m["detail"]["requestParameters"]["roleName"]) for m in arrived] == [
        ("aws.iam", "DetachRolePolicy", ROLE)
    ], json.dumps(arrived)

    with server.recording() as second_calls:
        second = run(runner, tmp_path, extra, inventory=inventory)
    assert second.succeeded(hosts=3) and second.changed == 0, second.describe()
    assert second_calls.writes == []

    with server.recording() as absent_calls:
        absent = run(
            runner, tmp_path, dict(extra, ecs_infrastructure_role_drift_events_state="absent"), inventory=inventory
        )
    assert absent.succeeded(hosts=3), absent.describe()
    assert events.list_event_buses(NamePrefix=NAME)["EventBuses"] == []
    assert account_client(env, central_id, "sqs").list_queues().get("QueueUrls", []) == []
    for name in ("member-a", "member-b"):
        account_id = org.account_id(name)
        assert account_client(env, account_id, "events").list_rules()["Rules"] == []
        roles = account_client(env, account_id, "iam").list_roles()["Roles"]
        assert NAME + "-forward" not in [r["RoleName"] for r in roles]

    # docs/iam-policies/drift_events.json holds exactly what the module calls: every call is in it, and
    # every action in it is called, but for those a lifecycle without drift does not reach.
    with open(os.path.join(HERE, "..", "..", "docs", "iam-policies", "drift_events.json")) as f:
        documented = set()
        for statement in json.load(f)["Statement"]:
            actions = statement["Action"]
            documented.update([actions] if isinstance(actions, str) else actions)
    called = {
        f"{call.service}:{call.action}"
        for recording in (first_calls, second_calls, absent_calls)
        for call in recording.calls
    }
    # The controller's (sts:AssumeRole) and amazon.aws.aws_caller_info's optional alias lookup.
    called -= {"sts:AssumeRole", "iam:ListAccountAliases"}
    assert called - documented == set()
    implied = {"sqs:TagQueue", "events:TagResource", "iam:TagRole", "iam:PassRole"}  # checked by AWS on create
    drift_only = {"sqs:SetQueueAttributes", "iam:UpdateAssumeRolePolicy"}  # repairs of the plumbing itself
    assert documented - called == implied | drift_only
