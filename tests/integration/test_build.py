# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ansible-galaxy collection build` gives a tarball that installs and runs."""

import os
import subprocess
import sys
import tarfile

import playbook
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

BIN = os.path.dirname(sys.executable)
# The top-level entries of the built tarball; ansible-galaxy adds MANIFEST.json and FILES.json.
USER_FILES = (
    "CHANGELOG.rst",
    "FILES.json",
    "LICENSE",
    "MANIFEST.json",
    "README.md",
    "changelogs",
    "docs",
    "extensions",
    "meta",
    "playbooks",
    "plugins",
    "roles",
)


def test_built_tarball_installs_and_runs(tmp_path, server, aws):
    subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "build", REPO, "--output-path", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    with open(os.path.join(REPO, "galaxy.yml")) as f:
        version = yaml.safe_load(f)["version"]
    tarball = tmp_path / f"ecs_tools-iam-{version}.tar.gz"
    names = tarfile.open(tarball).getnames()
    assert "plugins/modules/ecs_infrastructure_role.py" in names
    assert "meta/runtime.yml" in names
    assert not [n for n in names if n.startswith((".venv", ".build", ".git/")) or "__pycache__" in n]
    # Only what a user installs (galaxy.yml's build_ignore): no tests, benchmarks, demo or screenshots.
    top = sorted({n.split("/")[0] for n in names})
    assert top == sorted(USER_FILES), top
    assert not [n for n in names if n.endswith(".png")]
    assert not [n for n in names if n.startswith("extensions/molecule")]
    # Event-Driven Ansible ships: ansible-rulebook finds the source and the rulebook in the installed collection.
    assert "extensions/eda/plugins/event_source/iam_role_events.py" in names
    assert "extensions/eda/rulebooks/repair_drift.yml" in names

    installed = tmp_path / "collections"
    # --no-deps: Galaxy is unreachable here; amazon.aws comes from the ansible package on PyPI.
    subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "install", str(tarball), "-p", str(installed), "--no-deps"],
        check=True,
        capture_output=True,
    )
    tasks = [{"ecs_tools.iam.ecs_infrastructure_role": {"capabilities": ["volumes"]}}]
    env = playbook.ansible_env(server, collections=str(installed))
    done = playbook.run(playbook.write_playbook(tmp_path / "play.yml", [playbook.play(tasks)]), env)
    assert done.returncode == 0, done.output
    assert (
        str(installed)
        in subprocess.run(
            [os.path.join(BIN, "ansible-doc"), "--list_files", "ecs_tools.iam"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )
    iam = aws("iam")
    assert [
        p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="ecsInfrastructureRole")["AttachedPolicies"]
    ] == ["AmazonECSInfrastructureRolePolicyForVolumes"]
