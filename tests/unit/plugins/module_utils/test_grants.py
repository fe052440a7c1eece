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


def state(policy=True, document=None, tags=None, attached=None, inline=None, principals=None):
    current = {"policy": None, "attached": None, "inline": inline, "principals": principals}
    if policy:
        current["policy"] = {
            "arn": POLICY_ARN,
            "document": document or _documents.passrole_document(ROLE_ARN),
            "tags": dict(MARK) if tags is None else tags,
        }
        current["attached"] = dict(_grants.empty(), **(attached or {}))
    return current


def inline(**kinds):
    value = _grants.empty_inline()
    for kind, names in kinds.items():
        value[kind] = dict((n, _documents.passrole_document(ROLE_ARN)) for n in names)
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
