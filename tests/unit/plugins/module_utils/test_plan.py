# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import copy
import dataclasses

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _plan
from ansible_collections.ecs_tools.iam.plugins.module_utils import _validation
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput
from ansible_collections.ecs_tools.iam.plugins.module_utils._plan import Action


def planned(*args):
    """The pure role planner's plan, and the role it leaves (``Plan.role_after``)."""
    plan = _plan.plan_role_present(*args)
    return plan, plan.role_after


def planned_absent(*args):
    plan = _plan.plan_role_absent(*args)
    return plan, plan.role_after


VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
LATTICE = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
EXTRA = "arn:aws:iam::123456789012:policy/Extra"


def params(**kw):
    base = dict(
        name="ecsInfrastructureRole",
        state="present",
        path=None,
        description=None,
        capabilities=None,
        managed_policies=None,
        purge_policies=True,
        permissions_boundary=None,
        max_session_duration=None,
        tags=None,
        purge_tags=True,
        wait=True,
        wait_timeout=120,
    )
    base.update(kw)
    return base


def current(**kw):
    base = dict(
        arn="arn:aws:iam::123456789012:role/ecsInfrastructureRole",
        role_name="ecsInfrastructureRole",
        role_id="AROA1",
        path="/",
        create_date="2026-01-01T00:00:00+00:00",
        description="",
        max_session_duration=3600,
        permissions_boundary="",
        tags={},
        assume_role_policy_document=_documents.trust_policy(),
        attached_policies=[VOLUMES],
    )
    base.update(kw)
    return base


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "kw,named",
    [
        (dict(name="bad name"), "'bad name'"),
        (dict(name=""), "''"),
        (dict(name="r" * 65), "r" * 65),
        (dict(path="ecs"), "'ecs'"),
        (dict(path="/ecs"), "'/ecs'"),
        (dict(path="/a//"), "'/a//'"),
        (dict(max_session_duration=3599), "3599"),
        (dict(max_session_duration=43201), "43201"),
        (dict(permissions_boundary="arn:aws:iam::123456789012:role/x"), "role/x"),
        (dict(managed_policies=["has space"]), "'has space'"),
        (dict(managed_policies=["arn:aws:s3:::bucket"]), "arn:aws:s3:::bucket"),
        (dict(wait_timeout=0), "wait_timeout 0"),
        (dict(description="x" * 1001), "1001 characters"),
        (dict(tags={"aws:x": "1"}), "'aws:x'"),
        (dict(tags={"k" * 129: "1"}), "k" * 129),
        (dict(tags={"k": "v" * 257}), "257 characters"),
        (dict(tags={"k%d" % i: "v" for i in range(51)}), "51 tags"),
        # IAM names are ASCII: Python's \w would accept these letters
        (dict(name="r\u00f4le"), "ASCII"),
        (dict(path="/\u00e9quipe/"), "ASCII"),
        (dict(managed_policies=["Politique\u00e9"]), "Politique"),
        (dict(permissions_boundary="arn:aws:iam::123456789012:policy/B\u00f6und"), "B\u00f6und"),
        # descriptions: printable ASCII and Latin-1 only
        (dict(description="deploy \U0001f680"), "IAM does not allow"),
        (dict(description="\u4e2d\u6587"), "IAM does not allow"),
        (dict(description="bell\x07"), "IAM does not allow"),
        (dict(tags={"k": "a,b"}), "','"),
        (dict(tags={"a;b": "1"}), "';'"),
        (dict(tags={"": "1"}), "Invalid tag key ''"),
        (dict(tags={"Team": "a", "team": "b"}), "do not differ by case"),
        (dict(state="absent", capabilities=["volumes"]), "capabilities=['volumes']"),
        (dict(state="absent", path="/"), "path='/'"),
        (dict(state="absent", trust_source_account=True), "trust_source_account=True"),
    ],
)
def test_validate_names_the_bad_value(kw, named):
    errors = _validation.validate_role_options(params(**kw))
    assert len(errors) == 1
    assert named in errors[0]


def test_validate_accepts_good_input_and_reports_every_problem():
    good = params(
        name="a+b=c,d.e@f_g-h",
        path="/ecs/team-1/",
        max_session_duration=43200,
        permissions_boundary="arn:aws-us-gov:iam::123456789012:policy/path/Boundary",
        managed_policies=["Name", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
    )
    assert _validation.validate_role_options(good) == []
    assert _validation.validate_role_options(params(permissions_boundary="")) == []
    latin = params(description="R\u00f4le ECS, caf\u00e9\ttab\n", tags={"\u00e9quipe": "plate-forme 1 _.:/=+-@"})
    assert _validation.validate_role_options(latin) == []
    assert len(_validation.validate_role_options(params(name="?", path="x", max_session_duration=1))) == 3


def test_partition_errors():
    p = params(
        managed_policies=["arn:aws-cn:iam::aws:policy/X", "Name"], permissions_boundary="arn:aws:iam::1:policy/B"
    )
    assert _plan.partition_errors(p, "aws-cn") == []
    errors = _plan.partition_errors(p, "aws")
    assert len(errors) == 1 and "arn:aws-cn:iam::aws:policy/X" in errors[0]


def test_resolve_policy_arns():
    assert _plan.resolve_policy_arns(params(), "aws", "123456789012") is None
    assert _plan.resolve_policy_arns(params(capabilities=[]), "aws", "123456789012") == []
    arns = _plan.resolve_policy_arns(
        params(capabilities=["vpc_lattice", "volumes", "volumes"], managed_policies=["Extra", EXTRA]),
        "aws",
        "123456789012",
    )
    assert arns == sorted([EXTRA, LATTICE, VOLUMES])


# ------------------------------------------------------------------ planning


def test_create_plan_and_predicted_state():
    plan, after = planned(
        params(capabilities=["volumes"], tags={"a": "b"}, description="d"), None, [VOLUMES], "arn:aws:iam::1:role/x"
    )
    assert plan.kinds() == ["create_role", "attach"]
    assert plan.actions[0].args["trust_policy"] == _documents.TRUST_POLICY
    assert plan.actions[0].args["path"] == "/"
    assert after["arn"] == "arn:aws:iam::1:role/x"
    assert plan.before == {}
    assert plan.after["attached_policies"] == [VOLUMES]
    assert plan.after["tags"] == {"a": "b"}


def test_converged_state_plans_nothing():
    c = current(tags={"a": "b"}, description="d", max_session_duration=7200)
    p = params(capabilities=["volumes"], tags={"a": "b"}, description="d", max_session_duration=7200, path="/")
    plan, after = planned(p, c, [VOLUMES], None)
    assert plan.actions == []
    assert plan.before == plan.after


def test_unset_options_are_left_alone():
    c = current(tags={"a": "b"}, description="d", permissions_boundary=EXTRA, attached_policies=[EXTRA])
    plan, after = planned(params(), c, None, None)
    assert plan.actions == []
    assert after["attached_policies"] == [EXTRA]


def test_settings_changes():
    c = current(tags={"a": "b", "keep": "1"}, permissions_boundary=EXTRA)
    p = params(tags={"a": "c"}, description="new", max_session_duration=7200, permissions_boundary="")
    plan, after = planned(p, c, None, None)
    assert plan.actions == [
        Action("update_role", name="ecsInfrastructureRole", description="new", max_session_duration=7200),
        Action("delete_boundary", name="ecsInfrastructureRole"),
        Action("untag", name="ecsInfrastructureRole", keys=["keep"]),
        Action("tag", name="ecsInfrastructureRole", tags={"a": "c"}),
    ]
    assert after["tags"] == {"a": "c"}
    assert plan.after["permissions_boundary"] == ""


def test_tags_without_purge_only_add():
    plan, after = planned(params(tags={"n": "1"}, purge_tags=False), current(tags={"a": "b"}), None, None)
    assert plan.kinds() == ["tag"]
    assert after["tags"] == {"a": "b", "n": "1"}


def test_drifted_trust_is_repaired():
    drifted = copy.deepcopy(_documents.TRUST_POLICY)
    drifted["Statement"][0]["Principal"]["Service"] = "ec2.amazonaws.com"
    plan, after = planned(params(), current(assume_role_policy_document=drifted), None, None)
    assert plan.kinds() == ["update_trust"]
    assert after["assume_role_policy_document"] == _documents.TRUST_POLICY


@pytest.mark.parametrize(
    "purge,kinds,remaining",
    [(True, ["attach", "detach"], [LATTICE]), (False, ["attach"], sorted([LATTICE, VOLUMES, EXTRA]))],
)
def test_attachments_with_and_without_purge(purge, kinds, remaining):
    c = current(attached_policies=[VOLUMES, EXTRA])
    plan, after = planned(params(purge_policies=purge), c, [LATTICE], None)
    assert plan.kinds() == kinds[:1] + ["detach"] * (2 if purge else 0)
    assert after["attached_policies"] == remaining


def test_path_cannot_change():
    with pytest.raises(InvalidInput, match="'/ecs/'.*'/other/'"):
        planned(params(path="/other/"), current(path="/ecs/"), None, None)


def test_absent_plan_order():
    c = current(attached_policies=[VOLUMES, EXTRA], inline_policies=["p"], instance_profiles=["ip"])
    plan, after = planned_absent("ecsInfrastructureRole", c)
    assert plan.kinds() == ["detach", "detach", "delete_inline", "remove_from_profile", "delete_role"]
    assert plan.after == {}
    assert planned_absent("ecsInfrastructureRole", None)[0].actions == []


def test_attachments_to_verify_includes_boundaries():
    plan, after = planned(params(permissions_boundary=EXTRA), None, [VOLUMES], "arn")
    assert _plan.attachments_to_verify(plan) == sorted([EXTRA, VOLUMES])


# ------------------------------------------------------------------ read-back after writing


def test_verify_present_accepts_what_was_written():
    written = current(attached_policies=[VOLUMES], tags={"team": "a"}, description="d")
    asked = params(capabilities=["volumes"], tags={"team": "a"}, description="d")
    assert _plan.verify_present(asked, written, copy.deepcopy(written), [VOLUMES]) == []


@pytest.mark.parametrize(
    "change,problem",
    [
        (dict(attached_policies=[VOLUMES, LATTICE]), "attached policies are"),
        (dict(attached_policies=[]), "attached policies are"),
        (dict(tags={"team": "b"}), "tags are"),
        (dict(description="other"), "description is 'other'"),
        (dict(assume_role_policy_document={"Version": "2012-10-17", "Statement": []}), "trust policy"),
    ],
)
def test_verify_present_names_what_another_writer_changed(change, problem):
    written = current(attached_policies=[VOLUMES], tags={"team": "a"}, description="d")
    asked = params(capabilities=["volumes"], tags={"team": "a"}, description="d")
    read = dict(copy.deepcopy(written), **change)
    problems = _plan.verify_present(asked, written, read, [VOLUMES])
    assert len(problems) == 1 and problem in problems[0]


def test_verify_present_ignores_what_the_run_does_not_manage():
    written = current(attached_policies=[VOLUMES])
    read = dict(copy.deepcopy(written), attached_policies=[VOLUMES, LATTICE], description="x", tags={"b": "1"})
    assert _plan.verify_present(params(), written, read) == []
    no_purge = params(capabilities=["volumes"], purge_policies=False)
    assert _plan.verify_present(no_purge, written, read, [VOLUMES]) == []
    assert _plan.verify_present(params(), written, None) == ["role 'ecsInfrastructureRole' does not exist"]


# ------------------------------------------------------------------ tag values YAML reads as other types


@pytest.mark.parametrize(
    "value,text",
    [(12345, "12345"), (True, "True"), (False, "False"), (1.5, "1.5"), (0, "0"), ("012", "012"), ("true", "true")],
)
def test_numbers_and_booleans_become_the_text_amazon_aws_writes(value, text):
    from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

    converted = _validation.with_text_tags(params(tags={"k": value}))["tags"]
    assert converted == {"k": text}
    # the text compared is the text written
    assert ansible_dict_to_boto3_tag_list({"k": value}) == [{"Key": "k", "Value": text}]
    assert _validation.validate_role_options(params(tags=converted)) == []


def test_with_text_tags_leaves_the_callers_params_alone():
    given = params(tags={"n": 1})
    assert _validation.with_text_tags(given)["tags"] == {"n": "1"}
    assert given["tags"] == {"n": 1}
    assert _validation.with_text_tags(params())["tags"] is None


@pytest.mark.parametrize(
    "value,named",
    [(None, "Invalid value of tag 'owner': null"), (["a"], "a list is not a tag value"), ({"a": 1}, "a dict")],
)
def test_null_and_structured_tag_values_are_refused_naming_the_key(value, named):
    errors = _validation.validate_role_options(_validation.with_text_tags(params(tags={"owner": value, "ok": 1})))
    assert len(errors) == 1 and named in errors[0], errors


def test_converted_tags_are_converged_against_what_iam_stores():
    asked = _validation.with_text_tags(params(tags={"cost_center": 12345, "prod": True}))
    stored = current(tags={"cost_center": "12345", "prod": "True"})
    plan, after = planned(asked, stored, None)
    assert plan.actions == []
    assert _plan.verify_present(asked, after, stored) == []
    created, after = planned(asked, None, None, "arn:aws:iam::123456789012:role/ecsInfrastructureRole")
    assert created.actions[0].args["tags"] == {"cost_center": "12345", "prod": "True"}


# ------------------------------------------------------------------ trust hardening

ACCOUNT = "123456789012"
SOURCE_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def hardened(condition):
    trust = _documents.trust_policy()
    trust["Statement"][0]["Condition"] = condition
    return trust


@pytest.mark.parametrize(
    "condition",
    [
        SOURCE_ACCOUNT,
        {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:*"}},
        {
            "StringEquals": {"aws:SourceAccount": [ACCOUNT]},
            "ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:%s:*" % ACCOUNT},
        },
    ],
    ids=["source-account", "source-arn", "both"],
)
def test_hardening_naming_this_account_is_kept(condition):
    plan, after = planned(params(), current(assume_role_policy_document=hardened(condition)), None)
    assert plan.actions == []
    assert after["assume_role_policy_document"] == hardened(condition)
    assert _plan.verify_present(params(), after, after) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": "999999999999"}},
        {"StringEquals": {"aws:SourceAccount": [ACCOUNT, "999999999999"]}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:999999999999:*"}},
        {"ArnLike": {"aws:SourceArn": f"arn:aws-cn:ecs:*:{ACCOUNT}:*"}},
        {"StringNotEquals": {"aws:SourceAccount": ACCOUNT}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
    ],
    ids=["other-account", "and-another-account", "other-account-arn", "other-partition", "negated", "other-key"],
)
def test_other_conditions_are_drift_and_repaired_to_the_documented_policy(condition):
    plan, after = planned(params(), current(assume_role_policy_document=hardened(condition)), None)
    assert plan.kinds() == ["update_trust"]
    assert plan.actions[0].args["trust_policy"] == _documents.trust_policy()


def test_a_repair_keeps_the_hardening_of_this_account():
    trust = hardened(SOURCE_ACCOUNT)
    trust["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    plan, after = planned(params(), current(assume_role_policy_document=trust), None)
    assert plan.kinds() == ["update_trust"]
    assert plan.actions[0].args["trust_policy"] == hardened(SOURCE_ACCOUNT)


def test_trust_source_account_writes_and_then_keeps_the_condition():
    asked = params(trust_source_account=True)
    plan, after = planned(asked, current(), None)
    assert plan.kinds() == ["update_trust"]
    assert plan.actions[0].args["trust_policy"] == hardened(SOURCE_ACCOUNT)
    assert plan.after["trust_policy"] == hardened(SOURCE_ACCOUNT)
    again, dummy = planned(asked, after, None)
    assert again.actions == []
    assert _plan.verify_present(asked, after, after) == []
    # without the option, the condition stays
    assert planned(params(), after, None)[0].actions == []
    # a trust policy read back without it is not what this run wrote
    assert _plan.verify_present(asked, after, current()) == ["the trust policy is not the documented one"]


def test_trust_source_account_on_creation():
    plan, after = planned(
        params(trust_source_account=True), None, None, f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"
    )
    assert plan.actions[0].kind == "create_role"
    assert plan.actions[0].args["trust_policy"] == hardened(SOURCE_ACCOUNT)
    plan, after = planned(params(), None, None, f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole")
    assert plan.actions[0].args["trust_policy"] == _documents.trust_policy()


def test_trust_source_account_replaces_a_source_account_of_another_account():
    plan, after = planned(
        params(trust_source_account=True),
        current(assume_role_policy_document=hardened({"StringEquals": {"aws:SourceAccount": "999999999999"}})),
        None,
    )
    assert plan.actions[0].args["trust_policy"] == hardened(SOURCE_ACCOUNT)


AWS_REGIONS = ("aws", frozenset(["eu-west-1", "us-east-1"]))


@pytest.mark.parametrize(
    "regions,known,named",
    [
        (["eu-west-1", "mars-north"], AWS_REGIONS, "'mars-north': not a region of the aws partition"),
        # the right shape is not enough: a region must be in the partition's list
        (["xx-nowhere-1"], AWS_REGIONS, "'xx-nowhere-1': not a region of the aws partition"),
        (["cn-north-1"], AWS_REGIONS, "'cn-north-1': not a region of the aws partition"),
        (["eu-west-1"], ("aws-cn", frozenset(["cn-north-1"])), "'eu-west-1': not a region of the aws-cn partition"),
        # without botocore's data, only the shape is checked
        (["eu-west-1", "europe"], None, "'europe': expected a region name such as eu-west-1"),
    ],
)
def test_region_errors_name_the_bad_region_and_where_to_look(regions, known, named):
    errors = _validation.validate_usage_regions(regions, known)
    assert len(errors) == 1
    assert named in errors[0]
    if known is not None:
        assert "Known regions: " + ", ".join(sorted(known[1])) + "." in errors[0]
        assert "aws ec2 describe-regions" in errors[0]


@pytest.mark.parametrize(
    "regions,known",
    [([], AWS_REGIONS), (None, AWS_REGIONS), (["us-east-1", "eu-west-1"], AWS_REGIONS), (["xx-nowhere-1"], None)],
)
def test_region_errors_accept_known_regions(regions, known):
    assert _validation.validate_usage_regions(regions, known) == []


def test_a_plan_is_complete_when_built_and_cannot_be_changed_after():
    plan, after = planned(params(capabilities=["volumes"]), None, [VOLUMES], "arn:aws:iam::123456789012:role/r")
    assert plan.desired_arns == [VOLUMES] and after["attached_policies"] == [VOLUMES]
    assert plan.pass_role == {} and plan.foreign == [] and plan.warnings == [] and plan.guard is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.guard = "x"
    assert plan.but(guard="x").guard == "x" and plan.guard is None
