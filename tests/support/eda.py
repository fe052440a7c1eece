# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Event-Driven Ansible proof on moto, shared by tests/integration/test_eda_repair.py and
benchmarks/eda_repair.py.

- ``eda_venv()``: .build/eda-venv (``make eda`` builds it from tests/requirements-eda.txt:
  ansible-rulebook, ansible-core, boto3, amazon.aws), or $ECS_TOOLS_EDA_VENV; ``missing()`` says why
  it cannot run (no venv, no Java 17+).
- ``Drift``: a moto SQS queue, an inventory directory whose variables are the desired state, the role
  created with the real ``ecs_tools.iam.manage`` playbook, then the real ``ansible-rulebook`` started
  with the shipped rulebook and event source (by FQCN, from the collection path); ``put_event`` sends a
  CloudTrail-shaped EventBridge event to the queue (moto emits no CloudTrail), ``wait_until`` polls IAM,
  ``runs()`` counts the manage playbook runs in the rulebook's output.
"""

import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import yaml
from check_java import JavaMissing
from check_java import java_home
from collection_link import collections_path
from playbook import ansible_env

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RULEBOOK = os.path.join(REPO, "extensions", "eda", "rulebooks", "repair_drift.yml")
ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "210987654321"  # a second inventory host: a run limited to the event's account skips it
ROLE = "ecsInfrastructureRole"
GRANT = ROLE + "PassRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
AUTOMATION_ROLE = "ecs-tools-automation"
AUTOMATION_PATTERN = "arn:aws:iam::*:role/" + AUTOMATION_ROLE
HUMAN = f"arn:aws:iam::{ACCOUNT}:user/alice"
# ansible-rulebook's --print-events line for each event it receives, with its (local) time.
RECEIVED = re.compile(r"\*\* (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \[received event\]")
THROTTLE = 3.0  # seconds: the rule's once_after window (extensions/eda/rulebooks/repair_drift.yml)
# The first task of ecs_tools.iam.manage's play: printed once per run in the rulebook's output.
PLAY_BANNER = "PLAY [Apply the ECS infrastructure role to each AWS account]"
# The desired state: the inventory's variables, as a manage job template would read them.
DESIRED = {
    "ecs_infrastructure_role_capabilities": ["volumes"],
    "ecs_infrastructure_role_pass_role_users": ["deployer"],
    "ecs_infrastructure_role_usage_regions": ["us-east-1"],
}


def eda_venv():
    return os.environ.get("ECS_TOOLS_EDA_VENV") or os.path.join(REPO, ".build", "eda-venv")


def missing():
    """Why the end-to-end proof cannot run here (None when it can)."""
    rulebook = os.path.join(eda_venv(), "bin", "ansible-rulebook")
    if not os.access(rulebook, os.X_OK):
        return f"no {rulebook}: `make eda` builds it (tests/requirements-eda.txt)"
    try:
        java_home()
    except JavaMissing as exc:
        return str(exc)
    return None


def cloudtrail_event(event_name, request_parameters, actor=HUMAN, issuer=None, user_agent="aws-cli/2.17"):
    """An "AWS API Call via CloudTrail" event as EventBridge delivers it to an SQS target (the message
    body): the envelope (account, region, detail-type, source) and CloudTrail's record in ``detail``."""
    identity = {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": actor, "accountId": ACCOUNT}
    if issuer:
        identity = {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:session",
            "arn": actor,
            "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": issuer, "accountId": ACCOUNT}},
        }
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.iam",
        "account": ACCOUNT,
        "time": now,
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": now,
            "eventSource": "iam.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "192.0.2.10",
            "userAgent": user_agent,
            "requestParameters": request_parameters,
            "responseElements": None,
            "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        },
    }


class Drift:
    """One moto account with the role, a queue, and ansible-rulebook watching the queue."""

    def __init__(self, server, tmp_path):
        self.server = server
        self.tmp = str(tmp_path)
        self.iam = server.client("iam")
        self.sqs = server.client("sqs")
        self.queue_url = None
        self.process = None
        self._before = set()
        self._log_offset = 0  # log() starts here: the rulebook's output since mark()
        self.sent = 0  # events put on the queue so far
        self.last_sent = None
        self.log_path = os.path.join(self.tmp, "ansible-rulebook.log")
        # Every ansible-playbook the rulebook starts appends here, each line with its process id
        # ("p=1234"): runs are counted here, not in the rulebook's output, which repeats a failed run's.
        self.ansible_log = os.path.join(self.tmp, "ansible.log")
        self.inventory = os.path.join(self.tmp, "inventory")

    # --- setup -----------------------------------------------------------------------------------
    def prepare(self):
        self.queue_url = self.sqs.create_queue(QueueName="ecs-infrastructure-role-events")["QueueUrl"]
        for user in ("deployer", "intruder"):
            self.iam.create_user(UserName=user)
        os.makedirs(os.path.join(self.inventory, "group_vars"), exist_ok=True)
        with open(os.path.join(self.inventory, "hosts.yml"), "w") as f:
            yaml.safe_dump({"all": {"hosts": {ACCOUNT: {}, OTHER_ACCOUNT: {}}}}, f)
        with open(os.path.join(self.inventory, "group_vars", "all.yml"), "w") as f:
            yaml.safe_dump(DESIRED, f)
        with open(os.path.join(self.tmp, "rulebook-vars.yml"), "w") as f:
            yaml.safe_dump(
                {
                    "ecs_infrastructure_role_events_queue_url": self.queue_url,
                    "ecs_infrastructure_role_automation_principals": [AUTOMATION_PATTERN],
                },
                f,
            )
        return self

    def env(self):
        """ansible-rulebook's environment: the eda venv first on PATH (its ansible-playbook runs the
        repairs, with its Python for the modules through manage.yml), this checkout as the collection,
        the moto endpoint and dummy credentials, Java."""
        env = ansible_env(self.server)
        env.pop("ANSIBLE_PYTHON_INTERPRETER", None)  # manage.yml picks ansible_playbook_python itself
        env.update(
            PATH=os.path.join(eda_venv(), "bin") + os.pathsep + env.get("PATH", ""),
            ANSIBLE_COLLECTIONS_PATH=collections_path(),
            JAVA_HOME=java_home(),
            PYTHONUNBUFFERED="1",
            ANSIBLE_LOG_PATH=self.ansible_log,
        )
        env.pop("VIRTUAL_ENV", None)
        return env

    def manage(self):
        """Creates the role with the real playbook (the eda venv's ansible-playbook), as a job would."""
        proc = subprocess.run(
            [
                os.path.join(eda_venv(), "bin", "ansible-playbook"),
                "-i",
                self.inventory,
                "--limit",
                ACCOUNT,
                "ecs_tools.iam.manage",
            ],
            env=self.env(),
            cwd=self.tmp,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError("manage failed:\n" + proc.stdout[-4000:] + proc.stderr[-2000:])
        return proc

    def start(self, timeout=180):
        """Starts ansible-rulebook and waits until its source polls the queue (the log says so)."""
        self.mark()  # the manage run that created the role is not one of the rulebook's
        argv = [
            os.path.join(eda_venv(), "bin", "ansible-rulebook"),
            "--rulebook",
            RULEBOOK,
            "--inventory",
            self.inventory,
            "--vars",
            os.path.join(self.tmp, "rulebook-vars.yml"),
            "--print-events",
            "-v",
        ]
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            argv, env=self.env(), cwd=self.tmp, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ansible-rulebook exited {self.process.returncode}:\n{self.log()}")
            if "iam_role_events: polling" in self.log():
                return self
            time.sleep(0.2)
        raise AssertionError(f"ansible-rulebook did not start polling within {timeout}s:\n{self.log()}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    # --- observing -------------------------------------------------------------------------------
    def mark(self):
        """From here on, ``runs()``, ``recap_hosts()`` and ``log()`` see only what happens after this call:
        one rulebook process can serve several tests, each counting its own runs and reading its own output."""
        self._before = set(self._playbook_lines(PLAY_BANNER))
        self._log_offset = 0
        if os.path.exists(self.log_path):
            with open(self.log_path, "rb") as f:
                self._log_offset = len(f.read())
        return self

    def log(self):
        """The rulebook's output since ``mark()``."""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_offset)
            return f.read().decode("utf-8", "replace")

    def _playbook_lines(self, text):
        """The process ids of the ansible-playbook runs that logged ``text``, in order."""
        if not os.path.exists(self.ansible_log):
            return []
        with open(self.ansible_log, errors="replace") as f:
            return [line.split(" p=", 1)[1].split()[0] for line in f if text in line and " p=" in line]

    def received_times(self):
        """When the rulebook received each event since ``mark()`` (seconds since the epoch)."""
        return [datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f").timestamp() for t in RECEIVED.findall(self.log())]

    def runs(self):
        """How many times ecs_tools.iam.manage started since the rulebook started."""
        return len(set(self._playbook_lines(PLAY_BANNER)) - self._before)

    def recap_hosts(self):
        """The hosts in the recaps of the runs since the rulebook started."""
        if not os.path.exists(self.ansible_log):
            return []
        hosts = []
        with open(self.ansible_log, errors="replace") as f:
            for line in f:
                if " : ok=" in line and " p=" in line and line.split(" p=", 1)[1].split()[0] not in self._before:
                    hosts.append(line.split("|", 1)[-1].split(" : ok=")[0].strip())
        return hosts

    def running(self):
        """True while a run has started and not printed its recap."""
        return bool(set(self._playbook_lines(PLAY_BANNER)) - set(self._playbook_lines("PLAY RECAP")))

    def put_event(self, event_name, request_parameters, **identity):
        event = cloudtrail_event(event_name, request_parameters, **identity)
        self.last_sent = time.time()
        self.sent += 1
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(event))
        return event

    def wait_until(self, check, timeout=120, interval=0.2):
        """Polls ``check()`` until it is true; returns the seconds it took."""
        begin = time.perf_counter()
        while time.perf_counter() - begin < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError("ansible-rulebook exited:\n" + self.log()[-6000:])
            if check():
                return time.perf_counter() - begin
            time.sleep(interval)
        raise AssertionError(f"not converged within {timeout}s; ansible-rulebook's log:\n{self.log()[-8000:]}")

    # --- the role's state, read back with boto3 --------------------------------------------------
    def attached(self):
        return sorted(p["PolicyArn"] for p in self.iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"])

    def trust_principals(self):
        document = self.iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        return [s["Principal"] for s in document["Statement"]]

    def grant_arn(self):
        return f"arn:aws:iam::{ACCOUNT}:policy/{GRANT}"

    def grant_holders(self):
        users = self.iam.list_entities_for_policy(PolicyArn=self.grant_arn())["PolicyUsers"]
        return sorted(u["UserName"] for u in users)

    # --- the three changes by hand, each with the event CloudTrail would send ----------------------
    def detach_volumes(self):
        self.iam.detach_role_policy(RoleName=ROLE, PolicyArn=VOLUMES)
        assert VOLUMES not in self.attached()
        return self.put_event("DetachRolePolicy", {"roleName": ROLE, "policyArn": VOLUMES})

    def volumes_back(self):
        return VOLUMES in self.attached()

    def widen_trust(self):
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowAccessToECSForInfrastructureManagement",
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                },
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"},
            ],
        }
        self.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(document))
        assert len(self.trust_principals()) == 2
        return self.put_event("UpdateAssumeRolePolicy", {"roleName": ROLE, "policyDocument": json.dumps(document)})

    def trust_restored(self):
        return self.trust_principals() == [{"Service": "ecs.amazonaws.com"}]

    def grant_intruder(self):
        self.iam.attach_user_policy(UserName="intruder", PolicyArn=self.grant_arn())
        assert "intruder" in self.grant_holders()
        return self.put_event("AttachUserPolicy", {"userName": "intruder", "policyArn": self.grant_arn()})

    def grant_restored(self):
        return self.grant_holders() == ["deployer"]

    def converged(self):
        return self.volumes_back() and self.trust_restored() and self.grant_restored()

    def delete_grant(self):
        """Deletes the grant's managed policy by hand, whoever holds it (its versions first, as IAM requires)."""
        iam = self.iam
        for user in iam.list_entities_for_policy(PolicyArn=self.grant_arn())["PolicyUsers"]:
            iam.detach_user_policy(UserName=user["UserName"], PolicyArn=self.grant_arn())
        for version in iam.list_policy_versions(PolicyArn=self.grant_arn())["Versions"]:
            if not version["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=self.grant_arn(), VersionId=version["VersionId"])
        iam.delete_policy(PolicyArn=self.grant_arn())

    def restore(self):
        """Puts the role back as ``manage`` made it, without an event (the rulebook sees nothing): the grant
        policy, whatever replaced it, is deleted and ``manage`` run again. For a test that starts where an
        earlier one left the shared scenario."""
        try:
            self.delete_grant()
        except self.iam.exceptions.NoSuchEntityException:
            pass
        self.manage()
        if not self.converged():
            raise AssertionError("manage did not restore the role")


CHANGES = [
    ("detach the Volumes policy", "detach_volumes", "volumes_back"),
    ("add a principal to the trust policy", "widen_trust", "trust_restored"),
    ("attach the grant to an unlisted user", "grant_intruder", "grant_restored"),
]


def throttle_windows(times, seconds=THROTTLE):
    """How many ``once_after`` windows events received at ``times`` fall into: a window opens with the
    first event after the previous one closed and holds every event of the next ``seconds``."""
    windows, closes = 0, None
    for t in sorted(times):
        if closes is None or t > closes:
            windows, closes = windows + 1, t + seconds
    return windows


def repair_times(drift):
    """Each change by hand, then the seconds from its event on the queue to the restored state."""
    times = []
    for label, change, restored in CHANGES:
        getattr(drift, change)()
        times.append((label, drift.wait_until(getattr(drift, restored))))
        # Wait for the run to finish, so the next change is not undone by this run's tail.
        drift.wait_until(lambda: not drift.running(), timeout=120)
    return times


if __name__ == "__main__":
    sys.stdout.write((missing() or "eda venv and Java: ready") + "\n")
