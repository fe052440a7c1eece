# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A proxy in front of a moto_server that makes one region unreadable for one account, as AWS does
for a region the account has not enabled (opt-in regions): ECS and EC2 requests signed for that
region with credentials of that account get ``UnrecognizedClientException`` / ``AuthFailure``.

moto answers every region of every account; the audit's report needs a region it could not scan.
The proxy learns which temporary credentials belong to the account from the STS ``AssumeRole``
calls that pass through it (the request names the role ARN, the response holds the access key).
With ``denied_accounts``, an ``AssumeRole`` into a role of those accounts is refused with
``AccessDenied``, as STS answers when the role's trust policy does not admit the caller (moto would
let anyone in). Everything else is forwarded unchanged. Used by tests/support/screenshot.py.

    outage = RegionOutage(server.url, "ap-southeast-2", account_id, denied_accounts=["999999999999"]).start()
    env["AWS_ENDPOINT_URL"] = outage.url
"""

import http.client
import http.server
import re
import threading
import urllib.parse

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_ECS_ERROR = (
    '{"__type": "UnrecognizedClientException", "message": "The security token included in the request is invalid."}'
)
_EC2_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>AuthFailure</Code>'
    "<Message>AWS was not able to validate the provided access credentials</Message></Error></Errors>"
    "<RequestID>region-outage</RequestID></Response>"
)
_STS_DENIED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>AccessDenied</Code><Message>User: {caller} is not authorized to perform: sts:AssumeRole on resource: "
    "{role}</Message></Error><RequestId>region-outage</RequestId></ErrorResponse>"
)


class RegionOutage:
    def __init__(self, upstream, region, account_id, denied_accounts=()):
        parsed = urllib.parse.urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.region = region
        self.account_id = account_id
        self.denied_accounts = set(denied_accounts)
        self.keys = set()  # access keys of the account's temporary credentials
        self.refused = 0
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _relay(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                scope = _SCOPE.search(self.headers.get("Authorization") or "")
                key, region, service = scope.groups() if scope else (None, None, None)
                with proxy._lock:
                    refuse = region == proxy.region and service in ("ecs", "ec2") and key in proxy.keys
                    if refuse:
                        proxy.refused += 1
                if refuse:
                    self._reply(
                        400,
                        *(("application/x-amz-json-1.1", _ECS_ERROR) if service == "ecs" else ("text/xml", _EC2_ERROR)),
                    )
                    return
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if service == "sts" else {}
                role_arn = (form.get("RoleArn") or [""])[0]
                if role_arn.split(":")[4:5] and role_arn.split(":")[4] in proxy.denied_accounts:
                    caller = "arn:aws:iam::123456789012:user/moto"  # who moto says the test credentials are
                    self._reply(403, "text/xml", _STS_DENIED.format(caller=caller, role=role_arn))
                    return
                status, headers, data = self._forward(body)
                if status == 200 and role_arn.split(":")[4:5] == [proxy.account_id]:
                    access_key = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", data)
                    if access_key:
                        with proxy._lock:
                            proxy.keys.add(access_key.group(1).decode("ascii"))
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _forward(self, body):
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                result = (response.status, response.getheaders(), response.read())
                connection.close()
                return result

            def _reply(self, status, content_type, payload):
                data = payload.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        return Handler
