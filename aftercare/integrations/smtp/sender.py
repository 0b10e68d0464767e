"""EmailSender over Django's email backend, one reused connection per thread.

Sending a message per connection costs a TCP and SMTP handshake each; a worker delivering a
stream of notifications keeps one open and reopens it when the server dropped it.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from aftercare.core.errors import ExternalServiceError
from aftercare.notifications.providers import OutgoingEmail, Sent

_local = threading.local()


def message_id(reference: str) -> str:
    # Stable across retries: a mail system that sees the same Message-ID twice keeps one.
    safe = "".join(ch if ch.isalnum() or ch in "-." else "." for ch in reference)
    return f"<{safe}@aftercare.notifications>"


class SmtpEmailSender:
    name = "smtp"

    def __init__(self, connection: Any = None) -> None:
        self._connection = connection

    def _open(self) -> Any:
        if self._connection is not None:
            return self._connection
        # Keyed by the settings it was opened with: a changed EMAIL_HOST gets a new one.
        key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
        connection = getattr(_local, "connection", None)
        if connection is None or getattr(_local, "key", None) != key:
            self._drop()
            connection = get_connection(fail_silently=False)
            connection.open()
            _local.connection, _local.key = connection, key
        return connection

    def _drop(self) -> None:
        connection = getattr(_local, "connection", None)
        _local.connection = None
        if connection is not None:
            # Closing a broken connection may fail too; it is gone anyway.
            with contextlib.suppress(Exception):
                connection.close()

    def send_email(self, message: OutgoingEmail) -> Sent:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=message.from_address or settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id(message.reference)},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            self._send(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise ExternalServiceError(
                f"SMTP refused the recipient: {error}", permanent=True
            ) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            text = (
                error.smtp_error.decode(errors="replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error)
            )
            raise ExternalServiceError(
                f"SMTP {error.smtp_code}: {text}", permanent=permanent
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise ExternalServiceError(f"SMTP failed: {error}", permanent=False) from None
        return Sent(provider=self.name, reference=message_id(message.reference))

    def _send(self, email: EmailMultiAlternatives) -> None:
        for attempt in (1, 2):
            connection = self._open()
            email.connection = connection
            try:
                email.send()
                return
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # A kept connection the server closed while idle: one fresh try.
                self._drop()
                if attempt == 2 or self._connection is not None:
                    raise
