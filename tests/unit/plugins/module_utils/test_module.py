# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pathlib

import yaml

from ansible_collections.ecs_tools.iam.plugins.module_utils import _module

REPO = pathlib.Path(__file__).resolve().parents[4]


def test_user_agent_version_is_the_release_in_galaxy_yml():
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert (galaxy["namespace"] + "." + galaxy["name"], galaxy["version"]) == (
        _module.COLLECTION_NAME,
        _module.COLLECTION_VERSION,
    )
