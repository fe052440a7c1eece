# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report

DOCUMENTATION = r"""
name: audit_report
short_description: The ECS infrastructure role audit's report (report.json) from its rows
version_added: 1.2.0
positional: _input
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Builds the report of the playbook C(ecs_tools.iam.audit) (what it writes to C(report.json)) from one entry per
    account (made by P(ecs_tools.iam.audit_row#filter)), with the entries sorted by account ID, their findings marked
    and the summary counts.
  - Each finding gets C(accepted) (bool) and C(accepted_reason), from O(accepted_principals), and C(status)
    (V(new) or V(known)), from O(baseline). Accepted findings stay in the report, are counted in C(summary.accepted)
    and in C(summary.findings), and are left out of each account's C(highest_severity) and of the fail gate
    (P(ecs_tools.iam.audit_gate#filter)).
  - A finding is accepted when it names principals (its C(principals), ARNs) and every one of them matches an entry
    of O(accepted_principals). An entry's C(arn) is matched as IAM's C(ArnLike) condition operator matches, each of
    the six colon-separated parts on its own, case-sensitively, C(*) standing for any run of characters and C(?) for
    one character within that part. A finding that names no principal is never accepted.
  - A finding is V(known) when the baseline holds a finding of the same account with the same code and the same
    principals (for a finding that names no principal, the same message); else V(new). Without a baseline every
    finding is V(new).
  - Strings in the result are marked unsafe (they come from AWS), so Ansible never templates them.
options:
  _input:
    description:
      - The accounts' entries, from P(ecs_tools.iam.audit_row#filter); or a dictionary of inventory host to its entry,
        where V(null) stands for a host that failed before its entry was built (it becomes an entry with an error).
    type: raw
    required: true
  accepted_principals:
    description:
      - The variable C(ecs_infrastructure_role_accepted_principals), checked as
        P(ecs_tools.iam.audit_accepted_principals#filter) does; V(null) or an empty list accepts nothing.
    type: list
    elements: dict
  baseline:
    description: The earlier report, from P(ecs_tools.iam.audit_baseline#filter); V(null) for none.
    type: dict
  regions:
    description: The regions the audit scanned for usage; an empty list stands for every enabled region.
    type: list
    elements: str
  role_name:
    description: The role's name.
    type: str
    default: ecsInfrastructureRole
  generated_at:
    description: When the report was made (ISO 8601, UTC).
    type: str
"""

EXAMPLES = r"""
- name: The report of the accounts read in this play, with the organization's SSO administrators accepted
  ansible.builtin.set_fact:
    report: >-
      {{ ansible_play_hosts_all | map('extract', hostvars, '__row') | list
         | ecs_tools.iam.audit_report(accepted_principals=accepted, regions=['us-east-1'],
                                      generated_at=now(utc=true).isoformat()) }}
  vars:
    accepted:
      - arn: arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*
        reason: IAM Identity Center administrators
"""

RETURN = r"""
_value:
  description:
    - The report, with the keys C(generated_at), C(role_name), C(regions) (a list; V([]) is every enabled region),
      C(baseline) (V(null), or C(source) and C(generated_at)), C(summary) (C(accounts), C(read), C(errors),
      C(role_present), C(role_missing), C(with_findings), C(with_unreadable_regions), C(findings) by severity,
      C(accepted), C(new)) and C(accounts).
    - Each finding of an account is C(code), C(severity), C(message), C(principals), C(accepted), C(accepted_reason),
      C(status).
    - The user guide's audit section documents each key; C(docs/) holds its JSON schema.
  type: dict
"""


def audit_report(
    rows, accepted_principals=None, baseline=None, regions=None, role_name="ecsInfrastructureRole", generated_at=None
):
    """The whole report (see DOCUMENTATION)."""
    try:
        return wrap_var(_audit_report.report(rows, accepted_principals, baseline, regions, role_name, generated_at))
    except _audit_report.AuditInputError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"audit_report": audit_report}
