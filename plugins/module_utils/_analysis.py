# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What uses the role, what a policy allows, and what is wrong with a role. Pure: no boto3.

The usage scan (``_usage``) feeds raw ECS and EC2 descriptions to the functions here; the
in-use guard and the info module's findings are decided here.
"""

import json

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _policy_eval
from ansible_collections.ecs_tools.iam.plugins.module_utils._authorization import PRINCIPAL_LISTS
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import ECS_SERVICE_PRINCIPAL
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict

# What ECS needs to finish with the EBS volumes it manages (AWS's deletion warning).
VOLUME_ACTIONS = ("ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes")

# Where a service deployment records the infrastructure role (botocore's ECS model).
_VOLUMES_REF = "volumeConfigurations[].managedEBSVolume.roleArn"
_TLS_REF = "serviceConnectConfiguration.services[].tls.roleArn"
_LATTICE_REF = "vpcLatticeConfigurations[].roleArn"


def empty_usage():
    return {"services": [], "tasks": [], "volumes": [], "regions": [], "unreadable_regions": []}


# ---------------------------------------------------------------- usage


def service_references(service, role_arn):
    """Where the deployments of one described ECS service name ``role_arn`` (exact match)."""
    found = []
    for deployment in service.get("deployments") or []:
        for volume in deployment.get("volumeConfigurations") or []:
            if (volume.get("managedEBSVolume") or {}).get("roleArn") == role_arn:
                found.append(_VOLUMES_REF)
        connect = deployment.get("serviceConnectConfiguration") or {}
        for connect_service in connect.get("services") or []:
            if (connect_service.get("tls") or {}).get("roleArn") == role_arn:
                found.append(_TLS_REF)
        for lattice in deployment.get("vpcLatticeConfigurations") or []:
            if lattice.get("roleArn") == role_arn:
                found.append(_LATTICE_REF)
    return sorted(set(found))


def service_finding(service, region, references):
    return {
        "arn": service["serviceArn"],
        "region": region,
        "cluster": service.get("clusterArn"),
        "references": references,
        "uses_volumes": _VOLUMES_REF in references,
        "reason": "deployments reference the role in " + ", ".join(references),
    }


def task_finding(task, region):
    """A task stuck in DEPROVISIONING, with the status (and reason) of its attachments."""
    details = []
    for attachment in task.get("attachments") or []:
        text = "{0} {1}".format(attachment.get("type", "attachment"), attachment.get("status", "?"))
        for detail in attachment.get("details") or []:
            if detail.get("name") in ("statusReason", "reason"):
                text += ": " + str(detail.get("value"))
        details.append(text)
    reason = "lastStatus DEPROVISIONING"
    if task.get("stoppedReason"):
        reason += " (" + task["stoppedReason"] + ")"
    if details:
        reason += "; " + "; ".join(details)
    return {"arn": task["taskArn"], "region": region, "cluster": task.get("clusterArn"), "reason": reason}


def volume_finding(volume, region):
    tags = dict((t["Key"], t["Value"]) for t in volume.get("Tags") or [])
    instances = sorted(a["InstanceId"] for a in volume.get("Attachments") or [] if a.get("InstanceId"))
    reason = "ECS-managed EBS volume (AmazonECSManaged=true) attached"
    if instances:
        reason += " to " + ", ".join(instances)
    if tags.get("AmazonECSCreated"):
        reason += " for task " + tags["AmazonECSCreated"]
    return {
        "volume_id": volume["VolumeId"],
        "region": region,
        "task_arn": tags.get("AmazonECSCreated"),
        "instance_ids": instances,
        "reason": reason,
    }


def in_use(usage):
    return bool(usage["services"] or usage["tasks"] or usage["volumes"])


def describe_usage(usage):
    lines = []
    for service in usage["services"]:
        lines.append("service {0} ({1}): {2}".format(service["arn"], service["region"], service["reason"]))
    for task in usage["tasks"]:
        lines.append("task {0} ({1}): {2}".format(task["arn"], task["region"], task["reason"]))
    for volume in usage["volumes"]:
        lines.append("volume {0} ({1}): {2}".format(volume["volume_id"], volume["region"], volume["reason"]))
    for region in usage["unreadable_regions"]:
        lines.append("region {0} could not be read: {1}".format(region["region"], region["error"]))
    return lines


def guard_message(role_name, what, usage):
    if not in_use(usage):
        # Nothing found, but some region could not be read: a permission or network problem,
        # not a workload. Say so, and do not present force as the fix.
        return (
            "Refusing to {0} {1!r}: could not check whether ECS still uses it. {2}. Nothing was changed. "
            "Give the caller the scan permissions (docs/iam-policies/guard.json), or list in usage_regions "
            "only the regions ECS uses; force: true would go ahead without knowing."
        ).format(what, role_name, "; ".join(describe_usage(usage)))
    return (
        "Refusing to {0} {1!r}: ECS may still need it to clean up EBS volumes, and tasks would be "
        "left in DEPROVISIONING with their volumes undeleted. Found: {2}. Nothing was changed. Wait until "
        "these tasks have stopped and their volumes are deleted, or set force: true to go ahead anyway."
    ).format(what, role_name, "; ".join(describe_usage(usage)))


def blocks(usage):
    """The guard stops on anything in use, and on any region it could not read."""
    return in_use(usage) or bool(usage["unreadable_regions"])


# ---------------------------------------------------------------- policy documents


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


def allowed_actions(documents, actions):
    """Which of ``actions`` some statement allows (Action and NotAction, wildcards; a Deny naming the
    action wins). Resources and conditions are not evaluated: this answers "does anything mention
    it"; the in-use guard decides with ``keeps_volume_actions``, which evaluates them."""
    allowed, denied = set(), set()
    for document in documents:
        for statement in _policy_eval.statements(as_dict(document)):
            for action in actions:
                if statement.matches_action(action):
                    (allowed if statement.effect == "Allow" else denied).add(action)
    return sorted(allowed - denied)


def volume_targets(partition=None, account_id=None):
    """What each volume action must be allowed on. ``DetachVolume`` is authorized on the volume and
    on the instance; ``DescribeVolumes`` has no resource-level permissions (only ``*`` grants it).
    Without ``partition`` / ``account_id`` only a wildcard there counts as "every volume"."""
    prefix = "arn:{0}:ec2:*:{1}:".format(partition or "*", account_id or "*")
    volume = _policy_eval.template(prefix + "volume/*")
    instance = _policy_eval.template(prefix + "instance/*")
    return {
        "ec2:DetachVolume": [volume, instance],
        "ec2:DeleteVolume": [volume],
        "ec2:DescribeVolumes": [_policy_eval.literal("*")],
    }


def keeps_volume_actions(documents, partition=None, account_id=None):
    """The in-use guard's decision: whether the kept ``documents`` allow ec2:DetachVolume,
    ec2:DeleteVolume and ec2:DescribeVolumes unconditionally on every volume, with no Deny among
    them that might take any away (a Deny with a condition counts). Anything undecided is false,
    so the guard scans."""
    compiled = [s for document in documents for s in _policy_eval.statements(as_dict(document))]
    targets = volume_targets(partition, account_id)
    return all(_policy_eval.allows_everywhere(compiled, action, targets[action]) for action in VOLUME_ACTIONS)


# ---------------------------------------------------------------- findings

SEVERITIES = ("high", "medium", "low", "info")

# Every finding code and its severity (documented in docs/docsite/rst/guide_user.rst).
SEVERITY = {
    "trust_missing_ecs": "high",
    "trust_extra_principal": "high",
    "trust_extra_action": "low",
    "pass_role_any_service": "high",
    "pass_role_without_condition": "high",
    "pass_role_administrator": "medium",
    "pass_role_conditional": "medium",
    "pass_role_wildcard_resource": "medium",
    "pass_role_not_owned": "medium",
    "pass_role_orphaned_grant": "medium",  # live only once someone re-creates the role, and only towards ECS
    "overprivileged_managed_policy": "medium",
    "volumes_policy_missing": "high",
    "task_deprovisioning": "medium",
    "usage_region_unreadable": "low",
}


def finding(code, message, severity=None):
    return {"code": code, "severity": severity or SEVERITY[code], "message": message}


def at_or_above(findings, threshold="high"):
    """The findings whose severity is ``threshold`` or worse."""
    limit = SEVERITIES.index(threshold)
    return [f for f in findings if SEVERITIES.index(f["severity"]) <= limit]


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
            found.append("*" if value == "*" else "{0} {1}".format(kind, value))
    return found


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


def _statement_name(statement, index):
    if statement.get("Sid"):
        return "statement {0!r}".format(statement["Sid"])
    return "statement {0}".format(index + 1)


def trust_findings(document):
    """Every way into the role other than the documented ECS statement: other principals (services,
    accounts, ``*``, federated OIDC and SAML providers) and other ``sts:`` actions, one finding per
    statement; and whether ECS can assume the role at all."""
    ecs_principal = "Service " + ECS_SERVICE_PRINCIPAL
    ecs_can_assume = False
    ecs_denied = False
    found = []
    for index, statement in enumerate(_statements(document)):
        if not isinstance(statement, dict):
            continue
        principals = _trust_principals(statement)
        if statement.get("Effect") == "Deny":
            if not statement.get("Condition") and _lets_ecs_assume(statement):
                ecs_denied = ecs_denied or any(p in ("*", ecs_principal) for p in principals)
            continue
        if statement.get("Effect") != "Allow":
            continue
        if _is_documented(statement):
            ecs_can_assume = True
            continue
        if ecs_principal in principals and _lets_ecs_assume(statement):
            ecs_can_assume = True
        actions = _trust_actions(statement)
        others = [p for p in principals if p != ecs_principal]
        conditions = sorted(
            "{0} {1}".format(operator, key)
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
    if not ecs_can_assume or ecs_denied:
        found.insert(
            0,
            finding(
                "trust_missing_ecs",
                "The trust policy does not let {0} assume the role: ECS cannot use it.".format(ECS_SERVICE_PRINCIPAL),
            ),
        )
    return found


def attachment_findings(attached_arns, partition):
    """AWS managed policies attached that are not ECS infrastructure policies (over-privileged role)."""
    known = set(_catalog.capability_arns(_catalog.CAPABILITY_NAMES, partition).values())
    aws_prefix = "arn:{0}:iam::aws:policy/".format(partition)
    message = "AWS managed policy {0} is attached; it is not one of the ECS infrastructure policies."
    extra = [arn for arn in sorted(attached_arns) if arn.startswith(aws_prefix) and arn not in known]
    return [finding("overprivileged_managed_policy", message.format(arn)) for arn in extra]


def grant_findings(documents, where):
    """PassRole statements in the collection's own grant that lack the condition or use a wildcard."""
    found = []
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") != "Allow" or not _matches(_as_list(statement.get("Action")), "iam:PassRole"):
                continue
            condition = statement.get("Condition") or {}
            passed_to = [
                value
                for operator in condition.values()
                if isinstance(operator, dict)
                for key, value in operator.items()
                if key.lower() == "iam:passedtoservice"
            ]
            if not passed_to:
                found.append(
                    finding(
                        "pass_role_without_condition",
                        "{0} grants iam:PassRole without the iam:PassedToService condition.".format(where),
                    )
                )
            if any("*" in str(r) for r in _as_list(statement.get("Resource"))):
                found.append(
                    finding(
                        "pass_role_wildcard_resource", "{0} grants iam:PassRole on a wildcard resource.".format(where)
                    )
                )
    return found


def usage_findings(usage, volumes_attached):
    found = []
    uses_volumes = [s["arn"] for s in usage["services"] if s["uses_volumes"]]
    if not volumes_attached and (usage["volumes"] or uses_volumes):
        what = [v["volume_id"] for v in usage["volumes"]] + uses_volumes
        found.append(
            finding(
                "volumes_policy_missing",
                "AmazonECSInfrastructureRolePolicyForVolumes is not attached, but ECS uses the role for EBS "
                "volumes: {0}.".format(", ".join(what)),
            )
        )
    for task in usage["tasks"]:
        found.append(
            finding(
                "task_deprovisioning",
                "Task {0} ({1}) is stuck: {2}.".format(task["arn"], task["region"], task["reason"]),
            )
        )
    for region in usage["unreadable_regions"]:
        found.append(
            finding(
                "usage_region_unreadable",
                "Region {0} could not be scanned for usage: {1}.".format(region["region"], region["error"]),
            )
        )
    return found


# ---------------------------------------------------------------- who can pass the role

PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:PassedToService"
_KINDS = PRINCIPAL_LISTS


class _Account(object):
    """The authorization details, indexed, with each policy's PassRole statements compiled once."""

    def __init__(self, details):
        self.policies = dict((p.get("Arn"), p) for p in details.get("Policies") or [])
        self.groups = dict((g["GroupName"], g) for g in details.get("GroupDetailList") or [])
        self._managed = {}
        self._group_sources = {}

    def managed(self, arn):
        """The PassRole-relevant statements of a managed policy's default version, or None when the
        read did not return its document."""
        if arn not in self._managed:
            policy = self.policies.get(arn)
            document = None
            for version in (policy or {}).get("PolicyVersionList") or []:
                if version.get("IsDefaultVersion") or version.get("VersionId") == policy.get("DefaultVersionId"):
                    document = as_dict(version.get("Document"))
                    break
            self._managed[arn] = None if document is None else relevant(document)
        return self._managed[arn]

    def sources(self, detail, policies_key, group=None):
        """``[(grant, statements)]`` of one principal's own inline and attached policies that bear on
        iam:PassRole (statements None: a managed policy whose document the read did not return)."""
        found = []
        for policy in detail.get(policies_key) or []:
            statements = relevant(as_dict(policy.get("PolicyDocument")))
            if statements:
                grant = {"policy_name": policy["PolicyName"], "policy_arn": None}
                grant["via"] = "group" if group else "inline"
                found.append((grant, statements))
        for attached in detail.get("AttachedManagedPolicies") or []:
            statements = self.managed(attached["PolicyArn"])
            if statements != []:
                grant = {"policy_name": attached["PolicyName"], "policy_arn": attached["PolicyArn"]}
                grant["via"] = "group" if group else "managed"
                found.append((grant, statements))
        if group:
            for grant, dummy in found:
                grant["group"] = group
        return found

    def group_sources(self, name):
        if name not in self._group_sources:
            group = self.groups.get(name)
            self._group_sources[name] = self.sources(group, "GroupPolicyList", group=name) if group else []
        return self._group_sources[name]


def relevant(document):
    """The statements of ``document`` that can bear on iam:PassRole."""
    return _policy_eval.statements(document, PASS_ROLE)


def _describe_grant(grant, kind, name):
    if grant["via"] == "inline":
        return "inline policy {0} of {1} {2}".format(grant["policy_name"], kind, name)
    if grant["via"] == "managed":
        return "managed policy {0}".format(grant["policy_arn"])
    if grant["policy_arn"]:
        return "managed policy {0} of group {1}".format(grant["policy_arn"], grant["group"])
    return "inline policy {0} of group {1}".format(grant["policy_name"], grant["group"])


def _classify(access, service):
    """``(classification, may reach other services, search undecided)``; classification None when the
    policies cannot pass the role at all."""
    possibly_other = access.allows_other_than(service, certain=False)
    if not access.allows(service, certain=False) and possibly_other is False:
        return None, False, False
    if access.allows_other_than(service, certain=True):
        return "any_service", True, False
    if possibly_other is not False:
        return "conditional", True, possibly_other is None
    if access.allows(service, certain=True):
        return "ecs_only", False, False
    return "conditional", False, False


# Stands for a policy whose document the read did not return: it may allow anything, nothing surely.
_UNKNOWN = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": PASS_ROLE,
            "Resource": "*",
            "Condition": {"Policy": {"document not returned": []}},
        }
    ],
}


def _principal(kind, detail, sources, boundary, role_arn, service):
    known = [(grant, _policy_eval.statements(_UNKNOWN) if st is None else st) for grant, st in sources]
    if not any(s.effect == "Allow" for _grant, statements in known for s in statements):
        return None
    access = _policy_eval.evaluate(known, PASS_ROLE, role_arn, PASSED_TO_SERVICE, boundary)
    classification, reaches_others, search_undecided = _classify(access, service)
    if classification is None:
        return None
    grants = []
    administrator = False
    for index, (grant, statements) in enumerate(known):
        allows = [s for s in statements if s.effect == "Allow" and s.resource_applies(role_arn) is not False]
        if not allows:
            continue
        administrator = administrator or any(s.administrator for s in allows)
        if len(known) == 1:
            own = classification  # the only policy: it alone gives the principal's answer
        else:
            alone = [
                (g, st if i == index else [s for s in st if s.effect == "Deny"]) for i, (g, st) in enumerate(known)
            ]
            own = _classify(_policy_eval.evaluate(alone, PASS_ROLE, role_arn, PASSED_TO_SERVICE, boundary), service)[0]
        grant = dict(grant, classification=own)
        if grant["classification"] is not None:
            grants.append(grant)
    conditions = [dict(c) for c in access.undecided]
    if search_undecided:
        conditions.append({"effect": "Allow", "operator": "Search", "key": PASSED_TO_SERVICE, "values": ["undecided"]})
    unique = []
    for condition in conditions:
        if condition not in unique:
            unique.append(condition)
    return {
        "type": kind,
        "name": detail[{"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]],
        "arn": detail.get("Arn"),
        "classification": classification,
        "administrator": administrator,
        "grants": grants,
        "conditions": unique,
        "reaches_other_services": reaches_others,
    }


def pass_role_principals(details, role_arn, service=ECS_SERVICE_PRINCIPAL):
    """Every user, group and role that can pass ``role_arn``, from GetAccountAuthorizationDetails:
    inline, attached and (users) group policies, permissions boundaries applied. Sorted by type, name.
    ``classification``: ``ecs_only``, ``any_service`` or ``conditional`` (see ``conditions``)."""
    account = _Account(details)
    found = []
    for kind, list_key, dummy, policies_key in _KINDS:
        for detail in details.get(list_key) or []:
            sources = account.sources(detail, policies_key)
            if kind == "user":
                for group in detail.get("GroupList") or []:
                    sources.extend(account.group_sources(group))
            boundary = None
            boundary_arn = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            if boundary_arn and kind != "group":
                compiled = account.managed(boundary_arn)
                boundary = False if compiled is None else compiled
            principal = _principal(kind, detail, sources, boundary, role_arn, service)
            if principal is not None:
                found.append(principal)
    return sorted(found, key=lambda p: (p["type"], p["name"]))


def _describe_condition(condition):
    text = "{0} {1} {2}".format(condition["operator"], condition["key"], json.dumps(condition["values"])).strip()
    if condition.get("policy_name"):
        text += " (" + condition["policy_name"] + ")"
    return text


def exposure_findings(principals, role_name):
    """A principal that can pass the role to any service: high; an administrator: medium; one that
    may, under conditions the module cannot evaluate: medium. ``ecs_only`` is not a finding."""
    found = []
    for principal in principals:
        who = "{0} {1}".format(principal["type"], principal["name"])
        reaching = [g for g in principal["grants"] if g["classification"] in ("any_service", "conditional")]
        how = "; ".join(
            _describe_grant(g, principal["type"], principal["name"]) for g in reaching or principal["grants"]
        )
        if principal["classification"] == "any_service":
            code = "pass_role_administrator" if principal["administrator"] else "pass_role_any_service"
            prefix = "Administrator " if principal["administrator"] else ""
            found.append(
                finding(
                    code,
                    "{0}{1} can pass role {2} to services other than {3}: {4}.".format(
                        prefix, who, role_name, ECS_SERVICE_PRINCIPAL, how
                    ),
                )
            )
        elif principal["classification"] == "conditional" and principal["reaches_other_services"]:
            found.append(
                finding(
                    "pass_role_conditional",
                    "{0} may pass role {1} to services other than {2}, depending on conditions the module cannot "
                    "evaluate ({3}): {4}.".format(
                        who,
                        role_name,
                        ECS_SERVICE_PRINCIPAL,
                        "; ".join(_describe_condition(c) for c in principal["conditions"]) or "none",
                        how,
                    ),
                )
            )
    return found


def not_owned_findings(descriptions):
    """One ``pass_role_not_owned`` finding per object that is named like the grant but not the
    collection's own (``descriptions``: ``_grants.describe_foreign`` of each)."""
    return [
        finding(
            "pass_role_not_owned",
            "The {0} is named like the collection's PassRole grant but is not its own; "
            "ecs_tools.iam.ecs_infrastructure_role refuses to manage grants under this name.".format(description),
        )
        for description in descriptions
    ]


def aws_managed_arns(details):
    """The AWS managed policies the account's principals use (attached, or as a permissions
    boundary), sorted: from authorization details read without AWS managed policies."""
    arns = set()
    for dummy, list_key, dummy, dummy in _KINDS:
        for detail in details.get(list_key) or []:
            arns.update(a["PolicyArn"] for a in detail.get("AttachedManagedPolicies") or [])
            boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            if boundary:
                arns.add(boundary)
    return sorted(arn for arn in arns if arn.split(":")[4] == "aws")
