# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin ecs_tools.iam.aws_accounts through the real ``ansible-inventory --list``,
against an AWS Organization on the test's moto_server: nested OUs, several accounts, a closed one."""

import json
import os
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fault_proxy import FaultProxy  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import build  # noqa: E402
from organization import client  # noqa: E402
from playbook import TaskRunner  # noqa: E402

# The inventory plugin runs in the controller: measure it there too (tests/integration/conftest.py).
# These two files reach every line of it the units do not; the audit tests run it the same way.
pytestmark = pytest.mark.controller_coverage

LAYOUT = {
    "Workloads": {"Prod": ["prod-a", "prod-b"], "Dev": ["dev-a"]},
    "Sandbox": ["sandbox-a", "closed-a"],
    "": ["top-a"],
}
CLOSED = ["closed-a"]
ACTIVE_MEMBERS = ["prod-a", "prod-b", "dev-a", "sandbox-a", "top-a"]
OU_GROUPS = {
    "prod-a": ["ou_workloads", "ou_workloads_prod"],
    "prod-b": ["ou_workloads", "ou_workloads_prod"],
    "dev-a": ["ou_workloads", "ou_workloads_dev"],
    "sandbox-a": ["ou_sandbox"],
    "top-a": [],
    "master": [],
}


@pytest.fixture(scope="module")
def server():
    """A moto server of this module's own (it overrides conftest's ``server``, so ``runner`` uses it):
    the organization is built once and only read; the tests that write use ``own_server``."""
    own = MotoServer().start()
    yield own
    own.stop()


@pytest.fixture(scope="module")
def org(server):
    return build(server.env(), LAYOUT, closed=CLOSED)


@pytest.fixture
def own_server(moto):
    """For a test that writes to the organization: the session's moto server (conftest's ``moto``), reset."""
    moto.reset()
    return moto


def unsafe(value):
    """ansible-inventory marks strings from a plugin as unsafe: {"__ansible_unsafe": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unsafe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unsafe(v) for v in value]
    return value


@pytest.fixture
def inventory(runner, tmp_path):
    """``inventory(config, env=None)`` writes ``<n>.aws_accounts.yml`` and returns
    ``(hostvars, groups)`` from ``ansible-inventory --list``; ``groups`` maps each group to
    ``{"hosts": sorted, "children": sorted}``. Fails with the output when the command fails."""
    return inventory_runner(runner, tmp_path)


def inventory_runner(runner, tmp_path):
    count = [0]

    def run(config, env=None, expect_failure=False, args=(), name=None):
        count[0] += 1
        path = tmp_path / (name or f"inv{count[0]}.aws_accounts.yml")
        path.write_text(yaml.safe_dump(config))
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(path), "--list"]
            + list(args),
            env=runner.env(extra=env),
            capture_output=True,
            text=True,
            check=False,
        )
        if expect_failure:
            assert proc.returncode != 0 or "Failed to parse" in proc.stderr, proc.stdout + proc.stderr
            return proc.stdout + proc.stderr
        assert proc.returncode == 0 and "Failed to parse" not in proc.stderr, proc.stdout + proc.stderr
        data = unsafe(json.loads(proc.stdout))
        hostvars = data.pop("_meta", {}).get("hostvars", {})
        groups = {
            name: {"hosts": sorted(body.get("hosts", [])), "children": sorted(body.get("children", []))}
            for name, body in data.items()
        }
        return hostvars, groups

    return run


def expected_vars(org, name, role_name="OrganizationAccountAccessRole", partition="aws"):
    if name == "master":
        account = {
            "id": org.management_account_id,
            "email": "master@example.com",
            "path": "Root",
            "parent_id": org.root_id,
        }
    else:
        account = org.accounts[name]
    return {
        "aws_account_id": account["id"],
        "aws_account_name": name,
        "aws_account_email": account["email"],
        "aws_organizational_unit_id": account["parent_id"],
        "aws_organizational_unit_path": account["path"],
        "ecs_infrastructure_role_assume_role_arn": "arn:{0}:iam::{1}:role/{2}".format(
            partition, account["id"], role_name
        ),
    }


def expected_groups(hosts, host_name):
    """Group structure the plugin builds for ``hosts`` (account names), hosts named by ``host_name``."""
    groups = {"all": {"hosts": [], "children": ["aws_accounts", "ungrouped"]}}
    groups["aws_accounts"] = {"hosts": sorted(host_name(h) for h in hosts), "children": []}
    groups["ungrouped"] = {"hosts": [], "children": []}
    for account in hosts:
        chain = OU_GROUPS[account]
        for i, group in enumerate(chain):
            entry = groups.setdefault(group, {"hosts": [], "children": []})
            if i == 0 and group not in groups["all"]["children"]:
                groups["all"]["children"].append(group)
            if i + 1 < len(chain):
                if chain[i + 1] not in entry["children"]:
                    entry["children"].append(chain[i + 1])
            else:
                entry["hosts"].append(host_name(account))
    for entry in groups.values():
        entry["hosts"].sort()
        entry["children"].sort()
    # ansible-inventory --list leaves out groups with neither hosts nor children (ungrouped here).
    return {k: v for k, v in groups.items() if v["hosts"] or v["children"] or k == "all"}


def test_whole_organization(org, inventory):
    """Every ACTIVE member account, named by id, with its variables and OU groups: the closed account
    and the management account are left out."""
    hostvars, groups = inventory({"plugin": "ecs_tools.iam.aws_accounts"})
    assert hostvars == {org.account_id(n): expected_vars(org, n) for n in ACTIVE_MEMBERS}
    assert groups == expected_groups(ACTIVE_MEMBERS, org.account_id)
    assert org.account_id("closed-a") not in hostvars
    assert org.management_account_id not in hostvars


def test_organizational_units_nested_and_excluded(org, inventory):
    """Only accounts under Workloads (its nested Prod and Dev included), minus one excluded account."""
    hostvars, groups = inventory(
        {
            "plugin": "ecs_tools.iam.aws_accounts",
            "organizational_unit_ids": [org.ou_ids["Workloads"]],
            "exclude_account_ids": [org.account_id("prod-b")],
            "include_management_account": True,  # the management account is under the root, not Workloads
        }
    )
    hosts = ["prod-a", "dev-a"]
    assert hostvars == {org.account_id(n): expected_vars(org, n) for n in hosts}
    assert groups == expected_groups(hosts, org.account_id)


def test_two_units_and_root(org, inventory):
    """Two sibling OUs at different depths; and the root id selects the whole organization."""
    hostvars, _groups = inventory(
        {
            "plugin": "ecs_tools.iam.aws_accounts",
            "organizational_unit_ids": [org.ou_ids["Workloads/Dev"], org.ou_ids["Sandbox"]],
        }
    )
    assert sorted(hostvars) == sorted(org.account_id(n) for n in ["dev-a", "sandbox-a"])
    hostvars, _groups = inventory({"plugin": "ecs_tools.iam.aws_accounts", "organizational_unit_ids": [org.root_id]})
    assert sorted(hostvars) == sorted(org.account_id(n) for n in ACTIVE_MEMBERS)


def test_names_management_account_role_name_and_endpoint_url(org, inventory, server):
    """hostname: name, the management account included, a role name with a path, and the endpoint
    given by the plugin's own endpoint_url option (no AWS_ENDPOINT_URL in the environment)."""
    hostvars, groups = inventory(
        {
            "plugin": "ecs_tools.iam.aws_accounts",
            "hostname": "name",
            "include_management_account": True,
            "assume_role_name": "automation/EcsToolsAudit",
            "endpoint_url": server.url,
            "region": "us-east-1",
        },
        env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},  # unused: a closed port, would fail if used
    )
    hosts = ACTIVE_MEMBERS + ["master"]
    assert hostvars == {n: expected_vars(org, n, role_name="automation/EcsToolsAudit") for n in hosts}
    assert groups == expected_groups(hosts, str)


def test_constructable(org, inventory):
    """compose, groups and keyed_groups see the plugin's host variables."""
    hostvars, groups = inventory(
        {
            "plugin": "ecs_tools.iam.aws_accounts",
            "hostname": "name",
            "compose": {"ansible_connection": "'local'", "short_path": "aws_organizational_unit_path.split('/')[-1]"},
            "groups": {"production": "aws_account_name.startswith('prod-')"},
            "keyed_groups": [{"key": "aws_organizational_unit_path", "prefix": "path"}],
        }
    )
    assert hostvars["prod-a"]["ansible_connection"] == "local"
    assert hostvars["prod-a"]["short_path"] == "Prod"
    assert hostvars["top-a"]["short_path"] == "Root"
    assert groups["production"] == {"hosts": ["prod-a", "prod-b"], "children": []}
    assert groups["path_Root_Workloads_Prod"] == {"hosts": ["prod-a", "prod-b"], "children": []}
    assert groups["path_Root_Sandbox"] == {"hosts": ["sandbox-a"], "children": []}
    assert groups["path_Root"] == {"hosts": ["top-a"], "children": []}


# One case per refusal path: an option's value (every bad value: units, tests/unit/plugins/inventory/
# test_aws_accounts.py test_bad_options) and an unknown option (units: test_unknown_option_keys and
# test_unknown_options_message_names_key_suggestion_and_known_options).
@pytest.mark.parametrize(
    "config, message",
    [
        ({"organizational_unit_ids": ["Workloads"]}, "'Workloads' is not an organizational unit id"),
        # A typo must not silently widen the inventory to the whole organization.
        (
            {"organisational_unit_ids": ["ou-ab12-34cd56ef"]},
            "ecs_tools.iam.aws_accounts: unknown option 'organisational_unit_ids' (did you mean "
            "'organizational_unit_ids'?) in ",
        ),
    ],
)
def test_bad_options_fail_before_any_call(inventory, server, config, message):
    with server.recording() as rec:
        output = inventory(dict(config, plugin="ecs_tools.iam.aws_accounts"), expect_failure=True)
    assert message in output
    assert rec.calls == []


def test_every_documented_key_is_accepted(org, inventory, server, tmp_path):
    """The known keys come from the plugin's documentation, fragments included: its own options, the
    Constructable and cache ones, and amazon.aws's connection options under their aliases."""
    env = server.env()
    hostvars, _groups = inventory(
        {
            "plugin": "ecs_tools.iam.aws_accounts",
            "organizational_unit_ids": [],
            "exclude_account_ids": [],
            "include_management_account": False,
            "assume_role_name": "OrganizationAccountAccessRole",
            "hostname": "id",
            "cache": False,
            "cache_plugin": "ansible.builtin.jsonfile",
            "cache_connection": str(tmp_path / "unused-cache"),
            "cache_prefix": "accounts_",
            "cache_timeout": 60,
            "compose": {},
            "groups": {},
            "keyed_groups": [],
            "strict": True,
            "leading_separator": True,
            "use_extra_vars": False,
            "aws_region": "us-east-1",
            "aws_endpoint_url": server.url,
            "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        }
    )
    assert sorted(hostvars) == sorted(org.account_id(n) for n in ACTIVE_MEMBERS)


def test_unknown_unit_fails_naming_it(org, inventory):
    output = inventory(
        {"plugin": "ecs_tools.iam.aws_accounts", "organizational_unit_ids": ["ou-zzzz-abcdefgh"]}, expect_failure=True
    )
    assert "organizational_unit_ids not found in the organization: ou-zzzz-abcdefgh" in output


def test_duplicate_names_with_hostname_name_fail(own_server, tmp_path):
    server = own_server
    inventory = inventory_runner(TaskRunner(server, tmp_path), tmp_path)
    build(server.env(), {"A": ["twin"], "B": ["twin"]})
    twins = sorted(a["Id"] for a in client(server.env()).list_accounts()["Accounts"] if a["Name"] == "twin")
    assert len(twins) == 2
    output = inventory({"plugin": "ecs_tools.iam.aws_accounts", "hostname": "name"}, expect_failure=True)
    assert "several accounts share a name: 'twin' ({0}, {1}); use hostname: id".format(*twins) in output


def test_reads_only_and_pages(org, inventory, server):
    """Only Organizations reads: DescribeOrganization, ListRoots, then per root and OU one
    ListOrganizationalUnitsForParent and one ListAccountsForParent."""
    with server.recording() as rec:
        inventory({"plugin": "ecs_tools.iam.aws_accounts"})
    nodes = 1 + len(org.ou_ids)
    assert rec.writes == []
    assert sorted(rec.actions()) == sorted(
        ["DescribeOrganization", "ListRoots"]
        + ["ListOrganizationalUnitsForParent"] * nodes
        + ["ListAccountsForParent"] * nodes
    )


def test_cache(own_server, tmp_path):
    """With cache: true the second run makes no call and shows the cached accounts; --flush-cache reads again.
    It adds an account: an organization of its own."""
    server = own_server
    inventory = inventory_runner(TaskRunner(server, tmp_path), tmp_path)
    build(server.env(), {"": ["first-a"], "Unit": ["first-b"]})
    config = {
        "plugin": "ecs_tools.iam.aws_accounts",
        "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile",
        "cache_connection": str(tmp_path / "cache"),
        "cache_timeout": 600,
    }
    first, _groups = inventory(config, name="cached.aws_accounts.yml")
    assert len(first) == 2, first
    client(server.env()).create_account(AccountName="late", Email="late@example.com")
    with server.recording() as rec:
        second, _groups = inventory(config, name="cached.aws_accounts.yml")
    assert rec.calls == []
    assert second == first
    third, _groups = inventory(config, args=["--flush-cache"], name="cached.aws_accounts.yml")
    assert len(third) == len(first) + 1


def test_throttling_is_retried(org, inventory, server):
    """Through a proxy that throttles 40% of the Organizations calls, the same hosts come back."""
    expected, expected_groups_ = inventory({"plugin": "ecs_tools.iam.aws_accounts"})
    proxy = FaultProxy(server.url, seed=3, throttle=0.4).start()
    try:
        hostvars, groups = inventory({"plugin": "ecs_tools.iam.aws_accounts"}, env={"AWS_ENDPOINT_URL": proxy.url})
    finally:
        proxy.stop()
    assert proxy.counts["throttle"] > 0
    assert (hostvars, groups) == (expected, expected_groups_)
