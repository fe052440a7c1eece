# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event-Driven Ansible end to end, on moto: the real ``ansible-rulebook`` with the shipped rulebook
(extensions/eda/rulebooks/repair_drift.yml) and event source (ecs_tools.iam.iam_role_events) watches a
moto SQS queue; the role is created with ``ecs_tools.iam.manage``, changed by hand with boto3, and the
CloudTrail-shaped event of each change is put on the queue (moto emits no CloudTrail). The rulebook's
run of ``manage`` must put the role back. Needs .build/eda-venv and Java 17+: ``make eda`` builds the
venv and runs this file; without them these tests are skipped. Time to repair is measured and gated
by benchmarks/eda_repair.py, not here.

One moto_server, one role and one ansible-rulebook process serve every test of this file (starting the
rulebook and creating the role cost more than a test): each test starts from the role as ``manage`` made
it, with no run under way, and counts only its own runs and reads only its own part of the rulebook's
output (``Drift.mark()``)."""

import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import eda  # noqa: E402
from moto_server import MotoServer  # noqa: E402

pytestmark = pytest.mark.skipif(bool(eda.missing()), reason=eda.missing() or "")

QUIET = 10  # seconds without a run that count as "nothing more will happen" (the throttle is 3 s)


@pytest.fixture(scope="module")
def rulebook(tmp_path_factory):
    """The scenario every test shares: a moto_server of this module's own, the role created by the real
    ``manage`` playbook, and ansible-rulebook watching the queue."""
    server = MotoServer().start()
    scenario = None
    try:
        scenario = eda.Drift(server, tmp_path_factory.mktemp("eda")).prepare()
        scenario.manage()
        assert scenario.converged()
        scenario.start()
        scenario.settled = scenario.sent
        yield scenario
    finally:
        if scenario is not None:
            scenario.stop()
        server.stop()


@pytest.fixture
def drift(rulebook):
    """The shared scenario, quiet (every event put on the queue has been dealt with) and converged, its
    run count and output starting now."""
    if rulebook.settled != rulebook.sent:  # an earlier test stopped before its events were dealt with
        settle(rulebook)
    if not rulebook.converged():  # an earlier test left the role changed
        rulebook.restore()
    return rulebook.mark()


def settle(drift):
    """Waits until no run is under way or starts for QUIET seconds; returns the number of runs."""
    seen, since = drift.runs(), time.monotonic()
    while time.monotonic() - since < QUIET:
        time.sleep(0.5)
        now = drift.runs()
        if now != seen or drift.running():
            seen, since = now, time.monotonic()
    drift.settled = drift.sent
    return seen


def test_each_change_by_hand_is_repaired(drift):
    times = eda.repair_times(drift)
    assert [label for label, dummy in times] == [label for label, dummy, dummy2 in eda.CHANGES]
    assert drift.volumes_back() and drift.trust_restored() and drift.grant_restored()
    assert settle(drift) == 3  # one run per change
    log = drift.log()
    assert log.count("failed=0") == 3, log[-6000:]
    assert "ERROR" not in log, log[-6000:]
    # Each run was limited to the event's account: the other inventory host never ran.
    assert drift.recap_hosts() == [eda.ACCOUNT] * 3
    for label, seconds in times:
        print(f"time to repair, {label}: {seconds:.1f}s")


def test_a_burst_for_one_account_gives_one_run(drift, tmp_path):
    marker = tmp_path / "templated"
    drift.detach_volumes()
    # 49 more events for the same account within a second; one carries a Jinja expression in a field
    # anyone can set (the user agent): AWS data is data, never templated.
    payload = "{{ lookup('ansible.builtin.pipe', 'touch " + str(marker) + "') }}"
    for number in range(49):
        drift.put_event(
            "TagRole" if number % 2 else "DetachRolePolicy",
            {"roleName": eda.ROLE, "policyArn": eda.VOLUMES},
            user_agent=payload if number == 7 else "aws-cli/2.17",
        )
    drift.wait_until(drift.volumes_back)
    runs = settle(drift)
    # One run per throttle window, not per event. Sent within a second on an idle machine, the 50 events
    # reach the rulebook in one window (one run; two when the window closes while the run starts); on a
    # loaded one their arrival may span more windows, each worth one run.
    windows = eda.throttle_windows(drift.received_times())
    print(f"playbook runs for a burst of 50 events received in {windows} throttle window(s): {runs}")
    assert drift.log().count("[received event]") == 50  # every event reached the rulebook
    assert 1 <= runs <= windows + 1
    assert not marker.exists()
    assert (
        drift.sqs.get_queue_attributes(QueueUrl=drift.queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
        == "0"
    )


def test_the_automations_own_changes_trigger_nothing(drift):
    # The automation itself detaches the policy (say a run with other capabilities): its events,
    # from its assumed-role session, must not start a repair, or two automations would undo each other.
    drift.iam.detach_role_policy(RoleName=eda.ROLE, PolicyArn=eda.VOLUMES)
    session = f"arn:aws:sts::{eda.ACCOUNT}:assumed-role/{eda.AUTOMATION_ROLE}/ecs-tools-iam-manage"
    issuer = f"arn:aws:iam::{eda.ACCOUNT}:role/{eda.AUTOMATION_ROLE}"
    for dummy in range(5):
        drift.put_event(
            "DetachRolePolicy", {"roleName": eda.ROLE, "policyArn": eda.VOLUMES}, actor=session, issuer=issuer
        )
    drift.wait_until(lambda: drift.log().count("[received event]") == 5, timeout=60)
    assert settle(drift) == 0
    assert not drift.volumes_back()  # nobody repaired it
    # A change by someone else still is repaired (the rulebook is alive and listening).
    drift.put_event("DetachRolePolicy", {"roleName": eda.ROLE, "policyArn": eda.VOLUMES})
    drift.wait_until(drift.volumes_back)
    assert settle(drift) == 1


def test_a_repair_the_collection_refuses_is_reported_once(drift):
    # Someone replaces the grant policy with a same-named one the collection cannot prove is its own:
    # the module refuses to touch it, the run fails, and the rulebook reports it and does not retry.
    iam = drift.iam
    drift.delete_grant()
    iam.create_policy(
        PolicyName=eda.GRANT,
        PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", '
        '"Resource": "*"}]}',
    )
    drift.put_event("DeletePolicy", {"policyArn": drift.grant_arn()})
    drift.wait_until(lambda: drift.runs() == 1 and not drift.running(), timeout=120)
    assert settle(drift) == 1  # reported, not retried
    log = drift.log()
    assert "failed=1" in log, log[-6000:]
    assert "ansible_rulebook.action.run_playbook - ERROR" in log, log[-6000:]
    assert "Refusing to manage the PassRole grants of role 'ecsInfrastructureRole'" in log, log[-6000:]
    assert drift.process.poll() is None  # the rulebook keeps listening
    assert iam.list_entities_for_policy(PolicyArn=drift.grant_arn())["PolicyUsers"] == []  # foreign: untouched
