# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several scenarios in ONE ansible-playbook run, each task's API calls told apart in moto's recorder.

Starting ansible-playbook costs seconds of CPU; a module task, well under one. So tests that need
several independent runs (one per role name, one per step) write them as the named tasks of one play
and run that once (``KeyedRunner.run``). Each task runs with an access key of its own
(``AWS_ACCESS_KEY_ID`` in the task's ``environment``; the moto_server of the tests does not enforce
IAM, so any key is accepted), and moto's recorder names the key of each request: the calls of each
task come back separately, as ``Call`` (service, action) tuples, in order.
"""

import json
import urllib.request

import playbook
from moto_server import parse_call

KEY_PREFIX = "AKIDTASK"


def _key(index):
    return f"{KEY_PREFIX}{index:04d}"


def _post(server, path):
    request = urllib.request.Request(server.url + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def request_key(entry):
    """The access key that signed a recorded request (``None`` when unsigned)."""
    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    authorization = headers.get("authorization", "")
    if "Credential=" not in authorization:
        return None
    return authorization.split("Credential=")[-1].split("/")[0]


class KeyedRun:
    """What one run did: ``results[name]`` (each task's result, ``failed`` set when it failed) and
    ``calls[name]`` (its requests, when the run was recorded)."""

    def __init__(self, done, results, calls):
        self.done = done
        self.results = results
        self.calls = calls

    def writes(self, *names):
        """The write calls (``Call.is_write``) of the tasks ``names`` (every task when none is named)."""
        names = names or tuple(self.calls)
        return [call for name in names for call in self.calls.get(name, []) if call.is_write]

    def actions(self, name):
        return [call.action for call in self.calls.get(name, [])]


class KeyedRunner:
    """Named tasks in one play on localhost, each with its own access key; failures do not stop the play."""

    def __init__(self, server, tmp_path, region="us-east-1"):
        self.server = server
        self.tmp_path = tmp_path
        self.region = region
        self.count = 0

    def run(self, tasks, record=False):
        """``tasks``: dicts of module args with ``_name`` (unique) and optional ``_module`` (default: the
        role module), ``_check``, ``_diff``, ``_env`` (more environment for that task). Returns a
        ``KeyedRun``; with ``record=True`` its ``calls`` hold each task's requests."""
        self.count += 1
        entries, keys = [], {}
        for index, task in enumerate(tasks):
            args = dict(task)
            name = args.pop("_name")
            assert name not in keys.values(), f"two tasks named {name!r}"
            module = args.pop("_module", playbook.MODULE)
            environment = {"AWS_ACCESS_KEY_ID": _key(index)}
            environment.update(args.pop("_env", {}))
            keys[environment["AWS_ACCESS_KEY_ID"]] = name
            entries.append(
                {
                    "name": name,
                    module: args,
                    "register": f"keyed_{index}",
                    "ignore_errors": True,
                    "check_mode": bool(args.pop("_check", False)),
                    "diff": bool(args.pop("_diff", False)),
                    "environment": environment,
                }
            )
        path = playbook.write_playbook(self.tmp_path / f"keyed-{self.count}.yml", [playbook.play(entries)])
        env = playbook.ansible_env(self.server, self.region)
        if record:
            _post(self.server, "/moto-api/recorder/reset-recording")
            _post(self.server, "/moto-api/recorder/start-recording")
        try:
            done = playbook.run(path, env, results=True)
        finally:
            if record:
                _post(self.server, "/moto-api/recorder/stop-recording")
        if done.document is None:
            raise AssertionError("ansible-playbook failed:\n" + done.output)
        results = done.task_results()
        missing = [name for name in keys.values() if name not in results]
        assert not missing, f"tasks that did not run: {missing}\n{done.describe()}"
        calls = {name: [] for name in keys.values()}
        if record:
            url = self.server.url + "/moto-api/recorder/download-recording"
            with urllib.request.urlopen(url, timeout=60) as response:
                raw = response.read()
            for line in raw.decode("utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    name = keys.get(request_key(entry))
                    if name is not None:
                        calls[name].append(parse_call(entry))
        return KeyedRun(done, results, calls)
