# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.unsafe_proxy import wrap_var

DOCUMENTATION = r"""
name: survey_list
short_description: Read a list variable given as a YAML list or as an AWX survey answer
version_added: 1.1.0
positional: _input, name
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Turns the value of a list variable into a list of strings, whichever way it was given.
  - A YAML list is kept as a list; each item is trimmed and blank items are dropped.
    An explicit empty list stays an empty list.
  - A string (an AWX survey C(text) or C(textarea) answer, or a C(-e) extra variable) holds one item per line,
    or items separated by commas; each item is trimmed and blank items are dropped.
  - A blank string (empty or only white space) and V(null) mean "not set" and return V(null), so a survey field
    left empty never replaces a list with nothing.
  - Numbers become strings (YAML reads an unquoted C(12345) as a number).
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
- name: A textarea answer with one pipeline role per line
  ansible.builtin.debug:
    msg: "{{ 'pipeline-a\npipeline-b\n' | ecs_tools.iam.survey_list }}"  # ['pipeline-a', 'pipeline-b']

- name: Comma-separated
  ansible.builtin.debug:
    msg: "{{ 'volumes, vpc_lattice' | ecs_tools.iam.survey_list }}"  # ['volumes', 'vpc_lattice']

- name: A blank answer is "not set"; errors name the variable
  ansible.builtin.debug:
    msg: "{{ pipeline_roles | default(None) | ecs_tools.iam.survey_list('pipeline_roles') is none }}"
"""

RETURN = r"""
_value:
  description: The items, trimmed, without blank ones; V(null) when the input is blank or V(null).
  type: list
  elements: str
"""

_SEPARATORS = re.compile(r"[\r\n,]+")


def _item(value, name):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnsibleFilterError(f"{name}: list items must be strings, got {type(value).__name__} {value!r}")
    return to_text(value).strip()


def _parse(value, name):
    if isinstance(value, str):
        if not value.strip():
            return None
        return [item.strip() for item in _SEPARATORS.split(value) if item.strip()]
    if isinstance(value, (list, tuple)):
        return [item for item in (_item(v, name) for v in value) if item]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [to_text(value)]
    raise AnsibleFilterError(
        f"{name}: expected a list, or a string with one item per line or comma-separated, got {type(value).__name__}"
    )


def survey_list(value, name="survey_list"):
    """A list of trimmed, non-blank strings; None when ``value`` is None or a blank string.

    The items are names, never templates: they stay marked unsafe (ansible-core before 2.19
    would otherwise template a survey answer such as ``{{ lookup('pipe', 'id') }}``)."""
    if value is None:
        return None
    return wrap_var(_parse(value, name))


class FilterModule:
    def filters(self):
        return {"survey_list": survey_list}
