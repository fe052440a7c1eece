#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ecs_infrastructure_role_drift_events
short_description: Route IAM changes to the ECS infrastructure role into an SQS queue, for Event-Driven Ansible
version_added: 1.2.0
description:
  - Creates, updates or removes the event plumbing that lets an Event-Driven Ansible rulebook repair drift of the
    ECS infrastructure role within seconds; the playbook C(ecs_tools.iam.drift_events) runs it for one account or
    a whole organization.
  - IAM is global; its API calls reach EventBridge as C(AWS API Call via CloudTrail) events on the default event bus of
    C(us-east-1) (C(us-gov-west-1), C(cn-north-1) in the other partitions), so O(region) must be that region.
  - The rule matches C(aws.iam) events from C(iam.amazonaws.com) whose C(eventName) changes the role and whose
    C(requestParameters.roleName) is O(role_name) (C(AttachRolePolicy), C(DetachRolePolicy), C(PutRolePolicy),
    C(DeleteRolePolicy), C(UpdateAssumeRolePolicy), C(PutRolePermissionsBoundary), C(DeleteRolePermissionsBoundary),
    C(DeleteRole), C(UpdateRole), C(UpdateRoleDescription), C(TagRole), C(UntagRole)), or whose
    C(requestParameters.policyArn) is the PassRole grant policy (C(CreatePolicyVersion), C(SetDefaultPolicyVersion),
    C(DeletePolicyVersion), C(DeletePolicy) and the attach and detach calls for users, groups and roles), or that put
    or delete an inline policy named O(pass_role_policy_name) on a user, group or role (inline grants).
  - O(scope=account) creates, in this account, an encrypted SQS queue with a dead-letter queue and a queue policy
    that lets only the rule send to it, and the rule on the default bus targeting it.
  - O(scope=central) creates the queue and the dead-letter queue, an event bus named O(name) whose policy admits
    C(events:PutEvents) from the organization only (C(aws:PrincipalOrgID)), and the rule on that bus (the grant matched
    by policy name, in any account) targeting the queue.
  - O(scope=member) creates a rule C(<name>-forward) on the default bus with the same pattern, forwarding to
    O(central_event_bus_arn) through an IAM role C(<name>-forward) that EventBridge assumes (trusting
    C(events.amazonaws.com) for this account's rules only, allowed C(events:PutEvents) on that bus only).
  - Every object it creates carries the tag C(ecs_tools.iam:drift-events) with the role name. An object with one of
    these names that lacks the tag (or names another role) is never changed or deleted, O(state=absent) included;
    the module fails before any write, naming it (RV(foreign_objects)).
  - The CloudTrail trail IAM's events need (logging write management events, multi-region or in the events region)
    is checked and reported in RV(trail) and as a warning when missing; it is never created.
author:
  - ECS Tools maintainers (@ecs-tools)
options:
  state:
    description:
      - V(present) creates or converges the plumbing of O(scope); V(absent) removes it, only what carries the tag.
    type: str
    choices: [present, absent]
    default: present
  role_name:
    description:
      - The ECS infrastructure role whose changes are routed.
    type: str
    default: ecsInfrastructureRole
  pass_role_policy_name:
    description:
      - Name of the customer managed policy holding the PassRole grant (path C(/)). Defaults to O(role_name) followed
        by C(PassRole), as in M(ecs_tools.iam.ecs_infrastructure_role).
    type: str
  name:
    description:
      - Base name of the objects. The queue, the rule (and, with O(scope=central), the event bus) are called O(name);
        the dead-letter queue C(<name>-dlq); with O(scope=member) the rule and the IAM role C(<name>-forward).
    type: str
    default: ecs-infrastructure-role-drift
  scope:
    description:
      - V(account) for one account, V(central) for the account that holds the queue of an organization,
        V(member) for each account that forwards its events to it.
    type: str
    choices: [account, central, member]
    default: account
  central_event_bus_arn:
    description:
      - With O(scope=member), the ARN of the central account's event bus (what O(scope=central) returned in
        C(event_bus.arn) of RV(drift_events)).
    type: str
  organization_id:
    description:
      - With O(scope=central), the organization whose accounts may put events on the bus (C(o-...)). Defaults to the
        caller's organization (C(organizations:DescribeOrganization)).
    type: str
  kms_master_key_id:
    description:
      - A KMS key for the queues' server-side encryption. Its key policy must let C(events.amazonaws.com) use
        C(kms:GenerateDataKey) and C(kms:Decrypt). Omitted, the queues use SQS managed encryption (SSE-SQS).
    type: str
  max_receive_count:
    description:
      - How many times a message is received before SQS moves it to the dead-letter queue (1 to 1000).
    type: int
    default: 5
  check_trail:
    description:
      - Look for the CloudTrail trail IAM's events need, and warn when there is none. V(false) skips the CloudTrail calls.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change (RV(actions)) and changes nothing.
  diff_mode:
    support: full
    description: C(before) and C(after) say which of the objects exist.
  action_group:
    support: full
    membership: [ecs_tools.iam.aws]
    description: Use C(group/ecs_tools.iam.aws) in C(module_defaults) to set the connection options.
seealso:
  - module: ecs_tools.iam.ecs_infrastructure_role
  - name: Event plumbing for drift repair
    description: The collection's guide to the playbook, the IAM permissions it needs and the trail requirement.
    link: https://github.com/ecs-tools/iam/blob/main/docs/docsite/rst/guide_eda_plumbing.rst
  - name: EventBridge events from AWS services via CloudTrail
    description: How IAM's API calls reach EventBridge.
    link: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
"""

EXAMPLES = r"""
- name: One account, queue and rule in us-east-1
  ecs_tools.iam.ecs_infrastructure_role_drift_events:
    region: us-east-1
  register: plumbing

- name: Central account of an organization
  ecs_tools.iam.ecs_infrastructure_role_drift_events:
    region: us-east-1
    scope: central
  register: central

- name: A member account forwards to it
  ecs_tools.iam.ecs_infrastructure_role_drift_events:
    region: us-east-1
    scope: member
    central_event_bus_arn: "{{ central.drift_events.event_bus.arn }}"

- name: Remove the plumbing of one account
  ecs_tools.iam.ecs_infrastructure_role_drift_events:
    region: us-east-1
    state: absent
"""

RETURN = r"""
drift_events:
  description:
    - The plumbing as it is after the run (in check mode, as it would be); empty after O(state=absent).
    - C(scope); C(rule) (C(name), C(arn), C(event_bus_name), C(target)); C(queue) (C(name), C(arn),
      C(dead_letter_queue_arn), C(encryption), C(max_receive_count)) unless O(scope=member); C(event_bus) (C(name),
      C(arn), C(organization_id)) with O(scope=central); C(forward_role) (C(name), C(arn)) with O(scope=member).
  returned: always
  type: dict
  sample:
    scope: account
    rule: {"name": "ecs-infrastructure-role-drift", "event_bus_name": "default",
           "arn": "arn:aws:events:us-east-1:123456789012:rule/ecs-infrastructure-role-drift",
           "target": "arn:aws:sqs:us-east-1:123456789012:ecs-infrastructure-role-drift"}
    queue: {"name": "ecs-infrastructure-role-drift", "arn": "arn:aws:sqs:us-east-1:123456789012:ecs-infrastructure-role-drift",
            "dead_letter_queue_arn": "arn:aws:sqs:us-east-1:123456789012:ecs-infrastructure-role-drift-dlq",
            "encryption": "sqs_managed", "max_receive_count": 5}
event_pattern:
  description: The rule's event pattern (with O(scope=member), the forwarding rule's).
  returned: when O(state=present)
  type: dict
  sample: {"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventSource": ["iam.amazonaws.com"]}}
actions:
  description: What changed (in check mode, what would change), one sentence each, in order.
  returned: always
  type: list
  elements: str
  sample: ["create SQS queue ecs-infrastructure-role-drift-dlq", "create SQS queue ecs-infrastructure-role-drift"]
trail:
  description:
    - The CloudTrail check. C(ok) is V(true) when a logging trail records write management events in the events region;
      C(trail) names it; C(trails) lists each trail seen with C(qualifies) and C(reason); C(message) says what was found.
  returned: when O(check_trail=true)
  type: dict
  sample: {"ok": false, "trail": null, "trails": [], "message": "no CloudTrail trail logs write management events in us-east-1 ..."}
foreign_objects:
  description: On failure, the objects with the plumbing's names that the collection did not create; each C(type), C(name), C(reason).
  returned: when the module refuses to touch them
  type: list
  elements: dict
  sample: [{"type": "SQS queue", "name": "ecs-infrastructure-role-drift", "reason": "it does not carry the tag ecs_tools.iam:drift-events"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info

from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events
from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events_aws
from ansible_collections.ecs_tools.iam.plugins.module_utils import _drift_events_service as service
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import EcsToolsIAMModule


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        role_name=dict(type="str", default="ecsInfrastructureRole"),
        pass_role_policy_name=dict(type="str", no_log=False),  # PassRole, not a password
        name=dict(type="str", default="ecs-infrastructure-role-drift"),
        scope=dict(type="str", choices=list(_drift_events.SCOPES), default="account"),
        central_event_bus_arn=dict(type="str"),
        organization_id=dict(type="str"),
        kms_master_key_id=dict(type="str", no_log=False),  # a key id, not a secret
        max_receive_count=dict(type="int", default=5),
        check_trail=dict(type="bool", default=True),
    )


def converge(module):
    params = dict(module.params)
    params["pass_role_policy_name"] = params["pass_role_policy_name"] or params["role_name"] + "PassRole"
    account_id, partition = get_aws_account_info(module)
    region = module.region
    service.validate(params, partition, region)
    organization_id = params.get("organization_id")
    if params["scope"] == "central" and params["state"] == "present" and not organization_id:
        organization_id = _drift_events_aws.describe_organization(module.client("organizations"))["Id"]
    names = _drift_events.Names(
        params["name"],
        params["role_name"],
        account_id,
        partition,
        region,
        params["scope"],
        params.get("central_event_bus_arn"),
    )
    clients = {s: module.client(s) for s in ("sqs", "events", "iam")}
    plumbing = service.DriftEvents(clients, names, params, module.check_mode, organization_id)
    current = plumbing.run(params["state"])
    present = params["state"] == "present"
    result = dict(changed=bool(plumbing.actions), actions=plumbing.actions, drift_events=plumbing.summary(present))
    if present:
        result["event_pattern"] = plumbing.pattern()
    result["diff"] = dict(
        before={k: v is not None for k, v in sorted(current.items())},
        after={k: present for k in sorted(current)},
    )
    if params["check_trail"]:
        result["trail"] = service.trail_report(module.client("cloudtrail"), region)
    return result


def main():
    module = EcsToolsIAMModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = module.run(converge, module)
    trail = result.get("trail")
    if trail is not None and not trail["ok"] and module.params["state"] == "present":
        module.warn(trail["message"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
