# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.survey_list: a list variable given as a YAML list or as an AWX survey answer."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible.release import __version__ as ansible_version
from ansible.utils.unsafe_proxy import AnsibleUnsafeText

from ansible_collections.ecs_tools.iam.plugins.filter import survey_list as plugin

survey_list = plugin.survey_list


@pytest.mark.parametrize(
    "value, expected",
    [
        # not set: never a list, so the role leaves the setting alone
        (None, None),
        ("", None),
        ("   ", None),
        ("\n\n", None),
        (" \r\n \t", None),
        # textarea answers: one item per line, trimmed, blank lines dropped
        ("pipeline-a\npipeline-b", ["pipeline-a", "pipeline-b"]),
        ("pipeline-a\r\npipeline-b\r\n", ["pipeline-a", "pipeline-b"]),
        ("  pipeline-a  \n\n\n  pipeline-b\n", ["pipeline-a", "pipeline-b"]),
        # text answers: comma-separated (and both at once)
        ("volumes,vpc_lattice", ["volumes", "vpc_lattice"]),
        ("volumes, vpc_lattice ,", ["volumes", "vpc_lattice"]),
        ("alice,\nbob\n,carol", ["alice", "bob", "carol"]),
        ("alice", ["alice"]),
        # YAML lists: kept, trimmed, blank items dropped; an explicit empty list stays empty (revoke all)
        ([], []),
        (["alice"], ["alice"]),
        ([" alice ", "", "  ", "bob"], ["alice", "bob"]),
        (("alice", "bob"), ["alice", "bob"]),
        # numbers YAML read from unquoted names
        (12345, ["12345"]),
        ([12345, "bob"], ["12345", "bob"]),
    ],
)
def test_survey_list(value, expected):
    assert survey_list(value) == expected


def test_duplicates_are_kept_for_the_module_to_report():
    # The module names a principal listed twice; the filter must not hide it by deduplicating.
    assert survey_list("alice\nalice") == ["alice", "alice"]


@pytest.mark.parametrize("value", [{"a": 1}, True, [["nested"]], [{"a": 1}], [None], [True]])
def test_other_types_are_a_clear_error(value):
    with pytest.raises(AnsibleFilterError, match="survey_list: "):
        survey_list(value)


def test_errors_name_the_variable():
    with pytest.raises(
        AnsibleFilterError, match="^ecs_infrastructure_role_pass_role_users: list items must be strings"
    ):
        survey_list([["alice"]], "ecs_infrastructure_role_pass_role_users")


def test_items_are_never_templates():
    # ansible-core < 2.19 templates strings it is handed back unless they are marked unsafe;
    # 2.19 and later never template data a filter returns. Either way, '{{ x }}' stays as typed.
    items = survey_list("{{ 7 * 6 }}\nbob")
    assert items == ["{{ 7 * 6 }}", "bob"]
    if tuple(int(part) for part in ansible_version.split(".")[:2]) < (2, 19):
        assert all(isinstance(item, AnsibleUnsafeText) for item in items)


def test_the_filter_is_registered():
    assert plugin.FilterModule().filters() == {"survey_list": survey_list}
