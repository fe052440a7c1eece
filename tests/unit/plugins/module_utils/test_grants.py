# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _grants
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import NotOwned
from ansible_collections.ecs_tools.iam.plugins.module_utils._plan import Action

ROLE = "ecsInfrastructureRole"
POLICY_NAME = "ecsInfrastructureRolePassRole"
ROLE_ARN = "arn:aws-us-gov:iam::123456789012:role/ecs/ecsInfrastructureRole"
MARK = {"ecs_tools.iam:role-arn": ROLE_ARN}
POLICY_ARN = "arn:aws-us-gov:iam::123456789012:policy/ecsInfrastructureRolePassRole"


def spec(**kw):
    raw = dict(users=[], groups=[], roles=[], mode="managed_policy", policy_name=None, purge=True)
    raw.update(kw)
    return _grants.normalize_spec(raw, "ecsInfrastructureRole")


def state(policy=True, document=None, tags=None, attached=None, inline=None, principals=None, versions=None):
    """``versions``: the documents of the versions older than the default (v1, v2, ...)."""
    current = {"policy": None, "attached": None, "inline": inline, "principals": principals}
    if policy:
        document = document or _documents.passrole_document(ROLE_ARN)
        older = [{"id": f"v{i + 1}", "default": False, "document": d} for i, d in enumerate(versions or [])]
        current["policy"] = {
            "arn": POLICY_ARN,
            "document": document,
            "tags": dict(MARK) if tags is None else tags,
            "versions": older + [{"id": f"v{len(older) + 1}", "default": True, "document": document}],
        }
        current["attached"] = dict(_grants.empty(), **(attached or {}))
    return current


def inline(**kinds):
    value = _grants.empty_inline()
    for kind, names in kinds.items():
        value[kind] = {n: _documents.passrole_document(ROLE_ARN) for n in names}
    return value


# ------------------------------------------------------------------ the document


def test_grant_document_is_one_conditioned_statement_on_the_exact_arn():
    document = _documents.passrole_document(ROLE_ARN)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": ROLE_ARN,
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}},
            }
        ],
    }


@pytest.mark.parametrize(
    "arn",
    [
        None,
        "",
        "*",
        "arn:aws:iam::*:role/ecsInfrastructureRole",
        "arn:aws:iam::1:role/ecs*",
        "arn:aws:iam::123456789012:user/alice",
    ],
)
def test_grant_document_refuses_wildcards_and_non_role_arns(arn):
    with pytest.raises(ValueError):
        _documents.passrole_document(arn)


# ------------------------------------------------------------------ validation


def test_spec_defaults():
    value = _grants.normalize_spec({"users": ["a"]}, "infra")
    assert value == {
        "users": ["a"],
        "groups": [],
        "roles": [],
        "mode": "managed_policy",
        "policy_name": "infraPassRole",
        "purge": True,
    }
    assert _grants.normalize_spec(None, "infra") is None


@pytest.mark.parametrize(
    "kw,named",
    [
        (dict(users=["a", "b", "a"]), "Duplicate pass_role.users entry 'a'"),
        (dict(groups=["g", "g"]), "Duplicate pass_role.groups entry 'g'"),
        (dict(roles=["r/x"]), "'r/x'"),
        (dict(users=["u" * 65]), "u" * 65),
        (dict(policy_name="no spaces"), "'no spaces'"),
    ],
)
def test_validate_spec(kw, named):
    errors = _grants.validate_spec(spec(**kw))
    assert len(errors) == 1 and named in errors[0]


def test_group_names_may_be_128_long():
    assert _grants.validate_spec(spec(groups=["g" * 128])) == []


# ------------------------------------------------------------------ managed mode


def test_first_run_creates_the_policy_and_attaches_each_principal():
    actions, result = _grants.plan_grants(
        spec(users=["b", "a"], roles=["r"]), ROLE, ROLE_ARN, POLICY_ARN, state(policy=False, inline=inline())
    )
    assert [a.kind for a in actions] == ["create_policy", "attach_principal", "attach_principal", "attach_principal"]
    assert actions[0].args["tags"] == MARK
    assert [(a.args["kind"], a.args["principal"]) for a in actions[1:]] == [
        ("users", "a"),
        ("users", "b"),
        ("roles", "r"),
    ]
    assert result["users"] == ["a", "b"] and result["roles"] == ["r"] and result["policy_arn"] == POLICY_ARN


def test_converged_managed_plans_nothing():
    actions, result = _grants.plan_grants(
        spec(users=["a"]), ROLE, ROLE_ARN, POLICY_ARN, state(attached={"users": ["a"]})
    )
    assert actions == []
    assert result["users"] == ["a"]


@pytest.mark.parametrize("purge,kinds,users", [(True, ["detach_principal"], ["a"]), (False, [], ["a", "b"])])
def test_unlisted_grantee_with_and_without_purge(purge, kinds, users):
    actions, result = _grants.plan_grants(
        spec(users=["a"], purge=purge), ROLE, ROLE_ARN, POLICY_ARN, state(attached={"users": ["a", "b"]})
    )
    assert [a.kind for a in actions] == kinds
    assert result["users"] == users


def test_drifted_document_of_the_marked_policy_gets_a_new_version():
    loose = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    actions, dummy = _grants.plan_grants(spec(), ROLE, ROLE_ARN, POLICY_ARN, state(document=loose))
    assert [a.kind for a in actions] == ["new_policy_version"]
    assert actions[0].args["document"]["Statement"][0]["Condition"]


def test_switch_to_managed_tags_the_policy_until_inline_grants_are_gone():
    current = state(policy=False, inline=inline(users=["a", "b"]))
    actions, result = _grants.plan_grants(spec(users=["a"]), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert [a.kind for a in actions] == [
        "create_policy",
        "attach_principal",
        "delete_principal_inline",
        "delete_principal_inline",
        "untag_policy",
    ]
    assert actions[0].args["tags"] == dict(MARK, **{_grants.CLEANUP_TAG: "pending"})
    assert result["users"] == ["a"]


def test_pending_cleanup_tag_resumes_an_interrupted_switch():
    current = state(
        attached={"users": ["a"]}, tags=dict(MARK, **{_grants.CLEANUP_TAG: "pending"}), inline=inline(users=["b"])
    )
    actions, dummy = _grants.plan_grants(spec(users=["a"]), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert [a.kind for a in actions] == ["delete_principal_inline", "untag_policy"]
    assert _grants.needs_scan(spec(), current["policy"]) is True
    assert _grants.needs_scan(spec(), state()["policy"]) is False


def test_switch_to_managed_without_purge_moves_unlisted_holders():
    current = state(policy=False, inline=inline(users=["a", "b"]))
    actions, result = _grants.plan_grants(spec(users=["a"], purge=False), ROLE, ROLE_ARN, POLICY_ARN, current)
    moved = [a for a in actions if a.kind == "attach_principal"]
    assert [a.args["principal"] for a in moved] == ["a", "b"]
    assert result["users"] == ["a", "b"]


# ------------------------------------------------------------------ inline mode


def test_inline_puts_missing_keeps_held_and_purges_unlisted():
    current = state(policy=False, inline=inline(users=["a", "old"]))
    actions, result = _grants.plan_grants(spec(users=["a", "b"], mode="inline"), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert [(a.kind, a.args["principal"]) for a in actions] == [
        ("put_principal_inline", "b"),
        ("delete_principal_inline", "old"),
    ]
    assert "policy_arn" not in result


def test_switch_to_inline_removes_the_managed_policy_last():
    current = state(attached={"users": ["a", "b"]}, inline=inline())
    actions, result = _grants.plan_grants(spec(users=["a"], mode="inline"), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert [a.kind for a in actions] == [
        "put_principal_inline",
        "detach_principal",
        "detach_principal",
        "delete_policy",
    ]
    assert result["users"] == ["a"]


# ------------------------------------------------------------------ principals and revocation


def test_unverified_principals_skip_attached_and_scanned_ones():
    current = state(attached={"users": ["a"]}, principals={"users": {"b"}, "groups": set(), "roles": set()})
    assert _grants.unverified_principals(spec(users=["a", "b", "c"], roles=["r"]), current) == {
        "users": ["c"],
        "groups": [],
        "roles": ["r"],
    }


def test_revoke_removes_inline_and_managed():
    current = state(attached={"groups": ["g"]}, inline=inline(roles=["r"]))
    actions, dummy, foreign = _grants.plan_revoke(ROLE, ROLE_ARN, POLICY_ARN, "ecsInfrastructureRolePassRole", current)
    assert [a.kind for a in actions] == ["delete_principal_inline", "detach_principal", "delete_policy"]
    assert foreign == []
    actions, own, foreign = _grants.plan_revoke(ROLE, ROLE_ARN, POLICY_ARN, "x", state(policy=False, inline=inline()))
    assert (actions, foreign) == ([], [])


def test_revoke_leaves_foreign_objects_alone_and_lists_them():
    current = state(document=S3_ADMIN, tags={}, attached={"users": ["mallory"]}, inline=inline(roles=["r"]))
    current["inline"]["users"]["bob"] = S3_ADMIN
    actions, dummy, foreign = _grants.plan_revoke(ROLE, ROLE_ARN, POLICY_ARN, "ecsInfrastructureRolePassRole", current)
    assert [(a.kind, a.args["principal"]) for a in actions] == [("delete_principal_inline", "r")]
    assert [(o["type"], o.get("arn") or o["principal"]) for o in foreign] == [
        ("managed_policy", POLICY_ARN),
        ("inline_policy", "bob"),
    ]
    assert foreign[0]["holders"]["users"] == ["mallory"]


# ------------------------------------------------------------------ ownership

S3_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
OTHER_ROLE_ARN = "arn:aws-us-gov:iam::123456789012:role/other"


@pytest.mark.parametrize(
    "document,tags,reason",
    [
        (S3_ADMIN, {}, "its document is not this role's PassRole grant"),
        (S3_ADMIN, {_grants.CLEANUP_TAG: "pending"}, "its document is not this role's PassRole grant"),
        (None, {_grants.OWNER_TAG: OTHER_ROLE_ARN}, "marked ecs_tools.iam:role-arn=" + OTHER_ROLE_ARN),
        (_documents.passrole_document(OTHER_ROLE_ARN), {}, "its document is not this role's PassRole grant"),
    ],
)
@pytest.mark.parametrize("mode", ["managed_policy", "inline"])
@pytest.mark.parametrize("purge", [True, False])
def test_a_foreign_managed_policy_is_refused_in_every_mode(document, tags, reason, mode, purge):
    current = state(document=document, tags=tags, attached={"users": ["mallory"]}, inline=inline())
    with pytest.raises(NotOwned) as caught:
        _grants.plan_grants(spec(users=["a"], mode=mode, purge=purge), ROLE, ROLE_ARN, POLICY_ARN, current)
    message = str(caught.value)
    assert POLICY_ARN in message and "user 'mallory'" in message and reason in message
    assert "Nothing was changed" in message and "pass_role.policy_name" in message
    assert caught.value.details["foreign_objects"][0]["arn"] == POLICY_ARN


@pytest.mark.parametrize("listed", [["bob"], []])
def test_a_foreign_inline_policy_is_refused_on_listed_and_unlisted_principals(listed):
    current = state(policy=False, inline=inline())
    current["inline"]["users"]["bob"] = S3_ADMIN
    with pytest.raises(NotOwned) as caught:
        _grants.plan_grants(spec(users=listed, mode="inline"), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert "inline policy 'ecsInfrastructureRolePassRole' of user 'bob'" in str(caught.value)


def test_an_exact_unmarked_grant_is_adopted_by_marking_it():
    current = state(tags={}, attached={"users": ["a"]})
    actions, dummy = _grants.plan_grants(spec(users=["a"]), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert actions == [Action("tag_policy", arn=POLICY_ARN, tags=MARK)]


def test_an_exact_grant_with_sids_and_lists_is_still_exact():
    written = _documents.passrole_document(ROLE_ARN)
    statement = dict(written["Statement"][0], Sid="Hand", Action=["iam:PassRole"], Resource=[ROLE_ARN])
    assert _grants.is_own_document({"Version": "2012-10-17", "Statement": [statement]}, ROLE_ARN)
    assert not _grants.is_own_document(_documents.passrole_document(OTHER_ROLE_ARN), ROLE_ARN)
    looser = dict(statement)
    looser.pop("Condition")
    assert not _grants.is_own_document({"Version": "2012-10-17", "Statement": [looser]}, ROLE_ARN)


def test_a_role_arn_that_cannot_be_a_tag_value_is_refused_before_any_write():
    arn = "arn:aws:iam::123456789012:role/a,b"
    with pytest.raises(InvalidInput, match="cannot mark"):
        _grants.plan_grants(spec(users=["a"]), "a,b", arn, POLICY_ARN, state(policy=False, inline=inline()))


# ------------------------------------------------------------------ read-back


def test_verify_accepts_what_was_written():
    written = state(attached={"users": ["a"]})
    expected = dict(_grants.empty(), users=["a"], policy_arn=POLICY_ARN)
    assert _grants.verify(spec(users=["a"]), ROLE_ARN, expected, written) == []


@pytest.mark.parametrize(
    "current,problem",
    [
        (state(policy=False), "is missing"),
        (state(attached={"users": ["a", "x"]}), "users holding the grant: ['a', 'x'], expected ['a']"),
        (state(attached={"users": []}), "users holding the grant: [], expected ['a']"),
        (state(tags={}, attached={"users": ["a"]}), "is marked None"),
        (state(document=S3_ADMIN, attached={"users": ["a"]}), "does not hold this role's grant"),
    ],
)
def test_verify_names_what_another_writer_changed(current, problem):
    expected = dict(_grants.empty(), users=["a"], policy_arn=POLICY_ARN)
    problems = _grants.verify(spec(users=["a"]), ROLE_ARN, expected, current)
    assert any(problem in p for p in problems), problems


def test_verify_without_purge_tolerates_other_holders():
    expected = dict(_grants.empty(), users=["a"], policy_arn=POLICY_ARN)
    current = state(attached={"users": ["a", "x"]})
    assert _grants.verify(spec(users=["a"], purge=False), ROLE_ARN, expected, current) == []


def test_verify_inline_mode():
    expected = dict(_grants.empty(), users=["a"])
    held = state(policy=False, inline=inline(users=["a"]))
    assert _grants.verify(spec(users=["a"], mode="inline"), ROLE_ARN, expected, held) == []
    gone = state(policy=False, inline=inline())
    assert _grants.verify(spec(users=["a"], mode="inline"), ROLE_ARN, expected, gone)


# ------------------------------------------------------------------ what IAM takes for the same name


def test_names_differing_by_case_or_path_are_refused_before_any_write():
    current = state(policy=False, inline=inline())
    current["clashes"] = [
        {"arn": "arn:aws-us-gov:iam::123456789012:policy/team/ecsInfrastructureRolePassRole", "name": POLICY_NAME},
        {"kind": "users", "principal": "bob", "name": POLICY_NAME.lower()},
    ]
    with pytest.raises(NotOwned) as caught:
        _grants.plan_grants(spec(users=["a"]), ROLE, ROLE_ARN, POLICY_ARN, current)
    message = str(caught.value)
    assert "managed policy arn:aws-us-gov:iam::123456789012:policy/team/ecsInfrastructureRolePassRole" in message
    assert "IAM names are unique regardless of case and path" in message
    assert "inline policy 'ecsinfrastructurerolepassrole' of user 'bob'" in message


def test_revoke_leaves_out_the_inline_policy_of_the_role_it_deletes():
    current = state(policy=False, inline=inline())
    current["inline"]["roles"][ROLE] = S3_ADMIN
    current["inline"]["roles"]["other"] = S3_ADMIN
    actions, dummy, foreign = _grants.plan_revoke(ROLE, ROLE_ARN, POLICY_ARN, POLICY_NAME, current)
    assert actions == []
    assert [o["principal"] for o in foreign] == ["other"]


def test_validate_spec_refuses_principals_differing_by_case_alone():
    errors = _grants.validate_spec(spec(users=["alice", "Alice"]))
    assert len(errors) == 1 and "'Alice'" in errors[0] and "case" in errors[0]


GRANT_STATEMENT = _documents.passrole_document(ROLE_ARN)["Statement"][0]


def loosened(**change):
    statement = dict(GRANT_STATEMENT, **change)
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(
    "document",
    [
        {"Version": "2012-10-17", "Statement": [GRANT_STATEMENT, GRANT_STATEMENT]},
        {
            "Version": "2012-10-17",
            "Statement": [GRANT_STATEMENT, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        },
        {"Version": "2008-10-17", "Statement": [GRANT_STATEMENT]},
        {"Statement": [GRANT_STATEMENT]},
        dict(_documents.passrole_document(ROLE_ARN), Id="extra"),
        loosened(Effect="Deny"),
        loosened(Action="iam:*"),
        loosened(Action=["iam:PassRole", "iam:GetRole"]),
        loosened(Resource=[ROLE_ARN, "*"]),
        loosened(Resource="*"),
        loosened(Condition={"StringLike": {"iam:PassedToService": "ecs.amazonaws.com"}}),
        loosened(Condition={"StringEqualsIfExists": {"iam:PassedToService": "ecs.amazonaws.com"}}),
        loosened(Condition={"ForAnyValue:StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}}),
        loosened(Condition={"StringEquals": {"iam:PassedToService": ["ecs.amazonaws.com", "ec2.amazonaws.com"]}}),
    ],
)
def test_anything_but_the_exact_grant_is_not_the_collections_own(document):
    statement = dict(GRANT_STATEMENT)
    statement.pop("Action")
    assert not _grants.is_own_document(document, ROLE_ARN)
    assert not _grants.is_own_document(
        {"Version": "2012-10-17", "Statement": [dict(statement, NotAction="s3:*")]}, ROLE_ARN
    )


def test_inline_holders_reads_holders_principals_and_names_iam_takes_for_the_grant():
    grant = _documents.passrole_document(ROLE_ARN)
    details = {
        "UserDetailList": [
            {"UserName": "alice", "UserPolicyList": [{"PolicyName": "P", "PolicyDocument": grant}]},
            {"UserName": "bob", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": grant}]},
        ],
        "GroupDetailList": [],
        "RoleDetailList": [{"RoleName": "ci", "RolePolicyList": [{"PolicyName": "Q", "PolicyDocument": grant}]}],
        "Policies": [
            {"Arn": "arn:aws:iam::123456789012:policy/team/P", "PolicyName": "P", "Path": "/team/"},
            {"Arn": "arn:aws:iam::123456789012:policy/P"},  # the grant's own name: no clash
            {"Arn": "arn:aws:iam::aws:policy/p", "PolicyName": "p"},  # AWS managed: never the account's name
        ],
    }
    found = _grants.inline_holders(details, "P")
    assert found["inline"] == {"users": {"alice": grant}, "groups": {}, "roles": {}}
    assert found["principals"] == {"users": {"alice", "bob"}, "groups": set(), "roles": {"ci"}}
    assert found["clashes"] == [
        {"kind": "users", "principal": "bob", "name": "p"},
        {"arn": "arn:aws:iam::123456789012:policy/team/P", "name": "P"},
    ]


def test_listed_principals_take_iams_spelling_from_what_the_state_names():
    current = {
        "attached": {"users": ["alice"], "groups": [], "roles": []},
        "inline": {"users": {}, "groups": {"Platform": {}}, "roles": {}},
        "principals": {"users": {"alice", "bob"}, "groups": {"Platform"}, "roles": {"Deploy"}},
    }
    names = _grants.stored_names(current)
    spec = _grants.normalize_spec(
        {"users": ["ALICE", "Bob", "carol"], "groups": ["platform"], "roles": ["deploy"]}, "r"
    )
    spelled = _grants.respell(spec, names)
    assert (spelled["users"], spelled["groups"], spelled["roles"]) == (
        ["alice", "bob", "carol"],
        ["Platform"],
        ["Deploy"],
    )
    assert spec["users"] == ["ALICE", "Bob", "carol"]  # a copy
    assert _grants.unverified_principals(spelled, current) == {"users": ["carol"], "groups": [], "roles": []}


def test_a_grantee_listed_in_another_case_is_converged_not_attached_and_detached():
    role_arn = "arn:aws:iam::123456789012:role/r"
    policy_arn = "arn:aws:iam::123456789012:policy/rPassRole"
    current = {
        "policy": {
            "arn": policy_arn,
            "document": _documents.passrole_document(role_arn),
            "tags": {_grants.OWNER_TAG: role_arn},
        },
        "attached": {"users": ["alice"], "groups": [], "roles": []},
        "inline": None,
        "principals": None,
        "clashes": [],
    }
    spec = _grants.respell(_grants.normalize_spec({"users": ["Alice"]}, "r"), _grants.stored_names(current))
    actions, value = _grants.plan_grants(spec, "r", role_arn, policy_arn, current)
    assert actions == []
    assert value["users"] == ["alice"]


# ------------------------------------------------------------------ adoption: only what is provably the grant

GRANT = _documents.passrole_document(ROLE_ARN)
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.mark.parametrize("mode", ["managed_policy", "inline"])
@pytest.mark.parametrize("purge", [True, False])
def test_an_unmarked_grant_with_a_dormant_version_is_refused_naming_it(mode, purge):
    current = state(tags={}, attached={"users": ["a"]}, versions=[ALLOW_ALL, GRANT], inline=inline())
    with pytest.raises(NotOwned) as caught:
        _grants.plan_grants(spec(users=["a"], mode=mode, purge=purge), ROLE, ROLE_ARN, POLICY_ARN, current)
    reason = caught.value.details["foreign_objects"][0]["reason"]
    assert reason == (
        "it carries no ecs_tools.iam:role-arn mark, and its version v1 is not this role's PassRole grant "
        "(a dormant version: one SetDefaultPolicyVersion makes it the policy)"
    )
    assert reason in str(caught.value)
    assert _grants.adoption_of(ROLE_ARN, current, _grants.listed(spec(users=["a"]))) is None


@pytest.mark.parametrize("mode", ["managed_policy", "inline"])
@pytest.mark.parametrize("purge", [True, False])
def test_an_unmarked_grant_held_by_an_unlisted_principal_is_refused_naming_it(mode, purge):
    current = state(tags={}, attached={"users": ["a", "mallory"], "roles": ["ci"]}, inline=inline())
    with pytest.raises(NotOwned) as caught:
        _grants.plan_grants(spec(users=["a"], mode=mode, purge=purge), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert caught.value.details["foreign_objects"][0]["reason"] == (
        "it carries no ecs_tools.iam:role-arn mark, and it is attached to user 'mallory', role 'ci', whom "
        "pass_role does not list (adopting it would take over a grant someone else gave)"
    )


def test_every_reason_not_to_adopt_is_named():
    current = state(tags={}, attached={"groups": ["ops"]}, versions=[ALLOW_ALL, S3_ADMIN])
    own, foreign, adopt = _grants.split_ownership(ROLE_ARN, POLICY_NAME, current, _grants.empty())
    assert adopt is None and own["policy"] is None and own["attached"] is None
    assert "its versions v1, v2 are not" in foreign[0]["reason"]
    assert "; and it is attached to group 'ops'" in foreign[0]["reason"]


def test_an_unmarked_policy_whose_versions_were_not_read_is_not_adopted():
    current = state(tags={})
    current["policy"]["versions"] = None  # the info module reads the default version only
    own, foreign, adopt = _grants.split_ownership(ROLE_ARN, POLICY_NAME, current)
    assert adopt is None and "adopts an unmarked policy only when every version" in foreign[0]["reason"]


def test_an_unmarked_grant_is_adopted_when_every_version_is_the_grant_and_every_holder_listed():
    hand_written = {"Version": "2012-10-17", "Statement": [dict(GRANT["Statement"][0], Sid="Hand")]}
    current = state(tags={}, attached={"users": ["alice"]}, versions=[hand_written])
    actions, value = _grants.plan_grants(spec(users=["alice", "bob"]), ROLE, ROLE_ARN, POLICY_ARN, current)
    assert actions == [
        Action("tag_policy", arn=POLICY_ARN, tags=MARK),
        Action("attach_principal", kind="users", principal="bob", arn=POLICY_ARN),
    ]
    adoption = _grants.adoption_of(ROLE_ARN, current, _grants.listed(spec(users=["alice", "bob"])))
    assert adoption == {"arn": POLICY_ARN, "versions": ["v1", "v2"], "holders": dict(_grants.empty(), users=["alice"])}
    warning = _grants.adoption_warning(ROLE, adoption, _grants.ADOPT_MARK)
    assert warning == (
        f"Adopting managed policy {POLICY_ARN} as the PassRole grant of role 'ecsInfrastructureRole': it carries no "
        "ecs_tools.iam:role-arn mark, but every version (v1, v2) is exactly this role's grant and every principal "
        "holding it (user 'alice') is listed in pass_role. The mark is added; from now on the ecs_tools.iam "
        "collection manages it."
    )


def test_holders_are_matched_to_the_listed_names_regardless_of_case():
    """IAM names are case-insensitive: IAM's 'Alice' is the listed 'alice'."""
    current = state(tags={}, attached={"users": ["Alice"]})
    adoption = _grants.adoption_of(ROLE_ARN, current, _grants.listed(spec(users=["alice"])))
    assert adoption is not None and adoption["holders"]["users"] == ["Alice"]
    assert _grants.adoption_of(ROLE_ARN, current, _grants.listed(spec(users=["alicia"]))) is None


def test_a_marked_policy_is_never_an_adoption():
    assert _grants.adoption_of(ROLE_ARN, state(versions=[ALLOW_ALL])) is None
    assert _grants.adoption_of(ROLE_ARN, state(policy=False)) is None


def test_a_switch_to_inline_deletes_an_unmarked_policy_only_once_adopted():
    adoptable = state(tags={}, attached={"users": ["a"]}, inline=inline())
    actions, dummy = _grants.plan_grants(spec(users=["a"], mode="inline"), ROLE, ROLE_ARN, POLICY_ARN, adoptable)
    assert [a.kind for a in actions] == ["put_principal_inline", "detach_principal", "delete_policy"]
    dormant = state(tags={}, attached={"users": ["a"]}, inline=inline(), versions=[ALLOW_ALL])
    with pytest.raises(NotOwned):
        _grants.plan_grants(spec(users=["a"], mode="inline"), ROLE, ROLE_ARN, POLICY_ARN, dormant)


@pytest.mark.parametrize(
    "holders,listed,versions,deleted",
    [
        ({}, None, [], True),  # nobody holds it, every version is the grant: provably the grant
        ({"users": ["a"]}, None, [], False),  # state: absent without pass_role lists nobody
        ({"users": ["a"]}, {"users": ["A"]}, [], True),
        ({"users": ["a"]}, {"users": ["a"]}, [ALLOW_ALL], False),
    ],
    ids=["no-holder", "unlisted-holder", "listed-holder", "dormant-version"],
)
def test_revoke_deletes_an_unmarked_policy_only_when_provably_the_grant(holders, listed, versions, deleted):
    current = state(tags={}, attached=holders, versions=versions, inline=inline())
    listed = dict(_grants.empty(), **(listed or {}))
    actions, own, foreign = _grants.plan_revoke(ROLE, ROLE_ARN, POLICY_ARN, POLICY_NAME, current, listed)
    if deleted:
        assert [a.kind for a in actions][-1] == "delete_policy" and foreign == []
    else:
        assert actions == [] and [o["arn"] for o in foreign] == [POLICY_ARN]
        assert "left alone" not in foreign[0]["reason"] and "it carries no" in foreign[0]["reason"]


# ------------------------------------------------------------------ orphaned grants

PLAIN_ROLE_ARN = "arn:aws-us-gov:iam::123456789012:role/ecsInfrastructureRole"


@pytest.mark.parametrize(
    "mark,path,orphan",
    [
        (ROLE_ARN, None, True),  # the role was at /ecs/: role names are unique whatever the path
        (ROLE_ARN, "/ecs/", True),
        (ROLE_ARN, "/", False),  # a path given must match
        (PLAIN_ROLE_ARN, "/", True),
        ("arn:aws-us-gov:iam::123456789012:role/ecs/ECSINFRASTRUCTUREROLE", None, True),  # names ignore case
        ("arn:aws-us-gov:iam::210987654321:role/ecs/ecsInfrastructureRole", None, False),  # another account
        ("arn:aws:iam::123456789012:role/ecs/ecsInfrastructureRole", None, False),  # another partition
        ("arn:aws-us-gov:iam::123456789012:role/ecs/ecsInfrastructureRole2", None, False),
        ("arn:aws-us-gov:iam::123456789012:user/ecsInfrastructureRole", None, False),
        ("not an arn", None, False),
        (None, None, False),  # unmarked: not provably the collection's own
    ],
)
def test_orphan_of_accepts_only_the_mark_of_a_role_of_that_name_in_this_account(mark, path, orphan):
    current = state(tags={_grants.OWNER_TAG: mark} if mark else {}, attached={"users": ["alice"]})
    found = _grants.orphan_of(ROLE, "aws-us-gov", "123456789012", path, current)
    assert found == (mark if orphan else None)


def test_an_orphaned_grant_is_detached_then_deleted_and_reported():
    current = state(attached={"users": ["alice"], "roles": ["ci"]})
    actions = _grants.plan_orphan(POLICY_ARN, current)
    assert [(a.kind, a.args.get("principal")) for a in actions] == [
        ("detach_principal", "alice"),
        ("detach_principal", "ci"),
        ("delete_policy", None),
    ]
    message = _grants.orphan_message(ROLE_ARN, current)
    assert message.startswith(
        f"Managed policy {POLICY_ARN} is the ecs_tools.iam collection's PassRole grant of role {ROLE_ARN}"
    )
    assert "attached to user 'alice', role 'ci'" in message and "state: absent" in message
    assert _grants.orphan_of(ROLE, "aws-us-gov", "123456789012", None, state(policy=False)) is None
