# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, exhaustively: every invalid value fails, names itself, and writes nothing.

All cases run as tasks of one ansible-playbook run (each with ignore_errors) inside one moto
recording, against a state where the role and one principal already exist, so the cases that
need AWS to answer (missing policy or principal, a path change) are covered too.
"""

import json

INFO = "ecs_tools.iam.ecs_infrastructure_role_info"

# (case id, module args, text the failure message must contain). Ansible's own type checks
# name the option rather than the value; every other message names the value.
CASES = [
    # types
    ("duration-not-int", {"max_session_duration": "an hour"}, "an hour"),
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


def check(cases, results):
    problems = []
    for (name, dummy, named), result in zip(cases, results, strict=True):
        if result.get("failed") is not True:
            problems.append(f"{name}: did not fail: {json.dumps(result)[:300]}")
        elif named not in result.get("msg", ""):
            problems.append("{0}: message does not name {1!r}: {2}".format(name, named, result.get("msg")))
    assert problems == []


def test_bad_input_found_without_aws_fails_before_any_call(runner, server):
    cases = [c for c in CASES if not c[0].startswith(NEEDS_AWS)]
    cases += [(name, dict(args, _module=INFO), named) for name, args, named in INFO_CASES]
    with server.recording() as rec:
        results = runner.run([args for dummy, args, dummy in cases])
    check(cases, results)
    assert len(rec) == 0
    print(f"{len(cases)} bad inputs rejected before any AWS call")


def test_bad_input_that_needs_aws_fails_with_zero_writes(runner, server, aws):
    iam = aws("iam")
    iam.create_user(UserName="alice")
    created = runner.one(
        path="/ecs/", capabilities=["volumes"], tags={"team": "platform"}, pass_role={"users": ["alice"]}
    )
    assert created["changed"] is True and not created.get("failed"), created.get("msg")
    cases = [c for c in CASES if c[0].startswith(NEEDS_AWS)]
    with server.recording() as rec:
        results = runner.run([args for dummy, args, dummy in cases])
    check(cases, results)
    assert rec.writes == []
    print(f"{len(cases)} bad inputs rejected; {len(rec)} read calls, 0 writes")
    role = iam.get_role(RoleName="ecsInfrastructureRole")["Role"]
    assert role["Path"] == "/ecs/" and {t["Key"]: t["Value"] for t in role["Tags"]} == {"team": "platform"}
