# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn desired and current state into validated input and an ordered plan of changes.

Pure: no boto3, no AWS calls. The module reads current state (``_iam``), calls
``plan_present`` / ``plan_absent`` and applies the actions in order; check mode stops
before applying and reports ``plan.after``.
"""

import copy
import re
import unicodedata

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.ecs_tools.iam.plugins.module_utils import _actions
from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import InvalidInput

MIN_SESSION = 3600
MAX_SESSION = 43200
# IAM names are ASCII: Python's \w would also accept letters such as "ô".
_NAME_CHARS = "A-Za-z0-9+=,.@_-"
_POLICY_NAME = re.compile(f"[{_NAME_CHARS}]{{1,128}}")
# IAM's description pattern: tab, newline, carriage return, printable ASCII and Latin-1.
_DESCRIPTION = re.compile("[\t\n\r\x20-\x7e\xa1-\xff]*")
# Besides letters, separators and digits of any script, IAM tags allow these characters.
_TAG_PUNCTUATION = set("_.:/=+-@")
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
MAX_DESCRIPTION = 1000
MAX_TAGS = 50
# Options that only mean something for state=present.
PRESENT_ONLY = (
    "path",
    "description",
    "capabilities",
    "managed_policies",
    "permissions_boundary",
    "max_session_duration",
    "tags",
)
_POLICY_ARN = re.compile(
    f"arn:(aws|aws-cn|aws-us-gov):iam::(aws|\\d{{12}}):policy(/[{_NAME_CHARS}]+)*/[{_NAME_CHARS}]{{1,128}}"
)


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


class Plan:
    """The writes of one run (``actions``, in order), what diff mode shows (``before``, ``after``),
    and ``guard``: the in-use guard the plan needs before it may run (``_service.Guard``), or None."""

    def __init__(self, before, after, actions):
        self.before = before
        self.after = after
        self.actions = actions
        self.guard = None

    @property
    def changed(self):
        return bool(self.actions)

    def kinds(self):
        return [a.kind for a in self.actions]


# ---------------------------------------------------------------- validation


def iam_name_problem(resource_type, name=None, path=None):
    """amazon.aws's name and path rules (lengths, characters), restricted to ASCII as IAM is."""
    problem = validate_iam_identifiers(resource_type, name=name, path=path)
    if problem:
        return problem
    for what, value in (("name", name), ("path", path)):
        if value is not None and not value.isascii():
            return "{0} {1} may only use ASCII letters, digits and {2}".format(resource_type, what, "+=,.@_-")
    return None


def name_errors(params, options):
    """``options``: (option, IAM resource type) pairs; one message per option whose name IAM refuses."""
    errors = []
    for option, kind in options:
        problem = iam_name_problem(kind, name=params.get(option))
        if problem:
            errors.append(f"Invalid {option} {params.get(option)!r}: {problem}.")
    return errors


def tag_value_problem(value, maximum=MAX_TAG_VALUE):
    """IAM's rule for a tag value (and, with ``maximum=128``, a key): letters, separators and digits
    of any script and ``_.:/=+-@``."""
    if len(value) > maximum:
        return f"{len(value)} characters, IAM allows {maximum}"
    bad = sorted({c for c in value if c not in _TAG_PUNCTUATION and unicodedata.category(c)[0] not in "LZN"})
    if bad:
        return "IAM does not allow {0} in tags".format(", ".join(repr(c) for c in bad))
    return None


def tag_text(value):
    """The text IAM stores for a tag value given as a number or a boolean: the text amazon.aws writes
    (``ansible_dict_to_boto3_tag_list`` uses ``to_native``: ``12345`` -> ``"12345"``, ``True`` -> ``"True"``).
    Any other value (text, ``None``, a list or a dict) is returned as given, for validation to judge."""
    if isinstance(value, (bool, int, float)):
        return to_native(value)
    return value


def with_text_tags(params):
    """``params`` with the tag values that YAML read as numbers or booleans converted to text, once,
    before validation: the same text is then validated, written and compared, so a second run is
    converged. ``None`` and other non-text values are left for ``validate_params`` to refuse."""
    tags = params.get("tags")
    if not tags:
        return params
    params = dict(params)
    params["tags"] = {key: tag_text(value) for key, value in tags.items()}
    return params


def region_errors(regions, known=None):
    """One message per entry of ``regions`` (option ``usage_regions`` of both modules) that is not a region.

    ``known``: ``(partition, region names)`` from botocore's endpoint data for that partition (no
    network; ``_usage.known_regions``); an entry must be one of them. Without it (``None``), only the
    shape of a region name is checked. A bogus name is refused here, before any call to it is retried."""
    errors = []
    partition, names = known if known is not None else (None, None)
    for region in regions or []:
        if names is not None and region not in names:
            errors.append(
                "Invalid usage_regions entry {0!r}: not a region of the {1} partition. Known regions: {2}. "
                "A region newer than the installed botocore needs a newer botocore; the account's enabled "
                "regions are listed by 'aws ec2 describe-regions' and in the AWS console's region menu.".format(
                    region, partition, ", ".join(sorted(names))
                )
            )
        elif names is None and not _REGION.fullmatch(region or ""):
            errors.append(f"Invalid usage_regions entry {region!r}: expected a region name such as eu-west-1.")
    return errors


def validate_params(params):
    """Every check that needs no AWS call. Returns a list of messages, each naming the bad value."""
    errors = []
    name = params.get("name")
    problem = iam_name_problem("role", name=name)
    if problem:
        errors.append(f"Invalid role name {name!r}: {problem} (1 to 64 characters of {_NAME_CHARS}).")
    path = params.get("path")
    if path is not None:
        problem = iam_name_problem("role", path=path)
        if problem:
            errors.append(f"Invalid path {path!r}: {problem} (use '/' or a form like '/a/b/').")
    duration = params.get("max_session_duration")
    if duration is not None and not MIN_SESSION <= duration <= MAX_SESSION:
        errors.append(
            f"Invalid max_session_duration {duration}: must be between {MIN_SESSION} and {MAX_SESSION} seconds."
        )
    boundary = params.get("permissions_boundary")
    if boundary and not is_policy_arn(boundary):
        errors.append(
            f"Invalid permissions_boundary {boundary!r}: expected a policy ARN such as "
            "arn:aws:iam::123456789012:policy/Boundary, or '' to remove the boundary."
        )
    for entry in params.get("managed_policies") or []:
        if not (is_policy_arn(entry) or _POLICY_NAME.fullmatch(entry or "")):
            errors.append(
                f"Invalid managed_policies entry {entry!r}: expected a policy ARN or the name of a customer "
                "managed policy in this account."
            )
    timeout = params.get("wait_timeout")
    if timeout is not None and timeout < 1:
        errors.append(f"Invalid wait_timeout {timeout}: must be at least 1 second.")
    errors.extend(_description_errors(params.get("description")))
    errors.extend(_tag_errors(params.get("tags")))
    if params.get("state") == "absent":
        given = [f"{o}={params[o]!r}" for o in PRESENT_ONLY if params.get(o) is not None]
        if params.get("trust_source_account"):  # a bool: only true says something
            given.append("trust_source_account=True")
        if given:
            errors.append(
                "state=absent deletes the role; these options only apply to state=present: {0}.".format(
                    ", ".join(given)
                )
            )
    return errors


def _description_errors(description):
    if description is None:
        return []
    if len(description) > MAX_DESCRIPTION:
        return [
            f"Invalid description {description[:20]!r}...: {len(description)} characters, IAM allows {MAX_DESCRIPTION}."
        ]
    if not _DESCRIPTION.fullmatch(description):
        bad = sorted({c for c in description if not _DESCRIPTION.fullmatch(c)})
        return [
            "Invalid description {0!r}: IAM does not allow {1} (printable ASCII and Latin-1 only).".format(
                description[:40], ", ".join(repr(c) for c in bad)
            )
        ]
    return []


def _tag_errors(tags):
    if tags is None:
        return []
    errors = []
    if len(tags) > MAX_TAGS:
        errors.append(f"Invalid tags: {len(tags)} tags, IAM allows {MAX_TAGS} on a role.")
    by_case = {}
    for key in tags:
        by_case.setdefault(key.lower(), []).append(key)
    for keys in sorted(k for k in by_case.values() if len(k) > 1):
        errors.append(
            "Invalid tag keys {0}: IAM tag keys do not differ by case alone.".format(
                ", ".join(repr(k) for k in sorted(keys))
            )
        )
    for key, value in sorted(tags.items()):
        problem = tag_value_problem(key, MAX_TAG_KEY) if key else "empty"
        if problem:
            errors.append(f"Invalid tag key {key!r}: {problem}.")
        elif key.lower().startswith("aws:"):
            errors.append(f"Invalid tag key {key!r}: the aws: prefix is reserved for AWS.")
        problem = _tag_value_type_problem(value) or tag_value_problem(value)
        if problem:
            errors.append(f"Invalid value of tag {key!r}: {problem}.")
    return errors


def _tag_value_type_problem(value):
    """A tag value must be text (numbers and booleans were converted by ``with_text_tags``)."""
    if value is None:
        return (
            "null is not a tag value (YAML reads an empty value, ~ and null as null); "
            "write '' for an empty value, or leave the key out"
        )
    if not isinstance(value, str):
        return f"a {type(value).__name__} is not a tag value; IAM tag values are text"
    return None


def is_policy_arn(value):
    return bool(_POLICY_ARN.fullmatch(value or ""))


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
    return "arn:{0}:iam::{1}:role{2}{3}".format(partition, account_id, path or "/", name)


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


def plan_present(params, current, desired_arns, new_role_arn=None):
    """Plan for ``state: present``.

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
                "Role {0!r} exists with path {1!r}; IAM cannot change a role's path (requested {2!r}). "
                "Leave path unset, or delete and recreate the role.".format(params["name"], current["path"], path)
            )
        after = copy.deepcopy(current)
        current_arns = list(current.get("attached_policies") or [])
        actions.extend(_settings_actions(params, current, after))

    actions.extend(_attachment_actions(params, current_arns, desired_arns, after))
    return Plan(snapshot(current), snapshot(after), actions), after


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


def plan_absent(name, current):
    """Plan for ``state: absent``: detach, delete inline policies, leave instance profiles, delete."""
    if current is None:
        return Plan({}, {}, []), {}
    actions = [Action(_actions.DETACH, name=name, arn=arn) for arn in sorted(current.get("attached_policies") or [])]
    actions.extend(
        Action(_actions.DELETE_INLINE, name=name, policy=p) for p in sorted(current.get("inline_policies") or [])
    )
    actions.extend(
        Action(_actions.REMOVE_FROM_PROFILE, name=name, profile=p)
        for p in sorted(current.get("instance_profiles") or [])
    )
    actions.append(Action(_actions.DELETE_ROLE, name=name))
    return Plan(snapshot(current), {}, actions), {}


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
    return ["role {0} exists (created {1})".format(role["Arn"], role.get("CreateDate"))]


def verify_present(params, expected, read, desired_arns=None):
    """What the role read back after writing (``read``) lacks of what this run set (``expected``,
    the planned ``after``; ``desired_arns`` from ``resolve_policy_arns``). Only what the user asked
    to manage is compared. Empty when it matches."""
    if read is None:
        return ["role {0!r} does not exist".format(params["name"])]
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
