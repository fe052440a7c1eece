# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's report: from the measured medians (benchmarks/results.json) to the table and goal
checks (benchmarks/results.md), the plot (docs/benchmark.png) and the page docs/benchmark.md.

docs/benchmark.md is generated: its text is benchmarks/benchmark.md.tmpl with the figures filled in
from results.json. ``make bench`` regenerates it; tests/unit/benchmarks/test_report.py fails when
the committed page or table is not what this code makes from the committed results.json.

    .venv/bin/python benchmarks/report.py [--results-json PATH] [--check]
"""

import argparse
import json
import os
import string
import sys

import plotting
import scenarios

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS_JSON = os.path.join(HERE, "results.json")
RESULTS_MD = os.path.join(HERE, "results.md")
DOC_TEMPLATE = os.path.join(HERE, "benchmark.md.tmpl")
DOC = os.path.join(REPO, "docs", "benchmark.md")
PLOT = os.path.join(REPO, "docs", "benchmark.png")

# The goals the benchmark asserts (do not relax them to make a run pass).
GOAL_MAX_CONVERGED_CALLS = 5  # per account, module, converged run, whatever N
GOAL_WALL_N = 20
GOAL_MAX_WALL_RATIO = 0.2  # module converged wall / composition converged wall at N = 20, 1 account

APPROACHES = scenarios.APPROACHES
DESCRIPTIONS = scenarios.DESCRIPTIONS


def cells(results):
    """(accounts, N, approach) -> that cell's medians."""
    return {(c["accounts"], c["users"], c["approach"]): c for c in results["cells"]}


def count(value, spread):
    text = f"{value:g}"
    if spread[0] != spread[1]:
        text += " ({0}-{1})".format(*spread)
    return text


def ratio(value, reference):
    return f"{value / reference:.2f}" if reference else "n/a"


def table(results):
    summaries = cells(results)
    header = [
        "accounts",
        "N users",
        "approach",
        "first run wall (s)",
        "first run API calls",
        "converged wall (s)",
        "converged CPU (s)",
        "converged API calls",
        "converged writes",
        "first wall / comp.",
        "first calls / comp.",
        "converged wall / comp.",
        "converged calls / comp.",
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i != 2 else "---" for i in range(len(header))) + "|",
    ]
    for n_accounts in results["accounts"]:
        for n_users in results["ns"]:
            comp = summaries[(n_accounts, n_users, "composition")]
            for approach in APPROACHES:
                s = summaries[(n_accounts, n_users, approach)]
                row = [
                    str(n_accounts),
                    str(n_users),
                    approach,
                    "{0:.2f}".format(s["first_wall"]),
                    count(s["first_calls"], s["first_calls_range"]),
                    "{0:.2f}".format(s["conv_wall"]),
                    "{0:.2f}".format(s["conv_cpu"]),
                    count(s["conv_calls"], s["conv_calls_range"]),
                    str(s["conv_writes"]),
                    ratio(s["first_wall"], comp["first_wall"]),
                    ratio(s["first_calls"], comp["first_calls"]),
                    ratio(s["conv_wall"], comp["conv_wall"]),
                    ratio(s["conv_calls"], comp["conv_calls"]),
                ]
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def worst_calls_per_account(cell):
    """A module cell's converged calls per account in its worst run: what goal 1 checks."""
    return cell["conv_calls_range"][1] / cell["accounts"]


def check_goals(results):
    """Returns (lines to print, all goals met)."""
    summaries = cells(results)
    lines = []
    met = True
    lines.append(
        "Goal 1: a converged run of the module makes no writes and at most "
        f"{GOAL_MAX_CONVERGED_CALLS} API calls per account, "
        "whatever N is."
    )
    for n_accounts in results["accounts"]:
        for n_users in results["ns"]:
            s = summaries[(n_accounts, n_users, "module")]
            per_account = worst_calls_per_account(s)
            ok = s["conv_writes"] == 0 and per_account <= GOAL_MAX_CONVERGED_CALLS
            met = met and ok
            lines.append(
                "  {0} accounts={1} N={2}: writes {3}, API calls {4} (worst of {5} runs) = {6:g} per account; "
                "calls: {7}".format(
                    "PASS" if ok else "FAIL",
                    n_accounts,
                    n_users,
                    s["conv_writes"],
                    s["conv_calls_range"][1],
                    s["runs"],
                    per_account,
                    ", ".join(f"{k} x{v}" for k, v in sorted(s["conv_actions"].items())),
                )
            )
    lines.append(
        f"Goal 2: at N = {GOAL_WALL_N}, 1 account, the module's converged wall time is at most "
        f"{GOAL_MAX_WALL_RATIO:g} of the composition's."
    )
    if (1, GOAL_WALL_N, "module") in summaries:
        module = summaries[(1, GOAL_WALL_N, "module")]
        comp = summaries[(1, GOAL_WALL_N, "composition")]
        value = module["conv_wall"] / comp["conv_wall"]
        ok = value <= GOAL_MAX_WALL_RATIO
        met = met and ok
        lines.append(
            "  {0} module {1:.2f}s / composition {2:.2f}s = {3:.3f} (limit {4:g}; medians of {5} runs)".format(
                "PASS" if ok else "FAIL",
                module["conv_wall"],
                comp["conv_wall"],
                value,
                GOAL_MAX_WALL_RATIO,
                module["runs"],
            )
        )
    else:
        met = False
        lines.append(f"  FAIL not measured (N = {GOAL_WALL_N} with 1 account is not in this run)")
    changed = [
        "{0} accounts={1} N={2}".format(c["approach"], c["accounts"], c["users"])
        for c in results["cells"]
        if c["conv_changed"]
    ]
    lines.append(
        "Converged runs reporting changes: {0}.".format(", ".join(changed) if changed else "none (all changed=0)")
    )
    return lines, met


VERSION_NAMES = ("python", "ansible-core", "amazon.aws", "boto3", "botocore", "moto")


def versions_text(versions, names=VERSION_NAMES):
    return ", ".join("{0} {1}".format("Python" if n == "python" else n, versions[n]) for n in names)


def results_markdown(results):
    """benchmarks/results.md: the whole table and the goal checks."""
    load = results["load"]
    parts = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/bench.py` on {0}: {1} repetition(s), medians; {2} CPU(s), {3}; "
        "the whole benchmark took {4:.0f} s. The 1-minute load average before each measurement was {5:.1f} "
        "(median; min {6:.1f}, max {7:.1f}).".format(
            results["generated"],
            results["repeat"],
            results["cpus"],
            versions_text(results["versions"]),
            results["elapsed"],
            load["median"],
            load["min"],
            load["max"],
        ),
        "",
        "Approaches: " + "; ".join(DESCRIPTIONS[a] for a in APPROACHES) + ".",
        "",
        "Wall times are of whole ansible-playbook processes, in seconds; CPU is the user + system time of that "
        "process and everything it ran (it varies less than wall time with the machine's load). API calls are "
        "the requests moto_server received (all accounts together), without the one `sts:AssumeRole` per "
        "account every playbook makes first; a range in brackets means the repetitions differed. Ratios are "
        "to the composition (c): below 1 is better.",
        "",
        table(results),
        "",
        "```text",
    ]
    parts.extend(check_goals(results)[0])
    parts.extend(["```", ""])
    return "\n".join(parts)


def _summary_rows(results):
    """The short table at the top of docs/benchmark.md: converged runs at a few points of the matrix."""
    summaries = cells(results)
    rows = []

    def wall(n_accounts, n_users, label, goal=False):
        key = (n_accounts, n_users)
        if (n_accounts, n_users, "module") not in summaries:
            return
        module, role, comp = (summaries[key + (a,)] for a in APPROACHES)
        value = ratio(module["conv_wall"], comp["conv_wall"])
        if goal:
            value = f"**{value}** (goal: at most {GOAL_MAX_WALL_RATIO:g})"
        rows.append(
            "| {0}: wall (s) | {1:.2f} | {2:.2f} | {3:.2f} | {4} |".format(
                label, module["conv_wall"], role["conv_wall"], comp["conv_wall"], value
            )
        )

    def calls(n_accounts, n_users, label, bold=False):
        key = (n_accounts, n_users)
        if (n_accounts, n_users, "module") not in summaries:
            return
        module, role, comp = (summaries[key + (a,)] for a in APPROACHES)
        first = "{0:g}".format(module["conv_calls"])
        rows.append(
            "| {0}: API calls (writes) | {1} ({2}) | {3:g} ({4}) | {5:g} ({6}) | {7} |".format(
                label,
                f"**{first}**" if bold else first,
                module["conv_writes"],
                role["conv_calls"],
                role["conv_writes"],
                comp["conv_calls"],
                comp["conv_writes"],
                ratio(module["conv_calls"], comp["conv_calls"]),
            )
        )

    big = max(results["accounts"])
    wall(1, 1, "1 account, N = 1")
    wall(1, GOAL_WALL_N, f"1 account, N = {GOAL_WALL_N}", goal=True)
    wall(1, max(results["ns"]), "1 account, N = {0}".format(max(results["ns"])))
    calls(1, max(results["ns"]), "1 account, N = {0}".format(max(results["ns"])), bold=True)
    if big > 1:
        wall(big, max(results["ns"]), "{0} accounts, N = {1}".format(big, max(results["ns"])))
        calls(big, max(results["ns"]), "{0} accounts, N = {1}".format(big, max(results["ns"])))
    return "\n".join(rows)


def _value_or_range(values, unit):
    """'5 calls' when every cell agrees, 'from 4 to 6 calls' when not ('1 call' for one)."""
    values = sorted(set(values))
    plural = unit if values[-1] != 1 else unit.rstrip("s")
    if len(values) == 1:
        return f"{values[0]:g} {plural}"
    return f"from {values[0]:g} to {values[-1]:g} {unit}"


def module_calls_per_account(results):
    """``worst_calls_per_account`` of every module cell."""
    return [worst_calls_per_account(c) for c in results["cells"] if c["approach"] == "module"]


def call_facts(results, unit="calls"):
    """The call counts that docs/benchmark.md explains in words, taken from the measured cells, so that its
    prose cannot keep an old run's figures. Needs what a full run has: 1 account and at least two N."""
    summaries = cells(results)
    grid = [(a, n) for a in results["accounts"] for n in results["ns"]]

    def role_extra_per_account(field):
        """What the role's runs cost beyond the module's, per account (medians)."""
        return [round((summaries[(a, n, "role")][field] - summaries[(a, n, "module")][field]) / a, 1) for a, n in grid]

    low, high = min(results["ns"]), max(results["ns"])
    comp = {n: summaries[(1, n, "composition")]["conv_calls"] for n in results["ns"]}
    per_user = (comp[high] - comp[low]) / (high - low)
    base = comp[low] - per_user * low
    exact = all(comp[n] == base + per_user * n for n in comp)
    actions = sorted(summaries[(1, high, "module")]["conv_actions"].items())
    converged_extra = role_extra_per_account("conv_calls")
    return {
        "module_calls": _value_or_range(module_calls_per_account(results), unit),
        "module_actions": ", ".join(
            "`{0}`{1}".format(name.split(":", 1)[1], f" x{n}" if n > 1 else "") for name, n in actions
        ),
        "comp_base": f"{base:g}" if exact else f"about {base:.0f}",
        "comp_per_user": f"{per_user:g}" if exact else f"about {per_user:.1f}",
        "role_first_extra": _value_or_range(role_extra_per_account("first_calls"), unit),
        "role_converged_extra": (
            "the module's calls and no more: its extra tasks cost wall time only"
            if set(converged_extra) == {0}
            else _value_or_range(converged_extra, unit) + " more"
        ),
    }


def readme_quote(results):
    """The figures README.md quotes, as it words them; tests/unit/benchmarks/test_report.py checks the quote
    against the committed run (line breaks aside)."""
    summaries = cells(results)
    high = max(results["ns"])
    module, comp = (summaries[(1, GOAL_WALL_N, a)] for a in ("module", "composition"))
    return (
        "Measured on {7}: a converged module run makes {0} per account and no write whatever N is, and at "
        "N = {1} takes {2} of the composition's wall time ({3:.2f} s against {4:.2f} s; {5} at N = {6}).".format(
            _value_or_range(module_calls_per_account(results), "API calls"),
            GOAL_WALL_N,
            ratio(module["conv_wall"], comp["conv_wall"]),
            module["conv_wall"],
            comp["conv_wall"],
            ratio(summaries[(1, high, "module")]["conv_wall"], summaries[(1, high, "composition")]["conv_wall"]),
            high,
            results["generated"].split()[0],
        )
    )


def benchmark_doc(results):
    """docs/benchmark.md: benchmarks/benchmark.md.tmpl with the figures of ``results``."""
    summaries = cells(results)
    goal_lines, met = check_goals(results)
    module_calls = set(module_calls_per_account(results))
    per_account = f"exactly {module_calls.pop():g}" if len(module_calls) == 1 else f"at most {max(module_calls):g}"
    writes = sum(summaries[(a, n, "module")]["conv_writes"] for a in results["accounts"] for n in results["ns"])
    first_ratios = [
        ratio(summaries[(1, n, "module")]["first_wall"], summaries[(1, n, "composition")]["first_wall"])
        for n in (min(results["ns"]), max(results["ns"]))
    ]
    with open(DOC_TEMPLATE) as f:
        template = string.Template(f.read())
    return template.substitute(
        repeat=results["repeat"],
        date=results["generated"].split()[0],
        cpus=results["cpus"],
        versions=versions_text(results["versions"], ("python", "ansible-core", "amazon.aws", "moto")),
        elapsed="{0:.0f}".format(results["elapsed"]),
        elapsed_minutes="{0:.0f}".format(results["elapsed"] / 60),
        goals="Both goals of the project are met" if met else "NOT every goal of the project is met",
        summary_rows=_summary_rows(results),
        converged_calls="{0} API calls per account and {1}".format(
            per_account, "no write" if writes == 0 else f"{writes} writes"
        ),
        first_ratio_low=first_ratios[0],
        first_ratio_high=first_ratios[1],
        n_low=min(results["ns"]),
        n_high=max(results["ns"]),
        load_median="{0:.1f}".format(results["load"]["median"]),
        load_max="{0:.1f}".format(results["load"]["max"]),
        **call_facts(results),
        table=table(results),
        goal_lines="\n".join(goal_lines),
    )


def plot(results, path):
    summaries = cells(results)
    ns = results["ns"]
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for approach, marker in zip(APPROACHES, ("o", "s", "^"), strict=True):
        ax.plot(ns, [summaries[(1, n, approach)]["conv_wall"] for n in ns], marker=marker, label=DESCRIPTIONS[approach])
    ax.set_xlabel("N: IAM users granted iam:PassRole")
    ax.set_ylabel("converged run wall time (s)")
    ax.set_title(
        "Converged ansible-playbook run, 1 account (moto_server, median of {0})".format(results["repeat"]), fontsize=10
    )
    ax.set_ylim(bottom=0)
    ax.set_xticks(ns)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    plotting.save(fig, path, dpi=120)


def load(path=RESULTS_JSON):
    with open(path) as f:
        return json.load(f)


def outputs(results, table_path=RESULTS_MD, doc_path=DOC):
    """path -> text of every markdown file generated from ``results``."""
    texts = {table_path: results_markdown(results)}
    if doc_path:
        texts[doc_path] = benchmark_doc(results)
    return texts


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--results-json", default=RESULTS_JSON)
    parser.add_argument("--check", action="store_true", help="only compare: exit 1 when a generated file differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in sorted(outputs(load(args.results_json)).items()):
        with open(path) as f:
            current = f.read()
        if current != text:
            stale.append(path)
            if not args.check:
                with open(path, "w") as f:
                    f.write(text)
    for path in stale:
        sys.stdout.write("{0} {1}\n".format("differs:" if args.check else "wrote", os.path.relpath(path, REPO)))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
