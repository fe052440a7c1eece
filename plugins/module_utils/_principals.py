# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one table of IAM principal kinds (user, group, role), and lookups in the account's
authorization details that go by it. Pure: no boto3.

Every place that names the kinds reads this table: the ``pass_role`` lists (``users``, ``groups``,
``roles``), the keys of GetAccountAuthorizationDetails and ListEntitiesForPolicy, the boto3 ``Get*``
call and its name key, the boto3 grant writes (``attach_user_policy``... spelled out, so grep finds them),
the ARN resource prefix and the word shown to the user.
"""

from collections import namedtuple

Kind = namedtuple(
    "Kind",
    [
        "type",  # IAM's word, shown to the user and in ``pass_role_principals[].type``: user
        "list_name",  # the module option / ``pass_role`` key: users
        "name_key",  # the name in boto3 answers and requests: UserName
        "detail_list",  # GetAccountAuthorizationDetails: UserDetailList
        "policy_list",  # the inline policies in one detail: UserPolicyList
        "entities_key",  # ListEntitiesForPolicy: PolicyUsers
        "get_method",  # the boto3 client method that reads one: get_user
        "result_key",  # what that method returns the principal under: User
        "arn_resource",  # the ARN's resource prefix: user/
        "calls",  # the grant writes' boto3 methods, spelled out: {"attach_policy": "attach_user_policy", ...}
    ],
)


KINDS = (
    Kind(
        "user", "users", "UserName", "UserDetailList", "UserPolicyList", "PolicyUsers", "get_user", "User", "user/",
        {"attach_policy": "attach_user_policy", "detach_policy": "detach_user_policy",
         "put_inline": "put_user_policy", "delete_inline_policy": "delete_user_policy"},
    ),
    Kind(
        "group", "groups", "GroupName", "GroupDetailList", "GroupPolicyList", "PolicyGroups", "get_group", "Group",
        "group/",
        {"attach_policy": "attach_group_policy", "detach_policy": "detach_group_policy",
         "put_inline": "put_group_policy", "delete_inline_policy": "delete_group_policy"},
    ),
    Kind(
        "role", "roles", "RoleName", "RoleDetailList", "RolePolicyList", "PolicyRoles", "get_role", "Role", "role/",
        {"attach_policy": "attach_role_policy", "detach_policy": "detach_role_policy",
         "put_inline": "put_role_policy", "delete_inline_policy": "delete_role_policy"},
    ),
)  # fmt: skip

BY_TYPE = {kind.type: kind for kind in KINDS}
BY_LIST_NAME = {kind.list_name: kind for kind in KINDS}
# The ``pass_role`` lists, in the order the modules document them.
LIST_NAMES = tuple(kind.list_name for kind in KINDS)
# IAM's word for the principals of one ``pass_role`` list: {"users": "user", ...}.
TYPE_OF_LIST = {kind.list_name: kind.type for kind in KINDS}


def empty_lists():
    """``{"users": [], "groups": [], "roles": []}``."""
    return {name: [] for name in LIST_NAMES}


def default_document(details, arn):
    """The default version's document of the managed policy ``arn`` in authorization details (as
    GetAccountAuthorizationDetails returns it, a dict or URL-encoded JSON), or None when the details do
    not hold that policy or its default version."""
    for policy in details.get("Policies") or []:
        if policy.get("Arn") != arn:
            continue
        for version in policy.get("PolicyVersionList") or []:
            if version.get("IsDefaultVersion") or version.get("VersionId") == policy.get("DefaultVersionId"):
                return version.get("Document")
    return None


def has_policy(details, arn):
    """Whether the authorization details hold the managed policy ``arn``."""
    return any(policy.get("Arn") == arn for policy in details.get("Policies") or [])


def attached_to(details, arn):
    """The principals the managed policy ``arn`` is attached to, by ``pass_role`` list, sorted: what
    ListEntitiesForPolicy answers, read from the authorization details instead."""
    found = empty_lists()
    for kind in KINDS:
        for detail in details.get(kind.detail_list) or []:
            if any(a.get("PolicyArn") == arn for a in detail.get("AttachedManagedPolicies") or []):
                found[kind.list_name].append(detail[kind.name_key])
    return {name: sorted(names) for name, names in found.items()}


def aws_managed_arns(details):
    """The AWS managed policies the account's principals use (attached, or as a permissions
    boundary), sorted: from authorization details read without AWS managed policies."""
    arns = set()
    for kind in KINDS:
        for detail in details.get(kind.detail_list) or []:
            arns.update(a["PolicyArn"] for a in detail.get("AttachedManagedPolicies") or [])
            boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            if boundary:
                arns.add(boundary)
    return sorted(arn for arn in arns if arn.split(":")[4] == "aws")
