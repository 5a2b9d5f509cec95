"""SMS through an HTTP gateway: ``SMS_GATEWAY_URL``, the template ids (``SMS_TEMPLATE_DIGEST``), the signature
(``SMS_SIGNATURE``) and the provider's adapter (``SMS_PROVIDER``), one adapter per provider:

* ``json`` — the plain gateway campus messaging platforms expose: ``POST`` a JSON body ``{"phone",
  "template_id", "sign_name", "params": {...}}`` with ``Authorization: Bearer <SMS_ACCESS_KEY_SECRET>``; the
  answer ``{"code": 0, "message_id": …}``; HTTP 429 or code 429 is a rate limit (its ``Retry-After`` honoured),
  5xx a busy gateway, any other non-zero code a refusal.
* ``aliyun`` — Alibaba Cloud's ``SendSms`` RPC API (version 2017-05-25) signed with HMAC-SHA1 (signature
  version 1.0) by ``SMS_ACCESS_KEY_ID`` / ``SMS_ACCESS_KEY_SECRET``; ``Code`` ``OK`` is sent,
  ``isv.BUSINESS_LIMIT_CONTROL`` and ``Throttling.*`` are rate limits, ``isp.*`` / ``ServiceUnavailable``
  are tried again, every other code (``isv.MOBILE_NUMBER_ILLEGAL`` …) is a refusal.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

from django.conf import settings

from notifications.channels import Message, Permanent, Transient


def _params(message: Message) -> dict[str, str]:
    return {"name": message.name[:20], "count": str(message.item_count)}


def _retry_after(headers) -> int | None:
    value = headers.get("Retry-After") if headers else None
    return int(value) if value and value.isdigit() else None


def _open(request: urllib.request.Request) -> tuple[int, dict, object]:
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as response:
            return response.status, json.loads(response.read().decode("utf-8") or "{}"), response.headers
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read().decode("utf-8") or "{}")
        except ValueError:
            answer = {}
        return exc.code, answer, exc.headers
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Transient(f"SMS gateway: {exc.__class__.__name__}: {exc}"[:300]) from exc


def send_json(phone: str, message: Message) -> str:
    body = {
        "phone": phone,
        "template_id": settings.SMS_TEMPLATE_DIGEST,
        "sign_name": settings.SMS_SIGNATURE,
        "params": _params(message),
    }
    request = urllib.request.Request(
        settings.SMS_GATEWAY_URL,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {settings.SMS_ACCESS_KEY_SECRET}",
        },
    )
    status, answer, headers = _open(request)
    code = answer.get("code", status if status >= 400 else 0)
    detail = f"SMS gateway HTTP {status} code {code}: {answer.get('message', '')}"[:300]
    if status == 429 or code == 429:
        raise Transient(detail, retry_after=_retry_after(headers))
    if status >= 500:
        raise Transient(detail)
    if status >= 400 or code != 0:
        raise Permanent(detail)
    return str(answer.get("message_id", ""))


def _percent(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Alibaba Cloud's RPC signature (version 1.0): HMAC-SHA1 over the sorted, percent-encoded query."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def send_aliyun(phone: str, message: Message) -> str:
    params = {
        "AccessKeyId": settings.SMS_ACCESS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": "cn-hangzhou",
        "SignName": settings.SMS_SIGNATURE,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": settings.SMS_TEMPLATE_DIGEST,
        "TemplateParam": json.dumps(_params(message), ensure_ascii=False),
        "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    params["Signature"] = aliyun_signature(params, settings.SMS_ACCESS_KEY_SECRET)
    status, answer, headers = _open(
        urllib.request.Request(f"{settings.SMS_GATEWAY_URL}?{urllib.parse.urlencode(params)}")
    )
    code = str(answer.get("Code", f"HTTP {status}"))
    detail = f"Aliyun SMS {code}: {answer.get('Message', '')}"[:300]
    if code == "OK":
        return str(answer.get("BizId", ""))
    if code == "isv.BUSINESS_LIMIT_CONTROL" or code.startswith("Throttling"):
        raise Transient(detail, retry_after=_retry_after(headers))
    if code.startswith("isp.") or code == "ServiceUnavailable" or status >= 500:
        raise Transient(detail)
    raise Permanent(detail)


ADAPTERS: dict[str, Callable[[str, Message], str]] = {"json": send_json, "aliyun": send_aliyun}


def send(address: str, message: Message) -> str:
    adapter = ADAPTERS.get(settings.SMS_PROVIDER)
    if adapter is None:
        raise Permanent(f"unknown SMS_PROVIDER {settings.SMS_PROVIDER!r}; use one of {sorted(ADAPTERS)}")
    return adapter(address, message)
