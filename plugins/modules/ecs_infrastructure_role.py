#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ecs_infrastructure_role
short_description: Manage the Amazon ECS infrastructure IAM role
version_added: 1.0.0
description:
  - Creates, updates or deletes the IAM role that Amazon ECS assumes to manage infrastructure
    for you (EBS volumes of tasks, Service Connect TLS, VPC Lattice target groups, load
    balancers for blue/green deployments, ECS Managed Instances, Express Mode services).
  - The role always trusts the C(ecs.amazonaws.com) service principal with exactly the trust
    policy AWS documents. A drifted trust policy is repaired. The comparison is semantic;
    statement and key order, a scalar versus a one-element list, and statement ids do not count.
  - Confused-deputy conditions on the ECS statement that name the role's own account (C(aws:SourceAccount) with
    the account id, C(aws:SourceArn) with an ECS ARN of the account such as C(arn:<partition>:ecs:*:<account>:*))
    are not drift, and a repair keeps them (see O(trust_source_account)). Such a condition naming another
    account, and any other condition, is drift and is removed.
  - Each capability attaches its AWS managed policy by ARN, built from the caller's partition
    (C(aws), C(aws-cn) or C(aws-us-gov)). The contents of AWS managed policies are never copied.
  - Every input is validated before the first AWS write; a policy to attach that does not exist
    fails the task before anything changes, naming it.
  - Tag values (O(tags)) that YAML reads as numbers or booleans are converted to text once, before they are
    validated and compared, to the text C(amazon.aws) writes (its C(ansible_dict_to_boto3_tag_list) uses
    C(to_native)); V(12345) becomes C("12345"), V(true) becomes C("True"), V(1.5) becomes C("1.5"). A second run
    compares the same text and reports no change. Quote a value to keep its spelling (C("true"), C("012")).
    A V(null) value (an empty value, C(~) or C(null) in YAML) fails the task before any write, naming the key;
    write C('') for an empty value.
  - PassRole grantees (O(pass_role.users), O(pass_role.groups), O(pass_role.roles)) are matched to the names IAM
    stores regardless of case, as IAM does (C(Alice) and C(alice) are one user); the plan and the result use IAM's
    spelling.
  - A run where nothing needs changing only reads (C(GetRole) and C(ListAttachedRolePolicies); with O(pass_role),
    C(GetPolicy), C(GetPolicyVersion) and C(ListEntitiesForPolicy) in O(pass_role.mode=managed_policy), C(GetPolicy)
    and the paginated C(GetAccountAuthorizationDetails) in O(pass_role.mode=inline)) and reports RV(ignore:changed=false).
  - After writing, the module reads back what it changed (the role, its attachments, the grant holders). If IAM
    still shows something else after a few seconds (another writer changed the role at the same time), the
    task fails with C(changed concurrently by another writer) and the differences in RV(differences),
    instead of reporting success for a state it did not reach. Run it again to converge.
author:
  - ECS Tools maintainers (@ecs-tools)
options:
  state:
    description:
      - V(present) creates or updates the role; V(absent) removes the role's PassRole grants that the collection
        can prove are its own (see O(pass_role)), detaches the role's managed policies, deletes its
        inline policies, removes it from instance profiles and deletes it.
      - V(absent) never changes or deletes an object that merely shares the grant's name; it lists them in
        RV(foreign_objects) and in a warning. It looks for grants under O(pass_role.policy_name) only (default
        C(<role name>PassRole)); set O(pass_role.policy_name) if the grants were made under another name.
      - V(absent) deletes an untagged managed policy only when it adopts it (see O(pass_role)), so without
        O(pass_role) only when nobody holds it.
      - When the role no longer exists (deleted by hand), V(absent) still deletes the collection's own grant managed
        policy of a role of that name in the caller's account (tagged C(ecs_tools.iam:role-arn) with a role ARN of
        that name, at any path; the account comes from STS), detaching it from its holders first, and reports a change.
    type: str
    choices: [present, absent]
    default: present
  path:
    description:
      - IAM path of the role, V(/) or a form like V(/ecs/infra/).
      - When not set, a new role gets V(/) and an existing role keeps its path.
      - IAM cannot change the path of an existing role. A different path fails the task and
        changes nothing.
    type: str
  description:
    description:
      - Description of the role. When not set, the description is left alone.
    type: str
  capabilities:
    description:
      - ECS features the role serves. Each one attaches its AWS managed policy.
      - V(volumes) attaches C(service-role/AmazonECSInfrastructureRolePolicyForVolumes).
      - V(service_connect_tls) attaches C(service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity).
      - V(vpc_lattice) attaches C(AmazonECSInfrastructureRolePolicyForVpcLattice) (no C(service-role/) path).
      - V(load_balancers) attaches C(AmazonECSInfrastructureRolePolicyForLoadBalancers).
      - V(managed_instances) attaches C(AmazonECSInfrastructureRolePolicyForManagedInstances).
      - V(express_gateway_services) attaches C(service-role/AmazonECSInfrastructureRoleforExpressGatewayServices).
      - When neither O(capabilities) nor O(managed_policies) is set, attachments are not managed.
    type: list
    elements: str
    choices: [volumes, service_connect_tls, vpc_lattice, load_balancers, managed_instances, express_gateway_services]
  managed_policies:
    description:
      - Further managed policies to attach, as ARNs or as names of customer managed policies
        (at path V(/)) in the role's account.
      - Every policy that is not attached yet must exist; otherwise the task fails before any write.
    type: list
    elements: str
  purge_policies:
    description:
      - When O(capabilities) or O(managed_policies) is set, detach attached managed policies that
        neither names.
    type: bool
    default: true
  permissions_boundary:
    description:
      - ARN of the managed policy used as the role's permissions boundary.
      - V("") removes the boundary. When not set, the boundary is left alone.
    type: str
  max_session_duration:
    description:
      - Maximum session duration in seconds, 3600 to 43200. When not set, it is left alone
        (a new role gets IAM's default of 3600).
    type: int
  pass_role:
    description:
      - Who may pass this role to ECS (C(iam:PassRole)). When not set, grants are not managed.
      - The grant is exactly one statement; V(Allow) C(iam:PassRole) on the role's exact ARN
        (partition, account and path) with the condition C(StringEquals iam:PassedToService ecs.amazonaws.com).
        No grant without that condition, or with a wildcard resource, is ever written.
      - Every listed principal must exist; otherwise the task fails before any write, naming each missing one.
        A principal listed twice is an error.
      - Switching O(pass_role.mode) moves every grant to the new form and leaves none of the old behind.
      - B(Ownership.) The module only changes, attaches, detaches or deletes a grant object it can prove is its own.
        The managed policy it creates carries the tag C(ecs_tools.iam:role-arn) with the role's ARN as value (and
        a description naming the collection). An existing managed policy named O(pass_role.policy_name) is its own
        when it carries that tag for this role. An untagged one (a grant written by hand from the AWS guide, or by
        release 1.0.0) is adopted only when it is provably the grant, that is when B(every) version, not only the
        default one, is exactly this role's grant and every principal holding it is listed in O(pass_role) (names
        compared regardless of case); the module then adds the tag (with O(pass_role.mode=inline), moves its holders to
        inline grants and deletes it), shows C(pass_role.adopted) in the diff and warns C(Adopting managed policy ...).
        Otherwise (a dormant version that one C(SetDefaultPolicyVersion) would make the policy, or a holder the task does
        not list, whom O(pass_role.purge) would revoke) it is foreign, and the message names the version or the holder.
        Inline policies cannot be tagged, so one named O(pass_role.policy_name) is its own only when its document
        is exactly the grant.
      - When the module replaces the document of its own grant policy, it deletes the older versions, so no loose version
        stays behind, dormant.
      - Any other object of that name (someone else's policy, or the grant of another role) makes the task fail
        before any write, in check mode too, naming the object, who holds it and how to resolve it (choose another
        O(pass_role.policy_name), or remove the object); the objects are listed in RV(foreign_objects).
      - In O(pass_role.mode=managed_policy) the role's ARN is the tag's value, so the role name and path must not
        contain a comma (IAM tag values cannot).
    type: dict
    suboptions:
      users:
        description: IAM user names.
        type: list
        elements: str
        default: []
      groups:
        description: IAM group names.
        type: list
        elements: str
        default: []
      roles:
        description: IAM role names.
        type: list
        elements: str
        default: []
      mode:
        description:
          - V(managed_policy) keeps the grant in one customer managed policy, named O(pass_role.policy_name),
            attached to every listed principal. A converged run reads it with three calls whatever the number of grantees.
          - V(inline) puts an inline policy named O(pass_role.policy_name) on each listed principal. Finding the
            current holders reads the account's authorization details (C(GetAccountAuthorizationDetails)).
        type: str
        choices: [managed_policy, inline]
        default: managed_policy
      policy_name:
        description:
          - Name of the managed or inline policy holding the grant. Defaults to the role name followed by C(PassRole),
            for example C(ecsInfrastructureRolePassRole).
        type: str
      purge:
        description:
          - When V(true), principals that hold the grant but are not listed lose it.
          - When V(false), they keep it (when switching modes, their grant is moved too).
        type: bool
        default: true
  force:
    description:
      - Let a destructive change go ahead although the in-use guard found the role in use
        (the findings are still returned in RV(in_use)).
      - The guard runs before deleting the role, and before any change to an existing role's attached
        managed policies, O(permissions_boundary) or trust policy that would take C(ec2:DetachVolume),
        C(ec2:DeleteVolume) or C(ec2:DescribeVolumes) away from ECS. It evaluates the role after the change
        as IAM would (its managed and inline policies, any explicit C(Deny), the permissions boundary, and
        whether the trust policy still lets C(ecs.amazonaws.com) assume the role), counting
        C(AmazonECSInfrastructureRolePolicyForVolumes) by its ARN. Conditions on the volume's
        C(AmazonECSManaged) and C(AmazonECSCreated) tags are decided; an C(Allow) under any other condition does
        not count and a C(Deny) under one does, so an undecided case is treated as a loss. A change that
        keeps the actions, or that touches a role which surely could not call them before, is not guarded.
      - When the guard runs, it looks, in every region enabled for the account (or those in O(usage_regions)),
        for ECS services whose deployments reference the role, ECS tasks in C(DEPROVISIONING), and attached
        EBS volumes tagged C(AmazonECSManaged=true). If it finds any, or cannot read a region, the task fails,
        lists them with what would take the actions away, and changes nothing (in check mode too).
      - 'Example of the message: "Refusing to delete role ''ecsInfrastructureRole'': ECS may still
        need it to clean up EBS volumes, and tasks would be left in DEPROVISIONING with their volumes undeleted.
        Found: volume vol-0abc (eu-west-1): ECS-managed EBS volume (AmazonECSManaged=true) attached to i-0123
        for task arn:aws:ecs:.... Nothing was changed. Wait until these tasks have stopped and their volumes
        are deleted, or set force: true to go ahead anyway."'
      - 'Example for a permissions boundary: "Refusing to change role ''ecsInfrastructureRole'': ECS may still
        need it to clean up EBS volumes, [...] After this change ECS could no longer clean up the EBS volumes it
        manages: permissions_boundary arn:aws:iam::123456789012:policy/S3OnlyBoundary allows none of
        ec2:DetachVolume, ec2:DeleteVolume, ec2:DescribeVolumes. Found: volume vol-0abc (us-east-1): [...]"'
      - A run that changes nothing destructive makes no ECS or EC2 call.
    type: bool
    default: false
  trust_source_account:
    description:
      - When V(true), the ECS statement of the trust policy carries the condition
        C(StringEquals aws:SourceAccount <the role's account id>), so that ECS can assume the role only when it
        acts for a resource of this account (a guard against the confused deputy problem). A new role is created
        with it; an existing role's trust policy without it is updated.
      - When V(false) (the default), the module writes the trust policy exactly as AWS documents it, and keeps
        C(aws:SourceAccount) and C(aws:SourceArn) conditions naming this account that someone added (they are not
        drift); it does not remove them.
      - What AWS documents. The trust policy AWS documents for the ECS infrastructure role has no condition.
        C(aws:SourceAccount) and C(aws:SourceArn) are AWS's general guidance against the confused deputy problem
        for service principals (IAM User Guide, I(The confused deputy problem)); AWS does not document them for this
        role, and this collection does not claim that ECS supports them here beyond that general guidance. If ECS
        did not send C(aws:SourceAccount) when it assumes the role, ECS could no longer use it. Test it in a
        non-production account first (create a service with an EBS volume, or whichever capability you use),
        before you enable it where tasks run.
    type: bool
    default: false
    version_added: 1.2.0
  wait:
    description:
      - After creating or changing the role, return only once IAM reads the role back.
      - Calls made right after C(CreateRole) retry C(NoSuchEntity) whatever the value of O(wait).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds O(wait=true) waits at most.
    type: int
    default: 120
extends_documentation_fragment:
  - ecs_tools.iam.role
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Makes no write and reports what would change; on creation it returns the ARN the role would get.
  diff_mode:
    support: full
    description: >-
      Shows the trust policy, attached policies, tags and other settings before and after; the grants with the
      ownership mark of the grant managed policy (C(pass_role.mark), see RV(diff.after.pass_role.mark)); an adopted
      grant policy under C(pass_role.adopted) (its C(arn), C(versions) and C(holders)).
notes:
  - IAM is eventually consistent. ECS can refuse a role for a short time after it is created
    ("ECS was unable to assume the configured ECS Infrastructure Role"); keep O(wait=true).
  - Use the C(ecs_tools.iam.aws) action group with C(module_defaults) to set connection options once
    for this collection and C(amazon.aws).
seealso:
  - name: Amazon ECS infrastructure IAM role
    description: The AWS procedure this module automates.
    link: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
  - module: amazon.aws.iam_role
"""

EXAMPLES = r"""
# The examples run in this order in one account, each keeping what the ones before it did (a task without
# capabilities or managed_policies leaves the attached policies alone), and the last two delete both roles.
# They assume credentials allowed by the collection's docs/iam-policies/all.json, and these objects, which
# the module never creates (it fails before any change, naming each one that is missing):
# - the customer managed policies EcsBoundary (a permissions boundary) and EcsInfraExtraPermissions;
# - the IAM role github-actions-deploy, the group platform-engineers and the user alice.

- name: Create the infrastructure role for EBS volumes and Service Connect TLS
  ecs_tools.iam.ecs_infrastructure_role:
    capabilities:
      - volumes
      - service_connect_tls
  register: infra_role

- name: Show what ECS will log in CloudTrail for each capability
  ansible.builtin.debug:
    var: infra_role.cloudtrail_session_names

- name: Find the account id, for the boundary's ARN
  amazon.aws.aws_caller_info:
  register: caller

- name: A second role under a path, with a boundary, tags and a customer managed policy
  ecs_tools.iam.ecs_infrastructure_role:
    name: ecsInfrastructureRole-prod
    path: /ecs/
    description: ECS infrastructure role for the production clusters
    capabilities: [volumes, vpc_lattice]
    managed_policies:
      - EcsInfraExtraPermissions
    permissions_boundary: "arn:aws:iam::{{ caller.account }}:policy/EcsBoundary"
    max_session_duration: 7200
    tags:
      team: platform

- name: Add a capability to the first role without detaching anything attached by hand
  ecs_tools.iam.ecs_infrastructure_role:
    capabilities: [load_balancers]
    purge_policies: false

- name: Let the deploy pipeline role and the platform team pass the first role to ECS (and nobody else)
  ecs_tools.iam.ecs_infrastructure_role:
    pass_role:
      roles: [github-actions-deploy]
      groups: [platform-engineers]
      users: [alice]

- name: The same grants as inline policies on each principal, keeping grantees added by hand
  ecs_tools.iam.ecs_infrastructure_role:
    pass_role:
      mode: inline
      roles: [github-actions-deploy]
      purge: false

- name: Delete the second role (its PassRole grants are removed first); refused while ECS still uses it
  ecs_tools.iam.ecs_infrastructure_role:
    name: ecsInfrastructureRole-prod
    state: absent

- name: Delete the first role although ECS-managed volumes may be attached somewhere (you know they are gone soon)
  ecs_tools.iam.ecs_infrastructure_role:
    state: absent
    force: true
    usage_regions: [eu-west-1, us-east-1]
  register: deleted

- name: Show what the guard found
  ansible.builtin.debug:
    var: deleted.in_use
"""

RETURN = r"""
role:
  description: The role (after the change; in check mode, what it would be). Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    arn:
      description: The role's ARN.
      type: str
      sample: arn:aws:iam::123456789012:role/ecsInfrastructureRole
    role_name:
      description: The role's name.
      type: str
      sample: ecsInfrastructureRole
    role_id:
      description: The role's unique id (null in check mode on creation).
      type: str
      sample: AROAEXAMPLEID1234567
    path:
      description: The role's path.
      type: str
      sample: /
    create_date:
      description: When the role was created, ISO 8601 (null in check mode on creation).
      type: str
      sample: "2026-11-29T09:30:00+00:00"
    description:
      description: The role's description.
      type: str
      sample: ECS infrastructure role
    max_session_duration:
      description: Maximum session duration in seconds.
      type: int
      sample: 3600
    permissions_boundary:
      description: ARN of the permissions boundary, or an empty string.
      type: str
      sample: ""
    tags:
      description: The role's tags.
      type: dict
      sample: {"team": "platform"}
    assume_role_policy_document:
      description: The trust policy.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": [{"Sid": "AllowAccessToECSForInfrastructureManagement",
               "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
attached_policies:
  description: ARNs of the managed policies attached to the role, sorted.
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"]
capabilities:
  description: Capabilities whose AWS managed policy is attached, sorted.
  returned: always
  type: list
  elements: str
  sample: ["service_connect_tls", "volumes"]
pass_role:
  description:
    - The PassRole grants (after the change; in check mode, what they would be). Empty when O(pass_role) is not set.
  returned: always
  type: dict
  contains:
    mode:
      description: How the grant is held.
      type: str
      sample: managed_policy
    policy_name:
      description: Name of the managed or inline policy.
      type: str
      sample: ecsInfrastructureRolePassRole
    policy_arn:
      description: ARN of the managed policy.
      type: str
      returned: when O(pass_role.mode=managed_policy)
      sample: arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole
    policy_document:
      description: The grant document.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
               "Resource": "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
               "Condition": {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}}}]}
    users:
      description: Users holding the grant, sorted.
      type: list
      elements: str
      sample: ["alice"]
    groups:
      description: Groups holding the grant, sorted.
      type: list
      elements: str
      sample: ["platform-engineers"]
    roles:
      description: Roles holding the grant, sorted.
      type: list
      elements: str
      sample: ["github-actions-deploy"]
in_use:
  description:
    - What the in-use guard found, when it looked (only before a destructive change, such as deleting the role or
      a change that takes the volume actions away from ECS).
  returned: when the guard scanned
  type: dict
  contains:
    services:
      description: ECS services whose deployments reference the role (C(arn), C(region), C(cluster), C(references), C(reason)).
      type: list
      elements: dict
      sample: [{"arn": "arn:aws:ecs:eu-west-1:123456789012:service/prod/web", "region": "eu-west-1",
                "references": ["volumeConfigurations[].managedEBSVolume.roleArn"]}]
    tasks:
      description: ECS tasks in C(DEPROVISIONING) (C(arn), C(region), C(cluster), C(reason)).
      type: list
      elements: dict
      sample: []
    volumes:
      description: Attached EBS volumes tagged C(AmazonECSManaged=true) (C(volume_id), C(region), C(task_arn), C(instance_ids), C(reason)).
      type: list
      elements: dict
      sample: [{"volume_id": "vol-0abc", "region": "eu-west-1", "instance_ids": ["i-0123"]}]
    regions:
      description: The regions scanned.
      type: list
      elements: str
      sample: ["eu-west-1", "us-east-1"]
    unreadable_regions:
      description: Regions that could not be read (C(region), C(error)); the guard counts them as in use.
      type: list
      elements: dict
      sample: []
diff:
  description:
    - With C(--diff) (diff mode), the role and its grants before and after the change, each under C(before) and
      C(after) (in check mode, what they would be).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The role's settings and, when O(pass_role) is set, the grants (C(pass_role)) before the change.
      type: dict
      contains:
        pass_role:
          description: The grants found, as in RV(pass_role), with RV(diff.after.pass_role.mark).
          type: dict
          returned: when O(pass_role) is set
    after:
      description: The role's settings and, when O(pass_role) is set, the grants (C(pass_role)) after the change.
      type: dict
      contains:
        pass_role:
          description: The grants as the run leaves them, as in RV(pass_role), with C(mark) and, on adoption, C(adopted).
          type: dict
          returned: when O(pass_role) is set
          contains:
            mark:
              description:
                - The ownership mark of the grant managed policy, the value of its tag C(ecs_tools.iam:role-arn), the ARN
                  of the role whose grant it holds. The module changes a managed policy only when the mark names this role
                  (or when it adopts an unmarked policy, see O(pass_role)); a policy marked for another role is foreign.
                - Under C(before), null for an untagged (unmarked) policy; under C(after), this role's ARN.
              type: str
              returned: when the grant is held in a managed policy (O(pass_role.mode=managed_policy), or under C(before) a policy found)
              sample: arn:aws:iam::123456789012:role/ecsInfrastructureRole
differences:
  description:
    - What IAM showed after this run's writes that differs from what it wrote (another writer changed the role
      at the same time). The task fails.
  returned: when the task fails with C(changed concurrently by another writer)
  type: list
  elements: str
  sample: ["attached policies are ['arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice'], expected [...]"]
  version_added: 1.1.0
foreign_objects:
  description:
    - IAM objects named like the PassRole grant policy that the collection cannot prove are its own, so it
      left them alone. With O(state=present) the task fails when there are any; with O(state=absent) the role
      is deleted and these are listed.
    - An untagged managed policy that was not adopted (see O(pass_role)) is one of them; its C(reason) names the
      version that is not the grant, or the holders O(pass_role) does not list. It is never detached or deleted.
  returned: when any was found
  type: list
  elements: dict
  version_added: 1.1.0
  contains:
    type:
      description: C(managed_policy) or C(inline_policy).
      type: str
      sample: managed_policy
    name:
      description: The policy name.
      type: str
      sample: ecsInfrastructureRolePassRole
    reason:
      description: Why it is not the collection's own.
      type: str
      sample: its document is not this role's PassRole grant and it carries no ecs_tools.iam:role-arn mark
    arn:
      description: The managed policy's ARN (managed policies).
      type: str
      sample: arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole
    mark:
      description: The value of its C(ecs_tools.iam:role-arn) tag, the role whose grant it holds (managed policies), or null.
      type: str
      sample: arn:aws:iam::123456789012:role/otherRole
    holders:
      description: Who it is attached to, C(users), C(groups), C(roles) (managed policies).
      type: dict
      sample: {"users": ["mallory"], "groups": [], "roles": []}
    principal_type:
      description: C(user), C(group) or C(role) holding the inline policy (inline policies).
      type: str
      sample: user
    principal:
      description: Name of the principal holding the inline policy (inline policies).
      type: str
      sample: bob
cloudtrail_session_names:
  description:
    - Capability to the CloudTrail C(roleSessionName) ECS uses when it assumes the role for it,
      for the attached capabilities AWS documents one for (the current one, where AWS names several; see
      RV(cloudtrail_role_session_names)). Filter CloudTrail on it to audit ECS.
  returned: always
  type: dict
  sample: {"volumes": "ECSTaskVolumesForEBS", "service_connect_tls": "ECSServiceConnectForTLS"}
cloudtrail_role_session_names:
  description:
    - Capability to every CloudTrail C(roleSessionName) AWS documents for it, the current one first. For
      V(load_balancers) (blue/green deployments) AWS names two, C(ECSNetworkingWithELB) and C(ecs-service-scheduler), so
      match them all when you filter CloudTrail.
  returned: always
  type: dict
  sample: {"load_balancers": ["ECSNetworkingWithELB", "ecs-service-scheduler"], "volumes": ["ECSTaskVolumesForEBS"]}
  version_added: 1.1.0
"""

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _grants
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import EcsToolsIAMModule
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import role_options
from ansible_collections.ecs_tools.iam.plugins.module_utils._service import RoleService


def argument_spec():
    return dict(
        role_options(),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        path=dict(type="str"),
        description=dict(type="str"),
        capabilities=dict(type="list", elements="str", choices=list(_catalog.CAPABILITY_NAMES)),
        managed_policies=dict(type="list", elements="str"),
        purge_policies=dict(type="bool", default=True),
        permissions_boundary=dict(type="str"),
        max_session_duration=dict(type="int"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        pass_role=dict(
            type="dict",
            no_log=False,  # "pass" is PassRole, not a password
            options=dict(
                users=dict(type="list", elements="str", default=[]),
                groups=dict(type="list", elements="str", default=[]),
                roles=dict(type="list", elements="str", default=[]),
                mode=dict(type="str", default=_grants.MANAGED, choices=[_grants.MANAGED, _grants.INLINE]),
                policy_name=dict(type="str"),
                purge=dict(type="bool", default=True),
            ),
        ),
        force=dict(type="bool", default=False),
        trust_source_account=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
    )


def main():
    module = EcsToolsIAMModule(argument_spec=argument_spec(), supports_check_mode=True)
    service = RoleService.for_module(module)
    ensure = service.present if module.params["state"] == "present" else service.absent
    plan, result = module.run(ensure, module.params)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if module._diff:
        result["diff"] = dict(before=plan.before, after=plan.after)
    module.exit_json(changed=plan.changed, **result)


if __name__ == "__main__":
    main()
