# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS calls only: one small function per IAM API call.

Every function takes a ``RetryingBotoClientWrapper`` (what ``AnsibleAWSModule.client`` returns
when given a ``retry_decorator``) and calls it with ``aws_retry=True``, so throttling is retried
with jittered backoff. ``fresh_role_client`` gives a client that also retries ``NoSuchEntity``:
use it right after ``CreateRole``, while IAM may not yet show the new role to every endpoint.
Every failure is raised as ``AnsibleIAMError`` by amazon.aws's ``IAMErrorHandler``.
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import to_json


def retry_decorator():
    return AWSRetry.jittered_backoff()


def fresh_role_client(client):
    """A client that also retries NoSuchEntity: IAM is eventually consistent after CreateRole."""
    raw = getattr(client, "client", client)
    return RetryingBotoClientWrapper(
        raw, AWSRetry.jittered_backoff(retries=8, delay=1, catch_extra_error_codes=["NoSuchEntity"])
    )


# ---------------------------------------------------------------- reads


@IAMErrorHandler.list_error_handler("get role")
def get_role(client, name):
    return client.get_role(RoleName=name, aws_retry=True)["Role"]


@IAMErrorHandler.list_error_handler("list policies attached to role", [])
@AWSRetry.jittered_backoff()
def list_attached_policy_arns(client, name):
    paginator = client.get_paginator("list_attached_role_policies")
    pages = paginator.paginate(RoleName=name).build_full_result()
    return sorted(p["PolicyArn"] for p in pages["AttachedPolicies"])


@IAMErrorHandler.list_error_handler("list inline policies of role", [])
@AWSRetry.jittered_backoff()
def list_inline_policy_names(client, name):
    paginator = client.get_paginator("list_role_policies")
    return sorted(paginator.paginate(RoleName=name).build_full_result()["PolicyNames"])


@IAMErrorHandler.list_error_handler("list instance profiles for role", [])
@AWSRetry.jittered_backoff()
def list_instance_profile_names(client, name):
    paginator = client.get_paginator("list_instance_profiles_for_role")
    profiles = paginator.paginate(RoleName=name).build_full_result()["InstanceProfiles"]
    return sorted(p["InstanceProfileName"] for p in profiles)


@IAMErrorHandler.list_error_handler("get policy")
def get_policy(client, arn):
    return client.get_policy(PolicyArn=arn, aws_retry=True)["Policy"]


def read_role(client, name, for_deletion=False):
    """The role in the shape ``_plan`` works with, or None. A converged run needs only
    GetRole (which carries tags, description, duration and boundary) and one list call."""
    role = get_role(client, name)
    if role is None:
        return None
    state = normalize_role(role)
    state["attached_policies"] = list_attached_policy_arns(client, name)
    if for_deletion:
        state["inline_policies"] = list_inline_policy_names(client, name)
        state["instance_profiles"] = list_instance_profile_names(client, name)
    return state


def normalize_role(role):
    boundary = role.get("PermissionsBoundary") or {}
    create_date = role.get("CreateDate")
    return {
        "arn": role["Arn"],
        "role_name": role["RoleName"],
        "role_id": role["RoleId"],
        "path": role.get("Path", "/"),
        "create_date": create_date.isoformat() if hasattr(create_date, "isoformat") else create_date,
        "description": role.get("Description") or "",
        "max_session_duration": role.get("MaxSessionDuration"),
        "permissions_boundary": boundary.get("PermissionsBoundaryArn") or "",
        "tags": boto3_tag_list_to_ansible_dict(role.get("Tags") or []),
        "assume_role_policy_document": role.get("AssumeRolePolicyDocument"),
    }


def missing_policies(client, arns):
    """The ARNs among ``arns`` that IAM does not know, checked one GetPolicy each."""
    return [arn for arn in arns if get_policy(client, arn) is None]


def wait_for_role(client, name, timeout, sleep=time.sleep, clock=time.monotonic):
    """Poll GetRole until IAM returns the role; raise when ``timeout`` seconds pass first."""
    deadline = clock() + timeout
    delay = 1
    while True:
        role = get_role(client, name)
        if role is not None:
            return role
        if clock() + delay > deadline:
            raise AnsibleIAMError(
                message="Timed out after {0}s waiting for IAM to return role {1!r}".format(timeout, name)
            )
        sleep(delay)
        delay = min(delay * 2, 5)


# ---------------------------------------------------------------- writes


@IAMErrorHandler.common_error_handler("create role")
def create_role(
    client, name, path, trust_policy, description=None, max_session_duration=None, permissions_boundary=None, tags=None
):
    kwargs = dict(RoleName=name, Path=path, AssumeRolePolicyDocument=to_json(trust_policy))
    if description:
        kwargs["Description"] = description
    if max_session_duration:
        kwargs["MaxSessionDuration"] = max_session_duration
    if permissions_boundary:
        kwargs["PermissionsBoundary"] = permissions_boundary
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_role(aws_retry=True, **kwargs)["Role"]


@IAMErrorHandler.common_error_handler("update assume role policy")
def update_trust(client, name, trust_policy):
    client.update_assume_role_policy(RoleName=name, PolicyDocument=to_json(trust_policy), aws_retry=True)


@IAMErrorHandler.common_error_handler("update role")
def update_role(client, name, description=None, max_session_duration=None):
    kwargs = dict(RoleName=name)
    if description is not None:
        kwargs["Description"] = description
    if max_session_duration is not None:
        kwargs["MaxSessionDuration"] = max_session_duration
    client.update_role(aws_retry=True, **kwargs)


@IAMErrorHandler.common_error_handler("put role permissions boundary")
def put_boundary(client, name, arn):
    client.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn, aws_retry=True)


@IAMErrorHandler.deletion_error_handler("delete role permissions boundary")
def delete_boundary(client, name):
    client.delete_role_permissions_boundary(RoleName=name, aws_retry=True)


@IAMErrorHandler.common_error_handler("tag role")
def tag(client, name, tags):
    client.tag_role(RoleName=name, Tags=ansible_dict_to_boto3_tag_list(tags), aws_retry=True)


@IAMErrorHandler.common_error_handler("untag role")
def untag(client, name, keys):
    client.untag_role(RoleName=name, TagKeys=keys, aws_retry=True)


@IAMErrorHandler.common_error_handler("attach role policy")
def attach(client, name, arn):
    client.attach_role_policy(RoleName=name, PolicyArn=arn, aws_retry=True)


@IAMErrorHandler.deletion_error_handler("detach role policy")
def detach(client, name, arn):
    client.detach_role_policy(RoleName=name, PolicyArn=arn, aws_retry=True)


@IAMErrorHandler.deletion_error_handler("delete inline role policy")
def delete_inline(client, name, policy):
    client.delete_role_policy(RoleName=name, PolicyName=policy, aws_retry=True)


@IAMErrorHandler.deletion_error_handler("remove role from instance profile")
def remove_from_profile(client, name, profile):
    client.remove_role_from_instance_profile(RoleName=name, InstanceProfileName=profile, aws_retry=True)


@IAMErrorHandler.deletion_error_handler("delete role")
def delete_role(client, name):
    client.delete_role(RoleName=name, aws_retry=True)


# Plan action kind -> the function that performs it (every Action.args maps to its keywords).
ACTIONS = {
    "create_role": create_role,
    "update_trust": update_trust,
    "update_role": update_role,
    "put_boundary": put_boundary,
    "delete_boundary": delete_boundary,
    "tag": tag,
    "untag": untag,
    "attach": attach,
    "detach": detach,
    "delete_inline": delete_inline,
    "remove_from_profile": remove_from_profile,
    "delete_role": delete_role,
}
