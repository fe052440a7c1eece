# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: aws_accounts
short_description: The accounts of an AWS Organization as inventory hosts
version_added: 1.1.0
description:
  - One host per C(ACTIVE) account of the AWS Organization the credentials belong to (the management
    account, or a delegated administrator); suspended, closing and closed accounts are left out.
  - Uses a YAML configuration file whose name ends with C(aws_accounts.yml) or C(aws_accounts.yaml).
  - Every host gets the variables C(aws_account_id), C(aws_account_name), C(aws_account_email),
    C(aws_organizational_unit_id) (the account's parent), C(aws_organizational_unit_path) (OU names
    from the root down, joined by C(/), for example C(Root/Workloads/Prod)) and
    C(ecs_infrastructure_role_assume_role_arn), the ARN of the role O(assume_role_name) in that account
    with the account's partition. The playbooks C(ecs_tools.iam.manage) and C(ecs_tools.iam.audit) assume it.
  - Every host is in the group C(aws_accounts), and in one group per organizational unit it is under,
    named C(ou_) followed by the OU path below the root, lower case, with C(_) for anything but letters
    and digits (C(Root/Workloads/Prod) gives C(ou_workloads_prod), a child group of C(ou_workloads)).
    Only OUs with a selected account get a group.
  - Reads the organization with C(DescribeOrganization), C(ListRoots),
    C(ListOrganizationalUnitsForParent) and C(ListAccountsForParent) (paginated); botocore retries
    throttling, transient errors and dropped connections (standard mode, 10 attempts). It never writes.
author:
  - ECS Tools maintainers (@ecs-tools)
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    type: str
    required: true
    choices: [ecs_tools.iam.aws_accounts]
  organizational_unit_ids:
    description:
      - Only accounts under these organizational units, at any depth (nested OUs included). A root id
        (C(r-...)) is accepted too. Every id must exist in the organization.
      - Empty (the default) means every account of the organization.
    type: list
    elements: str
    default: []
  exclude_account_ids:
    description: Accounts (12-digit ids) to leave out.
    type: list
    elements: str
    default: []
  include_management_account:
    description: Whether the organization's management account is a host too.
    type: bool
    default: false
  assume_role_name:
    description:
      - The role to assume in each account, for C(ecs_infrastructure_role_assume_role_arn). A name, optionally
        after an IAM path (C(automation/EcsToolsAudit)).
      - AWS creates C(OrganizationAccountAccessRole) in every account the organization creates.
      - The name is checked as the modules check O(ecs_tools.iam.ecs_infrastructure_role#module:name), before any AWS
        call. 1 to 64 ASCII letters, digits and C(+=,.@_-); the path, printable ASCII.
    type: str
    default: OrganizationAccountAccessRole
  hostname:
    description:
      - Name hosts by account V(id) or by account V(name). With V(name), two selected accounts with the
        same name are an error.
    type: str
    choices: [id, name]
    default: id
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
notes:
  - AWS Organizations has one endpoint per partition; without O(region) the plugin uses C(us-east-1).
  - >-
    Everything taken from AWS is data, never a template. The host names, every host variable above, the
    OU groups and what O(compose), O(groups) and O(keyed_groups) build from them are marked unsafe, so
    an account or OU whose name is a Jinja template (C({{ ... }}) or C({% ... %})) is shown as it is and
    never runs on the controller, on every ansible-core the collection supports. On ansible-core 2.17 and 2.18,
    C(ansible-inventory --list) prints such values as C({"__ansible_unsafe": "..."}); 2.19 and later
    print plain strings (they never template inventory data).
  - A key of the configuration file that is not one of the options documented here (nor one of their
    aliases) is an error, raised before any AWS call and naming the key, the closest option and the
    known ones, so that a misspelt O(organizational_unit_ids) cannot silently select the whole
    organization. As for any inventory source that fails to parse, C(ansible-inventory) reports it as a
    warning and goes on without these hosts, unless C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true).
  - The credentials need C(organizations:DescribeOrganization), C(organizations:ListRoots),
    C(organizations:ListOrganizationalUnitsForParent) and C(organizations:ListAccountsForParent).
seealso:
  - module: ecs_tools.iam.ecs_infrastructure_role_info
"""

EXAMPLES = r"""
# prod.aws_accounts.yml: every active account under the Workloads OU, except one, named by account name
plugin: ecs_tools.iam.aws_accounts
organizational_unit_ids:
  - ou-ab12-34cd56ef
exclude_account_ids:
  - "111122223333"
hostname: name
assume_role_name: OrganizationAccountAccessRole

# The whole organization, with groups keyed on the OU path, cached for an hour
---
plugin: ecs_tools.iam.aws_accounts
keyed_groups:
  - key: aws_organizational_unit_path
    prefix: path
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/aws_accounts_cache
cache_timeout: 3600
"""

try:
    import botocore
except ImportError:
    pass  # the inventory base reports a missing SDK

from ansible.errors import AnsibleError
from ansible.errors import AnsibleParserError
from ansible.utils.unsafe_proxy import wrap_var
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.ecs_tools.iam.plugins.module_utils._module import BOTOCORE_CONFIG
from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _accounts

DEFAULT_REGION = "us-east-1"


# AWS calls: one small function per API call, paginated; botocore retries (see BOTOCORE_CONFIG).
def describe_organization(client):
    return client.describe_organization()["Organization"]


def list_roots(client):
    return client.get_paginator("list_roots").paginate().build_full_result()["Roots"]


def list_organizational_units_for_parent(client, parent_id):
    paginator = client.get_paginator("list_organizational_units_for_parent")
    return paginator.paginate(ParentId=parent_id).build_full_result()["OrganizationalUnits"]


def list_accounts_for_parent(client, parent_id):
    paginator = client.get_paginator("list_accounts_for_parent")
    return paginator.paginate(ParentId=parent_id).build_full_result()["Accounts"]


def read_organization(client):
    """The organization as a snapshot (see plugin_utils/_accounts.py): every root, OU and account."""
    organization = describe_organization(client)
    snapshot = {
        "management_account_id": organization.get("MasterAccountId"),
        "roots": [],
        "organizational_units": [],
        "accounts": [],
    }
    pending = []
    for root in list_roots(client):
        snapshot["roots"].append({"id": root["Id"], "name": root.get("Name") or "Root"})
        pending.append(root["Id"])
    while pending:
        parent_id = pending.pop(0)
        for ou in list_organizational_units_for_parent(client, parent_id):
            snapshot["organizational_units"].append({"id": ou["Id"], "name": ou["Name"], "parent_id": parent_id})
            pending.append(ou["Id"])
        for account in list_accounts_for_parent(client, parent_id):
            snapshot["accounts"].append(
                {
                    "id": account["Id"],
                    "name": account.get("Name", account["Id"]),
                    "email": account.get("Email", ""),
                    "arn": account.get("Arn", ""),
                    "state": account.get("State"),
                    "status": account.get("Status"),
                    "parent_id": parent_id,
                }
            )
    return snapshot


class InventoryModule(AWSInventoryBase):
    NAME = "ecs_tools.iam.aws_accounts"
    INVENTORY_FILE_SUFFIXES = ("aws_accounts.yml", "aws_accounts.yaml")

    def _read_config_data(self, path):
        # The base class ignores keys it does not know: a misspelt organizational_unit_ids would
        # silently widen the inventory to the whole organization. The known keys are this plugin's
        # documented options (its own and the fragments': Constructable, cache, amazon.aws) and aliases.
        config = super()._read_config_data(path)
        unknown = _accounts.unknown_option_keys(config, self.option_definitions)
        if unknown:
            raise AnsibleParserError(
                f"{self.NAME}: {_accounts.unknown_options_message(unknown, self.option_definitions, path)}"
            )
        return config

    def _set_frozen_credentials(self):
        # The base class assumes assume_role_arn here, the first AWS call: check the options first.
        self._validate()
        super()._set_frozen_credentials()

    def _validate(self):
        problems = _accounts.validate_options(
            self.get_option("organizational_unit_ids"),
            self.get_option("exclude_account_ids"),
            self.get_option("assume_role_name"),
            self.get_option("hostname"),
        )
        if problems:
            raise AnsibleError(f"{self.NAME}: {'; '.join(problems)}")

    def _read(self):
        client = self.client("organizations", region=self.region or DEFAULT_REGION, config=dict(BOTOCORE_CONFIG))
        try:
            return read_organization(client)
        except is_boto3_error_code("AWSOrganizationsNotInUseException") as e:
            self.fail_aws(f"{self.NAME}: the credentials' account is not in an AWS Organization", e)
        except is_boto3_error_code("AccessDeniedException") as e:  # pylint: disable=duplicate-except
            self.fail_aws(
                f"{self.NAME}: cannot read the organization; use credentials of its management account or of a "
                "delegated administrator",
                e,
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.fail_aws(f"{self.NAME}: cannot read the organization", e)

    def _hosts(self, snapshot):
        unit_ids = self.get_option("organizational_unit_ids")
        unknown = _accounts.unknown_units(snapshot, unit_ids)
        if unknown:
            raise AnsibleError(
                f"{self.NAME}: organizational_unit_ids not found in the organization: {', '.join(unknown)}"
            )
        hosts = _accounts.hosts(
            snapshot,
            organizational_unit_ids=unit_ids,
            exclude_account_ids=self.get_option("exclude_account_ids"),
            include_management_account=self.get_option("include_management_account"),
            assume_role_name=self.get_option("assume_role_name"),
            hostname=self.get_option("hostname"),
        )
        if self.get_option("hostname") == "name":
            duplicates = _accounts.duplicate_names(
                [{"name": name, "id": host_vars["aws_account_id"]} for name, host_vars, _groups in hosts]
            )
            if duplicates:
                raise AnsibleError(
                    "{0}: hostname: name, but several accounts share a name: {1}; use hostname: id".format(
                        self.NAME,
                        "; ".join(f"{k!r} ({', '.join(v)})" for k, v in sorted(duplicates.items())),
                    )
                )
        return hosts

    @staticmethod
    def _unsafe(hosts):
        """AWS data is data: every string taken from AWS (account id, name, e-mail, ARN, OU names and
        paths, the host name, the OU groups, the assume-role ARN built from them) is marked unsafe, so
        that ansible-core before 2.19 never templates it (an account renamed to a Jinja template would
        otherwise run on the controller: in compose, groups and keyed_groups here, and wherever a
        playbook reads the variable). Done after the cache, which stores plain JSON."""
        return [
            (wrap_var(name), {key: wrap_var(value) for key, value in host_vars.items()}, wrap_var(ou_groups))
            for name, host_vars, ou_groups in hosts
        ]

    def _populate(self, hosts):
        strict = self.get_option("strict")
        self.inventory.add_group(_accounts.ALL_GROUP)
        for name, host_vars, ou_groups in self._unsafe(hosts):
            self.inventory.add_host(name, group=_accounts.ALL_GROUP)
            parent = None
            for group in ou_groups:
                self.inventory.add_group(group)
                if parent:
                    self.inventory.add_child(parent, group)
                parent = group
            if parent:
                self.inventory.add_child(parent, name)
            for key, value in host_vars.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), host_vars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, name, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)  # reads the file, validates (above), assumes a role
        was_cached, snapshot = self.get_cached_result(path, cache)
        if not was_cached:
            snapshot = self._read()
        self._populate(self._hosts(snapshot))
        self.update_cached_result(path, cache, snapshot)
