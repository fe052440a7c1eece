# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report

DOCUMENTATION = r"""
name: audit_gate
short_description: Why the ECS infrastructure role audit fails
version_added: 1.2.0
positional: _input, fail_on_severity, fail_on_unreadable
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - The reasons the playbook C(ecs_tools.iam.audit) fails, from its report (P(ecs_tools.iam.audit_report#filter)),
    that is accounts that could not be read, and findings at or above a severity that are not accepted.
  - An empty list when it does not fail.
options:
  _input:
    description: The report.
    type: dict
    required: true
  fail_on_severity:
    description: The lowest severity that fails; V(none) never fails on findings.
    type: str
    choices: [high, medium, low, info, none]
    default: high
  fail_on_unreadable:
    description: Whether an account that could not be read fails.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Fail on high findings that are not accepted
  ansible.builtin.fail:
    msg: "{{ report | ecs_tools.iam.audit_gate('high', true) | join('; ') }}"
  when: report | ecs_tools.iam.audit_gate('high', true) | length > 0
"""

RETURN = r"""
_value:
  description: One sentence per reason, for example C(2 finding(s\) of severity high or worse (...\)).
  type: list
  elements: str
"""


def audit_gate(report, fail_on_severity="high", fail_on_unreadable=True):
    """Why the audit fails; empty when it does not."""
    try:
        return wrap_var(_audit_report.gate(report, fail_on_severity, fail_on_unreadable))
    except _audit_report.AuditInputError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"audit_gate": audit_gate}
