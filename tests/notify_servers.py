"""Local servers for the notification tests, speaking the providers' documented formats on loopback:

* ``SmtpInbox`` — a real SMTP server (aiosmtpd) that keeps what arrives;
* ``WeComServer`` — 企业微信's ``/cgi-bin/gettoken`` and ``/cgi-bin/message/send`` with their error codes
  (40013 wrong corp id, 40001 wrong secret, 42001 token expired, 40014 token invalid, 45009 rate limit per
  minute, 81013 no valid recipient, ``invaliduser`` for some);
* ``SmsGateway`` — the JSON gateway (Bearer key, templates, signature; 429 + Retry-After above a per-phone
  limit) and Alibaba Cloud's ``SendSms`` RPC (HMAC-SHA1 signature checked by this server's own
  implementation of the documented algorithm, ``isv.BUSINESS_LIMIT_CONTROL`` above the limit).

Each HTTP server is ``http.server`` in a thread; ``script`` queues answers to force (an error code once).
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import secrets
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class SmtpInbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        with socket.socket() as probe:  # aiosmtpd's start() connects to the port it was given: not 0
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd hook
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


class _Server:
    def __init__(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict, headers: dict | None = None):
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                with outer.lock:
                    self._answer(*outer.get(url.path, dict(urllib.parse.parse_qsl(url.query)), self.headers))

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    self._answer(
                        *outer.post(url.path, dict(urllib.parse.parse_qsl(url.query)), raw, self.headers)
                    )

        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.script: list = []
        self.requests: list[dict] = []

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def get(self, path, query, headers):
        return 404, {}

    def post(self, path, query, raw, headers):
        return 404, {}


class WeComServer(_Server):
    def __init__(self, *, corp_id: str, secret: str, agent_id: int, users: set[str], per_minute: int = 1000):
        super().__init__()
        self.corp_id, self.secret, self.agent_id, self.users = corp_id, secret, agent_id, users
        self.tokens: dict[str, str] = {}  # token → valid / expired
        self.token_requests = 0
        self.per_minute, self.sent_this_minute = per_minute, 0
        self.messages: list[dict] = []

    def expire_tokens(self):
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = "expired"

    def get(self, path, query, headers):
        if path != "/cgi-bin/gettoken":
            return 404, {}
        self.token_requests += 1
        if query.get("corpid") != self.corp_id:
            return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
        if query.get("corpsecret") != self.secret:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        token = secrets.token_urlsafe(32)
        self.tokens[token] = "valid"
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def post(self, path, query, raw, headers):
        if path != "/cgi-bin/message/send":
            return 404, {}
        body = json.loads(raw)
        self.requests.append(body)
        state = self.tokens.get(query.get("access_token", ""))
        if state is None:
            return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
        if state == "expired":
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if self.script:
            return 200, self.script.pop(0)
        if self.sent_this_minute >= self.per_minute:
            return 200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
        if body.get("agentid") != self.agent_id:
            return 200, {
                "errcode": 301002,
                "errmsg": "not allow operate another agent with this accesstoken.",
            }
        if body.get("msgtype") != "text" or not body.get("text", {}).get("content"):
            return 200, {"errcode": 44004, "errmsg": "empty content"}
        if len(body["text"]["content"].encode()) > 2048:
            return 200, {"errcode": 45002, "errmsg": "content size out of limit"}
        wanted = body.get("touser", "").split("|")
        valid = [user for user in wanted if user in self.users]
        invalid = [user for user in wanted if user not in self.users]
        if not valid:
            return 200, {"errcode": 81013, "errmsg": "user & party & tag all invalid"}
        self.sent_this_minute += 1
        self.messages.append(body)
        return 200, {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "msgid": secrets.token_hex(8),
        }


def _percent(value: str) -> str:
    # RFC 3986 unreserved characters stay; everything else %XX with upper-case hex (Alibaba Cloud's rule).
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        out.append(char if char.isalnum() and byte < 128 or char in "-_.~" else f"%{byte:02X}")
    return "".join(out)


class SmsGateway(_Server):
    def __init__(
        self,
        *,
        key: str,
        templates: set[str],
        signature: str,
        per_phone: int = 100,
        key_id: str = "",
        retry_after: int = 120,
    ):
        super().__init__()
        self.key, self.key_id, self.templates, self.signature = key, key_id, templates, signature
        self.per_phone, self.retry_after = per_phone, retry_after
        self.counts: dict[str, int] = {}
        self.sent: list[dict] = []

    def _limit(self, phone: str) -> bool:
        self.counts[phone] = self.counts.get(phone, 0) + 1
        return self.counts[phone] > self.per_phone

    # the JSON gateway
    def post(self, path, query, raw, headers):
        if path != "/sms/send":
            return 404, {"code": 404, "message": "no such path"}
        if headers.get("Authorization") != f"Bearer {self.key}":
            return 401, {"code": 401, "message": "bad key"}
        body = json.loads(raw)
        self.requests.append(body)
        if self.script:
            status, answer = self.script.pop(0)
            return status, answer
        if body.get("template_id") not in self.templates:
            return 200, {"code": 40401, "message": "template not found"}
        if body.get("sign_name") != self.signature:
            return 200, {"code": 40402, "message": "signature not approved"}
        if not str(body.get("phone", "")).isdigit() or len(body["phone"]) != 11:
            return 200, {"code": 40003, "message": "invalid phone"}
        if self._limit(body["phone"]):
            return (
                429,
                {"code": 429, "message": "too many messages to this phone"},
                {"Retry-After": str(self.retry_after)},
            )
        self.sent.append(body)
        return 200, {"code": 0, "message": "ok", "message_id": secrets.token_hex(8)}

    # Alibaba Cloud SendSms (RPC, signature version 1.0)
    def get(self, path, query, headers):
        if path != "/aliyun":
            return 404, {}
        params = dict(query)
        self.requests.append(params)
        signature = params.pop("Signature", "")
        canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
        to_sign = "GET&%2F&" + _percent(canonical)
        expected = base64.b64encode(
            hmac.new(f"{self.key}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        request_id = secrets.token_hex(8)
        if params.get("AccessKeyId") != self.key_id:
            return 404, {
                "Code": "InvalidAccessKeyId.NotFound",
                "Message": "Specified access key is not found.",
                "RequestId": request_id,
            }
        if signature != expected:
            return 400, {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched",
                "RequestId": request_id,
            }
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return 400, {"Code": "InvalidAction", "Message": "bad action", "RequestId": request_id}
        if self.script:
            return self.script.pop(0)
        if params.get("TemplateCode") not in self.templates:
            return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "template", "RequestId": request_id}
        if params.get("SignName") != self.signature:
            return 200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "signature", "RequestId": request_id}
        phone = params.get("PhoneNumbers", "")
        if not phone.isdigit() or len(phone) != 11:
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "phone", "RequestId": request_id}
        if self._limit(phone):
            return 200, {
                "Code": "isv.BUSINESS_LIMIT_CONTROL",
                "Message": "触发分钟级流控Permits:1",
                "RequestId": request_id,
            }
        json.loads(params.get("TemplateParam", "{}"))
        self.sent.append(params)
        return 200, {"Code": "OK", "Message": "OK", "BizId": secrets.token_hex(8), "RequestId": request_id}
