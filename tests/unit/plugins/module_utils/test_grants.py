# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _grants

ROLE_ARN = "arn:aws-us-gov:iam::123456789012:role/ecs/ecsInfrastructureRole"
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
            "tags": tags or {},
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
        spec(users=["b", "a"], roles=["r"]), ROLE_ARN, POLICY_ARN, state(policy=False, inline=inline())
    )
    assert [a.kind for a in actions] == ["create_policy", "attach_principal", "attach_principal", "attach_principal"]
    assert actions[0].args["tags"] == {}
    assert [(a.args["kind"], a.args["principal"]) for a in actions[1:]] == [
        ("users", "a"),
        ("users", "b"),
        ("roles", "r"),
    ]
    assert result["users"] == ["a", "b"] and result["roles"] == ["r"] and result["policy_arn"] == POLICY_ARN


def test_converged_managed_plans_nothing():
    actions, result = _grants.plan_grants(spec(users=["a"]), ROLE_ARN, POLICY_ARN, state(attached={"users": ["a"]}))
    assert actions == []
    assert result["users"] == ["a"]


@pytest.mark.parametrize("purge,kinds,users", [(True, ["detach_principal"], ["a"]), (False, [], ["a", "b"])])
def test_unlisted_grantee_with_and_without_purge(purge, kinds, users):
    actions, result = _grants.plan_grants(
        spec(users=["a"], purge=purge), ROLE_ARN, POLICY_ARN, state(attached={"users": ["a", "b"]})
    )
    assert [a.kind for a in actions] == kinds
    assert result["users"] == users


def test_drifted_document_gets_a_new_version():
    loose = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    actions, dummy = _grants.plan_grants(spec(), ROLE_ARN, POLICY_ARN, state(document=loose))
    assert [a.kind for a in actions] == ["new_policy_version"]
    assert actions[0].args["document"]["Statement"][0]["Condition"]


def test_switch_to_managed_tags_the_policy_until_inline_grants_are_gone():
    current = state(policy=False, inline=inline(users=["a", "b"]))
    actions, result = _grants.plan_grants(spec(users=["a"]), ROLE_ARN, POLICY_ARN, current)
    assert [a.kind for a in actions] == [
        "create_policy",
        "attach_principal",
        "delete_principal_inline",
        "delete_principal_inline",
        "untag_policy",
    ]
    assert actions[0].args["tags"] == {_grants.CLEANUP_TAG: "pending"}
    assert result["users"] == ["a"]


def test_pending_cleanup_tag_resumes_an_interrupted_switch():
    current = state(attached={"users": ["a"]}, tags={_grants.CLEANUP_TAG: "pending"}, inline=inline(users=["b"]))
    actions, dummy = _grants.plan_grants(spec(users=["a"]), ROLE_ARN, POLICY_ARN, current)
    assert [a.kind for a in actions] == ["delete_principal_inline", "untag_policy"]
    assert _grants.needs_scan(spec(), current["policy"]) is True
    assert _grants.needs_scan(spec(), state()["policy"]) is False


def test_switch_to_managed_without_purge_moves_unlisted_holders():
    current = state(policy=False, inline=inline(users=["a", "b"]))
    actions, result = _grants.plan_grants(spec(users=["a"], purge=False), ROLE_ARN, POLICY_ARN, current)
    moved = [a for a in actions if a.kind == "attach_principal"]
    assert [a.args["principal"] for a in moved] == ["a", "b"]
    assert result["users"] == ["a", "b"]


# ------------------------------------------------------------------ inline mode


def test_inline_puts_missing_and_drifted_and_purges_unlisted():
    current = state(policy=False, inline=inline(users=["a", "old"]))
    current["inline"]["users"]["a"] = {"Version": "2012-10-17", "Statement": []}
    actions, result = _grants.plan_grants(spec(users=["a", "b"], mode="inline"), ROLE_ARN, POLICY_ARN, current)
    assert [(a.kind, a.args["principal"]) for a in actions] == [
        ("put_principal_inline", "a"),
        ("put_principal_inline", "b"),
        ("delete_principal_inline", "old"),
    ]
    assert "policy_arn" not in result


def test_switch_to_inline_removes_the_managed_policy_last():
    current = state(attached={"users": ["a", "b"]}, inline=inline())
    actions, result = _grants.plan_grants(spec(users=["a"], mode="inline"), ROLE_ARN, POLICY_ARN, current)
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
    actions = _grants.plan_revoke(POLICY_ARN, "ecsInfrastructureRolePassRole", current)
    assert [a.kind for a in actions] == ["delete_principal_inline", "detach_principal", "delete_policy"]
    assert _grants.plan_revoke(POLICY_ARN, "x", state(policy=False, inline=inline())) == []
