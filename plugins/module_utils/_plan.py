# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn desired and current state (validated by ``_validation``) into an ordered plan of changes.

Pure: no boto3, no AWS calls. ``plan_role_present`` / ``plan_role_absent`` plan the role's part;
``_service`` completes the plan with the grants and applies the actions in order; check mode stops
before applying and reports ``plan.after``.
"""

import copy
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.ecs_tools.iam.plugins.module_utils import _actions
from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput
from ansible_collections.ecs_tools.iam.plugins.module_utils._validation import MIN_SESSION
from ansible_collections.ecs_tools.iam.plugins.module_utils._validation import is_policy_arn


class Action:
    """One write: ``kind`` names the AWS call family, ``args`` its arguments."""

    __slots__ = ("kind", "args")

    def __init__(self, action_kind, **args):
        self.kind = action_kind
        self.args = args

    def __repr__(self):
        return f"Action({self.kind}, {self.args})"

    def __eq__(self, other):
        return isinstance(other, Action) and (self.kind, self.args) == (other.kind, other.args)


@dataclass(frozen=True)
class Plan:
    """One run's plan, built whole by the planners and not changed afterwards.

    ``actions``: the writes, in order (``Action``); ``before`` and ``after``: what diff mode shows;
    ``role_after``: the role as the run leaves it (``_iam.read_role``'s shape; ``{}`` when deleting);
    ``desired_arns``: the policy ARNs the task asks for (``resolve_policy_arns``; None when attachments
    are not managed); ``pass_role``: the ``pass_role`` result value; ``foreign``: what merely shares the
    grant's name, left alone (``state: absent``); ``warnings``: for the module to warn; ``guard``: the
    in-use guard the plan needs before it may run (``_service.Guard``), or None."""

    before: dict
    after: dict
    actions: list
    role_after: dict = field(default_factory=dict)
    desired_arns: Optional[list] = None
    pass_role: dict = field(default_factory=dict)
    foreign: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    guard: Any = None

    @property
    def changed(self):
        return bool(self.actions)

    def kinds(self):
        return [a.kind for a in self.actions]

    def but(self, **changes):
        """A copy of this plan with ``changes`` (``dataclasses.replace``): how a planner completes
        the role's plan with the grants."""
        return replace(self, **changes)


# ---------------------------------------------------------------- partition and ARNs


def policy_partition(arn):
    parsed = parse_aws_arn(arn)
    return parsed["partition"] if parsed else None


def partition_errors(params, partition):
    """ARNs given by the user must belong to the caller's partition."""
    errors = []
    arns = list(params.get("managed_policies") or [])
    if params.get("permissions_boundary"):
        arns.append(params["permissions_boundary"])
    for arn in arns:
        if is_policy_arn(arn) and policy_partition(arn) != partition:
            errors.append(f"Policy ARN {arn!r} is not in the caller's partition {partition!r}.")
    return errors


def resolve_policy_arns(params, partition, account_id):
    """The ARNs that ``capabilities`` and ``managed_policies`` ask for, or None when attachments
    are not managed. A bare name means a customer managed policy at path / in this account."""
    capabilities = params.get("capabilities")
    managed = params.get("managed_policies")
    if capabilities is None and managed is None:
        return None
    arns = list(_catalog.capability_arns(capabilities or [], partition).values())
    for entry in managed or []:
        if is_policy_arn(entry):
            arns.append(entry)
        else:
            arns.append(f"arn:{partition}:iam::{account_id}:policy/{entry}")
    return sorted(set(arns))


def role_arn(partition, account_id, path, name):
    return f"arn:{partition}:iam::{account_id}:role{path or '/'}{name}"


# ---------------------------------------------------------------- planning


def snapshot(current):
    """The part of the state that diff mode shows."""
    if not current:
        return {}
    return {
        "path": current["path"],
        "description": current.get("description") or "",
        "max_session_duration": current.get("max_session_duration"),
        "permissions_boundary": current.get("permissions_boundary") or "",
        "tags": dict(current.get("tags") or {}),
        "trust_policy": current.get("assume_role_policy_document"),
        "attached_policies": sorted(current.get("attached_policies") or []),
    }


def plan_role_present(params, current, desired_arns, new_role_arn=None):
    """The role's plan for ``state: present`` (its settings and attachments; the grants are
    ``_service.with_grants``'s), with ``role_after`` and ``desired_arns``.

    ``current`` is the role as read (or None), ``desired_arns`` the result of
    ``resolve_policy_arns``. Raises InvalidInput for a change that cannot be made (path).
    """
    actions = []
    path = params.get("path")
    if current is None:
        after = {
            "arn": new_role_arn,
            "role_name": params["name"],
            "role_id": None,
            "path": path or "/",
            "create_date": None,
            "description": params.get("description") or "",
            "max_session_duration": params.get("max_session_duration") or MIN_SESSION,
            "permissions_boundary": params.get("permissions_boundary") or "",
            "tags": dict(params.get("tags") or {}),
            "assume_role_policy_document": _desired_trust(params, None, new_role_arn),
            "attached_policies": [],
        }
        actions.append(
            Action(
                _actions.CREATE_ROLE,
                name=params["name"],
                path=after["path"],
                trust_policy=after["assume_role_policy_document"],
                description=params.get("description"),
                max_session_duration=params.get("max_session_duration"),
                permissions_boundary=params.get("permissions_boundary") or None,
                tags=after["tags"],
            )
        )
        current_arns = []
    else:
        if path is not None and path != current["path"]:
            raise InvalidInput(
                f"Role {params['name']!r} exists with path {current['path']!r}; IAM cannot change a role's path "
                f"(requested {path!r}). Leave path unset, or delete and recreate the role."
            )
        after = copy.deepcopy(current)
        current_arns = list(current.get("attached_policies") or [])
        actions.extend(_settings_actions(params, current, after))

    actions.extend(_attachment_actions(params, current_arns, desired_arns, after))
    return Plan(snapshot(current), snapshot(after), actions, role_after=after, desired_arns=desired_arns)


def _settings_actions(params, current, after):
    actions = []
    name = params["name"]
    if _trust_drifted(params, current):
        trust = _desired_trust(params, current.get("assume_role_policy_document"), current["arn"])
        after["assume_role_policy_document"] = trust
        actions.append(Action(_actions.UPDATE_TRUST, name=name, trust_policy=copy.deepcopy(trust)))

    update = {}
    description = params.get("description")
    if description is not None and description != (current.get("description") or ""):
        update["description"] = description
    duration = params.get("max_session_duration")
    if duration is not None and duration != current.get("max_session_duration"):
        update["max_session_duration"] = duration
    if update:
        after.update(update)
        actions.append(Action(_actions.UPDATE_ROLE, name=name, **update))

    boundary = params.get("permissions_boundary")
    current_boundary = current.get("permissions_boundary") or ""
    if boundary is not None and boundary != current_boundary:
        after["permissions_boundary"] = boundary
        if boundary:
            actions.append(Action(_actions.PUT_BOUNDARY, name=name, arn=boundary))
        else:
            actions.append(Action(_actions.DELETE_BOUNDARY, name=name))

    tags = params.get("tags")
    if tags is not None:
        to_set, to_remove = compare_aws_tags(current.get("tags") or {}, tags, params.get("purge_tags", True))
        new_tags = dict(current.get("tags") or {})
        for key in to_remove:
            new_tags.pop(key, None)
        new_tags.update(to_set)
        after["tags"] = new_tags
        if to_remove:
            actions.append(Action(_actions.UNTAG, name=name, keys=sorted(to_remove)))
        if to_set:
            actions.append(Action(_actions.TAG, name=name, tags=to_set))
    return actions


def _arn_scope(arn):
    """``(partition, account_id)`` of a role ARN, or ``(None, None)``."""
    parsed = parse_aws_arn(arn) if arn else None
    return (parsed["partition"], parsed["account_id"]) if parsed else (None, None)


def _trust_drifted(params, role):
    """Whether the trust policy of ``role`` (as read) needs repair: anything beyond the documented policy
    and confused-deputy conditions naming the role's own account, or, with ``trust_source_account``,
    no ``aws:SourceAccount`` of that account."""
    partition, account_id = _arn_scope(role.get("arn"))
    return _documents.trust_policy_drifted(
        role.get("assume_role_policy_document"), partition, account_id, bool(params.get("trust_source_account"))
    )


def _desired_trust(params, current_trust, arn):
    partition, account_id = _arn_scope(arn)
    return _documents.desired_trust_policy(
        current_trust, partition, account_id, bool(params.get("trust_source_account")) and account_id is not None
    )


def _attachment_actions(params, current_arns, desired_arns, after):
    if desired_arns is None:
        after["attached_policies"] = sorted(current_arns)
        return []
    name = params["name"]
    actions = [Action(_actions.ATTACH, name=name, arn=arn) for arn in desired_arns if arn not in current_arns]
    remaining = set(current_arns) | set(desired_arns)
    if params.get("purge_policies", True):
        detach = sorted(arn for arn in current_arns if arn not in desired_arns)
        actions.extend(Action(_actions.DETACH, name=name, arn=arn) for arn in detach)
        remaining -= set(detach)
    after["attached_policies"] = sorted(remaining)
    return actions


def plan_role_absent(name, current):
    """The role's plan for ``state: absent``: detach, delete inline policies, remove from instance
    profiles, delete (the grants are ``_service.with_revocations``'s)."""
    if current is None:
        return Plan({}, {}, [])
    actions = [Action(_actions.DETACH, name=name, arn=arn) for arn in sorted(current.get("attached_policies") or [])]
    actions.extend(
        Action(_actions.DELETE_INLINE, name=name, policy=p) for p in sorted(current.get("inline_policies") or [])
    )
    actions.extend(
        Action(_actions.REMOVE_FROM_PROFILE, name=name, profile=p)
        for p in sorted(current.get("instance_profiles") or [])
    )
    actions.append(Action(_actions.DELETE_ROLE, name=name))
    return Plan(snapshot(current), {}, actions)


def attachments_to_verify(plan):
    """Policy ARNs that will be attached or set as boundary: each must exist before the first write."""
    arns = []
    for action in plan.actions:
        if action.kind == _actions.ATTACH:
            arns.append(action.args["arn"])
        elif action.kind == _actions.PUT_BOUNDARY:
            arns.append(action.args["arn"])
        elif action.kind == _actions.CREATE_ROLE and action.args.get("permissions_boundary"):
            arns.append(action.args["permissions_boundary"])
    return sorted(set(arns))


def verify_absent(role):
    """After deleting: the role (GetRole's answer, or None) must be gone."""
    if role is None:
        return []
    return [f"role {role['Arn']} exists (created {role.get('CreateDate')})"]


def verify_present(params, expected, read, desired_arns=None):
    """What the role read back after writing (``read``) lacks of what this run set (``expected``,
    the planned ``after``; ``desired_arns`` from ``resolve_policy_arns``). Only what the user asked
    to manage is compared. Empty when it matches."""
    if read is None:
        return [f"role {params['name']!r} does not exist"]
    problems = []
    if _trust_drifted(params, read):
        problems.append("the trust policy is not the documented one")
    for key in ("description", "max_session_duration", "permissions_boundary"):
        if params.get(key) is not None and read.get(key) != expected[key]:
            problems.append(f"{key} is {read.get(key)!r}, expected {expected[key]!r}")
    if params.get("tags") is not None:
        found, wanted = read.get("tags") or {}, expected["tags"]
        if found != wanted and (params.get("purge_tags", True) or any(found.get(k) != v for k, v in wanted.items())):
            problems.append(f"tags are {found!r}, expected {wanted!r}")
    if desired_arns is not None:
        found, wanted = set(read.get("attached_policies") or []), set(expected["attached_policies"])
        if found != wanted and (params.get("purge_policies", True) or not set(desired_arns) <= found):
            problems.append(f"attached policies are {sorted(found)}, expected {sorted(wanted)}")
    return problems
