# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.iam_role_events: an ansible-rulebook event source for IAM changes to the ECS
infrastructure role and its PassRole grant.

It long-polls an SQS queue that an EventBridge rule fills with "AWS API Call via CloudTrail" events
from IAM (the playbook ecs_tools.iam.drift_events creates both) and puts one rulebook event per
message on the rulebook's queue. ansible-rulebook loads this file by itself (no ansible-doc for event
sources): the options are in DOCUMENTATION below and in docs/docsite/rst/guide_eda.rst.
"""

import asyncio
import fnmatch
import json
import logging
import random
from collections import OrderedDict

DOCUMENTATION = r"""
---
short_description: IAM changes to the ECS infrastructure role, from an SQS queue fed by EventBridge.
description:
  - Long-polls an SQS queue with boto3. Each message body is an EventBridge event of detail-type
    C(AWS API Call via CloudTrail) from C(aws.iam).
  - Puts one event per message on the rulebook's queue, with the keys C(account), C(region),
    C(event_name), C(role_name), C(policy_arn), C(actor), C(event_time) and C(raw) (the whole
    EventBridge event), plus C(event_id), C(policy_name), C(target) (C(role), C(pass_role) or C(other)),
    C(automation) (true when the actor matches O(automation_principals)) and C(meta.hosts) (the
    inventory host of the account, to limit a playbook run to it).
  - A message is deleted only after its event was handed to the rulebook; one that was handed over
    but could not be deleted is not handed over twice by the same process (deduplicated on the
    EventBridge event id). After a restart such a message comes back once more (at-least-once delivery;
    the repair playbook is idempotent).
  - A message that is not an IAM CloudTrail event (not JSON, another source or detail-type) can never
    become one; it is logged with its message id and deleted.
  - Throttling, 5xx answers and dropped connections are retried with capped exponential backoff and
    jitter, for as long as it takes; any other AWS error (access denied, no such queue) stops the source
    with that error.
  - On cancellation (the rulebook stops) it returns at once; a message received but not yet handed
    over becomes visible again after the queue's visibility timeout.
options:
  queue_url:
    description: URL of the SQS queue. Either this or O(name).
    type: str
  name:
    description: Name of the SQS queue, looked up in O(region).
    type: str
  region:
    description: AWS region of the queue. Defaults to the standard chain (C(AWS_REGION), the profile).
    type: str
  endpoint_url:
    description: Another endpoint, for example a test server. C(AWS_ENDPOINT_URL) works as well.
    type: str
  access_key:
    description: AWS access key; without it the standard credential chain is used.
    type: str
  secret_key:
    description: AWS secret key.
    type: str
  session_token:
    description: STS session token for temporary credentials.
    type: str
  profile:
    description: Named profile of the AWS configuration.
    type: str
  role_arn:
    description:
      - A role to assume (STS AssumeRole) with those credentials before reading the queue; the
        temporary credentials are refreshed before they expire.
    type: str
  role_session_name:
    description: Session name for O(role_arn).
    type: str
    default: ecs-tools-iam-events
  wait_seconds:
    description: SQS long-poll time, 0 to 20. A message is returned as soon as it arrives.
    type: int
    default: 10
  max_messages:
    description: Messages per receive call, 1 to 10.
    type: int
    default: 10
  role_name:
    description: The infrastructure role whose changes are C(target=role).
    type: str
    default: ecsInfrastructureRole
  pass_role_policy_name:
    description:
      - Name of the PassRole grant (managed policy or inline policy) whose changes are C(target=pass_role).
        Empty means C(<role_name>PassRole), the module's default.
    type: str
  automation_principals:
    description:
      - ARN patterns (C(*) and C(?) wildcards) of the automation's own principals. An event whose
        actor (C(userIdentity.arn), or for an assumed role its issuer's role ARN) matches one has
        C(automation=true), so the rulebook can leave the automation's own repairs alone.
    type: list
    elements: str
    default: []
  account_hosts:
    description:
      - Account ID to inventory host name, for inventories that do not name hosts by account ID.
        An account not listed is its own host name.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Repair drift of the ECS infrastructure role
  hosts: all
  sources:
    - ecs_tools.iam.iam_role_events:
        queue_url: https://sqs.us-east-1.amazonaws.com/111122223333/ecs-infrastructure-role-events
        region: us-east-1
        automation_principals:
          - arn:aws:iam::*:role/ecs-tools-automation
  rules:
    - name: Print every change
      condition: event.target is defined
      action:
        print_event:
"""

LOG = logging.getLogger("ecs_tools.iam.iam_role_events")

DETAIL_TYPE = "AWS API Call via CloudTrail"
SOURCE = "aws.iam"
DEFAULT_ROLE_NAME = "ecsInfrastructureRole"

# IAM calls that change a role, with requestParameters.roleName naming it.
ROLE_EVENT_NAMES = frozenset(
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
# IAM calls that change who holds a managed policy, or the policy itself (requestParameters.policyArn).
POLICY_EVENT_NAMES = frozenset(
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
# Inline grants (pass_role mode inline): requestParameters.policyName names the grant.
INLINE_EVENT_NAMES = frozenset(
    ["PutUserPolicy", "DeleteUserPolicy", "PutGroupPolicy", "DeleteGroupPolicy", "PutRolePolicy", "DeleteRolePolicy"]
)

# Error codes that mean "try again later", whatever the service spells them.
TRANSIENT_CODES = frozenset(
    [
        "Throttling",
        "ThrottlingException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "AWS.SimpleQueueService.RequestThrottled",
        "KMS.ThrottlingException",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
    ]
)


class NotAnIamEvent(ValueError):
    """A message body that is not an IAM "AWS API Call via CloudTrail" event."""


class SourceArgumentError(ValueError):
    """Bad arguments: the source stops before any AWS call."""


def parse_event(body):
    """The rulebook keys of one SQS message body (an EventBridge event as JSON). Raises NotAnIamEvent."""
    try:
        event = json.loads(body) if isinstance(body, str) else body
    except ValueError as exc:
        raise NotAnIamEvent(f"the body is not JSON ({exc})") from None
    if not isinstance(event, dict):
        raise NotAnIamEvent("the body is not a JSON object")
    if event.get("detail-type") != DETAIL_TYPE or event.get("source") != SOURCE:
        raise NotAnIamEvent(
            f"not an IAM CloudTrail event (source {event.get('source')!r}, detail-type {event.get('detail-type')!r})"
        )
    detail = event.get("detail")
    if not isinstance(detail, dict) or not detail.get("eventName"):
        raise NotAnIamEvent("the event has no detail.eventName")
    params = detail.get("requestParameters") or {}
    if not isinstance(params, dict):
        params = {}
    identity = detail.get("userIdentity") or {}
    policy_arn = params.get("policyArn")
    policy_name = params.get("policyName")
    if not policy_name and isinstance(policy_arn, str):
        policy_name = policy_arn.rsplit("/", 1)[-1]
    return {
        "account": event.get("account") or detail.get("recipientAccountId"),
        "region": event.get("region") or detail.get("awsRegion"),
        "event_name": detail["eventName"],
        "role_name": params.get("roleName"),
        "policy_arn": policy_arn,
        "policy_name": policy_name,
        "actor": _actor(identity),
        "event_time": detail.get("eventTime") or event.get("time"),
        "event_id": event.get("id") or detail.get("eventID"),
        "raw": event,
    }


def _actor(identity):
    if not isinstance(identity, dict):
        return None
    return identity.get("arn") or identity.get("invokedBy") or identity.get("principalId")


def _issuer(identity):
    """The role ARN behind an assumed-role session (sessionContext.sessionIssuer.arn)."""
    if not isinstance(identity, dict):
        return None
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    return issuer.get("arn")


def classify(event, role_name=DEFAULT_ROLE_NAME, pass_role_policy_name=None, automation_principals=(), hosts=None):
    """Adds ``target``, ``automation`` and ``meta.hosts`` to a parsed event (see DOCUMENTATION)."""
    role_name = role_name or DEFAULT_ROLE_NAME
    grant = pass_role_policy_name or role_name + "PassRole"
    name = event["event_name"]
    target = "other"
    if name in ROLE_EVENT_NAMES and event["role_name"] == role_name:
        target = "role"
    elif event["policy_name"] == grant and (
        (name in POLICY_EVENT_NAMES and event["policy_arn"]) or name in INLINE_EVENT_NAMES
    ):
        target = "pass_role"
    identity = event["raw"].get("detail", {}).get("userIdentity")
    actors = [a for a in (event["actor"], _issuer(identity)) if a]
    automation = any(fnmatch.fnmatchcase(actor, pattern) for actor in actors for pattern in automation_principals)
    account = event["account"]
    return dict(
        event,
        target=target,
        automation=automation,
        meta={"hosts": (hosts or {}).get(account, account)},
    )


def to_rulebook_event(body, settings):
    """parse_event then classify, with the source's settings. Raises NotAnIamEvent."""
    return classify(
        parse_event(body),
        role_name=settings["role_name"],
        pass_role_policy_name=settings["pass_role_policy_name"],
        automation_principals=settings["automation_principals"],
        hosts=settings["account_hosts"],
    )


def settings_from_args(args):
    """The source's settings from the rulebook's arguments, validated. Raises SourceArgumentError."""

    def text(key, default=None):
        value = args.get(key)
        if value is None or value == "":
            return default
        if not isinstance(value, str):
            raise SourceArgumentError(f"{key} must be a string, got {value!r}")
        return value

    def number(key, default, low, high):
        value = args.get(key)
        if value is None or value == "":
            return default
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise SourceArgumentError(f"{key} must be an integer, got {args.get(key)!r}") from None
        if not low <= value <= high:
            raise SourceArgumentError(f"{key} must be between {low} and {high}, got {value}")
        return value

    patterns = args.get("automation_principals") or []
    if isinstance(patterns, str):
        patterns = [p.strip() for p in patterns.replace(",", "\n").splitlines() if p.strip()]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise SourceArgumentError(f"automation_principals must be a list of ARN patterns, got {patterns!r}")
    hosts = args.get("account_hosts") or {}
    if not isinstance(hosts, dict):
        raise SourceArgumentError(f"account_hosts must be a mapping of account ID to host name, got {hosts!r}")
    settings = {
        "queue_url": text("queue_url"),
        "name": text("name"),
        "region": text("region"),
        "endpoint_url": text("endpoint_url"),
        "access_key": text("access_key"),
        "secret_key": text("secret_key"),
        "session_token": text("session_token"),
        "profile": text("profile"),
        "role_arn": text("role_arn"),
        "role_session_name": text("role_session_name", "ecs-tools-iam-events"),
        "wait_seconds": number("wait_seconds", 10, 0, 20),
        "max_messages": number("max_messages", 10, 1, 10),
        "role_name": text("role_name", DEFAULT_ROLE_NAME),
        "pass_role_policy_name": text("pass_role_policy_name"),
        "automation_principals": patterns,
        "account_hosts": {str(k): str(v) for k, v in hosts.items()},
    }
    if not settings["queue_url"] and not settings["name"]:
        raise SourceArgumentError("ecs_tools.iam.iam_role_events needs queue_url or name (the SQS queue)")
    if bool(settings["access_key"]) != bool(settings["secret_key"]):
        raise SourceArgumentError("access_key and secret_key go together")
    return settings


def is_transient(exc):
    """True for errors worth waiting out: throttling, 5xx answers, dropped or refused connections."""
    import botocore.exceptions

    if isinstance(exc, (botocore.exceptions.HTTPClientError, botocore.exceptions.ConnectionError)):
        return True
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error.get("Code") in TRANSIENT_CODES or status >= 500
    return False


class Backoff:
    """Capped exponential backoff with full jitter: 0..min(cap, base * 2**n) seconds."""

    def __init__(self, base=0.5, cap=30.0, rand=random.random):
        self.base = base
        self.cap = cap
        self.rand = rand
        self.failures = 0

    def next_delay(self):
        delay = min(self.cap, self.base * (2**self.failures)) * self.rand()
        self.failures += 1
        return delay

    def reset(self):
        self.failures = 0


class RecentIds:
    """The ids of the last ``size`` events handed over (insertion order), to hand none over twice."""

    def __init__(self, size=10000):
        self.size = size
        self._ids = OrderedDict()

    def __contains__(self, key):
        return key in self._ids

    def add(self, key):
        self._ids[key] = True
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)


def sqs_client(settings):
    """A boto3 SQS client from the settings: explicit keys, a profile or the standard chain, then
    optionally an assumed role (refreshing credentials)."""
    import boto3
    import botocore.config

    session = boto3.Session(
        aws_access_key_id=settings["access_key"],
        aws_secret_access_key=settings["secret_key"],
        aws_session_token=settings["session_token"],
        profile_name=settings["profile"],
        region_name=settings["region"],
    )
    if settings["role_arn"]:
        session = _assumed_session(session, settings)
    config = botocore.config.Config(
        retries={"mode": "standard"},
        # The long poll holds the connection for wait_seconds: the read timeout must be longer.
        read_timeout=settings["wait_seconds"] + 20,
        user_agent_extra="ecs_tools.iam/iam_role_events",
    )
    return session.client("sqs", endpoint_url=settings["endpoint_url"], config=config)


def _assumed_session(base, settings):
    import boto3
    import botocore.credentials
    import botocore.session

    sts = base.client("sts", endpoint_url=settings["endpoint_url"])

    def refresh():
        creds = sts.assume_role(RoleArn=settings["role_arn"], RoleSessionName=settings["role_session_name"])[
            "Credentials"
        ]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    core = botocore.session.get_session()
    core._credentials = botocore.credentials.RefreshableCredentials.create_from_metadata(
        metadata=refresh(), refresh_using=refresh, method="sts-assume-role"
    )
    if base.region_name:
        core.set_config_variable("region", base.region_name)
    return boto3.Session(botocore_session=core)


async def _call(function, backoff, what, **kwargs):
    """Runs a blocking boto3 call in a thread, waiting out transient errors for as long as they last."""
    while True:
        try:
            result = await asyncio.to_thread(function, **kwargs)
            backoff.reset()
            return result
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = backoff.next_delay()
            LOG.warning("iam_role_events: %s failed (%s); retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)


async def main(queue, args, client=None, backoff=None):
    """ansible-rulebook's entry point. ``client`` and ``backoff``: for tests."""
    settings = settings_from_args(args)
    backoff = backoff or Backoff()
    if client is None:
        client = await asyncio.to_thread(sqs_client, settings)
    queue_url = settings["queue_url"]
    if not queue_url:
        queue_url = (await _call(client.get_queue_url, backoff, "GetQueueUrl", QueueName=settings["name"]))["QueueUrl"]
    LOG.info("iam_role_events: polling %s", queue_url)
    handed = RecentIds()
    try:
        while True:
            answer = await _call(
                client.receive_message,
                backoff,
                "ReceiveMessage",
                QueueUrl=queue_url,
                MaxNumberOfMessages=settings["max_messages"],
                WaitTimeSeconds=settings["wait_seconds"],
            )
            for message in answer.get("Messages", []):
                await _hand_over(queue, client, queue_url, message, settings, handed, backoff)
    except asyncio.CancelledError:
        LOG.info("iam_role_events: stopped")
        raise


async def _hand_over(queue, client, queue_url, message, settings, handed, backoff):
    try:
        event = to_rulebook_event(message.get("Body", ""), settings)
    except NotAnIamEvent as exc:
        LOG.warning("iam_role_events: message %s deleted, %s", message.get("MessageId"), exc)
    else:
        key = event["event_id"] or message.get("MessageId")
        if key in handed:
            LOG.info("iam_role_events: event %s was already handed over; deleting its message again", key)
        else:
            await queue.put(event)
            handed.add(key)
    await _delete(client, queue_url, message, backoff)


async def _delete(client, queue_url, message, backoff):
    import botocore.exceptions

    try:
        await _call(
            client.delete_message, backoff, "DeleteMessage", QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"]
        )
    except botocore.exceptions.ClientError as exc:
        # An expired receipt handle: the message comes back and is recognised by its event id.
        LOG.warning("iam_role_events: could not delete message %s (%s)", message.get("MessageId"), exc)


if __name__ == "__main__":
    # A manual check without ansible-rulebook: print what the source would hand over.
    import sys

    class _Printer:
        async def put(self, event):
            print(json.dumps(event, default=str))

    asyncio.run(main(_Printer(), {"queue_url": sys.argv[1]}))
