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


def foreign_managed_policy(iam, document=None, holders=("mallory",), tags=None):
    kwargs = dict(PolicyName=POLICY, PolicyDocument=json.dumps(document or S3_ADMIN), Description="team B's S3 access")
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    arn = iam.create_policy(**kwargs)["Policy"]["Arn"]
    for holder in holders:
        iam.attach_user_policy(UserName=holder, PolicyArn=arn)
    return arn


def policy_tags(iam, arn=POLICY_ARN):
    return {t["Key"]: t["Value"] for t in iam.get_policy(PolicyArn=arn)["Policy"].get("Tags") or []}


def refused(result, *named):
    assert result.get("failed") is True, result
    message = result["msg"]
    assert message.startswith("Refusing to manage the PassRole grants of role 'ecsInfrastructureRole'"), message
    assert "Nothing was changed" in message and "pass_role.policy_name" in message, message
    for text in named:
        assert text in message, (text, message)
    return message


# ------------------------------------------------------------------ refused, in every mode


@pytest.mark.parametrize("mode", ["managed_policy", "inline"])
@pytest.mark.parametrize("purge", [True, False])
def test_someone_elses_managed_policy_of_that_name_is_refused(runner, server, aws, mode, purge):
    iam = aws("iam")
    users(iam, "alice", "mallory")
    foreign_managed_policy(iam)
    before = authorization_snapshot(iam)
    args = {"capabilities": ["volumes"], "pass_role": {"users": ["alice"], "mode": mode, "purge": purge}}
    with server.recording() as rec:
        results = runner.run([dict(args, _check=True), args])
    for result in results:
        message = refused(result, POLICY_ARN, "attached to user 'mallory'", "not this role's PassRole grant")
        assert result["foreign_objects"] == [
            {
                "type": "managed_policy",
                "name": POLICY,
                "arn": POLICY_ARN,
                "mark": None,
                "holders": {"users": ["mallory"], "groups": [], "roles": []},
                "reason": f"its document is not this role's PassRole grant and it carries no {MARK} mark",
            }
        ]
    print(message)
    assert rec.writes == []
    assert authorization_snapshot(iam) == before


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "unlisted"])
def test_someone_elses_inline_policy_of_that_name_is_refused(runner, server, aws, listed):
    iam = aws("iam")
    users(iam, "alice", "bob")
    iam.put_user_policy(UserName="bob", PolicyName=POLICY, PolicyDocument=json.dumps(S3_ADMIN))
    before = authorization_snapshot(iam)
    grantees = ["alice", "bob"] if listed else ["alice"]
    args = {"pass_role": {"users": grantees, "mode": "inline"}}
    with server.recording() as rec:
        results = runner.run([dict(args, _check=True), args])
    for result in results:
        message = refused(result, f"inline policy '{POLICY}' of user 'bob'")
        assert result["foreign_objects"][0]["principal"] == "bob"
    print(message)
    assert rec.writes == []
    assert authorization_snapshot(iam) == before


def test_names_iam_takes_for_the_grants_are_refused_before_any_write(runner, server, aws):
    """IAM names are unique regardless of case (and managed policy names regardless of path); moto keeps
    them apart, AWS would fail the CreatePolicy after the role's writes. Refused before any write."""
    iam = aws("iam")
    users(iam, "alice", "bob")
    iam.create_policy(PolicyName=POLICY, Path="/team/", PolicyDocument=json.dumps(S3_ADMIN))
    iam.put_user_policy(UserName="bob", PolicyName=POLICY.lower(), PolicyDocument=json.dumps(S3_ADMIN))
    before = authorization_snapshot(iam)
    with server.recording() as rec:
        result = runner.one(capabilities=["volumes"], pass_role={"users": ["alice"]})
    message = refused(
        result,
        f"managed policy arn:aws:iam::{ACCOUNT}:policy/team/{POLICY}",
        f"inline policy '{POLICY.lower()}' of user 'bob'",
        "IAM names are unique regardless of case",
    )
    print(message)
    assert rec.writes == []
    assert authorization_snapshot(iam) == before


def test_the_grant_of_another_role_is_refused_naming_that_role(runner, server, aws):
    iam = aws("iam")
    users(iam, "alice", "bob")
    shared = {"policy_name": "SharedPassRole"}
    first = runner.one(name="roleA", pass_role=dict(shared, users=["alice"]))
    assert first["changed"] is True and not first.get("failed"), first.get("msg")
    arn = f"arn:aws:iam::{ACCOUNT}:policy/SharedPassRole"
    role_a = f"arn:aws:iam::{ACCOUNT}:role/roleA"
    assert policy_tags(iam, arn) == {MARK: role_a}
    before = authorization_snapshot(iam)
    with server.recording() as rec:
        second = runner.one(pass_role=dict(shared, users=["bob"]))
    message = refused(second, arn, f"marked {MARK}={role_a}", "it holds the grant of that role")
    print(message)
    assert rec.writes == []
    assert authorization_snapshot(iam) == before  # roleA keeps its grant; no ping-pong


def test_the_info_module_reports_what_merely_shares_the_name(runner, aws):
    iam = aws("iam")
    users(iam, "alice", "bob", "mallory")
    assert runner.one(capabilities=["volumes"], pass_role={"users": ["alice"], "mode": "inline"})["changed"]
    iam.put_user_policy(UserName="bob", PolicyName=POLICY, PolicyDocument=json.dumps(S3_ADMIN))
    foreign_managed_policy(iam)
    info = runner.one(_module="ecs_tools.iam.ecs_infrastructure_role_info", check_usage=False)
    assert not info.get("failed"), info.get("msg")
    assert info["pass_role"]["users"] == ["alice"]  # its own grant only, not mallory's or bob's policies
    assert [(o["type"], o.get("arn") or o.get("principal")) for o in info["foreign_objects"]] == [
        ("managed_policy", POLICY_ARN),
        ("inline_policy", "bob"),
    ]
    not_owned = [f for f in info["findings"] if f["code"] == "pass_role_not_owned"]
    assert [f["severity"] for f in not_owned] == ["medium", "medium"]
    assert "user 'mallory'" in not_owned[0]["message"] and "user 'bob'" in not_owned[1]["message"]


# ------------------------------------------------------------------ state: absent


def test_absent_deletes_the_role_and_its_own_grants_and_leaves_the_rest(runner, server, aws):
    iam = aws("iam")
    users(iam, "alice", "bob", "mallory")
    created = runner.one(capabilities=["volumes"], pass_role={"users": ["alice"], "mode": "inline"})
    assert created["changed"] is True and not created.get("failed"), created.get("msg")
    iam.put_user_policy(UserName="bob", PolicyName=POLICY, PolicyDocument=json.dumps(S3_ADMIN))
    foreign_arn = foreign_managed_policy(iam)
    foreign_version = iam.get_policy(PolicyArn=foreign_arn)["Policy"]["DefaultVersionId"]

    result = runner.one(state="absent")  # no pass_role option at all
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert [(o["type"], o.get("arn") or o.get("principal")) for o in result["foreign_objects"]] == [
        ("managed_policy", POLICY_ARN),
        ("inline_policy", "bob"),
    ]
    assert any("Left alone while deleting role 'ecsInfrastructureRole'" in w for w in result.get("warnings", []))
    print(result["warnings"])

    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE)
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []  # its own grant: deleted
    assert json.loads(json.dumps(iam.get_user_policy(UserName="bob", PolicyName=POLICY)["PolicyDocument"])) == S3_ADMIN
    policy = iam.get_policy(PolicyArn=foreign_arn)["Policy"]
    assert policy["DefaultVersionId"] == foreign_version and policy["Description"] == "team B's S3 access"
    attached = iam.list_entities_for_policy(PolicyArn=foreign_arn)["PolicyUsers"]
    assert [u["UserName"] for u in attached] == ["mallory"]


# ------------------------------------------------------------------ adoption and upgrade from 1.0.0


@pytest.mark.parametrize(
    "description,hand_written",
    [
        ("PassRole for ECS, from the AWS guide", True),
        ("iam:PassRole grant managed by the ecs_tools.iam collection", False),  # what 1.0.0 wrote, untagged
    ],
    ids=["hand-written", "release-1.0.0"],
)
def test_an_exact_unmarked_grant_is_adopted_by_marking_it(runner, server, aws, description, hand_written):
    iam = aws("iam")
    users(iam, "alice")
    assert runner.one(capabilities=["volumes"])["changed"] is True
    document = grant()
    if hand_written:  # a Sid, and lists where the collection writes scalars: the same policy
        statement = document["Statement"][0]
        statement.update(Sid="AllowPassToEcs", Action=["iam:PassRole"], Resource=[ROLE_ARN])
    iam.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(document), Description=description)
    iam.attach_user_policy(UserName="alice", PolicyArn=POLICY_ARN)

    args = {"capabilities": ["volumes"], "pass_role": {"users": ["alice"]}}
    with server.recording() as rec:
        results = runner.four_steps(args)
    for result in results:
        assert not result.get("failed"), result.get("msg")
    assert [r["changed"] for r in results] == [True, True, False, False]
    assert [c.action for c in rec.writes] == ["TagPolicy"]
    assert results[0]["diff"]["before"]["pass_role"]["mark"] is None
    assert results[0]["diff"]["after"]["pass_role"]["mark"] == ROLE_ARN
    adopted = {"arn": POLICY_ARN, "versions": ["v1"], "holders": {"users": ["alice"], "groups": [], "roles": []}}
    assert [r["diff"]["after"]["pass_role"].get("adopted") for r in results[:2]] == [adopted, adopted]
    for result in results[:2]:  # check mode and the real run: named in a warning
        assert ADOPTION_WARNING in result["warnings"], result.get("warnings")
    assert [r.get("warnings") for r in results[2:]] == [None, None]  # adopted once: marked, no more warning
    assert policy_tags(iam) == {MARK: ROLE_ARN}
    assert iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]["DefaultVersionId"] == "v1"


ADOPTION_WARNING = (
    f"Adopting managed policy {POLICY_ARN} as the PassRole grant of role 'ecsInfrastructureRole': it carries no "
    "ecs_tools.iam:role-arn mark, but every version (v1) is exactly this role's grant and every principal holding "
    "it (user 'alice') is listed in pass_role. The mark is added; from now on the ecs_tools.iam collection "
    "manages it."
)
DORMANT_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def unmarked_grant(iam, holders, dormant=None):
    """An untagged policy named like the grant whose default version is exactly the grant; ``dormant``:
    an older version left behind (a planted policy: one SetDefaultPolicyVersion from being that)."""
    first = dormant or grant()
    iam.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(first), Description="PassRole for ECS")
    if dormant:
        iam.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(grant()), SetAsDefault=True)
    for holder in holders:
        iam.attach_user_policy(UserName=holder, PolicyArn=POLICY_ARN)


def assert_nothing_written(iam, rec, before, before_versions):
    assert rec.writes == [], [c.action for c in rec.writes]
    assert authorization_snapshot(iam) == before
    assert versions(iam) == before_versions
    assert policy_tags(iam) == {}


@pytest.mark.parametrize(
    "holders,dormant,named",
    [
        (["alice"], DORMANT_ADMIN, "its version v1 is not this role's PassRole grant"),
        (["alice", "mallory"], None, "it is attached to user 'mallory', whom pass_role does not list"),
    ],
    ids=["dormant-version", "unlisted-holder"],
)
def test_an_unmarked_grant_that_is_not_provably_the_grant_is_refused(runner, server, aws, holders, dormant, named):
    """(a) a planted policy whose default version is the grant but an older one Allows *:*; (b) the grant's
    shape, held by someone the task does not list (purge, the default, would revoke them). Check mode and
    real run, both modes: refused, zero writes, the policy's versions unchanged."""
    iam = aws("iam")
    users(iam, "alice", "mallory")
    assert runner.one(capabilities=["volumes"])["changed"] is True
    unmarked_grant(iam, holders, dormant)
    before, before_versions = authorization_snapshot(iam), versions(iam)
    args = {"capabilities": ["volumes"], "pass_role": {"users": ["alice"]}}
    inline = {"capabilities": ["volumes"], "pass_role": {"users": ["alice"], "mode": "inline"}}
    with server.recording() as rec:
        results = runner.run([dict(args, _check=True), args, inline])
    for result in results:
        message = refused(result, POLICY_ARN, f"it carries no {MARK} mark", named)
        assert [o["arn"] for o in result["foreign_objects"]] == [POLICY_ARN]
    print(message)
    assert_nothing_written(iam, rec, before, before_versions)


def test_absent_leaves_an_unmarked_policy_it_did_not_adopt(runner, server, aws):
    """(c) state: absent deletes the role but not an unmarked grant-shaped policy held by a principal
    the task does not list: it is listed in foreign_objects and a warning, attached and unchanged."""
    iam = aws("iam")
    users(iam, "mallory")
    assert runner.one(capabilities=["volumes"])["changed"] is True
    unmarked_grant(iam, ["mallory"])
    before_versions = versions(iam)
    with server.recording() as rec:
        result = runner.one(state="absent", usage_regions=["us-east-1"])
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert [(o["arn"], o["holders"]["users"]) for o in result["foreign_objects"]] == [(POLICY_ARN, ["mallory"])]
    assert any(w.startswith("Left alone while deleting role 'ecsInfrastructureRole'") for w in result["warnings"])
    print(result["warnings"])
    assert not [c for c in rec.writes if "Policy" in c.action and "Role" not in c.action], rec.writes
    assert versions(iam) == before_versions and policy_tags(iam) == {}
    assert [u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=POLICY_ARN)["PolicyUsers"]] == ["mallory"]


# ------------------------------------------------------------------ orphaned grants


def test_an_orphaned_grant_is_reported_and_deleted_by_absent(runner, server, aws):
    """The role was deleted by hand: its marked grant stays attached, and a role re-created under that
    name would be passable at once. The info module reports it; state: absent deletes it."""
    iam = aws("iam")
    users(iam, "alice")
    created = runner.one(path="/ecs/", capabilities=["volumes"], pass_role={"users": ["alice"]})
    assert created["changed"] is True and not created.get("failed"), created.get("msg")
    iam.detach_role_policy(RoleName=ROLE, PolicyArn=created["attached_policies"][0])
    iam.delete_role(RoleName=ROLE)
    marked = f"arn:aws:iam::{ACCOUNT}:role/ecs/{ROLE}"
    assert policy_tags(iam) == {MARK: marked}

    info = {"_module": "ecs_tools.iam.ecs_infrastructure_role_info"}
    absent = {"state": "absent", "usage_regions": ["us-east-1"]}
    with server.recording() as rec:
        results = runner.run([info, dict(absent, _check=True, _diff=True), dict(absent, _diff=True), absent, info])
    for result in results:
        assert not result.get("failed"), result.get("msg")
    found, check, deleted, again, after = results
    assert found["exists"] is False
    assert [(f["code"], f["severity"]) for f in found["findings"]] == [("pass_role_orphaned_grant", "medium")]
    message = found["findings"][0]["message"]
    assert POLICY_ARN in message and marked in message and "attached to user 'alice'" in message, message
    print(message)
    assert [r["changed"] for r in (check, deleted, again)] == [True, True, False]
    assert deleted["diff"]["before"]["pass_role"]["mark"] == marked
    assert deleted["diff"]["before"]["pass_role"]["users"] == ["alice"]
    assert [c.action for c in rec.writes] == ["DetachUserPolicy", "DeletePolicy"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=POLICY_ARN)
    assert after["findings"] == []


def test_absent_leaves_a_grant_marked_for_a_role_of_another_name(runner, server, aws):
    """The role is gone, but the policy under its grant's name holds another role's grant: not the
    collection's own grant of this role, so state: absent leaves it and changes nothing."""
    iam = aws("iam")
    users(iam, "alice")
    other = runner.one(name="roleA", pass_role={"users": ["alice"], "policy_name": POLICY})
    assert other["changed"] is True and not other.get("failed"), other.get("msg")
    before = authorization_snapshot(iam)
    with server.recording() as rec:
        result = runner.one(state="absent", usage_regions=["us-east-1"])
    assert result["changed"] is False and not result.get("failed"), result.get("msg")
    assert rec.writes == [] and authorization_snapshot(iam) == before


def test_a_new_grant_policy_is_created_marked(runner, aws):
    iam = aws("iam")
    users(iam, "alice")
    result = runner.one(pass_role={"users": ["alice"]})
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert policy_tags(iam) == {MARK: ROLE_ARN}


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
        assert proxy.paused.wait(120), "run A never reached its grant"
        result_b = runner.one(**B)
        proxy.release()  # the held request is dropped unanswered; botocore retries it
        run_a.communicate(timeout=300)
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
