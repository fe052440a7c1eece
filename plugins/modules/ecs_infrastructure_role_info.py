#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ecs_infrastructure_role_info
short_description: Report on the Amazon ECS infrastructure IAM role, who can pass it, and what uses it
version_added: 1.0.0
description:
  - Read-only. Answers "is this role healthy, who can pass it, and what uses it?" before you change anything.
  - Returns the role, its attached policies and capabilities, the PassRole grants held in the
    collection's policy (managed or inline), the CloudTrail session names, what ECS and EBS resources
    use the role in each region (RV(usage)), and RV(findings), a list of problems.
  - A missing role returns RV(exists=false); it is not an error. The module never reports a change.
author:
  - ECS Tools maintainers (@ecs-tools)
options:
  name:
    description: Name of the IAM role.
    type: str
    default: ecsInfrastructureRole
    aliases: [role_name]
  pass_role_policy_name:
    description:
      - Name of the managed or inline policy holding the PassRole grants. Defaults to the role name
        followed by C(PassRole).
    type: str
  check_usage:
    description:
      - Scan ECS services, ECS tasks and EBS volumes for use of the role. V(false) makes only IAM calls.
    type: bool
    default: true
  usage_regions:
    description:
      - Regions to scan. When not set, every region enabled for the account (EC2 C(DescribeRegions)).
    type: list
    elements: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  action_group:
    description: Use C(group/ecs_tools.iam.aws) or C(group/amazon.aws.aws) in C(module_defaults) to set connection options.
    support: full
    membership:
      - ecs_tools.iam.aws
      - amazon.aws.aws
seealso:
  - module: ecs_tools.iam.ecs_infrastructure_role
"""

EXAMPLES = r"""
- name: Check the infrastructure role before changing it
  ecs_tools.iam.ecs_infrastructure_role_info:
    usage_regions: [eu-west-1, us-east-1]
  register: infra

- name: Stop when the role has problems
  ansible.builtin.assert:
    that: infra.findings | length == 0
    fail_msg: "{{ infra.findings | map(attribute='message') | join('; ') }}"
  when: infra.exists

- name: Who may pass the role to ECS
  ansible.builtin.debug:
    msg: "users={{ infra.pass_role.users }} groups={{ infra.pass_role.groups }} roles={{ infra.pass_role.roles }}"
  when: infra.exists
"""

RETURN = r"""
exists:
  description: Whether the role exists.
  returned: always
  type: bool
  sample: true
role:
  description: The role, as M(ecs_tools.iam.ecs_infrastructure_role) returns it.
  returned: when the role exists
  type: dict
  sample: {"arn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "role_name": "ecsInfrastructureRole", "path": "/"}
attached_policies:
  description: ARNs of the attached managed policies, sorted.
  returned: when the role exists
  type: list
  elements: str
  sample: ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"]
capabilities:
  description: Capabilities whose AWS managed policy is attached, sorted.
  returned: when the role exists
  type: list
  elements: str
  sample: ["volumes"]
cloudtrail_session_names:
  description: Capability to the CloudTrail C(roleSessionName) ECS uses for it.
  returned: when the role exists
  type: dict
  sample: {"volumes": "ECSTaskVolumesForEBS"}
pass_role:
  description:
    - The PassRole grants held in the collection's policy; C(mode) (V(managed_policy), V(inline), or null when
      there is no grant), C(policy_name), C(policy_arn) (managed), C(policy_document), C(users), C(groups), C(roles).
  returned: when the role exists
  type: dict
  sample: {"mode": "managed_policy", "policy_name": "ecsInfrastructureRolePassRole", "users": ["alice"], "groups": [], "roles": []}
usage:
  description:
    - What uses the role, as the in-use guard of M(ecs_tools.iam.ecs_infrastructure_role) sees it
      (C(services), C(tasks), C(volumes), C(regions), C(unreadable_regions)).
  returned: when the role exists and O(check_usage=true)
  type: dict
  sample: {"services": [], "tasks": [], "volumes": [], "regions": ["us-east-1"], "unreadable_regions": []}
findings:
  description:
    - Problems found, each with a C(code) and a C(message). Codes are C(trust_missing_ecs), C(trust_extra_principal),
      C(overprivileged_managed_policy), C(volumes_policy_missing), C(pass_role_without_condition),
      C(pass_role_wildcard_resource), C(task_deprovisioning) and C(usage_region_unreadable).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "overprivileged_managed_policy", "message": "AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached; ..."}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.ecs_tools.iam.plugins.module_utils import _analysis
from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _grants
from ansible_collections.ecs_tools.iam.plugins.module_utils import _iam
from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import EcsToolsIAMModule


def argument_spec():
    return dict(
        name=dict(type="str", default="ecsInfrastructureRole", aliases=["role_name"]),
        pass_role_policy_name=dict(type="str", no_log=False),  # PassRole, not a password
        check_usage=dict(type="bool", default=True),
        usage_regions=dict(type="list", elements="str"),
    )


def grant_documents(policy_name, current):
    """(document, where) pairs of the collection's own PassRole grants."""
    found = []
    if current["policy"] is not None:
        found.append((current["policy"]["document"], "managed policy " + current["policy"]["arn"]))
    for kind in _grants.KINDS:
        for principal, document in sorted((current["inline"] or {}).get(kind, {}).items()):
            found.append((document, "inline policy {0} of {1} {2}".format(policy_name, kind[:-1], principal)))
    return found


def describe(module, client, params):
    role = _iam.read_role(client, params["name"])
    if role is None:
        return dict(exists=False, findings=[])
    parsed = parse_aws_arn(role["arn"])
    partition, account_id = parsed["partition"], parsed["account_id"]
    spec = _grants.normalize_spec({"policy_name": params.get("pass_role_policy_name")}, params["name"])
    policy_arn = _grants.managed_policy_arn(partition, account_id, spec["policy_name"])
    grants = _iam.read_grants(client, spec, policy_arn, lambda policy: True)
    documents = grant_documents(spec["policy_name"], grants)
    pass_role = _grants.snapshot(spec, grants)
    if grants["policy"] is not None:
        pass_role["policy_arn"] = policy_arn

    attached = role.pop("attached_policies")
    capabilities = _catalog.capabilities_from_arns(attached, partition)
    findings = _analysis.trust_findings(role["assume_role_policy_document"])
    findings.extend(_analysis.attachment_findings(attached, partition))
    for document, where in documents:
        findings.extend(_analysis.grant_findings([document], where))
    result = dict(
        exists=True,
        role=role,
        attached_policies=attached,
        capabilities=capabilities,
        cloudtrail_session_names=_catalog.session_names(capabilities),
        pass_role=pass_role,
    )
    if params["check_usage"]:
        usage = _usage.scan_for_module(module, role["arn"], params.get("usage_regions"))
        result["usage"] = usage
        findings.extend(_analysis.usage_findings(usage, _catalog.VOLUMES in capabilities))
    result["findings"] = findings
    return result


def main():
    module = EcsToolsIAMModule(argument_spec=argument_spec(), supports_check_mode=True)
    problem = validate_iam_identifiers("role", name=module.params["name"])
    if problem:
        module.fail_json(msg="Invalid role name {0!r}: {1}.".format(module.params["name"], problem))
    client = module.client("iam", retry_decorator=_iam.retry_decorator())
    try:
        result = describe(module, client, module.params)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
