# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""report.json data for the report's tests: ``large_report()`` is an organization of 50 accounts
with 60-character names, findings of every severity, accepted and new ones, an account that could
not be read and accounts with unreadable regions, shaped as docs/report.schema.json says (the
fields of the accepted-principals and baseline work included). Deterministic: the tests count what
it holds with ``expected_counts()``, independently of the template."""

SEVERITIES = ("high", "medium", "low", "info")
NAME_LENGTH = 60


def account_name(index):
    """A 60-character name, hyphenated but long enough to need wrapping."""
    stem = f"payments-platform-production-eu-central-workload-{index:02d}-"
    return (stem + "x" * NAME_LENGTH)[:NAME_LENGTH]


def finding(code, severity, message, principals=(), accepted=False, reason=None, status="new"):
    return {
        "code": code,
        "severity": severity,
        "message": message,
        "principals": list(principals),
        "accepted": accepted,
        "accepted_reason": reason if accepted else None,
        "status": status,
    }


def account(index):
    account_id = f"{100000000000 + index:012d}"
    role_arn = f"arn:aws:iam::{account_id}:role/ecsInfrastructureRole"
    admin = f"arn:aws:iam::{account_id}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123"
    row = {
        "host": account_id,
        "account_id": account_id,
        "account_name": account_name(index),
        "organizational_unit_path": f"Root/Workloads/Production/Payments-{index % 7:02d}",
        "error": None,
        "role_exists": True,
        "role_arn": role_arn,
        "capabilities": ["service_connect_tls", "volumes"],
        "attached_policies": [
            "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
        ],
        "pass_role_principals": [
            {
                "type": "role",
                "name": f"deploy-pipeline-role-{index:02d}",
                "arn": f"arn:aws:iam::{account_id}:role/deploy-pipeline-role-{index:02d}",
                "classification": "ecs_only",
                "administrator": False,
            },
            {
                "type": "role",
                "name": "AWSReservedSSO_AdministratorAccess_0123",
                "arn": admin,
                "classification": "any_service",
                "administrator": True,
            },
        ],
        "findings": [],
        "highest_severity": "none",
        "regions_scanned": ["eu-west-1", "us-east-1"],
        "regions_unreadable": [],
        "usage": {"services": index % 3, "tasks": 0, "volumes": index % 2},
    }
    kind = index % 6
    if kind == 0:
        row["findings"].append(
            finding(
                "trust_missing_ecs",
                "high",
                "The trust policy does not let ecs.amazonaws.com assume the role: ECS cannot use it.",
            )
        )
        row["findings"].append(
            finding(
                "overprivileged_managed_policy",
                "medium",
                "AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached; it is not one of the "
                "ECS infrastructure policies.",
            )
        )
    elif kind == 1:
        row["findings"].append(
            finding("pass_role_without_service_condition", "medium", "A grant lacks iam:PassedToService.", [admin])
        )
    elif kind == 2:
        row["findings"].append(
            finding(
                "pass_role_administrators",
                "low",
                f"Administrators can pass the role: {admin}.",
                [admin],
                accepted=True,
                reason="AWS SSO administrators (platform team)",
                status="known",
            )
        )
    elif kind == 3:
        row["findings"].append(finding("usage_volumes_unmanaged", "info", "Context only.", status="known"))
    elif kind == 4:
        row["regions_unreadable"] = [
            {
                "region": "ap-southeast-2",
                "error": "Failed to list ECS clusters (UnrecognizedClientException: An error occurred "
                "(UnrecognizedClientException) when calling the ListClusters operation: The security token "
                "included in the request is invalid.)",
            }
        ]
        row["regions_scanned"].append("ap-southeast-2")
        row["findings"].append(
            finding(
                "usage_region_unreadable",
                "low",
                "Region ap-southeast-2 could not be scanned for usage: Failed to list ECS clusters "
                "(UnrecognizedClientException: An error occurred (UnrecognizedClientException) when calling the "
                "ListClusters operation: The security token included in the request is invalid.).",
            )
        )
    open_findings = [f["severity"] for f in row["findings"] if not f["accepted"]]
    row["highest_severity"] = next((s for s in SEVERITIES if s in open_findings), "none")
    if index == 49:  # one account the audit could not assume into
        row.update(
            error="Assume the account's role: Access denied | ...botocore.exceptions.ClientError: AccessDenied",
            role_exists=None,
            role_arn=None,
            capabilities=[],
            attached_policies=[],
            pass_role_principals=[],
            findings=[],
            highest_severity="error",
            regions_scanned=[],
            regions_unreadable=[],
            usage={"services": 0, "tasks": 0, "volumes": 0},
        )
    if index == 46:  # an unreadable region without its finding: the Regions cell says why
        row["findings"] = []
    if index == 5:  # a role missing
        row.update(role_exists=False, role_arn=None, capabilities=[], attached_policies=[], pass_role_principals=[])
    return row


def expected_counts(accounts):
    rows = list(accounts)
    findings = [f for row in rows for f in row["findings"]]
    return {
        "accounts": len(rows),
        "read": len([r for r in rows if r["error"] is None]),
        "errors": len([r for r in rows if r["error"] is not None]),
        "role_present": len([r for r in rows if r["role_exists"] is True]),
        "role_missing": len([r for r in rows if r["role_exists"] is False]),
        "with_findings": len([r for r in rows if r["findings"]]),
        "with_unreadable_regions": len([r for r in rows if r["regions_unreadable"]]),
        "findings": {s: len([f for f in findings if f["severity"] == s]) for s in SEVERITIES},
        "accepted": len([f for f in findings if f["accepted"]]),
        "new": len([f for f in findings if f["status"] == "new"]),
    }


def large_report(count=50, baseline=True):
    accounts = [account(index) for index in range(count)]
    return {
        "generated_at": "2026-12-04T22:00:00Z",
        "role_name": "ecsInfrastructureRole",
        "regions": [],
        "baseline": {
            "source": "s3://audit-bucket/ecs-infrastructure-role-report/latest/report.json",
            "generated_at": "2026-11-27T22:00:00Z",
        }
        if baseline
        else None,
        "summary": expected_counts(accounts),
        "accounts": accounts,
    }
