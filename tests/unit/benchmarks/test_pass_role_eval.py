# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""benchmarks/pass_role_eval.py's synthetic account (5,000 users, 500 roles, 200 groups and 2,000
managed policies): it has that size, exercises every kind of answer, and gives the same answer as a
small copy of it checked by hand. Its time is the benchmark's (`make bench-smoke`), not a test's."""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "..", "..", "..", "benchmarks", "pass_role_eval.py")
SPEC = importlib.util.spec_from_file_location("pass_role_eval", PATH)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def test_synthetic_account_has_the_required_size():
    details = bench.synthetic_account()
    sizes = [len(details[k]) for k in ("UserDetailList", "RoleDetailList", "GroupDetailList", "Policies")]
    assert sizes == [5000, 500, 200, 2000]


def test_evaluation_exercises_every_kind_of_answer():
    details = bench.synthetic_account()
    times, principals, findings = bench.measure(details, runs=1)
    assert len(times) == 1
    # Every kind of answer occurs: the benchmark exercises the whole evaluator, not a shortcut.
    assert {p["classification"] for p in principals} == {"any_service", "conditional", "ecs_only"}
    assert {f["code"] for f in findings} >= {"pass_role_any_service", "pass_role_administrators"}
    assert [f["code"] for f in findings].count("pass_role_administrators") == 1  # one, naming them all


def test_a_principal_of_the_synthetic_account_is_classified_as_by_hand():
    details = bench.synthetic_account(shape={"users": 30, "roles": 5, "groups": 4, "policies": 40})
    # p0 is variant 0 (PassRole on *), p10 variant 1 (the documented ECS grant), p20 variant 2 (iam:Pass*
    # on every role), p30 variant 3 (another role only).
    policies = {"p0": "any_service", "p10": "ecs_only", "p20": "any_service", "p30": None}
    user = {"UserName": "probe", "Arn": "arn:aws:iam::123456789012:user/probe", "UserPolicyList": [], "GroupList": []}
    for name, expected in policies.items():
        arn = "arn:aws:iam::123456789012:policy/" + name
        details["UserDetailList"] = [dict(user, AttachedManagedPolicies=[{"PolicyName": name, "PolicyArn": arn}])]
        details["GroupDetailList"] = details["RoleDetailList"] = []
        exposure, dummy = bench._modules()
        found = exposure.pass_role_principals(details, bench.ROLE_ARN)
        assert [p["classification"] for p in found] == ([expected] if expected else []), name
