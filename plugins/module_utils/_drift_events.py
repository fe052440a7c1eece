# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The event plumbing of drift repair, as pure logic: no boto3.

IAM is global; its API calls reach EventBridge as ``AWS API Call via CloudTrail`` events on the
default bus of the partition's IAM home region (``us-east-1`` for ``aws``), and only while a
CloudTrail trail logs management events there. This file decides what the plumbing looks like:
the names, the event patterns, the queue, bus and forwarding-role policies, whether an object is
the collection's own (the ownership tag), which trail qualifies, and compares desired with current
attributes. ``_drift_events_aws`` makes the calls; ``_drift_events_service`` runs the plan.
"""

import json

# The tag that marks every object this plumbing creates; the value is the infrastructure role's name.
OWNER_TAG = "ecs_tools.iam:drift-events"

DETAIL_TYPE = "AWS API Call via CloudTrail"

# IAM calls that change the role: requestParameters.roleName names it.
ROLE_EVENTS = (
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
)

# IAM calls that change the PassRole grant policy or who holds it: requestParameters.policyArn names it.
GRANT_EVENTS = (
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
)

# IAM calls that put or delete an inline grant (pass_role mode inline): requestParameters.policyName names it.
INLINE_GRANT_EVENTS = (
    "PutUserPolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "DeleteGroupPolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
)

# Where IAM's CloudTrail events arrive, per partition.
IAM_EVENT_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}

SCOPES = ("account", "central", "member")

DLQ_RETENTION_SECONDS = 1209600  # 14 days, SQS's maximum: time to look at what could not be handled
QUEUE_TARGET_ID = "ecs-tools-iam-drift-queue"
BUS_TARGET_ID = "ecs-tools-iam-drift-central-bus"
QUEUE_POLICY_SID = "EventBridgeRuleOnly"
BUS_POLICY_SID = "EcsToolsIamDriftEventsOrganization"


class Names:
    """Every name and ARN of the plumbing, from the base ``name``; ARNs are deterministic, so check
    mode knows them before anything exists."""

    def __init__(self, name, role_name, account_id, partition, region, scope="account", central_bus_arn=None):
        self.name = name
        self.role_name = role_name
        self.account_id = account_id
        self.partition = partition
        self.region = region
        self.scope = scope
        self.queue = name
        self.dead_letter_queue = name + "-dlq"
        self.event_bus = name if scope == "central" else "default"
        self.rule = name if scope != "member" else name + "-forward"
        self.forward_role = name + "-forward"
        self.central_bus_arn = central_bus_arn

    def _arn(self, service, resource, region=None):
        return (
            f"arn:{self.partition}:{service}:{self.region if region is None else region}:{self.account_id}:{resource}"
        )

    @property
    def queue_arn(self):
        return self._arn("sqs", self.queue)

    @property
    def dead_letter_queue_arn(self):
        return self._arn("sqs", self.dead_letter_queue)

    @property
    def event_bus_arn(self):
        return self._arn("events", "event-bus/" + self.event_bus)

    @property
    def rule_arn(self):
        if self.event_bus == "default":
            return self._arn("events", "rule/" + self.rule)
        return self._arn("events", f"rule/{self.event_bus}/{self.rule}")

    @property
    def forward_role_arn(self):
        return self._arn("iam", "role/" + self.forward_role, region="")

    def grant_policy_arn(self, policy_name):
        return self._arn("iam", "policy/" + policy_name, region="")


def event_pattern(role_name, grant_policy_name, grant_policy_arn=None):
    """The EventBridge pattern: IAM's CloudTrail events that change the role (by ``roleName``), the
    grant policy (by ``policyArn``: the exact ARN, or, on a central bus that receives every member
    account's events, any ARN ending in ``:policy/<grant_policy_name>``) or an inline grant (by
    ``policyName``). The event source ecs_tools.iam.iam_role_events reacts to exactly these names."""
    grant = [grant_policy_arn] if grant_policy_arn else [{"suffix": ":policy/" + grant_policy_name}]
    return {
        "source": ["aws.iam"],
        "detail-type": [DETAIL_TYPE],
        "detail": {
            "eventSource": ["iam.amazonaws.com"],
            "$or": [
                {"eventName": list(ROLE_EVENTS), "requestParameters": {"roleName": [role_name]}},
                {"eventName": list(GRANT_EVENTS), "requestParameters": {"policyArn": grant}},
                {"eventName": list(INLINE_GRANT_EVENTS), "requestParameters": {"policyName": [grant_policy_name]}},
            ],
        },
    }


def queue_policy(queue_arn, rule_arn):
    """Only the rule may send: EventBridge, for that rule's ARN (``aws:SourceArn``)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": QUEUE_POLICY_SID,
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }


def bus_policy(bus_arn, organization_id):
    """The central bus admits PutEvents from principals of the organization only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": BUS_POLICY_SID,
                "Effect": "Allow",
                "Principal": "*",
                "Action": "events:PutEvents",
                "Resource": bus_arn,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            }
        ],
    }


def forward_trust_policy(account_id):
    """EventBridge assumes the forwarding role, for rules of this account only (confused deputy)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ],
    }


def forward_permissions(central_bus_arn):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": central_bus_arn}],
    }


def queue_attributes(dead_letter_arn, max_receive_count, kms_master_key_id=None):
    """The queue's desired attributes, as SQS returns them (strings), without the policy."""
    attributes = {"RedrivePolicy": {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": int(max_receive_count)}}
    attributes.update(encryption_attributes(kms_master_key_id))
    return attributes


def dead_letter_attributes(kms_master_key_id=None):
    attributes = {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    attributes.update(encryption_attributes(kms_master_key_id))
    return attributes


def encryption_attributes(kms_master_key_id=None):
    if kms_master_key_id:
        return {"KmsMasterKeyId": kms_master_key_id}
    return {"SqsManagedSseEnabled": "true"}


def _normal(value):
    """A JSON string (policies, redrive) or a value, for comparing: parsed, numbers as strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return value


def attribute_changes(desired, current):
    """The attributes of ``desired`` that ``current`` does not hold, ready for SetQueueAttributes
    (dicts as JSON). Switching between SSE-SQS and a KMS key also switches the other one off."""
    changes = {}
    for key, value in desired.items():
        if _normal(value) != _normal(current.get(key)):
            changes[key] = json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)
    if "KmsMasterKeyId" in changes and current.get("SqsManagedSseEnabled") == "true":
        changes["SqsManagedSseEnabled"] = "false"
    if "SqsManagedSseEnabled" in changes and current.get("KmsMasterKeyId"):
        changes["KmsMasterKeyId"] = ""
    return changes


def same_document(a, b):
    return _normal(a) == _normal(b)


def owned(tags, role_name):
    """Whether tags (a dict) mark an object as this plumbing's, for this role."""
    return (tags or {}).get(OWNER_TAG) == role_name


def foreign(kind, name, tags, role_name):
    """``None`` when the object is ours, else the entry that names it in the refusal."""
    if owned(tags, role_name):
        return None
    mark = (tags or {}).get(OWNER_TAG)
    if mark is None:
        reason = f"it does not carry the tag {OWNER_TAG}"
    else:
        reason = f"its tag {OWNER_TAG} names the role {mark}, not {role_name}"
    return {"type": kind, "name": name, "reason": reason}


def refusal_message(objects):
    return (
        "refusing to change or delete {0}, which the collection did not create ({1}); "
        "choose another name (option name) or remove the object yourself".format(
            ", ".join(f"{o['type']} {o['name']}" for o in objects),
            "; ".join(f"{o['type']} {o['name']}: {o['reason']}" for o in objects),
        )
    )


# ---------------------------------------------------------------- the trail


def _logs_management_writes(selectors):
    """``selectors``: GetEventSelectors' answer. Basic selectors: IncludeManagementEvents with
    ReadWriteType All or WriteOnly; advanced: a selector of eventCategory Management that does not
    keep read-only calls alone. A trail without selectors logs every management event (CloudTrail's
    default for a trail created without them)."""
    if not selectors.get("EventSelectors") and not selectors.get("AdvancedEventSelectors"):
        return True
    for selector in selectors.get("EventSelectors") or []:
        if selector.get("IncludeManagementEvents", True) and selector.get("ReadWriteType", "All") in (
            "All",
            "WriteOnly",
        ):
            return True
    for selector in selectors.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors") or []}
        if fields.get("eventCategory", {}).get("Equals") != ["Management"]:
            continue
        read_only = fields.get("readOnly", {})
        if read_only.get("Equals") in (None, ["false"]) and read_only.get("NotEquals") in (None, ["true"]):
            return True
    return False


def evaluate_trails(trails, region):
    """``trails``: each DescribeTrails entry with ``status`` (GetTrailStatus, or None when unreadable)
    and ``selectors`` (GetEventSelectors, or None). Returns the report: ``ok``, ``trail`` (the name of
    one that qualifies), ``trails`` (every one looked at, with why it does or does not qualify) and
    ``message``."""
    report = []
    found = None
    for trail in trails:
        entry = {"name": trail.get("Name"), "arn": trail.get("TrailARN"), "home_region": trail.get("HomeRegion")}
        entry["multi_region"] = bool(trail.get("IsMultiRegionTrail"))
        entry["organization_trail"] = bool(trail.get("IsOrganizationTrail"))
        status, selectors = trail.get("status"), trail.get("selectors")
        if not entry["multi_region"] and trail.get("HomeRegion") != region:
            entry["qualifies"], entry["reason"] = False, f"a single-region trail of {trail.get('HomeRegion')}"
        elif (status is None or selectors is None) and entry["organization_trail"]:
            # A member account sees its organization's trail but may not read its status: the
            # management account's trail, trusted as the organization's, and said so.
            entry["qualifies"] = True
            entry["reason"] = "the organization's trail (its status is readable in the management account only)"
            found = found or entry["name"]
        elif status is None or selectors is None:
            entry["qualifies"], entry["reason"] = False, "its status or event selectors could not be read"
        elif not status.get("IsLogging"):
            entry["qualifies"], entry["reason"] = False, "it is not logging"
        elif not _logs_management_writes(selectors):
            entry["qualifies"], entry["reason"] = False, "it does not log write management events"
        else:
            entry["qualifies"], entry["reason"] = True, f"logging write management events in {region}"
            found = found or entry["name"]
        report.append(entry)
    if found:
        message = f"CloudTrail trail {found} logs IAM's management events in {region}"
    else:
        message = (
            f"no CloudTrail trail logs write management events in {region} (a multi-region trail, or one in {region}, "
            "that is logging): IAM changes will not reach EventBridge and drift will not be repaired until "
            "one exists; this playbook does not create trails"
        )
    return {"ok": bool(found), "trail": found, "trails": report, "message": message}
