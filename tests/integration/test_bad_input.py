# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input through ansible-playbook: one case per refusal path, each fails, names itself, and writes nothing.

The exhaustive table (every option, both modules, check mode and for real) runs in-process against
moto.mock_aws: tests/unit/plugins/modules/test_bad_input.py. Here each distinct way a task is refused
runs once through the real executor on a moto_server: ansible-core's argument spec (a type, a choice,
an unknown option), the collection's checks that need no AWS call (a name, a null tag value, a duplicate
grantee, conflicting options, the info module's region check), and the checks that need AWS to answer
(another partition, a path change, a policy or a principal that does not exist). The ansible-test target
(tests/integration/targets/ecs_infrastructure_role/tasks/bad_input.yml) runs a few of them again as a
user's playbook would, in check mode and for real.
"""

import json

from checks import authorization_snapshot
from expected import TRUST_ECS

INFO = "ecs_tools.iam.ecs_infrastructure_role_info"
ROLE = "ecsInfrastructureRole"

# (case id, module args, text the failure message must contain): found without AWS, before any call.
WITHOUT_AWS = [
    ("argspec-type", {"max_session_duration": "an hour"}, "an hour"),
    ("argspec-choice", {"capabilities": ["ebs"]}, "express_gateway_services"),
    ("argspec-unknown-option", {"capabilites": ["volumes"]}, "capabilites"),
    ("name-chars", {"name": "ecs infra"}, "'ecs infra'"),
    ("tag-value-null", {"tags": {"owner": None, "cost_center": 12345}}, "Invalid value of tag 'owner': null"),
    (
        "tag-value-null-check-mode",
        {"tags": {"owner": None, "cost_center": 12345}, "_check": True},
        "Invalid value of tag 'owner': null",
    ),
    ("grantee-duplicate", {"pass_role": {"users": ["alice", "alice"]}}, "Duplicate pass_role.users entry 'alice'"),
    ("absent-with-capabilities", {"state": "absent", "capabilities": ["volumes"]}, "capabilities=['volumes']"),
    (
        "info-region",
        {"_module": INFO, "usage_regions": ["mars-north"]},
        "'mars-north': not a region of the aws partition. Known regions:",
    ),
    ("info-unknown-option", {"_module": INFO, "capabilities": ["volumes"]}, "capabilities"),
]

# Found once AWS answered: they read, and must not write.
NEEDS_AWS = [
    ("policy-other-partition", {"managed_policies": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]}, "aws-cn"),
    ("path-change", {"path": "/other/"}, "'/other/'"),
    ("policy-missing-name", {"managed_policies": ["NoSuchPolicy"]}, "arn:aws:iam::123456789012:policy/NoSuchPolicy"),
    (
        "policy-missing-check-mode",
        {"permissions_boundary": "arn:aws:iam::123456789012:policy/NoBoundary", "_check": True},
        "NoBoundary",
    ),
    (
        "grantee-missing",
        {"pass_role": {"users": ["alice", "ghost"], "roles": ["norole"]}},
        "user 'ghost', role 'norole'",
    ),
]


def check(cases, results):
    problems = []
    for (name, dummy, named), result in zip(cases, results, strict=True):
        if result.get("failed") is not True:
            problems.append(f"{name}: did not fail: {json.dumps(result)[:300]}")
        elif named not in result.get("msg", ""):
            problems.append(f"{name}: message does not name {named!r}: {result.get('msg')}")
    assert problems == []


def test_bad_input_found_without_aws_fails_before_any_call(runner, server):
    with server.recording() as rec:
        results = runner.run([args for dummy, args, dummy in WITHOUT_AWS])
    check(WITHOUT_AWS, results)
    assert len(rec) == 0, rec.calls
    print(f"{len(WITHOUT_AWS)} bad inputs rejected before any AWS call")


def test_bad_input_that_needs_aws_fails_with_zero_writes(runner, server, aws):
    iam = aws("iam")
    iam.create_user(UserName="alice")
    iam.create_role(
        RoleName=ROLE,
        Path="/ecs/",
        AssumeRolePolicyDocument=json.dumps(TRUST_ECS),
        Tags=[{"Key": "team", "Value": "p"}],
    )
    before = authorization_snapshot(iam)
    with server.recording() as rec:
        results = runner.run([args for dummy, args, dummy in NEEDS_AWS])
    check(NEEDS_AWS, results)
    assert rec.writes == []
    assert len(rec) > 0, "the refusals needed AWS's answer"
    print(f"{len(NEEDS_AWS)} bad inputs rejected; {len(rec)} read calls, 0 writes")
    assert authorization_snapshot(iam) == before
