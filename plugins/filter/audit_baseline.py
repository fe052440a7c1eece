# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report

DOCUMENTATION = r"""
name: audit_baseline
short_description: Read an earlier report of the ECS infrastructure role audit as its baseline
version_added: 1.2.0
positional: _input, contents
author:
  - ECS Tools maintainers (@ecs-tools)
description:
  - Reads and checks the variable C(ecs_infrastructure_role_report_baseline), the path of an earlier C(report.json)
    (on the controller; a relative path is relative to where C(ansible-playbook) runs), or an C(s3://bucket/key) URL
    whose O(contents) the caller read (for example with M(amazon.aws.s3_object) C(mode=getstr)).
  - Fails with a message naming the variable when the file cannot be read, is not JSON, or is not a report of the
    audit.
  - V(null) or a blank string means no baseline (V(null)).
options:
  _input:
    description: The path or the C(s3://) URL.
    type: str
    required: true
  contents:
    description: The report's text (or parsed report), for an C(s3://) URL.
    type: raw
"""

EXAMPLES = r"""
- name: Read the baseline before reading any account
  ansible.builtin.set_fact:
    baseline: "{{ ecs_infrastructure_role_report_baseline | default(none) | ecs_tools.iam.audit_baseline }}"
"""

RETURN = r"""
_value:
  description:
    - V(null) without a baseline; else C(source), C(generated_at) (from the file, or V(null)) and C(keys), the keys of
      its findings (P(ecs_tools.iam.audit_report#filter) explains them).
  type: dict
"""


def audit_baseline(source, contents=None):
    """The earlier report, checked and reduced to its findings' keys."""
    try:
        return wrap_var(_audit_report.baseline(source, contents))
    except _audit_report.AuditInputError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"audit_baseline": audit_baseline}
