# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs benchmarks/pass_role_patterns.py in `make test`: a principal with 8, 16 and 64 StringLike
patterns allowed and as many denied on iam:PassedToService is classified right, and the search
explores a number of states that grows linearly with the patterns. The bound is on states
explored, not on seconds: it holds whatever else runs on the machine (the script prints the time)."""

import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "..", "..", "..", "benchmarks", "pass_role_patterns.py")
SPEC = importlib.util.spec_from_file_location("pass_role_patterns", PATH)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


@pytest.mark.parametrize("count", bench.SIZES)
@pytest.mark.parametrize("name,leaking", [("covered", False), ("leaking", True)])
def test_many_patterns_are_classified_right_in_linearly_many_states(count, name, leaking, capsys):
    classification, states, best = bench.measure(count, leaking, runs=1)
    with capsys.disabled():
        print(f"\n{count} + {count} patterns, {name}: {classification}, {states} states, {best:.3f}s")
    assert classification == bench.EXPECTED[name]
    # Measured: 53 states for 8 patterns, 99 for 16, 390 for 64 (release 1.1.0: 20,000, then undecided).
    assert 0 < states <= 8 * count


def test_the_patterns_are_what_the_docstring_says():
    allowed, denied = bench.patterns(8)
    assert allowed == ["ecs.amazonaws.com", "*-0.amazonaws.c?m", "svc0*", "svc0?x*"] + [
        "*.team4.*",
        "*-4.amazonaws.c?m",
        "svc4*",
        "svc4?x*",
    ]
    assert denied[:4] == ["*.team0*", "*-0.*", "svc0", "svc0?*"]
    assert bench.patterns(8, leaking=True)[1][-1] == "svc4?"
