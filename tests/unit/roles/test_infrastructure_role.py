# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's argument spec is the source of truth; defaults and the module must agree with it."""

import pathlib

import yaml

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "infrastructure_role"
SPEC = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())

# contract name -> module option it maps to
MAPPED = {
    "name": "name",
    "state": "state",
    "path": "path",
    "description": "description",
    "permissions_boundary": "permissions_boundary",
    "max_session_duration": "max_session_duration",
    "capabilities": "capabilities",
    "managed_policies": "managed_policies",
    "purge_policies": "purge_policies",
    "tags": "tags",
    "purge_tags": "purge_tags",
    "force": "force",
    "usage_regions": "usage_regions",
}


def test_every_variable_carries_the_role_prefix():
    assert all(name.startswith("ecs_infrastructure_role_") for name in SPEC)
    assert all(name.startswith("ecs_infrastructure_role_") for name in DEFAULTS)


def test_defaults_mirror_the_argument_spec():
    with_default = dict((name, option["default"]) for name, option in SPEC.items() if "default" in option)
    assert DEFAULTS == with_default  # variables without a default stay undefined: "leave it alone"
    for name, option in SPEC.items():
        assert option.get("description"), name


def test_types_and_choices_match_the_module():
    module_spec = ecs_infrastructure_role.argument_spec()
    for short, option in MAPPED.items():
        variable = SPEC["ecs_infrastructure_role_" + short]
        assert variable["type"] == module_spec[option]["type"], short
        assert variable.get("choices") == module_spec[option].get("choices"), short
        if "default" in module_spec[option] and option != "name":
            assert variable.get("default") == module_spec[option]["default"], short
    assert SPEC["ecs_infrastructure_role_name"]["default"] == module_spec["name"]["default"]
    pass_role = module_spec["pass_role"]["options"]
    for short in ("users", "groups", "roles", "mode", "policy_name", "purge"):
        variable = SPEC["ecs_infrastructure_role_pass_role_" + short]
        assert variable["type"] == pass_role[short]["type"], short
        assert variable.get("choices") == pass_role[short].get("choices"), short


def test_capability_choices_derive_from_the_catalog():
    assert tuple(SPEC["ecs_infrastructure_role_capabilities"]["choices"]) == _catalog.CAPABILITY_NAMES
