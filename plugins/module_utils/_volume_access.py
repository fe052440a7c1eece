# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether ECS can still clean up the EBS volumes it manages with the role: the volume actions, what
takes them away (a Deny, the boundary, a missing Allow, the trust), and the finding. Pure: no boto3.
"""

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _policy_eval
from ansible_collections.ecs_tools.iam.plugins.module_utils import _role_findings
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import ECS_SERVICE_PRINCIPAL
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict
from ansible_collections.ecs_tools.iam.plugins.module_utils._findings import finding

# What ECS needs to finish with the EBS volumes it manages (AWS's deletion warning).
VOLUME_ACTIONS = ("ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes")


def volume_targets(partition=None, account_id=None):
    """What each volume action must be allowed on. ``DetachVolume`` is authorized on the volume and
    on the instance; ``DescribeVolumes`` has no resource-level permissions (only ``*`` grants it).
    Without ``partition`` / ``account_id`` only a wildcard there counts as "every volume"."""
    prefix = f"arn:{partition or '*'}:ec2:*:{account_id or '*'}:"
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
            f"arn:{partition or '*'}:ecs:*:{account_id or '*'}:task/*"
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
    volumes = f"arn:{partition or '*'}:ec2:*:*:volume/*"
    instances = f"arn:{partition or '*'}:ec2:*:*:instance/*"
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
    trust = _role_findings.trust_findings(role.get("assume_role_policy_document"))
    if "trust_missing_ecs" in [f["code"] for f in trust]:
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
            phrases.append(f"the role's policies allow {', '.join(actions)} only under conditions or on some volumes")
        else:
            phrases.append(_BLOCKER_TEXT[kind].format(source, ", ".join(actions)))
    return phrases


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
