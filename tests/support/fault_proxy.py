# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fault-injecting HTTP proxy in front of a moto_server, for tests.

Point boto3 (AWS_ENDPOINT_URL) at ``FaultProxy(upstream).url``. Every request is forwarded to
moto unless a rule injects an AWS-shaped failure instead:

- ``throttle``: a fraction of requests get HTTP 400 ``Throttling`` (IAM's error XML);
- ``server_error``: a fraction get HTTP 500 ``InternalFailure`` or 503 ``ServiceUnavailable``;
- ``drop``: a fraction have their connection closed before any response (nothing forwarded);
- ``consistency_window``: for that many seconds after a ``CreateRole``, requests naming that
  role get ``NoSuchEntity`` (IAM's eventual consistency) -- the CreateRole itself goes through;
- ``pause_on``: ``(action, n)``: the n-th request for that action blocks until ``release()``,
  after ``paused`` is set, and is then dropped unanswered (never forwarded): a test kills the
  client while it waits, which cuts a run off between two writes.

Faults are drawn from a seeded ``random.Random``, so a run is repeatable; ``counts`` tallies
what was injected, by kind. Only writes and reads the modules make are affected; the moto
control API (``/moto-api/``) is always forwarded.
"""

import collections
import http.client
import http.server
import random
import threading
import time
import urllib.parse

_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
    "<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    "<RequestId>fault-proxy-{rid}</RequestId></ErrorResponse>"
)
_JSON_ERRORS = {"Throttling": "ThrottlingException", "InternalFailure": "ServerException"}


def _action(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1], {}
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return (form.get("Action") or ["?"])[0], {k: v[0] for k, v in form.items()}


class FaultProxy:
    def __init__(
        self,
        upstream,
        seed=1,
        throttle=0.0,
        server_error=0.0,
        drop=0.0,
        consistency_window=0.0,
        pause_on=None,
        spare=("GetCallerIdentity",),
    ):
        parsed = urllib.parse.urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.random = random.Random(seed)
        self.throttle = throttle
        self.server_error = server_error
        self.drop = drop
        self.consistency_window = consistency_window
        self.pause_on = pause_on
        self.spare = set(spare)
        self.counts = collections.Counter()
        self.forwarded = collections.Counter()
        self.paused = threading.Event()
        self._release = threading.Event()
        self._seen = collections.Counter()
        self._created = {}
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def injected(self):
        return sum(self.counts.values())

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def release(self):
        self._release.set()

    # ------------------------------------------------------------------ decisions

    def decide(self, action, params):
        """The fault to inject for one request, or None to forward it."""
        with self._lock:
            self._seen[action] += 1
            if self.pause_on and self.pause_on == (action, self._seen[action]):
                return "pause"
            role = params.get("RoleName")
            created = self._created.get(role)
            if created is not None and action != "CreateRole" and time.monotonic() - created < self.consistency_window:
                return "no_such_entity"
            if action in self.spare:
                return None
            draw = self.random.random()
            if draw < self.throttle:
                return "throttle"
            draw -= self.throttle
            if draw < self.server_error:
                return self.random.choice(["error_500", "error_503"])
            draw -= self.server_error
            if draw < self.drop:
                return "drop"
            return None

    def note_forwarded(self, action, params, status):
        with self._lock:
            self.forwarded[action] += 1
            if action == "CreateRole" and status == 200 and self.consistency_window:
                self._created[params.get("RoleName")] = time.monotonic()

    # ------------------------------------------------------------------ HTTP

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _relay(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                action, params = _action(self.headers, body)
                fault = None if self.path.startswith("/moto-api/") else proxy.decide(action, params)
                if fault == "pause":
                    proxy.paused.set()
                    proxy._release.wait(120)
                    fault = "drop"
                if fault is not None and fault != "pause":
                    with proxy._lock:
                        proxy.counts[fault] += 1
                if fault == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault is not None:
                    self._error(fault)
                    return
                self._forward(action, params, body)

            def _error(self, fault):
                json_protocol = bool(self.headers.get("X-Amz-Target"))
                status, code, message, kind = {
                    "throttle": (400, "Throttling", "Rate exceeded", "Sender"),
                    "error_500": (500, "InternalFailure", "Injected internal failure", "Receiver"),
                    "error_503": (503, "ServiceUnavailable", "Injected unavailability", "Receiver"),
                    "no_such_entity": (404, "NoSuchEntity", "The role cannot be found (not yet propagated).", "Sender"),
                }[fault]
                if json_protocol:
                    payload = f'{{"__type": "{_JSON_ERRORS.get(code, code)}", "message": "{message}"}}'
                    content_type = "application/x-amz-json-1.1"
                else:
                    payload = _XML.format(kind=kind, code=code, message=message, rid=proxy.injected)
                    content_type = "text/xml"
                data = payload.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _forward(self, action, params, body):
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                proxy.note_forwarded(action, params, response.status)
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        return Handler


def wait_for_pause(fault_proxy, process):
    """Waits, with no time limit, until ``fault_proxy`` holds its paused request or ``process`` (the run
    that should reach it) has ended; returns whether the request was reached. A loaded machine makes the
    run slower, never the test fail."""
    while not fault_proxy.paused.wait(1):
        if process.poll() is not None:
            return fault_proxy.paused.is_set()
    return True
