# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way the tests, the benchmarks and the demo run ``ansible-playbook`` against moto.

- ``ansible_env(server, region, extra)``: the environment of every run: the moto endpoint and dummy
  credentials (when a server is given), ``ANSIBLE_COLLECTIONS_PATH`` pointing at this checkout
  (``collection_link``), this interpreter for modules, no colour, no localhost/inventory warnings
  (``ansible_settings()``: the same without this process's environment, for ansible-runner).
- ``start(playbook, env, ...)`` starts the process (in its own session, so a test can kill it);
  ``run(playbook, env, ...)`` waits for it and returns a ``PlaybookRun``: return code, output, wall
  time, CPU time of the process and its children, and, with ``results=True``, what it did, read
  from the ``ansible.posix.json`` stdout callback: per host the recap counters (``stats``) and per
  task each host's result (``task_results``). Nothing parses the human-readable recap.
- The AWX test runs its jobs with ansible-runner (the engine AWX uses), deliberately not through
  this module, but with the same ``ansible_settings()`` and collection link.
- ``TaskRunner``: module tasks in one play, each registered; the list of registered results is
  written to a JSON file by a last task (what the integration tests' ``runner`` fixture uses).
"""

import json
import os
import resource
import subprocess
import sys
import time

import yaml
from collection_link import collections_path

BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, "ansible-playbook")
MODULE = "ecs_tools.iam.ecs_infrastructure_role"
JSON_CALLBACK = "ansible.posix.json"


def ansible_settings(server=None, region="us-east-1", collections=None):
    """The variables every run adds to its environment: the moto endpoint and dummy credentials (when
    a server is given) and Ansible's settings. ``collections``: another ANSIBLE_COLLECTIONS_PATH (an
    installed tarball) instead of this checkout. The AWX test writes these to env/envvars."""
    settings = dict(server.env(region)) if server is not None else {}
    settings.update(
        ANSIBLE_COLLECTIONS_PATH=collections or collections_path(),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
    )
    settings.update(coverage_settings(settings["ANSIBLE_COLLECTIONS_PATH"]))
    return settings


def coverage_settings(collections):
    """When ``make`` measures coverage (``ECS_TOOLS_COVERAGE``: the directory of this layer's data), the
    module processes of a run record what they execute of the collection (AnsiballZ's coverage
    extension, configured by pyproject.toml). With ``ECS_TOOLS_COVERAGE_CONTROLLER`` set as well (the
    ``controller_coverage`` mark of the inventory plugin's own tests), every Python process does:
    ansible-playbook and ansible-inventory, their forked workers and the modules (coverage's ``.pth``
    hook reads COVERAGE_PROCESS_START). Tracing the controller costs about as much CPU as tracing the
    modules, and the units cover the filters and the lookup whole, so only those tests pay for it.
    Nothing is measured otherwise, nor when the run uses another copy of the collection than this
    checkout (``collections``, its ANSIBLE_COLLECTIONS_PATH): an older release (test_upgrade.py) would
    count its lines against today's files."""
    directory = os.environ.get("ECS_TOOLS_COVERAGE")
    if not directory or collections != collections_path():
        return {}
    directory = os.path.abspath(directory)
    os.makedirs(directory, exist_ok=True)  # coverage does not create it
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    config = os.path.join(repo, "pyproject.toml")
    if not os.environ.get("ECS_TOOLS_COVERAGE_CONTROLLER"):
        # ansible-core's own switch for the extension (what ansible-test uses); it writes
        # <output>=python-X.Y=coverage.<host>.<pid>... files, which tests/support/coverage_report.py reads.
        output = os.path.join(directory, ".coverage.module")
        return {"_ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG": json.dumps({"config": config, "output": output})}
    return {
        "COVERAGE_PROCESS_START": config,
        "COVERAGE_FILE": os.path.join(directory, ".coverage"),
        # A worker saves its data after its task; without this, ansible-playbook terminates the
        # workers still alive at its end at once, mid-save (ansible-test sets the same for coverage).
        "ANSIBLE_WORKER_SHUTDOWN_POLL_COUNT": "100",
    }


def ansible_env(server=None, region="us-east-1", extra=None, collections=None):
    """Environment for ansible-playbook (and ansible-inventory, ansible-doc): this process's, plus
    ``ansible_settings()``, plus ``extra``."""
    env = dict(os.environ)
    env.update(ansible_settings(server, region, collections))
    env.update(extra or {})
    if env["ANSIBLE_COLLECTIONS_PATH"] != collections_path():  # another copy, set by ``extra``
        for name in coverage_settings(collections_path()):
            env.pop(name, None)
    return env


def write_config(directory):
    """An ansible.cfg with defaults only, so ~/.ansible.cfg or /etc/ansible does not change a measurement."""
    path = os.path.join(str(directory), "ansible.cfg")
    with open(path, "w") as f:
        f.write("# isolates the run from ~/.ansible.cfg and /etc/ansible/ansible.cfg\n[defaults]\n")
    return path


def write_playbook(path, plays):
    with open(str(path), "w") as f:
        yaml.safe_dump(plays, f, sort_keys=False)
    return str(path)


def command(playbook, inventory=("localhost,",), forks=None, extra_vars=None, args=()):
    argv = [ANSIBLE_PLAYBOOK]
    for source in [inventory] if isinstance(inventory, str) else inventory:
        argv += ["-i", str(source)]
    if forks is not None:
        argv += ["-f", str(forks)]
    argv.append(str(playbook))
    if extra_vars is not None:
        argv += ["-e", extra_vars if isinstance(extra_vars, str) else json.dumps(extra_vars)]
    return argv + list(args)


def start(playbook, env, cwd=None, results=False, **options):
    """Starts ansible-playbook without waiting; stdout and stderr are separate pipes (with
    ``results=True`` stdout is the JSON document the callback prints at the end)."""
    if results:
        env = dict(env, ANSIBLE_STDOUT_CALLBACK=JSON_CALLBACK)
    return subprocess.Popen(
        command(playbook, **options),
        env=env,
        cwd=None if cwd is None else str(cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


class PlaybookRun:
    """One finished ansible-playbook process."""

    def __init__(self, returncode, stdout, stderr, wall, cpu, document=None):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.wall = wall
        self.cpu = cpu
        self.document = document  # the ansible.posix.json document, with results=True

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def stats(self):
        """host -> recap counters (ok, changed, failures, unreachable, skipped, rescued, ignored)."""
        return (self.document or {}).get("stats", {})

    @property
    def tasks(self):
        """Every task of every play, as the callback gives them: {"task": {...}, "hosts": {host: result}}."""
        return [task for play in (self.document or {}).get("plays", []) for task in play["tasks"]]

    def task_results(self, host="localhost"):
        """Task name -> ``host``'s result, for the tasks that ran on it."""
        return {task["task"]["name"]: task["hosts"][host] for task in self.tasks if host in task["hosts"]}

    @property
    def changed(self):
        return sum(counters["changed"] for counters in self.stats.values())

    def succeeded(self, hosts=None):
        """Exit code 0, ``hosts`` hosts in the recap (when given), none failed or unreachable."""
        if self.returncode != 0 or (hosts is not None and len(self.stats) != hosts):
            return False
        return not any(counters["failures"] or counters["unreachable"] for counters in self.stats.values())

    def describe(self, limit=6000):
        return f"ansible-playbook exited {self.returncode}:\n{self.stdout[-limit:]}\n{self.stderr[-limit // 2 :]}"


def run(playbook, env, cwd=None, results=False, timeout=None, **options):
    """Runs ansible-playbook to the end. ``options``: ``inventory`` (a source or a list of them),
    ``forks``, ``extra_vars`` (a dict or a string), ``args``. Never raises on a failed playbook:
    the caller decides (see ``PlaybookRun.succeeded``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    proc = start(playbook, env, cwd=cwd, results=results, **options)
    stdout, stderr = proc.communicate(timeout=timeout)
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    document = None
    if results:
        try:
            document = json.loads(stdout)
        except ValueError:
            document = None
    return PlaybookRun(proc.returncode, stdout, stderr, wall, cpu, document)


def play(tasks, name=None, variables=None):
    """One play on localhost over a local connection."""
    entry = {"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}
    if name:
        entry = dict({"name": name}, **entry)
    if variables:
        entry["vars"] = variables
    return entry


class TaskRunner:
    """Runs module tasks in one ansible-playbook process and returns each task's registered result."""

    def __init__(self, server, tmp_path, module=MODULE):
        self.server = server
        self.tmp_path = tmp_path
        self.module = module
        self.count = 0

    def env(self, region="us-east-1", extra=None):
        return ansible_env(self.server, region, extra)

    def _playbook(self, tasks):
        self.count += 1
        out = self.tmp_path / f"results-{self.count}.json"
        play_tasks = []
        names = []
        for i, task in enumerate(tasks):
            args = dict(task)
            module = args.pop("_module", self.module)
            entry = {
                "name": f"step {i}",
                module: args,
                "register": f"r{i}",
                "ignore_errors": True,
                "check_mode": bool(args.pop("_check", False)),
                "diff": bool(args.pop("_diff", False)),
            }
            play_tasks.append(entry)
            names.append(f"r{i}")
        results = "{{ [" + ", ".join(names) + "] | to_json }}"
        play_tasks.append({"name": "save results", "ansible.builtin.copy": {"content": results, "dest": str(out)}})
        playbook = write_playbook(self.tmp_path / f"play-{self.count}.yml", [play(play_tasks)])
        return playbook, out

    def start(self, tasks, region="us-east-1", extra_env=None):
        """Start ansible-playbook without waiting (in its own process group, so a test can kill it).
        Returns the process and the path its results will be saved to."""
        playbook, out = self._playbook(tasks)
        return start(playbook, self.env(region, extra_env)), out

    def run(self, tasks, region="us-east-1", extra_env=None):
        """``tasks``: dicts of module args, with optional keys ``_check``, ``_diff``, ``_module``.
        Returns the list of results; a failed task's result has ``failed: true`` and ``msg``."""
        proc, out = self.start(tasks, region, extra_env)
        stdout, stderr = proc.communicate()
        if not out.exists():
            raise AssertionError("ansible-playbook failed before saving results:\n" + stdout + stderr)
        return json.loads(out.read_text())

    def one(self, region="us-east-1", **args):
        return self.run([args], region=region)[0]

    def four_steps(self, args, region="us-east-1"):
        """check mode, apply, check mode again, apply again (amazon.aws integration pattern)."""
        return self.run(
            [dict(args, _check=True, _diff=True), dict(args, _diff=True), dict(args, _check=True), dict(args)],
            region=region,
        )
