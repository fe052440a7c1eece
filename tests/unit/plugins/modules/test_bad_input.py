# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, exhaustively, in-process: every invalid value fails, names itself, and writes nothing.

Each case runs both modules' main() against moto.mock_aws with every botocore call recorded: the cases
found without AWS make no call at all; the cases that need AWS to answer (a missing policy or principal,
a path change, another partition) read, and write nothing. One case per refusal path also runs through
ansible-playbook on a moto_server (tests/integration/test_bad_input.py).
"""

import boto3
import botocore.client
import pytest

from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role as module
from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role_info as info_module

ROLE = "ecsInfrastructureRole"
WRITE_PREFIXES = ("Create", "Update", "Put", "Delete", "Attach", "Detach", "Tag", "Untag", "Add", "Remove", "Set")

# (case id, module args, text the failure message must contain). Ansible's own type checks
# name the option rather than the value; every other message names the value.
CASES = [
    # types
    # ansible-core 2.17 names the option, not the value, when a string is no int
    ("duration-not-int", {"max_session_duration": "an hour"}, "max_session_duration"),
    ("tags-not-dict", {"tags": ["team"]}, "tags"),
    ("purge-not-bool", {"purge_policies": "sometimes"}, "sometimes"),
    # ansible-core's message for a sub-options dict given a string names neither option nor value
    ("pass-role-not-dict", {"pass_role": "alice"}, "dictionary requested"),
    # choices
    ("state", {"state": "gone"}, "gone"),
    ("capability", {"capabilities": ["volumes", "ebs"]}, "ebs"),
    ("capability-lists-valid", {"capabilities": ["ebs"]}, "express_gateway_services"),
    ("pass-role-mode", {"pass_role": {"users": ["alice"], "mode": "attached"}}, "attached"),
    ("unknown-option", {"capabilites": ["volumes"]}, "capabilites"),
    ("unknown-pass-role-key", {"pass_role": {"user": ["alice"]}}, "user"),
    # IAM name and path rules
    ("name-chars", {"name": "ecs infra"}, "'ecs infra'"),
    ("name-slash", {"name": "ecs/infra"}, "'ecs/infra'"),
    ("name-empty", {"name": ""}, "''"),
    ("name-too-long", {"name": "r" * 65}, "r" * 65),
    ("path-no-slashes", {"path": "ecs"}, "'ecs'"),
    ("path-no-trailing-slash", {"path": "/ecs"}, "'/ecs'"),
    ("path-double-slash", {"path": "/a//b/"}, "'/a//b/'"),
    ("path-too-long", {"path": "/" + "p/" * 300}, "path may not exceed 512"),
    # IAM names are ASCII, descriptions printable ASCII and Latin-1, tags letters/digits/spaces and _.:/=+-@
    ("name-non-ascii", {"name": "r\u00f4le"}, "ASCII"),
    ("path-non-ascii", {"path": "/\u00e9quipe/"}, "ASCII"),
    ("pass-role-user-non-ascii", {"pass_role": {"users": ["\u00e9lodie"]}}, "ASCII"),
    ("pass-role-policy-name-non-ascii", {"pass_role": {"policy_name": "Pass\u00f4"}}, "ASCII"),
    ("description-emoji", {"description": "deploy \U0001f680"}, "IAM does not allow"),
    ("tag-value-comma", {"tags": {"teams": "a,b"}}, "','"),
    # a tag value YAML reads as null is refused (a number or a boolean is written as its text)
    ("tag-value-null", {"tags": {"owner": None, "cost_center": 12345}}, "Invalid value of tag 'owner': null"),
    ("path-change", {"path": "/other/"}, "'/other/'"),
    # ranges and limits
    ("duration-low", {"max_session_duration": 3599}, "3599"),
    ("duration-high", {"max_session_duration": 43201}, "43201"),
    ("wait-timeout", {"wait_timeout": 0}, "wait_timeout 0"),
    ("description-too-long", {"description": "d" * 1001}, "1001 characters"),
    ("tag-key-reserved", {"tags": {"aws:owner": "me"}}, "aws:owner"),
    ("tag-value-too-long", {"tags": {"team": "t" * 257}}, "257 characters"),
    ("too-many-tags", {"tags": {f"k{i}": "v" for i in range(51)}}, "51 tags"),
    ("usage-region", {"usage_regions": ["mars-north"]}, "mars-north"),
    # the shape of a region, but no region of the partition: refused, not retried nine times
    (
        "usage-region-unknown",
        {"usage_regions": ["us-east-1", "xx-nowhere-1"]},
        "'xx-nowhere-1': not a region of the aws",
    ),
    # malformed ARNs
    ("boundary-not-arn", {"permissions_boundary": "Boundary"}, "'Boundary'"),
    ("boundary-role-arn", {"permissions_boundary": "arn:aws:iam::123456789012:role/x"}, "role/x"),
    ("boundary-short-account", {"permissions_boundary": "arn:aws:iam::1234:policy/B"}, "arn:aws:iam::1234:policy/B"),
    ("policy-s3-arn", {"managed_policies": ["arn:aws:s3:::bucket"]}, "arn:aws:s3:::bucket"),
    ("policy-name-chars", {"managed_policies": ["my policy"]}, "'my policy'"),
    ("policy-other-partition", {"managed_policies": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]}, "aws-cn"),
    # things that do not exist
    ("policy-missing-name", {"managed_policies": ["NoSuchPolicy"]}, "arn:aws:iam::123456789012:policy/NoSuchPolicy"),
    (
        "policy-wrong-path",
        {"managed_policies": ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVpcLattice"]},
        "service-role/AmazonECSInfrastructureRolePolicyForVpcLattice",
    ),
    ("boundary-missing", {"permissions_boundary": "arn:aws:iam::123456789012:policy/NoBoundary"}, "NoBoundary"),
    # grantees
    ("grantee-duplicate", {"pass_role": {"users": ["alice", "alice"]}}, "Duplicate pass_role.users entry 'alice'"),
    (
        "grantee-missing",
        {"pass_role": {"users": ["alice", "ghost"], "roles": ["norole"]}},
        "user 'ghost', role 'norole'",
    ),
    ("grantee-missing-inline", {"pass_role": {"groups": ["nogroup"], "mode": "inline"}}, "group 'nogroup'"),
    # IAM's spelling of a listed principal is found regardless of case; a missing one is still named
    (
        "grantee-missing-other-case",
        {"pass_role": {"users": ["Alice", "Ghost"]}},
        "pass_role names principals that do not exist, nothing was changed: user 'Ghost'",
    ),
    ("grantee-bad-name", {"pass_role": {"roles": ["bad role"]}}, "'bad role'"),
    ("grant-policy-name", {"pass_role": {"users": ["alice"], "policy_name": "bad name!"}}, "'bad name!'"),
    # conflicting options
    ("absent-with-capabilities", {"state": "absent", "capabilities": ["volumes"]}, "capabilities=['volumes']"),
    ("absent-with-tags", {"state": "absent", "tags": {"a": "b"}}, "tags={'a': 'b'}"),
]

INFO_CASES = [
    ("info-name", {"name": "bad name"}, "'bad name'"),
    ("info-unknown-option", {"capabilities": ["volumes"]}, "capabilities"),
    (
        "info-region",
        {"usage_regions": ["mars-north"]},
        "'mars-north': not a region of the aws partition. Known regions:",
    ),
    ("info-region-unknown", {"usage_regions": ["xx-nowhere-1"]}, "'xx-nowhere-1': not a region of the aws partition"),
]

# Cases that need AWS to answer: they read, and must not write.
NEEDS_AWS = ("policy-missing", "policy-wrong", "boundary-missing", "grantee-missing", "path-change", "policy-other")
WITHOUT_AWS = [c for c in CASES if not c[0].startswith(NEEDS_AWS)]
WITH_AWS = [c for c in CASES if c[0].startswith(NEEDS_AWS)]


@pytest.fixture
def calls(run_main, monkeypatch):
    """Every botocore operation the module calls, by name, in order (run_main: moto.mock_aws is active)."""
    made = []
    real = botocore.client.BaseClient._make_api_call

    def recording(client, operation, params):
        made.append(operation)
        return real(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return made


def existing_role():
    """The state the cases that need AWS meet: the role under /ecs/ with a tag, one policy, user alice."""
    iam = boto3.client("iam")
    iam.create_user(UserName="alice")
    iam.create_role(
        RoleName=ROLE,
        Path="/ecs/",
        AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}',
        Tags=[{"Key": "team", "Value": "platform"}],
    )
    return iam


def refused(result, named):
    assert result.get("failed") is True, result
    assert named in result.get("msg", ""), result.get("msg")


@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
@pytest.mark.parametrize("name,args,named", WITHOUT_AWS, ids=[c[0] for c in WITHOUT_AWS])
def test_bad_input_found_without_aws_fails_before_any_call(run_main, calls, name, args, named, check_mode):
    refused(run_main(module, args, check_mode=check_mode), named)
    assert calls == []


@pytest.mark.parametrize("name,args,named", INFO_CASES, ids=[c[0] for c in INFO_CASES])
def test_info_bad_input_fails_before_any_call(run_main, calls, name, args, named):
    refused(run_main(info_module, args), named)
    assert calls == []


def test_bad_input_that_needs_aws_reads_and_writes_nothing(run_main, calls):
    """One moto state for every case (loading IAM's managed policies is the cost), each case in check
    mode and for real; every problem is reported at once."""
    iam = existing_role()
    problems = []
    for name, args, named in WITH_AWS:
        for check_mode in (True, False):
            calls.clear()
            result = run_main(module, args, check_mode=check_mode)
            label = name + (" (check mode)" if check_mode else "")
            if result.get("failed") is not True:
                problems.append(f"{label}: did not fail: {result}")
            elif named not in result.get("msg", ""):
                problems.append(f"{label}: message does not name {named!r}: {result.get('msg')}")
            if not calls:
                problems.append(f"{label}: refused without asking AWS")
            writes = [c for c in calls if c.startswith(WRITE_PREFIXES)]
            if writes:
                problems.append(f"{label}: wrote {writes}")
    assert problems == []
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["Path"] == "/ecs/" and role["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
