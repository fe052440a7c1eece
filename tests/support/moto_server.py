# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real ``moto_server`` process on a free 127.0.0.1 port, for the demo and the tests.

As a library: ``MotoServer().start()`` / ``.stop()``, ``.env()`` for the child processes,
``.reset()`` between tests and ``.recording()`` to count the API calls a run makes.

As a command: ``moto_server.py run -- COMMAND...`` starts a server, runs COMMAND with
``AWS_ENDPOINT_URL`` and dummy credentials in its environment, and stops the server.
``moto_server.py start STATE_FILE [PORT]`` leaves a server running and writes its URL, process id
and environment to STATE_FILE (JSON); ``moto_server.py stop STATE_FILE`` stops it. The
molecule ``default`` scenario uses these two. ``moto_server.py serve ARG...`` is the server process
itself (moto's ``moto_server`` with ARG..., see ``managed_policies_in_tested_partitions_only``).
"""

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

WRITE_PREFIXES = ("Create", "Update", "Put", "Delete", "Attach", "Detach", "Tag", "Untag", "Add", "Remove", "Set")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def moto_server_command():
    """moto's own server (moto.server.main, what the ``moto_server`` script runs), started through
    ``moto_server.py serve`` in this interpreter so that it loads the AWS managed policies in the
    ``TESTED_PARTITIONS`` only (``managed_policies_in_tested_partitions_only``)."""
    import importlib.util

    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        raise RuntimeError(f"moto_server is not installed for {sys.executable} (pip install 'moto[server]')")
    return [sys.executable, os.path.abspath(__file__), "serve"]


TESTED_PARTITIONS = ("aws", "aws-cn")  # test_ecs_infrastructure_role.py::test_cn_partition_builds_aws_cn_arns


def managed_policies_in_tested_partitions_only():
    """moto builds an IAM backend for each of its six partitions (aws, aws-cn, aws-us-gov...) for every
    account it serves, and again at every reset; with MOTO_IAM_LOAD_MANAGED_POLICIES each one holds
    all 1,582 AWS managed policies. That was most of the CPU of a reset, of a new account and of
    each unit test's mock_aws. The collection is tested in the ``aws`` partition and, for the ARNs it
    builds there, ``aws-cn`` (``TESTED_PARTITIONS``), so only their backends load them here: a test
    that reached another partition's managed policies would fail with NoSuchEntity, not pass."""
    from moto.iam.models import IAMBackend

    load = IAMBackend._init_aws_policies
    if getattr(load, "tested_partitions_only", False):
        return

    def init_aws_policies(self):
        return load(self) if self.region_name in TESTED_PARTITIONS else []

    init_aws_policies.tested_partitions_only = True
    IAMBackend._init_aws_policies = init_aws_policies


def serve(argv):
    """``moto_server.py serve ARG...``: moto's server with ARG... (its own options), AWS managed
    policies in ``TESTED_PARTITIONS`` only."""
    managed_policies_in_tested_partitions_only()
    from moto.server import main as moto_main

    moto_main(argv)
    return 0


class Call(tuple):
    """One recorded request: (service, action)."""

    __slots__ = ()

    def __new__(cls, service, action):
        return tuple.__new__(cls, (service, action))

    @property
    def service(self):
        return self[0]

    @property
    def action(self):
        return self[1]

    @property
    def is_write(self):
        return self.action.startswith(WRITE_PREFIXES)


class Recording:
    def __init__(self):
        self.calls = []

    @property
    def writes(self):
        return [c for c in self.calls if c.is_write]

    def actions(self, service=None):
        return [c.action for c in self.calls if service is None or c.service == service]

    def __len__(self):
        return len(self.calls)


def parse_call(entry):
    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    scope = headers.get("authorization", "").split("Credential=")[-1].split(",")[0].split("/")
    service = scope[3] if len(scope) > 3 else "?"
    target = headers.get("x-amz-target")
    if target:
        return Call(service, target.split(".")[-1])
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    form = urllib.parse.parse_qs(body)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(entry.get("url", "")).query)
    action = (form.get("Action") or query.get("Action") or ["?"])[0]
    return Call(service, action)


RESET_TIMEOUT = 120  # seconds to wait for /moto-api/reset's answer, per attempt
START_TIMEOUT = 180  # seconds for a new server to answer at all


class MotoServer:
    def __init__(self, port=None, extra_env=None):
        self.port = port or free_port()
        self.extra_env = dict(extra_env or {})
        self.process = None
        self._dir = tempfile.mkdtemp(prefix="moto-")
        self.log_path = os.path.join(self._dir, "server.log")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=START_TIMEOUT):
        env = dict(os.environ)
        env.update(
            MOTO_IAM_LOAD_MANAGED_POLICIES="true",
            # No catalogue of default AMIs: building it for each EC2 region backend (the usage scan
            # reads every enabled region) was most of the server's CPU. An instance's image is
            # registered where one is needed (tests/support/ecs_volumes.py).
            MOTO_EC2_LOAD_DEFAULT_AMIS="false",
            MOTO_RECORDER_FILEPATH=os.path.join(self._dir, "recording.jsonl"),
        )
        env.update(self.extra_env)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                moto_server_command() + ["-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("moto_server exited early:\n" + self.log())
            try:
                urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=10).read(1)
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto_server did not answer within {timeout}s")

    def detach(self, state_file):
        """Leave the server running after this process exits; record how to reach and stop it."""
        state = {"url": self.url, "pid": self.process.pid, "dir": self._dir, "env": self.env()}
        with open(state_file, "w") as f:
            json.dump(state, f)
        self.process = None
        return state

    @staticmethod
    def stop_detached(state_file):
        if not os.path.exists(state_file):
            return False
        with open(state_file) as f:
            state = json.load(f)
        try:
            os.killpg(state["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass
        shutil.rmtree(state.get("dir", ""), ignore_errors=True)
        os.remove(state_file)
        return True

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def env(self, region="us-east-1"):
        """Environment for boto3, amazon.aws modules and ansible-playbook."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "moto-secret",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }

    def client(self, service, region="us-east-1"):
        """A boto3 client for this server (boto3 is imported here: the command-line use needs none)."""
        import boto3

        env = self.env(region)
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=env["AWS_ENDPOINT_URL"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )

    def _post(self, path, timeout=30, attempts=1):
        """POST to the server's API, waiting up to ``timeout`` seconds for the answer, up to ``attempts``
        times when it does not come (only for idempotent calls: a reset is)."""
        self._call(urllib.request.Request(self.url + path, data=b"", method="POST"), timeout, attempts)

    def _get(self, path, timeout=30, attempts=1):
        """GET from the server's API (the body), with the same waiting and retrying as ``_post``."""
        return self._call(urllib.request.Request(self.url + path, method="GET"), timeout, attempts)

    def _call(self, request, timeout, attempts):
        for attempt in range(1, attempts + 1):
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return response.read()
            except OSError:  # a timeout, a refused or reset connection, an HTTP error
                if attempt == attempts or self.process is not None and self.process.poll() is not None:
                    raise
        return None

    def reset(self):
        """Forget every resource (the AWS managed policies come back). A reset rebuilds every backend and
        reloads some 1,300 AWS managed policies: on a loaded 2-core machine it has passed 30 s, so it
        waits up to two minutes for the answer and tries three times."""
        self._post("/moto-api/reset", timeout=RESET_TIMEOUT, attempts=3)

    @contextlib.contextmanager
    def recording(self):
        """Count the requests made inside the block: ``with server.recording() as rec: ...``."""
        rec = Recording()
        # Resetting, starting and stopping the recorder and reading it are idempotent: under load each
        # waits as long as a reset and is tried again, rather than failing the test after 30 s.
        self._post("/moto-api/recorder/reset-recording", timeout=RESET_TIMEOUT, attempts=3)
        self._post("/moto-api/recorder/start-recording", timeout=RESET_TIMEOUT, attempts=3)
        try:
            yield rec
        finally:
            self._post("/moto-api/recorder/stop-recording", timeout=RESET_TIMEOUT, attempts=3)
            raw = self._get("/moto-api/recorder/download-recording", timeout=RESET_TIMEOUT, attempts=3)
            for line in raw.decode("utf-8").splitlines():
                if line.strip():
                    rec.calls.append(parse_call(json.loads(line)))


def free_port_command():
    sys.stdout.write(f"{free_port()}\n")
    return 0


def main(argv):
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    if argv == ["free-port"]:
        return free_port_command()
    if len(argv) in (2, 3) and argv[0] == "start":
        state = MotoServer(port=int(argv[2]) if len(argv) == 3 else None).start().detach(argv[1])
        sys.stdout.write("moto_server started on {0} (pid {1})\n".format(state["url"], state["pid"]))
        return 0
    if len(argv) == 2 and argv[0] == "stop":
        stopped = MotoServer.stop_detached(argv[1])
        sys.stdout.write("moto_server stopped\n" if stopped else "no moto_server to stop\n")
        return 0
    if len(argv) < 3 or argv[0] != "run" or argv[1] != "--":
        sys.stderr.write("usage: moto_server.py run -- COMMAND [ARG...] | start STATE_FILE [PORT] | stop STATE_FILE\n")
        return 2
    server = MotoServer().start()
    sys.stdout.write(f"moto_server started on {server.url} (pid {server.process.pid})\n")
    sys.stdout.flush()
    try:
        env = dict(os.environ)
        env.update(server.env(os.environ.get("AWS_REGION", "us-east-1")))
        return subprocess.call(argv[2:], env=env)
    finally:
        server.stop()
        sys.stdout.write("moto_server stopped\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
