# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS's real failure modes, injected by a proxy in front of the moto_server.

The module runs through ansible-playbook with AWS_ENDPOINT_URL pointing at the proxy; the state
is read back directly from moto (not through the proxy).
"""

import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from checks import attached  # noqa: E402
from expected import TRUST_ECS  # noqa: E402
from expected import passrole_grant  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from fault_proxy import wait_for_pause  # noqa: E402

ROLE = "ecsInfrastructureRole"
ROLE_ARN = "arn:aws:iam::123456789012:role/" + ROLE
POLICY = ROLE + "PassRole"
POLICY_ARN = "arn:aws:iam::123456789012:policy/" + POLICY
CAPABILITY_ARNS = sorted(
    [
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice",
    ]
)
CAPABILITIES = ["volumes", "service_connect_tls", "vpc_lattice"]
USERS = ["alice", "bob", "carol"]


@pytest.fixture
def proxy(server, request):
    """``proxy(**rules)`` starts a FaultProxy in front of the test's moto_server; reports its counts."""
    started = []

    def make(**rules):
        fault_proxy = FaultProxy(server.url, **rules).start()
        started.append(fault_proxy)
        return fault_proxy

    yield make
    for fault_proxy in started:
        fault_proxy.stop()
        report = dict(fault_proxy.counts)
        request.node.user_properties.append(("faults", report))
        request.config.fault_reports.append((request.node.nodeid, report))


def through(fault_proxy):
    return {"AWS_ENDPOINT_URL": fault_proxy.url}


def grantees(iam):
    return sorted(u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=POLICY_ARN)["PolicyUsers"])


def inline_holders(iam):
    return sorted(u for u in USERS if POLICY in iam.list_user_policies(UserName=u)["PolicyNames"])


def policy_tags(iam):
    return {t["Key"]: t["Value"] for t in iam.get_policy(PolicyArn=POLICY_ARN)["Policy"].get("Tags", [])}


def assert_exact_desired_state(iam):
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["AssumeRolePolicyDocument"] == TRUST_ECS
    assert {t["Key"]: t["Value"] for t in role.get("Tags", [])} == {"team": "platform"}
    assert attached(iam) == CAPABILITY_ARNS
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == []
    assert grantees(iam) == USERS
    version = iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=POLICY_ARN, VersionId=version)["PolicyVersion"]["Document"]
    assert document == passrole_grant(ROLE_ARN)
    assert inline_holders(iam) == []
    policies = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert policies == [POLICY]  # nothing else was created


def make_users(iam):
    for user in USERS:
        iam.create_user(UserName=user)


DESIRED = {"capabilities": CAPABILITIES, "tags": {"team": "platform"}, "pass_role": {"users": USERS}}


def test_lifecycle_converges_through_throttling_server_errors_and_dropped_connections(runner, aws, proxy):
    iam = aws("iam")
    make_users(iam)
    faulty = proxy(seed=7, throttle=0.15, server_error=0.10, drop=0.05)
    first, second = runner.run([DESIRED, DESIRED], extra_env=through(faulty))
    assert not first.get("failed"), first.get("msg")
    assert (first["changed"], second["changed"]) == (True, False)
    assert_exact_desired_state(iam)
    assert (
        faulty.counts["throttle"] > 0
        and faulty.counts["drop"] + faulty.counts["error_500"] + faulty.counts["error_503"] > 0
    )

    absent = runner.run([{"state": "absent", "usage_regions": ["us-east-1"]}], extra_env=through(faulty))[0]
    assert absent["changed"] is True and not absent.get("failed"), absent.get("msg")
    assert ROLE not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert [u["UserName"] for u in iam.list_users()["Users"]] == USERS  # the grantees themselves stay


def test_no_such_entity_right_after_create_role_is_survived(runner, aws, proxy):
    iam = aws("iam")
    make_users(iam)
    lagging = proxy(consistency_window=4.0)
    result = runner.run([DESIRED], extra_env=through(lagging))[0]
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert lagging.counts["no_such_entity"] > 0
    assert result["role"]["role_id"] == iam.get_role(RoleName=ROLE)["Role"]["RoleId"]
    assert_exact_desired_state(iam)


def descendants(pid):
    """Every process below ``pid`` (Ansible runs the module in a process of its own session)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid):
    for child in [pid] + descendants(pid):
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


def cut_off(runner, fault_proxy, tasks):
    """Start a run through ``fault_proxy``, kill it while its paused request waits, release."""
    proc, dummy = runner.start(tasks, extra_env=through(fault_proxy))
    try:
        assert wait_for_pause(fault_proxy, proc), "the run ended without reaching the paused request"
        kill_tree(proc.pid)
        proc.wait()
    finally:
        fault_proxy.release()
        if proc.poll() is None:
            kill_tree(proc.pid)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_run_killed_between_two_attachments_is_completed_by_the_next(runner, aws, proxy):
    iam = aws("iam")
    make_users(iam)
    cut_off(runner, proxy(pause_on=("AttachRolePolicy", 2)), [DESIRED])
    assert len(attached(iam)) == 1  # cut off after the first of three attachments
    result, again = runner.run([DESIRED, DESIRED])  # completed, then converged (one ansible-playbook)
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert again["changed"] is False and not again.get("failed"), again.get("msg")
    assert_exact_desired_state(iam)


def test_run_killed_between_two_grants_is_completed_by_the_next(runner, aws, proxy):
    iam = aws("iam")
    make_users(iam)
    cut_off(runner, proxy(pause_on=("AttachUserPolicy", 2)), [DESIRED])
    assert grantees(iam) == ["alice"]
    result = runner.one(**DESIRED)
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert_exact_desired_state(iam)


def test_mode_switch_killed_before_inline_grants_are_removed_is_finished_next_run(runner, aws, proxy):
    iam = aws("iam")
    make_users(iam)
    runner.one(capabilities=CAPABILITIES, tags={"team": "platform"}, pass_role={"users": USERS, "mode": "inline"})
    assert inline_holders(iam) == USERS
    cut_off(runner, proxy(pause_on=("DeleteUserPolicy", 2)), [DESIRED])
    # the managed policy exists with the cleanup tag, one inline grant is gone, two are left behind
    mark = {"ecs_tools.iam:role-arn": "arn:aws:iam::123456789012:role/" + ROLE}
    assert policy_tags(iam) == dict(mark, **{"ecs_tools.iam:inline-cleanup": "pending"})
    assert inline_holders(iam) == ["bob", "carol"]
    result = runner.one(**DESIRED)
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert_exact_desired_state(iam)
    assert policy_tags(iam) == mark


def test_absent_killed_before_delete_role_is_completed_by_the_next(runner, aws, proxy):
    iam = aws("iam")
    make_users(iam)
    runner.one(**DESIRED)
    cut_off(runner, proxy(pause_on=("DeleteRole", 1)), [{"state": "absent", "usage_regions": ["us-east-1"]}])
    assert attached(iam) == [] and iam.list_policies(Scope="Local")["Policies"] == []
    result = runner.one(state="absent", usage_regions=["us-east-1"])
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert ROLE not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
