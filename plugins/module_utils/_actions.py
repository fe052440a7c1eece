# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The kinds of write a plan holds (``_plan.Action.kind``): one constant each, shared by the
planners (``_plan``, ``_grants``), the AWS layer (``_iam.ACTIONS``, which maps each to its call)
and the service (``_service``). Pure: no boto3."""

# The role
CREATE_ROLE = "create_role"
UPDATE_TRUST = "update_trust"
UPDATE_ROLE = "update_role"
PUT_BOUNDARY = "put_boundary"
DELETE_BOUNDARY = "delete_boundary"
TAG = "tag"
UNTAG = "untag"
ATTACH = "attach"
DETACH = "detach"
DELETE_INLINE = "delete_inline"
REMOVE_FROM_PROFILE = "remove_from_profile"
DELETE_ROLE = "delete_role"

# The PassRole grants
CREATE_POLICY = "create_policy"
NEW_POLICY_VERSION = "new_policy_version"
TAG_POLICY = "tag_policy"
UNTAG_POLICY = "untag_policy"
ATTACH_PRINCIPAL = "attach_principal"
DETACH_PRINCIPAL = "detach_principal"
PUT_PRINCIPAL_INLINE = "put_principal_inline"
DELETE_PRINCIPAL_INLINE = "delete_principal_inline"
DELETE_POLICY = "delete_policy"

ROLE_WRITES = (
    CREATE_ROLE,
    UPDATE_TRUST,
    UPDATE_ROLE,
    PUT_BOUNDARY,
    DELETE_BOUNDARY,
    TAG,
    UNTAG,
    ATTACH,
    DETACH,
    DELETE_INLINE,
    REMOVE_FROM_PROFILE,
    DELETE_ROLE,
)
GRANT_WRITES = (
    CREATE_POLICY,
    NEW_POLICY_VERSION,
    TAG_POLICY,
    UNTAG_POLICY,
    ATTACH_PRINCIPAL,
    DETACH_PRINCIPAL,
    PUT_PRINCIPAL_INLINE,
    DELETE_PRINCIPAL_INLINE,
    DELETE_POLICY,
)
# Changes that can take the volume actions away from ECS (the role's policies, boundary or trust).
VOLUME_ACTION_CHANGES = (ATTACH, DETACH, PUT_BOUNDARY, DELETE_BOUNDARY, UPDATE_TRUST)
