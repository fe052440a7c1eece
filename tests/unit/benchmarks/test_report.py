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
