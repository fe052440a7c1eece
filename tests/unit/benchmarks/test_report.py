# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/benchmark.md and benchmarks/results.md are what benchmarks/report.py makes from the committed
benchmarks/results.json, so neither can drift from the measurement again."""

import copy
import os
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "benchmarks"))

import report  # noqa: E402


@pytest.fixture(scope="module")
def results():
    return report.load()


@pytest.mark.parametrize("path", [report.RESULTS_MD, report.DOC], ids=["results.md", "docs/benchmark.md"])
def test_committed_file_is_what_the_report_generates(results, path):
    with open(path) as f:
        committed = f.read()
    assert committed == report.outputs(results)[path], (
        f"{path} is not what benchmarks/report.py makes from benchmarks/results.json: run "
        "`.venv/bin/python benchmarks/report.py` (or `make bench`) instead of editing it"
    )


def test_the_page_follows_the_results(results):
    """A figure changed in results.json changes the page: nothing in it is copied by hand."""
    changed = copy.deepcopy(results)
    for cell in changed["cells"]:
        if (cell["accounts"], cell["users"], cell["approach"]) == (1, report.GOAL_WALL_N, "module"):
            cell["conv_wall"] = 9.87
    page = report.benchmark_doc(changed)
    assert "| 1 account, N = 20: wall (s) | 9.87 |" in page
    assert "NOT every goal of the project is met" in page
    assert "FAIL module 9.87s" in page


def test_the_committed_results_meet_the_goals(results):
    lines, met = report.check_goals(results)
    assert met, "\n".join(lines)


def _set(results, approach, field, value_of):
    """Sets ``field`` of every cell of ``approach`` to ``value_of(cell)``."""
    for cell in results["cells"]:
        if cell["approach"] == approach:
            cell[field] = value_of(cell)


def test_the_prose_takes_its_call_counts_from_the_results(results):
    """The "Reading it" figures (what a converged run calls, the composition's per-user cost, the role's
    extra calls) come from the cells: an old run's figures cannot stay in the words."""
    changed = copy.deepcopy(results)
    _set(changed, "composition", "conv_calls", lambda cell: 30 + 7 * cell["users"])
    _set(changed, "module", "conv_calls_range", lambda cell: [4 * cell["accounts"]] * 2)
    _set(changed, "module", "conv_calls", lambda cell: 4 * cell["accounts"])
    _set(changed, "role", "conv_calls", lambda cell: 4 * cell["accounts"])
    for cell in changed["cells"]:
        if cell["approach"] == "role":
            module = report.cells(changed)[(cell["accounts"], cell["users"], "module")]
            cell["first_calls"] = module["first_calls"] + 13 * cell["accounts"]
    _set(changed, "module", "conv_actions", lambda cell: {"iam:GetRole": 1, "iam:ListAttachedRolePolicies": 3})
    page = " ".join(report.benchmark_doc(changed).split())
    assert "reads the role and the policies (30 calls) and then every user (7 calls per user)" in page
    assert "costs the same whatever N is**: 4 calls per account (`GetRole`, `ListAttachedRolePolicies` x3;" in page
    assert "its first run makes 13 calls more per account than the module's" in page
    assert "its converged run the module's calls and no more" in page
    assert "a converged module run makes 4 API calls per account" in report.readme_quote(changed)


def test_figures_that_differ_between_cells_are_a_range_not_one_number(results):
    changed = copy.deepcopy(results)
    _set(changed, "composition", "conv_calls", lambda cell: 20 + cell["users"] ** 2)
    _set(changed, "role", "conv_calls", lambda cell: (5 + cell["users"] % 3) * cell["accounts"])
    _set(changed, "module", "conv_calls", lambda cell: 5 * cell["accounts"])
    _set(
        changed,
        "module",
        "conv_calls_range",
        lambda cell: [5 * cell["accounts"], (4 + cell["users"] % 3) * cell["accounts"]],
    )
    facts = report.call_facts(changed)
    assert facts["comp_base"].startswith("about ") and facts["comp_per_user"].startswith("about ")
    assert facts["role_converged_extra"] == "from 1 to 2 calls more"  # N in (1, 10, 20, 100)
    assert facts["module_calls"] == "from 5 to 6 calls"  # the worst run of each cell, as goal 1 counts


def test_one_call_is_singular():
    assert report._value_or_range([1.0, 1.0], "API calls") == "1 API call"
    assert report._value_or_range([0, 2], "calls") == "from 0 to 2 calls"


def test_the_readme_quotes_the_committed_run(results):
    with open(os.path.join(REPO, "README.md")) as f:
        readme = " ".join(f.read().split())
    quote = report.readme_quote(results)
    assert quote in readme, f"README.md's benchmark line is not the committed run's; it should say: {quote}"
