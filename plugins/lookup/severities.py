# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: severities
short_description: The severities of the ECS infrastructure role's findings, most severe first
version_added: 1.3.0
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - The severities a finding of M(ecs_tools.iam.ecs_infrastructure_role_info) can have, most severe
    first (V(high), V(medium), V(low), V(info)), from the collection's one table of findings.
  - The role R(ecs_tools.iam.infrastructure_role,ansible_collections.ecs_tools.iam.infrastructure_role_role)'s
    verify phase, the audit playbook and its report read the order here.
options:
  _terms:
    description: Not used; give none.
    required: false
  at_or_above:
    description:
      - Only this severity and the ones more severe than it, most severe first.
      - V(none) gives an empty list (no finding is at or above it).
    type: str
    choices: [high, medium, low, info, none]
"""

EXAMPLES = r"""
- name: The severities, most severe first
  ansible.builtin.debug:
    msg: "{{ lookup('ecs_tools.iam.severities', wantlist=True) }}"

- name: Findings at or above medium
  ansible.builtin.debug:
    msg: "{{ info.findings | selectattr('severity', 'in', levels) }}"
  vars:
    levels: "{{ lookup('ecs_tools.iam.severities', at_or_above='medium', wantlist=True) }}"
"""

RETURN = r"""
_raw:
  description: The severities, most severe first.
  type: list
  elements: str
  sample: [high, medium, low, info]
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError("ecs_tools.iam.severities takes no terms, got " + ", ".join(map(str, terms)))
        self.set_options(var_options=variables, direct=kwargs)
        threshold = self.get_option("at_or_above")
        if threshold is None:
            return list(_findings.SEVERITIES)
        if threshold == "none":
            return []
        return _findings.at_or_above(threshold)
