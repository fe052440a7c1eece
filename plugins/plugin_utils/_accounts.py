# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The accounts of an AWS Organization as inventory hosts (pure logic, no boto3).

The inventory plugin ``ecs_tools.iam.aws_accounts`` reads the organization into a *snapshot*
(a plain, JSON-serialisable dict, which is also what the inventory cache stores)::

    {
        "management_account_id": "111111111111",
        "roots": [{"id": "r-ab12", "name": "Root"}],
        "organizational_units": [{"id": "ou-ab12-11111111", "name": "Workloads", "parent_id": "r-ab12"}],
        "accounts": [{"id": "222222222222", "name": "prod", "email": "...", "arn": "arn:aws:organizations::...",
                      "state": "ACTIVE", "parent_id": "ou-ab12-11111111"}],
    }

and this module turns it into hosts: which accounts, their variables and their groups.
"""

import difflib
import re

from ansible_collections.ecs_tools.iam.plugins.module_utils._validation import iam_name_problem
from ansible_collections.ecs_tools.iam.plugins.module_utils._validation import role_name_problem

# Whole-string patterns (used with fullmatch: "$" would let a trailing newline through). IAM names are
# ASCII: Python's \w would also accept letters such as "ô".
ACCOUNT_ID = re.compile(r"[0-9]{12}")
# AWS Organizations' own patterns for the ids of a root and an organizational unit.
ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")
OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}")

DEFAULT_ASSUME_ROLE_NAME = "OrganizationAccountAccessRole"
HOSTNAMES = ("id", "name")
ALL_GROUP = "aws_accounts"
OU_GROUP_PREFIX = "ou_"

# Host variables the plugin sets (the contract's names, plus the parent's id).
HOST_VARS = (
    "aws_account_id",
    "aws_account_name",
    "aws_account_email",
    "aws_organizational_unit_id",
    "aws_organizational_unit_path",
    "ecs_infrastructure_role_assume_role_arn",
)


def validate_options(organizational_unit_ids, exclude_account_ids, assume_role_name, hostname):
    """Problems with the plugin's options (a list of messages), found before any AWS call."""
    problems = []
    for ou_id in organizational_unit_ids or []:
        if not isinstance(ou_id, str) or not (OU_ID.fullmatch(ou_id) or ROOT_ID.fullmatch(ou_id)):
            problems.append(
                f"organizational_unit_ids: {ou_id!r} is not an organizational unit id (ou-xxxx-xxxxxxxx) "
                "or a root id (r-xxxx)"
            )
    for account_id in exclude_account_ids or []:
        if not isinstance(account_id, str) or not ACCOUNT_ID.fullmatch(account_id):
            problems.append(f"exclude_account_ids: {account_id!r} is not a 12-digit AWS account id")
    problems.extend(role_name_problems(assume_role_name))
    if hostname not in HOSTNAMES:
        problems.append(f"hostname: {hostname!r} is not one of {', '.join(HOSTNAMES)}")
    return problems


def known_option_keys(definitions):
    """Every key a configuration file may hold: the documented options (``option_definitions``: name ->
    definition, the doc fragments' options included) and their aliases."""
    known = set(definitions)
    for definition in definitions.values():
        known.update((definition or {}).get("aliases") or [])
    return known


def unknown_option_keys(config, definitions):
    """The keys of a configuration file that are no documented option (nor an alias of one), sorted."""
    known = known_option_keys(definitions)
    return sorted(str(key) for key in config if key not in known)


def unknown_options_message(unknown, definitions, path=None):
    """Names each unknown key (with the closest known option, if one is close) and the known options."""
    known = sorted(known_option_keys(definitions))
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=1)
        parts.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
    return "unknown option{0} {1}{2}; the known options are: {3}".format(
        "s" if len(unknown) > 1 else "",
        ", ".join(parts),
        f" in {path}" if path else "",
        ", ".join(sorted(definitions)),
    )


def role_name_problems(assume_role_name):
    """``assume_role_name`` is a role name, optionally after an IAM path (``path/to/RoleName``)."""
    if not isinstance(assume_role_name, str) or not assume_role_name:
        return ["assume_role_name: a role name is required"]
    path, _sep, name = assume_role_name.strip("/").rpartition("/")
    problems = []
    problem = role_name_problem(name)  # the modules' check (module_utils/_validation.py)
    if problem:
        problems.append(f"assume_role_name: {name!r} is not a valid IAM role name: {problem}")
    if path and iam_name_problem("role", path=f"/{path}/"):
        problems.append(f"assume_role_name: {path!r} is not a valid IAM path")
    return problems


def partition_of(arn, default="aws"):
    """The partition of an ARN (``arn:aws-cn:...`` -> ``aws-cn``)."""
    parts = (arn or "").split(":")
    if len(parts) > 2 and parts[0] == "arn" and parts[1]:
        return parts[1]
    return default


def assume_role_arn(partition, account_id, assume_role_name):
    path, _sep, name = assume_role_name.strip("/").rpartition("/")
    return "arn:{0}:iam::{1}:role/{2}{3}".format(partition, account_id, path + "/" if path else "", name)


def is_active(account):
    """AWS's ``State`` (``Status`` before 2026) must be ``ACTIVE``: suspended, pending-closure
    and closed accounts are left out."""
    return (account.get("state") or account.get("status")) == "ACTIVE"


def ancestry(snapshot):
    """Parent id -> list of ``(id, name)`` from the root down to that parent (itself included)."""
    nodes = {}
    for root in snapshot.get("roots", []):
        nodes[root["id"]] = (None, root["name"])
    for ou in snapshot.get("organizational_units", []):
        nodes[ou["id"]] = (ou["parent_id"], ou["name"])
    chains = {}

    def chain(node_id, seen=()):
        if node_id in chains:
            return chains[node_id]
        if node_id not in nodes or node_id in seen:
            return [(node_id, node_id)]
        parent_id, name = nodes[node_id]
        result = (chain(parent_id, seen + (node_id,)) if parent_id else []) + [(node_id, name)]
        chains[node_id] = result
        return result

    for node_id in nodes:
        chain(node_id)
    return chains


def unknown_units(snapshot, organizational_unit_ids):
    """The requested OU or root ids that are not in the organization."""
    known = set(ancestry(snapshot))
    return [ou_id for ou_id in organizational_unit_ids or [] if ou_id not in known]


def sanitize(segment):
    return re.sub(r"[^a-z0-9_]", "_", segment.lower())


def ou_group_names(chain):
    """Group names for the OUs of a chain below the root (outermost first): Workloads/Prod ->
    ``ou_workloads``, ``ou_workloads_prod``."""
    names = []
    segments = []
    for dummy_id, name in chain[1:]:
        segments.append(sanitize(name))
        names.append(OU_GROUP_PREFIX + "_".join(segments))
    return names


def select(snapshot, organizational_unit_ids=None, exclude_account_ids=None, include_management_account=False):
    """The accounts to make hosts of, sorted by id: active, under one of ``organizational_unit_ids``
    (at any depth) when given, not excluded, and not the management account unless asked."""
    chains = ancestry(snapshot)
    wanted_units = set(organizational_unit_ids or [])
    excluded = set(exclude_account_ids or [])
    management = snapshot.get("management_account_id")
    selected = []
    for account in snapshot.get("accounts", []):
        if not is_active(account) or account["id"] in excluded:
            continue
        if account["id"] == management and not include_management_account:
            continue
        chain = chains.get(account["parent_id"], [(account["parent_id"], account["parent_id"])])
        if wanted_units and not wanted_units.intersection(node_id for node_id, _name in chain):
            continue
        selected.append(account)
    return sorted(selected, key=lambda a: a["id"])


def host_vars(account, chain, assume_role_name=DEFAULT_ASSUME_ROLE_NAME):
    return {
        "aws_account_id": account["id"],
        "aws_account_name": account["name"],
        "aws_account_email": account["email"],
        "aws_organizational_unit_id": account["parent_id"],
        "aws_organizational_unit_path": "/".join(name for _node_id, name in chain),
        "ecs_infrastructure_role_assume_role_arn": assume_role_arn(
            partition_of(account.get("arn")), account["id"], assume_role_name
        ),
    }


def duplicate_names(accounts):
    """Account names used by more than one of ``accounts``: name -> ids."""
    ids = {}
    for account in accounts:
        ids.setdefault(account["name"], []).append(account["id"])
    return {name: sorted(found) for name, found in ids.items() if len(found) > 1}


def hosts(
    snapshot,
    organizational_unit_ids=None,
    exclude_account_ids=None,
    include_management_account=False,
    assume_role_name=DEFAULT_ASSUME_ROLE_NAME,
    hostname="id",
):
    """``[(host name, host variables, OU group names outermost first)]`` for the selected accounts."""
    chains = ancestry(snapshot)
    result = []
    for account in select(snapshot, organizational_unit_ids, exclude_account_ids, include_management_account):
        chain = chains.get(account["parent_id"], [(account["parent_id"], account["parent_id"])])
        name = account["id"] if hostname == "id" else account["name"]
        result.append((name, host_vars(account, chain, assume_role_name), ou_group_names(chain)))
    return result
