# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report

DOCUMENTATION = r"""
name: audit_row
short_description: One account's entry of the ECS infrastructure role audit's report
version_added: 1.2.0
positional: _input, host
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Turns the result of M(ecs_tools.iam.ecs_infrastructure_role_info) for one account (an inventory host) into that
    account's entry of the report of the playbook C(ecs_tools.iam.audit), for P(ecs_tools.iam.audit_report#filter).
  - The account ID is the host variable C(aws_account_id), else the account of the role's ARN, else the account of
    C(ecs_infrastructure_role_assume_role_arn), else the host's name.
  - Each finding is C(code), C(severity) (a finding without one counts as V(high)), C(message) and C(principals).
  - Strings in the result are marked unsafe (they come from AWS), so Ansible never templates them.
options:
  _input:
    description: The info module's result; V(null) or V({}) when it did not run.
    type: dict
    required: true
  host:
    description: The inventory host's name.
    type: str
    required: true
  variables:
    description:
      - The host's variables C(aws_account_id), C(aws_account_name), C(aws_organizational_unit_path) and
        C(ecs_infrastructure_role_assume_role_arn) (those it has).
    type: dict
  error:
    description: Why the account could not be read; V(null) when it was.
    type: str
"""

EXAMPLES = r"""
- name: Build the account's report entry
  ansible.builtin.set_fact:
    __row: >-
      {{ info | default({}) | ecs_tools.iam.audit_row(inventory_hostname,
                                                      {'aws_account_name': aws_account_name | default(none)},
                                                      error | default(none)) }}
"""

RETURN = r"""
_value:
  description:
    - C(host), C(account_id), C(account_name), C(organizational_unit_path), C(error), C(role_exists), C(role_arn),
      C(capabilities), C(attached_policies), C(pass_role_principals) (C(type), C(name), C(arn), C(classification),
      C(administrator)), C(findings), C(highest_severity) (V(error), V(high), V(medium), V(low), V(info) or V(none)),
      C(regions_scanned), C(regions_unreadable) (C(region), C(error)) and C(usage) (counts of C(services), C(tasks),
      C(volumes)).
  type: dict
"""


def audit_row(info, host, variables=None, error=None):
    """One account's entry of the report."""
    try:
        return wrap_var(_audit_report.row(info, host, variables, error))
    except _audit_report.AuditInputError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"audit_row": audit_row}
