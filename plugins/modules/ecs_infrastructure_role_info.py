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
    use the role in each region (RV(usage)), and RV(findings), a list of problems with a severity.
  - RV(pass_role_principals) answers "who can pass the role" from every identity policy in the account
    (one paginated C(GetAccountAuthorizationDetails) read), not only from the collection's own grant.
  - A missing role returns RV(exists=false); it is not an error. The module never reports a change.
    For a missing role it still looks for the collection's own grant of a role of that name (the policy
    named O(pass_role_policy_name), tagged with a role ARN of that name in the caller's account, from STS);
    such an orphaned grant is a C(pass_role_orphaned_grant) finding.
author:
  - ECS Tools maintainers (@ecs-tools)
options:
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
extends_documentation_fragment:
  - ecs_tools.iam.role
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
seealso:
  - module: ecs_tools.iam.ecs_infrastructure_role
"""

EXAMPLES = r"""
- name: Check the infrastructure role before changing it
  ecs_tools.iam.ecs_infrastructure_role_info:
    usage_regions: [eu-west-1, us-east-1]
  register: infra

- name: Stop when the role has serious problems
  ansible.builtin.assert:
    that: infra.findings | selectattr('severity', 'equalto', 'high') | list | length == 0
    fail_msg: "{{ infra.findings | map(attribute='message') | join('; ') }}"
  when: infra.exists

- name: Everyone who can pass the role to a service other than ECS
  ansible.builtin.debug:
    msg: "{{ infra.pass_role_principals | rejectattr('classification', 'equalto', 'ecs_only') | map(attribute='arn') | list }}"
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
cloudtrail_role_session_names:
  description:
    - Capability to every CloudTrail C(roleSessionName) AWS documents for it, the current one first
      (V(load_balancers) has two, C(ECSNetworkingWithELB) and C(ecs-service-scheduler)).
  returned: when the role exists
  type: dict
  sample: {"load_balancers": ["ECSNetworkingWithELB", "ecs-service-scheduler"]}
  version_added: 1.1.0
pass_role:
  description:
    - The PassRole grants held in the collection's policy; C(mode) (V(managed_policy), V(inline), or null when
      there is no grant), C(policy_name), C(policy_arn) (managed), C(policy_document), C(users), C(groups), C(roles).
    - C(mark) (when the grant is held in the collection's own managed policy) is that policy's ownership mark, the
      value of its tag C(ecs_tools.iam:role-arn), this role's ARN. A managed policy of that name that is untagged
      (written by hand or by release 1.0.0) or marked for another role is not the grant here; it is listed in
      RV(foreign_objects) with its C(mark) (null when untagged), and M(ecs_tools.iam.ecs_infrastructure_role) adopts
      an untagged one only when it is provably the grant.
  returned: when the role exists
  type: dict
  sample: {"mode": "managed_policy", "policy_name": "ecsInfrastructureRolePassRole", "users": ["alice"], "groups": [], "roles": [],
           "mark": "arn:aws:iam::123456789012:role/ecsInfrastructureRole"}
usage:
  description:
    - What uses the role, as the in-use guard of M(ecs_tools.iam.ecs_infrastructure_role) sees it
      (C(services), C(tasks), C(volumes), C(regions), C(unreadable_regions)).
  returned: when the role exists and O(check_usage=true)
  type: dict
  sample: {"services": [], "tasks": [], "volumes": [], "regions": ["us-east-1"], "unreadable_regions": []}
pass_role_principals:
  description:
    - Every IAM user, group and role in the account that can pass the role, from the identity policies of
      one paginated C(GetAccountAuthorizationDetails) read (inline, attached, and for users their groups'
      policies; managed policies at their default version; permissions boundaries applied; explicit
      C(Deny) wins). Of the AWS managed policies, only those a principal uses are read (C(GetPolicy),
      C(GetPolicyVersion)); above 40 of them, all in one paginated read. Sorted by C(type), then C(name).
    - C(classification) is V(ecs_only) (only with C(iam:PassedToService) = C(ecs.amazonaws.com)),
      V(any_service) (to at least one other service, as no condition scopes it to ECS) or V(conditional)
      (it depends on conditions the module cannot evaluate, listed in C(conditions)).
    - C(administrator) is V(true) for an administrator of the account; one of its policies allows every action on
      every resource with no condition (C(Action) V(*) or V(*:*), C(Resource) V(*), as C(AdministratorAccess)
      does), no permissions boundary holds it back (none, or one that allows the same), and no C(Deny) bears on
      passing this role. C(Action) V(*) on the role's ARN alone is not an administrator. Every principal carries
      it (V(true) or V(false)); administrators are summarised in one C(pass_role_administrators) finding.
    - The C(iam:PassedToService) condition is decided knowing that service principals are lower-case;
      C(StringEqualsIgnoreCase) V(ECS.AMAZONAWS.COM) means V(ecs.amazonaws.com). Up to 20,000 states of its
      pattern search per question; past that, the principal is V(conditional) and C(conditions) says so.
    - C(grants) lists the policies that allow it, each with C(policy_name), C(policy_arn) (null for an inline
      policy), C(via) (V(inline), V(managed) or V(group)), C(group) (when via a group) and the
      C(classification) that policy alone gives.
    - C(conditions) lists what the evaluator could not decide, each with C(effect), C(operator), C(key),
      C(values) and the policy it is in.
    - C(reaches_other_services) is true when the principal can, or may, pass the role to a service other
      than ECS.
    - Not read, so out of scope; service control policies, resource control policies, session policies and
      resource-based policies.
  returned: when the role exists
  type: list
  elements: dict
  version_added: 1.1.0
  sample:
    - type: user
      name: alice
      arn: arn:aws:iam::123456789012:user/alice
      classification: any_service
      administrator: false
      reaches_other_services: true
      grants: [{"policy_name": "passrole-anything", "policy_arn": null, "via": "inline", "classification": "any_service"}]
      conditions: []
trust_hardened:
  description:
    - Whether the trust policy's ECS statement carries confused-deputy conditions that name the role's own account
      (C(aws:SourceAccount) with the account id, or C(aws:SourceArn) with an ECS ARN of the account), and none that
      names anything else. See O(ecs_tools.iam.ecs_infrastructure_role#module:trust_source_account).
    - V(false) for the trust policy AWS documents (it has no condition). A condition naming another account
      is not hardening; it is a C(trust_missing_ecs) finding.
  returned: when the role exists
  type: bool
  sample: false
  version_added: 1.2.0
foreign_objects:
  description:
    - Objects named like the PassRole grant policy that the collection cannot prove are its own (see the
      ownership rules of M(ecs_tools.iam.ecs_infrastructure_role)); each is also a C(pass_role_not_owned) finding.
      RV(pass_role) describes only the collection's own grant.
    - An untagged managed policy is listed here until M(ecs_tools.iam.ecs_infrastructure_role) adopts it (which
      it does only when every version is exactly the role's grant and O(ecs_tools.iam.ecs_infrastructure_role#module:pass_role)
      lists every principal holding it); this module reads no version but the default.
    - Each has C(type) (C(managed_policy) or C(inline_policy)), C(name), C(reason), and C(arn), C(mark) and
      C(holders) (managed) or C(principal_type) and C(principal) (inline).
  returned: when any was found
  type: list
  elements: dict
  sample: [{"type": "inline_policy", "name": "ecsInfrastructureRolePassRole", "principal_type": "user",
            "principal": "bob", "reason": "its document is not this role's PassRole grant"}]
  version_added: 1.1.0
findings:
  description:
    - Problems found, each with a C(code), a C(severity) (V(high), V(medium), V(low) or V(info)) and a C(message).
    - Codes are C(trust_missing_ecs), C(trust_extra_principal), C(trust_extra_action), C(overprivileged_managed_policy),
      C(volumes_policy_missing), C(volume_actions_blocked), C(pass_role_any_service), C(pass_role_administrators), C(pass_role_conditional),
      C(pass_role_without_condition), C(pass_role_wildcard_resource), C(pass_role_not_owned), C(pass_role_orphaned_grant),
      C(task_deprovisioning) and C(usage_region_unreadable); the user guide's findings table gives each one's severity,
      meaning and fix.
    - Who can pass the role; a principal that can pass it to a service other than ECS is C(pass_role_any_service)
      (V(high)), whatever the shape of its policy, unless it is an administrator (C(administrator) in RV(pass_role_principals));
      the administrators are one C(pass_role_administrators) finding (V(low)) per role, naming each of them.
      One cause gives one finding; C(AdministratorAccess) attached to the role itself is C(overprivileged_managed_policy) only.
    - C(volume_actions_blocked) names the permissions boundary or the C(Deny) that takes
      C(ec2:DetachVolume), C(ec2:DeleteVolume) or C(ec2:DescribeVolumes) away from a role that has
      C(AmazonECSInfrastructureRolePolicyForVolumes) or that ECS uses for volumes; V(high) when ECS-managed
      volumes use the role now, else V(medium). C(volumes_policy_missing) is raised only when no policy of the
      role allows those actions, so one cause gives one finding.
    - C(pass_role_orphaned_grant) (V(medium)), also when RV(exists=false), names the collection's own grant policy of a role
      of that name that does not exist and who still holds it; M(ecs_tools.iam.ecs_infrastructure_role) with
      O(ecs_tools.iam.ecs_infrastructure_role#module:state=absent) deletes it.
    - Each finding also has C(principals), the sorted principals it is about (added in 1.2.0), what the audit's accepted
      principals and baseline match on. For C(pass_role_any_service) and C(pass_role_conditional), the ARN of the
      principal; for C(pass_role_administrators), the ARN of every administrator it names; for C(trust_extra_principal),
      the values of the trust statement's other principals (ARNs, account IDs, service names, or C(*), also for a
      C(NotPrincipal) statement). Every other finding is about no principal (V([])).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "overprivileged_managed_policy", "severity": "medium", "principals": [],
            "message": "AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached; ..."},
           {"code": "pass_role_administrators", "severity": "low",
            "principals": ["arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"],
            "message": "1 administrator of the account can pass role ecsInfrastructureRole to any service, ..."}]
"""

from ansible_collections.ecs_tools.iam.plugins.module_utils._module import EcsToolsIAMModule
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import role_options
from ansible_collections.ecs_tools.iam.plugins.module_utils._service import RoleService


def argument_spec():
    return dict(
        role_options(),
        pass_role_policy_name=dict(type="str", no_log=False),  # PassRole, not a password
        check_usage=dict(type="bool", default=True),
    )


def main():
    module = EcsToolsIAMModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = module.run(RoleService.for_module(module).describe, module.params)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
