# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source ecs_tools.iam.iam_role_events without ansible-rulebook: the parsing of
EventBridge's "AWS API Call via CloudTrail" events, and ``main`` run in asyncio against an SQS queue of
moto.mock_aws (delete only after the hand-over, no double hand-over, backoff through throttling and
dropped connections, a clean stop on cancellation)."""

import asyncio
import importlib.util
import json
import pathlib
import sys

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

ROOT = pathlib.Path(__file__).resolve().parents[4]
SUPPORT = ROOT / "tests" / "support"
sys.path.insert(0, str(SUPPORT))

from eda import cloudtrail_event  # noqa: E402

PATH = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "iam_role_events.py"
_spec = importlib.util.spec_from_file_location("iam_role_events", PATH)
src = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(src)

ACCOUNT = "123456789012"
ROLE = "ecsInfrastructureRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
GRANT_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ecsInfrastructureRolePassRole"
AUTOMATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-tools-automation"
AUTOMATION_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-tools-automation/ecs-tools-iam-manage"


def settings(**args):
    return src.settings_from_args(dict({"queue_url": "https://sqs.example/q"}, **args))


# --- parsing ------------------------------------------------------------------------------------


def test_parse_event_keys_from_an_eventbridge_message_body():
    raw = cloudtrail_event("DetachRolePolicy", {"roleName": ROLE, "policyArn": VOLUMES})
    event = src.parse_event(json.dumps(raw))
    assert event["account"] == ACCOUNT
    assert event["region"] == "us-east-1"
    assert event["event_name"] == "DetachRolePolicy"
    assert event["role_name"] == ROLE
    assert event["policy_arn"] == VOLUMES
    assert event["policy_name"] == "AmazonECSInfrastructureRolePolicyForVolumes"
    assert event["actor"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert event["event_time"] == raw["detail"]["eventTime"]
    assert event["event_id"] == raw["id"]
    assert event["raw"] == raw


@pytest.mark.parametrize(
    "body, reason",
    [
        ("not json", "the body is not JSON"),
        ("[1, 2]", "the body is not a JSON object"),
        (json.dumps({"source": "aws.s3", "detail-type": "AWS API Call via CloudTrail"}), "not an IAM CloudTrail"),
        (json.dumps({"source": "aws.iam", "detail-type": "Scheduled Event"}), "not an IAM CloudTrail"),
        (json.dumps({"source": "aws.iam", "detail-type": "AWS API Call via CloudTrail", "detail": {}}), "eventName"),
    ],
)
def test_parse_event_refuses_what_is_not_an_iam_cloudtrail_event(body, reason):
    with pytest.raises(src.NotAnIamEvent, match=reason):
        src.parse_event(body)


@pytest.mark.parametrize(
    "event_name, params, target",
    [
        ("DetachRolePolicy", {"roleName": ROLE, "policyArn": VOLUMES}, "role"),
        ("UpdateAssumeRolePolicy", {"roleName": ROLE, "policyDocument": "{}"}, "role"),
        ("DeleteRole", {"roleName": ROLE}, "role"),
        ("UpdateAssumeRolePolicy", {"roleName": "someOtherRole", "policyDocument": "{}"}, "other"),
        ("AttachUserPolicy", {"userName": "intruder", "policyArn": GRANT_ARN}, "pass_role"),
        ("AttachGroupPolicy", {"groupName": "ops", "policyArn": GRANT_ARN}, "pass_role"),
        ("CreatePolicyVersion", {"policyArn": GRANT_ARN, "policyDocument": "{}"}, "pass_role"),
        ("DeletePolicy", {"policyArn": GRANT_ARN}, "pass_role"),
        ("PutUserPolicy", {"userName": "intruder", "policyName": "ecsInfrastructureRolePassRole"}, "pass_role"),
        ("AttachUserPolicy", {"userName": "intruder", "policyArn": VOLUMES}, "other"),
        ("CreateUser", {"userName": "bob"}, "other"),
    ],
)
def test_classify_names_what_the_event_changes(event_name, params, target):
    event = src.to_rulebook_event(json.dumps(cloudtrail_event(event_name, params)), settings())
    assert event["target"] == target


def test_classify_grant_name_follows_the_role_name_or_is_given():
    grant = "arn:aws:iam::1:policy/xPassRole"
    body = json.dumps(cloudtrail_event("AttachUserPolicy", {"userName": "u", "policyArn": grant}))
    assert src.to_rulebook_event(body, settings(role_name="x"))["target"] == "pass_role"
    assert src.to_rulebook_event(body, settings(role_name="x", pass_role_policy_name="grant"))["target"] == "other"


def test_automation_matches_the_actor_or_the_role_behind_its_session():
    patterns = ["arn:aws:iam::*:role/ecs-tools-automation"]
    own = cloudtrail_event("AttachRolePolicy", {"roleName": ROLE}, actor=AUTOMATION_SESSION, issuer=AUTOMATION_ROLE)
    human = cloudtrail_event("AttachRolePolicy", {"roleName": ROLE})
    lookalike = cloudtrail_event(
        "AttachRolePolicy",
        {"roleName": ROLE},
        actor="arn:aws:sts::1:assumed-role/ecs-tools-automation-x/s",
        issuer="arn:aws:iam::1:role/ecs-tools-automation-x",
    )
    s = settings(automation_principals=patterns)
    assert src.to_rulebook_event(json.dumps(own), s)["automation"] is True
    assert src.to_rulebook_event(json.dumps(human), s)["automation"] is False
    assert src.to_rulebook_event(json.dumps(lookalike), s)["automation"] is False
    # The session ARN itself is a pattern too (one session name only).
    s = settings(automation_principals="arn:aws:sts::*:assumed-role/ecs-tools-automation/ecs-tools-iam-manage")
    assert src.to_rulebook_event(json.dumps(own), s)["automation"] is True


def test_meta_hosts_is_the_account_or_its_mapped_host():
    body = json.dumps(cloudtrail_event("DeleteRole", {"roleName": ROLE}))
    assert src.to_rulebook_event(body, settings())["meta"] == {"hosts": ACCOUNT}
    assert src.to_rulebook_event(body, settings(account_hosts={ACCOUNT: "prod"}))["meta"] == {"hosts": "prod"}


@pytest.mark.parametrize(
    "args, message",
    [
        ({}, "needs queue_url or name"),
        ({"name": "q", "wait_seconds": 21}, "wait_seconds must be between 0 and 20, got 21"),
        ({"name": "q", "max_messages": "many"}, "max_messages must be an integer, got 'many'"),
        ({"name": "q", "access_key": "AKIA"}, "access_key and secret_key go together"),
        ({"name": "q", "automation_principals": [1]}, "automation_principals must be a list of ARN patterns"),
        ({"name": "q", "account_hosts": ["a"]}, "account_hosts must be a mapping"),
        ({"name": ["q"]}, "name must be a string"),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(args, message):
    with pytest.raises(src.SourceArgumentError, match=message.replace("(", r"\(")):
        src.settings_from_args(args)


def client_error(code, status=400):
    return botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "ReceiveMessage"
    )


@pytest.mark.parametrize(
    "exc, transient",
    [
        (client_error("ThrottlingException"), True),
        (client_error("AWS.SimpleQueueService.RequestThrottled", 403), True),
        (client_error("InternalError", 500), True),
        (client_error("SomethingNew", 503), True),
        (client_error("AccessDenied", 403), False),
        (client_error("AWS.SimpleQueueService.NonExistentQueue"), False),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="https://sqs"), True),
        (botocore.exceptions.ConnectionClosedError(endpoint_url="https://sqs"), True),
        (botocore.exceptions.ReadTimeoutError(endpoint_url="https://sqs"), True),
        (ValueError("bug"), False),
    ],
)
def test_transient_errors(exc, transient):
    assert src.is_transient(exc) is transient


def test_backoff_doubles_up_to_its_cap_and_resets():
    backoff = src.Backoff(base=0.5, cap=4.0, rand=lambda: 1.0)
    assert [backoff.next_delay() for dummy in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


# --- main() against an SQS queue of moto.mock_aws ------------------------------------------------


@pytest.fixture
def sqs(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def make_queue(sqs, visibility="30"):
    return sqs.create_queue(QueueName="events", Attributes={"VisibilityTimeout": visibility})["QueueUrl"]


def send(sqs, url, body):
    sqs.send_message(QueueUrl=url, MessageBody=body if isinstance(body, str) else json.dumps(body))


def left_in(sqs, url):
    """Every message still in the queue (read with visibility 0, so nothing hides)."""
    bodies = []
    for dummy in range(5):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        bodies = [m["Body"] for m in answer.get("Messages", [])]
        if bodies:
            break
    return bodies


def run_until(args, wanted, client=None, backoff=None, maxsize=0, timeout=20):
    """Runs main() until ``wanted`` events were handed over (or the queue is full), then cancels it."""

    async def scenario():
        queue = asyncio.Queue(maxsize=maxsize)
        task = asyncio.create_task(
            src.main(queue, dict(args, wait_seconds=0), client=client, backoff=backoff or src.Backoff(rand=lambda: 0))
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while queue.qsize() < wanted and loop.time() < deadline and not task.done():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # let it finish the deletes of what it handed over
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return [queue.get_nowait() for dummy in range(queue.qsize())]

    return asyncio.run(scenario())


def test_main_hands_over_iam_events_and_deletes_every_message(sqs):
    url = make_queue(sqs)
    first = cloudtrail_event("DetachRolePolicy", {"roleName": ROLE, "policyArn": VOLUMES})
    second = cloudtrail_event("AttachUserPolicy", {"userName": "intruder", "policyArn": GRANT_ARN})
    send(sqs, url, first)
    send(sqs, url, "a test message someone sent by hand")
    send(sqs, url, second)
    events = run_until({"queue_url": url}, 2)
    assert sorted(e["event_id"] for e in events) == sorted([first["id"], second["id"]])
    assert {e["target"] for e in events} == {"role", "pass_role"}
    assert left_in(sqs, url) == []  # the non-event is deleted too: it can never become one


def test_main_finds_the_queue_by_name(sqs):
    url = make_queue(sqs)
    send(sqs, url, cloudtrail_event("DeleteRole", {"roleName": ROLE}))
    events = run_until({"name": "events", "region": "us-east-1"}, 1)
    assert [e["event_name"] for e in events] == ["DeleteRole"]


def test_a_message_is_deleted_only_after_its_hand_over(sqs):
    url = make_queue(sqs, visibility="0")
    first = cloudtrail_event("DeleteRole", {"roleName": ROLE})
    second = cloudtrail_event("TagRole", {"roleName": ROLE})
    send(sqs, url, first)
    send(sqs, url, second)
    # The rulebook's queue holds one event and nobody takes it: the second hand-over waits, and is
    # cancelled; its message stays in SQS for the next start.
    events = run_until({"queue_url": url, "max_messages": 10}, 1, maxsize=1)
    assert len(events) == 1
    remaining = left_in(sqs, url)
    assert len(remaining) == 1
    assert json.loads(remaining[0])["id"] != events[0]["event_id"]


def test_the_same_event_twice_is_handed_over_once(sqs):
    url = make_queue(sqs)
    event = cloudtrail_event("DeleteRole", {"roleName": ROLE})
    send(sqs, url, event)
    send(sqs, url, event)  # redelivered: say the delete after the first hand-over was lost
    events = run_until({"queue_url": url}, 2, timeout=3)
    assert [e["event_id"] for e in events] == [event["id"]]
    assert left_in(sqs, url) == []


class Flaky:
    """The moto client, failing each listed call with the given errors first."""

    def __init__(self, client, failures):
        self.client = client
        self.failures = failures
        self.calls = []

    def __getattr__(self, name):
        function = getattr(self.client, name)

        def call(**kwargs):
            self.calls.append(name)
            pending = self.failures.get(name)
            if pending:
                raise pending.pop(0)
            return function(**kwargs)

        return call


def test_throttling_and_dropped_connections_are_waited_out(sqs):
    url = make_queue(sqs)
    event = cloudtrail_event("PutRolePermissionsBoundary", {"roleName": ROLE})
    send(sqs, url, event)
    flaky = Flaky(
        sqs,
        {
            "receive_message": [
                client_error("AWS.SimpleQueueService.RequestThrottled", 403),
                botocore.exceptions.EndpointConnectionError(endpoint_url=url),
                botocore.exceptions.ConnectionClosedError(endpoint_url=url),
            ],
            "delete_message": [client_error("ThrottlingException")],
        },
    )
    delays = []

    def rand():
        delays.append(1)
        return 0

    events = run_until({"queue_url": url}, 1, client=flaky, backoff=src.Backoff(rand=rand))
    assert [e["event_id"] for e in events] == [event["id"]]
    assert flaky.calls[:4] == ["receive_message"] * 4
    assert flaky.calls.count("delete_message") == 2  # throttled once, then deleted
    assert len(delays) == 4  # one backoff per failure
    assert left_in(sqs, url) == []


def test_a_permanent_error_stops_the_source_with_it(sqs):
    url = make_queue(sqs)
    flaky = Flaky(sqs, {"receive_message": [client_error("AccessDenied", 403)]})

    async def scenario():
        await src.main(asyncio.Queue(), {"queue_url": url, "wait_seconds": 0}, client=flaky)

    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        asyncio.run(scenario())


def test_bad_arguments_stop_main_before_any_call(sqs):
    flaky = Flaky(sqs, {})
    with pytest.raises(src.SourceArgumentError, match="needs queue_url or name"):
        asyncio.run(src.main(asyncio.Queue(), {"region": "us-east-1"}, client=flaky))
    assert flaky.calls == []


def test_an_assumed_role_reads_the_queue(sqs):
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="events-reader", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    url = make_queue(sqs)
    send(sqs, url, cloudtrail_event("DeleteRole", {"roleName": ROLE}))
    client = src.sqs_client(settings(role_arn=role, region="us-east-1"))
    assert client._request_signer._credentials.method == "sts-assume-role"
    events = run_until({"queue_url": url}, 1, client=client)
    assert [e["event_name"] for e in events] == ["DeleteRole"]


def test_the_source_reacts_to_exactly_the_events_the_rule_routes():
    """The rule of ecs_tools.iam.drift_events and this source name the same IAM calls: an event the
    rule drops never reaches the source, one the source ignores would be routed for nothing."""
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events

    assert src.ROLE_EVENT_NAMES == set(_drift_events.ROLE_EVENTS)
    assert src.POLICY_EVENT_NAMES == set(_drift_events.GRANT_EVENTS)
    assert src.INLINE_EVENT_NAMES == set(_drift_events.INLINE_GRANT_EVENTS)
