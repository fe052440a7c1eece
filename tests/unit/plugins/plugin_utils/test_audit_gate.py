# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's fail gate for every threshold, through the filters the playbook calls (audit_row,
audit_report, audit_gate): the decisions tests/integration/test_audit.py made with one
ansible-playbook run each. The integration test keeps one threshold met (through the playbook's own
lower-casing) and the refused threshold."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecs_tools.iam.plugins.filter.audit_gate import audit_gate
from ansible_collections.ecs_tools.iam.plugins.filter.audit_report import audit_report
from ansible_collections.ecs_tools.iam.plugins.filter.audit_row import audit_row

MEDIUM = {"code": "overprivileged_managed_policy", "severity": "medium", "message": "AdministratorAccess attached"}
SEVERITY = "ecs_infrastructure_role_audit_fail_on_severity"
UNREADABLE = "1 account(s) not readable (ecs_infrastructure_role_audit_fail_on_unreadable)"


def account(findings):
    return {
        "exists": True,
        "role": {"arn": "arn:aws:iam::111111111111:role/ecsInfrastructureRole"},
        "findings": findings,
    }


def report(*rows):
    return audit_report(dict(rows))


DEV_ADMIN = ("dev-admin", audit_row(account([MEDIUM]), "dev-admin", {"aws_account_id": "111111111111"}))
UNREACHABLE = ("unreachable-account", audit_row({}, "unreachable-account", {}, "Assume the account's role: RoleArn"))


@pytest.mark.parametrize(
    "threshold, reasons",
    [
        ("high", []),  # a medium finding passes a high threshold
        ("MEDIUM", [f"1 finding(s) of severity medium or worse ({SEVERITY})"]),
        ("medium", [f"1 finding(s) of severity medium or worse ({SEVERITY})"]),
        ("low", [f"1 finding(s) of severity low or worse ({SEVERITY})"]),
        ("info", [f"1 finding(s) of severity info or worse ({SEVERITY})"]),
        ("none", []),
    ],
)
def test_a_medium_finding_against_each_threshold(threshold, reasons):
    assert audit_gate(report(DEV_ADMIN), threshold, True) == reasons


def test_an_unreadable_account_fails_only_when_asked():
    unreadable = report(UNREACHABLE)
    assert unreadable["summary"]["errors"] == 1
    assert audit_gate(unreadable, "none", True) == [UNREADABLE]
    assert audit_gate(unreadable, "none", False) == []
    assert audit_gate(report(UNREACHABLE, DEV_ADMIN), "info", True) == [
        UNREADABLE,
        f"1 finding(s) of severity info or worse ({SEVERITY})",
    ]


def test_a_threshold_that_is_not_a_severity_is_refused():
    with pytest.raises(
        AnsibleFilterError, match=f"{SEVERITY} must be one of high, medium, low, info, none; got 'critical'"
    ):
        audit_gate(report(DEV_ADMIN), "critical")
