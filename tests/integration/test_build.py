# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ansible-galaxy collection build` gives a tarball that installs and runs."""

import os
import re
import subprocess
import sys
import tarfile

import playbook
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

BIN = os.path.dirname(sys.executable)
# What a user installs, entry by entry: every file of the built tarball matches one of these (its
# directories are the parents of such files). ansible-galaxy adds MANIFEST.json and FILES.json. Anything
# else (tests, benchmarks, the demo, the EE definition, CI, screenshots, changelog fragments, caches)
# stays in the repository: galaxy.yml's build_ignore.
USER_FILES = [
    r"(CHANGELOG\.rst|FILES\.json|LICENSE|MANIFEST\.json|README\.md)",
    r"meta/runtime\.yml",
    r"changelogs/(changelog|config)\.yaml",
    r"plugins/(doc_fragments|filter|inventory|lookup|module_utils|modules|plugin_utils)/\w+\.py",
    r"roles/\w+/(README\.md|(defaults|meta|tasks|vars|handlers|templates)/[\w.-]+\.(yml|j2))",
    r"playbooks/([\w-]+/)?[\w.-]+\.(yml|j2)",
    r"docs/([\w-]+/)*[\w.-]+\.(md|rst|json|yml)",
    r"extensions/eda/(plugins/event_source/\w+\.py|rulebooks/[\w-]+\.yml)",
    r"extensions/awx/surveys/\w+\.json",
]


def outside_user_files(names):
    """The tarball's entries that are not what a user installs (an empty list when all are)."""
    files = [n for n in names if re.fullmatch("|".join(USER_FILES), n)]
    directories = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    return [n for n in names if n not in files and n.rstrip("/") not in directories]


def test_built_tarball_installs_and_runs(tmp_path, server, aws):
    subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "build", REPO, "--output-path", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    with open(os.path.join(REPO, "galaxy.yml")) as f:
        version = yaml.safe_load(f)["version"]
    tarball = tmp_path / f"ecs_tools-iam-{version}.tar.gz"
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert "plugins/modules/ecs_infrastructure_role.py" in names
    assert "meta/runtime.yml" in names
    # Only what a user installs (galaxy.yml's build_ignore), entry by entry.
    assert outside_user_files(names) == []
    print(f"tarball: {len(names)} entries, {os.path.getsize(tarball)} bytes")
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
