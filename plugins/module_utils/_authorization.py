# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS calls only: the account's identity policies, for "who can pass the role".

One paginated ``GetAccountAuthorizationDetails`` returns every user (with its groups, inline
and attached policies and permissions boundary), group, role and managed policy (with its
versions). Evaluating them is ``_exposure`` / ``_policy_eval``; only the info module pays for
this read, never a converged run of ``ecs_infrastructure_role``.
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals

FILTER = ["User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"]
# Everything but the AWS managed policies (some 1,300 documents, most of them attached to nobody).
LOCAL = ["User", "Group", "Role", "LocalManagedPolicy"]
AWS_MANAGED = ["AWSManagedPolicy"]
_LISTS = tuple(kind.detail_list for kind in _principals.KINDS) + ("Policies",)


@IAMErrorHandler.common_error_handler("get account authorization details")
def account_authorization_details(client, entity_filter=None):
    """``{UserDetailList, GroupDetailList, RoleDetailList, Policies}``, every page merged.
    ``entity_filter``: the kinds to read (default ``FILTER``, everything)."""
    paginator = client.get_paginator("get_account_authorization_details")
    merged = {key: [] for key in _LISTS}
    for page in paginator.paginate(Filter=entity_filter or FILTER, PaginationConfig={"PageSize": 1000}):
        for key in _LISTS:
            merged[key].extend(page.get(key) or [])
    return merged
