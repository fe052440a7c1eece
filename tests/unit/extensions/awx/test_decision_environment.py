# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decision environment definition is one ansible-builder accepts (``ansible-builder create``
writes the build context without podman or docker), with ansible-rulebook, its Java 17 runtime and
this collection at galaxy.yml's version."""

import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[4]
VERSION = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")


def test_names_the_image_with_the_collection_version():
    text = (ROOT / "decision-environment.yml").read_text()
    assert re.findall(r"ecs-tools-iam-de:(\S+)", text) == [VERSION]
    definition = yaml.safe_load(text)
    assert definition["version"] == 3
    assert definition["dependencies"]["galaxy"] == "ee/requirements.yml"
    assert any(line.startswith("ansible-rulebook") for line in definition["dependencies"]["python"])


@pytest.mark.skipif(not os.path.exists(BUILDER), reason="ansible-builder is not installed in this venv")
def test_ansible_builder_accepts_it(tmp_path):
    context = tmp_path / "context"
    proc = subprocess.run(
        [BUILDER, "create", "-f", str(ROOT / "decision-environment.yml"), "--context", str(context)],
        cwd=str(ROOT),
        capture_output=True,
        check=False,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "java-17-openjdk-headless" in (context / "_build" / "bindep.txt").read_text()
    assert "ansible-rulebook" in (context / "_build" / "requirements.txt").read_text()
    containerfile = (context / "Dockerfile").read_text()  # the name create gives it by default
    assert "JAVA_HOME=/usr/lib/jvm/jre-17" in containerfile
    assert (context / "_build" / "ee" / "requirements.yml").exists()
