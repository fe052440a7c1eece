# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: one real moto_server process for the session, modules run through
the real Ansible executor (``ansible-playbook``, through tests/support/playbook.py), state read back with boto3."""

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from moto_server import MotoServer  # noqa: E402
from playbook import TaskRunner  # noqa: E402


def pytest_configure(config):
    config.fault_reports = []


def pytest_report_teststatus(report, config):
    """Carry the faults each test survived from xdist workers to the controller."""
    for name, value in getattr(report, "user_properties", []):
        if name == "faults" and report.when == "teardown":
            config.fault_reports.append((report.nodeid, value))


def pytest_terminal_summary(terminalreporter, config):
    reports = sorted({(nodeid, json.dumps(value, sort_keys=True)) for nodeid, value in config.fault_reports})
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


@pytest.fixture(autouse=True)
def controller_coverage(request, monkeypatch):
    """Tests marked ``controller_coverage`` (the inventory plugin's own) measure the controller
    processes too when coverage is on (tests/support/playbook.py, coverage_settings)."""
    if request.node.get_closest_marker("controller_coverage"):
        monkeypatch.setenv("ECS_TOOLS_COVERAGE_CONTROLLER", "1")


@pytest.fixture
def server(moto):
    moto.reset()
    return moto


@pytest.fixture
def runner(server, tmp_path):
    return TaskRunner(server, tmp_path)


@pytest.fixture
def aws(server):
    """boto3 clients for the moto server: ``aws('iam')``, ``aws('ec2', 'eu-west-1')``."""

    return server.client


@pytest.fixture
def keyed(server, tmp_path):
    """Named tasks in one ansible-playbook, each task's API calls apart (tests/support/keyed.py)."""
    from keyed import KeyedRunner

    return KeyedRunner(server, tmp_path)
