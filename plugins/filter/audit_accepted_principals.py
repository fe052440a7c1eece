# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report

DOCUMENTATION = r"""
name: audit_accepted_principals
short_description: Check the ECS infrastructure role audit's accepted principals
version_added: 1.2.0
positional: _input
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Checks the variable C(ecs_infrastructure_role_accepted_principals) and returns its entries, trimmed.
  - It must be a list of dictionaries with exactly the keys C(arn) and C(reason), neither blank; C(arn) is an ARN
    pattern with six colon-separated parts, C(*) and C(?) allowed within each part (as in IAM's C(ArnLike)).
  - V(null) or a blank string is an empty list. Anything else fails with a message naming the entry.
options:
  _input:
    description: The variable's value.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Check the accepted principals before reading any account
  ansible.builtin.set_fact:
    accepted: >-
      {{ ecs_infrastructure_role_accepted_principals | default([]) | ecs_tools.iam.audit_accepted_principals }}
"""

RETURN = r"""
_value:
  description: The entries, each C(arn) and C(reason).
  type: list
  elements: dict
"""


def audit_accepted_principals(value):
    """The accepted principals, checked."""
    try:
        return wrap_var(_audit_report.accepted_principals(value))
    except _audit_report.AuditInputError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"audit_accepted_principals": audit_accepted_principals}
