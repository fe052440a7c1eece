# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error paths moto cannot produce: throttling (botocore's one retry layer), NoSuchEntity right after
CreateRole, timeouts."""

import copy
import datetime
import json

import boto3
import botocore.exceptions
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from moto import mock_aws

from ansible_collections.ecs_tools.iam.plugins.module_utils import _iam

ROLE = {
    "Path": "/",
    "RoleName": "ecsInfrastructureRole",
    "RoleId": "AROAEXAMPLEEXAMPLE12",
    "Arn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
    "CreateDate": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    "AssumeRolePolicyDocument": "{}",
    "MaxSessionDuration": 3600,
    "Tags": [{"Key": "a", "Value": "b"}],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::1:policy/B"},
}


def test_throttling_is_retried_by_botocore_alone(throttled_iam):
    client, throttle, sent = throttled_iam
    client.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    throttle("GetRole", 2)
    assert _iam.get_role(client, "r")["RoleName"] == "r"
    assert sent.count("GetRole") == 3


def test_paginated_reads_retry_the_throttled_page_only(throttled_iam):
    client, throttle, sent = throttled_iam
    client.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    throttle("ListAttachedRolePolicies", 1)
    assert _iam.list_attached_policy_arns(client, "r") == []
    assert sent.count("ListAttachedRolePolicies") == 2


def test_missing_role_reads_as_none_without_retrying(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("get_role", "NoSuchEntity", "not found", 404)
    assert _iam.get_role(client, "ecsInfrastructureRole") is None


def test_no_such_entity_after_create_is_retried_by_the_after_create_client(stubbed):
    raw, stubber = stubbed
    fresh = _iam.after_create(raw, "r")
    arn = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
    expected = {"RoleName": "r", "PolicyArn": arn}
    stubber.add_client_error("attach_role_policy", "NoSuchEntity", "role r not found", 404, expected_params=expected)
    stubber.add_client_error("attach_role_policy", "NoSuchEntity", "role r not found", 404, expected_params=expected)
    stubber.add_response("attach_role_policy", {}, expected)
    _iam.attach(fresh, "r", arn)
    stubber.assert_no_pending_responses()


def test_after_create_retries_only_what_names_the_new_role_or_a_policy_it_created(stubbed, monkeypatch):
    raw, stubber = stubbed
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    fresh = _iam.after_create(raw, "r")
    mine = "arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole"
    # Another entity's NoSuchEntity is an answer: no retry (a grant policy inline mode never made).
    stubber.add_client_error("get_policy", "NoSuchEntity", "no such policy", 404, expected_params={"PolicyArn": mine})
    with pytest.raises(botocore.exceptions.ClientError):
        fresh.get_policy(PolicyArn=mine)
    # Once this client created the policy, IAM catching up with it is waited for.
    stubber.add_response("create_policy", {"Policy": {"Arn": mine}}, {"PolicyName": "p", "PolicyDocument": "{}"})
    fresh.create_policy(PolicyName="p", PolicyDocument="{}")
    stubber.add_client_error("attach_user_policy", "NoSuchEntity", "not yet", 404)
    stubber.add_response("attach_user_policy", {}, {"UserName": "alice", "PolicyArn": mine})
    fresh.attach_user_policy(UserName="alice", PolicyArn=mine)
    stubber.assert_no_pending_responses()


def test_after_create_does_not_retry_throttling_again(stubbed):
    raw, stubber = stubbed
    stubber.add_client_error("attach_role_policy", "Throttling", "Rate exceeded", 400)
    with pytest.raises(AnsibleIAMError, match="attach role policy"):
        _iam.attach(_iam.after_create(raw, "r"), "r", "arn:aws:iam::aws:policy/X")


def test_no_such_entity_is_not_retried_by_the_normal_client(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("attach_role_policy", "NoSuchEntity", "role r not found", 404)
    with pytest.raises(AnsibleIAMError, match="attach role policy"):
        _iam.attach(client, "r", "arn:aws:iam::aws:policy/X")


def test_persistent_throttling_surfaces_as_an_iam_error_after_ten_attempts_in_all(throttled_iam):
    client, throttle, sent = throttled_iam
    client.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    throttle("UpdateRole", 100)
    with pytest.raises(AnsibleIAMError, match="update role") as err:
        _iam.update_role(client, "r", description="d")
    assert err.value.exception.response["Error"]["Code"] == "Throttling"
    assert sent.count("UpdateRole") == 10  # one layer: not 10 x 6 as when AWSRetry wrapped botocore


def test_wait_for_role_polls_until_iam_returns_it(stubbed):
    client, stubber = stubbed
    for dummy in range(3):
        stubber.add_client_error("get_role", "NoSuchEntity", "not yet", 404)
    stubber.add_response("get_role", {"Role": copy.deepcopy(ROLE)})
    sleeps = []
    role = _iam.wait_for_role(client, "ecsInfrastructureRole", 60, sleep=sleeps.append, clock=lambda: sum(sleeps))
    assert role["Arn"] == ROLE["Arn"]
    assert sleeps == [1, 2, 4]


def test_wait_for_role_is_bounded_by_the_timeout(stubbed):
    client, stubber = stubbed
    for dummy in range(4):
        stubber.add_client_error("get_role", "NoSuchEntity", "not yet", 404)
    sleeps = []
    with pytest.raises(AnsibleIAMError, match="Timed out after 10s"):
        _iam.wait_for_role(client, "ecsInfrastructureRole", 10, sleep=sleeps.append, clock=lambda: sum(sleeps))
    assert sum(sleeps) <= 10


def test_normalize_role():
    state = _iam.normalize_role(copy.deepcopy(ROLE))
    assert state["create_date"] == "2026-01-01T00:00:00+00:00"
    assert state["tags"] == {"a": "b"}
    assert state["permissions_boundary"] == "arn:aws:iam::1:policy/B"
    assert state["description"] == ""


USER = {
    "Path": "/",
    "UserName": "alice",
    "UserId": "AIDAEXAMPLEEXAMPLE12",
    "Arn": "arn:aws:iam::123456789012:user/alice",
    "CreateDate": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
}


def test_stored_principal_names_take_iams_spelling_from_get_user(stubbed):
    """AWS's GetUser finds ``Alice`` when IAM holds ``alice`` and answers with the stored name: one call."""
    client, stubber = stubbed
    stubber.add_response("get_user", {"User": dict(USER)}, {"UserName": "Alice"})
    assert _iam.stored_principal_names(client, "users", ["Alice"]) == {"Alice": "alice"}


def test_stored_principal_names_look_a_name_not_found_up_regardless_of_case(stubbed):
    """A backend that matches case exactly (moto), or a principal that does not exist: one
    GetAccountAuthorizationDetails of that kind, for every name the direct reads did not find."""
    client, stubber = stubbed
    stubber.add_client_error("get_group", "NoSuchEntity", "no group Ops", 404)
    stubber.add_client_error("get_group", "NoSuchEntity", "no group ghost", 404)
    details = {
        "GroupDetailList": [
            {"GroupName": "ops", "GroupId": "AGPAEXAMPLEEXAMPLE12", "Arn": "arn:aws:iam::123456789012:group/ops"}
        ]
    }
    stubber.add_response("get_account_authorization_details", details, {"Filter": ["Group"], "MaxItems": 1000})
    assert _iam.stored_principal_names(client, "groups", ["Ops", "ghost"]) == {"Ops": "ops"}


# ---------------------------------------------------------------- the grant policy's versions

POLICY_ARN = "arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole"
GRANT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/r"}],
}
DORMANT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _policy(tags):
    return {
        "Policy": {
            "Arn": POLICY_ARN,
            "PolicyName": "ecsInfrastructureRolePassRole",
            "DefaultVersionId": "v2",
            "Tags": tags,
        }
    }


def _version(version_id, document):
    return {"PolicyVersion": {"VersionId": version_id, "Document": json.dumps(document), "IsDefaultVersion": False}}


def test_an_unmarked_grant_policy_has_every_version_read_with_get_policy_version(stubbed):
    """AWS's ListPolicyVersions returns no documents (moto's does): each version is read on its own."""
    client, stubber = stubbed
    stubber.add_response("get_policy", _policy([]), {"PolicyArn": POLICY_ARN})
    stubber.add_response("get_policy_version", _version("v2", GRANT), {"PolicyArn": POLICY_ARN, "VersionId": "v2"})
    listed = [
        {"VersionId": "v2", "IsDefaultVersion": True, "CreateDate": datetime.datetime(2026, 2, 1)},
        {"VersionId": "v1", "IsDefaultVersion": False, "CreateDate": datetime.datetime(2026, 1, 1)},
    ]
    stubber.add_response("list_policy_versions", {"Versions": listed, "IsTruncated": False}, {"PolicyArn": POLICY_ARN})
    stubber.add_response("get_policy_version", _version("v1", DORMANT), {"PolicyArn": POLICY_ARN, "VersionId": "v1"})
    stubber.add_response("list_entities_for_policy", {"PolicyUsers": [{"UserName": "alice"}]})
    current = _iam.read_grant_policy(client, POLICY_ARN)
    assert current["policy"]["versions"] == [
        {"id": "v1", "default": False, "document": DORMANT},
        {"id": "v2", "default": True, "document": GRANT},
    ]
    assert current["attached"] == {"users": ["alice"], "groups": [], "roles": []}


@pytest.mark.parametrize(
    "tags,versions",
    [([{"Key": "ecs_tools.iam:role-arn", "Value": "arn:aws:iam::123456789012:role/r"}], True), ([], False)],
    ids=["marked", "not-asked"],
)
def test_a_marked_grant_policy_costs_no_version_reads(stubbed, tags, versions):
    client, stubber = stubbed
    stubber.add_response("get_policy", _policy(tags), {"PolicyArn": POLICY_ARN})
    stubber.add_response("get_policy_version", _version("v2", GRANT), {"PolicyArn": POLICY_ARN, "VersionId": "v2"})
    stubber.add_response("list_entities_for_policy", {})
    current = _iam.read_grant_policy(client, POLICY_ARN, versions=versions)
    assert current["policy"]["versions"] is None and current["policy"]["document"] == GRANT


@pytest.mark.parametrize("older", [0, 1, 4])
def test_a_new_grant_version_leaves_no_older_version_behind(older):
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        arn = client.create_policy(PolicyName="p", PolicyDocument=json.dumps(DORMANT))["Policy"]["Arn"]
        for dummy in range(older):
            client.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DORMANT), SetAsDefault=True)
        _iam.new_policy_version(client, arn, GRANT)
        versions = client.list_policy_versions(PolicyArn=arn)["Versions"]
        assert [v["IsDefaultVersion"] for v in versions] == [True]
        document = client.get_policy_version(PolicyArn=arn, VersionId=versions[0]["VersionId"])["PolicyVersion"]
        assert document["Document"] == GRANT


def test_every_action_kind_has_its_call_and_every_principal_method_exists():
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _actions

    assert set(_iam.ACTIONS) == set(_actions.ROLE_WRITES) | set(_actions.GRANT_WRITES)
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals

    for kind in _principals.KINDS:
        for method in (kind.get_method, *kind.calls.values()):
            assert callable(getattr(client, method)), method
        assert sorted(kind.calls) == ["attach_policy", "delete_inline_policy", "detach_policy", "put_inline"]


@pytest.mark.parametrize("kind,name", [("users", "alice"), ("groups", "ops"), ("roles", "deployer")])
def test_grant_writes_reach_each_principal_kind(kind, name):
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        if kind == "users":
            client.create_user(UserName=name)
        elif kind == "groups":
            client.create_group(GroupName=name)
        else:
            client.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
        arn = client.create_policy(PolicyName="Grant", PolicyDocument=json.dumps(grant))["Policy"]["Arn"]
        _iam.attach_principal(client, kind, name, arn)
        assert _iam.list_policy_entities(client, arn)[kind] == [name]
        _iam.detach_principal(client, kind, name, arn)
        _iam.detach_principal(client, kind, name, arn)  # a deletion: already gone counts as done
        assert _iam.list_policy_entities(client, arn)[kind] == []
        _iam.put_principal_inline(client, kind, name, "Inline", grant)
        assert _iam._get_principal(client, kind, name) == name
        _iam.delete_principal_inline(client, kind, name, "Inline")
        _iam.delete_principal_inline(client, kind, name, "Inline")
