# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's filters: their results are marked unsafe (AWS data is data), bad input is a filter error."""

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible.release import __version__ as ansible_version
from ansible.utils.unsafe_proxy import AnsibleUnsafeText

from ansible_collections.ecs_tools.iam.plugins.filter import audit_accepted_principals
from ansible_collections.ecs_tools.iam.plugins.filter import audit_baseline
from ansible_collections.ecs_tools.iam.plugins.filter import audit_findings
from ansible_collections.ecs_tools.iam.plugins.filter import audit_gate
from ansible_collections.ecs_tools.iam.plugins.filter import audit_report
from ansible_collections.ecs_tools.iam.plugins.filter import audit_row

TEMPLATE = "{{ lookup('pipe', 'id') }}"  # an account name from AWS that is a template
ROLE = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
FINDING = {"code": "pass_role_administrators", "severity": "low", "message": TEMPLATE, "principals": [ROLE]}


OLD_CORE = tuple(int(part) for part in ansible_version.split(".")[:2]) < (2, 19)


def never_templated(value):
    """ansible-core before 2.19 templates strings a filter hands back unless they are marked unsafe;
    2.19 and later template only what is trusted as a template."""
    if OLD_CORE:
        return isinstance(value, AnsibleUnsafeText)
    from ansible.template import is_trusted_as_template

    return not is_trusted_as_template(value)


@pytest.mark.parametrize(
    "name, plugin",
    [
        ("audit_row", audit_row),
        ("audit_report", audit_report),
        ("audit_gate", audit_gate),
        ("audit_accepted_principals", audit_accepted_principals),
        ("audit_baseline", audit_baseline),
        ("audit_findings", audit_findings),
    ],
)
def test_each_file_is_one_filter_named_for_it(name, plugin):
    assert list(plugin.FilterModule().filters()) == [name]
    assert f"name: {name}\n" in plugin.DOCUMENTATION


def test_strings_from_aws_come_out_unsafe():
    row = audit_row.audit_row(
        {"exists": True, "findings": [FINDING]}, "h", {"aws_account_name": TEMPLATE, "aws_account_id": "1"}
    )
    report = audit_report.audit_report([row], generated_at="2026-12-04T22:00:00Z")
    name = report["accounts"][0]["account_name"]
    message = report["accounts"][0]["findings"][0]["message"]
    assert name == TEMPLATE and message == TEMPLATE
    marked = audit_findings.audit_findings([FINDING], "1", [{"arn": ROLE, "reason": TEMPLATE}])
    assert marked[0]["accepted"] is True and marked[0]["accepted_reason"] == TEMPLATE
    for value in (name, message, row["findings"][0]["message"], marked[0]["message"], marked[0]["accepted_reason"]):
        assert never_templated(value), type(value)


def test_bad_input_is_a_filter_error(tmp_path):
    with pytest.raises(
        AnsibleFilterError, match=r"ecs_infrastructure_role_accepted_principals\[0\]: reason is missing"
    ):
        audit_accepted_principals.audit_accepted_principals([{"arn": ROLE}])
    with pytest.raises(AnsibleFilterError, match="ecs_infrastructure_role_accepted_principals must be a list"):
        audit_report.audit_report([], accepted_principals={"arn": ROLE, "reason": "r"})
    with pytest.raises(AnsibleFilterError, match="ecs_infrastructure_role_accepted_principals"):
        audit_findings.audit_findings([FINDING], "1", "nope")
    with pytest.raises(AnsibleFilterError, match="ecs_infrastructure_role_report_baseline: cannot read"):
        audit_baseline.audit_baseline(str(tmp_path / "missing.json"))
    with pytest.raises(AnsibleFilterError, match="got 'critical'"):
        audit_gate.audit_gate(audit_report.audit_report([]), "critical")


def test_baseline_and_gate_through_the_filters(tmp_path):
    row = audit_row.audit_row(
        {"exists": True, "findings": [dict(FINDING, severity="high")]}, "h", {"aws_account_id": "1"}
    )
    first = audit_report.audit_report([row])
    path = tmp_path / "report.json"
    path.write_text(json.dumps(first))
    base = audit_baseline.audit_baseline(str(path))
    second = audit_report.audit_report([row], baseline=base)
    assert second["summary"]["new"] == 0 and second["baseline"]["source"] == str(path)
    assert audit_gate.audit_gate(second, "high", True) == [
        "1 finding(s) of severity high or worse (ecs_infrastructure_role_audit_fail_on_severity)"
    ]
    accepted = audit_report.audit_report([row], accepted_principals=[{"arn": "arn:aws:iam::*:role/*", "reason": "r"}])
    assert audit_gate.audit_gate(accepted, "high", True) == []
