# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make ansible-lint` lints the ansible-test targets (issue 21): with the exclusions of .ansible-lint,
ansible-lint's own file discovery finds every YAML file of tests/integration/targets/, the molecule
scenarios, the role and the playbooks, and none of the pytest files."""

import os

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

discovery = pytest.importorskip("ansiblelint.file_utils", reason="ansible-lint is in the main venv only")


def lintables(exclude_paths):
    from ansiblelint.config import options

    saved, cwd = list(options.exclude_paths or []), os.getcwd()
    options.exclude_paths = exclude_paths
    os.chdir(REPO)
    try:
        return {os.path.relpath(str(f), REPO) for f in discovery.discover_lintables(options)}
    finally:
        options.exclude_paths = saved
        os.chdir(cwd)


def yaml_files(top):
    found = set()
    for root, dummy, files in os.walk(os.path.join(REPO, top)):
        found.update(os.path.relpath(os.path.join(root, f), REPO) for f in files if f.endswith(".yml"))
    return found


def test_the_targets_and_scenarios_are_linted_and_the_pytest_files_are_not():
    with open(os.path.join(REPO, ".ansible-lint")) as f:
        excluded = yaml.safe_load(f)["exclude_paths"]
    linted = lintables(excluded)
    targets = yaml_files("tests/integration/targets")
    assert len(targets) > 10
    assert targets <= linted, sorted(targets - linted)
    assert yaml_files("extensions/molecule") <= linted
    assert yaml_files("roles/infrastructure_role/tasks") <= linted
    assert not {f for f in linted if f.startswith("tests/integration/") and f.endswith(".py")}


def test_excluding_tests_integration_would_drop_the_targets():
    # The check above can fail: with the whole directory excluded, as before, no target is linted.
    linted = lintables([".venv/", ".build/", "tests/output/", "tests/integration/", "changelogs/"])
    assert not yaml_files("tests/integration/targets") & linted
