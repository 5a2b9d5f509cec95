"""企业微信 application messages, by the documented server API:

* ``GET {base}/cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`` → ``{"errcode": 0, "access_token": …,
  "expires_in": 7200}``; the token is cached (shared by every worker through the cache) until shortly before
  it expires;
* ``POST {base}/cgi-bin/message/send?access_token=TOKEN`` with ``{"touser", "msgtype": "text", "agentid",
  "text": {"content"}}`` → ``{"errcode": 0, "msgid": …, "invaliduser": …}``.

Error codes: 42001 (token expired), 40014 / 40082 (token invalid) fetch a new token and send once more; 45009
(API rate limit), 45033 (too many concurrent calls) and -1 (system busy) are tried again later; an
``invaliduser`` answer or 81013 (no valid recipient) and configuration errors (40001 wrong secret, 40013 wrong
corp id, 301002 wrong agent) are permanent.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

from notifications.channels import Message, Permanent, Transient

TOKEN_AGAIN = {42001, 40014, 40082}
LATER = {-1, 45009, 45033}
CONTENT_BYTES = 2048  # the documented limit of a text message


def _cache_key() -> str:
    return f"notifications:wecom-token:{settings.WECOM_CORP_ID}:{settings.WECOM_AGENT_ID}"


def _call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method="POST" if data is not None else "GET",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise Transient(f"WeCom HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Transient(f"WeCom: {exc.__class__.__name__}: {exc}"[:300]) from exc


def _raise_for(answer: dict, what: str) -> None:
    code = answer.get("errcode", 0)
    if code == 0:
        return
    detail = f"WeCom {what} errcode {code}: {answer.get('errmsg', '')}"[:300]
    if code in LATER:
        raise Transient(detail)
    raise Permanent(detail)


def access_token(*, fresh: bool = False) -> str:
    key = _cache_key()
    if not fresh:
        token = cache.get(key)
        if token:
            return token
    query = urllib.parse.urlencode({"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET})
    answer = _call(f"{settings.WECOM_API_BASE}/cgi-bin/gettoken?{query}")
    _raise_for(answer, "gettoken")
    token = answer["access_token"]
    cache.set(key, token, max(60, int(answer.get("expires_in", 7200)) - 300))
    return token


def _content(message: Message) -> str:
    text = f"{message.subject}\n{message.body}"
    encoded = text.encode("utf-8")
    if len(encoded) <= CONTENT_BYTES:
        return text
    return encoded[: CONTENT_BYTES - 3].decode("utf-8", errors="ignore") + "…"


def send(address: str, message: Message) -> str:
    body = {
        "touser": address,
        "msgtype": "text",
        "agentid": int(settings.WECOM_AGENT_ID),
        "text": {"content": _content(message)},
        "safe": 0,
    }
    token = access_token()
    answer = _call(
        f"{settings.WECOM_API_BASE}/cgi-bin/message/send?access_token={urllib.parse.quote(token)}", body
    )
    if answer.get("errcode") in TOKEN_AGAIN:
        token = access_token(fresh=True)
        answer = _call(
            f"{settings.WECOM_API_BASE}/cgi-bin/message/send?access_token={urllib.parse.quote(token)}", body
        )
    _raise_for(answer, "message/send")
    if answer.get("invaliduser"):
        raise Permanent(f"WeCom: not a member of the corp: {answer['invaliduser']}"[:300])
    return str(answer.get("msgid", ""))
