# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.unsafe_proxy import wrap_var

DOCUMENTATION = r"""
name: survey_text
short_description: Read a string variable given in YAML or as an AWX survey answer; blank means "not set"
version_added: 1.2.0
positional: _input, name
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Turns the value of a string variable into a trimmed string, or V(null) when it is not set.
  - A blank string (empty or only white space) and V(null) mean "not set" and return V(null). An AWX survey sends
    a field left empty as an empty string; with this filter that answer leaves the setting alone instead of
    passing an empty string, which some module options read as "remove" (the permissions boundary, for one).
  - Numbers become strings (YAML reads an unquoted C(12345) as a number); lists, dictionaries and booleans are
    an error naming the variable.
options:
  _input:
    description: The variable's value.
    type: raw
    required: true
  name:
    description: The variable's name, for error messages.
    type: str
"""

EXAMPLES = r"""
- name: A survey field left empty is "not set"; the module option is then omitted
  ansible.builtin.debug:
    msg: "{{ boundary_answer | default(None) | ecs_tools.iam.survey_text('boundary_answer') | default(omit, true) }}"

- name: Surrounding white space is dropped
  ansible.builtin.debug:
    msg: "{{ '  arn:aws:iam::111122223333:policy/Boundary \n' | ecs_tools.iam.survey_text }}"
"""

RETURN = r"""
_value:
  description: The trimmed string; V(null) when the input is blank or V(null).
  type: str
"""


def survey_text(value, name="survey_text"):
    """The trimmed string; None when ``value`` is None or blank (an empty survey answer).

    The text is a value, never a template: it stays marked unsafe, as survey_list's items do."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnsibleFilterError(f"{name}: expected a string, got {type(value).__name__} {value!r}")
    text = to_text(value).strip()
    return wrap_var(text) if text else None


class FilterModule:
    def filters(self):
        return {"survey_text": survey_text}
