# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""moto_server.py's calls to the server's API under load: an answer that does not come in time is asked
for again (idempotent calls only), and the last failure is raised. A real HTTP server on 127.0.0.1 stands
in for a loaded moto_server: it keeps the first requests waiting longer than the client's timeout."""

import http.server
import os
import socket
import sys
import threading

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))

import moto_server  # noqa: E402


class SlowFirst(http.server.BaseHTTPRequestHandler):
    """Answers ``ok``, but the first ``slow`` requests only after ``delay`` seconds."""

    slow = 0
    delay = 0.0
    seen = []
    release = threading.Event()

    def _answer(self):
        type(self).seen.append((self.command, self.path))
        if len(type(self).seen) <= type(self).slow:
            type(self).release.wait(self.delay)
        body = b"" if self.path.endswith("/download-recording") else b"ok"  # an empty recording
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up on this one
            pass

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    SlowFirst.seen = []
    SlowFirst.release = threading.Event()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowFirst)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server = moto_server.MotoServer(port=httpd.server_address[1])
    yield server
    SlowFirst.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_a_late_answer_is_asked_for_again(slow_server):
    SlowFirst.slow, SlowFirst.delay = 2, 30
    slow_server._post("/moto-api/reset", timeout=0.5, attempts=3)
    assert SlowFirst.seen == [("POST", "/moto-api/reset")] * 3
    assert slow_server._get("/moto-api/recorder/reset-recording", timeout=0.5, attempts=3) == b"ok"


def test_without_attempts_left_the_timeout_is_raised(slow_server):
    SlowFirst.slow, SlowFirst.delay = 5, 30
    with pytest.raises((socket.timeout, TimeoutError, OSError)):
        slow_server._post("/moto-api/reset", timeout=0.5, attempts=2)
    assert SlowFirst.seen == [("POST", "/moto-api/reset")] * 2


def test_reset_and_the_recorder_retry_a_late_answer(slow_server, monkeypatch):
    # Each waits RESET_TIMEOUT (minutes in the suite; half a second here) and tries three times.
    monkeypatch.setattr(moto_server, "RESET_TIMEOUT", 0.5)
    SlowFirst.slow, SlowFirst.delay = 1, 30
    slow_server.reset()
    assert SlowFirst.seen == [("POST", "/moto-api/reset")] * 2
    SlowFirst.seen = []  # the first recorder call is the slow one now
    with slow_server.recording() as rec:
        pass
    assert rec.calls == []
    recorder = "/moto-api/recorder/"
    assert SlowFirst.seen == [
        ("POST", recorder + "reset-recording"),
        ("POST", recorder + "reset-recording"),
        ("POST", recorder + "start-recording"),
        ("POST", recorder + "stop-recording"),
        ("GET", recorder + "download-recording"),
    ]
