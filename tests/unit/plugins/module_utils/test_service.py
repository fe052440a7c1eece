# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service layer: the whole plan built in one place (pure), and the five steps on moto.mock_aws."""

import re

import boto3
import pytest
from moto import mock_aws

from ansible_collections.ecs_tools.iam.plugins.module_utils import _authorization
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _grants
from ansible_collections.ecs_tools.iam.plugins.module_utils import _iam
from ansible_collections.ecs_tools.iam.plugins.module_utils import _service
from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import ConcurrentChange
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InUseError
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import NotOwned
from ansible_collections.ecs_tools.iam.plugins.modules.ecs_infrastructure_role import argument_spec

ACCOUNT = "123456789012"
ROLE = "ecsInfrastructureRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
LATTICE = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
IN_USE = {
    "services": [{"arn": "s", "region": "us-east-1", "reason": "its deployment names the role"}],
    "tasks": [],
    "volumes": [],
    "regions": ["us-east-1"],
    "unreadable_regions": [],
}


def params(**kw):
    """The module's parameters as AnsibleModule fills them: every option, defaults applied."""
    values = {name: spec.get("default") for name, spec in argument_spec().items()}
    if kw.get("pass_role") is not None:
        kw["pass_role"] = dict(
            dict(users=[], groups=[], roles=[], mode="managed_policy", policy_name=None, purge=True), **kw["pass_role"]
        )
    values.update(kw)
    return values


def role_state(attached):
    return dict(
        arn=ROLE_ARN,
        role_name=ROLE,
        role_id="AROA1",
        path="/",
        create_date=None,
        description="",
        max_session_duration=3600,
        permissions_boundary="",
        tags={},
        assume_role_policy_document=_documents.trust_policy(),
        attached_policies=list(attached),
    )


# ---------------------------------------------------------------- the whole plan, pure


def test_present_plan_holds_role_grants_and_guard_in_one_place():
    spec = _grants.normalize_spec(params(pass_role={"users": ["alice"]})["pass_role"], ROLE)
    grants = {"policy": None, "attached": None, "inline": _grants.empty_inline(), "principals": None, "clashes": []}
    current = _service.Current(role_state([VOLUMES]), "aws", ACCOUNT, spec, grants)
    plan = _service.present_plan(params(capabilities=["vpc_lattice"], pass_role={"users": ["alice"]}), current)
    assert plan.kinds() == ["attach", "detach", "create_policy", "attach_principal"]
    assert plan.guard.what == _service.DETACH_VOLUMES and plan.guard.unless_volume_actions_kept
    assert plan.after["pass_role"]["mark"] == ROLE_ARN and plan.after["attached_policies"] == [LATTICE]


BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"


@pytest.mark.parametrize(
    "role,wanted,what",
    [
        # Every change that can take the volume actions away asks the evaluator first.
        (role_state([VOLUMES]), dict(capabilities=["volumes", "vpc_lattice"]), _service.CHANGE_ROLE),
        (role_state([VOLUMES]), dict(permissions_boundary=BOUNDARY), _service.CHANGE_ROLE),
        (
            dict(role_state([VOLUMES]), permissions_boundary=BOUNDARY),
            dict(permissions_boundary=""),
            _service.CHANGE_ROLE,
        ),
        (dict(role_state([VOLUMES]), assume_role_policy_document={"Statement": []}), {}, _service.CHANGE_ROLE),
        (role_state([VOLUMES]), dict(capabilities=["vpc_lattice"]), _service.DETACH_VOLUMES),
        # Nothing else does: settings, tags, a new role, a converged run.
        (role_state([VOLUMES]), dict(description="d", tags={"a": "b"}, max_session_duration=7200), None),
        (None, dict(capabilities=["volumes"], permissions_boundary=BOUNDARY), None),
        (role_state([VOLUMES]), dict(capabilities=["volumes"]), None),
    ],
)
def test_present_plan_guards_every_change_that_can_take_volume_actions_away(role, wanted, what):
    plan = _service.present_plan(params(**wanted), _service.Current(role, "aws", ACCOUNT))
    if what is None:
        assert plan.guard is None
    else:
        assert plan.guard.what == what and plan.guard.unless_volume_actions_kept


def test_absent_plan_revokes_own_grants_before_the_role_and_always_guards():
    spec = _grants.normalize_spec({}, ROLE)
    grant = _documents.passrole_document(ROLE_ARN)
    grants = {
        "policy": None,
        "attached": None,
        "inline": {"users": {"alice": grant}, "groups": {}, "roles": {}},
        "principals": {"users": {"alice"}, "groups": set(), "roles": {ROLE}},
        "clashes": [],
    }
    role = dict(role_state([VOLUMES]), inline_policies=[], instance_profiles=[])
    plan = _service.absent_plan(params(state="absent"), _service.Current(role, "aws", ACCOUNT, spec, grants))
    assert plan.kinds() == ["delete_principal_inline", "detach", "delete_role"]
    assert plan.guard.what == _service.DELETE_ROLE and not plan.guard.unless_volume_actions_kept
    assert plan.foreign == []


def test_missing_principals_are_refused_while_planning():
    spec = _grants.normalize_spec(params(pass_role={"users": ["ghost"]})["pass_role"], ROLE)
    current = _service.Current(
        None, "aws", ACCOUNT, spec, {"policy": None}, missing={"users": ["ghost"], "groups": [], "roles": []}
    )
    with pytest.raises(InvalidInput, match="principals that do not exist.*user 'ghost'"):
        _service.present_plan(params(pass_role={"users": ["ghost"]}), current)


# ---------------------------------------------------------------- read-back after writing


def test_read_back_waits_out_eventual_consistency():
    reads = iter([["stale"], ["stale"], []])
    pauses = []
    _service.read_back("r", lambda: None, lambda read: next(reads), sleep=pauses.append)
    assert pauses == [1, 2]


def test_read_back_reports_another_writer_once_iam_had_time():
    pauses = []
    with pytest.raises(ConcurrentChange) as caught:
        _service.read_back("r", lambda: None, lambda read: ["users holding the grant: ['x']"], sleep=pauses.append)
    assert pauses == list(_service.READ_BACK_PAUSES)
    assert "Role 'r' was changed concurrently by another writer" in str(caught.value)
    assert caught.value.details == {"differences": ["users holding the grant: ['x']"]}


# ---------------------------------------------------------------- the five steps, on moto


@pytest.fixture
def service(monkeypatch):
    """``(make, iam)``: ``make(check_mode=False, usage=None)`` gives a RoleService on moto; ``iam``
    is a plain client to look with. Every usage scan is recorded in ``scans``."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        scans = []

        def make(check_mode=False, usage=None):
            def scan(role_arn, regions):
                scans.append(role_arn)
                return usage or dict(IN_USE, services=[])

            return _service.RoleService(iam, check_mode, lambda: (ACCOUNT, "aws"), scan, pauses=())

        make.scans = scans
        yield make, iam


def test_create_then_converge_then_delete(service):
    make, iam = service
    iam.create_user(UserName="alice")
    wanted = params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False)
    plan, result = make().present(wanted)
    assert plan.changed and result["role"]["arn"] == ROLE_ARN and result["pass_role"]["users"] == ["alice"]
    plan, again = make().present(wanted)
    assert not plan.changed and again["attached_policies"] == [VOLUMES]
    plan, gone = make().absent(params(state="absent"))
    assert plan.changed and gone["role"] == {} and make.scans == [ROLE_ARN]
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_a_new_role_with_inline_grants_reads_them_back_without_waiting(service, monkeypatch):
    """After CreateRole every call retries NoSuchEntity (IAM catching up), but the grants' read-back
    asks for the managed grant policy that inline mode never creates: that NoSuchEntity is the answer
    and must not be waited out (it cost some 68 s of backoff per new role)."""
    make, iam = service
    iam.create_user(UserName="alice")
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    plan, result = make().present(params(pass_role={"users": ["alice"], "mode": "inline"}, wait=False))
    assert plan.changed and result["pass_role"]["users"] == ["alice"]
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == [ROLE + "PassRole"]
    assert slept == []


def test_bad_input_raises_before_any_read(service):
    make, iam = service
    with pytest.raises(InvalidInput, match="Invalid role name 'bad name!'"):
        make().present(params(name="bad name!"))


def test_the_guard_refuses_a_detach_of_volumes_while_ecs_uses_the_role(service):
    make, iam = service
    make().present(params(capabilities=["volumes"], wait=False))
    with pytest.raises(InUseError) as refused:
        make(usage=IN_USE).present(params(capabilities=["vpc_lattice"], wait=False))
    assert refused.value.details["in_use"] == IN_USE
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]] == [VOLUMES]


def test_check_mode_writes_nothing(service):
    make, iam = service
    plan, result = make(check_mode=True).present(params(capabilities=["volumes"]))
    assert plan.changed and result["role"]["arn"] == ROLE_ARN
    assert iam.list_roles()["Roles"] == []


def test_describe_a_missing_role(service):
    make, iam = service
    assert make().describe(dict(name=ROLE, pass_role_policy_name=None, check_usage=True, usage_regions=None)) == {
        "exists": False,
        "findings": [],
    }


def test_describe_reads_only_the_aws_managed_policies_principals_use(service, monkeypatch):
    make, iam = service
    make().present(params(capabilities=["volumes"], wait=False))
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    filters = []
    read = _authorization.account_authorization_details

    def recorded(client, entity_filter=None):
        filters.append(entity_filter)
        return read(client, entity_filter)

    monkeypatch.setattr(_authorization, "account_authorization_details", recorded)
    info = dict(name=ROLE, pass_role_policy_name=None, check_usage=False, usage_regions=None)
    few = make().describe(info)
    assert filters == [_authorization.LOCAL]
    admin = [p for p in few["pass_role_principals"] if p["name"] == "admin"]
    assert admin and admin[0]["administrator"] and admin[0]["classification"] == "any_service"

    monkeypatch.setattr(_service, "MAX_AWS_MANAGED_READS", 1)  # two are used: read them all at once
    many = make().describe(info)
    assert filters[1:] == [_authorization.LOCAL, _authorization.AWS_MANAGED]
    assert many["pass_role_principals"] == few["pass_role_principals"] and many["findings"] == few["findings"]


def calls_of(iam):
    """Every API call the client makes from now on, by operation name."""
    seen = []
    iam.meta.events.register("before-call.iam", lambda model, **kwargs: seen.append(model.name))
    return seen


def test_the_roles_checks_come_before_any_grant_read(service):
    make, iam = service
    make().present(params(path="/ecs/", capabilities=["volumes"], wait=False))
    seen = calls_of(iam)
    with pytest.raises(InvalidInput, match="cannot change a role's path"):
        make().present(params(path="/other/", pass_role={"users": ["ghost"]}))
    with pytest.raises(InvalidInput, match="These policies do not exist"):
        make().present(
            params(managed_policies=["arn:aws:iam::123456789012:policy/Nope"], pass_role={"users": ["ghost"]})
        )
    assert seen == ["GetRole", "ListAttachedRolePolicies"] * 2 + ["GetPolicy"]  # no grant read, no GetUser


def test_absent_guards_before_reading_the_grants(service):
    make, iam = service
    make().present(params(capabilities=["volumes"], wait=False))
    seen = calls_of(iam)
    with pytest.raises(InUseError):
        make(usage=IN_USE).absent(params(state="absent"))
    assert "GetPolicy" not in seen and "GetAccountAuthorizationDetails" not in seen


def test_bad_input_fails_before_the_client_is_made():
    def unreachable():
        raise AssertionError("no client is needed to reject bad input")

    service = _service.RoleService(unreachable, False, unreachable, unreachable)
    with pytest.raises(InvalidInput, match="Invalid role name"):
        service.present(params(name="bad name!"))
    with pytest.raises(InvalidInput, match="Invalid name"):
        service.describe(dict(name="bad name!", pass_role_policy_name=None, check_usage=False, usage_regions=None))


@pytest.mark.parametrize("region", ["mars-north", "xx-nowhere-1"])
def test_both_modules_refuse_a_region_of_no_partition_before_any_call(region):
    """One validation for both modules' usage_regions, from botocore's region list, before a client exists."""

    def unreachable(*args):
        raise AssertionError("a bad region is refused before any AWS call")

    known = [0]

    def known_regions():
        known[0] += 1
        return _usage.known_regions("eu-west-1")

    service = _service.RoleService(unreachable, False, unreachable, unreachable, known_regions=known_regions)
    expected = f"Invalid usage_regions entry '{region}': not a region of the aws partition. Known regions: "
    with pytest.raises(InvalidInput, match=re.escape(expected) + ".*us-east-1"):
        service.present(params(capabilities=["volumes"], usage_regions=["us-east-1", region]))
    with pytest.raises(InvalidInput, match=re.escape(expected)):
        service.absent(params(state="absent", usage_regions=[region]))
    with pytest.raises(InvalidInput, match=re.escape(expected)):
        service.describe(dict(name=ROLE, pass_role_policy_name=None, check_usage=True, usage_regions=[region]))
    assert known[0] == 3


def test_regions_are_those_of_the_connection_regions_partition():
    aws, china = _usage.known_regions("us-east-1"), _usage.known_regions("cn-north-1")
    assert aws[0] == "aws" and {"us-east-1", "eu-west-1"} <= aws[1] and "cn-north-1" not in aws[1]
    assert china[0] == "aws-cn" and "cn-north-1" in china[1] and "us-east-1" not in china[1]
    assert _usage.known_regions(None)[0] == _usage.known_regions("mars-north")[0] == "aws"
    assert _usage.known_regions("us-gov-west-1")[0] == "aws-us-gov"


def test_info_pass_role_carries_the_grant_policys_mark(service):
    """The info module's pass_role.mark, as documented in its RETURN: the tag naming the role; untagged, foreign."""
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    info = dict(name=ROLE, pass_role_policy_name=None, check_usage=False, usage_regions=None)
    described = make().describe(info)
    assert described["pass_role"]["mark"] == ROLE_ARN and described["pass_role"]["users"] == ["alice"]
    policy_arn = described["pass_role"]["policy_arn"]
    iam.untag_policy(PolicyArn=policy_arn, TagKeys=[_grants.OWNER_TAG])
    # untagged, the policy is not provably the collection's: no mark in pass_role, a foreign object with mark null
    untagged = make().describe(info)
    assert "mark" not in untagged["pass_role"] and untagged["pass_role"]["mode"] is None
    assert [(o["arn"], o["mark"]) for o in untagged["foreign_objects"]] == [(policy_arn, None)]


def test_grantees_are_matched_to_iams_spelling_regardless_of_case(service):
    """moto matches names case-sensitively where AWS does not: ``Alice`` listed, ``alice`` in IAM."""
    make, iam = service
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="Platform")
    make().present(params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    wanted = params(capabilities=["volumes"], pass_role={"users": ["Alice"], "groups": ["platform"]}, wait=False)
    seen = calls_of(iam)
    plan, result = make().present(wanted)
    assert plan.kinds() == ["attach_principal"] and plan.actions[0].args["principal"] == "Platform"
    assert result["pass_role"]["users"] == ["alice"] and result["pass_role"]["groups"] == ["Platform"]
    # alice holds the grant (her spelling came with it); Platform was looked up once
    assert seen.count("GetUser") == 0 and seen.count("GetGroup") == 1
    assert seen.count("GetAccountAuthorizationDetails") == 1
    seen[:] = []
    plan, again = make().present(wanted)
    assert plan.actions == [] and again["pass_role"] == result["pass_role"]
    assert seen == ["GetRole", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion", "ListEntitiesForPolicy"]


def test_a_missing_grantee_is_still_named_after_the_case_insensitive_lookup(service):
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    with pytest.raises(InvalidInput, match="principals that do not exist, nothing was changed: user 'Ghost'"):
        make().present(params(capabilities=["volumes"], pass_role={"users": ["alice", "Ghost"]}, wait=False))
    assert iam.list_entities_for_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}PassRole")["PolicyUsers"] == [
        {"UserName": "alice", "UserId": iam.get_user(UserName="alice")["User"]["UserId"]}
    ]


def test_tag_values_yaml_reads_as_numbers_or_booleans_converge(service):
    make, iam = service
    wanted = params(tags={"cost_center": 12345, "prod": True}, wait=False)
    plan, result = make().present(wanted)
    assert plan.changed and result["role"]["tags"] == {"cost_center": "12345", "prod": "True"}
    tags = iam.list_role_tags(RoleName=ROLE)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("cost_center", "12345"), ("prod", "True")]
    plan, dummy = make().present(wanted)
    assert not plan.changed


def test_a_null_tag_value_is_refused_before_any_call(service):
    make, iam = service
    seen = calls_of(iam)
    with pytest.raises(InvalidInput, match="Invalid value of tag 'owner': null"):
        make().present(params(tags={"owner": None, "n": 1}))
    assert seen == [] and iam.list_roles()["Roles"] == []


# ---------------------------------------------------------------- the guard asks the evaluator, on moto

VOLUME_IN_USE = dict(
    IN_USE,
    services=[],
    volumes=[{"volume_id": "vol-0abc", "region": "us-east-1", "reason": "ECS-managed EBS volume attached"}],
)
S3_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
VOLUME_CLEANUP = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
NO_DELETE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "ec2:DeleteVolume", "Resource": "*"}],
}


def customer_policy(iam, name, document):
    import json

    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


@pytest.mark.parametrize(
    "change,named",
    [
        (lambda iam: dict(permissions_boundary=customer_policy(iam, "Boundary", S3_ONLY)), "allows none of"),
        (lambda iam: dict(managed_policies=[customer_policy(iam, "NoDelete", NO_DELETE)]), "denies ec2:DeleteVolume"),
    ],
    ids=["boundary", "deny"],
)
def test_the_guard_refuses_a_side_door_while_ecs_uses_volumes(service, change, named):
    make, iam = service
    make().present(params(capabilities=["volumes"], wait=False))
    wanted = dict(change(iam), capabilities=["volumes"], wait=False)
    with pytest.raises(InUseError) as refused:
        make(usage=VOLUME_IN_USE).present(params(**wanted))
    message = str(refused.value)
    assert message.startswith("Refusing to change role 'ecsInfrastructureRole'")
    assert "vol-0abc (us-east-1)" in message and named in message and "Nothing was changed" in message
    assert make.scans == [ROLE_ARN]
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert "PermissionsBoundary" not in role
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]] == [VOLUMES]
    # force lets it go, and still reports what it found.
    plan, result = make(usage=VOLUME_IN_USE).present(params(force=True, **wanted))
    assert plan.changed and result["in_use"] == VOLUME_IN_USE


def test_a_change_that_keeps_the_volume_actions_makes_no_scan(service):
    make, iam = service
    make().present(params(capabilities=["volumes"], wait=False))
    boundary = customer_policy(iam, "Boundary", VOLUME_CLEANUP)
    seen = calls_of(iam)
    plan, result = make(usage=VOLUME_IN_USE).present(
        params(capabilities=["volumes", "vpc_lattice"], permissions_boundary=boundary, wait=False)
    )
    assert plan.changed and "in_use" not in result and make.scans == []
    # Preflight checks that Lattice and the boundary exist (GetPolicy each); the guard reads the boundary
    # (GetPolicy, GetPolicyVersion) and the role's inline policies, not the ECS policies (AWS's, counted
    # by their ARN), and nothing of the role as it was (nothing blocks after the change).
    guard_reads = seen[seen.index("ListAttachedRolePolicies") + 1 : seen.index("PutRolePermissionsBoundary")]
    assert guard_reads == ["GetPolicy", "GetPolicy", "GetPolicy", "GetPolicyVersion", "ListRolePolicies"], guard_reads


def test_a_role_that_never_had_the_volume_actions_is_not_guarded(service):
    make, iam = service
    make().present(params(capabilities=["vpc_lattice"], wait=False))
    boundary = customer_policy(iam, "Boundary", S3_ONLY)
    plan, result = make(usage=VOLUME_IN_USE).present(
        params(capabilities=["vpc_lattice"], permissions_boundary=boundary, wait=False)
    )
    assert plan.changed and make.scans == []


def test_describe_reports_volume_actions_blocked(service):
    make, iam = service
    make().present(params(capabilities=["volumes"], wait=False))
    boundary = customer_policy(iam, "Boundary", S3_ONLY)
    iam.put_role_permissions_boundary(RoleName=ROLE, PermissionsBoundary=boundary)
    info = dict(name=ROLE, pass_role_policy_name=None, check_usage=True, usage_regions=None)
    found = [f for f in make(usage=VOLUME_IN_USE).describe(info)["findings"] if f["code"].startswith("volume")]
    assert [(f["code"], f["severity"]) for f in found] == [("volume_actions_blocked", "high")]
    assert boundary in found[0]["message"] and "ec2:DeleteVolume" in found[0]["message"]
    quiet = make().describe(dict(info, check_usage=False))["findings"]
    assert [(f["code"], f["severity"]) for f in quiet if f["code"].startswith("volume")] == [
        ("volume_actions_blocked", "medium")
    ]


# ---------------------------------------------------------------- ownership: adoption and orphans, on moto

GRANT = _documents.passrole_document(ROLE_ARN)
GRANT_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}PassRole"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
INFO = dict(name=ROLE, pass_role_policy_name=None, check_usage=False, usage_regions=None)


def unmarked_grant(iam, holders=("alice",), dormant=False):
    """An untagged policy named like the grant, its default version the exact grant (by hand, or 1.0.0)."""
    first = ALLOW_ALL if dormant else GRANT
    iam.create_policy(PolicyName=ROLE + "PassRole", PolicyDocument=_documents.to_json(first))
    if dormant:  # v1 stays, dormant; v2, the grant, is the default
        iam.create_policy_version(PolicyArn=GRANT_ARN, PolicyDocument=_documents.to_json(GRANT), SetAsDefault=True)
    for holder in holders:
        iam.attach_user_policy(UserName=holder, PolicyArn=GRANT_ARN)


def test_an_adoption_is_in_the_diff_and_a_warning(service):
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], wait=False))
    unmarked_grant(iam)
    plan, result = make().present(params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    assert plan.kinds() == ["tag_policy"]
    assert plan.after["pass_role"]["adopted"] == {
        "arn": GRANT_ARN,
        "versions": ["v1"],
        "holders": {"users": ["alice"], "groups": [], "roles": []},
    }
    assert len(result["warnings"]) == 1 and result["warnings"][0].startswith("Adopting managed policy " + GRANT_ARN)
    plan, again = make().present(params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    assert not plan.changed and "warnings" not in again


def test_a_dormant_version_is_refused_with_no_write(service):
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], wait=False))
    unmarked_grant(iam, dormant=True)
    seen = calls_of(iam)
    with pytest.raises(NotOwned, match="its version v1 is not this role's PassRole grant"):
        make().present(params(capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    assert "GetPolicyVersion" in seen and not [c for c in seen if not c.startswith(("Get", "List"))]


def test_absent_leaves_an_unmarked_policy_it_cannot_adopt(service):
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], wait=False))
    unmarked_grant(iam)  # alice holds it, and state: absent lists nobody
    plan, result = make().absent(params(state="absent"))
    assert plan.kinds()[-1] == "delete_role" and "delete_policy" not in plan.kinds()
    assert [o["arn"] for o in result["foreign_objects"]] == [GRANT_ARN]
    assert [w[:40] for w in result["warnings"]] == ["Left alone while deleting role 'ecsInfra"]
    assert [u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=GRANT_ARN)["PolicyUsers"]] == ["alice"]


def test_absent_deletes_an_unmarked_grant_once_adopted(service):
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], wait=False))
    unmarked_grant(iam)
    plan, result = make().absent(params(state="absent", pass_role={"users": ["alice"]}))
    assert plan.kinds()[:2] == ["detach_principal", "delete_policy"]
    assert plan.before["pass_role"]["adopted"]["arn"] == GRANT_ARN
    assert result["warnings"][0].endswith("It is detached and deleted before the role.")
    assert iam.list_policies(Scope="Local")["Policies"] == []


def orphan(make, iam, path=None):
    """The collection's own grant, left when the role was deleted by hand."""
    iam.create_user(UserName="alice")
    make().present(params(path=path, capabilities=["volumes"], pass_role={"users": ["alice"]}, wait=False))
    iam.detach_role_policy(RoleName=ROLE, PolicyArn=VOLUMES)
    iam.delete_role(RoleName=ROLE)


def test_absent_deletes_the_orphaned_grant_of_a_role_deleted_by_hand(service):
    make, iam = service
    orphan(make, iam, path="/ecs/")
    plan, result = make(check_mode=True).absent(params(state="absent"))
    assert plan.kinds() == ["detach_principal", "delete_policy"] and "warnings" not in result
    assert plan.before["pass_role"]["mark"] == f"arn:aws:iam::{ACCOUNT}:role/ecs/{ROLE}"
    assert iam.list_policies(Scope="Local")["Policies"] != []  # check mode
    plan, result = make().absent(params(state="absent"))
    assert plan.changed and iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []
    plan, result = make().absent(params(state="absent"))
    assert not plan.changed


def test_describe_reports_an_orphaned_grant(service):
    make, iam = service
    orphan(make, iam)
    result = make().describe(INFO)
    assert result["exists"] is False
    assert [(f["code"], f["severity"]) for f in result["findings"]] == [("pass_role_orphaned_grant", "medium")]
    assert GRANT_ARN in result["findings"][0]["message"] and "user 'alice'" in result["findings"][0]["message"]


def test_describe_reports_an_unmarked_grant_as_not_yet_adopted(service):
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(capabilities=["volumes"], wait=False))
    unmarked_grant(iam)
    seen = calls_of(iam)
    result = make().describe(INFO)
    assert [o["arn"] for o in result["foreign_objects"]] == [GRANT_ARN]
    assert "adopts an unmarked policy only when every version" in result["foreign_objects"][0]["reason"]
    assert "ListPolicyVersions" not in seen  # the info module's least-privilege policy does not grant it


def test_describe_reads_the_grant_policy_from_the_authorization_details(service):
    """Item 7c of issue 21: the authorization details carry the grant policy's document and holders; only
    its tags (the ownership mark) need GetPolicy. No GetPolicyVersion or ListEntitiesForPolicy for it."""
    make, iam = service
    iam.create_user(UserName="alice")
    make().present(params(pass_role={"users": ["alice"]}, wait=False))
    grant_arn = f"arn:aws:iam::{ACCOUNT}:policy/{ROLE}PassRole"
    seen = []
    iam.meta.events.register(
        "before-parameter-build.iam", lambda model, params, **kwargs: seen.append((model.name, params.get("PolicyArn")))
    )
    info = make().describe(dict(name=ROLE, pass_role_policy_name=None, check_usage=False, usage_regions=None))
    assert [name for name, arn in seen if arn == grant_arn] == ["GetPolicy"]
    assert "ListEntitiesForPolicy" not in [name for name, arn in seen]
    assert info["pass_role"]["users"] == ["alice"] and info["pass_role"]["policy_arn"] == grant_arn
    assert info["findings"] == []  # the mark was read: the grant is the collection's own

    # The same answer as the three reads give (GetPolicy, GetPolicyVersion, ListEntitiesForPolicy).
    details = _authorization.account_authorization_details(iam, _authorization.LOCAL)
    from_details = make()._grant_policy_from_details(details, grant_arn)
    assert from_details == _iam.read_grant_policy(iam, grant_arn, versions=False)
    assert make()._grant_policy_from_details(details, grant_arn.replace("PassRole", "Missing"))["policy"] is None
