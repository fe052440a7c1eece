# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's data, shaped on the controller: one account's row from the info module's result, the
whole report (report.json) from the rows, accepted principals and a baseline, and the fail gate. Pure
logic (no Ansible, no boto3): the filters in plugins/filter/audit_report.py call it, for the audit
playbook and for the role's verify phase alike.

Accepted principals (``ecs_infrastructure_role_accepted_principals``) are ``{arn, reason}``; ``arn`` is
matched as IAM's ``ArnLike`` matches: each of the six colon-separated parts of the ARN on its own,
case-sensitively, ``*`` any run of characters and ``?`` one character within that part. A finding is
accepted when it names principals and every one of them matches an entry.

A finding's baseline key is the account ID, the code and the sorted principal ARNs; for a finding about
no principal, the message instead (so a reworded finding that names principals stays known, and one
that names none is new when its text changes)."""

import json
import os
import re
from collections.abc import Mapping

from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals
from ansible_collections.ecs_tools.iam.plugins.module_utils._findings import SEVERITIES

ACCEPTED_VARIABLE = "ecs_infrastructure_role_accepted_principals"
BASELINE_VARIABLE = "ecs_infrastructure_role_report_baseline"
NO_RESULT = "no result (the host failed before its entry was built)"


class AuditInputError(ValueError):
    """Bad input to the audit (accepted principals, baseline, threshold): the message names the variable."""


def plain(value):
    """``value`` as plain dicts and lists: templating engines hand over their own containers (ansible-core
    2.19's lazy ones cannot be rebuilt by their type, as ``wrap_var`` does with a sequence)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# ---------------------------------------------------------------- accepted principals


def _kind(value):
    """The name of ``value``'s type as the user knows it (ansible-core 2.19 hands over tagged subclasses)."""
    for kind in (bool, str, int, float, dict, list, tuple):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def accepted_principals(value, name=ACCEPTED_VARIABLE):
    """``value`` checked: a list of ``{arn, reason}`` (strings, neither blank; ``arn`` an ARN pattern).
    None or a blank string: no entry. Returns the entries trimmed."""
    if _blank(value):
        return []
    value = plain(value)
    if not isinstance(value, (list, tuple)):
        raise AuditInputError(f"{name} must be a list of {{arn, reason}} entries, got {_kind(value)}")
    entries = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise AuditInputError(f"{where} must be a dictionary with arn and reason, got {_kind(item)}")
        unknown = sorted(str(key) for key in item if key not in ("arn", "reason"))
        if unknown:
            raise AuditInputError(f"{where} has unknown keys {', '.join(unknown)}; an entry has arn and reason")
        for key in ("arn", "reason"):
            if _blank(item.get(key)) or not isinstance(item.get(key), str):
                raise AuditInputError(f"{where}: {key} is missing or blank; each entry needs an arn and a reason")
        arn = item["arn"].strip()
        if not arn.startswith("arn:") or len(arn.split(":", 5)) != 6:
            raise AuditInputError(
                f"{where}: arn {arn!r} is not an ARN pattern (arn:partition:service:region:account:resource, "
                "* and ? allowed within each part)"
            )
        entries.append({"arn": arn, "reason": item["reason"].strip()})
    return entries


def _part_pattern(part):
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part), re.DOTALL)


def arn_matches(pattern, arn):
    """Whether ``arn`` matches ``pattern`` as IAM's ``ArnLike`` does: part by part, case-sensitively."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return False
    parts = arn.split(":", 5)
    wanted = pattern.split(":", 5)
    if len(parts) != 6 or len(wanted) != 6:
        return False
    return all(_part_pattern(w).fullmatch(p) for w, p in zip(wanted, parts, strict=True))


def acceptance(principals, accepted):
    """``(accepted, reason)`` of a finding that names ``principals``: accepted when it names some and
    every one matches an entry of ``accepted``; the reason joins the matching entries' reasons."""
    if not principals or not accepted:
        return False, None
    reasons = []
    for arn in principals:
        matching = [entry["reason"] for entry in accepted if arn_matches(entry["arn"], arn)]
        if not matching:
            return False, None
        reasons.extend(r for r in matching if r not in reasons)
    return True, "; ".join(reasons)


# ---------------------------------------------------------------- baseline


def finding_key(account_id, finding):
    """The key by which a finding is the same in two reports (see the module docstring)."""
    principals = sorted(str(p) for p in finding.get("principals") or [])
    what = principals if principals else finding.get("message") or ""
    return json.dumps([str(account_id), finding.get("code") or "", what])


def _read(source):
    path = os.path.expanduser(source)
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise AuditInputError(f"{BASELINE_VARIABLE}: cannot read {source}: {e}") from None


def baseline(source, contents=None):
    """The earlier report at ``source`` (a path, read here; or an ``s3://`` URL whose ``contents`` the
    caller read), checked: ``{source, generated_at, keys}`` with the sorted keys of its findings.
    None or blank ``source``: None."""
    if _blank(source):
        return None
    if not isinstance(source, str):
        raise AuditInputError(f"{BASELINE_VARIABLE} must be a path or an s3://bucket/key URL, got {_kind(source)}")
    source = source.strip()
    if source.startswith("s3://"):
        if contents is None:
            raise AuditInputError(f"{BASELINE_VARIABLE}: {source} was not read from S3")
    elif contents is None:
        contents = _read(source)
    if isinstance(contents, (bytes, bytearray)):
        contents = contents.decode("utf-8", "replace")
    if isinstance(contents, str):
        try:
            data = json.loads(contents)
        except ValueError as e:
            raise AuditInputError(f"{BASELINE_VARIABLE}: {source} is not JSON ({e})") from None
    else:
        data = plain(contents)
    not_report = "{0}: {1} is not a report.json of the audit ({2})".format(BASELINE_VARIABLE, source, "{0}")
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise AuditInputError(not_report.format("no list of accounts"))
    keys = set()
    for index, row in enumerate(data["accounts"]):
        if not isinstance(row, dict) or "account_id" not in row or not isinstance(row.get("findings"), list):
            raise AuditInputError(not_report.format(f"accounts[{index}] has no account_id or no list of findings"))
        for finding in row["findings"]:
            if not isinstance(finding, dict) or not finding.get("code"):
                raise AuditInputError(not_report.format(f"accounts[{index}] has a finding without a code"))
            keys.add(finding_key(row["account_id"], finding))
    generated_at = data.get("generated_at")
    return {
        "source": source,
        "generated_at": generated_at if isinstance(generated_at, str) else None,
        "keys": sorted(keys),
    }


# ---------------------------------------------------------------- findings and rows


def _finding(raw):
    raw = raw if isinstance(raw, dict) else {}
    severity = raw.get("severity") or "high"  # a finding without a severity counts as high
    return {
        "code": raw.get("code") or "",
        "severity": severity,
        "message": raw.get("message") or "",
        "principals": sorted(str(p) for p in raw.get("principals") or []),
    }


def mark_findings(findings, account_id, accepted=None, known=None):
    """``findings`` with ``principals``, ``accepted``, ``accepted_reason`` and ``status`` (``known``
    when its key is in the baseline's ``known`` keys, else ``new``)."""
    known = set(known or [])
    marked = []
    for raw in plain(findings) or []:
        item = _finding(raw)
        item["accepted"], item["accepted_reason"] = acceptance(item["principals"], accepted or [])
        item["status"] = "known" if finding_key(account_id, item) in known else "new"
        marked.append(item)
    return marked


def highest_severity(row):
    """``error`` for an account not read, else the worst severity of its findings that are not accepted."""
    if row.get("error") is not None:
        return "error"
    present = {f["severity"] for f in row.get("findings") or [] if not f.get("accepted")}
    return next((s for s in SEVERITIES if s in present), "none")


def _account_from_arn(arn):
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def row(info, host, variables=None, error=None):
    """One account's entry of the report: ``info`` the info module's result (None or {} when it did
    not run), ``variables`` the host's (aws_account_id, aws_account_name, aws_organizational_unit_path,
    ecs_infrastructure_role_assume_role_arn), ``error`` why it could not be read (None when it was)."""
    info = plain(info) if isinstance(info, Mapping) else {}
    variables = plain(variables) or {}
    role = info.get("role") or {}
    usage = info.get("usage") or {}
    account_id = variables.get("aws_account_id")
    if account_id in (None, ""):
        account_id = (
            _account_from_arn(role.get("arn"))
            or _account_from_arn(variables.get("ecs_infrastructure_role_assume_role_arn"))
            or host
        )
    if info.get("pass_role_principals") is not None:
        principals = [
            {key: p.get(key) for key in ("type", "name", "arn", "classification", "administrator")}
            for p in info["pass_role_principals"]
        ]
    else:  # an info result without the classification (an older module): the grant's holders
        grant = info.get("pass_role") or {}
        principals = [
            {"type": kind.type, "name": name, "arn": None, "classification": None, "administrator": None}
            for kind in _principals.KINDS
            for name in grant.get(kind.list_name) or []
        ]
    entry = {
        "host": host,
        "account_id": str(account_id),
        "account_name": variables.get("aws_account_name") or host,
        "organizational_unit_path": variables.get("aws_organizational_unit_path") or "",
        "error": None if _blank(error) else str(error),
        "role_exists": info.get("exists"),
        "role_arn": role.get("arn"),
        "capabilities": list(info.get("capabilities") or []),
        "attached_policies": list(info.get("attached_policies") or []),
        "pass_role_principals": principals,
        "findings": [_finding(f) for f in info.get("findings") or []],
        "regions_scanned": list(usage.get("regions") or []),
        "regions_unreadable": [
            {"region": str(r.get("region", "")), "error": str(r.get("error", ""))}
            if isinstance(r, dict)
            else {"region": str(r), "error": ""}
            for r in usage.get("unreadable_regions") or []
        ],
        "usage": {key: len(usage.get(key) or []) for key in ("services", "tasks", "volumes")},
    }
    entry["highest_severity"] = highest_severity(entry)
    return entry


# ---------------------------------------------------------------- the report and its gate


def report(rows, accepted=None, baseline_data=None, regions=None, role_name="ecsInfrastructureRole", generated_at=None):
    """report.json: the rows (sorted by account ID) with their findings marked, and the summary.
    ``rows``: a list of rows, or a mapping of host to its row, None for a host that has none (it failed
    before its row was built: an error row)."""
    accepted = accepted_principals(accepted)
    known = (baseline_data or {}).get("keys") if baseline_data else None
    rows = plain(rows)
    if isinstance(rows, dict):
        rows = [item or row(None, host, None, NO_RESULT) for host, item in rows.items()]
    accounts = []
    for item in rows or []:
        item = dict(item)
        item["findings"] = mark_findings(item.get("findings"), item.get("account_id"), accepted, known)
        item["highest_severity"] = highest_severity(item)
        accounts.append(item)
    accounts.sort(key=lambda r: (str(r.get("account_id")), str(r.get("host"))))
    findings = [f for r in accounts for f in r["findings"]]
    summary = {
        "accounts": len(accounts),
        "read": len([r for r in accounts if r.get("error") is None]),
        "errors": len([r for r in accounts if r.get("error") is not None]),
        "role_present": len([r for r in accounts if r.get("role_exists") is True]),
        "role_missing": len([r for r in accounts if r.get("role_exists") is False]),
        "with_findings": len([r for r in accounts if r["findings"]]),
        "with_unreadable_regions": len([r for r in accounts if r.get("regions_unreadable")]),
        "findings": {s: len([f for f in findings if f["severity"] == s]) for s in SEVERITIES},
        "accepted": len([f for f in findings if f["accepted"]]),
        "new": len([f for f in findings if f["status"] == "new"]),
    }
    return {
        "generated_at": generated_at,
        "role_name": role_name,
        "regions": list(regions or []),
        "baseline": (
            {"source": baseline_data["source"], "generated_at": baseline_data.get("generated_at")}
            if baseline_data
            else None
        ),
        "summary": summary,
        "accounts": accounts,
    }


def severity_levels(threshold, name="fail_on_severity"):
    """The severities at or above ``threshold`` (``none``: no severity)."""
    value = str(threshold if threshold is not None else "high").strip().lower() or "high"
    if value == "none":
        return []
    if value not in SEVERITIES:
        raise AuditInputError(f"{name} must be one of {', '.join(SEVERITIES)}, none; got {threshold!r}")
    return list(SEVERITIES[: SEVERITIES.index(value) + 1])


def blocking(findings, threshold, name="fail_on_severity"):
    """The findings that fail a gate at ``threshold``: at or above it and not accepted."""
    levels = severity_levels(threshold, name)
    return [f for f in findings or [] if (f.get("severity") or "high") in levels and not f.get("accepted")]


def gate(report_data, fail_on_severity="high", fail_on_unreadable=True):
    """Why the audit fails (an empty list: it does not)."""
    name = "ecs_infrastructure_role_audit_fail_on_severity"
    reasons = []
    errors = report_data["summary"]["errors"]
    if fail_on_unreadable and errors:
        reasons.append(f"{errors} account(s) not readable (ecs_infrastructure_role_audit_fail_on_unreadable)")
    gated = blocking([f for r in report_data["accounts"] for f in r["findings"]], fail_on_severity, name)
    if gated:
        reasons.append(f"{len(gated)} finding(s) of severity {str(fail_on_severity).strip().lower()} or worse ({name})")
    return reasons
