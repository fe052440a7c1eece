# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.survey_text: a string variable given in YAML or as an AWX survey answer."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible.release import __version__ as ansible_version
from ansible.utils.unsafe_proxy import AnsibleUnsafeText

from ansible_collections.ecs_tools.iam.plugins.filter import survey_text as plugin

survey_text = plugin.survey_text


@pytest.mark.parametrize(
    "value, expected",
    [
        # not set: the role omits the module option, so the setting is left alone
        (None, None),
        ("", None),
        ("   ", None),
        ("\n", None),
        (" \r\n \t", None),
        # set: trimmed
        ("arn:aws:iam::111122223333:policy/Boundary", "arn:aws:iam::111122223333:policy/Boundary"),
        ("  arn:aws:iam::111122223333:policy/Boundary \n", "arn:aws:iam::111122223333:policy/Boundary"),
        ("Used by ECS", "Used by ECS"),
        # numbers YAML read from unquoted text
        (12345, "12345"),
        (1.5, "1.5"),
    ],
)
def test_blank_is_not_set_and_text_is_trimmed(value, expected):
    assert survey_text(value, "v") == expected


def test_text_is_never_a_template():
    # As survey_list: on ansible-core < 2.19 the text is marked unsafe; 2.19 never templates it.
    result = survey_text("{{ lookup('pipe', 'id') }}", "v")
    assert result == "{{ lookup('pipe', 'id') }}"
    if tuple(int(part) for part in ansible_version.split(".")[:2]) < (2, 19):
        assert isinstance(result, AnsibleUnsafeText)


@pytest.mark.parametrize("value", [True, False, ["a"], {"a": 1}])
def test_other_types_are_an_error_naming_the_variable(value):
    with pytest.raises(AnsibleFilterError, match=r"^ecs_infrastructure_role_description: expected a string, got "):
        survey_text(value, "ecs_infrastructure_role_description")


def test_the_filter_is_registered():
    assert plugin.FilterModule().filters() == {"survey_text": survey_text}
