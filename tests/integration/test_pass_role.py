# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PassRole grants through ansible-playbook against a real moto_server, read back with boto3."""

import json

import pytest
from checks import assert_four_steps
from expected import TRUST_EC2
from expected import passrole_grant

ROLE = "ecsInfrastructureRole"
POLICY = "ecsInfrastructureRolePassRole"
POLICY_ARN = "arn:aws:iam::123456789012:policy/" + POLICY
ROLE_ARN = "arn:aws:iam::123456789012:role/" + ROLE


def grant(resource=ROLE_ARN):
    return passrole_grant(resource)


def make_principals(iam, users=(), groups=(), roles=()):
    for name in users:
        iam.create_user(UserName=name)
    for name in groups:
        iam.create_group(GroupName=name)
    for name in roles:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2)


def entities(iam, arn=POLICY_ARN):
    found = iam.list_entities_for_policy(PolicyArn=arn)
    return {
        "users": sorted(u["UserName"] for u in found["PolicyUsers"]),
        "groups": sorted(g["GroupName"] for g in found["PolicyGroups"]),
        "roles": sorted(r["RoleName"] for r in found["PolicyRoles"]),
    }


def default_document(iam, arn=POLICY_ARN):
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def inline_holders(iam, name=POLICY):
    details = iam.get_account_authorization_details(Filter=["User", "Group", "Role"])
    found = {"users": {}, "groups": {}, "roles": {}}
    for kind, key, name_key, plist in (
        ("users", "UserDetailList", "UserName", "UserPolicyList"),
        ("groups", "GroupDetailList", "GroupName", "GroupPolicyList"),
        ("roles", "RoleDetailList", "RoleName", "RolePolicyList"),
    ):
        for detail in details[key]:
            for policy in detail.get(plist) or []:
                if policy["PolicyName"] == name:
                    found[kind][detail[name_key]] = policy["PolicyDocument"]
    return found


def policy_exists(iam, arn=POLICY_ARN):
    try:
        iam.get_policy(PolicyArn=arn)
        return True
    except iam.exceptions.NoSuchEntityException:
        return False


def test_managed_grant_to_a_user_a_group_and_a_role(runner, aws):
    iam = aws("iam")
    make_principals(iam, users=["alice"], groups=["platform"], roles=["deployer"])
    args = {
        "capabilities": ["volumes"],
        "pass_role": {"users": ["alice"], "groups": ["platform"], "roles": ["deployer"]},
    }
    results = runner.four_steps(args)
    assert_four_steps(results)
    check, applied = results[0], results[1]
    assert check["pass_role"]["policy_document"] == grant()
    assert applied["pass_role"] == {
        "mode": "managed_policy",
        "policy_name": POLICY,
        "policy_arn": POLICY_ARN,
        "policy_document": grant(),
        "users": ["alice"],
        "groups": ["platform"],
        "roles": ["deployer"],
    }
    assert applied["diff"]["after"]["pass_role"]["users"] == ["alice"]
    assert entities(iam) == {"users": ["alice"], "groups": ["platform"], "roles": ["deployer"]}
    assert default_document(iam) == grant()


def test_grant_resource_carries_the_role_path(runner, aws):
    iam = aws("iam")
    make_principals(iam, users=["alice"])
    results = runner.four_steps({"name": "infra", "path": "/ecs/prod/", "pass_role": {"users": ["alice"]}})
    assert_four_steps(results)
    arn = "arn:aws:iam::123456789012:policy/infraPassRole"
    assert default_document(iam, arn) == grant("arn:aws:iam::123456789012:role/ecs/prod/infra")
    assert results[0]["pass_role"]["policy_document"] == grant("arn:aws:iam::123456789012:role/ecs/prod/infra")


def test_remove_a_grantee_with_purge_off_then_on_and_add_one(runner, aws):
    iam = aws("iam")
    make_principals(iam, users=["alice", "bob", "carol"])
    runner.one(pass_role={"users": ["alice", "bob"]})

    keep = runner.run(
        [
            {"pass_role": {"users": ["alice"], "purge": False}, "_check": True},
            {"pass_role": {"users": ["alice"], "purge": False}},
        ]
    )
    assert [r["changed"] for r in keep] == [False, False]
    assert keep[1]["pass_role"]["users"] == ["alice", "bob"]
    assert entities(iam)["users"] == ["alice", "bob"]

    purge = runner.four_steps({"pass_role": {"users": ["alice"]}})
    assert_four_steps(purge)
    assert purge[1]["diff"]["before"]["pass_role"]["users"] == ["alice", "bob"]
    assert purge[1]["diff"]["after"]["pass_role"]["users"] == ["alice"]
    assert entities(iam)["users"] == ["alice"]

    add = runner.four_steps({"pass_role": {"users": ["alice", "carol"]}})
    assert_four_steps(add)
    assert entities(iam)["users"] == ["alice", "carol"]


def test_inline_mode_and_switching_both_ways(runner, aws):
    iam = aws("iam")
    make_principals(iam, users=["alice", "bob"], roles=["deployer"])
    runner.one(pass_role={"users": ["alice", "bob"], "roles": ["deployer"]})

    to_inline = runner.four_steps({"pass_role": {"users": ["alice"], "roles": ["deployer"], "mode": "inline"}})
    assert_four_steps(to_inline)
    assert not policy_exists(iam)
    holders = inline_holders(iam)
    assert sorted(holders["users"]) == ["alice"] and sorted(holders["roles"]) == ["deployer"]
    assert holders["users"]["alice"] == grant()
    assert to_inline[1]["pass_role"]["users"] == ["alice"]
    assert "policy_arn" not in to_inline[1]["pass_role"]

    # an unlisted principal holding the inline policy loses it with purge
    iam.put_user_policy(UserName="bob", PolicyName=POLICY, PolicyDocument=json.dumps(grant()))
    purge = runner.four_steps({"pass_role": {"users": ["alice"], "roles": ["deployer"], "mode": "inline"}})
    assert_four_steps(purge)
    assert sorted(inline_holders(iam)["users"]) == ["alice"]

    to_managed = runner.four_steps({"pass_role": {"users": ["alice"], "roles": ["deployer"]}})
    assert_four_steps(to_managed)
    assert inline_holders(iam) == {"users": {}, "groups": {}, "roles": {}}
    assert entities(iam) == {"users": ["alice"], "groups": [], "roles": ["deployer"]}
    assert "ecs_tools.iam:inline-cleanup" not in [
        t["Key"] for t in iam.get_policy(PolicyArn=POLICY_ARN)["Policy"].get("Tags", [])
    ]


def test_switch_without_purge_moves_unlisted_grantees_too(runner, aws):
    iam = aws("iam")
    make_principals(iam, users=["alice", "bob"])
    runner.one(pass_role={"users": ["alice", "bob"]})
    result = runner.one(pass_role={"users": ["alice"], "mode": "inline", "purge": False})
    assert result["pass_role"]["users"] == ["alice", "bob"]
    assert sorted(inline_holders(iam)["users"]) == ["alice", "bob"]
    assert not policy_exists(iam)


def test_drifted_grant_document_gets_a_new_default_version_within_the_limit(runner, aws):
    iam = aws("iam")
    make_principals(iam, users=["alice"])
    runner.one(pass_role={"users": ["alice"]})
    loose = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    for dummy in range(4):  # five versions: IAM's limit
        iam.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(loose), SetAsDefault=True)
    results = runner.four_steps({"pass_role": {"users": ["alice"]}})
    assert_four_steps(results)
    assert results[1]["diff"]["before"]["pass_role"]["policy_document"] == loose
    assert default_document(iam) == grant()
    versions = iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    # room was made for the new version, then every older one went: no loose version stays dormant
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v6", True)]


def test_missing_principals_fail_naming_each_with_zero_writes(runner, aws, server):
    iam = aws("iam")
    make_principals(iam, users=["alice"])
    for mode in ("managed_policy", "inline"):
        with server.recording() as rec:
            result = runner.one(
                capabilities=["volumes"],
                pass_role={"users": ["alice", "ghost"], "groups": ["nogroup"], "roles": ["norole"], "mode": mode},
            )
        assert result["failed"] is True, result
        for named in ("user 'ghost'", "group 'nogroup'", "role 'norole'"):
            assert named in result["msg"]
        assert "alice" not in result["msg"]
        assert rec.writes == []
    assert iam.list_roles()["Roles"] == [r for r in iam.list_roles()["Roles"] if r["RoleName"] != ROLE]


@pytest.mark.parametrize("mode", ["managed_policy", "inline"])
def test_absent_leaves_no_grant_anywhere(runner, aws, mode):
    iam = aws("iam")
    make_principals(iam, users=["alice"], groups=["platform"], roles=["deployer"])
    runner.one(
        capabilities=["volumes"],
        pass_role={"users": ["alice"], "groups": ["platform"], "roles": ["deployer"], "mode": mode},
    )
    results = runner.four_steps({"state": "absent", "usage_regions": ["us-east-1"]})
    assert_four_steps(results)
    assert not policy_exists(iam)
    assert inline_holders(iam) == {"users": {}, "groups": {}, "roles": {}}
    assert ROLE not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert results[1]["diff"]["before"]["pass_role"]["users"] == ["alice"]


def test_converged_cost_does_not_grow_with_grantees(runner, aws, server):
    iam = aws("iam")
    users = [f"user{i:03d}" for i in range(100)]
    make_principals(iam, users=users)
    counts = {}
    for n in (1, 100):
        args = {"capabilities": ["volumes", "service_connect_tls", "vpc_lattice"], "pass_role": {"users": users[:n]}}
        first = runner.one(**args)
        assert first["changed"] is True and not first.get("failed"), first.get("msg")
        with server.recording() as rec:
            again = runner.one(**args)
        assert again["changed"] is False
        assert rec.writes == []
        counts[n] = rec.actions()
        assert entities(iam)["users"] == users[:n]
    print(
        f"converged API calls: 1 grantee: {len(counts[1])} {counts[1]}; 100 grantees: {len(counts[100])} {counts[100]}"
    )
    assert counts[1] == counts[100]
    assert counts[1] == [
        "GetRole",
        "ListAttachedRolePolicies",
        "GetPolicy",
        "GetPolicyVersion",
        "ListEntitiesForPolicy",
    ]
