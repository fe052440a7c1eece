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

Ownership. IAM is shared: the collection changes, attaches, detaches or deletes only what it can
prove is its own (``split_ownership``). The managed policy is its own when it carries
``OWNER_TAG`` with this role's ARN as value; an inline policy, which IAM cannot tag, only when its
document is exactly this role's grant. A managed policy without the tag (written by hand from the
AWS guide, or by release 1.0.0) is adopted only when it is provably the grant (``adoption_of``):
*every* version is exactly this role's grant (a dormant version is one SetDefaultPolicyVersion away
from being the policy) and every principal holding it is one the task lists (adopting with
``purge`` would revoke grants someone else gave). An adoption is shown in the diff and warned about.
Anything else of that name is foreign: ``state: present`` refuses before any write
(``NotOwned``), ``state: absent`` leaves it alone and reports it; a foreign object is never
changed, detached or deleted.

An own managed policy whose role is gone (deleted by hand) is an orphaned grant (``orphan_of``):
``state: absent`` deletes it, the info module reports it.
"""

import copy

from ansible_collections.ecs_tools.iam.plugins.module_utils import _actions
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import NotOwned
from ansible_collections.ecs_tools.iam.plugins.module_utils._plan import Action
from ansible_collections.ecs_tools.iam.plugins.module_utils._validation import iam_name_problem
from ansible_collections.ecs_tools.iam.plugins.module_utils._validation import tag_value_problem

KINDS = _principals.LIST_NAMES
_IAM_TYPE = _principals.TYPE_OF_LIST
MANAGED = "managed_policy"
INLINE = "inline"
CLEANUP_TAG = "ecs_tools.iam:inline-cleanup"
# The mark on the grant managed policy: the ARN of the role whose grant it holds.
OWNER_TAG = "ecs_tools.iam:role-arn"


def policy_name_for(role_name, spec=None):
    if spec and spec.get("policy_name"):
        return spec["policy_name"]
    return f"{role_name}PassRole"


def managed_policy_arn(partition, account_id, policy_name):
    return f"arn:{partition}:iam::{account_id}:policy/{policy_name}"


def normalize_spec(spec, role_name):
    """The ``pass_role`` option with defaults filled in, or None when grants are not managed."""
    if spec is None:
        return None
    result = {kind: list(spec.get(kind) or []) for kind in KINDS}
    result["mode"] = spec.get("mode") or MANAGED
    result["policy_name"] = policy_name_for(role_name, spec)
    result["purge"] = spec.get("purge", True) is not False
    return result


def validate_spec(spec):
    """Problems found without any AWS call, each naming the bad value."""
    if spec is None:
        return []
    errors = []
    problem = iam_name_problem("policy", name=spec["policy_name"])
    if problem:
        errors.append(f"Invalid pass_role.policy_name {spec['policy_name']!r}: {problem}.")
    for kind in KINDS:
        seen = set()
        for name in spec[kind]:
            problem = iam_name_problem(_IAM_TYPE[kind], name=name)
            if problem:
                errors.append(f"Invalid pass_role.{kind} entry {name!r}: {problem}.")
            elif name.lower() in seen:
                errors.append(
                    f"Duplicate pass_role.{kind} entry {name!r}: list each principal once "
                    "(IAM names do not differ by case alone)."
                )
            seen.add(name.lower())
    return errors


def empty():
    return {kind: [] for kind in KINDS}


def listed(spec):
    return {kind: sorted(set(spec[kind])) for kind in KINDS}


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


def stored_names(current):
    """kind -> {lower-case name: IAM's spelling} of every principal the current state names (the
    managed policy's grantees, the inline holders and, when scanned, every principal of the account).
    IAM names are unique regardless of case."""
    names = {kind: {} for kind in KINDS}
    for source in (current.get("principals"), current.get("attached"), current.get("inline")):
        for kind in KINDS:
            for name in (source or {}).get(kind) or ():
                names[kind].setdefault(name.lower(), name)
    return names


def respell(spec, names):
    """``spec`` with each listed principal spelled as IAM stores it (``names``: kind -> {lower-case
    name: stored name}), so that the plan compares, attaches and reports IAM's names: ``Alice`` listed
    where IAM holds ``alice`` is ``alice``, and never an attach of one and a detach of the other."""
    spec = dict(spec)
    for kind in KINDS:
        spec[kind] = [names[kind].get(name.lower(), name) for name in spec[kind]]
    return spec


def needs_scan(spec, policy):
    """Whether this run must read every inline policy in the account (GetAccountAuthorizationDetails)."""
    if spec["mode"] == INLINE:
        return True
    return policy is None or CLEANUP_TAG in (policy.get("tags") or {})


def inline_holders(details, policy_name):
    """From the account's authorization details (``_authorization``): every user, group and role,
    which of them hold an inline policy named ``policy_name`` (with its document), and the objects
    IAM would take for that name although they are spelled otherwise (IAM names are unique regardless
    of case, and managed policy names regardless of path). Returns ``{inline, principals, clashes}``,
    the part of the grants ``_iam.read_grant_policy`` leaves unscanned."""
    principals = {kind: set() for kind in KINDS}
    inline = empty_inline()
    clashes = []
    folded = policy_name.lower()
    for principal_kind in _principals.KINDS:
        kind, key, name_key, policies_key = (
            principal_kind.list_name,
            principal_kind.detail_list,
            principal_kind.name_key,
            principal_kind.policy_list,
        )
        for detail in details.get(key) or []:
            principals[kind].add(detail[name_key])
            for policy in detail.get(policies_key) or []:
                if policy["PolicyName"] == policy_name:
                    inline[kind][detail[name_key]] = _documents.as_dict(policy["PolicyDocument"])
                elif policy["PolicyName"].lower() == folded:
                    clashes.append({"kind": kind, "principal": detail[name_key], "name": policy["PolicyName"]})
    for policy in details.get("Policies") or []:
        if policy["Arn"].split(":")[4] == "aws":
            continue  # an AWS managed policy never takes a name of the account's
        # moto leaves PolicyName out of these details; the ARN ends with it either way.
        name = policy.get("PolicyName") or policy["Arn"].rsplit("/", 1)[-1]
        if name.lower() == folded and (name, policy.get("Path", "/")) != (policy_name, "/"):
            clashes.append({"arn": policy["Arn"], "name": name})
    return {"inline": inline, "principals": principals, "clashes": clashes}


# ---------------------------------------------------------------- ownership


def is_own_document(document, role_arn):
    """Whether ``document`` is exactly this role's grant (semantically: order, Sids and a scalar
    versus a one-element list do not count)."""
    return document is not None and not _documents.documents_differ(document, _documents.passrole_document(role_arn))


def _adoption(role_arn, policy, holders, listed):
    """``(adoption, reason)`` for an unmarked managed policy: the adoption (see ``adoption_of``) when
    it is provably this role's grant, else None and why not (naming each version and holder at fault)."""
    if not is_own_document(policy.get("document"), role_arn):
        return None, f"its document is not this role's PassRole grant and it carries no {OWNER_TAG} mark"
    versions = policy.get("versions")
    if versions is None:  # the info module: it reads no version but the default, and lists no principal
        return None, (
            f"it carries no {OWNER_TAG} mark, and ecs_tools.iam.ecs_infrastructure_role adopts an "
            "unmarked policy only when "
            "every version is exactly this role's grant and pass_role lists every principal holding it"
        )
    problems = []
    bad = [v["id"] for v in versions if not is_own_document(v["document"], role_arn)]
    if bad:
        problems.append(
            "its version{0} {1} {2} not this role's PassRole grant (a dormant version: one "
            "SetDefaultPolicyVersion makes it the policy)".format(
                "s" if len(bad) > 1 else "", ", ".join(bad), "are" if len(bad) > 1 else "is"
            )
        )
    holders = holders or empty()
    wanted = {kind: {n.lower() for n in (listed or empty())[kind]} for kind in KINDS}
    unlisted = [f"{_IAM_TYPE[kind]} {n!r}" for kind in KINDS for n in holders[kind] if n.lower() not in wanted[kind]]
    if unlisted:
        problems.append(
            f"it is attached to {', '.join(unlisted)}, whom pass_role does not list (adopting it would take over "
            "a grant someone else gave)"
        )
    if problems:
        return None, f"it carries no {OWNER_TAG} mark, and {'; and '.join(problems)}"
    adoption = {
        "arn": policy["arn"],
        "versions": [v["id"] for v in versions],
        "holders": {kind: sorted(holders[kind]) for kind in KINDS},
    }
    return adoption, None


def adoption_of(role_arn, current, listed=None):
    """The adoption of the grant managed policy in ``current``, or None: when it carries no mark, every
    version is exactly this role's grant and every principal holding it is in ``listed`` (by kind, as
    ``listed(spec)``; IAM names compared regardless of case). ``{arn, versions, holders}``."""
    policy = current.get("policy")
    if policy is None or (policy.get("tags") or {}).get(OWNER_TAG) is not None:
        return None
    return _adoption(role_arn, policy, current.get("attached"), listed)[0]


def split_ownership(role_arn, policy_name, current, listed=None):
    """Split what ``read_grants`` found into what the collection can prove is its own and what it cannot.

    Returns ``(own, foreign, adopt)``: ``own`` has the shape of ``current`` with only the
    collection's objects in it, ``foreign`` lists the others (see ``foreign_object``), ``adopt``
    the adoption of an unmarked managed policy that is provably the grant (``adoption_of``), or None.
    ``listed``: the principals the task lists, by kind (``listed(spec)``); None: nobody.
    """
    own = dict(current)
    foreign = []
    adopt = None
    policy = current.get("policy")
    if policy is not None:
        mark = (policy.get("tags") or {}).get(OWNER_TAG)
        reason = None
        if mark is None:
            adopt, reason = _adoption(role_arn, policy, current.get("attached"), listed)
        elif mark != role_arn:
            reason = f"it is marked {OWNER_TAG}={mark}: it holds the grant of that role"
        if reason is not None:
            foreign.append(
                foreign_object(
                    "managed_policy", policy_name, reason, arn=policy["arn"], holders=current.get("attached"), mark=mark
                )
            )
            own["policy"] = None
            own["attached"] = None
    for clash in current.get("clashes") or []:
        reason = "IAM names are unique regardless of case{0}, so it takes the name {1!r}".format(
            " and path" if "arn" in clash else "", policy_name
        )
        if "arn" in clash:
            foreign.append(foreign_object("managed_policy", clash["name"], reason, arn=clash["arn"]))
        else:
            foreign.append(
                foreign_object(
                    "inline_policy",
                    clash["name"],
                    reason,
                    principal_type=_IAM_TYPE[clash["kind"]],
                    principal=clash["principal"],
                )
            )
    inline = current.get("inline")
    if inline is not None:
        own["inline"] = empty_inline()
        for kind in KINDS:
            for principal, document in sorted(inline[kind].items()):
                if is_own_document(document, role_arn):
                    own["inline"][kind][principal] = document
                else:
                    foreign.append(
                        foreign_object(
                            "inline_policy",
                            policy_name,
                            "its document is not this role's PassRole grant",
                            principal_type=_IAM_TYPE[kind],
                            principal=principal,
                        )
                    )
    return own, foreign, adopt


def own_documents(policy_name, own):
    """``(document, where)`` of each of the collection's own grants (``own``, from ``split_ownership``)."""
    found = []
    if own["policy"] is not None:
        found.append((own["policy"]["document"], "managed policy " + own["policy"]["arn"]))
    for kind in KINDS:
        for principal, document in sorted((own["inline"] or {}).get(kind, {}).items()):
            found.append((document, f"inline policy {policy_name} of {kind[:-1]} {principal}"))
    return found


def foreign_object(object_type, name, reason, **where):
    value = dict(type=object_type, name=name, reason=reason)
    if object_type == "managed_policy":
        holders = where.get("holders")
        if holders is not None:
            holders = {k: list(holders[k]) for k in KINDS}
        value.update(arn=where["arn"], mark=where.get("mark"), holders=holders)
    else:
        value.update(principal_type=where["principal_type"], principal=where["principal"])
    return value


def describe_foreign(obj):
    if obj["type"] == "managed_policy":
        if obj["holders"] is None:
            return f"managed policy {obj['arn']} ({obj['reason']})"
        holders = [f"{_IAM_TYPE[kind]} {name!r}" for kind in KINDS for name in obj["holders"][kind]]
        held = "attached to " + ", ".join(holders) if holders else "attached to no principal"
        return f"managed policy {obj['arn']} ({held}; {obj['reason']})"
    return f"inline policy {obj['name']!r} of {obj['principal_type']} {obj['principal']!r} ({obj['reason']})"


def refusal(role_name, policy_name, foreign):
    return NotOwned(
        "Refusing to manage the PassRole grants of role {0!r}: these IAM objects are named {1!r} but the "
        "ecs_tools.iam collection cannot prove they are its own, so it will not change, attach, detach or "
        "delete them: {2}. Nothing was changed. Set pass_role.policy_name to a name nobody else uses, or "
        "remove these objects if they are no longer needed.".format(
            role_name, policy_name, "; ".join(describe_foreign(o) for o in foreign)
        ),
        foreign_objects=foreign,
    )


def left_alone_warning(role_name, foreign):
    return (
        "Left alone while deleting role {0!r}: {1}. The ecs_tools.iam collection cannot prove these are its own; "
        "remove them yourself if they are no longer needed.".format(
            role_name, "; ".join(describe_foreign(o) for o in foreign)
        )
    )


# ---------------------------------------------------------------- planning


def plan_grants(spec, role_name, role_arn, policy_arn, current):
    """Actions and the resulting ``pass_role`` value for ``state: present``.

    ``current``: ``policy`` (None or dict with ``arn``, ``document``, ``tags``), ``attached``
    (grantees of the managed policy by kind) and ``inline`` (None when not scanned, else kind ->
    {principal: document} of those holding an inline policy named ``policy_name``).
    Raises ``NotOwned`` when an object of that name is not the collection's own.
    """
    own, foreign, adopt = split_ownership(role_arn, spec["policy_name"], current, listed(spec))
    if foreign:
        raise refusal(role_name, spec["policy_name"], foreign)
    document = _documents.passrole_document(role_arn)
    if spec["mode"] == MANAGED:
        problem = tag_value_problem(role_arn)
        if problem:
            raise InvalidInput(
                f"Role ARN {role_arn!r} cannot mark the grant policy as a tag value ({problem}); use "
                "pass_role.mode: inline, "
                "or a role name and path without such characters."
            )
        actions, grantees = _plan_managed(spec, role_arn, policy_arn, document, own, adopt)
    else:
        actions, grantees = _plan_inline(spec, policy_arn, document, own)
    return actions, result(spec, policy_arn, document, grantees)


def _plan_managed(spec, role_arn, policy_arn, document, current, adopt):
    name = spec["policy_name"]
    policy = current.get("policy")
    attached = current.get("attached") or empty()
    inline = current.get("inline") or empty_inline()
    holders = any(inline[kind] for kind in KINDS)
    want = listed(spec)
    actions = []
    if policy is None:
        tags = {OWNER_TAG: role_arn}
        if holders:
            tags[CLEANUP_TAG] = "pending"
        actions.append(Action(_actions.CREATE_POLICY, name=name, document=document, tags=tags))
    else:
        if adopt:
            actions.append(Action(_actions.TAG_POLICY, arn=policy_arn, tags={OWNER_TAG: role_arn}))
        if _documents.documents_differ(policy.get("document"), document):
            actions.append(Action(_actions.NEW_POLICY_VERSION, arn=policy_arn, document=document))

    grantees = empty()
    for kind in KINDS:
        keep = set(want[kind])
        for principal in want[kind]:
            if principal not in attached[kind]:
                actions.append(Action(_actions.ATTACH_PRINCIPAL, kind=kind, principal=principal, arn=policy_arn))
        for principal in sorted(set(attached[kind]) - set(want[kind])):
            if spec["purge"]:
                actions.append(Action(_actions.DETACH_PRINCIPAL, kind=kind, principal=principal, arn=policy_arn))
            else:
                keep.add(principal)
        for principal in sorted(inline[kind]):
            if principal not in want[kind] and not spec["purge"] and principal not in attached[kind]:
                # purge: false keeps access: move the unlisted holder to the managed policy
                actions.append(Action(_actions.ATTACH_PRINCIPAL, kind=kind, principal=principal, arn=policy_arn))
                keep.add(principal)
            actions.append(Action(_actions.DELETE_PRINCIPAL_INLINE, kind=kind, principal=principal, policy_name=name))
        grantees[kind] = sorted(keep)

    pending = policy is not None and CLEANUP_TAG in (policy.get("tags") or {})
    if pending or (policy is None and holders):
        actions.append(Action(_actions.UNTAG_POLICY, arn=policy_arn, keys=[CLEANUP_TAG]))
    return actions, grantees


def _plan_inline(spec, policy_arn, document, current):
    name = spec["policy_name"]
    policy = current.get("policy")
    attached = current.get("attached") or empty()
    inline = current.get("inline") or empty_inline()
    want = listed(spec)
    actions = []
    grantees = empty()

    def put(kind, principal):
        """The grant ``document`` as ``principal``'s inline policy."""
        return Action(
            _actions.PUT_PRINCIPAL_INLINE, kind=kind, principal=principal, policy_name=name, document=document
        )

    for kind in KINDS:
        keep = set(want[kind])
        for principal in want[kind]:
            held = inline[kind].get(principal)
            if held is None or _documents.documents_differ(held, document):
                actions.append(put(kind, principal))
        for principal in sorted(set(inline[kind]) - set(want[kind])):
            if spec["purge"]:
                actions.append(
                    Action(_actions.DELETE_PRINCIPAL_INLINE, kind=kind, principal=principal, policy_name=name)
                )
            else:
                keep.add(principal)
        for principal in sorted(set(attached[kind]) - set(want[kind]) - set(inline[kind])):
            if not spec["purge"]:
                # purge: false keeps access: move the unlisted grantee to an inline policy
                actions.append(put(kind, principal))
                keep.add(principal)
        grantees[kind] = sorted(keep)
    if policy is not None:
        actions.extend(_remove_managed(policy_arn, attached))
    return actions, grantees


def _remove_managed(policy_arn, attached):
    actions = []
    for kind in KINDS:
        for principal in sorted(attached[kind]):
            actions.append(Action(_actions.DETACH_PRINCIPAL, kind=kind, principal=principal, arn=policy_arn))
    actions.append(Action(_actions.DELETE_POLICY, arn=policy_arn))
    return actions


def plan_revoke(role_name, role_arn, policy_arn, policy_name, current, listed=None):
    """Remove every grant of the collection's own (managed and inline) before the role is deleted.
    Returns ``(actions, own, foreign)``: what merely shares the name is left alone and listed, except
    an inline policy of the role itself, which goes with the role. An unmarked managed policy is
    deleted only when it is provably the grant (``adoption_of``, with ``listed``: the task's
    ``pass_role`` principals); otherwise it is foreign, never detached nor deleted."""
    own, foreign, dummy = split_ownership(role_arn, policy_name, current, listed)
    foreign = [
        o
        for o in foreign
        if not (o["type"] == "inline_policy" and (o["principal_type"], o["principal"]) == ("role", role_name))
    ]
    actions = []
    inline = own.get("inline") or empty_inline()
    for kind in KINDS:
        for principal in sorted(inline[kind]):
            actions.append(
                Action(_actions.DELETE_PRINCIPAL_INLINE, kind=kind, principal=principal, policy_name=policy_name)
            )
    if own.get("policy") is not None:
        actions.extend(_remove_managed(policy_arn, own.get("attached") or empty()))
    return actions, own, foreign


def adoption_warning(role_name, adoption, how):
    """The warning for an adoption (``adoption_of``); ``how``: what the run does with the policy now
    (``ADOPT_MARK``, ``ADOPT_MOVE`` or ``ADOPT_DELETE``)."""
    holders = [f"{_IAM_TYPE[kind]} {n!r}" for kind in KINDS for n in adoption["holders"][kind]]
    return (
        "Adopting managed policy {0} as the PassRole grant of role {1!r}: it carries no {2} mark, but every "
        "version ({3}) is exactly this role's grant and every principal holding it ({4}) is listed in "
        "pass_role. {5}".format(
            adoption["arn"],
            role_name,
            OWNER_TAG,
            ", ".join(adoption["versions"]),
            ", ".join(holders) if holders else "none",
            how,
        )
    )


ADOPT_MARK = "The mark is added; from now on the ecs_tools.iam collection manages it."
ADOPT_MOVE = "pass_role.mode is inline: its holders get inline grants and the policy is deleted."
ADOPT_DELETE = "It is detached and deleted before the role."


# ---------------------------------------------------------------- orphaned grants


def _role_arn_parts(arn):
    """``(partition, account, path, name)`` of a role ARN, or None."""
    parts = (arn or "").split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    resource = parts[5][len("role") :]
    path, name = resource.rsplit("/", 1)
    return parts[1], parts[4], path + "/", name


def orphan_of(role_name, partition, account_id, path, current):
    """The role ARN named by the mark of the grant managed policy in ``current`` (``read_grant_policy``)
    when that is the collection's own grant of a role named ``role_name`` in this account, else None.
    Asked when no role of that name exists: the grant is then an orphan. IAM role names are unique in
    an account whatever their path (and case), so the mark's path must match ``path`` only when it is
    given."""
    policy = current.get("policy")
    if policy is None:
        return None
    mark = (policy.get("tags") or {}).get(OWNER_TAG)
    parts = _role_arn_parts(mark)
    if parts is None:
        return None
    mark_partition, mark_account, mark_path, mark_name = parts
    if (mark_partition, mark_account, mark_name.lower()) != (partition, account_id, role_name.lower()):
        return None
    if path and mark_path != path:
        return None
    return mark


def plan_orphan(policy_arn, current):
    """Detach the orphaned grant (``orphan_of``) from every holder and delete it."""
    return _remove_managed(policy_arn, current.get("attached") or empty())


def orphan_message(role_arn, current):
    """The ``pass_role_orphaned_grant`` finding's message."""
    holders = current.get("attached") or empty()
    named = [f"{_IAM_TYPE[kind]} {n!r}" for kind in KINDS for n in holders[kind]]
    return (
        "Managed policy {0} is the ecs_tools.iam collection's PassRole grant of role {1} (its {2} mark), "
        "which does not exist; it is attached to {3}: a role created again under that name could be passed "
        "to ECS by them at once. Run ecs_tools.iam.ecs_infrastructure_role with state: absent (it deletes "
        "the grant), or with pass_role when the role is created again.".format(
            current["policy"]["arn"],
            role_arn,
            OWNER_TAG,
            ", ".join(named) if named else "no principal",
        )
    )


# The plan actions that write grants (the rest of a plan writes the role).
WRITES = _actions.GRANT_WRITES


def writes_grants(actions):
    return any(a.kind in WRITES for a in actions)


def empty_inline():
    return {kind: {} for kind in KINDS}


def current_grantees(current):
    """Everyone who holds the grant now, either way, by kind."""
    attached = current.get("attached") or empty()
    inline = current.get("inline") or empty_inline()
    return {kind: sorted(set(attached[kind]) | set(inline[kind])) for kind in KINDS}


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
    if policy is not None:
        value["mark"] = (policy.get("tags") or {}).get(OWNER_TAG)
    value.update(grantees)
    return value


def verify(spec, role_arn, expected, current):
    """What the grants read back after writing (``current``, from ``read_grants``) lack of what was
    written (``expected``, the ``pass_role`` result). Empty when they match; listed holders must hold
    the grant, and with ``purge`` nobody else may."""
    problems = []
    document = _documents.passrole_document(role_arn)
    policy = current.get("policy")
    if spec["mode"] == MANAGED:
        if policy is None:
            return [f"managed policy {expected['policy_arn']} is missing"]
        mark = (policy.get("tags") or {}).get(OWNER_TAG)
        if mark != role_arn:
            problems.append(f"managed policy {policy['arn']} is marked {mark!r}")
        if _documents.documents_differ(policy.get("document"), document):
            problems.append(f"managed policy {policy['arn']} does not hold this role's grant")
        holders = current.get("attached") or empty()
    else:
        if policy is not None and is_own_document(policy.get("document"), role_arn):
            problems.append(f"managed policy {policy['arn']} still exists")
        inline = current.get("inline") or empty_inline()
        holders = {kind: sorted(p for p, d in inline[kind].items() if is_own_document(d, role_arn)) for kind in KINDS}
    for kind in KINDS:
        found, wanted = set(holders[kind]), set(expected[kind])
        if found != wanted and (spec["purge"] or not set(spec[kind]) <= found):
            problems.append(f"{kind} holding the grant: {sorted(found)}, expected {sorted(wanted)}")
    if spec["mode"] == MANAGED and current.get("inline") is not None:
        left = [
            f"{_IAM_TYPE[kind]} {p!r}"
            for kind in KINDS
            for p, d in sorted(current["inline"][kind].items())
            if is_own_document(d, role_arn)
        ]
        if left:
            problems.append("inline grants remain on " + ", ".join(left))
    return problems


def _mode_of(current):
    if current.get("policy") is not None:
        return MANAGED
    inline = current.get("inline") or empty_inline()
    if any(inline[kind] for kind in KINDS):
        return INLINE
    return None
