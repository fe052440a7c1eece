# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection touches only what it can prove is its own, on a real moto_server.

An IAM object that merely carries the grant policy's name (someone else's managed policy, someone
else's inline policy, the grant of another role) is refused before any write, in every mode and in
check mode, and left byte-for-byte as it was; ``state: absent`` deletes the role and its own grants
and lists what it left alone. An unmarked grant written by hand or by release 1.0.0 is adopted by
marking it only when it is provably the grant: every version is exactly this role's grant and every
principal holding it is listed; a planted policy with a dormant version, or one held by someone the
task does not list, is refused like any foreign object and never deleted. ``state: absent`` deletes
the collection's own grant even when the role was deleted by hand, and the info module reports such
an orphan. A run whose writes another writer undid does not report success.
"""

import json

import pytest
from checks import authorization_snapshot
from expected import passrole_grant
from fault_proxy import FaultProxy
from fault_proxy import wait_for_pause

ROLE = "ecsInfrastructureRole"
POLICY = ROLE + "PassRole"
ACCOUNT = "123456789012"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{POLICY}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
MARK = "ecs_tools.iam:role-arn"
S3_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def grant(role_arn=ROLE_ARN):
    return passrole_grant(role_arn)


def versions(iam, arn=POLICY_ARN):
    """Every version of a managed policy, each read with GetPolicyVersion."""
    found = []
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        read = iam.get_policy_version(PolicyArn=arn, VersionId=version["VersionId"])["PolicyVersion"]
        found.append((read["VersionId"], read["IsDefaultVersion"], json.dumps(read["Document"], sort_keys=True)))
    return sorted(found)


def users(iam, *names):
    for name in names:
        iam.create_user(UserName=name)


def foreign_managed_policy(iam, document=None, holders=("mallory",), tags=None, name=POLICY):
    kwargs = dict(PolicyName=name, PolicyDocument=json.dumps(document or S3_ADMIN), Description="team B's S3 access")
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    arn = iam.create_policy(**kwargs)["Policy"]["Arn"]
    for holder in holders:
        iam.attach_user_policy(UserName=holder, PolicyArn=arn)
    return arn


def policy_tags(iam, arn=POLICY_ARN):
    return {t["Key"]: t["Value"] for t in iam.get_policy(PolicyArn=arn)["Policy"].get("Tags") or []}


# ------------------------------------------------------------------ refused, in every mode
#
# Each scenario has a role name of its own (the grant policy's name follows it), so all of them live
# in one account and their runs are the tasks of one ansible-playbook (tests/support/keyed.py).


def role_arn(role, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:role{path}{role}"


def policy_arn(name):
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def refused_as(result, role, *named):
    assert result.get("failed") is True, result
    message = result["msg"]
    assert message.startswith(f"Refusing to manage the PassRole grants of role '{role}'"), message
    assert "Nothing was changed" in message and "pass_role.policy_name" in message, message
    for text in named:
        assert text in message, (text, message)
    return message


def refused(result, *named):
    return refused_as(result, ROLE, *named)


def planted_grant(iam, role, holders, dormant=None):
    """An untagged policy named like ``role``'s grant whose default version is exactly that grant;
    ``dormant``: an older version left behind (a planted policy: one SetDefaultPolicyVersion from being that)."""
    name, arn = role + "PassRole", policy_arn(role + "PassRole")
    iam.create_policy(
        PolicyName=name, PolicyDocument=json.dumps(dormant or grant(role_arn(role))), Description="PassRole for ECS"
    )
    if dormant:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(grant(role_arn(role))), SetAsDefault=True)
    for holder in holders:
        iam.attach_user_policy(UserName=holder, PolicyArn=arn)
    return arn


DORMANT_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Role names of the refusal scenarios (the default name holds the grant of another role).
FOREIGN_MANAGED = "roleForeignManaged"
FOREIGN_INLINE = "roleForeignInline"
TAKEN_NAMES = "roleTakenNames"
DORMANT = "roleDormantVersion"
UNLISTED = "roleUnlistedHolder"


def test_whatever_merely_shares_the_grant_name_is_refused_in_every_mode_with_zero_writes(keyed, server, aws):
    """Someone else's managed policy of that name (both modes, purge on and off), someone else's inline
    policy (grantee listed or not), names IAM takes regardless of case and path (moto keeps them apart,
    AWS would fail the CreatePolicy after the role's writes), the grant of another role (named, no
    ping-pong), an unmarked grant that is not provably the grant ((a) a dormant version Allows *:*; (b)
    held by someone the task does not list, whom purge would revoke): each refused before any write, in
    check mode and for real, and everything left byte-for-byte as it was."""
    iam = aws("iam")
    users(iam, "alice", "bob", "mallory")
    shared = {"policy_name": "SharedPassRole"}
    setup = keyed.run(
        [
            {"_name": "roleA", "name": "roleA", "pass_role": dict(shared, users=["alice"])},
            {"_name": DORMANT, "name": DORMANT, "capabilities": ["volumes"]},
            {"_name": UNLISTED, "name": UNLISTED, "capabilities": ["volumes"]},
        ]
    )
    for name, result in setup.results.items():
        assert result["changed"] is True and not result.get("failed"), (name, result.get("msg"))
    shared_arn = policy_arn("SharedPassRole")
    # A new grant policy is created marked with its role's ARN.
    assert policy_tags(iam, shared_arn) == {MARK: role_arn("roleA")}

    foreign_managed_policy(iam, name=FOREIGN_MANAGED + "PassRole")
    iam.put_user_policy(UserName="bob", PolicyName=FOREIGN_INLINE + "PassRole", PolicyDocument=json.dumps(S3_ADMIN))
    iam.create_policy(PolicyName=TAKEN_NAMES + "PassRole", Path="/team/", PolicyDocument=json.dumps(S3_ADMIN))
    iam.put_user_policy(
        UserName="bob", PolicyName=(TAKEN_NAMES + "PassRole").lower(), PolicyDocument=json.dumps(S3_ADMIN)
    )
    planted = {
        DORMANT: planted_grant(iam, DORMANT, ["alice"], DORMANT_ADMIN),
        UNLISTED: planted_grant(iam, UNLISTED, ["alice", "mallory"]),
    }
    before = authorization_snapshot(iam)
    before_versions = {arn: versions(iam, arn) for arn in planted.values()}

    tasks = []
    for mode in ("managed_policy", "inline"):
        for purge in (True, False):
            args = {
                "name": FOREIGN_MANAGED,
                "capabilities": ["volumes"],
                "pass_role": {"users": ["alice"], "mode": mode, "purge": purge},
            }
            tasks += [
                dict(args, _name=f"managed {mode} purge={purge} check", _check=True),
                dict(args, _name=f"managed {mode} purge={purge}"),
            ]
    for listed in (True, False):
        args = {
            "name": FOREIGN_INLINE,
            "pass_role": {"users": ["alice", "bob"] if listed else ["alice"], "mode": "inline"},
        }
        tasks += [
            dict(args, _name=f"inline listed={listed} check", _check=True),
            dict(args, _name=f"inline listed={listed}"),
        ]
    tasks.append(
        {"_name": "taken names", "name": TAKEN_NAMES, "capabilities": ["volumes"], "pass_role": {"users": ["alice"]}}
    )
    tasks.append({"_name": "another role's grant", "pass_role": dict(shared, users=["bob"])})
    for role in (DORMANT, UNLISTED):
        args = {"name": role, "capabilities": ["volumes"], "pass_role": {"users": ["alice"]}}
        inline = dict(args, pass_role={"users": ["alice"], "mode": "inline"})
        tasks += [
            dict(args, _name=f"{role} check", _check=True),
            dict(args, _name=role),
            dict(inline, _name=f"{role} inline"),
        ]
    run = keyed.run(tasks, record=True)
    results = run.results

    foreign_arn = policy_arn(FOREIGN_MANAGED + "PassRole")
    for name in [t["_name"] for t in tasks if t["_name"].startswith("managed ")]:
        message = refused_as(
            results[name], FOREIGN_MANAGED, foreign_arn, "attached to user 'mallory'", "not this role's PassRole grant"
        )
        assert results[name]["foreign_objects"] == [
            {
                "type": "managed_policy",
                "name": FOREIGN_MANAGED + "PassRole",
                "arn": foreign_arn,
                "mark": None,
                "holders": {"users": ["mallory"], "groups": [], "roles": []},
                "reason": f"its document is not this role's PassRole grant and it carries no {MARK} mark",
            }
        ], name
    print(message)
    for name in [t["_name"] for t in tasks if t["_name"].startswith("inline ")]:
        message = refused_as(results[name], FOREIGN_INLINE, f"inline policy '{FOREIGN_INLINE}PassRole' of user 'bob'")
        assert results[name]["foreign_objects"][0]["principal"] == "bob", name
    print(message)
    message = refused_as(
        results["taken names"],
        TAKEN_NAMES,
        f"managed policy arn:aws:iam::{ACCOUNT}:policy/team/{TAKEN_NAMES}PassRole",
        f"inline policy '{(TAKEN_NAMES + 'PassRole').lower()}' of user 'bob'",
        "IAM names are unique regardless of case",
    )
    print(message)
    message = refused(
        results["another role's grant"],
        shared_arn,
        f"marked {MARK}={role_arn('roleA')}",
        "it holds the grant of that role",
    )
    print(message)
    for role, named in (
        (DORMANT, "its version v1 is not this role's PassRole grant"),
        (UNLISTED, "it is attached to user 'mallory', whom pass_role does not list"),
    ):
        for name in (f"{role} check", role, f"{role} inline"):
            message = refused_as(results[name], role, planted[role], f"it carries no {MARK} mark", named)
            assert [o["arn"] for o in results[name]["foreign_objects"]] == [planted[role]], name
        print(message)

    assert run.writes() == [], [(c.action) for c in run.writes()]
    assert authorization_snapshot(iam) == before  # roleA keeps its grant; nothing else moved
    for arn in planted.values():
        assert versions(iam, arn) == before_versions[arn] and policy_tags(iam, arn) == {}, arn


# ------------------------------------------------------------------ reported, adopted, deleted, left alone

ADOPTED = {
    "roleHandWritten": ("PassRole for ECS, from the AWS guide", True),
    "roleFrom100": ("iam:PassRole grant managed by the ecs_tools.iam collection", False),
}
UNADOPTED = "roleUnadopted"
ORPHAN = "roleOrphan"
GONE = "roleGone"


def adoption_warning(role):
    return (
        f"Adopting managed policy {policy_arn(role + 'PassRole')} as the PassRole grant of role '{role}': "
        "it carries no ecs_tools.iam:role-arn mark, but every version (v1) is exactly this role's grant and every "
        "principal holding it (user 'alice') is listed in pass_role. The mark is added; from now on the "
        "ecs_tools.iam collection manages it."
    )


def test_own_grants_are_adopted_reported_and_deleted_and_the_rest_left_alone(keyed, aws):
    """In one account, each scenario on a role of its own:

    - the info module reports what merely shares the grant's name (its own inline grant only), and
      ``state: absent`` deletes the role and its own grants, lists what it left alone in a warning and
      leaves someone else's policies of that name as they were;
    - an exact unmarked grant (written by hand, or by release 1.0.0 untagged) is adopted by marking it
      (TagPolicy only, named in a warning in check mode and for real, then converged);
    - (c) ``state: absent`` deletes the role but not an unmarked grant-shaped policy held by someone
      the task does not list;
    - an orphaned grant (the role deleted by hand: a role re-created under that name would be passable
      at once) is reported by the info module and deleted by ``state: absent``;
    - the role is gone and the policy under its grant's name holds another role's grant: ``state:
      absent`` leaves it and changes nothing."""
    iam = aws("iam")
    users(iam, "alice", "bob", "mallory")
    setup = [
        {"_name": "create " + ROLE, "capabilities": ["volumes"], "pass_role": {"users": ["alice"], "mode": "inline"}}
    ]
    setup += [
        {"_name": "create " + role, "name": role, "capabilities": ["volumes"]} for role in list(ADOPTED) + [UNADOPTED]
    ]
    setup.append(
        {
            "_name": "create " + ORPHAN,
            "name": ORPHAN,
            "path": "/ecs/",
            "capabilities": ["volumes"],
            "pass_role": {"users": ["alice"]},
        }
    )
    setup.append(
        {
            "_name": "create roleOwner",
            "name": "roleOwner",
            "pass_role": {"users": ["alice"], "policy_name": GONE + "PassRole"},
        }
    )
    for name, result in keyed.run(setup).results.items():
        assert result["changed"] is True and not result.get("failed"), (name, result.get("msg"))

    # Someone else's policies named like ROLE's grant.
    iam.put_user_policy(UserName="bob", PolicyName=POLICY, PolicyDocument=json.dumps(S3_ADMIN))
    foreign_arn = foreign_managed_policy(iam)
    foreign_version = iam.get_policy(PolicyArn=foreign_arn)["Policy"]["DefaultVersionId"]
    # Exact unmarked grants: one with a Sid and lists where the collection writes scalars (the same policy).
    for role, (description, hand_written) in ADOPTED.items():
        document = grant(role_arn(role))
        if hand_written:
            statement = document["Statement"][0]
            statement.update(Sid="AllowPassToEcs", Action=["iam:PassRole"], Resource=[role_arn(role)])
        iam.create_policy(PolicyName=role + "PassRole", PolicyDocument=json.dumps(document), Description=description)
        iam.attach_user_policy(UserName="alice", PolicyArn=policy_arn(role + "PassRole"))
    unadopted_arn = planted_grant(iam, UNADOPTED, ["mallory"])
    unadopted_versions = versions(iam, unadopted_arn)
    # The orphan: its role deleted by hand, its marked grant still attached.
    orphan_arn = policy_arn(ORPHAN + "PassRole")
    iam.detach_role_policy(
        RoleName=ORPHAN, PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
    )
    iam.delete_role(RoleName=ORPHAN)
    orphan_marked = role_arn(ORPHAN, "/ecs/")
    assert policy_tags(iam, orphan_arn) == {MARK: orphan_marked}
    gone_arn = policy_arn(GONE + "PassRole")
    gone_before = (
        versions(iam, gone_arn),
        policy_tags(iam, gone_arn),
        iam.list_entities_for_policy(PolicyArn=gone_arn)["PolicyUsers"],
    )

    info = {"_module": "ecs_tools.iam.ecs_infrastructure_role_info"}
    absent = {"state": "absent", "usage_regions": ["us-east-1"]}
    tasks = [
        dict(info, _name="info", check_usage=False),
        {"_name": "absent", "state": "absent"},
    ]  # no pass_role option at all
    for role in ADOPTED:
        args = {"name": role, "capabilities": ["volumes"], "pass_role": {"users": ["alice"]}}
        tasks += [
            dict(args, _name=f"{role} 1", _check=True, _diff=True),
            dict(args, _name=f"{role} 2", _diff=True),
            dict(args, _name=f"{role} 3", _check=True),
            dict(args, _name=f"{role} 4"),
        ]
    tasks.append(dict(absent, _name=UNADOPTED, name=UNADOPTED))
    tasks += [
        dict(info, _name="orphan found", name=ORPHAN),
        dict(absent, _name="orphan check", name=ORPHAN, _check=True, _diff=True),
        dict(absent, _name="orphan deleted", name=ORPHAN, _diff=True),
        dict(absent, _name="orphan again", name=ORPHAN),
        dict(info, _name="orphan after", name=ORPHAN),
    ]
    tasks.append(dict(absent, _name=GONE, name=GONE))
    run = keyed.run(tasks, record=True)
    results = run.results
    for name, result in results.items():
        assert not result.get("failed"), (name, result.get("msg"))

    # The info module: its own grant only, not mallory's or bob's policies; both reported.
    found = results["info"]
    assert found["pass_role"]["users"] == ["alice"]
    assert [(o["type"], o.get("arn") or o.get("principal")) for o in found["foreign_objects"]] == [
        ("managed_policy", POLICY_ARN),
        ("inline_policy", "bob"),
    ]
    not_owned = [f for f in found["findings"] if f["code"] == "pass_role_not_owned"]
    assert [f["severity"] for f in not_owned] == ["medium", "medium"]
    assert "user 'mallory'" in not_owned[0]["message"] and "user 'bob'" in not_owned[1]["message"]
    # state: absent deletes the role and its own grant, and leaves the rest.
    deleted = results["absent"]
    assert deleted["changed"] is True
    assert [(o["type"], o.get("arn") or o.get("principal")) for o in deleted["foreign_objects"]] == [
        ("managed_policy", POLICY_ARN),
        ("inline_policy", "bob"),
    ]
    assert any("Left alone while deleting role 'ecsInfrastructureRole'" in w for w in deleted.get("warnings", []))
    print(deleted["warnings"])
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE)
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []  # its own grant: deleted
    assert json.loads(json.dumps(iam.get_user_policy(UserName="bob", PolicyName=POLICY)["PolicyDocument"])) == S3_ADMIN
    policy = iam.get_policy(PolicyArn=foreign_arn)["Policy"]
    assert policy["DefaultVersionId"] == foreign_version and policy["Description"] == "team B's S3 access"
    attached = iam.list_entities_for_policy(PolicyArn=foreign_arn)["PolicyUsers"]
    assert [u["UserName"] for u in attached] == ["mallory"]

    # Adoption: marked once (TagPolicy, nothing else), named in a warning in check mode and for real.
    for role in ADOPTED:
        arn = policy_arn(role + "PassRole")
        steps = [results[f"{role} {i}"] for i in range(1, 5)]
        assert [r["changed"] for r in steps] == [True, True, False, False], role
        assert [c.action for c in run.writes(*[f"{role} {i}" for i in range(1, 5)])] == ["TagPolicy"], role
        assert steps[0]["diff"]["before"]["pass_role"]["mark"] is None
        assert steps[0]["diff"]["after"]["pass_role"]["mark"] == role_arn(role)
        adopted = {"arn": arn, "versions": ["v1"], "holders": {"users": ["alice"], "groups": [], "roles": []}}
        assert [r["diff"]["after"]["pass_role"].get("adopted") for r in steps[:2]] == [adopted, adopted]
        for result in steps[:2]:
            assert adoption_warning(role) in result["warnings"], result.get("warnings")
        assert [r.get("warnings") for r in steps[2:]] == [None, None]  # adopted once: marked, no more warning
        assert policy_tags(iam, arn) == {MARK: role_arn(role)}
        assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"

    # (c) the unadopted policy: listed, warned about, attached and unchanged; only the role's writes.
    result = results[UNADOPTED]
    assert result["changed"] is True
    assert [(o["arn"], o["holders"]["users"]) for o in result["foreign_objects"]] == [(unadopted_arn, ["mallory"])]
    assert any(w.startswith(f"Left alone while deleting role '{UNADOPTED}'") for w in result["warnings"])
    print(result["warnings"])
    writes = run.writes(UNADOPTED)
    assert writes and not [c for c in writes if "Policy" in c.action and "Role" not in c.action], writes
    assert versions(iam, unadopted_arn) == unadopted_versions and policy_tags(iam, unadopted_arn) == {}
    assert [u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=unadopted_arn)["PolicyUsers"]] == ["mallory"]

    # The orphan: reported, then deleted (check mode and diff first), then nothing left to report.
    found, check, deleted, again, after = (
        results["orphan " + s] for s in ("found", "check", "deleted", "again", "after")
    )
    assert found["exists"] is False
    assert [(f["code"], f["severity"]) for f in found["findings"]] == [("pass_role_orphaned_grant", "medium")]
    message = found["findings"][0]["message"]
    assert orphan_arn in message and orphan_marked in message and "attached to user 'alice'" in message, message
    print(message)
    assert [r["changed"] for r in (check, deleted, again)] == [True, True, False]
    assert deleted["diff"]["before"]["pass_role"]["mark"] == orphan_marked
    assert deleted["diff"]["before"]["pass_role"]["users"] == ["alice"]
    orphan_tasks = ["orphan " + s for s in ("found", "check", "deleted", "again", "after")]
    assert [c.action for c in run.writes(*orphan_tasks)] == ["DetachUserPolicy", "DeletePolicy"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=orphan_arn)
    assert after["findings"] == []

    # Another role's grant under the gone role's grant name: left alone, no change, no write.
    assert results[GONE]["changed"] is False
    assert run.writes(GONE) == []
    assert (
        versions(iam, gone_arn),
        policy_tags(iam, gone_arn),
        iam.list_entities_for_policy(PolicyArn=gone_arn)["PolicyUsers"],
    ) == gone_before


# ------------------------------------------------------------------ two writers at once

A = {"capabilities": ["volumes", "service_connect_tls"], "pass_role": {"users": ["alice"]}}
B = {"capabilities": ["vpc_lattice"], "pass_role": {"users": ["bob"]}}


def observed(iam):
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    holders = iam.list_entities_for_policy(PolicyArn=POLICY_ARN)["PolicyUsers"]
    return (sorted(p["PolicyName"] for p in attached), sorted(u["UserName"] for u in holders))


def test_a_run_whose_writes_another_run_undid_does_not_report_success(runner, server, aws):
    """Run A is held (by a proxy) after its role writes and before its grant writes; run B changes the
    same role meanwhile and finishes. A then resumes from its stale plan: the role is left in a state
    neither asked for, and A, which reads back what it wrote, must fail saying so (1.0.0 reported success)."""
    iam = aws("iam")
    users(iam, "alice", "bob", "carol")
    baseline = runner.one(capabilities=["managed_instances"], pass_role={"users": ["carol"]})
    assert not baseline.get("failed"), baseline.get("msg")
    proxy = FaultProxy(server.url, pause_on=("AttachUserPolicy", 1)).start()
    try:
        run_a, out_a = runner.start([A], extra_env={"AWS_ENDPOINT_URL": proxy.url})
        assert wait_for_pause(proxy, run_a), "run A ended without reaching its grant"
        result_b = runner.one(**B)
        proxy.release()  # the held request is dropped unanswered; botocore retries it
        run_a.communicate()
        result_a = json.loads(out_a.read_text())[0]
    finally:
        proxy.release()
        proxy.stop()
    assert not result_b.get("failed") and result_b["changed"] is True, result_b.get("msg")
    assert result_a.get("failed") is True, result_a
    assert "Role 'ecsInfrastructureRole' was changed concurrently by another writer" in result_a["msg"]
    assert any("attached policies are" in d for d in result_a["differences"]), result_a["differences"]
    print(result_a["msg"])
    # what IAM holds is a mix that neither run asked for, and neither reported it as its result
    assert observed(iam) == (["AmazonECSInfrastructureRolePolicyForVpcLattice"], ["alice", "bob"])
    again = runner.one(**A)  # the next run converges
    assert again["changed"] is True and not again.get("failed"), again.get("msg")
    assert observed(iam) == (
        [
            "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
            "AmazonECSInfrastructureRolePolicyForVolumes",
        ],
        ["alice"],
    )
