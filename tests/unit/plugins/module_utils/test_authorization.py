# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one account read behind "who can pass the role": every page merged, a denial raised as
AnsibleIAMError (botocore Stubber: moto never paginates this call). Throttling is botocore's to
retry, page by page (test_iam.py)."""

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError

from ansible_collections.ecs_tools.iam.plugins.module_utils import _authorization

FILTER = ["User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"]


def user(name):
    return {
        "UserName": name,
        "UserId": "AIDAEXAMPLE" + name.upper().ljust(10, "X"),
        "Arn": "arn:aws:iam::123456789012:user/" + name,
        "Path": "/",
        "CreateDate": "2026-01-01T00:00:00Z",
    }


def test_every_page_is_merged(stubbed):
    client, stubber = stubbed
    stubber.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [user("alice")], "IsTruncated": True, "Marker": "page2"},
        {"Filter": FILTER, "MaxItems": 1000},
    )
    stubber.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [user("bob")], "GroupDetailList": [], "IsTruncated": False},
        {"Filter": FILTER, "MaxItems": 1000, "Marker": "page2"},
    )
    details = _authorization.account_authorization_details(client)
    assert [u["UserName"] for u in details["UserDetailList"]] == ["alice", "bob"]
    assert details["GroupDetailList"] == [] and details["RoleDetailList"] == [] and details["Policies"] == []


def test_access_denied_is_an_iam_error(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("get_account_authorization_details", "AccessDenied", "not allowed", 403)
    with pytest.raises(AnsibleIAMError) as raised:
        _authorization.account_authorization_details(client)
    assert "get account authorization details" in str(raised.value.message)


def test_the_local_filter_reads_no_aws_managed_policy(stubbed):
    client, stubber = stubbed
    stubber.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [user("alice")], "IsTruncated": False},
        {"Filter": _authorization.LOCAL, "MaxItems": 1000},
    )
    details = _authorization.account_authorization_details(client, _authorization.LOCAL)
    assert [u["UserName"] for u in details["UserDetailList"]] == ["alice"]
    assert "AWSManagedPolicy" not in _authorization.LOCAL
