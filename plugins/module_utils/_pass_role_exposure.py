# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who can pass the role: the ``iam:PassRole`` question put to ``_exposure``, and its findings. Pure.

The question's PassRole specifics are set here: the action and the condition key
(``_documents.PASS_ROLE``, ``_documents.PASSED_TO_SERVICE``: the grant document's own), that the
key's values are service principals (hence lower-case), the service the role is for, and the names
the info module returns (``ecs_only``, ``any_service``, ``conditional``,
``reaches_other_services``).
"""

import json

from ansible_collections.ecs_tools.iam.plugins.module_utils import _exposure
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import ECS_SERVICE_PRINCIPAL
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import PASS_ROLE
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import PASSED_TO_SERVICE
from ansible_collections.ecs_tools.iam.plugins.module_utils._findings import finding

# ``_exposure``'s classification, in the words of the info module's ``pass_role_principals``.
_CLASSIFICATION = {_exposure.ONLY: "ecs_only", _exposure.OTHER: "any_service", _exposure.CONDITIONAL: "conditional"}


def _relabel(principal):
    principal = dict(principal)
    principal["classification"] = _CLASSIFICATION[principal["classification"]]
    principal["grants"] = [dict(g, classification=_CLASSIFICATION[g["classification"]]) for g in principal["grants"]]
    principal["reaches_other_services"] = principal.pop("reaches_other_values")
    return principal


def pass_role_principals(details, role_arn, service=ECS_SERVICE_PRINCIPAL):
    """Every user, group and role that can pass ``role_arn``, from GetAccountAuthorizationDetails
    (``_exposure.principals``), sorted by type, name. ``classification``: ``ecs_only`` (only with
    ``iam:PassedToService`` = ``service``), ``any_service`` or ``conditional`` (see ``conditions``)."""
    found = _exposure.principals(details, PASS_ROLE, role_arn, PASSED_TO_SERVICE, service, lower_case=True)
    return [_relabel(p) for p in found]


def _describe_condition(condition):
    text = f"{condition['operator']} {condition['key']} {json.dumps(condition['values'])}".strip()
    if condition.get("policy_name"):
        text += " (" + condition["policy_name"] + ")"
    return text


def _only_attached_aws_policies(principal):
    """Whether every grant of ``principal`` is an AWS managed policy attached to it: for the
    infrastructure role itself, ``attachment_findings`` already reports each (one cause, one finding)."""
    return bool(principal["grants"]) and all(
        g["via"] == "managed" and ":iam::aws:policy/" in (g["policy_arn"] or "") for g in principal["grants"]
    )


def exposure_findings(principals, role_name):
    """A principal that can pass the role to another service than ECS: high, whatever the shape of
    its policy; an administrator (``administrator`` true): not one finding each, but one ``low``
    ``pass_role_administrators`` naming them all; one that may, under conditions the module cannot
    evaluate: medium. ``ecs_only`` is not a finding. The role itself, when only the AWS managed
    policies attached to it let it pass itself, is ``overprivileged_managed_policy`` already."""
    found = []
    administrators = []
    administrator_arns = []
    for principal in principals:
        if principal["type"] == "role" and principal["name"] == role_name and _only_attached_aws_policies(principal):
            continue
        who = f"{principal['type']} {principal['name']}"
        reaching = [g for g in principal["grants"] if g["classification"] in ("any_service", "conditional")]
        how = "; ".join(
            _exposure.describe_grant(g, principal["type"], principal["name"]) for g in reaching or principal["grants"]
        )
        arns = [principal["arn"]] if principal.get("arn") else []
        if principal["administrator"]:
            administrators.append(f"{who} ({how})")
            administrator_arns.extend(arns)
        elif principal["classification"] == "any_service":
            found.append(
                finding(
                    "pass_role_any_service",
                    f"{who} can pass role {role_name} to services other than {ECS_SERVICE_PRINCIPAL}: {how}.",
                    principals=arns,
                )
            )
        elif principal["classification"] == "conditional" and principal["reaches_other_services"]:
            # A search past its limit is no evidence of safety: patterns written to exhaust it must not
            # lower a finding, so an undecided search counts as reaching other services (high).
            exhausted = any(c.get("operator") == _exposure.SEARCH_UNDECIDED for c in principal["conditions"])
            found.append(
                finding(
                    "pass_role_conditional",
                    "{0} may pass role {1} to services other than {2}, depending on conditions the module cannot "
                    "evaluate ({3}): {4}.{5}".format(
                        who,
                        role_name,
                        ECS_SERVICE_PRINCIPAL,
                        "; ".join(_describe_condition(c) for c in principal["conditions"]) or "none",
                        how,
                        f" Its {PASSED_TO_SERVICE} patterns exceed what the module decides, so this counts as high."
                        if exhausted
                        else "",
                    ),
                    severity="high" if exhausted else None,
                    principals=arns,
                )
            )
    if administrators:
        found.append(
            finding(
                "pass_role_administrators",
                "{0} administrator{1} of the account can pass role {2} to any service, as administrators "
                "can (an unconditional Allow of * on *, not held back by a boundary or a Deny): {3}. Check that each "
                "should administer the account.".format(
                    len(administrators), "" if len(administrators) == 1 else "s", role_name, "; ".join(administrators)
                ),
                principals=administrator_arns,
            )
        )
    return found
