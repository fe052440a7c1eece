# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's data shaping: rows, accepted principals, baseline keys, the report's counts, the gate."""

import json

import pytest

from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _audit_report as audit

ACCOUNT = "111111111111"
OTHER = "222222222222"
ADMIN = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123"
ORG = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
CI = "arn:aws:iam::111111111111:user/ci"


def finding(code, severity, message, principals=()):
    return {"code": code, "severity": severity, "message": message, "principals": list(principals)}


ADMINS = finding("pass_role_administrators", "low", "2 administrators of the account can pass ...", [ORG, ADMIN])
ANY = finding("pass_role_any_service", "high", "user ci can pass role ...", [CI])
TRUST = finding("trust_missing_ecs", "high", "The trust policy does not let ecs.amazonaws.com assume the role.")


def info(*findings, **extra):
    result = {
        "exists": True,
        "role": {"arn": f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"},
        "capabilities": ["volumes"],
        "attached_policies": ["arn:aws:iam::aws:policy/x"],
        "pass_role_principals": [
            {
                "type": "user",
                "name": "ci",
                "arn": CI,
                "classification": "any_service",
                "administrator": False,
                "grants": [{"via": "inline"}],
                "conditions": [],
            }
        ],
        "usage": {
            "regions": ["us-east-1", "eu-west-1"],
            "unreadable_regions": [{"region": "eu-west-1", "error": "AccessDenied"}],
            "services": [{"arn": "s"}],
            "tasks": [],
            "volumes": [{"volume_id": "v1"}, {"volume_id": "v2"}],
        },
        "findings": list(findings),
    }
    result.update(extra)
    return result


# ---------------------------------------------------------------- accepted principals


@pytest.mark.parametrize(
    "pattern, arn, matches",
    [
        (ORG, ORG, True),
        ("arn:aws:iam::*:role/OrganizationAccountAccessRole", ORG, True),
        ("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*", ADMIN, True),
        ("arn:aws:iam::111111111111:role/*", ADMIN, True),  # * runs across / within the resource part
        ("arn:aws:iam::11111111111?:role/OrganizationAccountAccessRole", ORG, True),
        # case-sensitive, as IAM's ArnLike
        ("arn:aws:iam::111111111111:role/organizationaccountaccessrole", ORG, False),
        # part by part: * does not run across a colon
        ("arn:aws:*", ORG, False),
        ("arn:aws:iam::111111111111:role/Organization", ORG, False),  # the whole part, not a prefix
        ("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", ORG, False),
        ("arn:aws:iam::111111111111:role/[O]rganizationAccountAccessRole", ORG, False),  # [ is a character
        ("arn:aws:iam::111111111111:role/Org.*", ORG, False),  # . is a character
        ("arn:aws:iam::*:*", "*", False),  # a trust policy's * is no ARN
        ("arn:aws:iam::*:*", "999999999999", False),
    ],
)
def test_arn_matches_as_arnlike(pattern, arn, matches):
    assert audit.arn_matches(pattern, arn) is matches


@pytest.mark.parametrize(
    "value, message",
    [
        ("arn:aws:iam::1:role/x", "must be a list of {arn, reason} entries, got str"),
        ({"arn": ORG, "reason": "x"}, "must be a list of {arn, reason} entries, got dict"),
        (["arn:aws:iam::1:role/x"], "[0] must be a dictionary with arn and reason, got str"),
        ([{"arn": ORG}], "[0]: reason is missing or blank"),
        ([{"arn": ORG, "reason": "  "}], "[0]: reason is missing or blank"),
        ([{"arn": ORG, "reason": "ok"}, {"arn": "", "reason": "x"}], "[1]: arn is missing or blank"),
        ([{"arn": 12, "reason": "x"}], "[0]: arn is missing or blank"),
        (
            [{"arn": "OrganizationAccountAccessRole", "reason": "x"}],
            "[0]: arn 'OrganizationAccountAccessRole' is not an ARN pattern",
        ),
        ([{"arn": "arn:aws:iam::1", "reason": "x"}], "is not an ARN pattern"),
        ([{"arn": ORG, "reason": "x", "reasons": "y"}], "[0] has unknown keys reasons"),
    ],
)
def test_bad_accepted_principals_are_refused_naming_the_entry(value, message):
    with pytest.raises(audit.AuditInputError) as e:
        audit.accepted_principals(value)
    assert str(e.value).startswith("ecs_infrastructure_role_accepted_principals")
    assert message in str(e.value)


@pytest.mark.parametrize("value", [None, "", "  ", []])
def test_no_accepted_principals(value):
    assert audit.accepted_principals(value) == []


def test_accepted_principals_are_trimmed():
    assert audit.accepted_principals([{"arn": " " + ORG + " ", "reason": " org access\n"}]) == [
        {"arn": ORG, "reason": "org access"}
    ]


ACCEPTED = [
    {"arn": ORG, "reason": "organization access"},
    {
        "arn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_*",
        "reason": "SSO admins",
    },
    {"arn": "arn:aws:iam::*:role/OrganizationAccount*", "reason": "organization access"},
]


def test_a_finding_is_accepted_only_when_every_principal_it_names_is():
    assert audit.acceptance([ORG, ADMIN], ACCEPTED) == (True, "organization access; SSO admins")
    assert audit.acceptance([ORG, ADMIN, CI], ACCEPTED) == (False, None)
    assert audit.acceptance([ORG], ACCEPTED[1:2]) == (False, None)
    assert audit.acceptance([], ACCEPTED) == (False, None)  # about no principal: never accepted
    assert audit.acceptance([ORG], []) == (False, None)


# ---------------------------------------------------------------- baseline


def test_baseline_keys_are_the_account_code_and_principals_or_else_the_message():
    assert json.loads(audit.finding_key(ACCOUNT, ADMINS)) == [ACCOUNT, "pass_role_administrators", sorted([ORG, ADMIN])]
    reworded = dict(ADMINS, message="3 administrators, in other words")
    assert audit.finding_key(ACCOUNT, reworded) == audit.finding_key(ACCOUNT, ADMINS)
    assert audit.finding_key(ACCOUNT, dict(ADMINS, principals=[ADMIN, ORG])) == audit.finding_key(ACCOUNT, ADMINS)
    assert audit.finding_key(OTHER, ADMINS) != audit.finding_key(ACCOUNT, ADMINS)
    assert audit.finding_key(ACCOUNT, dict(ADMINS, principals=[ORG])) != audit.finding_key(ACCOUNT, ADMINS)
    assert json.loads(audit.finding_key(ACCOUNT, TRUST)) == [ACCOUNT, "trust_missing_ecs", TRUST["message"]]
    # an older report's finding, without principals: the message
    old = {"code": "trust_missing_ecs", "severity": "high", "message": TRUST["message"]}
    assert audit.finding_key(ACCOUNT, old) == audit.finding_key(ACCOUNT, TRUST)


def earlier_report(*rows):
    return {"generated_at": "2026-12-01T10:00:00Z", "accounts": list(rows)}


def test_baseline_from_a_file(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(earlier_report({"account_id": ACCOUNT, "findings": [ADMINS, TRUST]})))
    found = audit.baseline(str(path))
    assert found["source"] == str(path) and found["generated_at"] == "2026-12-01T10:00:00Z"
    assert found["keys"] == sorted([audit.finding_key(ACCOUNT, ADMINS), audit.finding_key(ACCOUNT, TRUST)])
    assert audit.baseline(None) is None and audit.baseline("  ") is None


def test_baseline_from_contents_read_elsewhere():
    text = json.dumps({"accounts": [{"account_id": ACCOUNT, "findings": [ANY]}]})
    found = audit.baseline("s3://bucket/reports/report.json", text)
    assert found == {
        "source": "s3://bucket/reports/report.json",
        "generated_at": None,
        "keys": [audit.finding_key(ACCOUNT, ANY)],
    }
    assert audit.baseline("s3://b/k", json.loads(text))["keys"] == found["keys"]


@pytest.mark.parametrize(
    "contents, message",
    [
        ("not json", "is not JSON"),
        ("[1, 2]", "is not a report.json of the audit (no list of accounts)"),
        ('{"accounts": "all"}', "(no list of accounts)"),
        ('{"accounts": [{"findings": []}]}', "accounts[0] has no account_id or no list of findings"),
        ('{"accounts": [{"account_id": "1", "findings": [{"severity": "high"}]}]}', "a finding without a code"),
    ],
)
def test_a_baseline_that_is_not_a_report_is_refused(tmp_path, contents, message):
    path = tmp_path / "report.json"
    path.write_text(contents)
    with pytest.raises(audit.AuditInputError) as e:
        audit.baseline(str(path))
    assert str(e.value).startswith(f"ecs_infrastructure_role_report_baseline: {path} ")
    assert message in str(e.value)


def test_a_missing_baseline_is_refused(tmp_path):
    with pytest.raises(
        audit.AuditInputError, match=r"^ecs_infrastructure_role_report_baseline: cannot read .*missing.json"
    ):
        audit.baseline(str(tmp_path / "missing.json"))
    with pytest.raises(audit.AuditInputError, match="was not read from S3"):
        audit.baseline("s3://bucket/key")


# ---------------------------------------------------------------- rows and the report


def test_row_from_the_info_result():
    row = audit.row(
        info(ANY, {"code": "x", "message": "no severity"}),
        "prod",
        {"aws_account_id": ACCOUNT, "aws_account_name": "Prod", "aws_organizational_unit_path": "Workloads/Prod"},
    )
    assert row == {
        "host": "prod",
        "account_id": ACCOUNT,
        "account_name": "Prod",
        "organizational_unit_path": "Workloads/Prod",
        "error": None,
        "role_exists": True,
        "role_arn": "arn:aws:iam::111111111111:role/ecsInfrastructureRole",
        "capabilities": ["volumes"],
        "attached_policies": ["arn:aws:iam::aws:policy/x"],
        "pass_role_principals": [
            {"type": "user", "name": "ci", "arn": CI, "classification": "any_service", "administrator": False}
        ],
        "findings": [ANY, finding("x", "high", "no severity")],  # no severity counts as high
        "highest_severity": "high",
        "regions_scanned": ["us-east-1", "eu-west-1"],
        "regions_unreadable": [{"region": "eu-west-1", "error": "AccessDenied"}],
        "usage": {"services": 1, "tasks": 0, "volumes": 2},
    }


def test_row_of_an_account_not_read():
    row = audit.row(
        {"failed": True, "msg": "x"},
        "broken",
        {"ecs_infrastructure_role_assume_role_arn": "arn:aws:iam::333333333333:role/R"},
        "Assume: denied",
    )
    assert row["account_id"] == "333333333333" and row["account_name"] == "broken"
    assert row["error"] == "Assume: denied" and row["highest_severity"] == "error"
    assert (
        row["role_exists"] is None
        and row["findings"] == []
        and row["usage"] == {"services": 0, "tasks": 0, "volumes": 0}
    )
    # no account in any variable or ARN: the host's name
    assert audit.row(None, "h", None, audit.NO_RESULT)["account_id"] == "h"
    # the account of the role's ARN, without inventory variables
    assert audit.row(info(), "h")["account_id"] == ACCOUNT


def test_row_without_the_classification_lists_the_grant_holders():
    row = audit.row({"exists": True, "pass_role": {"users": ["u"], "roles": ["r"]}, "findings": []}, "h")
    assert [(p["type"], p["name"], p["arn"]) for p in row["pass_role_principals"]] == [
        ("user", "u", None),
        ("role", "r", None),
    ]
    assert row["highest_severity"] == "none"


def rows():
    return [
        audit.row(info(ADMINS, ANY, TRUST), "b", {"aws_account_id": ACCOUNT}),
        audit.row(info(ADMINS), "c", {"aws_account_id": OTHER}),
        audit.row(None, "a", {"aws_account_id": "000000000000"}, "no credentials"),
    ]


def test_report_without_accepted_principals_or_baseline():
    report = audit.report(rows(), regions=["us-east-1"], generated_at="2026-12-04T22:00:00Z")
    assert [r["host"] for r in report["accounts"]] == ["a", "b", "c"]  # by account ID
    assert report["generated_at"] == "2026-12-04T22:00:00Z" and report["role_name"] == "ecsInfrastructureRole"
    assert report["regions"] == ["us-east-1"] and report["baseline"] is None
    findings = [f for r in report["accounts"] for f in r["findings"]]
    assert all(f["status"] == "new" and f["accepted"] is False and f["accepted_reason"] is None for f in findings)
    assert report["summary"] == {
        "accounts": 3,
        "read": 2,
        "errors": 1,
        "role_present": 2,
        "role_missing": 0,
        "with_findings": 2,
        "with_unreadable_regions": 2,
        "findings": {"high": 2, "medium": 0, "low": 2, "info": 0},
        "accepted": 0,
        "new": 4,
    }
    assert [r["highest_severity"] for r in report["accounts"]] == ["error", "high", "low"]
    assert audit.report([], regions=None)["regions"] == []  # every enabled region


def test_a_host_without_a_row_is_an_error_row():
    report = audit.report({"z": None, "b": rows()[0]})
    assert [(r["host"], r["error"]) for r in report["accounts"]] == [("b", None), ("z", audit.NO_RESULT)]
    assert report["accounts"][1]["highest_severity"] == "error" and report["summary"]["errors"] == 1


def test_accepted_findings_are_shown_counted_and_left_out_of_the_highest_severity_and_the_gate():
    accepted = [{"arn": "arn:aws:iam::*:role/*", "reason": "roles of the organization"}, {"arn": CI, "reason": "CI"}]
    report = audit.report(rows(), accepted)
    by_host = {r["host"]: r for r in report["accounts"]}
    marks = [(f["code"], f["accepted"], f["accepted_reason"]) for f in by_host["b"]["findings"]]
    assert marks == [
        ("pass_role_administrators", True, "roles of the organization"),
        ("pass_role_any_service", True, "CI"),
        ("trust_missing_ecs", False, None),  # about no principal
    ]
    assert by_host["b"]["highest_severity"] == "high"  # the trust finding
    assert by_host["c"]["highest_severity"] == "none"  # its only finding is accepted
    assert report["summary"]["accepted"] == 3
    assert report["summary"]["findings"] == {"high": 2, "medium": 0, "low": 2, "info": 0}  # all findings
    assert audit.gate(report, "high", False) == [
        "1 finding(s) of severity high or worse (ecs_infrastructure_role_audit_fail_on_severity)"
    ]
    assert audit.gate(report, "low", True) == [
        "1 account(s) not readable (ecs_infrastructure_role_audit_fail_on_unreadable)",
        "1 finding(s) of severity low or worse (ecs_infrastructure_role_audit_fail_on_severity)",
    ]
    everything = audit.report(rows(), accepted + [{"arn": "arn:aws:iam::*:*", "reason": "r"}])
    assert audit.gate(everything, "high", True) == [
        "1 account(s) not readable (ecs_infrastructure_role_audit_fail_on_unreadable)",
        "1 finding(s) of severity high or worse (ecs_infrastructure_role_audit_fail_on_severity)",
    ]  # the trust finding names no principal: it cannot be accepted
    assert audit.gate(report, "none", False) == []


def test_new_and_known_findings_against_a_baseline():
    base = audit.baseline("s3://b/k", audit.report(rows()))
    report = audit.report(rows(), baseline_data=base)
    assert report["baseline"] == {"source": "s3://b/k", "generated_at": None}
    assert report["summary"]["new"] == 0
    assert all(f["status"] == "known" for r in report["accounts"] for f in r["findings"])

    newer = rows()
    newer[1]["findings"] = [dict(ADMINS, message="3 administrators: reworded"), dict(ANY, principals=[CI + "2"])]
    report = audit.report(newer, baseline_data=base)
    marks = {r["host"]: [(f["code"], f["status"]) for f in r["findings"]] for r in report["accounts"]}
    # the same administrators in another account (c) are known there; a principal not seen before is new
    assert marks["c"] == [("pass_role_administrators", "known"), ("pass_role_any_service", "new")]
    assert report["summary"]["new"] == 1


def test_bad_input_to_the_report_and_the_gate():
    with pytest.raises(audit.AuditInputError, match="ecs_infrastructure_role_accepted_principals"):
        audit.report(rows(), "arn:aws:iam::1:role/x")
    with pytest.raises(audit.AuditInputError, match="must be one of high, medium, low, info, none; got 'critical'"):
        audit.gate(audit.report(rows()), "critical")
    assert audit.severity_levels(" MEDIUM ") == ["high", "medium"]
    assert audit.severity_levels("none") == []


def test_mark_findings_for_the_role():
    marked = audit.mark_findings([ADMINS, TRUST], ACCOUNT, [{"arn": "arn:aws:iam::*:role/*", "reason": "r"}], None)
    assert [(f["accepted"], f["status"]) for f in marked] == [(True, "new"), (False, "new")]
    known = [audit.finding_key(ACCOUNT, TRUST)]
    assert [f["status"] for f in audit.mark_findings([ADMINS, TRUST], ACCOUNT, None, known)] == ["new", "known"]
    assert audit.blocking(
        audit.mark_findings([ADMINS, TRUST], ACCOUNT, [{"arn": "arn:aws:iam::*:role/*", "reason": "r"}]), "info"
    ) == [dict(TRUST, accepted=False, accepted_reason=None, status="new")]


def test_messages_name_the_type_the_user_gave_not_a_templating_subclass():
    tagged = type("_AnsibleTaggedStr", (str,), {})  # what ansible-core 2.19 hands a filter
    with pytest.raises(audit.AuditInputError, match="entries, got str$"):
        audit.accepted_principals(tagged("arn:aws:iam::1:role/x"))
