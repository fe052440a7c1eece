# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Exposure: which users, groups and roles of the account can perform one action on one resource, and
for which values of one condition key. Pure: no boto3.

The question is the caller's: the action, the resource, the condition key and the value it compares
against (``iam:PassRole`` on the role with ``iam:PassedToService`` = ``ecs.amazonaws.com`` is one,
``_pass_role_exposure``; ``sts:AssumeRole`` with ``aws:SourceAccount`` is another). The answer comes
from GetAccountAuthorizationDetails (inline, attached and, for users, group policies; permissions
boundaries applied), evaluated by ``_policy_eval``.
"""

from ansible_collections.ecs_tools.iam.plugins.module_utils import _policy_eval
from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict

# What a principal that can perform the action is, towards ``value`` (the condition key's value the
# question is about): allowed only with that value, with at least one other, or depending on
# conditions the module cannot evaluate.
ONLY, OTHER, CONDITIONAL = "only", "other", "conditional"


class _Account:
    """The authorization details, indexed, with each policy's statements about ``action`` compiled once."""

    def __init__(self, details, action):
        self.action = action
        self.policies = {p.get("Arn"): p for p in details.get("Policies") or []}
        groups = _principals.BY_TYPE["group"]
        self.groups = {g[groups.name_key]: g for g in details.get(groups.detail_list) or []}
        self._managed = {}
        self._group_sources = {}

    def managed(self, arn):
        """The statements of a managed policy's default version that bear on the action, or None when
        the read did not return its document."""
        if arn not in self._managed:
            document = None
            if arn in self.policies:
                document = as_dict(_principals.default_document({"Policies": [self.policies[arn]]}, arn))
            self._managed[arn] = None if document is None else _policy_eval.statements(document, self.action)
        return self._managed[arn]

    def sources(self, detail, policies_key, group=None):
        """``[(grant, statements)]`` of one principal's own inline and attached policies that bear on
        the action (statements None: a managed policy whose document the read did not return)."""
        found = []
        for policy in detail.get(policies_key) or []:
            statements = _policy_eval.statements(as_dict(policy.get("PolicyDocument")), self.action)
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
            policy_list = _principals.BY_TYPE["group"].policy_list
            self._group_sources[name] = self.sources(group, policy_list, group=name) if group else []
        return self._group_sources[name]


def describe_grant(grant, kind, name):
    if grant["via"] == "inline":
        return f"inline policy {grant['policy_name']} of {kind} {name}"
    if grant["via"] == "managed":
        return f"managed policy {grant['policy_arn']}"
    if grant["policy_arn"]:
        return f"managed policy {grant['policy_arn']} of group {grant['group']}"
    return f"inline policy {grant['policy_name']} of group {grant['group']}"


# The condition a principal carries when the search for another value of the key ran past
# _policy_eval.SEARCH_LIMIT.
SEARCH_UNDECIDED = "Search"


def _classify(access, value):
    """``(classification, may reach other values, search undecided)``; classification None when the
    policies cannot perform the action at all."""
    possibly_other = access.allows_other_than(value, certain=False)
    if not access.allows(value, certain=False) and possibly_other is False:
        return None, False, False
    if access.allows_other_than(value, certain=True):
        return OTHER, True, False
    if possibly_other is not False:
        return CONDITIONAL, True, possibly_other is None
    if access.allows(value, certain=True):
        return ONLY, False, False
    return CONDITIONAL, False, False


def _unknown(action):
    """Stands for a policy whose document the read did not return: it may allow anything, nothing surely."""
    condition = {"Policy": {"document not returned": []}}
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}],
    }


def _administrator(known, boundary, access, classification):
    """An administrator: an unconditional Allow of ``*`` on ``*`` (AdministratorAccess and equivalents),
    no permissions boundary that holds it back (none, or one that allows ``*`` on ``*`` itself), and no
    Deny that bears on the action on this resource, so that it can perform it with any value. A
    principal whose Deny or boundary narrows the action is judged by what it can still do, like any other."""
    if classification != OTHER or access.deny or access.boundary_deny:
        return False
    if boundary is False or (boundary is not None and not any(s.administrator for s in boundary)):
        return False
    return any(s.administrator for dummy, statements in known for s in statements)


def _principal(question, kind, detail, sources, boundary):
    action, resource, key, value, lower_case = question
    unknown = _policy_eval.statements(_unknown(action))
    known = [(grant, unknown if st is None else st) for grant, st in sources]
    if not any(s.effect == "Allow" for _grant, statements in known for s in statements):
        return None

    def evaluate(policies):
        return _policy_eval.evaluate(policies, action, resource, key, boundary, lower_case=lower_case)

    access = evaluate(known)
    classification, reaches_others, search_undecided = _classify(access, value)
    if classification is None:
        return None
    grants = []
    for index, (grant, statements) in enumerate(known):
        allows = [s for s in statements if s.effect == "Allow" and s.resource_applies(resource) is not False]
        if not allows:
            continue
        if len(known) == 1:
            own = classification  # the only policy: it alone gives the principal's answer
        else:
            alone = [
                (g, st if i == index else [s for s in st if s.effect == "Deny"]) for i, (g, st) in enumerate(known)
            ]
            own = _classify(evaluate(alone), value)[0]
        grant = dict(grant, classification=own)
        if grant["classification"] is not None:
            grants.append(grant)
    conditions = [dict(c) for c in access.undecided]
    if search_undecided:
        conditions.append({"effect": "Allow", "operator": SEARCH_UNDECIDED, "key": key, "values": ["undecided"]})
    unique = []
    for condition in conditions:
        if condition not in unique:
            unique.append(condition)
    return {
        "type": kind.type,
        "name": detail[kind.name_key],
        "arn": detail.get("Arn"),
        "classification": classification,
        "administrator": _administrator(known, boundary, access, classification),
        "grants": grants,
        "conditions": unique,
        "reaches_other_values": reaches_others,
    }


def principals(details, action, resource, key, value, lower_case=False):
    """Every user, group and role that can perform ``action`` on ``resource``, from
    GetAccountAuthorizationDetails: inline, attached and (users) group policies, permissions boundaries
    applied. Sorted by type, name. ``key``: the condition key decided exactly (any other condition is
    undecided, and listed in ``conditions``); ``value``: the value of ``key`` the question is about;
    ``lower_case``: the key's values are lower-case whatever a policy says (service principals).
    ``classification``: ``ONLY`` (only with ``key`` = ``value``), ``OTHER`` (with at least one other
    value) or ``CONDITIONAL`` (see ``conditions``); each grant carries its own."""
    account = _Account(details, action)
    question = (action, resource, key, value, lower_case)
    found = []
    for kind in _principals.KINDS:
        for detail in details.get(kind.detail_list) or []:
            sources = account.sources(detail, kind.policy_list)
            if kind.type == "user":
                for group in detail.get("GroupList") or []:
                    sources.extend(account.group_sources(group))
            boundary = None
            boundary_arn = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            if boundary_arn and kind.type != "group":
                compiled = account.managed(boundary_arn)
                boundary = False if compiled is None else compiled
            principal = _principal(question, kind, detail, sources, boundary)
            if principal is not None:
                found.append(principal)
    return sorted(found, key=lambda p: (p["type"], p["name"]))
