# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make coverage``: line and branch coverage of the collection's plugins over the test layers.

Each layer of ``make test`` leaves its data under .build/coverage/<layer>/ (``units``, ``integration``,
``targets``, ``molecule``; configuration in pyproject.toml, [tool.coverage]). This script

- combines each layer's data files into .build/coverage/<layer>.coverage (the [paths] of pyproject.toml
  map every copy of the collection, AnsiballZ payloads included, back to this checkout) and prints
  that layer's figures, so one sees what each layer covers;
- combines the layers into .build/coverage/.coverage, counting every Python file of plugins/ and
  extensions/eda/plugins/ (a file no test imports counts with 0 %), prints the per-file table, writes
  .build/coverage/html/index.html and .build/coverage/coverage.json, and prints as its last line
  ``coverage of plugins/: lines L% (covered/statements), branches B% (covered/branches)``;
- fails (exit 1) when lines or branches fall below the floor in tests/coverage-floor.json.
  ``--update-floor`` writes the measured figures, rounded down to one decimal, as the new floor.

The source data is kept, so the report can be made again.
"""

import argparse
import glob
import io
import json
import math
import os
import sys

import coverage

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CONFIG = os.path.join(REPO, "pyproject.toml")
DATA = os.path.join(REPO, ".build", "coverage")
FLOOR = os.path.join(REPO, "tests", "coverage-floor.json")
LAYERS = ("units", "integration", "targets", "molecule")
MEASURED = ("plugins", os.path.join("extensions", "eda", "plugins"))


def plugin_files():
    """Every Python file the figures count, as absolute paths in this checkout."""
    found = []
    for top in MEASURED:
        found += glob.glob(os.path.join(REPO, top, "**", "*.py"), recursive=True)
    return sorted(found)


def data_files(directory):
    """The data files one layer's processes wrote (a process killed while saving leaves an empty one)."""
    names = glob.glob(os.path.join(directory, ".coverage*"))
    return sorted(name for name in names if not name.endswith("-journal") and os.path.getsize(name) > 0)


def combine(sources, target):
    """Combines ``sources`` (data files) into ``target``, adds the files no process imported, and returns
    the Coverage object for reporting. The sources stay."""
    if os.path.exists(target):
        os.remove(target)
    cov = coverage.Coverage(data_file=target, config_file=CONFIG)
    cov.combine(data_paths=sources, keep=True)
    data = cov.get_data()
    data.touch_files(plugin_files())
    cov.save()
    return cov


def totals(cov):
    """(covered lines, statements, covered branches, branches) over the measured files."""
    out = os.path.join(DATA, ".totals.json")
    cov.json_report(outfile=out)
    with open(out) as f:
        summary = json.load(f)["totals"]
    os.remove(out)
    return summary["covered_lines"], summary["num_statements"], summary["covered_branches"], summary["num_branches"]


def percent(part, whole):
    return 100.0 * part / whole if whole else 100.0


def describe(figures):
    lines, statements, branches, arcs = figures
    return (
        f"lines {percent(lines, statements):.1f}% ({lines}/{statements}), "
        f"branches {percent(branches, arcs):.1f}% ({branches}/{arcs})"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--update-floor", action="store_true", help="write the measured figures as the floor")
    args = parser.parse_args(argv)
    os.chdir(REPO)  # the relative paths of [tool.coverage] are this checkout's

    found = os.listdir(DATA) if os.path.isdir(DATA) else []
    layers = [name for name in found if os.path.isdir(os.path.join(DATA, name))]
    layers = [name for name in LAYERS if name in layers] + sorted(set(layers) - set(LAYERS) - {"html"})
    combined = []
    for layer in layers:
        sources = data_files(os.path.join(DATA, layer))
        if not sources:
            continue
        target = os.path.join(DATA, f"{layer}.coverage")
        figures = totals(combine(sources, target))
        print(f"coverage of plugins/ by {layer} alone ({len(sources)} data files): {describe(figures)}")
        combined.append(target)
    if not combined:
        sys.stderr.write(f"make coverage: no coverage data under {DATA}: run the test layers first (make test)\n")
        return 2
    missing = [layer for layer in LAYERS if os.path.join(DATA, f"{layer}.coverage") not in combined]
    if missing:
        print(f"make coverage: no data from {', '.join(missing)}: the figures below leave that layer out")

    cov = combine(combined, os.path.join(DATA, ".coverage"))
    table = io.StringIO()
    cov.report(file=table)
    print(table.getvalue().rstrip())
    cov.html_report()
    cov.json_report()
    figures = totals(cov)
    lines = percent(figures[0], figures[1])
    branches = percent(figures[2], figures[3])
    print(f"report: {os.path.relpath(os.path.join(DATA, 'html', 'index.html'))}, {os.path.relpath(DATA)}/coverage.json")
    print(f"coverage of plugins/: {describe(figures)}")

    if args.update_floor:
        floor = {"lines": math.floor(lines * 10) / 10, "branches": math.floor(branches * 10) / 10}
        with open(FLOOR, "w") as f:
            json.dump(floor, f, indent=2)
            f.write("\n")
        print(f"make coverage: floor written to {os.path.relpath(FLOOR)}: {floor}")
        return 0
    with open(FLOOR) as f:
        floor = json.load(f)
    below = [
        f"{name} {value:.2f}% < {floor[name]}%"
        for name, value in (("lines", lines), ("branches", branches))
        if value < floor[name]
    ]
    if below:
        sys.stderr.write(
            f"make coverage: coverage of plugins/ fell below the floor in {os.path.relpath(FLOOR)}: "
            f"{', '.join(below)}. Cover the new or changed code with tests (the per-file table above, "
            f"and {os.path.relpath(DATA)}/html/index.html, show which lines and branches no test runs).\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
