# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: one real moto_server process for the session, modules run through
the real Ansible executor (``ansible-playbook``), state read back with boto3."""

import json
import os
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from collection_link import collections_path  # noqa: E402
from moto_server import MotoServer  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODULE = "ecs_tools.iam.ecs_infrastructure_role"


class Runner(object):
    """Runs tasks in one ansible-playbook process and returns each task's registered result."""

    def __init__(self, server, tmp_path):
        self.server = server
        self.tmp_path = tmp_path
        self.count = 0

    def env(self, region="us-east-1", extra=None):
        env = dict(os.environ)
        env.update(self.server.env(region))
        env.update(
            ANSIBLE_COLLECTIONS_PATH=collections_path(),
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_NOCOLOR="1",
        )
        env.update(extra or {})
        return env

    def _playbook(self, tasks):
        self.count += 1
        out = self.tmp_path / "results-{0}.json".format(self.count)
        play_tasks = []
        names = []
        for i, task in enumerate(tasks):
            args = dict(task)
            module = args.pop("_module", MODULE)
            entry = {
                "name": "step {0}".format(i),
                module: args,
                "register": "r{0}".format(i),
                "ignore_errors": True,
                "check_mode": bool(args.pop("_check", False)),
                "diff": bool(args.pop("_diff", False)),
            }
            play_tasks.append(entry)
            names.append("r{0}".format(i))
        results = "{{ [" + ", ".join(names) + "] | to_json }}"
        play_tasks.append({"name": "save results", "ansible.builtin.copy": {"content": results, "dest": str(out)}})
        playbook = self.tmp_path / "play-{0}.yml".format(self.count)
        playbook.write_text(
            yaml.safe_dump([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": play_tasks}])
        )
        return playbook, out

    def start(self, tasks, region="us-east-1", extra_env=None):
        """Start ansible-playbook without waiting (in its own process group, so a test can kill it)."""
        playbook, out = self._playbook(tasks)
        proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", str(playbook)],
            env=self.env(region, extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        return proc, out

    def run(self, tasks, region="us-east-1", extra_env=None):
        """``tasks``: dicts of module args, with optional keys ``_check``, ``_diff``, ``_module``.
        Returns the list of results; a failed task's result has ``failed: true`` and ``msg``."""
        proc, out = self.start(tasks, region, extra_env)
        output = proc.communicate()[0]
        if not out.exists():
            raise AssertionError("ansible-playbook failed before saving results:\n" + output)
        return json.loads(out.read_text())

    def one(self, region="us-east-1", **args):
        return self.run([args], region=region)[0]

    def four_steps(self, args, region="us-east-1"):
        """check mode, apply, check mode again, apply again (amazon.aws integration pattern)."""
        return self.run(
            [dict(args, _check=True, _diff=True), dict(args, _diff=True), dict(args, _check=True), dict(args)],
            region=region,
        )


def pytest_configure(config):
    config.fault_reports = []


def pytest_report_teststatus(report, config):
    """Carry the faults each test survived from xdist workers to the controller."""
    for name, value in getattr(report, "user_properties", []):
        if name == "faults" and report.when == "teardown":
            config.fault_reports.append((report.nodeid, value))


def pytest_terminal_summary(terminalreporter, config):
    reports = sorted(set((nodeid, json.dumps(value, sort_keys=True)) for nodeid, value in config.fault_reports))
    if reports:
        terminalreporter.write_sep("-", "faults injected by the proxy, survived")
        for nodeid, value in reports:
            counts = json.loads(value)
            terminalreporter.write_line("{0}: {1} ({2})".format(nodeid.split("::")[-1], sum(counts.values()), value))


@pytest.fixture(scope="session")
def moto():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(moto):
    moto.reset()
    return moto


@pytest.fixture
def runner(server, tmp_path):
    return Runner(server, tmp_path)


@pytest.fixture
def aws(server):
    """boto3 clients for the moto server: ``aws('iam')``, ``aws('ec2', 'eu-west-1')``."""

    return server.client
