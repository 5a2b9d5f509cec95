"""E-mail through Django's SMTP backend (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD(_FILE),
EMAIL_USE_TLS / EMAIL_USE_SSL, DEFAULT_FROM_EMAIL)."""

from __future__ import annotations

import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.channels import Message, Permanent, Transient


def send(address: str, message: Message) -> str:
    # Always SMTP, whatever EMAIL_BACKEND says: the console backend would print on the console of `make run`.
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend", fail_silently=False)
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
    )
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise Permanent(f"SMTP refused the recipient: {exc.recipients}"[:300]) from exc
    except smtplib.SMTPResponseException as exc:
        # 4xx: try later (greylisting, a full queue); 5xx: refused.
        detail = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300]
        if 400 <= exc.smtp_code < 500:
            raise Transient(detail) from exc
        raise Permanent(detail) from exc
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        raise Transient(f"SMTP: {exc.__class__.__name__}: {exc}"[:300]) from exc
    return mail.extra_headers.get("Message-ID", "") or ""
