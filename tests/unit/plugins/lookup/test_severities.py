# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleLookupError

from ansible_collections.ecs_tools.iam.plugins.lookup import severities
from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings

NAME = "ecs_tools.iam.severities"


@pytest.fixture
def lookup():
    """The plugin as Ansible's loader sets it up: its options declared from its DOCUMENTATION."""
    options = yaml.safe_load(severities.DOCUMENTATION)["options"]
    C.config.initialize_plugin_configuration_definitions("lookup", NAME, options)
    plugin = severities.LookupModule()
    plugin._load_name = NAME
    return plugin


def test_the_order_is_the_findings_table(lookup):
    assert lookup.run([]) == list(_findings.SEVERITIES) == ["high", "medium", "low", "info"]


@pytest.mark.parametrize(
    "threshold,expected",
    [("high", ["high"]), ("medium", ["high", "medium"]), ("info", ["high", "medium", "low", "info"]), ("none", [])],
)
def test_at_or_above(lookup, threshold, expected):
    assert lookup.run([], at_or_above=threshold) == expected


def test_the_choices_are_the_severities_and_none():
    options = yaml.safe_load(severities.DOCUMENTATION)["options"]
    assert options["at_or_above"]["choices"] == list(_findings.SEVERITIES) + ["none"]


def test_bad_input_is_refused(lookup):
    with pytest.raises(AnsibleLookupError, match="takes no terms, got high"):
        lookup.run(["high"])
    with pytest.raises(Exception, match="critical"):
        lookup.run([], at_or_above="critical")
