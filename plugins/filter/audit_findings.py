# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report

DOCUMENTATION = r"""
name: audit_findings
short_description: Mark one account's findings as accepted, new or known
version_added: 1.2.0
positional: _input, account_id
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Marks the findings of M(ecs_tools.iam.ecs_infrastructure_role_info) as the report of the audit does
    (P(ecs_tools.iam.audit_report#filter)), for the verify phase of the role C(ecs_tools.iam.infrastructure_role);
    each finding gets C(principals), C(accepted), C(accepted_reason) and C(status).
options:
  _input:
    description: The findings.
    type: list
    elements: dict
    required: true
  account_id:
    description: The account's ID (the baseline's keys are per account).
    type: str
    required: true
  accepted_principals:
    description: As in P(ecs_tools.iam.audit_report#filter).
    type: list
    elements: dict
  baseline:
    description: From P(ecs_tools.iam.audit_baseline#filter); V(null) for none.
    type: dict
"""

EXAMPLES = r"""
- name: Mark the findings
  ansible.builtin.set_fact:
    findings: >-
      {{ info.findings | ecs_tools.iam.audit_findings(info.role.arn.split(':')[4], accepted_principals=accepted) }}
"""

RETURN = r"""
_value:
  description:
    - The findings, each C(code), C(severity), C(message), C(principals), C(accepted), C(accepted_reason) and
      C(status).
  type: list
  elements: dict
"""


def audit_findings(findings, account_id, accepted_principals=None, baseline=None):
    """One account's findings, marked as in the report."""
    try:
        accepted = _audit_report.accepted_principals(accepted_principals)
        known = (baseline or {}).get("keys")
        return wrap_var(_audit_report.mark_findings(findings, account_id, accepted, known))
    except _audit_report.AuditInputError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"audit_findings": audit_findings}
