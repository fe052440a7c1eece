# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Policy documents the collection writes, and how it compares them. Pure: no boto3."""

import copy
import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

ECS_SERVICE_PRINCIPAL = "ecs.amazonaws.com"
# What a PassRole grant allows and the condition key that scopes it to one service: the grant document
# below, its findings (``_role_findings``) and "who can pass the role" (``_pass_role_exposure``) read these.
PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:PassedToService"

# Exactly as AWS documents it for the ECS infrastructure role.
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAccessToECSForInfrastructureManagement",
            "Effect": "Allow",
            "Principal": {"Service": ECS_SERVICE_PRINCIPAL},
            "Action": "sts:AssumeRole",
        }
    ],
}


def passrole_document(role_arn):
    """The one-statement grant: pass exactly this role, and only to ECS.

    Every PassRole grant the collection writes comes from here, so none can lack the
    ``iam:PassedToService`` condition or name a wildcard resource.
    """
    if not role_arn or "*" in role_arn or "?" in role_arn or ":role/" not in role_arn:
        raise ValueError(f"A PassRole grant needs the role's exact ARN, got {role_arn!r}")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": PASS_ROLE,
                "Resource": role_arn,
                "Condition": {"StringEquals": {PASSED_TO_SERVICE: ECS_SERVICE_PRINCIPAL}},
            }
        ],
    }


def trust_policy(source_account=None, keep=None):
    """A fresh copy of the documented trust policy (callers may mutate it). ``source_account``: add
    ``StringEquals aws:SourceAccount <account>`` to the ECS statement (option ``trust_source_account``);
    ``keep``: a Condition of accepted hardening (``trust_hardening``'s ``kept``) to carry over."""
    document = copy.deepcopy(TRUST_POLICY)
    condition = copy.deepcopy(keep or {})
    if source_account:
        block = condition.setdefault(_SOURCE_ACCOUNT_OPERATOR, {})
        for key in [k for k in block if k.lower() == SOURCE_ACCOUNT.lower()]:
            del block[key]
        block[SOURCE_ACCOUNT] = source_account
    if condition:
        document["Statement"][0]["Condition"] = condition
    return document


# ---------------------------------------------------------------- trust hardening

# AWS's general confused-deputy guidance for service principals: conditions on the account (and the
# resource) the service acts for. A trust statement that differs from the documented one only by these,
# naming the role's own account, is hardened, not drifted.
SOURCE_ACCOUNT = "aws:SourceAccount"
SOURCE_ARN = "aws:SourceArn"
_SOURCE_ACCOUNT_OPERATOR = "StringEquals"
_HARDENING_OPERATORS = {
    SOURCE_ACCOUNT.lower(): ("StringEquals", "StringLike"),
    SOURCE_ARN.lower(): ("ArnEquals", "ArnLike", "StringEquals", "StringLike"),
}


def _names_account(key, value, partition, account_id):
    """Whether one condition value names this account only: the account id itself for
    aws:SourceAccount; for aws:SourceArn an ECS ARN (or ``*`` service) in this partition and account,
    such as ``arn:<partition>:ecs:*:<account>:*``."""
    if not isinstance(value, str):
        return False
    if key == SOURCE_ACCOUNT.lower():
        return value == account_id
    parts = value.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[1] == partition
        and parts[2] in ("ecs", "*")
        and parts[4] == account_id
    )


def _has_wildcard(value):
    """StringEquals compares literally: ``arn:aws:ecs:*:<account>:*`` under it matches no real ARN and
    shuts ECS out. Wildcards belong under StringLike, ArnLike or ArnEquals."""
    return isinstance(value, str) and ("*" in value or "?" in value)


def trust_hardening(document, partition=None, account_id=None):
    """The confused-deputy conditions of the trust policy's ECS statements (Allow, Principal exactly the
    ECS service). Returns ``{"kept": Condition, "keys": [...], "foreign": [...]}``: ``kept`` holds the
    aws:SourceAccount / aws:SourceArn conditions that name this account only (so the module keeps them),
    ``keys`` their condition keys, ``foreign`` a text for each that names something else (another account,
    another partition, a service other than ECS): such a condition is drift, and ECS may not be able to use
    the role for this account. Without ``account_id`` nothing is kept."""
    kept, keys, foreign = {}, set(), []
    for statement in _trust_statements(document):
        if not _is_ecs_allow(statement):
            continue
        for operator, block in (statement.get("Condition") or {}).items():
            if not isinstance(block, dict):
                continue
            for key, value in block.items():
                folded = key.lower()
                if folded not in _HARDENING_OPERATORS:
                    continue
                values = value if isinstance(value, list) else [value]
                if (
                    account_id
                    and operator in _HARDENING_OPERATORS[folded]
                    and values
                    and all(_names_account(folded, v, partition, account_id) for v in values)
                    and not (operator == "StringEquals" and any(_has_wildcard(v) for v in values))
                ):
                    kept.setdefault(operator, {})[key] = copy.deepcopy(value)
                    keys.add(SOURCE_ACCOUNT if folded == SOURCE_ACCOUNT.lower() else SOURCE_ARN)
                else:
                    foreign.append(f"{operator} {key} {json.dumps(value, sort_keys=True)}")
    return {"kept": kept, "keys": sorted(keys), "foreign": sorted(foreign)}


def _trust_statements(document):
    document = as_dict(document) or {}
    statements = document.get("Statement") or []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _is_ecs_allow(statement):
    principal = statement.get("Principal")
    if statement.get("Effect") != "Allow" or not isinstance(principal, dict) or list(principal) != ["Service"]:
        return False
    services = principal["Service"] if isinstance(principal["Service"], list) else [principal["Service"]]
    return services == [ECS_SERVICE_PRINCIPAL]


def _without_hardening(document, kept):
    """``document`` with the ``kept`` conditions taken out of its ECS statements."""
    document = copy.deepcopy(as_dict(document))
    for statement in _trust_statements(document):
        condition = statement.get("Condition")
        if not _is_ecs_allow(statement) or not isinstance(condition, dict):
            continue
        for operator, block in list(condition.items()):
            if not isinstance(block, dict) or operator not in kept:
                continue
            for key in list(block):
                if key in kept[operator] and block[key] == kept[operator][key]:
                    del block[key]
            if not block:
                del condition[operator]
        if not condition:
            del statement["Condition"]
    return document


def as_dict(document):
    """IAM returns documents as dicts through boto3, but URL-encoded JSON strings elsewhere."""
    if document is None:
        return None
    if isinstance(document, dict):
        return document
    return json.loads(document)


def _without_sids(document):
    document = copy.deepcopy(as_dict(document))
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        statement.pop("Sid", None)
    document["Statement"] = statements
    return document


def documents_differ(current, desired):
    """Semantic comparison: key and statement order, a scalar versus a one-element list and
    statement ids do not count as differences. A missing document always differs."""
    if current is None:
        return True
    return compare_policies(_without_sids(current), _without_sids(desired))


def trust_policy_drifted(current, partition=None, account_id=None, source_account=False):
    """Whether the trust policy differs from the documented one by more than confused-deputy conditions
    naming this account (``trust_hardening``; only with ``account_id``). With ``source_account``
    (option ``trust_source_account``), a trust policy without ``aws:SourceAccount`` of this account drifted."""
    if current is None:
        return True
    hardening = trust_hardening(current, partition, account_id)
    if hardening["foreign"]:
        return True
    if source_account and not _requires_source_account(hardening["kept"], account_id):
        return True
    return documents_differ(_without_hardening(current, hardening["kept"]), TRUST_POLICY)


def _requires_source_account(kept, account_id):
    block = kept.get(_SOURCE_ACCOUNT_OPERATOR) or {}
    return any(k.lower() == SOURCE_ACCOUNT.lower() and v in (account_id, [account_id]) for k, v in block.items())


def desired_trust_policy(current, partition=None, account_id=None, source_account=False):
    """The trust policy a drifted one is repaired to: the documented one, with the hardening of
    ``current`` that names this account kept, and ``aws:SourceAccount`` added when ``source_account``."""
    kept = trust_hardening(current, partition, account_id)["kept"] if current is not None else {}
    return trust_policy(account_id if source_account else None, kept)


def to_json(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
