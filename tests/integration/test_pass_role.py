# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PassRole grants through ansible-playbook against a real moto_server, read back with boto3.

Each scenario works on a role of its own, so the scenarios share one account and run as the named
tasks of two ansible-playbook runs per test (tests/support/keyed.py): what a scenario starts from,
then its steps. Between the two, the state is read and edited by hand with boto3."""

import json

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


def role_arn(name, path="/"):
    return f"arn:aws:iam::123456789012:role{path}{name}"


def policy_arn(role):
    return f"arn:aws:iam::123456789012:policy/{role}PassRole"


def four(name, args):
    """amazon.aws's pattern as keyed tasks: check mode, apply, check mode again, apply again."""
    return [
        dict(args, _name=f"{name} 1", _check=True, _diff=True),
        dict(args, _name=f"{name} 2", _diff=True),
        dict(args, _name=f"{name} 3", _check=True),
        dict(args, _name=f"{name} 4"),
    ]


def steps(run, name):
    return [run.results[f"{name} {i}"] for i in range(1, 5)]


def created(run):
    for name, result in run.results.items():
        assert result["changed"] is True and not result.get("failed"), (name, result.get("msg"))


# Each scenario has a role of its own (the grant policy's name follows the role), so all of them live in
# one account: a first ansible-playbook builds what a scenario starts from, the state is edited by hand
# (boto3) where a scenario says so, and a second one runs every scenario's steps (tests/support/keyed.py).


def test_grants_are_made_changed_switched_and_repaired(keyed, aws):
    """A managed grant to a user, a group and a role (the role's default name); the grant's Resource
    carries the role's path; grantees removed with purge off (kept), then on (removed), then added;
    inline mode and switching both ways (an unlisted principal holding the inline grant loses it with
    purge; no cleanup tag is left); switching without purge moves unlisted grantees too; a drifted
    grant document at IAM's limit of five versions gets a new default version and no loose version
    stays dormant. Each in amazon.aws's four steps where it changes something."""
    iam = aws("iam")
    make_principals(iam, users=["alice", "bob", "carol"], groups=["platform"], roles=["deployer"])
    switch = {"name": "roleSwitch", "pass_role": {"users": ["alice"], "roles": ["deployer"], "mode": "inline"}}
    setup = [
        {"_name": "purge setup", "name": "rolePurge", "pass_role": {"users": ["alice", "bob"]}},
        {
            "_name": "switch setup",
            "name": "roleSwitch",
            "pass_role": {"users": ["alice", "bob"], "roles": ["deployer"]},
        },
        {"_name": "keep setup", "name": "roleSwitchKeep", "pass_role": {"users": ["alice", "bob"]}},
        {"_name": "drift setup", "name": "roleDrift", "pass_role": {"users": ["alice"]}},
    ]
    first = keyed.run(setup + four("to inline", switch))
    for name in [t["_name"] for t in setup]:
        assert first.results[name]["changed"] is True and not first.results[name].get("failed"), name

    # roleSwitch, managed -> inline (bob dropped by purge).
    to_inline = steps(first, "to inline")
    assert_four_steps(to_inline)
    assert not policy_exists(iam, policy_arn("roleSwitch"))
    holders = inline_holders(iam, "roleSwitchPassRole")
    assert sorted(holders["users"]) == ["alice"] and sorted(holders["roles"]) == ["deployer"]
    assert holders["users"]["alice"] == grant(role_arn("roleSwitch"))
    assert to_inline[1]["pass_role"]["users"] == ["alice"]
    assert "policy_arn" not in to_inline[1]["pass_role"]

    # Hand edits: an unlisted principal holding roleSwitch's inline grant; roleDrift's grant loosened
    # four times (five versions: IAM's limit).
    iam.put_user_policy(
        UserName="bob", PolicyName="roleSwitchPassRole", PolicyDocument=json.dumps(grant(role_arn("roleSwitch")))
    )
    loose = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    for dummy in range(4):
        iam.create_policy_version(
            PolicyArn=policy_arn("roleDrift"), PolicyDocument=json.dumps(loose), SetAsDefault=True
        )

    managed = {"pass_role": {"users": ["alice"], "groups": ["platform"], "roles": ["deployer"]}}
    keep = {"name": "rolePurge", "pass_role": {"users": ["alice"], "purge": False}}
    tasks = (
        four("managed", dict(managed, capabilities=["volumes"]))
        + four("path", {"name": "infra", "path": "/ecs/prod/", "pass_role": {"users": ["alice"]}})
        + [dict(keep, _name="keep 1", _check=True), dict(keep, _name="keep 2")]
        + four("purge", {"name": "rolePurge", "pass_role": {"users": ["alice"]}})
        + four("add", {"name": "rolePurge", "pass_role": {"users": ["alice", "carol"]}})
        + four("inline purge", switch)
        + four("to managed", dict(switch, pass_role={"users": ["alice"], "roles": ["deployer"]}))
        + [
            {
                "_name": "switch keep",
                "name": "roleSwitchKeep",
                "pass_role": {"users": ["alice"], "mode": "inline", "purge": False},
            }
        ]
        + four("drift", {"name": "roleDrift", "pass_role": {"users": ["alice"]}})
    )
    run = keyed.run(tasks)

    # A user, a group and a role, on the role's default name.
    results = steps(run, "managed")
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

    # The grant's Resource carries the role's path.
    results = steps(run, "path")
    assert_four_steps(results)
    arn = "arn:aws:iam::123456789012:policy/infraPassRole"
    assert default_document(iam, arn) == grant("arn:aws:iam::123456789012:role/ecs/prod/infra")
    assert results[0]["pass_role"]["policy_document"] == grant("arn:aws:iam::123456789012:role/ecs/prod/infra")

    # Purge off keeps bob (no change, in check mode either); purge on removes him; carol is added.
    keep = [run.results["keep 1"], run.results["keep 2"]]
    assert [r["changed"] for r in keep] == [False, False], [r.get("msg") for r in keep]
    assert keep[1]["pass_role"]["users"] == ["alice", "bob"]
    purge = steps(run, "purge")
    assert_four_steps(purge)
    assert purge[1]["diff"]["before"]["pass_role"]["users"] == ["alice", "bob"]
    assert purge[1]["diff"]["after"]["pass_role"]["users"] == ["alice"]
    assert purge[1]["pass_role"]["users"] == ["alice"]  # read back after the writes
    add = steps(run, "add")
    assert_four_steps(add)
    assert add[1]["diff"]["before"]["pass_role"]["users"] == ["alice"]
    assert entities(iam, policy_arn("rolePurge"))["users"] == ["alice", "carol"]

    # roleSwitch: bob's inline grant goes with purge; then back to managed, no inline grant or tag left.
    assert_four_steps(steps(run, "inline purge"))
    assert_four_steps(steps(run, "to managed"))
    assert inline_holders(iam, "roleSwitchPassRole") == {"users": {}, "groups": {}, "roles": {}}
    assert entities(iam, policy_arn("roleSwitch")) == {"users": ["alice"], "groups": [], "roles": ["deployer"]}
    assert "ecs_tools.iam:inline-cleanup" not in [
        t["Key"] for t in iam.get_policy(PolicyArn=policy_arn("roleSwitch"))["Policy"].get("Tags", [])
    ]

    # A switch without purge moves the unlisted grantee too.
    result = run.results["switch keep"]
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert result["pass_role"]["users"] == ["alice", "bob"]
    assert sorted(inline_holders(iam, "roleSwitchKeepPassRole")["users"]) == ["alice", "bob"]
    assert not policy_exists(iam, policy_arn("roleSwitchKeep"))

    # The drifted grant: a new default version, room made for it, then every older one gone.
    results = steps(run, "drift")
    assert_four_steps(results)
    assert results[1]["diff"]["before"]["pass_role"]["policy_document"] == loose
    assert default_document(iam, policy_arn("roleDrift")) == grant(role_arn("roleDrift"))
    versions = iam.list_policy_versions(PolicyArn=policy_arn("roleDrift"))["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v6", True)]


def test_missing_principals_absent_and_the_converged_cost(keyed, aws):
    """Missing principals fail naming each (not the existing one) with zero writes, in both modes;
    ``state: absent`` leaves no grant anywhere, in both modes (four steps); a converged run costs the
    same five reads with 1 grantee as with 100."""
    iam = aws("iam")
    users = [f"user{i:03d}" for i in range(100)]
    make_principals(iam, users=["alice"] + users, groups=["platform"], roles=["deployer"])
    everyone = {"users": ["alice"], "groups": ["platform"], "roles": ["deployer"]}
    cost = {
        n: {
            "name": f"roleCost{n}",
            "capabilities": ["volumes", "service_connect_tls", "vpc_lattice"],
            "pass_role": {"users": users[:n]},
        }
        for n in (1, 100)
    }
    created(
        keyed.run(
            [
                {
                    "_name": f"create {mode}",
                    "name": f"roleAbsent-{mode}",
                    "capabilities": ["volumes"],
                    "pass_role": dict(everyone, mode=mode),
                }
                for mode in ("managed_policy", "inline")
            ]
            + [dict(args, _name=f"cost {n} first") for n, args in cost.items()]
        )
    )

    tasks = []
    for mode in ("managed_policy", "inline"):
        missing = {"users": ["alice", "ghost"], "groups": ["nogroup"], "roles": ["norole"], "mode": mode}
        tasks.append(
            {"_name": f"missing {mode}", "name": "roleMissing", "capabilities": ["volumes"], "pass_role": missing}
        )
        tasks += four(
            f"absent {mode}", {"name": f"roleAbsent-{mode}", "state": "absent", "usage_regions": ["us-east-1"]}
        )
    tasks += [dict(args, _name=f"cost {n}") for n, args in cost.items()]
    run = keyed.run(tasks, record=True)

    for mode in ("managed_policy", "inline"):
        result = run.results[f"missing {mode}"]
        assert result.get("failed") is True, result
        for named in ("user 'ghost'", "group 'nogroup'", "role 'norole'"):
            assert named in result["msg"], (named, result["msg"])
        assert "alice" not in result["msg"]
        assert run.writes(f"missing {mode}") == []

        results = steps(run, f"absent {mode}")
        assert_four_steps(results)
        assert results[1]["diff"]["before"]["pass_role"]["users"] == ["alice"]
        assert not policy_exists(iam, policy_arn(f"roleAbsent-{mode}"))
        assert inline_holders(iam, f"roleAbsent-{mode}PassRole") == {"users": {}, "groups": {}, "roles": {}}
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith("roleAbsent") or r == "roleMissing"], roles

    counts = {n: run.actions(f"cost {n}") for n in cost}
    print(
        f"converged API calls: 1 grantee: {len(counts[1])} {counts[1]}; 100 grantees: {len(counts[100])} {counts[100]}"
    )
    for n in cost:
        assert run.results[f"cost {n}"]["changed"] is False, run.results[f"cost {n}"].get("msg")
        assert run.writes(f"cost {n}") == []
        assert entities(iam, policy_arn(f"roleCost{n}"))["users"] == users[:n]
    assert counts[1] == counts[100]
    assert counts[1] == [
        "GetRole",
        "ListAttachedRolePolicies",
        "GetPolicy",
        "GetPolicyVersion",
        "ListEntitiesForPolicy",
    ]
