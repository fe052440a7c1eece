# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What uses the role, what a policy allows, and what is wrong with a role. Pure: no boto3.

The usage scan (``_usage``) feeds raw ECS and EC2 descriptions to the functions here; the
in-use guard and the info module's findings are decided here.
"""

import json

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
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
    tags = {t["Key"]: t["Value"] for t in volume.get("Tags") or []}
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


def guard_message(role_name, what, usage, causes=None):
    """``causes``: ``volume_blockers`` items the change would bring (what would remove the actions)."""
    because = ""
    if causes:
        because = " After this change ECS could no longer clean up the EBS volumes it manages: {0}.".format(
            "; ".join(describe_blockers(causes))
        )
    if not in_use(usage):
        # Nothing found, but some region could not be read: a permission or network problem,
        # not a workload. Say so, and do not present force as the fix.
        return (
            "Refusing to {0} {1!r}: could not check whether ECS still uses it.{3} {2}. Nothing was changed. "
            "Give the caller the scan permissions (docs/iam-policies/guard.json), or list in usage_regions "
            "only the regions ECS uses; force: true would go ahead without knowing."
        ).format(what, role_name, "; ".join(describe_usage(usage)), because)
    return (
        "Refusing to {0} {1!r}: ECS may still need it to clean up EBS volumes, and tasks would be "
        "left in DEPROVISIONING with their volumes undeleted.{3} Found: {2}. Nothing was changed. Wait until "
        "these tasks have stopped and their volumes are deleted, or set force: true to go ahead anyway."
    ).format(what, role_name, "; ".join(describe_usage(usage)), because)


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


# What a request of ECS on one of its volumes is known to carry: the volume's tags (ECS tags every
# volume it creates AmazonECSManaged=true, AmazonECSCreated=<task ARN>). Each value is a set of
# strings (a pattern). Any other condition key is unknown, and so is every key on the instance (for
# DetachVolume) and on "*" (DescribeVolumes).
def _volume_context(partition, account_id):
    return {
        "aws:resourcetag/amazonecsmanaged": _policy_eval.literal("true"),
        "aws:resourcetag/amazonecscreated": _policy_eval.template(
            "arn:{0}:ecs:*:{1}:task/*".format(partition or "*", account_id or "*")
        ),
    }


# Condition operators decided against a known value: base name -> (negated, pattern maker).
_KNOWN_OPERATORS = {
    "stringequals": (False, _policy_eval.literal),
    "stringnotequals": (True, _policy_eval.literal),
    "stringequalsignorecase": (False, lambda v: _policy_eval.literal(v, fold=True)),
    "stringnotequalsignorecase": (True, lambda v: _policy_eval.literal(v, fold=True)),
    "stringlike": (False, _policy_eval.string_pattern),
    "stringnotlike": (True, _policy_eval.string_pattern),
    "arnequals": (False, lambda v: _policy_eval.arn_pattern(v, variables=False)),
    "arnlike": (False, lambda v: _policy_eval.arn_pattern(v, variables=False)),
    "arnnotequals": (True, lambda v: _policy_eval.arn_pattern(v, variables=False)),
    "arnnotlike": (True, lambda v: _policy_eval.arn_pattern(v, variables=False)),
}


def _condition_holds(operator, key, values, context):
    """Whether one condition holds for every request of ECS in ``context``: True, False, or None
    (undecided: another key, another operator, a policy variable)."""
    known = context.get(key.lower())
    if known is None or any("${" in v for v in values):
        return None
    base = operator
    if ":" in base:
        qualifier, base = base.split(":", 1)
        if qualifier.lower() not in ("foranyvalue", "forallvalues"):
            return None  # the tag is single-valued: both set operators decide as the plain one
    base = base.lower()
    if base.endswith("ifexists"):
        base = base[: -len("ifexists")]  # the tag exists on every volume ECS manages
    if base == "null":
        return None if len({v.lower() for v in values}) != 1 else values[0].lower() == "false"
    if base not in _KNOWN_OPERATORS:
        return None
    negated, make = _KNOWN_OPERATORS[base]
    patterns = [make(v) for v in values]
    every, some = _policy_eval.covers(patterns, known), _policy_eval.overlaps(patterns, known)
    if every is None or some is None:
        return None
    if negated:
        every, some = not some, not every
    return True if every else (False if not some else None)


def _conditions_hold(statement, context):
    """All conditions of ``statement`` (they are ANDed): True, False, or None (undecided)."""
    answers = [_condition_holds(o, k, v, context) for o, k, v in statement.conditions]
    if False in answers:
        return False
    return None if None in answers else True


def _certain(patterns):
    """Patterns that can be counted on: policy variables may match nothing."""
    return [p for p in patterns if not p.has_variable]


def _reach(statement, target):
    """How much of ``target`` the statement's resources name: True (all), False (none), None (some,
    or undecided)."""
    if statement.resources is not None:
        if _policy_eval.covers(_certain(statement.resources), target) is True:
            return True
        return False if _policy_eval.overlaps(statement.resources, target) is False else None
    if statement.not_resources is not None:
        if _policy_eval.overlaps(statement.not_resources, target) is False:
            return True
        return False if _policy_eval.covers(_certain(statement.not_resources), target) is True else None
    return False


# What takes a volume action away, from the most certain to the least (``volume_blockers`` items).
DENIES, MAY_DENY, ALLOWS_NONE, MAY_NOT_ALLOW, UNREADABLE, NO_TRUST = (
    "denies",
    "may_deny",
    "allows_none",
    "may_not_allow",
    "unreadable",
    "no_trust",
)
# The source of the "Allow" half: the role's policies together (a boundary is named by its ARN).
ROLE_POLICIES = "the role's policies"
TRUST = "the trust policy"


def _volumes_policy(partition):
    """What AmazonECSInfrastructureRolePolicyForVolumes allows ECS on the volumes it manages. Its
    contents are AWS's and change: the collection attaches it by ARN and never reads it. AWS documents
    that it keeps the three actions (the deletion warning), on ECS-tagged volumes and any instance."""
    volumes = "arn:{0}:ec2:*:*:volume/*".format(partition or "*")
    instances = "arn:{0}:ec2:*:*:instance/*".format(partition or "*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:DetachVolume", "ec2:DeleteVolume"], "Resource": volumes},
            {"Effect": "Allow", "Action": "ec2:DetachVolume", "Resource": instances},
            {"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"},
        ],
    }


def volume_documents_needed(role, partition):
    """The managed policies whose documents ``volume_blockers`` needs for ``role`` (its attached
    policies other than the ECS capability policies, and its boundary), sorted."""
    capabilities = set(_catalog.capability_arns(_catalog.CAPABILITY_NAMES, partition).values())
    arns = {a for a in role.get("attached_policies") or [] if a not in capabilities}
    boundary = role.get("permissions_boundary")
    if boundary and boundary != _catalog.capability_arn(_catalog.VOLUMES, partition):
        arns.add(boundary)
    return sorted(arns)


def _layer(sources, action, targets, boundary_source=None):
    """What takes ``action`` away within one layer (the role's policies, or its boundary):
    ``sources``: ``[(label, [Statement] or None)]``; ``targets``: ``[(template, context)]``."""
    found = []
    allow_source = boundary_source or ROLE_POLICIES
    mentioned = unreadable = False
    for label, compiled in sources:
        if compiled is None:
            found.append((label, UNREADABLE, action))
            unreadable = True
            continue
        for statement in compiled:
            if statement.effect not in ("Allow", "Deny") or not statement.matches_action(action):
                continue
            if statement.effect == "Allow":
                mentioned = True
                continue
            for target, context in targets:
                reach, holds = _reach(statement, target), _conditions_hold(statement, context)
                if reach is not False and holds is not False:
                    found.append((label, DENIES if reach is True and holds is True else MAY_DENY, action))
                    break
    for target, context in targets:
        allows = [
            s
            for dummy, compiled in sources
            for s in compiled or []
            if s.effect == "Allow" and s.matches_action(action) and _conditions_hold(s, context) is True
        ]
        covered = any(
            s.not_resources is not None and _policy_eval.overlaps(s.not_resources, target) is False for s in allows
        )
        patterns = [p for s in allows if s.resources is not None for p in _certain(s.resources)]
        if not (unreadable or covered or (patterns and _policy_eval.covers(patterns, target) is True)):
            found.append((allow_source, MAY_NOT_ALLOW if mentioned else ALLOWS_NONE, action))
            break
    return found


def volume_blockers(role, documents, inline, partition, account_id):
    """What keeps ECS from calling ec2:DetachVolume, ec2:DeleteVolume and ec2:DescribeVolumes on the
    volumes it manages, as the role ``role`` stands (``attached_policies``, ``permissions_boundary``,
    ``assume_role_policy_document``): ``[(source, kind, action)]``, empty when ECS surely can.

    ``documents``: managed policy ARN -> document (None: not readable), for ``volume_documents_needed``;
    ``inline``: ``[(name, document)]`` of the role's inline policies. The Volumes policy counts by its
    ARN (``_volumes_policy``); the other ECS capability policies only allow, and not these actions.

    Evaluated as IAM does: an explicit Deny in the role's policies or the boundary wins; each action
    must be allowed by the role's policies and, when there is one, by the boundary, on every ECS-managed
    volume (DetachVolume: and every instance; DescribeVolumes: ``*``). Conditions on the volume's ECS
    tags are decided; any other condition is undecided. The choice for the guard is conservative: an
    Allow that holds only under an undecided condition does not count (``MAY_NOT_ALLOW``), and a Deny
    under one does (``MAY_DENY``), so an undecided case scans, and is refused only when the scan finds
    the role in use (``force`` lets it go)."""
    volumes = _catalog.capability_arn(_catalog.VOLUMES, partition)
    capabilities = set(_catalog.capability_arns(_catalog.CAPABILITY_NAMES, partition).values())

    def compiled(document):
        return None if document is None else _policy_eval.statements(as_dict(document))

    identity = []
    for arn in sorted(role.get("attached_policies") or []):
        if arn == volumes:
            identity.append(("policy " + arn, compiled(_volumes_policy(partition))))
        elif arn not in capabilities:
            identity.append(("policy " + arn, compiled(documents.get(arn))))
    identity.extend(("inline policy " + name, compiled(document)) for name, document in inline)
    boundary_arn = role.get("permissions_boundary")
    boundary = None
    if boundary_arn:
        document = _volumes_policy(partition) if boundary_arn == volumes else documents.get(boundary_arn)
        boundary = [("permissions_boundary " + boundary_arn, compiled(document))]

    requests = volume_targets(partition, account_id)
    context = _volume_context(partition, account_id)
    found = []
    for action in VOLUME_ACTIONS:
        # The first target of DetachVolume and DeleteVolume is the volume: its tags are known.
        targets = [
            (t, context if i == 0 and action != "ec2:DescribeVolumes" else {}) for i, t in enumerate(requests[action])
        ]
        found.extend(_layer(identity, action, targets))
        if boundary is not None:
            found.extend(_layer(boundary, action, targets, boundary[0][0]))
    if "trust_missing_ecs" in [f["code"] for f in trust_findings(role.get("assume_role_policy_document"))]:
        found.extend((TRUST, NO_TRUST, action) for action in VOLUME_ACTIONS)
    return found


def lost_volume_actions(before, after):
    """What a change may take away: the items of ``after`` (``volume_blockers``) about actions that were
    not surely blocked ``before``. A role that surely could not call an action loses nothing. One that
    only may have (an undecided condition) can still lose it, even when ``after`` names the same
    uncertainty as ``before``: the items say which sources may block, not which source still allows, so
    detaching the one conditional policy that works looks unchanged. Such a change is scanned (and
    refused only when the role is in use)."""
    surely = {action for dummy, kind, action in before if kind in (DENIES, ALLOWS_NONE, NO_TRUST)}
    return [item for item in after if item[2] not in surely]


_BLOCKER_TEXT = {
    DENIES: "{0} denies {1}",
    MAY_DENY: "{0} may deny {1} (under a condition or on resources the module cannot decide)",
    ALLOWS_NONE: "{0} allows none of {1}",
    MAY_NOT_ALLOW: "{0} allows {1} only under conditions or on some volumes",
    UNREADABLE: "{0} could not be read: it may take away {1}",
    NO_TRUST: "{0} no longer lets " + ECS_SERVICE_PRINCIPAL + " assume the role",
}


def describe_blockers(items):
    """One phrase per source and kind, in the order found: "permissions_boundary arn:... allows none
    of ec2:DetachVolume, ec2:DeleteVolume, ec2:DescribeVolumes"."""
    grouped = []
    for source, kind, action in items:
        for entry in grouped:
            if entry[0] == (source, kind):
                if action not in entry[1]:
                    entry[1].append(action)
                break
        else:
            grouped.append(((source, kind), [action]))
    phrases = []
    for (source, kind), actions in grouped:
        if source == ROLE_POLICIES and kind == ALLOWS_NONE:
            phrases.append("no policy of the role allows " + ", ".join(actions))
        elif source == ROLE_POLICIES:
            phrases.append(
                "the role's policies allow {0} only under conditions or on some volumes".format(", ".join(actions))
            )
        else:
            phrases.append(_BLOCKER_TEXT[kind].format(source, ", ".join(actions)))
    return phrases


# ---------------------------------------------------------------- findings

SEVERITIES = ("high", "medium", "low", "info")

# Every finding code and its severity (documented in docs/docsite/rst/guide_user.rst).
SEVERITY = {
    "trust_missing_ecs": "high",
    "trust_extra_principal": "high",
    "trust_extra_action": "low",
    "pass_role_any_service": "high",
    "pass_role_without_condition": "high",
    "pass_role_administrators": "low",
    "pass_role_conditional": "medium",
    "pass_role_wildcard_resource": "medium",
    "pass_role_not_owned": "medium",
    "pass_role_orphaned_grant": "medium",  # live only once someone re-creates the role, and only towards ECS
    "overprivileged_managed_policy": "medium",
    "volumes_policy_missing": "high",
    "volume_actions_blocked": "high",  # medium while ECS uses no volume with the role
    "task_deprovisioning": "medium",
    "usage_region_unreadable": "low",
}


def finding(code, message, severity=None, principals=None):
    """``principals``: what the finding is about, sorted: the ARNs of the IAM principals (users, roles)
    that can pass the role, or the principals a trust statement lets in (ARNs, or the other values
    a trust policy may hold: account IDs, service names, ``*``); empty when it is about no principal."""
    return {
        "code": code,
        "severity": severity or SEVERITY[code],
        "message": message,
        "principals": sorted({str(p) for p in principals or [] if p}),
    }


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
        return "statement {0!r}".format(statement["Sid"])
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
        denied = " ({0} denies it sts:AssumeRole)".format(", ".join(ecs_denied)) if ecs_denied else ""
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
                        f"{where} grants iam:PassRole without the iam:PassedToService condition.",
                    )
                )
            if any("*" in str(r) for r in _as_list(statement.get("Resource"))):
                found.append(
                    finding("pass_role_wildcard_resource", f"{where} grants iam:PassRole on a wildcard resource.")
                )
    return found


def usage_findings(usage, volumes_attached, blockers=None):
    """``blockers``: ``volume_blockers`` of the role, when known: the Volumes policy is not missing
    when the role's other policies allow the volume actions."""
    found = []
    uses_volumes = [s["arn"] for s in usage["services"] if s["uses_volumes"]]
    kept = blockers is not None and not any(source == ROLE_POLICIES for source, dummy, dummy in blockers)
    if not volumes_attached and not kept and (usage["volumes"] or uses_volumes):
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


def role_volume_blockers(details, role, partition, account_id):
    """``volume_blockers`` of ``role`` (with ``attached_policies``) from the account's authorization
    details (the role's inline policies; the managed policies' default versions): no further call."""
    documents = {}
    for policy in details.get("Policies") or []:
        for version in policy.get("PolicyVersionList") or []:
            if version.get("IsDefaultVersion") or version.get("VersionId") == policy.get("DefaultVersionId"):
                documents[policy.get("Arn")] = as_dict(version.get("Document"))
    inline = []
    for detail in details.get("RoleDetailList") or []:
        if detail.get("RoleName") == role["role_name"]:
            inline = [(p["PolicyName"], as_dict(p.get("PolicyDocument"))) for p in detail.get("RolePolicyList") or []]
    return volume_blockers(role, documents, inline, partition, account_id)


def volume_findings(blockers, usage, volumes_attached):
    """``volume_actions_blocked``: the boundary or a Deny takes volume actions away from a role that
    has the Volumes policy or that ECS uses for volumes. ``high`` when ECS-managed volumes (or services
    with volume configurations) use the role now (``usage``, None when not scanned), else ``medium``:
    the next task with an EBS volume would fail. What the role's policies lack is ``volumes_policy_missing``
    and a trust without ECS ``trust_missing_ecs``: one cause, one finding."""
    uses_volumes = bool(usage and (usage["volumes"] or [s for s in usage["services"] if s["uses_volumes"]]))
    if not (volumes_attached or uses_volumes):
        return []
    causes = [item for item in blockers if item[0] not in (ROLE_POLICIES, TRUST)]
    if not causes:
        return []
    where = "; ECS uses the role for EBS volumes now" if uses_volumes else ""
    return [
        finding(
            "volume_actions_blocked",
            "The permissions boundary or a Deny takes away what ECS needs to clean up its EBS volumes "
            "({0}): {1}{2}. Tasks that stop would be left in DEPROVISIONING with their volumes undeleted.".format(
                ", ".join(a for a in VOLUME_ACTIONS if a in {item[2] for item in causes}),
                "; ".join(describe_blockers(causes)),
                where,
            ),
            severity="high" if uses_volumes else "medium",
        )
    ]


# ---------------------------------------------------------------- who can pass the role

PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:PassedToService"
_KINDS = PRINCIPAL_LISTS


class _Account:
    """The authorization details, indexed, with each policy's PassRole statements compiled once."""

    def __init__(self, details):
        self.policies = {p.get("Arn"): p for p in details.get("Policies") or []}
        self.groups = {g["GroupName"]: g for g in details.get("GroupDetailList") or []}
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


# The condition a principal carries when the search for a service it may pass the role to ran past
# _policy_eval.SEARCH_LIMIT.
SEARCH_UNDECIDED = "Search"


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


def _administrator(known, boundary, access, classification):
    """An administrator: an unconditional Allow of ``*`` on ``*`` (AdministratorAccess and equivalents),
    no permissions boundary that holds it back (none, or one that allows ``*`` on ``*`` itself), and no
    Deny that bears on passing this role, so that it can pass the role to any service. A principal
    whose Deny or boundary narrows iam:PassRole is judged by what it can still do, like any other."""
    if classification != "any_service" or access.deny or access.boundary_deny:
        return False
    if boundary is False or (boundary is not None and not any(s.administrator for s in boundary)):
        return False
    return any(s.administrator for dummy, statements in known for s in statements)


def _principal(kind, detail, sources, boundary, role_arn, service):
    known = [(grant, _policy_eval.statements(_UNKNOWN) if st is None else st) for grant, st in sources]
    if not any(s.effect == "Allow" for _grant, statements in known for s in statements):
        return None
    access = _policy_eval.evaluate(known, PASS_ROLE, role_arn, PASSED_TO_SERVICE, boundary)
    classification, reaches_others, search_undecided = _classify(access, service)
    if classification is None:
        return None
    grants = []
    for index, (grant, statements) in enumerate(known):
        allows = [s for s in statements if s.effect == "Allow" and s.resource_applies(role_arn) is not False]
        if not allows:
            continue
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
        conditions.append(
            {"effect": "Allow", "operator": SEARCH_UNDECIDED, "key": PASSED_TO_SERVICE, "values": ["undecided"]}
        )
    unique = []
    for condition in conditions:
        if condition not in unique:
            unique.append(condition)
    return {
        "type": kind,
        "name": detail[{"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]],
        "arn": detail.get("Arn"),
        "classification": classification,
        "administrator": _administrator(known, boundary, access, classification),
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
        who = "{0} {1}".format(principal["type"], principal["name"])
        reaching = [g for g in principal["grants"] if g["classification"] in ("any_service", "conditional")]
        how = "; ".join(
            _describe_grant(g, principal["type"], principal["name"]) for g in reaching or principal["grants"]
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
            exhausted = any(c.get("operator") == SEARCH_UNDECIDED for c in principal["conditions"])
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
                        " Its iam:PassedToService patterns exceed what the module decides, so this counts as high."
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
