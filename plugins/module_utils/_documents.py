# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Policy documents the collection writes, and how it compares them. Pure: no boto3."""

import copy
import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

ECS_SERVICE_PRINCIPAL = "ecs.amazonaws.com"

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
        raise ValueError("A PassRole grant needs the role's exact ARN, got {0!r}".format(role_arn))
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": role_arn,
                "Condition": {"StringEquals": {"iam:PassedToService": ECS_SERVICE_PRINCIPAL}},
            }
        ],
    }


def trust_policy():
    """A fresh copy of the documented trust policy (callers may mutate it)."""
    return copy.deepcopy(TRUST_POLICY)


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


def trust_policy_drifted(current):
    return documents_differ(current, TRUST_POLICY)


def to_json(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
