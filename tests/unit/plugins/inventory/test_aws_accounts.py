# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.aws_accounts: the pure selection logic, and the Organizations reads (Stubber)."""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.ecs_tools.iam.plugins.inventory import aws_accounts
from ansible_collections.ecs_tools.iam.plugins.module_utils import _accounts

SNAPSHOT = {
    "management_account_id": "111111111111",
    "roots": [{"id": "r-ab12", "name": "Root"}],
    "organizational_units": [
        {"id": "ou-ab12-00000001", "name": "Workloads", "parent_id": "r-ab12"},
        {"id": "ou-ab12-00000002", "name": "Prod EU", "parent_id": "ou-ab12-00000001"},
        {"id": "ou-ab12-00000003", "name": "Sandbox", "parent_id": "r-ab12"},
    ],
    "accounts": [
        {
            "id": "111111111111",
            "name": "mgmt",
            "email": "m@x",
            "arn": "arn:aws:organizations::111111111111:account/o-1/111111111111",
            "state": "ACTIVE",
            "parent_id": "r-ab12",
        },
        {
            "id": "222222222222",
            "name": "prod",
            "email": "p@x",
            "arn": "arn:aws-cn:organizations::111111111111:account/o-1/222222222222",
            "state": "ACTIVE",
            "parent_id": "ou-ab12-00000002",
        },
        {
            "id": "333333333333",
            "name": "old",
            "email": "o@x",
            "arn": "",
            "state": "SUSPENDED",
            "status": "ACTIVE",
            "parent_id": "ou-ab12-00000003",
        },
        {
            "id": "444444444444",
            "name": "legacy",
            "email": "l@x",
            "arn": "",
            "status": "ACTIVE",
            "parent_id": "ou-ab12-00000003",
        },
        {
            "id": "555555555555",
            "name": "closing",
            "email": "c@x",
            "arn": "",
            "status": "PENDING_CLOSURE",
            "parent_id": "ou-ab12-00000001",
        },
    ],
}


def ids(hosts):
    return [name for name, _vars, _groups in hosts]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ["222222222222", "444444444444"]),
        ({"include_management_account": True}, ["111111111111", "222222222222", "444444444444"]),
        ({"organizational_unit_ids": ["ou-ab12-00000001"]}, ["222222222222"]),
        ({"organizational_unit_ids": ["ou-ab12-00000003"]}, ["444444444444"]),
        (
            {"organizational_unit_ids": ["r-ab12"], "include_management_account": True},
            ["111111111111", "222222222222", "444444444444"],
        ),
        ({"exclude_account_ids": ["222222222222"]}, ["444444444444"]),
        ({"hostname": "name"}, ["prod", "legacy"]),
    ],
)
def test_selection(kwargs, expected):
    assert ids(_accounts.hosts(SNAPSHOT, **kwargs)) == expected


def test_host_vars_groups_and_partition():
    ((name, host_vars, groups),) = _accounts.hosts(
        SNAPSHOT, exclude_account_ids=["444444444444"], assume_role_name="ops/Audit"
    )
    assert name == "222222222222"
    assert host_vars == {
        "aws_account_id": "222222222222",
        "aws_account_name": "prod",
        "aws_account_email": "p@x",
        "aws_organizational_unit_id": "ou-ab12-00000002",
        "aws_organizational_unit_path": "Root/Workloads/Prod EU",
        "ecs_infrastructure_role_assume_role_arn": "arn:aws-cn:iam::222222222222:role/ops/Audit",
    }
    assert groups == ["ou_workloads", "ou_workloads_prod_eu"]
    assert sorted(host_vars) == sorted(_accounts.HOST_VARS)


@pytest.mark.parametrize(
    "args, fragment",
    [
        ((["Workloads"], [], "R", "id"), "'Workloads' is not an organizational unit id"),
        ((["ou-AB12-00000001"], [], "R", "id"), "'ou-AB12-00000001'"),
        (([], ["1234"], "R", "id"), "'1234' is not a 12-digit"),
        (([], [123456789012], "R", "id"), "123456789012 is not a 12-digit"),
        (([], [], "", "id"), "a role name is required"),
        (([], [], "a b", "id"), "'a b' is not a valid IAM role name"),
        (([], [], "x" * 65, "id"), "is not a valid IAM role name"),
        (([], [], "R", "email"), "'email' is not one of id, name"),
    ],
)
def test_bad_options(args, fragment):
    problems = _accounts.validate_options(*args)
    assert len(problems) == 1 and fragment in problems[0], problems


def test_good_options():
    assert _accounts.validate_options(["ou-ab12-00000001", "r-ab12"], ["222222222222"], "path/to/Role", "name") == []


def test_unknown_units_and_duplicates():
    assert _accounts.unknown_units(SNAPSHOT, ["ou-ab12-00000001", "ou-zz99-00000000"]) == ["ou-zz99-00000000"]
    assert _accounts.duplicate_names(
        [{"name": "a", "id": "2"}, {"name": "a", "id": "1"}, {"name": "b", "id": "3"}]
    ) == {"a": ["1", "2"]}


def client():
    return boto3.client("organizations", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")


def test_read_organization_reads_every_page():
    """Every page of every listing is read (throttling is botocore's to retry: BOTOCORE_CONFIG)."""
    org = client()
    account = {
        "Id": "222222222222",
        "Name": "prod",
        "Email": "prod@example.com",
        "Arn": "arn:aws:organizations::111111111111:account/o-abcdefghij/222222222222",
        "State": "ACTIVE",
        "Status": "ACTIVE",
    }
    with Stubber(org) as stub:
        stub.add_response("describe_organization", {"Organization": {"MasterAccountId": "111111111111"}})
        stub.add_response("list_roots", {"Roots": [{"Id": "r-ab12", "Name": "Root"}]})
        stub.add_response(
            "list_organizational_units_for_parent",
            {"OrganizationalUnits": [{"Id": "ou-ab12-00000001", "Name": "W"}], "NextToken": "t"},
            {"ParentId": "r-ab12"},
        )
        stub.add_response(
            "list_organizational_units_for_parent",
            {"OrganizationalUnits": [{"Id": "ou-ab12-00000002", "Name": "S"}]},
            {"ParentId": "r-ab12", "NextToken": "t"},
        )
        stub.add_response("list_accounts_for_parent", {"Accounts": []}, {"ParentId": "r-ab12"})
        stub.add_response(
            "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-00000001"}
        )
        stub.add_response("list_accounts_for_parent", {"Accounts": [account]}, {"ParentId": "ou-ab12-00000001"})
        stub.add_response(
            "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-00000002"}
        )
        stub.add_response(
            "list_accounts_for_parent",
            {"Accounts": [dict(account, Id="333333333333", State="SUSPENDED")]},
            {"ParentId": "ou-ab12-00000002"},
        )
        snapshot = aws_accounts.read_organization(org)
        stub.assert_no_pending_responses()
    assert [ou["id"] for ou in snapshot["organizational_units"]] == ["ou-ab12-00000001", "ou-ab12-00000002"]
    assert ids(_accounts.hosts(snapshot)) == ["222222222222"]
