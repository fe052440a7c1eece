# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment's image tag and collection tarball follow galaxy.yml's version, wherever
the repository names them (the AWX guide tagged the image 1.0.0 while the collection was 1.1.0)."""

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[4]
VERSION = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
FILES = [
    "execution-environment.yml",
    "ee/requirements.yml",
    "README.md",
    "docs/docsite/rst/guide_awx.rst",
    "docs/docsite/rst/guide_user.rst",
]
IMAGE = re.compile(r"ecs-tools-iam-ee:(\S+)")
TARBALL = re.compile(r"ecs_tools-iam-(\d[^/\s]*?)\.tar\.gz")


@pytest.mark.parametrize("name", FILES)
def test_every_image_tag_and_tarball_is_galaxy_version(name):
    text = (ROOT / name).read_text()
    found = IMAGE.findall(text) + TARBALL.findall(text)
    assert [version for version in found if version != VERSION] == [], found


def test_the_guide_and_the_definition_name_the_image():
    # Not vacuous: the files that build and document the image do name it with the version.
    assert IMAGE.findall((ROOT / "execution-environment.yml").read_text()) == [VERSION]
    assert IMAGE.findall((ROOT / "docs/docsite/rst/guide_awx.rst").read_text()) == [VERSION]
    assert TARBALL.findall((ROOT / "ee/requirements.yml").read_text()) == [VERSION]
