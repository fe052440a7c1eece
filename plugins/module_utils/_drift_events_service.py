# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service layer of the drift-event plumbing: read what exists, refuse what is not the collection's
own (before any write), then converge or remove each object, in dependency order, each step going
*compare, check mode, act*. Pure decisions come from ``_drift_events``, AWS calls from
``_drift_events_aws``. No helper ends the module; errors are raised (``NotOwned``, ``InvalidInput``,
``AnsibleAWSError``) and ``EcsToolsIAMModule.run`` turns them into the failed result.
"""

from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events as plan
from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events_aws as aws
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import NotOwned

RULE_DESCRIPTION = "ecs_tools.iam: IAM changes to the ECS infrastructure role {0} or its PassRole grant"
FORWARD_ROLE_DESCRIPTION = "ecs_tools.iam: lets EventBridge forward IAM drift events of {0} to the central bus"


def validate(params, partition, region):
    """Bad input fails before any call that writes, with what to do instead."""
    home = plan.IAM_EVENT_REGIONS.get(partition, "us-east-1")
    if region != home:
        raise InvalidInput(
            f"IAM's CloudTrail events reach EventBridge only in {home} (IAM is global); run this with region {home}, "
            f"not {region}"
        )
    scope = params["scope"]
    if scope == "member" and params["state"] == "present" and not params.get("central_event_bus_arn"):
        raise InvalidInput("scope member forwards to a central event bus: set central_event_bus_arn")
    bus_arn = params.get("central_event_bus_arn")
    if bus_arn and (not bus_arn.startswith("arn:") or ":event-bus/" not in bus_arn):
        raise InvalidInput(f"central_event_bus_arn {bus_arn} is not an EventBridge event bus ARN")
    if not 1 <= params["max_receive_count"] <= 1000:
        raise InvalidInput(f"max_receive_count must be between 1 and 1000, not {params['max_receive_count']}")


class DriftEvents:
    def __init__(self, clients, names, params, check_mode, organization_id=None):
        self.clients = clients  # service name -> boto3 client
        self.names = names
        self.params = params
        self.check_mode = check_mode
        self.organization_id = organization_id
        self.actions = []
        self.tags = {plan.OWNER_TAG: names.role_name}

    # ------------------------------------------------------------ reads

    def _queue(self, name):
        url = aws.get_queue_url(self.clients["sqs"], name)
        if url is None:
            return None
        return {
            "url": url,
            "attributes": aws.get_queue_attributes(self.clients["sqs"], url),
            "tags": aws.list_queue_tags(self.clients["sqs"], url),
        }

    def _rule(self):
        n = self.names
        rule = aws.describe_rule(self.clients["events"], n.rule, n.event_bus)
        if rule is None:
            return None
        return dict(
            rule,
            tags=aws.list_events_tags(self.clients["events"], rule["Arn"]),
            targets=aws.list_targets_by_rule(self.clients["events"], n.rule, n.event_bus),
        )

    def _bus(self):
        bus = aws.describe_event_bus(self.clients["events"], self.names.event_bus)
        if bus is None:
            return None
        return dict(bus, tags=aws.list_events_tags(self.clients["events"], bus["Arn"]))

    def _forward_role(self):
        n = self.names
        role = aws.get_role(self.clients["iam"], n.forward_role)
        if role is None:
            return None
        return dict(
            role,
            tags=aws.list_role_tags(self.clients["iam"], n.forward_role),
            policy=aws.get_role_policy(self.clients["iam"], n.forward_role, n.forward_role),
        )

    def read(self):
        n = self.names
        current = {"rule": self._rule()}
        if n.scope == "member":
            current["forward_role"] = self._forward_role()
        else:
            current["dead_letter_queue"] = self._queue(n.dead_letter_queue)
            current["queue"] = self._queue(n.queue)
        if n.scope == "central":
            current["event_bus"] = self._bus()
        return current

    def check_ownership(self, current):
        kinds = {
            "rule": ("EventBridge rule", lambda n: n.rule if n.event_bus == "default" else n.event_bus + "/" + n.rule),
            "queue": ("SQS queue", lambda n: n.queue),
            "dead_letter_queue": ("SQS queue", lambda n: n.dead_letter_queue),
            "event_bus": ("EventBridge event bus", lambda n: n.event_bus),
            "forward_role": ("IAM role", lambda n: n.forward_role),
        }
        found = []
        for key in ("event_bus", "rule", "queue", "dead_letter_queue", "forward_role"):
            if current.get(key) is None:
                continue
            kind, name = kinds[key]
            entry = plan.foreign(kind, name(self.names), current[key]["tags"], self.names.role_name)
            if entry:
                found.append(entry)
        if found:
            raise NotOwned(plan.refusal_message(found), foreign_objects=found)

    # ------------------------------------------------------------ present

    def _act(self, action, function, *args):
        self.actions.append(action)
        if not self.check_mode:
            return function(*args)
        return None

    def _converge_queue(self, current, name, attributes, policy=None):
        sqs = self.clients["sqs"]
        desired = dict(attributes)
        if policy is not None:
            desired["Policy"] = policy
        if current is None:
            create = plan.attribute_changes(desired, {})
            self._act("create SQS queue " + name, aws.create_queue, sqs, name, create, self.tags)
            return
        changes = plan.attribute_changes(desired, current["attributes"])
        if changes:
            action = f"update SQS queue {name} ({', '.join(sorted(changes))})"
            self._act(action, aws.set_queue_attributes, sqs, current["url"], changes)

    def _converge_rule(self, current, pattern, targets):
        n, events = self.names, self.clients["events"]
        description = RULE_DESCRIPTION.format(n.role_name)
        if (
            current is None
            or not plan.same_document(current.get("EventPattern"), pattern)
            or current.get("State") != "ENABLED"
            or current.get("Description") != description
        ):
            verb = "create" if current is None else "update"
            self._act(
                f"{verb} EventBridge rule {n.rule}",
                aws.put_rule,
                events,
                n.rule,
                n.event_bus,
                pattern,
                description,
                self.tags,
            )
        have = {t["Id"]: t for t in (current or {}).get("targets", [])}
        want = {t["Id"]: t for t in targets}
        extra = sorted(set(have) - set(want))
        if extra:
            self._act(
                f"remove targets {', '.join(extra)} from rule {n.rule}",
                aws.remove_targets,
                events,
                n.rule,
                n.event_bus,
                extra,
            )
        stale = [t for i, t in sorted(want.items()) if not plan.same_document(have.get(i), t)]
        if stale:
            action = f"set targets {', '.join(t['Id'] for t in stale)} of rule {n.rule}"
            self._act(action, aws.put_targets, events, n.rule, n.event_bus, stale)

    def _converge_bus(self, current):
        n, events = self.names, self.clients["events"]
        if current is None:
            self._act(
                "create EventBridge event bus " + n.event_bus, aws.create_event_bus, events, n.event_bus, self.tags
            )
        policy = plan.bus_policy(n.event_bus_arn, self.organization_id)
        if current is None or not plan.same_document(current.get("Policy"), policy):
            action = f"set the policy of event bus {n.event_bus} (organization {self.organization_id})"
            self._act(action, aws.put_permission, events, n.event_bus, policy)

    def _converge_forward_role(self, current):
        n, iam = self.names, self.clients["iam"]
        trust = plan.forward_trust_policy(n.account_id)
        permissions = plan.forward_permissions(n.central_bus_arn)
        if current is None:
            description = FORWARD_ROLE_DESCRIPTION.format(n.role_name)
            self._act(
                "create IAM role " + n.forward_role, aws.create_role, iam, n.forward_role, trust, description, self.tags
            )
        elif not plan.same_document(current.get("AssumeRolePolicyDocument"), trust):
            self._act(
                "update the trust policy of IAM role " + n.forward_role,
                aws.update_assume_role_policy,
                iam,
                n.forward_role,
                trust,
            )
        if current is None or not plan.same_document(current.get("policy"), permissions):
            action = f"put inline policy {n.forward_role} (events:PutEvents on {n.central_bus_arn})"
            self._act(action, aws.put_role_policy, iam, n.forward_role, n.forward_role, permissions)

    def pattern(self):
        """The rule's event pattern. On the central bus, which receives every member account's events,
        the grant is matched by name, whatever the account; elsewhere by its exact ARN."""
        n, name = self.names, self.params["pass_role_policy_name"]
        if n.scope == "central":
            return plan.event_pattern(n.role_name, name)
        return plan.event_pattern(n.role_name, name, grant_policy_arn=n.grant_policy_arn(name))

    def present(self, current):
        n, p = self.names, self.params
        if n.scope == "member":
            self._converge_forward_role(current["forward_role"])
            target = {"Id": plan.BUS_TARGET_ID, "Arn": n.central_bus_arn, "RoleArn": n.forward_role_arn}
            self._converge_rule(current["rule"], self.pattern(), [target])
            return
        if n.scope == "central":
            self._converge_bus(current["event_bus"])
        kms = p.get("kms_master_key_id")
        self._converge_queue(current["dead_letter_queue"], n.dead_letter_queue, plan.dead_letter_attributes(kms))
        attributes = plan.queue_attributes(n.dead_letter_queue_arn, p["max_receive_count"], kms)
        self._converge_queue(current["queue"], n.queue, attributes, plan.queue_policy(n.queue_arn, n.rule_arn))
        self._converge_rule(current["rule"], self.pattern(), [{"Id": plan.QUEUE_TARGET_ID, "Arn": n.queue_arn}])

    # ------------------------------------------------------------ absent

    def absent(self, current):
        n = self.names
        events = self.clients["events"]
        rule = current["rule"]
        if rule is not None:
            ids = [t["Id"] for t in rule["targets"]]
            if ids:
                self._act("remove targets of rule " + n.rule, aws.remove_targets, events, n.rule, n.event_bus, ids)
            self._act("delete EventBridge rule " + n.rule, aws.delete_rule, events, n.rule, n.event_bus)
        for key, name in (("queue", n.queue), ("dead_letter_queue", n.dead_letter_queue)):
            if current.get(key) is not None:
                self._act("delete SQS queue " + name, aws.delete_queue, self.clients["sqs"], current[key]["url"])
        if current.get("event_bus") is not None:
            self._act("delete EventBridge event bus " + n.event_bus, aws.delete_event_bus, events, n.event_bus)
        if current.get("forward_role") is not None:
            iam = self.clients["iam"]
            if current["forward_role"]["policy"] is not None:
                self._act(
                    "delete inline policy " + n.forward_role,
                    aws.delete_role_policy,
                    iam,
                    n.forward_role,
                    n.forward_role,
                )
            self._act("delete IAM role " + n.forward_role, aws.delete_role, iam, n.forward_role)

    # ------------------------------------------------------------ the run

    def run(self, state):
        current = self.read()
        self.check_ownership(current)
        if state == "present":
            self.present(current)
        else:
            self.absent(current)
        return current

    def summary(self, present):
        """What the plumbing is (``present``) or was: names and ARNs, for the result and the diff."""
        n, p = self.names, self.params
        if not present:
            return {}
        result = {"scope": n.scope, "rule": {"name": n.rule, "arn": n.rule_arn, "event_bus_name": n.event_bus}}
        if n.scope == "member":
            result["rule"]["target"] = n.central_bus_arn
            result["forward_role"] = {"name": n.forward_role, "arn": n.forward_role_arn}
        else:
            result["queue"] = {
                "name": n.queue,
                "arn": n.queue_arn,
                "dead_letter_queue_arn": n.dead_letter_queue_arn,
                "encryption": "kms" if p.get("kms_master_key_id") else "sqs_managed",
                "max_receive_count": p["max_receive_count"],
            }
            result["rule"]["target"] = n.queue_arn
        if n.scope == "central":
            result["event_bus"] = {"name": n.event_bus, "arn": n.event_bus_arn, "organization_id": self.organization_id}
        return result


def current_summary(service, current):
    """The diff's ``before``: which of the plumbing's objects exist."""
    return {key: value is not None for key, value in sorted(current.items())}


def trail_report(cloudtrail, region):
    """Every trail this account sees (its own and its organization's), with its status and selectors."""
    trails = []
    for trail in aws.describe_trails(cloudtrail):
        arn = trail.get("TrailARN")
        trails.append(
            dict(
                trail, status=aws.get_trail_status(cloudtrail, arn), selectors=aws.get_event_selectors(cloudtrail, arn)
            )
        )
    return plan.evaluate_trails(trails, region)
