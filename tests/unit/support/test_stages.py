# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stage runner of ``make test`` (tests/support/stages.py), on a small Makefile of its own run by the
real make: stages that fit the slots run side by side, a heavier one runs alone, each stage's output is
one block, the table names every stage, and one failed stage fails the run without stopping the others."""

import os
import shutil
import subprocess
import sys

import pytest

STAGES = os.path.join(os.path.dirname(__file__), "..", "..", "support", "stages.py")
sys.path.insert(0, os.path.dirname(STAGES))

import stages  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

# Each stage marks its start and end with files in the Makefile's directory. `a` and `b` wait (up to a
# minute: a loaded machine is slow, never this slow) for each other to have started: they pass only
# when they run at the same time. `solo` fails if any other stage is running while it starts or ends.
MAKEFILE = """\
SHELL := /bin/bash
wait_for = for i in $$(seq 600); do [ -e $(1) ] && break; sleep 0.1; done; [ -e $(1) ]
a:
\t@touch a.started; echo "a out 1"
\t@$(call wait_for,b.started)
\t@echo "a out 2"; touch a.done
b:
\t@touch b.started; echo "b out 1"
\t@$(call wait_for,a.started)
\t@echo "b out 2"; touch b.done
solo:
\t@for s in a b fail; do [ ! -e $$s.started ] || [ -e $$s.done ]; done
\t@touch solo.started; sleep 0.5; echo "solo out"
\t@for s in a b fail; do [ ! -e $$s.started ] || [ -e $$s.done ]; done; touch solo.done
fail:
\t@touch fail.started; echo "fail out"; touch fail.done; exit 3
niceness:
\t@nice > niceness.txt
"""


def run(tmp_path, *args):
    (tmp_path / "Makefile").write_text(MAKEFILE)
    proc = subprocess.run(
        [sys.executable, os.path.abspath(STAGES), "--log-dir", str(tmp_path / "logs"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return proc


def test_stages_that_fit_run_side_by_side_and_a_heavy_one_alone(tmp_path):
    proc = run(tmp_path, "--slots", "2", "a", "b", "solo=2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    # Each stage's output is one block under its header, never interleaved with another stage's.
    for name in ("a", "b"):
        block = out.split(f"===== {name}: passed in ")[1].split("=====", 2)[1]
        assert f"{name} out 1\n{name} out 2\n" in block
    assert "===== solo: passed in " in out
    # The table: one row per stage in the order given, then the total.
    rows = [line.split()[:2] for line in out.split("\n\n")[-1].splitlines()]
    assert rows[0] == ["stage", "status"]
    assert rows[1:4] == [["a", "passed"], ["b", "passed"], ["solo", "passed"]]
    assert rows[4][0] == "total"
    assert (tmp_path / "logs" / "solo.log").read_text() == "solo out\n"


def test_one_slot_runs_the_stages_one_after_the_other(tmp_path):
    proc = run(tmp_path, "--slots", "1", "fail", "solo")
    assert proc.returncode == 1
    assert "===== fail: FAILED (2) in " in proc.stdout  # make's exit status for a failed recipe
    assert "fail out" in proc.stdout
    # The failure did not stop the next stage, which ran alone after it.
    assert "===== solo: passed in " in proc.stdout
    assert proc.stdout.index("===== fail:") < proc.stdout.index("started solo")
    assert "[stages] failed: fail " in proc.stdout


def test_a_lighter_stage_starts_while_a_heavier_one_waits(tmp_path):
    # `a` and `b` wait for each other: `b` can start beside `a` only if it may pass `solo`, which needs
    # both slots and so waits for `a` (otherwise `a` would wait a minute for `b` and fail).
    proc = run(tmp_path, "--slots", "2", "a", "solo=2", "b")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.index("started b") < out.index("started solo")
    rows = [line.split()[:2] for line in out.split("\n\n")[-1].splitlines()]
    assert rows[1:4] == [["a", "passed"], ["solo", "passed"], ["b", "passed"]]  # the table keeps the order given


def test_an_idle_stage_takes_no_slot_and_runs_at_the_lowest_priority(tmp_path):
    # One slot: `b` can run beside `a` only because `a` takes none (each waits for the other to start).
    proc = run(tmp_path, "--slots", "1", "a=idle", "b", "niceness=idle")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "started a (idle priority)" in proc.stdout
    assert (tmp_path / "niceness.txt").read_text().strip() == "19"
    assert "started b\n" in proc.stdout  # a stage that takes a slot keeps the normal priority


@pytest.mark.parametrize("spec", ["b=0", "b=-1", "b=fast"])
def test_a_bad_weight_is_refused_before_anything_runs(tmp_path, spec):
    proc = run(tmp_path, "a", spec)
    assert proc.returncode == 2
    assert f"bad stage {spec!r}: expected NAME, NAME=WEIGHT with WEIGHT > 0, or NAME=idle" in proc.stderr
    assert not (tmp_path / "a.started").exists()


def test_durations_are_rounded_to_the_second_before_minutes_are_taken():
    # A2 of 2026-12-05 printed "25:60" and "1:60": seconds were rounded after the minutes were taken.
    assert [stages.minutes(s) for s in (119.6, 1559.5, 59.4, 0, 3600.2)] == ["2:00", "26:00", "0:59", "0:00", "60:00"]
    assert stages.minutes(None) == "-"
