# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Findings: every code with its severity, the one severity order, and the finding shape. Pure.

The modules build their findings with ``finding``; the role's verify phase, the audit playbook and its
report template read the order through the lookup ``ecs_tools.iam.severities`` and the audit filters
(``plugin_utils/_audit_report``): no other copy of the order exists.
"""

SEVERITIES = ("high", "medium", "low", "info")

# Every finding code and its severity (documented in docs/docsite/rst/guide_user.rst).
SEVERITY = {
    "trust_missing_ecs": "high",
    "trust_extra_principal": "high",
    "trust_extra_action": "low",
    "pass_role_any_service": "high",
    "pass_role_without_condition": "high",
    "pass_role_administrators": "low",
    "pass_role_conditional": "medium",
    "pass_role_wildcard_resource": "medium",
    "pass_role_not_owned": "medium",
    "pass_role_orphaned_grant": "medium",  # live only once someone re-creates the role, and only towards ECS
    "overprivileged_managed_policy": "medium",
    "volumes_policy_missing": "high",
    "volume_actions_blocked": "high",  # medium while ECS uses no volume with the role
    "task_deprovisioning": "medium",
    "usage_region_unreadable": "low",
}


def finding(code, message, severity=None, principals=None):
    """``principals``: what the finding is about, sorted: the ARNs of the IAM principals (users, roles)
    that can pass the role, or the principals a trust statement lets in (ARNs, or the other values
    a trust policy may hold: account IDs, service names, ``*``); empty when it is about no principal."""
    return {
        "code": code,
        "severity": severity or SEVERITY[code],
        "message": message,
        "principals": sorted({str(p) for p in principals or [] if p}),
    }


def at_or_above(threshold):
    """The severities ``threshold`` and worse, most severe first (``threshold`` one of ``SEVERITIES``)."""
    return list(SEVERITIES[: SEVERITIES.index(threshold) + 1])
