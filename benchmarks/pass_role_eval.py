# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the pure "who can pass the role" evaluation (issue 11) on a synthetic account:
5,000 users, 500 roles, 200 groups, 2,000 customer managed policies, shaped as
GetAccountAuthorizationDetails returns them (documents already decoded, as boto3 gives them).

    .venv/bin/python benchmarks/pass_role_eval.py [--runs N]

Prints the time of the evaluation alone (no AWS call), cold: the evaluator's caches are cleared
before every run. ``make bench-smoke`` (in ``make test``) runs it and exits 1 unless the best run
takes under one second of CPU time (the median is printed too, and the wall times). The gate is on
the process's CPU time, not the wall clock: the evaluation is pure computation in one thread, and on a
loaded machine its wall time measures the other processes.
"""

import argparse
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))

from collection_link import collections_path  # noqa: E402

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"
ECS = "ecs.amazonaws.com"
SHAPE = {"users": 5000, "roles": 500, "groups": 200, "policies": 2000}
LIMIT_SECONDS = 1.0


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action, resource="*", **kw):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **kw)


SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "logs", "lambda", "kms", "ecr", "cloudwatch"]


def _ordinary(rng, i):
    """A policy that has nothing to do with PassRole (most of a real account)."""
    service = SERVICES[i % len(SERVICES)]
    statements = [
        _allow([f"{service}:Get*", f"{service}:List*", f"{service}:Describe*"]),
        _allow(
            [f"{service}:Put*", f"{service}:Create*"],
            f"arn:aws:{service}:*:{ACCOUNT}:resource-{i}/*",
            Condition={"StringEquals": {"aws:RequestedRegion": rng.choice(["eu-west-1", "us-east-1"])}},
        ),
    ]
    if i % 7 == 0:
        statements.append({"Effect": "Deny", "Action": f"{service}:Delete*", "Resource": "*"})
    return _doc(*statements)


def _pass_role_variant(rng, i):
    """The shapes of PassRole grants found in real accounts."""
    kind = i % 9
    if kind == 0:
        return _doc(_allow("iam:PassRole"))
    if kind == 1:
        return _doc(_allow("iam:PassRole", ROLE_ARN, Condition={"StringEquals": {"iam:PassedToService": ECS}}))
    if kind == 2:
        return _doc(_allow("iam:Pass*", f"arn:aws:iam::{ACCOUNT}:role/*"))
    if kind == 3:
        return _doc(_allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-{i}-*"))
    if kind == 4:
        return _doc(
            _allow("iam:PassRole", Condition={"StringLike": {"iam:PassedToService": ["ecs*.amazonaws.com", "ec2.*"]}})
        )
    if kind == 5:
        return _doc(_allow("iam:*"), {"Effect": "Deny", "Action": "iam:PassRole", "Resource": ROLE_ARN})
    if kind == 6:
        return _doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
            _allow("iam:Get*"),
        )
    if kind == 7:
        return _doc(
            _allow(
                "iam:PassRole",
                ROLE_ARN,
                Condition={
                    "StringEquals": {"iam:PassedToService": ECS},
                    "StringLike": {"aws:PrincipalTag/team": f"platform-{i}"},
                },
            )
        )
    return _doc(_allow("*"))


def synthetic_account(seed=11, shape=None):
    shape = dict(SHAPE, **(shape or {}))
    rng = random.Random(seed)
    policies = []
    for i in range(shape["policies"]):
        document = _pass_role_variant(rng, i) if i % 10 == 0 else _ordinary(rng, i)
        policies.append(
            {
                "Arn": f"arn:aws:iam::{ACCOUNT}:policy/p{i}",
                "DefaultVersionId": "v2",
                "PolicyVersionList": [
                    {"VersionId": "v1", "IsDefaultVersion": False, "Document": _doc(_allow("*"))},
                    {"VersionId": "v2", "IsDefaultVersion": True, "Document": document},
                ],
            }
        )
    arns = [p["Arn"] for p in policies]

    def attached(count):
        return [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in rng.sample(arns, count)]

    def inline(i, count):
        found = []
        for j in range(count):
            document = _pass_role_variant(rng, i + j) if (i + j) % 25 == 0 else _ordinary(rng, i + j)
            found.append({"PolicyName": f"inline-{i}-{j}", "PolicyDocument": document})
        return found

    def boundary(i):
        if i % 10:
            return {}
        return {"PermissionsBoundary": {"PermissionsBoundaryArn": rng.choice(arns)}}

    groups = [
        {
            "GroupName": f"g{i}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/g{i}",
            "GroupPolicyList": inline(i, 1),
            "AttachedManagedPolicies": attached(rng.randint(0, 3)),
        }
        for i in range(shape["groups"])
    ]
    users = [
        dict(
            {
                "UserName": f"u{i}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/u{i}",
                "UserPolicyList": inline(i, rng.randint(0, 2)),
                "AttachedManagedPolicies": attached(rng.randint(0, 3)),
                "GroupList": ["g{0}".format(rng.randrange(shape["groups"])) for dummy in range(rng.randint(1, 3))],
            },
            **boundary(i),
        )
        for i in range(shape["users"])
    ]
    roles = [
        dict(
            {
                "RoleName": f"r{i}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/r{i}",
                "RolePolicyList": inline(i, 1),
                "AttachedManagedPolicies": attached(rng.randint(1, 3)),
            },
            **boundary(i),
        )
        for i in range(shape["roles"])
    ]
    return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}


def _modules():
    if collections_path() not in sys.path:
        sys.path.insert(0, collections_path())
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _pass_role_exposure
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _policy_eval

    return _pass_role_exposure, _policy_eval


def measure(details, runs=5):
    """CPU seconds per cold run (list), and the last run's principals and findings; ``measure.wall``
    holds the wall seconds of the same runs."""
    _pass_role_exposure, _policy_eval = _modules()
    times, measure.wall = [], []
    principals = findings = None
    for dummy in range(runs):
        _policy_eval._CACHE.clear()
        _policy_eval._ANSWERS.clear()
        _policy_eval._HITS.clear()
        start, wall = time.process_time(), time.perf_counter()
        principals = _pass_role_exposure.pass_role_principals(details, ROLE_ARN)
        findings = _pass_role_exposure.exposure_findings(principals, "ecsInfrastructureRole")
        times.append(time.process_time() - start)
        measure.wall.append(time.perf_counter() - wall)
    return times, principals, findings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    details = synthetic_account()
    times, principals, findings = measure(details, args.runs)
    counts = {}
    for principal in principals:
        counts[principal["classification"]] = counts.get(principal["classification"], 0) + 1
    print(
        "pass_role_principals on {users} users, {roles} roles, {groups} groups, {policies} managed policies: "
        "CPU median {median:.3f}s, best {best:.3f}s, worst {worst:.3f}s over {runs} cold runs (limit {limit:.1f}s; "
        "wall best {wall:.3f}s); "
        "{listed} principals listed {counts}, {findings} findings".format(
            median=statistics.median(times),
            best=min(times),
            worst=max(times),
            runs=len(times),
            limit=LIMIT_SECONDS,
            wall=min(measure.wall),
            listed=len(principals),
            counts=dict(sorted(counts.items())),
            findings=len(findings),
            **SHAPE,
        )
    )
    return 0 if min(times) < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
