# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What is wrong in the role's own documents: its trust policy, the AWS managed policies attached to it,
and the collection's PassRole grant. Pure: no boto3.
"""

import json

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _policy_eval
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import ECS_SERVICE_PRINCIPAL
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import PASS_ROLE
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import PASSED_TO_SERVICE
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict
from ansible_collections.ecs_tools.iam.plugins.module_utils._findings import finding


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _matches(patterns, action):
    return any(_policy_eval.action_pattern(p).matches(action) for p in patterns)


def _statements(document):
    document = as_dict(document) or {}
    return _as_list(document.get("Statement"))


_ASSUME = "sts:AssumeRole"


def _trust_principals(statement):
    if "NotPrincipal" in statement:
        return ["everyone except " + json.dumps(statement["NotPrincipal"], sort_keys=True)]
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    found = []
    for kind, values in sorted((principal or {}).items()):
        for value in _as_list(values):
            found.append("*" if value == "*" else f"{kind} {value}")
    return found


def _trust_principal_values(statement):
    """The values of a statement's principals (without their kind), for a finding's ``principals``."""
    if "NotPrincipal" in statement:
        return ["*"]  # everyone but some: not one principal that could be accepted
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return ["*"]
    return [
        str(value)
        for kind, values in sorted(principal.items())
        for value in _as_list(values)
        if not (kind == "Service" and value == ECS_SERVICE_PRINCIPAL)
    ]


def _trust_actions(statement):
    if "NotAction" in statement:
        return ["every action except " + ", ".join(str(a) for a in _as_list(statement["NotAction"]))]
    return [str(a) for a in _as_list(statement.get("Action"))]


def _lets_ecs_assume(statement):
    if "NotAction" in statement:
        return not _matches(_as_list(statement["NotAction"]), _ASSUME)
    return _matches(_as_list(statement.get("Action")), _ASSUME)


def _is_documented(statement):
    """The documented ECS statement; a Condition on it only narrows it."""
    principal = statement.get("Principal")
    return (
        statement.get("Effect") == "Allow"
        and "NotPrincipal" not in statement
        and "NotAction" not in statement
        and isinstance(principal, dict)
        and list(principal) == ["Service"]
        and _as_list(principal["Service"]) == [ECS_SERVICE_PRINCIPAL]
        and [str(a).lower() for a in _as_list(statement.get("Action"))] == [_ASSUME.lower()]
    )


def _covers_ecs(statement):
    """Whether the statement's principals include the ECS service: ``*`` (or ``AWS: *``), the ECS
    service principal, or a ``NotPrincipal`` that does not exclude it (``Deny`` with
    ``NotPrincipal: {AWS: x}`` applies to everyone but ``x``, ECS included)."""
    if "NotPrincipal" in statement:
        excluded = statement["NotPrincipal"]
        if not isinstance(excluded, dict):
            return excluded != "*"
        return ECS_SERVICE_PRINCIPAL not in [str(s).lower() for s in _as_list(excluded.get("Service"))]
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return "*" in _as_list(principal.get("AWS")) or ECS_SERVICE_PRINCIPAL in _as_list(principal.get("Service"))


def _statement_name(statement, index):
    if statement.get("Sid"):
        return f"statement {statement['Sid']!r}"
    return f"statement {index + 1}"


def trust_findings(document, partition=None, account_id=None):
    """Every way into the role other than the documented ECS statement: other principals (services,
    accounts, ``*``, federated OIDC and SAML providers) and other ``sts:`` actions, one finding per
    statement; and whether ECS can assume the role at all (an unconditional ``Deny`` of ``sts:AssumeRole``
    to ``*``, to ECS, or to everyone but some other principal through ``NotPrincipal``, shuts it out).
    With ``account_id``, confused-deputy conditions (``aws:SourceAccount``, ``aws:SourceArn``) on the ECS
    statement that name anything but this account shut ECS out too, for this account's resources."""
    ecs_principal = "Service " + ECS_SERVICE_PRINCIPAL
    ecs_can_assume = False
    ecs_denied = []
    restricted = []
    found = []
    for index, statement in enumerate(_statements(document)):
        if not isinstance(statement, dict):
            continue
        principals = _trust_principals(statement)
        if statement.get("Effect") == "Deny":
            if not statement.get("Condition") and _lets_ecs_assume(statement) and _covers_ecs(statement):
                ecs_denied.append(_statement_name(statement, index))
            continue
        if statement.get("Effect") != "Allow":
            continue
        if _is_documented(statement):
            foreign = _documents.trust_hardening(_doc_of(statement), partition, account_id)["foreign"]
            if account_id and foreign:
                restricted.extend(foreign)  # confused-deputy conditions naming another account
            else:
                ecs_can_assume = True
            continue
        if _covers_ecs(statement) and _lets_ecs_assume(statement):
            ecs_can_assume = True
        actions = _trust_actions(statement)
        others = [p for p in principals if p != ecs_principal]
        conditions = sorted(
            f"{operator} {key}"
            for operator, block in (statement.get("Condition") or {}).items()
            if isinstance(block, dict)
            for key in block
        )
        when = " when " + ", ".join(conditions) if conditions else ""
        if others:
            found.append(
                finding(
                    "trust_extra_principal",
                    "Trust policy {0} lets {1} into the role ({2}){3}; only {4} should assume it "
                    "(sts:AssumeRole).".format(
                        _statement_name(statement, index),
                        ", ".join(others),
                        ", ".join(actions),
                        when,
                        ECS_SERVICE_PRINCIPAL,
                    ),
                    principals=_trust_principal_values(statement),
                )
            )
        elif ecs_principal in principals:
            extra = [a for a in actions if a.lower() != _ASSUME.lower()]
            found.append(
                finding(
                    "trust_extra_action",
                    "Trust policy {0} also allows {1} {2}; the documented policy allows only sts:AssumeRole.".format(
                        _statement_name(statement, index), ECS_SERVICE_PRINCIPAL, ", ".join(extra)
                    ),
                )
            )
    if restricted and not ecs_can_assume and not ecs_denied:
        found.insert(
            0,
            finding(
                "trust_missing_ecs",
                "The trust policy lets {0} assume the role only when {1}, which does not name this account "
                "{2}: ECS cannot use the role for this account's clusters and tasks.".format(
                    ECS_SERVICE_PRINCIPAL, "; ".join(sorted(restricted)), account_id
                ),
            ),
        )
    elif not ecs_can_assume or ecs_denied:
        denied = f" ({', '.join(ecs_denied)} denies it sts:AssumeRole)" if ecs_denied else ""
        found.insert(
            0,
            finding(
                "trust_missing_ecs",
                f"The trust policy does not let {ECS_SERVICE_PRINCIPAL} assume the role{denied}: ECS cannot use it.",
            ),
        )
    return found


def _doc_of(statement):
    return {"Version": "2012-10-17", "Statement": [statement]}


def trust_hardened(document, partition, account_id):
    """Whether the trust policy carries confused-deputy conditions (``aws:SourceAccount``,
    ``aws:SourceArn``) that name this account on its ECS statement, and none naming anything else."""
    hardening = _documents.trust_hardening(document, partition, account_id)
    return bool(hardening["keys"]) and not hardening["foreign"]


def attachment_findings(attached_arns, partition):
    """AWS managed policies attached that are not ECS infrastructure policies (over-privileged role)."""
    known = set(_catalog.capability_arns(_catalog.CAPABILITY_NAMES, partition).values())
    aws_prefix = f"arn:{partition}:iam::aws:policy/"
    message = "AWS managed policy {0} is attached; it is not one of the ECS infrastructure policies."
    extra = [arn for arn in sorted(attached_arns) if arn.startswith(aws_prefix) and arn not in known]
    return [finding("overprivileged_managed_policy", message.format(arn)) for arn in extra]


def grant_findings(documents, where):
    """PassRole statements in the collection's own grant that lack the condition or use a wildcard."""
    found = []
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") != "Allow" or not _matches(_as_list(statement.get("Action")), PASS_ROLE):
                continue
            condition = statement.get("Condition") or {}
            passed_to = [
                value
                for operator in condition.values()
                if isinstance(operator, dict)
                for key, value in operator.items()
                if key.lower() == PASSED_TO_SERVICE.lower()
            ]
            if not passed_to:
                found.append(
                    finding(
                        "pass_role_without_condition",
                        f"{where} grants iam:PassRole without the iam:PassedToService condition.",
                    )
                )
            if any("*" in str(r) for r in _as_list(statement.get("Resource"))):
                found.append(
                    finding("pass_role_wildcard_resource", f"{where} grants iam:PassRole on a wildcard resource.")
                )
    return found


def not_owned_findings(descriptions):
    """One ``pass_role_not_owned`` finding per object that is named like the grant but not the
    collection's own (``descriptions``: ``_grants.describe_foreign`` of each)."""
    return [
        finding(
            "pass_role_not_owned",
            f"The {description} is named like the collection's PassRole grant but is not its own; "
            "ecs_tools.iam.ecs_infrastructure_role refuses to manage grants under this name.",
        )
        for description in descriptions
    ]
