# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the ``iam:PassedToService`` condition search (issue 18): one user whose policy
allows iam:PassRole under N ``StringLike`` patterns and denies it under N others.

    .venv/bin/python benchmarks/pass_role_patterns.py [--runs N]

Release 1.1.0 searched the product of every pattern's automaton: 8 patterns took about a minute
for one principal and gave up (``conditional``), 16 did not finish. The search now works one
clause at a time (``_policy_eval.witness``). For N = 8, 16 and 64 this prints, for two policies:

- ``covered``: every allowed pattern other than ``ecs.amazonaws.com`` is covered by the denied
  ones (some only by two of them together), so the right answer is ``ecs_only``: the search must
  prove that no other service principal is left;
- ``leaking``: the same, with one deny narrowed, so that ``svc<k>ab`` gets through: ``any_service``.

It prints the classification, the states the search explored (deterministic: the unit test
``tests/unit/benchmarks/test_pass_role_patterns.py`` asserts a bound on them) and the best CPU
time of ``--runs`` cold runs, and exits 1 when a classification is wrong or a run of N = 64 takes
a second of CPU time or more (CPU, not wall: the search is pure computation in one thread, and on a
loaded machine its wall time measures the other processes).
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))

from collection_link import collections_path  # noqa: E402

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"
ECS = "ecs.amazonaws.com"
SIZES = (8, 16, 64)
LIMIT_SECONDS = 1.0
EXPECTED = {"covered": "ecs_only", "leaking": "any_service"}


def patterns(count, leaking=False):
    """``(allowed, denied)``, ``count`` patterns each. Blocks of four allowed patterns, each block
    covered by four denied ones: ``*.team<i>.*`` by ``*.team<i>*``; ``*-<i>.amazonaws.c?m`` by
    ``*-<i>.*``; ``svc<i>*`` and ``svc<i>?x*`` only by ``svc<i>`` and ``svc<i>?*`` together. The
    first allowed pattern is ``ecs.amazonaws.com``. Patterns that start with ``*`` stay alive
    whatever the text, the case that made release 1.1.0's product of automata explode."""
    allowed, denied = [], []
    for i in range(0, count, 4):
        allowed += [
            f"*.team{i}.*",
            f"*-{i}.amazonaws.c?m",
            f"svc{i}*",
            f"svc{i}?x*",
        ]
        denied += [f"*.team{i}*", f"*-{i}.*", f"svc{i}", f"svc{i}?*"]
    allowed[0] = ECS
    if leaking:
        denied[-1] = denied[-1][:-1]  # svc<k>? : svc<k>ab gets through
    return allowed[:count], denied[:count]


def account(count, leaking=False):
    """GetAccountAuthorizationDetails of an account with one such user."""
    allowed, denied = patterns(count, leaking)
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": ROLE_ARN,
                "Condition": {"StringLike": {"iam:PassedToService": allowed}},
            },
            {
                "Effect": "Deny",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringLike": {"iam:PassedToService": denied}},
            },
        ],
    }
    user = {
        "UserName": "patterns",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/patterns",
        "UserPolicyList": [{"PolicyName": "many-patterns", "PolicyDocument": document}],
        "AttachedManagedPolicies": [],
        "GroupList": [],
    }
    return {"UserDetailList": [user], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}


def _modules():
    if collections_path() not in sys.path:
        sys.path.insert(0, collections_path())
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _pass_role_exposure
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _policy_eval

    return _pass_role_exposure, _policy_eval


def measure(count, leaking=False, runs=3):
    """``(classification, states explored, best CPU seconds)`` over ``runs`` cold runs."""
    _pass_role_exposure, _policy_eval = _modules()
    details = account(count, leaking)
    times = []
    classification = states = None
    for dummy in range(runs):
        _policy_eval._CACHE.clear()
        _policy_eval._ANSWERS.clear()
        _policy_eval._HITS.clear()
        _policy_eval.STATS["states"] = 0
        start = time.process_time()
        found = _pass_role_exposure.pass_role_principals(details, ROLE_ARN)
        times.append(time.process_time() - start)
        classification = found[0]["classification"] if found else None
        states = _policy_eval.STATS["states"]
    return classification, states, min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    failed = False
    for count in SIZES:
        for name, leaking in (("covered", False), ("leaking", True)):
            classification, states, best = measure(count, leaking, args.runs)
            wrong = classification != EXPECTED[name]
            slow = count == max(SIZES) and best >= LIMIT_SECONDS
            failed = failed or wrong or slow
            print(
                "{count:>3} allowed + {count:>3} denied StringLike patterns, {name:<8}: {classification:<12} "
                "(expected {expected}), {states:>6} states explored, best {best:.3f}s CPU of {runs}{flag}".format(
                    count=count,
                    name=name,
                    classification=str(classification),
                    expected=EXPECTED[name],
                    states=states,
                    best=best,
                    runs=args.runs,
                    flag=" WRONG" if wrong else " TOO SLOW" if slow else "",
                )
            )
    print(f"limit: {LIMIT_SECONDS:.1f}s of CPU time for N = {max(SIZES)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
