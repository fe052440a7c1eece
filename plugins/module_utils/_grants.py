# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PassRole grants: validation, and current grants -> ordered plan of changes. Pure: no boto3.

Two modes hold the grant document (``_documents.passrole_document``):

- ``managed_policy``: one customer managed policy, attached to every grantee. Its grantees are
  read with one ListEntitiesForPolicy.
- ``inline``: an inline policy of the same name on each grantee, found with one paginated
  GetAccountAuthorizationDetails.

Switching modes moves every grant and leaves none behind. A switch to ``managed_policy`` is
made crash-safe by creating the policy with the ``CLEANUP_TAG`` tag while inline grants still
exist: a later run that sees the tag scans and cleans again, and the tag goes last.
"""

import copy

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils._plan import Action

KINDS = ("users", "groups", "roles")
_IAM_TYPE = {"users": "user", "groups": "group", "roles": "role"}
MANAGED = "managed_policy"
INLINE = "inline"
CLEANUP_TAG = "ecs_tools.iam:inline-cleanup"


def policy_name_for(role_name, spec=None):
    if spec and spec.get("policy_name"):
        return spec["policy_name"]
    return "{0}PassRole".format(role_name)


def managed_policy_arn(partition, account_id, policy_name):
    return "arn:{0}:iam::{1}:policy/{2}".format(partition, account_id, policy_name)


def normalize_spec(spec, role_name):
    """The ``pass_role`` option with defaults filled in, or None when grants are not managed."""
    if spec is None:
        return None
    result = dict((kind, list(spec.get(kind) or [])) for kind in KINDS)
    result["mode"] = spec.get("mode") or MANAGED
    result["policy_name"] = policy_name_for(role_name, spec)
    result["purge"] = spec.get("purge", True) is not False
    return result


def validate_spec(spec):
    """Problems found without any AWS call, each naming the bad value."""
    if spec is None:
        return []
    errors = []
    problem = validate_iam_identifiers("policy", name=spec["policy_name"])
    if problem:
        errors.append("Invalid pass_role.policy_name {0!r}: {1}.".format(spec["policy_name"], problem))
    for kind in KINDS:
        seen = set()
        for name in spec[kind]:
            problem = validate_iam_identifiers(_IAM_TYPE[kind], name=name)
            if problem:
                errors.append("Invalid pass_role.{0} entry {1!r}: {2}.".format(kind, name, problem))
            elif name in seen:
                errors.append("Duplicate pass_role.{0} entry {1!r}: list each principal once.".format(kind, name))
            seen.add(name)
    return errors


def empty():
    return dict((kind, []) for kind in KINDS)


def listed(spec):
    return dict((kind, sorted(set(spec[kind]))) for kind in KINDS)


def unverified_principals(spec, current):
    """Listed principals whose existence the current state does not already prove."""
    known = current.get("principals")
    attached = current.get("attached") or empty()
    result = empty()
    for kind in KINDS:
        for name in sorted(set(spec[kind])):
            if name in attached[kind]:
                continue  # IAM cannot delete a principal that still has a policy attached
            if known is not None and name in known[kind]:
                continue
            result[kind].append(name)
    return result


def needs_scan(spec, policy):
    """Whether this run must read every inline policy in the account (GetAccountAuthorizationDetails)."""
    if spec["mode"] == INLINE:
        return True
    return policy is None or CLEANUP_TAG in (policy.get("tags") or {})


def plan_grants(spec, role_arn, policy_arn, current):
    """Actions and the resulting ``pass_role`` value for ``state: present``.

    ``current``: ``policy`` (None or dict with ``arn``, ``document``, ``tags``), ``attached``
    (grantees of the managed policy by kind) and ``inline`` (None when not scanned, else kind ->
    {principal: document} of those holding an inline policy named ``policy_name``).
    """
    document = _documents.passrole_document(role_arn)
    if spec["mode"] == MANAGED:
        actions, grantees = _plan_managed(spec, policy_arn, document, current)
    else:
        actions, grantees = _plan_inline(spec, policy_arn, document, current)
    return actions, result(spec, policy_arn, document, grantees)


def _plan_managed(spec, policy_arn, document, current):
    name = spec["policy_name"]
    policy = current.get("policy")
    attached = current.get("attached") or empty()
    inline = current.get("inline") or empty_inline()
    holders = any(inline[kind] for kind in KINDS)
    want = listed(spec)
    actions = []
    if policy is None:
        tags = {CLEANUP_TAG: "pending"} if holders else {}
        actions.append(Action("create_policy", name=name, document=document, tags=tags))
    elif _documents.documents_differ(policy.get("document"), document):
        actions.append(Action("new_policy_version", arn=policy_arn, document=document))

    grantees = empty()
    for kind in KINDS:
        keep = set(want[kind])
        for principal in want[kind]:
            if principal not in attached[kind]:
                actions.append(Action("attach_principal", kind=kind, principal=principal, arn=policy_arn))
        for principal in sorted(set(attached[kind]) - set(want[kind])):
            if spec["purge"]:
                actions.append(Action("detach_principal", kind=kind, principal=principal, arn=policy_arn))
            else:
                keep.add(principal)
        for principal in sorted(inline[kind]):
            if principal not in want[kind] and not spec["purge"] and principal not in attached[kind]:
                # purge: false keeps access: move the unlisted holder to the managed policy
                actions.append(Action("attach_principal", kind=kind, principal=principal, arn=policy_arn))
                keep.add(principal)
            actions.append(Action("delete_principal_inline", kind=kind, principal=principal, policy_name=name))
        grantees[kind] = sorted(keep)

    pending = policy is not None and CLEANUP_TAG in (policy.get("tags") or {})
    if pending or (policy is None and holders):
        actions.append(Action("untag_policy", arn=policy_arn, keys=[CLEANUP_TAG]))
    return actions, grantees


def _plan_inline(spec, policy_arn, document, current):
    name = spec["policy_name"]
    policy = current.get("policy")
    attached = current.get("attached") or empty()
    inline = current.get("inline") or empty_inline()
    want = listed(spec)
    actions = []
    grantees = empty()
    for kind in KINDS:
        keep = set(want[kind])
        for principal in want[kind]:
            held = inline[kind].get(principal)
            if held is None or _documents.documents_differ(held, document):
                actions.append(
                    Action("put_principal_inline", kind=kind, principal=principal, policy_name=name, document=document)
                )
        for principal in sorted(set(inline[kind]) - set(want[kind])):
            if spec["purge"]:
                actions.append(Action("delete_principal_inline", kind=kind, principal=principal, policy_name=name))
            else:
                keep.add(principal)
        for principal in sorted(set(attached[kind]) - set(want[kind]) - set(inline[kind])):
            if not spec["purge"]:
                # purge: false keeps access: move the unlisted grantee to an inline policy
                actions.append(
                    Action("put_principal_inline", kind=kind, principal=principal, policy_name=name, document=document)
                )
                keep.add(principal)
        grantees[kind] = sorted(keep)
    if policy is not None:
        actions.extend(_remove_managed(policy_arn, attached))
    return actions, grantees


def _remove_managed(policy_arn, attached):
    actions = []
    for kind in KINDS:
        for principal in sorted(attached[kind]):
            actions.append(Action("detach_principal", kind=kind, principal=principal, arn=policy_arn))
    actions.append(Action("delete_policy", arn=policy_arn))
    return actions


def plan_revoke(policy_arn, policy_name, current):
    """Remove every grant (managed and inline) before the role is deleted."""
    actions = []
    inline = current.get("inline") or empty_inline()
    for kind in KINDS:
        for principal in sorted(inline[kind]):
            actions.append(Action("delete_principal_inline", kind=kind, principal=principal, policy_name=policy_name))
    if current.get("policy") is not None:
        actions.extend(_remove_managed(policy_arn, current.get("attached") or empty()))
    return actions


def empty_inline():
    return dict((kind, {}) for kind in KINDS)


def current_grantees(current):
    """Everyone who holds the grant now, either way, by kind."""
    attached = current.get("attached") or empty()
    inline = current.get("inline") or empty_inline()
    return dict((kind, sorted(set(attached[kind]) | set(inline[kind]))) for kind in KINDS)


def result(spec, policy_arn, document, grantees):
    value = dict(
        mode=spec["mode"],
        policy_name=spec["policy_name"],
        policy_document=copy.deepcopy(document),
    )
    if spec["mode"] == MANAGED:
        value["policy_arn"] = policy_arn
    value.update(grantees)
    return value


def snapshot(spec, current):
    """The grants as diff mode shows them before a change."""
    policy = current.get("policy")
    grantees = current_grantees(current)
    held = None
    if policy is not None:
        held = policy.get("document")
    else:
        inline = current.get("inline") or empty_inline()
        for kind in KINDS:
            for doc in inline[kind].values():
                held = doc
                break
    value = dict(mode=_mode_of(current), policy_name=spec["policy_name"], policy_document=held)
    value.update(grantees)
    return value


def _mode_of(current):
    if current.get("policy") is not None:
        return MANAGED
    inline = current.get("inline") or empty_inline()
    if any(inline[kind] for kind in KINDS):
        return INLINE
    return None
