# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Input validation, one entry per option set, each returning a list of messages (empty: valid),
every message naming the bad value. Pure: no boto3, no AWS calls; checked before any.

- ``validate_role_options``: ``ecs_infrastructure_role``'s options (the role ``infrastructure_role``
  passes its variables to it; ``pass_role`` is ``_grants.validate_spec``'s);
- ``validate_info_options``: ``ecs_infrastructure_role_info``'s;
- ``validate_usage_regions``: ``usage_regions``, of both modules;
- ``role_name_problem``: an IAM role name, as the modules and the ``aws_accounts`` inventory plugin
  (``assume_role_name``, ``plugin_utils/_accounts.py``) check it: ASCII only, as IAM is.
"""

import re
import unicodedata

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

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


# ---------------------------------------------------------------- helpers


def iam_name_problem(resource_type, name=None, path=None):
    """amazon.aws's name and path rules (lengths, characters), restricted to ASCII as IAM is."""
    problem = validate_iam_identifiers(resource_type, name=name, path=path)
    if problem:
        return problem
    for what, value in (("name", name), ("path", path)):
        if value is not None and not value.isascii():
            return f"{resource_type} {what} may only use ASCII letters, digits and +=,.@_-"
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
        return f"IAM does not allow {', '.join(repr(c) for c in bad)} in tags"
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


def validate_usage_regions(regions, known=None):
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


def validate_role_options(params, known_regions=None):
    """The options of ``ecs_infrastructure_role`` (``pass_role``'s are ``_grants.validate_spec``'s):
    every check that needs no AWS call. Returns a list of messages, each naming the bad value.
    ``known_regions``: see ``validate_usage_regions``."""
    errors = []
    name = params.get("name")
    problem = role_name_problem(name)
    if problem:
        errors.append(f"Invalid role name {name!r}: {problem}.")
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
    errors.extend(validate_usage_regions(params.get("usage_regions"), known_regions))
    errors.extend(_description_errors(params.get("description")))
    errors.extend(_tag_errors(params.get("tags")))
    if params.get("state") == "absent":
        given = [f"{o}={params[o]!r}" for o in PRESENT_ONLY if params.get(o) is not None]
        if params.get("trust_source_account"):  # a bool: only true says something
            given.append("trust_source_account=True")
        if given:
            errors.append(
                f"state=absent deletes the role; these options only apply to state=present: {', '.join(given)}."
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
            f"Invalid tag keys {', '.join(repr(k) for k in sorted(keys))}: IAM tag keys do not differ by case alone."
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


def role_name_problem(name):
    """What is wrong with ``name`` as an IAM role name (1 to 64 of ASCII letters, digits and
    ``+=,.@_-``), or None."""
    if not isinstance(name, str):
        return "a role name is text"
    problem = iam_name_problem("role", name=name)
    return f"{problem} (1 to 64 characters of {_NAME_CHARS})" if problem else None


def validate_info_options(params, known_regions=None):
    """The options of ``ecs_infrastructure_role_info``: the role's name, ``pass_role_policy_name``
    and ``usage_regions`` (``known_regions``: see ``validate_usage_regions``)."""
    errors = name_errors(params, (("name", "role"), ("pass_role_policy_name", "policy")))
    errors.extend(validate_usage_regions(params.get("usage_regions"), known_regions))
    return errors
