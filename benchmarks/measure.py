# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's measurement: each scenario's playbook through tests/support/playbook.py (the runner
the integration tests use), API calls from moto's recorder, and the medians of each cell.

Each measurement is one ansible-playbook process: the first run (creates everything) and a
converged run (the same playbook again). Wall time is the whole process; CPU is that process and
everything it ran; API calls come from moto's recorder, without the one ``sts:AssumeRole`` per
account that every playbook makes first. What each host did (changed, failed, unreachable) is read
from the run's JSON results, not from the printed recap.
"""

import collections
import os
import statistics
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.join(REPO, "tests", "support") not in sys.path:
    sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import playbook  # noqa: E402
import scenarios  # noqa: E402

MAX_FORKS = 10

Run = collections.namedtuple("Run", "wall cpu calls writes changed actions")


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


class Bench:
    def __init__(self, server, workdir):
        self.server = server
        self.accounts = scenarios.Accounts(server)
        self.workdir = workdir
        self.env = playbook.ansible_env(server, extra={"ANSIBLE_CONFIG": playbook.write_config(workdir)})
        self.playbooks = {
            approach: playbook.write_playbook(os.path.join(workdir, approach + ".yml"), scenarios.plays(approach))
            for approach in scenarios.APPROACHES
        }

    def playbook_run(self, approach, inventory_path, hosts):
        with self.server.recording() as rec:
            done = playbook.run(
                self.playbooks[approach],
                self.env,
                cwd=self.workdir,
                results=True,
                inventory=inventory_path,
                forks=min(hosts, MAX_FORKS),
            )
        if not done.succeeded(hosts=hosts):
            raise scenarios.RunFailed(f"{approach}: {done.describe()}")
        calls = [c for c in rec.calls if tuple(c) != scenarios.PREAMBLE_CALL]
        return Run(
            wall=done.wall,
            cpu=done.cpu,
            calls=len(calls),
            writes=len([c for c in calls if c.is_write]),
            changed=done.changed,
            actions=collections.Counter(f"{c.service}:{c.action}" for c in calls),
        )

    def measure(self, approach, n_accounts, n_users):
        """Fresh server state with the users, then the first run and the converged run."""
        accounts = scenarios.account_ids(n_accounts)
        users = scenarios.user_names(n_users)
        self.server.reset()
        self.accounts.create_users(accounts, users)
        inventory_path = os.path.join(self.workdir, f"inventory-{n_accounts}-{n_users}.yml")
        with open(inventory_path, "w") as f:
            yaml.safe_dump(scenarios.inventory(accounts, users), f)
        first = self.playbook_run(approach, inventory_path, n_accounts)
        converged = self.playbook_run(approach, inventory_path, n_accounts)
        self.accounts.check_state(accounts, users)
        return first, converged


def run_matrix(bench, ns, account_counts, repeat):
    """results[(accounts, n, approach)] = list of (first, converged); approaches alternate a, b, c, a, b, c.
    One unmeasured warm-up of each approach first (caches, compiled files)."""
    for approach in scenarios.APPROACHES:
        bench.measure(approach, 1, 1)
        log(f"warm-up run of {approach} done (not measured)")
    results = collections.defaultdict(list)
    loads = []
    total = len(ns) * len(account_counts) * repeat * len(scenarios.APPROACHES)
    done = 0
    for n_accounts in account_counts:
        for n_users in ns:
            for rep in range(repeat):
                for approach in scenarios.APPROACHES:
                    loads.append(os.getloadavg()[0])
                    first, converged = bench.measure(approach, n_accounts, n_users)
                    results[(n_accounts, n_users, approach)].append((first, converged))
                    done += 1
                    log(
                        f"[{done}/{total}] accounts={n_accounts} N={n_users} rep {rep + 1}/{repeat} "
                        f"{approach:<11} first {first.wall:7.2f}s {first.calls:5d} calls | "
                        f"converged {converged.wall:7.2f}s (CPU {converged.cpu:.2f}s) "
                        f"{converged.calls:5d} calls {converged.writes} writes, changed={converged.changed}"
                    )
    return results, loads


def summarize(key, runs):
    """The medians of one (accounts, N, approach) cell, as results.json holds them."""
    firsts = [first for first, dummy in runs]
    convergeds = [converged for dummy, converged in runs]
    n_accounts, n_users, approach = key
    return {
        "accounts": n_accounts,
        "users": n_users,
        "approach": approach,
        "runs": len(runs),
        "first_wall": statistics.median(r.wall for r in firsts),
        "first_calls": statistics.median(r.calls for r in firsts),
        "first_calls_range": [min(r.calls for r in firsts), max(r.calls for r in firsts)],
        "conv_wall": statistics.median(r.wall for r in convergeds),
        "conv_cpu": statistics.median(r.cpu for r in convergeds),
        "conv_calls": statistics.median(r.calls for r in convergeds),
        "conv_calls_range": [min(r.calls for r in convergeds), max(r.calls for r in convergeds)],
        "conv_writes": max(r.writes for r in convergeds),
        "conv_changed": max(r.changed for r in convergeds),
        "conv_actions": dict(sorted(convergeds[-1].actions.items())),
    }
