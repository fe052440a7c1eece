# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.aws_accounts: the pure selection logic, and the Organizations reads (Stubber)."""

import boto3
import pytest
import yaml
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.utils.unsafe_proxy import AnsibleUnsafe
from botocore.stub import Stubber

from ansible_collections.ecs_tools.iam.plugins.inventory import aws_accounts
from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _accounts

SNAPSHOT = {
    "management_account_id": "111111111111",
    "roots": [{"id": "r-ab12", "name": "Root"}],
    "organizational_units": [
        {"id": "ou-ab12-00000001", "name": "Workloads", "parent_id": "r-ab12"},
        {"id": "ou-ab12-00000002", "name": "Prod EU", "parent_id": "ou-ab12-00000001"},
        {"id": "ou-ab12-00000003", "name": "Sandbox", "parent_id": "r-ab12"},
    ],
    "accounts": [
        {
            "id": "111111111111",
            "name": "mgmt",
            "email": "m@x",
            "arn": "arn:aws:organizations::111111111111:account/o-1/111111111111",
            "state": "ACTIVE",
            "parent_id": "r-ab12",
        },
        {
            "id": "222222222222",
            "name": "prod",
            "email": "p@x",
            "arn": "arn:aws-cn:organizations::111111111111:account/o-1/222222222222",
            "state": "ACTIVE",
            "parent_id": "ou-ab12-00000002",
        },
        {
            "id": "333333333333",
            "name": "old",
            "email": "o@x",
            "arn": "",
            "state": "SUSPENDED",
            "status": "ACTIVE",
            "parent_id": "ou-ab12-00000003",
        },
        {
            "id": "444444444444",
            "name": "legacy",
            "email": "l@x",
            "arn": "",
            "status": "ACTIVE",
            "parent_id": "ou-ab12-00000003",
        },
        {
            "id": "555555555555",
            "name": "closing",
            "email": "c@x",
            "arn": "",
            "status": "PENDING_CLOSURE",
            "parent_id": "ou-ab12-00000001",
        },
    ],
}


def ids(hosts):
    return [name for name, _vars, _groups in hosts]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ["222222222222", "444444444444"]),
        ({"include_management_account": True}, ["111111111111", "222222222222", "444444444444"]),
        ({"organizational_unit_ids": ["ou-ab12-00000001"]}, ["222222222222"]),
        ({"organizational_unit_ids": ["ou-ab12-00000003"]}, ["444444444444"]),
        (
            {"organizational_unit_ids": ["r-ab12"], "include_management_account": True},
            ["111111111111", "222222222222", "444444444444"],
        ),
        ({"exclude_account_ids": ["222222222222"]}, ["444444444444"]),
        ({"hostname": "name"}, ["prod", "legacy"]),
    ],
)
def test_selection(kwargs, expected):
    assert ids(_accounts.hosts(SNAPSHOT, **kwargs)) == expected


def test_host_vars_groups_and_partition():
    ((name, host_vars, groups),) = _accounts.hosts(
        SNAPSHOT, exclude_account_ids=["444444444444"], assume_role_name="ops/Audit"
    )
    assert name == "222222222222"
    assert host_vars == {
        "aws_account_id": "222222222222",
        "aws_account_name": "prod",
        "aws_account_email": "p@x",
        "aws_organizational_unit_id": "ou-ab12-00000002",
        "aws_organizational_unit_path": "Root/Workloads/Prod EU",
        "ecs_infrastructure_role_assume_role_arn": "arn:aws-cn:iam::222222222222:role/ops/Audit",
    }
    assert groups == ["ou_workloads", "ou_workloads_prod_eu"]
    assert sorted(host_vars) == sorted(_accounts.HOST_VARS)


@pytest.mark.parametrize(
    "args, fragment",
    [
        ((["Workloads"], [], "R", "id"), "'Workloads' is not an organizational unit id"),
        ((["ou-AB12-00000001"], [], "R", "id"), "'ou-AB12-00000001'"),
        (([], ["1234"], "R", "id"), "'1234' is not a 12-digit"),
        (([], [123456789012], "R", "id"), "123456789012 is not a 12-digit"),
        (([], [], "", "id"), "a role name is required"),
        (([], [], "a b", "id"), "'a b' is not a valid IAM role name"),
        (([], [], "x" * 65, "id"), "is not a valid IAM role name"),
        (([], [], "R\u00f4le", "id"), "is not a valid IAM role name"),
        (([], [], "Role\n", "id"), "is not a valid IAM role name"),
        (([], ["123456789012\n"], "R", "id"), "is not a 12-digit"),
        (([], ["\u0661" * 12], "R", "id"), "is not a 12-digit"),
        ((["ou-ab12-00000001\n"], [], "R", "id"), "is not an organizational unit id"),
        (([], [], "R", "email"), "'email' is not one of id, name"),
    ],
)
def test_bad_options(args, fragment):
    problems = _accounts.validate_options(*args)
    assert len(problems) == 1 and fragment in problems[0], problems


def test_good_options():
    assert _accounts.validate_options(["ou-ab12-00000001", "r-ab12"], ["222222222222"], "path/to/Role", "name") == []


def test_unknown_units_and_duplicates():
    assert _accounts.unknown_units(SNAPSHOT, ["ou-ab12-00000001", "ou-zz99-00000000"]) == ["ou-zz99-00000000"]
    assert _accounts.duplicate_names(
        [{"name": "a", "id": "2"}, {"name": "a", "id": "1"}, {"name": "b", "id": "3"}]
    ) == {"a": ["1", "2"]}


def client():
    return boto3.client("organizations", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")


def test_read_organization_reads_every_page():
    """Every page of every listing is read (throttling is botocore's to retry: BOTOCORE_CONFIG)."""
    org = client()
    account = {
        "Id": "222222222222",
        "Name": "prod",
        "Email": "prod@example.com",
        "Arn": "arn:aws:organizations::111111111111:account/o-abcdefghij/222222222222",
        "State": "ACTIVE",
        "Status": "ACTIVE",
    }
    with Stubber(org) as stub:
        stub.add_response("describe_organization", {"Organization": {"MasterAccountId": "111111111111"}})
        stub.add_response("list_roots", {"Roots": [{"Id": "r-ab12", "Name": "Root"}]})
        stub.add_response(
            "list_organizational_units_for_parent",
            {"OrganizationalUnits": [{"Id": "ou-ab12-00000001", "Name": "W"}], "NextToken": "t"},
            {"ParentId": "r-ab12"},
        )
        stub.add_response(
            "list_organizational_units_for_parent",
            {"OrganizationalUnits": [{"Id": "ou-ab12-00000002", "Name": "S"}]},
            {"ParentId": "r-ab12", "NextToken": "t"},
        )
        stub.add_response("list_accounts_for_parent", {"Accounts": []}, {"ParentId": "r-ab12"})
        stub.add_response(
            "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-00000001"}
        )
        stub.add_response("list_accounts_for_parent", {"Accounts": [account]}, {"ParentId": "ou-ab12-00000001"})
        stub.add_response(
            "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-00000002"}
        )
        stub.add_response(
            "list_accounts_for_parent",
            {"Accounts": [dict(account, Id="333333333333", State="SUSPENDED")]},
            {"ParentId": "ou-ab12-00000002"},
        )
        snapshot = aws_accounts.read_organization(org)
        stub.assert_no_pending_responses()
    assert [ou["id"] for ou in snapshot["organizational_units"]] == ["ou-ab12-00000001", "ou-ab12-00000002"]
    assert ids(_accounts.hosts(snapshot)) == ["222222222222"]


# Unknown configuration keys: the known ones are the plugin's documented options and their aliases.
DEFINITIONS = dict(
    yaml.safe_load(aws_accounts.DOCUMENTATION)["options"],
    compose={"type": "dict"},
    keyed_groups={"type": "list"},
    cache={"type": "bool"},
    access_key={"type": "str", "aliases": ["aws_access_key_id", "aws_access_key"]},
)


@pytest.mark.parametrize(
    "config, unknown",
    [
        ({"plugin": "ecs_tools.iam.aws_accounts"}, []),
        ({"plugin": "x", "organizational_unit_ids": [], "compose": {}, "keyed_groups": [], "cache": True}, []),
        ({"plugin": "x", "aws_access_key_id": "a", "access_key": "b"}, []),
        ({"plugin": "x", "organisational_unit_ids": ["ou-ab12-00000001"]}, ["organisational_unit_ids"]),
        ({"plugin": "x", "hostnames": "name", "Compose": {}}, ["Compose", "hostnames"]),
    ],
)
def test_unknown_option_keys(config, unknown):
    assert _accounts.unknown_option_keys(config, DEFINITIONS) == unknown


def test_unknown_options_message_names_key_suggestion_and_known_options():
    message = _accounts.unknown_options_message(["organisational_unit_ids"], DEFINITIONS, "/x/prod.aws_accounts.yml")
    assert message.startswith(
        "unknown option 'organisational_unit_ids' (did you mean 'organizational_unit_ids'?) "
        "in /x/prod.aws_accounts.yml;"
    )
    assert message.endswith("the known options are: " + ", ".join(sorted(DEFINITIONS)))
    assert "aws_access_key_id" not in message  # aliases are accepted, not listed
    message = _accounts.unknown_options_message(["zzz", "hostnames"], DEFINITIONS)
    assert message.startswith("unknown options 'zzz', 'hostnames' (did you mean 'hostname'?); the known")


def plugin_reading(monkeypatch, config, definitions=None):
    """The plugin with the base class's reading of the file replaced by ``config`` and its option
    definitions by ``definitions`` (what the plugin loader gives it from DOCUMENTATION and the fragments)."""
    from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

    monkeypatch.setattr(AWSInventoryBase, "_read_config_data", lambda self, path: config)
    plugin = aws_accounts.InventoryModule()
    plugin._defs = DEFINITIONS if definitions is None else definitions
    return plugin


def test_plugin_rejects_an_unknown_key(monkeypatch):
    plugin = plugin_reading(monkeypatch, {"plugin": "ecs_tools.iam.aws_accounts", "organisational_unit_ids": []})
    with pytest.raises(AnsibleParserError) as raised:
        plugin._read_config_data("/x/prod.aws_accounts.yml")
    assert str(raised.value).startswith(
        "ecs_tools.iam.aws_accounts: unknown option 'organisational_unit_ids' (did you mean 'organizational_unit_ids'?)"
    )


def test_plugin_accepts_documented_keys_and_aliases(monkeypatch):
    config = {"plugin": "ecs_tools.iam.aws_accounts", "organizational_unit_ids": [], "aws_access_key": "a", "cache": 1}
    assert plugin_reading(monkeypatch, config)._read_config_data("/x/prod.aws_accounts.yml") is config


# AWS data is data: what the plugin hands to the inventory is marked unsafe (ansible-core < 2.19) or
# stripped of trust (2.19+, where wrap_var removes TrustedAsTemplate), whatever the input.
try:
    from ansible._internal._datatag._tags import TrustedAsTemplate  # ansible-core 2.19+
except ImportError:
    TrustedAsTemplate = None


def trusted(value):
    """The input as the most dangerous string it could be: trusted as a template where 2.19+ has the notion."""
    return TrustedAsTemplate().tag(value) if TrustedAsTemplate else value


def is_data(value):
    if TrustedAsTemplate:
        return isinstance(value, str) and not TrustedAsTemplate.is_tagged_on(value)
    return isinstance(value, AnsibleUnsafe)


TEMPLATED_SNAPSHOT = {
    "management_account_id": trusted("111111111111"),
    "roots": [{"id": trusted("r-ab12"), "name": trusted("Root")}],
    "organizational_units": [
        {"id": trusted("ou-ab12-00000001"), "name": trusted("{{ lookup('pipe', 'id') }}"), "parent_id": "r-ab12"}
    ],
    "accounts": [
        {
            "id": trusted("222222222222"),
            "name": trusted("{% raise %}"),
            "email": trusted("{{ 7 * 6 }}@x"),
            "arn": trusted("arn:aws:organizations::111111111111:account/o-1/222222222222"),
            "state": "ACTIVE",
            "parent_id": trusted("ou-ab12-00000001"),
        }
    ],
}


@pytest.mark.parametrize("hostname", ["id", "name"])
def test_populate_marks_every_string_from_aws(hostname):
    plugin = aws_accounts.InventoryModule()
    plugin.inventory = InventoryData()
    options = {"strict": False, "compose": None, "groups": None, "keyed_groups": None}
    plugin.get_option = lambda name, hostvars=None: options[name]
    hosts = _accounts.hosts(TEMPLATED_SNAPSHOT, hostname=hostname)
    plugin._populate(hosts)

    (name,) = list(plugin.inventory.hosts)
    assert name == ("222222222222" if hostname == "id" else "{% raise %}")
    host = plugin.inventory.get_host(name)
    assert is_data(name) and is_data(host.name)
    host_vars = host.get_vars()
    assert host_vars["aws_account_name"] == "{% raise %}"
    assert host_vars["aws_account_email"] == "{{ 7 * 6 }}@x"
    assert host_vars["aws_organizational_unit_path"] == "Root/{{ lookup('pipe', 'id') }}"
    for key in _accounts.HOST_VARS:
        assert is_data(host_vars[key]), key
    ou_groups = [g for g in plugin.inventory.groups if g.startswith(_accounts.OU_GROUP_PREFIX)]
    assert ou_groups == [_accounts.OU_GROUP_PREFIX + _accounts.sanitize("{{ lookup('pipe', 'id') }}")]
    assert all(is_data(g) for g in ou_groups)
