# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The service layer both modules call. One run goes through five steps, in this order:

1. **read**: the current state, once (``Current``): the role, the account, the PassRole grants
   and, when the grants are scanned, which listed principals exist. Reads only.
2. **plan**: each part planned once, pure: the role's part (``plan_role`` / ``plan_role_removal``,
   with the in-use guard it needs), then the whole plan (``with_grants`` / ``with_revocations``:
   the grants, the revocations). A ``_plan.Plan`` is complete when built and never changed after.
3. **preflight**: what the plan depends on but the state does not say: the policies it attaches
   exist, and the in-use guard (when the plan needs it). Reads only; it raises before any write.
4. **apply**: the plan's actions, in order (``_iam.ACTIONS``).
5. **confirm**: read back what was written and compare; a difference that outlasts IAM's eventual
   consistency is another writer's (``ConcurrentChange``).

Steps 1 to 3 interleave in the order 1.0.0 made the checks: the role's part is read, planned and
checked (partition, path, policies to attach; for ``absent`` the in-use guard) before the grants
are read, so a bad input or a role in use is reported as such even when a grant read would be denied.

Errors are typed (``_errors``); the modules turn them into results with ``EcsToolsIAMModule.run``.
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.ecs_tools.iam.plugins.module_utils import _actions
from ansible_collections.ecs_tools.iam.plugins.module_utils import _authorization
from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings
from ansible_collections.ecs_tools.iam.plugins.module_utils import _grants
from ansible_collections.ecs_tools.iam.plugins.module_utils import _iam
from ansible_collections.ecs_tools.iam.plugins.module_utils import _pass_role_exposure
from ansible_collections.ecs_tools.iam.plugins.module_utils import _plan
from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals
from ansible_collections.ecs_tools.iam.plugins.module_utils import _role_findings
from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage
from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage_findings
from ansible_collections.ecs_tools.iam.plugins.module_utils import _validation
from ansible_collections.ecs_tools.iam.plugins.module_utils import _volume_access
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import ConcurrentChange
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InUseError
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput

ROLE_KEYS = (
    "arn",
    "role_name",
    "role_id",
    "path",
    "create_date",
    "description",
    "max_session_duration",
    "permissions_boundary",
    "tags",
    "assume_role_policy_document",
)
# IAM is eventually consistent: a read right after a write may still show the old state. A difference
# is read again after each of these pauses (seconds) before it counts as another writer's doing.
READ_BACK_PAUSES = (1, 2, 4, 8)
# The info module reads the AWS managed policies the account uses one by one (2 calls each) up to this
# many; beyond, one paginated read of every AWS managed policy (some 1,300) is cheaper.
MAX_AWS_MANAGED_READS = 40
DETACH_VOLUMES = "detach AmazonECSInfrastructureRolePolicyForVolumes from role"
CHANGE_ROLE = "change role"
# Changes that can take the volume actions away from ECS (the role's policies, boundary or trust):
# before any of them the guard asks the evaluator (``_volume_access.volume_blockers``).
VOLUME_ACTION_CHANGES = _actions.VOLUME_ACTION_CHANGES
DELETE_ROLE = "delete role"


class Current:
    """What IAM holds now, read once. ``role``: ``_iam.read_role``'s answer or None; ``spec``: the
    normalized ``pass_role`` (None when the task manages no grants); ``grants``: ``_iam.read_grant_policy``
    plus, when scanned, ``_grants.inline_holders``; ``missing``: listed principals that do not exist."""

    def __init__(self, role, partition, account_id, spec=None, grants=None, missing=None):
        self.role = role
        self.partition = partition
        self.account_id = account_id
        self.spec = spec
        self.grants = grants
        self.missing = missing or _grants.empty()

    @property
    def policy_arn(self):
        return _grants.managed_policy_arn(self.partition, self.account_id, self.spec["policy_name"])


class Guard:
    """The in-use guard a plan needs before it may run: ``what`` it would do to the role.
    ``unless_volume_actions_kept``: skip the scan unless the change takes a volume action away from
    ECS."""

    __slots__ = ("what", "unless_volume_actions_kept")

    def __init__(self, what, unless_volume_actions_kept=False):
        self.what = what
        self.unless_volume_actions_kept = unless_volume_actions_kept


# ---------------------------------------------------------------- plan (pure)


def plan_role(params, current):
    """The role's part of the plan for ``state: present``: settings, attachments and the in-use
    guard. Pure; planned once, before the grants are read, so what the role's part needs
    (partition, path, policies to attach) is checked first."""
    name = params["name"]
    errors = _plan.partition_errors(params, current.partition)
    if errors:
        raise InvalidInput(" ".join(errors))
    desired_arns = _plan.resolve_policy_arns(params, current.partition, current.account_id)
    new_arn = _plan.role_arn(current.partition, current.account_id, params.get("path"), name)
    plan = _plan.plan_role_present(params, current.role, desired_arns, new_arn)
    volumes = _catalog.capability_arn(_catalog.VOLUMES, current.partition)
    if current.role is not None and any(a.kind in VOLUME_ACTION_CHANGES for a in plan.actions):
        detaches = any(a.kind == _actions.DETACH and a.args["arn"] == volumes for a in plan.actions)
        plan = plan.but(guard=Guard(DETACH_VOLUMES if detaches else CHANGE_ROLE, unless_volume_actions_kept=True))
    return plan


def with_grants(params, current, role_plan):
    """The whole plan for ``state: present``: ``role_plan`` (``plan_role``) and, when the task
    manages them and they were read, the grants, after it. Pure. Raises InvalidInput when
    ``pass_role`` names principals that do not exist."""
    name = params["name"]
    named = [f"{kind[:-1]} {n!r}" for kind in _grants.KINDS for n in current.missing[kind]]
    if named:
        raise InvalidInput("pass_role names principals that do not exist, nothing was changed: " + ", ".join(named))
    if current.spec is None or current.grants is None:
        return role_plan
    spec, role_arn = current.spec, role_plan.role_after["arn"]
    actions, pass_role = _grants.plan_grants(spec, name, role_arn, current.policy_arn, current.grants)
    shown = dict(pass_role)
    if spec["mode"] == _grants.MANAGED:
        shown["mark"] = role_arn
    how = _grants.ADOPT_MARK if spec["mode"] == _grants.MANAGED else _grants.ADOPT_MOVE
    warnings = _adoption(name, role_arn, current, shown, how)
    return role_plan.but(
        actions=role_plan.actions + actions,
        before=dict(role_plan.before, pass_role=_grants.snapshot(spec, current.grants)),
        after=dict(role_plan.after, pass_role=shown),
        pass_role=pass_role,
        warnings=warnings,
    )


def present_plan(params, current):
    """The whole plan for ``state: present`` in one call (``plan_role``, then ``with_grants``)."""
    return with_grants(params, current, plan_role(params, current))


def _adoption(name, role_arn, current, shown, how):
    """The warnings of an adoption (``_grants.adoption_of``), which ``shown`` (a diff's ``pass_role``)
    names under ``adopted``; ``how``: what the run does with the adopted policy."""
    adoption = _grants.adoption_of(role_arn, current.grants, _grants.listed(current.spec))
    if adoption is None:
        return []
    shown["adopted"] = adoption
    return [_grants.adoption_warning(name, adoption, how)]


def plan_role_removal(params, current):
    """The role's part of the plan for ``state: absent``, and its guard. Pure; planned once,
    before the grants are read: the in-use guard needs the role alone."""
    plan = _plan.plan_role_absent(params["name"], current.role)
    return plan if current.role is None else plan.but(guard=Guard(DELETE_ROLE))


def with_revocations(params, current, role_plan):
    """The whole plan for ``state: absent``: the collection's own grants first (a run cut short
    leaves the role, which the next run deletes), then ``role_plan`` (``plan_role_removal``). Pure.
    The plan carries ``foreign``: what merely shares the grant's name, left alone, and ``warnings``.
    When the role is gone, the collection's own grant of it (an orphan) is deleted."""
    if current.grants is None:
        return role_plan  # the role's part alone: the grants are read once the guard let the run go on
    if current.role is None:
        return _plan_orphan(params, current, role_plan)
    listed = _grants.listed(current.spec)
    revoke, own, foreign = _grants.plan_revoke(
        params["name"], current.role["arn"], current.policy_arn, current.spec["policy_name"], current.grants, listed
    )
    shown = _grants.snapshot(current.spec, own)
    warnings = _adoption(params["name"], current.role["arn"], current, shown, _grants.ADOPT_DELETE)
    return role_plan.but(
        actions=revoke + role_plan.actions,
        before=dict(role_plan.before, pass_role=shown),
        foreign=foreign,
        warnings=warnings,
    )


def absent_plan(params, current):
    """The whole plan for ``state: absent`` in one call (``plan_role_removal``, then ``with_revocations``)."""
    return with_revocations(params, current, plan_role_removal(params, current))


def _plan_orphan(params, current, plan):
    """``state: absent`` with the role gone: delete the collection's own grant policy of a role of
    that name (``_grants.orphan_of``), detached from its holders first. ``state: absent`` takes no
    ``path``: a mark naming a role of that name at any path matches (role names are unique in an
    account whatever the path)."""
    role_arn = _grants.orphan_of(
        params["name"], current.partition, current.account_id, params.get("path"), current.grants
    )
    if role_arn is None:
        return plan
    return plan.but(
        actions=plan.actions + _grants.plan_orphan(current.policy_arn, current.grants),
        before=dict(plan.before, pass_role=_grants.snapshot(current.spec, current.grants)),
    )


def present_result(plan, current, created=None):
    """The result of ``state: present``; ``created``: the identity IAM gave a role this run created
    (``arn``, ``role_id``, ``create_date``), which the plan could only predict."""
    role_after = dict(plan.role_after, **(created or {}))
    attached = role_after["attached_policies"]
    capabilities = _catalog.capabilities_from_arns(attached, current.partition)
    return dict(
        role={k: role_after[k] for k in ROLE_KEYS},
        attached_policies=attached,
        capabilities=capabilities,
        cloudtrail_session_names=_catalog.session_names(capabilities),
        cloudtrail_role_session_names=_catalog.all_session_names(capabilities),
        pass_role=plan.pass_role,
    )


def _with_warnings(result, plan):
    if plan.warnings:
        result["warnings"] = result.get("warnings", []) + list(plan.warnings)
    return result


def absent_result(plan):
    result = dict(
        role={},
        attached_policies=[],
        capabilities=[],
        cloudtrail_session_names={},
        cloudtrail_role_session_names={},
        pass_role={},
    )
    if plan.foreign:
        result["foreign_objects"] = plan.foreign
    return result


def _identity(role):
    """What IAM gives a role when it creates it (the plan can only predict the ARN)."""
    return {k: role[k] for k in ("arn", "role_id", "create_date")}


def read_back(role_name, read, compare, first=None, sleep=time.sleep, pauses=None):
    """After writing: read the state again (``first``: a read already made) and compare it with what
    was written. Raises ConcurrentChange when it still differs once IAM has had time to become consistent."""
    problems = compare(read() if first is None else first)
    for pause in READ_BACK_PAUSES if pauses is None else pauses:
        if not problems:
            return
        sleep(pause)
        problems = compare(read())
    if problems:
        raise ConcurrentChange(
            "Role {0!r} was changed concurrently by another writer: after this run's writes IAM shows {1}. "
            "Run the task again to converge, and let only one job manage this role at a time.".format(
                role_name, "; ".join(problems)
            ),
            differences=problems,
        )


# ---------------------------------------------------------------- the service


class RoleService:
    """Both modules' work on one account. ``client``: an IAM client (``EcsToolsIAMModule.client``);
    ``account_info()``: ``(account_id, partition)`` from STS, asked only when no role ARN says it;
    ``scan_usage(role_arn, regions)``: the in-use scan (``_usage``); ``waits``: ``read_back``'s
    ``sleep`` and ``pauses``, for tests."""

    def __init__(self, client, check_mode, account_info, scan_usage, known_regions=None, **waits):
        self._client, self.check_mode = client, check_mode
        self.account_info, self.scan_usage = account_info, scan_usage
        self.known_regions = known_regions  # () -> (partition, region names) or None: see _known_regions
        self.waits = waits

    @property
    def client(self):
        """``client`` may be given as a function that makes it: it is made on first use, so that
        input is validated before any connection setting is."""
        if callable(self._client):  # a boto3 client (or _iam.after_create's wrapper) is not
            self._client = self._client()
        return self._client

    @classmethod
    def for_module(cls, module):
        return cls(
            lambda: module.client("iam"),
            module.check_mode,
            lambda: _iam.caller_account(module.client("sts")),
            lambda role_arn, regions: _usage.scan_for_module(module, role_arn, regions),
            known_regions=lambda: _usage.known_regions(module.region),
        )

    # -------------------------------------------------------- ecs_infrastructure_role

    def present(self, params):
        """Returns ``(plan, result)`` for ``state: present``."""
        params = _validation.with_text_tags(params)  # once: the same text is validated, written and compared
        spec = _grants.normalize_spec(params.get("pass_role"), params["name"])
        self.validate(params, spec)
        current = self.read_role(params, spec)
        # What the role's part needs is checked before the grants are read: the partition and path
        # (pure), then that every policy to attach exists.
        role_plan = plan_role(params, current)
        self.check_attachments(role_plan)
        self.read_grants(current)
        plan = with_grants(params, current, role_plan)
        usage = self.guard(params, current, plan)
        created = None
        if plan.changed and not self.check_mode:
            created = self.apply(plan)
            created = self.confirm_present(params, current, plan, created)
        result = _with_warnings(present_result(plan, current, created), plan)
        if usage is not None:
            result["in_use"] = usage
        return plan, result

    def absent(self, params):
        """Returns ``(plan, result)`` for ``state: absent``; ``result["warnings"]`` for the module to warn."""
        self.validate(params, _grants.normalize_spec(params.get("pass_role"), params["name"]))
        # Deleting looks for the grants under their name even when the task manages none.
        spec = _grants.normalize_spec(params.get("pass_role") or {}, params["name"])
        current = self.read_role(params, spec, for_deletion=True)
        role_plan = plan_role_removal(params, current)
        usage = self.guard(params, current, role_plan)  # the guard needs the role alone
        self.read_grants(current, for_deletion=True)
        if current.role is None:
            self.read_orphan(current)
        plan = with_revocations(params, current, role_plan)
        result = _with_warnings(absent_result(plan), plan)
        if plan.foreign:
            result["warnings"] = result.get("warnings", []) + [_grants.left_alone_warning(params["name"], plan.foreign)]
        if usage is not None:
            result["in_use"] = usage
        if plan.changed and not self.check_mode:
            self.apply(plan)
            read_back(
                params["name"], lambda: _iam.get_role(self.client, params["name"]), _plan.verify_absent, **self.waits
            )
        return plan, result

    def validate(self, params, spec):
        """Every check that needs no AWS call, all reported at once (``_validation``)."""
        errors = _validation.validate_role_options(params, self._known_regions(params))
        errors.extend(_grants.validate_spec(spec))
        if errors:
            raise InvalidInput(" ".join(errors))

    def _known_regions(self, params):
        """For both modules' check of ``usage_regions``: the partition's region list, read only when
        regions are given (``known_regions``), else None."""
        if not params.get("usage_regions") or not self.known_regions:
            return None
        return self.known_regions()

    def read_role(self, params, spec, for_deletion=False):
        """Step 1, the role: GetRole and its lists; the account from its ARN, else from STS."""
        role = _iam.read_role(self.client, params["name"], for_deletion=for_deletion)
        if role is None and for_deletion:
            return Current(None, None, None, spec)
        if role is not None:
            parsed = parse_aws_arn(role["arn"])
            partition, account_id = parsed["partition"], parsed["account_id"]
        else:
            account_id, partition = self.account_info()
        return Current(role, partition, account_id, spec)

    def read_grants(self, current, for_deletion=False):
        """Step 1, the grants, when the task manages them (``spec``), or always before deleting:
        the grant policy, the account's inline holders when they must be scanned, and whether the
        listed principals exist."""
        spec = current.spec
        if spec is None or (for_deletion and current.role is None):
            return
        current.grants = _iam.read_grant_policy(self.client, current.policy_arn)
        if for_deletion or _grants.needs_scan(spec, current.grants["policy"]):
            details = _authorization.account_authorization_details(self.client, _authorization.LOCAL)
            current.grants.update(_grants.inline_holders(details, spec["policy_name"]))
        # IAM names are unique regardless of case: the plan uses IAM's spelling of each listed principal.
        spec = current.spec = _grants.respell(spec, _grants.stored_names(current.grants))
        unverified = _grants.unverified_principals(spec, current.grants)
        if current.grants["principals"] is not None:
            current.missing = unverified  # the scan lists every principal: what it lacks does not exist
        else:
            stored = {
                kind: _iam.stored_principal_names(self.client, kind, names) if names else {}
                for kind, names in unverified.items()
            }
            current.missing = {kind: [n for n in names if n not in stored[kind]] for kind, names in unverified.items()}
            current.spec = _grants.respell(
                spec, {kind: {n.lower(): s for n, s in stored[kind].items()} for kind in _grants.KINDS}
            )

    def read_orphan(self, current):
        """Step 1 for ``state: absent`` when the role is gone: the grant managed policy under its name,
        which may be the collection's own grant of the deleted role (``_grants.orphan_of``). No role ARN
        says the account: STS does."""
        current.account_id, current.partition = self.account_info()
        current.grants = _iam.read_grant_policy(self.client, current.policy_arn, versions=False)

    def check_attachments(self, plan):
        """Step 3, preflight: every policy the plan attaches (or sets as boundary) exists."""
        missing = _iam.missing_policies(self.client, _plan.attachments_to_verify(plan))
        if missing:
            raise InvalidInput("These policies do not exist, nothing was changed: " + ", ".join(missing))

    def guard(self, params, current, plan):
        """Step 3, preflight: the in-use guard, when the plan needs it. Raises ``InUseError`` unless
        ``force``; returns the scan's findings when it ran, else None."""
        guard = plan.guard
        if guard is None:
            return None
        causes = None
        if guard.unless_volume_actions_kept:
            causes = self._volume_actions_lost(params, current, plan)
            if not causes:
                return None
        usage = self.scan_usage(current.role["arn"], params.get("usage_regions"))
        if _usage_findings.blocks(usage) and not params["force"]:
            raise InUseError(_usage_findings.guard_message(params["name"], guard.what, usage, causes), usage)
        return usage

    def _volume_actions_lost(self, params, current, plan):
        """What the plan takes away of the volume actions ECS has today (``_volume_access.volume_blockers``
        items; empty: nothing). The role after the plan is evaluated first; the role as it is only when
        something blocks after, to tell a loss from a role that never had the actions. Reads only the
        documents needed: the policies other than ECS's own, the boundary, the inline policies."""
        partition, account_id = current.partition, current.account_id
        after = plan.role_after
        documents = _iam.default_documents(self.client, _volume_access.volume_documents_needed(after, partition))
        inline = _iam.inline_documents(self.client, params["name"])
        blocked = _volume_access.volume_blockers(after, documents, inline, partition, account_id)
        if not blocked:
            return []
        before = current.role
        needed = [a for a in _volume_access.volume_documents_needed(before, partition) if a not in documents]
        documents.update(_iam.default_documents(self.client, needed))
        return _volume_access.lost_volume_actions(
            _volume_access.volume_blockers(before, documents, inline, partition, account_id), blocked
        )

    def apply(self, plan):
        """Step 4. After CreateRole, calls naming the new role retry NoSuchEntity (``_iam.after_create``). Returns
        the identity IAM gave the role it created (``arn``, ``role_id``, ``create_date``), or None."""
        created = None
        for action in plan.actions:
            answer = _iam.ACTIONS[action.kind](self.client, **action.args)
            if action.kind == _actions.CREATE_ROLE:
                created = _identity(_iam.normalize_role(answer))
                self._client = _iam.after_create(self.client, action.args["name"])
        return created

    def confirm_present(self, params, current, plan, created=None):
        """Step 5. Read back the role, and the grants when this run wrote any. With ``wait``, the
        first GetRole is also the wait for IAM to show the role. Returns the role's identity
        (``created``, or as GetRole shows it after ``wait``)."""
        name, after = params["name"], dict(plan.role_after, **(created or {}))
        first = None
        if params["wait"]:
            role = _iam.wait_for_role(self.client, name, params["wait_timeout"])
            created = _identity(_iam.normalize_role(role))
            after.update(created)
            first = _iam.read_role(self.client, name, role=role)
        read_back(
            name,
            lambda: _iam.read_role(self.client, name),
            lambda read: _plan.verify_present(params, after, read, plan.desired_arns),
            first,
            **self.waits,
        )
        spec = current.spec
        if spec is None or not _grants.writes_grants(plan.actions):
            return created
        scan = spec["mode"] == _grants.INLINE or _actions.DELETE_PRINCIPAL_INLINE in plan.kinds()
        read_back(
            name,
            lambda: self._read_grants_back(spec, current.policy_arn, scan),
            lambda read: _grants.verify(spec, after["arn"], plan.pass_role, read),
            **self.waits,
        )
        return created

    def _read_grants_back(self, spec, policy_arn, scan):
        grants = _iam.read_grant_policy(self.client, policy_arn)
        if scan:
            details = _authorization.account_authorization_details(self.client, _authorization.LOCAL)
            grants.update(_grants.inline_holders(details, spec["policy_name"]))
        return grants

    # -------------------------------------------------------- ecs_infrastructure_role_info

    def _authorization_details(self):
        """The account's principals and local policies (one paginated read), plus the AWS managed
        policies they use: each read on its own (GetPolicy, GetPolicyVersion) when there are at most
        ``MAX_AWS_MANAGED_READS``, else all of them in the same paginated read."""
        details = _authorization.account_authorization_details(self.client, _authorization.LOCAL)
        arns = _principals.aws_managed_arns(details)
        if len(arns) > MAX_AWS_MANAGED_READS:
            aws = _authorization.account_authorization_details(self.client, _authorization.AWS_MANAGED)
            details["Policies"].extend(aws["Policies"])
        else:
            details["Policies"].extend(p for p in (_iam.policy_detail(self.client, a) for a in arns) if p)
        return details

    def _grant_policy_from_details(self, details, policy_arn):
        """The grant managed policy as ``_iam.read_grant_policy(versions=False)`` gives it, from the
        authorization details already read: they carry its default version's document and the
        principals it is attached to; only its tags (the ownership mark) need a call, GetPolicy, and only
        when the policy exists."""
        grants = {"policy": None, "attached": None, "inline": None, "principals": None, "clashes": []}
        if not _principals.has_policy(details, policy_arn):
            return grants
        policy = _iam.get_policy(self.client, policy_arn)
        if policy is None:  # deleted since the details were read
            return grants
        grants["policy"] = {
            "arn": policy_arn,
            "document": as_dict(_principals.default_document(details, policy_arn)),
            "tags": boto3_tag_list_to_ansible_dict(policy.get("Tags") or []),
            "versions": None,
        }
        grants["attached"] = _principals.attached_to(details, policy_arn)
        return grants

    def describe(self, params):
        """The info module's result: the role, its grants and who else can pass it, findings."""
        errors = _validation.validate_info_options(params, self._known_regions(params))
        if errors:
            raise InvalidInput(" ".join(errors))
        role = _iam.read_role(self.client, params["name"])
        if role is None:
            return self._describe_missing(params)
        parsed = parse_aws_arn(role["arn"])
        current = Current(
            role,
            parsed["partition"],
            parsed["account_id"],
            _grants.normalize_spec({"policy_name": params.get("pass_role_policy_name")}, params["name"]),
        )
        spec = current.spec
        # One paginated GetAccountAuthorizationDetails answers "what the collection's grant policy says
        # and who holds it" (inline or attached: only its tags need GetPolicy) and "who can pass the role".
        details = self._authorization_details()
        grants = self._grant_policy_from_details(details, current.policy_arn)
        grants.update(_grants.inline_holders(details, spec["policy_name"]))
        # Only what the collection can prove is its own is its grant; the rest merely shares the name.
        grants, foreign, dummy = _grants.split_ownership(role["arn"], spec["policy_name"], grants)
        principals = _pass_role_exposure.pass_role_principals(details, role["arn"])
        pass_role = _grants.snapshot(spec, grants)
        if grants["policy"] is not None:
            pass_role["policy_arn"] = current.policy_arn

        attached = role.pop("attached_policies")
        capabilities = _catalog.capabilities_from_arns(attached, current.partition)
        trust = role["assume_role_policy_document"]
        findings = _role_findings.trust_findings(trust, current.partition, current.account_id)
        findings.extend(_role_findings.attachment_findings(attached, current.partition))
        for document, where in _grants.own_documents(spec["policy_name"], grants):
            findings.extend(_role_findings.grant_findings([document], where))
        findings.extend(_pass_role_exposure.exposure_findings(principals, params["name"]))
        findings.extend(_role_findings.not_owned_findings(_grants.describe_foreign(obj) for obj in foreign))
        result = dict(
            exists=True,
            role=role,
            attached_policies=attached,
            capabilities=capabilities,
            cloudtrail_session_names=_catalog.session_names(capabilities),
            cloudtrail_role_session_names=_catalog.all_session_names(capabilities),
            pass_role=pass_role,
            pass_role_principals=principals,
            trust_hardened=_role_findings.trust_hardened(trust, current.partition, current.account_id),
        )
        if foreign:
            result["foreign_objects"] = foreign
        blockers = _volume_access.role_volume_blockers(
            details, dict(role, attached_policies=attached), current.partition, current.account_id
        )
        if params["check_usage"]:
            usage = self.scan_usage(role["arn"], params.get("usage_regions"))
            result["usage"] = usage
            findings.extend(_usage_findings.usage_findings(usage, _catalog.VOLUMES in capabilities, blockers))
        findings.extend(_volume_access.volume_findings(blockers, result.get("usage"), _catalog.VOLUMES in capabilities))
        result["findings"] = findings
        return result

    def _describe_missing(self, params):
        """The info module's result for a role that does not exist: a ``pass_role_orphaned_grant``
        finding when the collection's own grant of a role of that name is left (the account from STS)."""
        account_id, partition = self.account_info()
        spec = _grants.normalize_spec({"policy_name": params.get("pass_role_policy_name")}, params["name"])
        policy_arn = _grants.managed_policy_arn(partition, account_id, spec["policy_name"])
        grants = _iam.read_grant_policy(self.client, policy_arn, versions=False)
        role_arn = _grants.orphan_of(params["name"], partition, account_id, None, grants)
        findings = []
        if role_arn is not None:
            findings.append(_findings.finding("pass_role_orphaned_grant", _grants.orphan_message(role_arn, grants)))
        return dict(exists=False, findings=findings)
