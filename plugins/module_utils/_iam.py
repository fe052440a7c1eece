# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS calls only: one small function per IAM API call.

Every function takes a boto3 IAM client as ``EcsToolsIAMModule.client`` makes it. Retrying is
botocore's job alone (``_module.BOTOCORE_CONFIG``: standard mode covers throttling, transient
errors and dropped connections, page by page); there is no second retry layer around it.
``after_create`` is the one exception, and it is not about throttling: right after ``CreateRole``,
IAM may not show the new role to every endpoint yet, so it retries ``NoSuchEntity``.
Every failure is raised as ``AnsibleIAMError`` by amazon.aws's ``IAMErrorHandler``.
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.ecs_tools.iam.plugins.module_utils import _actions
from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals
from ansible_collections.ecs_tools.iam.plugins.module_utils._authorization import account_authorization_details
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import to_json
from ansible_collections.ecs_tools.iam.plugins.module_utils._grants import OWNER_TAG


class _ConsistencyRetry(AWSRetry):
    """amazon.aws's jittered backoff, for the codes given only: botocore already retried throttling."""

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        return response_code in (catch_extra_error_codes or [])


_AFTER_CREATE_RETRY = _ConsistencyRetry.jittered_backoff(retries=8, delay=1, catch_extra_error_codes=["NoSuchEntity"])


class after_create:
    """The client to use right after ``CreateRole`` of ``role_name``: a call naming that role, or a policy
    created through this client, also retries ``NoSuchEntity`` (jittered, 8 retries from 1 s), because
    IAM is eventually consistent. Any other ``NoSuchEntity`` is an answer (a grant policy that inline
    mode never creates), not IAM catching up, and comes back at once."""

    def __init__(self, client, role_name):
        self.client = getattr(client, "client", client)
        self.role_name = role_name
        self.created_policies = set()

    def __getattr__(self, name):
        attribute = getattr(self.client, name)
        if not callable(attribute) or name in ("get_paginator", "get_waiter"):
            return attribute

        def call(*args, **kwargs):
            new = kwargs.get("RoleName") == self.role_name or kwargs.get("PolicyArn") in self.created_policies
            answer = (_AFTER_CREATE_RETRY(attribute) if new else attribute)(*args, **kwargs)
            if name == "create_policy":
                self.created_policies.add(answer["Policy"]["Arn"])
            return answer

        return call


# ---------------------------------------------------------------- reads


@IAMErrorHandler.list_error_handler("get role")
def get_role(client, name):
    return client.get_role(RoleName=name)["Role"]


@IAMErrorHandler.list_error_handler("list policies attached to role", [])
def list_attached_policy_arns(client, name):
    paginator = client.get_paginator("list_attached_role_policies")
    pages = paginator.paginate(RoleName=name).build_full_result()
    return sorted(p["PolicyArn"] for p in pages["AttachedPolicies"])


@IAMErrorHandler.list_error_handler("list inline policies of role", [])
def list_inline_policy_names(client, name):
    paginator = client.get_paginator("list_role_policies")
    return sorted(paginator.paginate(RoleName=name).build_full_result()["PolicyNames"])


@IAMErrorHandler.list_error_handler("list instance profiles for role", [])
def list_instance_profile_names(client, name):
    paginator = client.get_paginator("list_instance_profiles_for_role")
    profiles = paginator.paginate(RoleName=name).build_full_result()["InstanceProfiles"]
    return sorted(p["InstanceProfileName"] for p in profiles)


@IAMErrorHandler.list_error_handler("get policy")
def get_policy(client, arn):
    return client.get_policy(PolicyArn=arn)["Policy"]


def read_role(client, name, for_deletion=False, role=None):
    """The role in the shape ``_plan`` works with, or None. A converged run needs only
    GetRole (which carries tags, description, duration and boundary) and one list call;
    ``role``, a GetRole answer the caller already has, saves the first."""
    role = role or get_role(client, name)
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


@IAMErrorHandler.list_error_handler("get inline role policy")
def get_inline_document(client, name, policy):
    return as_dict(client.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])


def default_documents(client, arns):
    """ARN -> the default version's document of each managed policy (None when it does not exist):
    GetPolicy + GetPolicyVersion each (moto returns documents from ListPolicyVersions, AWS does not)."""
    documents = {}
    for arn in arns:
        detail = policy_detail(client, arn)
        documents[arn] = None if detail is None else as_dict(detail["PolicyVersionList"][0]["Document"])
    return documents


def inline_documents(client, role_name):
    """``[(name, document)]`` of the role's inline policies: ListRolePolicies, GetRolePolicy each."""
    found = []
    for name in list_inline_policy_names(client, role_name):
        found.append((name, get_inline_document(client, role_name, name)))
    return found


def policy_detail(client, arn):
    """A managed policy in the shape GetAccountAuthorizationDetails gives it (``Arn``,
    ``DefaultVersionId``, ``PolicyVersionList`` with the default version): GetPolicy and
    GetPolicyVersion. None when the policy does not exist."""
    policy = get_policy(client, arn)
    if policy is None:
        return None
    document = get_policy_document(client, arn, policy["DefaultVersionId"])
    version = {"VersionId": policy["DefaultVersionId"], "IsDefaultVersion": True, "Document": document}
    return {"Arn": arn, "DefaultVersionId": policy["DefaultVersionId"], "PolicyVersionList": [version]}


def missing_policies(client, arns):
    """The ARNs among ``arns`` that IAM does not know, checked one GetPolicy each."""
    return [arn for arn in arns if get_policy(client, arn) is None]


@AWSErrorHandler.common_error_handler("get caller identity")
def caller_account(sts):
    """``(account_id, partition)`` of the caller, from STS GetCallerIdentity (an STS client)."""
    parsed = parse_aws_arn(sts.get_caller_identity()["Arn"])
    return parsed["account_id"], parsed["partition"]


def wait_for_role(client, name, timeout, sleep=time.sleep, clock=time.monotonic):
    """Poll GetRole until IAM returns the role; raise when ``timeout`` seconds pass first."""
    deadline = clock() + timeout
    delay = 1
    while True:
        role = get_role(client, name)
        if role is not None:
            return role
        if clock() + delay > deadline:
            raise AnsibleIAMError(message=f"Timed out after {timeout}s waiting for IAM to return role {name!r}")
        sleep(delay)
        delay = min(delay * 2, 5)


# ---------------------------------------------------------------- PassRole grants: reads


def _principal_call(client, kind, call, principal, **request):
    """One call on ``principal`` of the ``pass_role`` list ``kind`` (users, groups, roles): ``call`` is
    ``get`` or a key of ``_principals.Kind.calls``, where each boto3 method is spelled out."""
    kind = _principals.BY_LIST_NAME[kind]
    method = kind.get_method if call == "get" else kind.calls[call]
    return getattr(client, method)(**{kind.name_key: principal}, **request)


@IAMErrorHandler.common_error_handler("get policy version")
def get_policy_document(client, arn, version_id):
    return client.get_policy_version(PolicyArn=arn, VersionId=version_id)["PolicyVersion"]["Document"]


@IAMErrorHandler.list_error_handler("list entities for policy", None)
def list_policy_entities(client, arn):
    """Grantees of a managed policy by kind: one call for up to 1000 of each."""
    paginator = client.get_paginator("list_entities_for_policy")
    pages = paginator.paginate(PolicyArn=arn, PaginationConfig={"PageSize": 1000}).build_full_result()
    return {
        kind.list_name: sorted(e[kind.name_key] for e in pages.get(kind.entities_key, [])) for kind in _principals.KINDS
    }


@IAMErrorHandler.list_error_handler("get principal")
def _get_principal(client, kind, name):
    found = _principal_call(client, kind, "get", name)[_principals.BY_LIST_NAME[kind].result_key]
    return found[_principals.BY_LIST_NAME[kind].name_key]


def stored_principal_names(client, kind, names):
    """IAM's spelling of each of ``names`` (principals of ``kind``) that exists, by the name as given;
    the missing are left out. IAM names are unique regardless of case and AWS's GetUser, GetGroup and
    GetRole find a principal whatever the case, returning the name as stored: one call each. A name
    the direct read does not find (it does not exist; or a backend such as moto that matches case
    exactly) is looked up, case-insensitively, in one GetAccountAuthorizationDetails of that kind
    (a permission the grants already need), read only in that case."""
    found, unknown = {}, []
    for name in names:
        stored = _get_principal(client, kind, name)
        if stored is None:
            unknown.append(name)
        else:
            found[name] = stored
    if unknown:
        principal_kind = _principals.BY_LIST_NAME[kind]
        list_key, name_key = principal_kind.detail_list, principal_kind.name_key
        details = account_authorization_details(client, [principal_kind.type.capitalize()])
        by_case = {d[name_key].lower(): d[name_key] for d in details[list_key]}
        found.update((name, by_case[name.lower()]) for name in unknown if name.lower() in by_case)
    return found


def read_grant_policy(client, policy_arn, versions=True):
    """The grant managed policy as ``_grants`` works with it: GetPolicy, and when it exists
    GetPolicyVersion and ListEntitiesForPolicy. ``inline`` and ``principals`` stay None (not
    scanned) until ``_grants.inline_holders`` fills them from the account's authorization details.

    A policy without the ownership mark (``OWNER_TAG``) can be adopted only when every version is the
    grant, so with ``versions`` each of its versions is read too (``read_policy_versions``); the
    policy's ``versions`` stays None otherwise (marked, or not asked for)."""
    policy = get_policy(client, policy_arn)
    current = {"policy": None, "attached": None, "inline": None, "principals": None, "clashes": []}
    if policy is not None:
        document = as_dict(get_policy_document(client, policy_arn, policy["DefaultVersionId"]))
        tags = boto3_tag_list_to_ansible_dict(policy.get("Tags") or [])
        current["policy"] = {"arn": policy["Arn"], "document": document, "tags": tags, "versions": None}
        if versions and OWNER_TAG not in tags:
            current["policy"]["versions"] = read_policy_versions(
                client, policy_arn, policy["DefaultVersionId"], document
            )
        current["attached"] = list_policy_entities(client, policy_arn) or _principals.empty_lists()
    return current


def read_policy_versions(client, arn, default_id, default_document):
    """Every version of a managed policy, ``[{id, default, document}]`` oldest first: ListPolicyVersions
    for the ids, then GetPolicyVersion for each but the default (``default_document``, already read).
    AWS's ListPolicyVersions does not return the documents (moto's does: not relied upon)."""
    found = []
    for version in sorted(list_policy_versions(client, arn), key=lambda v: v["CreateDate"]):
        version_id = version["VersionId"]
        if version_id == default_id:
            document = default_document
        else:
            document = as_dict(get_policy_document(client, arn, version_id))
        found.append({"id": version_id, "default": version_id == default_id, "document": document})
    return found


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
    return client.create_role(**kwargs)["Role"]


@IAMErrorHandler.common_error_handler("update role")
def update_role(client, name, description=None, max_session_duration=None):
    kwargs = dict(RoleName=name)
    if description is not None:
        kwargs["Description"] = description
    if max_session_duration is not None:
        kwargs["MaxSessionDuration"] = max_session_duration
    client.update_role(**kwargs)


# Role writes of one call each: the argument names are the plan's (``Action.args``). A deletion
# counts a missing entity as done (amazon.aws's deletion error handler).


@IAMErrorHandler.common_error_handler("update assume role policy")
def update_trust(client, name, trust_policy):
    client.update_assume_role_policy(RoleName=name, PolicyDocument=to_json(trust_policy))


@IAMErrorHandler.common_error_handler("put role permissions boundary")
def put_boundary(client, name, arn):
    client.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)


@IAMErrorHandler.deletion_error_handler("delete role permissions boundary")
def delete_boundary(client, name):
    client.delete_role_permissions_boundary(RoleName=name)


@IAMErrorHandler.common_error_handler("tag role")
def tag(client, name, tags):
    client.tag_role(RoleName=name, Tags=ansible_dict_to_boto3_tag_list(tags))


@IAMErrorHandler.common_error_handler("untag role")
def untag(client, name, keys):
    client.untag_role(RoleName=name, TagKeys=keys)


@IAMErrorHandler.common_error_handler("attach role policy")
def attach(client, name, arn):
    client.attach_role_policy(RoleName=name, PolicyArn=arn)


@IAMErrorHandler.deletion_error_handler("detach role policy")
def detach(client, name, arn):
    client.detach_role_policy(RoleName=name, PolicyArn=arn)


@IAMErrorHandler.deletion_error_handler("delete inline role policy")
def delete_inline(client, name, policy):
    client.delete_role_policy(RoleName=name, PolicyName=policy)


@IAMErrorHandler.deletion_error_handler("remove role from instance profile")
def remove_from_profile(client, name, profile):
    client.remove_role_from_instance_profile(RoleName=name, InstanceProfileName=profile)


@IAMErrorHandler.deletion_error_handler("delete role")
def delete_role(client, name):
    client.delete_role(RoleName=name)


# ---------------------------------------------------------------- PassRole grants: writes


@IAMErrorHandler.common_error_handler("create policy")
def create_policy(client, name, document, tags=None):
    kwargs = dict(PolicyName=name, PolicyDocument=to_json(document))
    kwargs["Description"] = "iam:PassRole grant managed by the ecs_tools.iam collection"
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_policy(**kwargs)["Policy"]


@IAMErrorHandler.common_error_handler("list policy versions")
def list_policy_versions(client, arn):
    paginator = client.get_paginator("list_policy_versions")
    return paginator.paginate(PolicyArn=arn).build_full_result()["Versions"]


@IAMErrorHandler.deletion_error_handler("delete policy version")
def delete_policy_version(client, arn, version_id):
    client.delete_policy_version(PolicyArn=arn, VersionId=version_id)


@IAMErrorHandler.common_error_handler("create policy version")
def create_policy_version(client, arn, document):
    client.create_policy_version(PolicyArn=arn, PolicyDocument=to_json(document), SetAsDefault=True)


def new_policy_version(client, arn, document):
    """Make ``document`` the default version and the only one: first deleting the oldest non-default
    version when IAM's limit of five versions is reached, then, once the new version is the default,
    every older one. A version the grant no longer holds is a dormant grant (one SetDefaultPolicyVersion
    revives it), and an unmarked policy is adopted only when every version is the grant."""
    versions = sorted(list_policy_versions(client, arn), key=lambda v: v["CreateDate"])
    if len(versions) >= 5:
        oldest = [v for v in versions if not v["IsDefaultVersion"]][0]
        delete_policy_version(client, arn, oldest["VersionId"])
        versions.remove(oldest)
    create_policy_version(client, arn, document)
    for version in versions:
        delete_policy_version(client, arn, version["VersionId"])


# Grant writes of one call each; ``kind`` (users, groups, roles) picks the principal's API (``_principals.KINDS``).


@IAMErrorHandler.common_error_handler("attach policy to principal")
def attach_principal(client, kind, principal, arn):
    _principal_call(client, kind, "attach_policy", principal, PolicyArn=arn)


@IAMErrorHandler.deletion_error_handler("detach policy from principal")
def detach_principal(client, kind, principal, arn):
    _principal_call(client, kind, "detach_policy", principal, PolicyArn=arn)


@IAMErrorHandler.common_error_handler("put inline policy on principal")
def put_principal_inline(client, kind, principal, policy_name, document):
    _principal_call(client, kind, "put_inline", principal, PolicyName=policy_name, PolicyDocument=to_json(document))


@IAMErrorHandler.deletion_error_handler("delete inline policy of principal")
def delete_principal_inline(client, kind, principal, policy_name):
    _principal_call(client, kind, "delete_inline_policy", principal, PolicyName=policy_name)


@IAMErrorHandler.common_error_handler("tag policy")
def tag_policy(client, arn, tags):
    client.tag_policy(PolicyArn=arn, Tags=ansible_dict_to_boto3_tag_list(tags))


@IAMErrorHandler.common_error_handler("untag policy")
def untag_policy(client, arn, keys):
    client.untag_policy(PolicyArn=arn, TagKeys=keys)


@IAMErrorHandler.deletion_error_handler("delete policy")
def delete_policy_only(client, arn):
    client.delete_policy(PolicyArn=arn)


def delete_policy(client, arn):
    """IAM deletes a managed policy only once its non-default versions are gone."""
    for version in list_policy_versions(client, arn):
        if not version["IsDefaultVersion"]:
            delete_policy_version(client, arn, version["VersionId"])
    delete_policy_only(client, arn)


# Plan action kind -> the function that performs it (every Action.args maps to its keywords).
ACTIONS = {
    _actions.CREATE_ROLE: create_role,
    _actions.UPDATE_TRUST: update_trust,
    _actions.UPDATE_ROLE: update_role,
    _actions.PUT_BOUNDARY: put_boundary,
    _actions.DELETE_BOUNDARY: delete_boundary,
    _actions.TAG: tag,
    _actions.UNTAG: untag,
    _actions.ATTACH: attach,
    _actions.DETACH: detach,
    _actions.DELETE_INLINE: delete_inline,
    _actions.REMOVE_FROM_PROFILE: remove_from_profile,
    _actions.DELETE_ROLE: delete_role,
    _actions.CREATE_POLICY: create_policy,
    _actions.NEW_POLICY_VERSION: new_policy_version,
    _actions.ATTACH_PRINCIPAL: attach_principal,
    _actions.DETACH_PRINCIPAL: detach_principal,
    _actions.PUT_PRINCIPAL_INLINE: put_principal_inline,
    _actions.DELETE_PRINCIPAL_INLINE: delete_principal_inline,
    _actions.TAG_POLICY: tag_policy,
    _actions.UNTAG_POLICY: untag_policy,
    _actions.DELETE_POLICY: delete_policy,
}
