"""Email in (the MTA pipe and the raw-MIME endpoint) and out (real SMTP, threading headers)."""

from __future__ import annotations

import email
import io
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings

from aftercare.conversations import actions
from aftercare.conversations.email_in import MAX_EMAIL_BYTES, strip_quoted
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import DeliveryState, Direction
from aftercare.conversations.tests.factories import MAILBOX, addresses, buyer
from aftercare.core.outbox import deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def mime(
    *,
    sender: str = "Li Lei <lilei@example.com>",
    to: str = MAILBOX,
    subject: str = "Where is my parcel?",
    body: str = "Hello, my parcel has not arrived.",
    message_id: str = "<m1@example.com>",
    extra: str = "",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def mail_in(raw: bytes, *args: str) -> tuple[int, str, str]:
    stdin, out, err = sys.stdin, io.StringIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
    try:
        call_command("mail_in", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    finally:
        sys.stdin = stdin
    return code, out.getvalue(), err.getvalue()


def test_mail_in_stores_the_new_text_and_keeps_the_original(merchant, store):
    addresses(merchant)
    known = buyer(merchant, store, email="lilei@example.com")
    body = (
        f"My order {known.order.external_id} arrived broken.\n\n-- \nLi Lei\n"
        "On Mon, 1 Jan 2026, Shop <support@shop.example> wrote:\n> earlier text"
    )

    code, out, _ = mail_in(mime(body=body))

    assert code == 0, out
    message = Message.objects.get()
    assert message.body == f"My order {known.order.external_id} arrived broken."
    assert "earlier text" in message.original
    assert message.external_id == "<m1@example.com>"
    assert message.conversation.customer == known.customer
    assert message.conversation.our_address == MAILBOX
    assert message.conversation.links.filter(order=known.order).exists()


def test_a_reply_threads_by_its_headers_and_a_new_mail_by_the_rma_in_its_subject(merchant):
    addresses(merchant)
    mail_in(mime())
    mail_in(
        mime(
            message_id="<m2@example.com>",
            subject="Re: Where is my parcel?",
            extra="In-Reply-To: <m1@example.com>\r\nReferences: <m1@example.com>\r\n",
        )
    )

    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2


def test_mail_in_refuses_an_unknown_mailbox_with_a_sentence_and_stores_nothing(merchant):
    addresses(merchant)

    code, _, err = mail_in(mime(to="nobody@else.example"))

    assert code == 67
    assert "No merchant receives email at nobody@else.example" in err
    assert not Message.objects.exists()


def test_mail_in_refuses_malformed_mime_and_logs_why(merchant, caplog):
    addresses(merchant)
    broken = (
        b"From: a@example.com\r\nTo: support@shop.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="zzz"\r\n\r\nno boundary ever starts\r\n'
    )

    code, _, err = mail_in(broken)

    assert code == 65
    assert "MIME structure is broken" in err
    assert "inbound email refused" in caplog.text
    assert "malformed_email" in caplog.text
    assert not Message.objects.exists()


def test_mail_in_refuses_mail_without_a_sender(merchant):
    addresses(merchant)

    code, _, err = mail_in(b"To: support@shop.example\r\nSubject: x\r\n\r\nhi\r\n")

    assert code == 65
    assert "no From address" in err


def test_the_api_takes_raw_mime_and_refuses_oversized_mail_as_problem_json(merchant, api):
    addresses(merchant)
    ok = api.client.post(
        "/api/v1/conversations/email/inbound",
        data=mime(),
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    again = api.post("/api/v1/conversations/email/inbound", {"raw": mime().decode()})
    huge = api.client.post(
        "/api/v1/conversations/email/inbound",
        data=mime(body="x" * (MAX_EMAIL_BYTES + 10)),
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )

    assert ok.status_code == 201, ok.content
    assert again.status_code == 200 and again.json()["created"] is False
    assert huge.status_code == 413
    assert huge["Content-Type"] == "application/problem+json"
    assert huge.json()["code"] == "email_too_large"
    assert Message.objects.count() == 1


def test_quotes_in_chinese_clients_are_stripped():
    text = "已经收到，谢谢\n\n在 2026年1月1日 周一 10:00，客服 <s@x.com> 写道：\n> 您好"

    assert strip_quoted(text) == "已经收到，谢谢"


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def test_an_agent_reply_is_sent_after_commit_with_the_threads_headers(merchant, agent_actor):
    addresses(merchant)
    mail_in(mime())
    conversation = Conversation.objects.get()

    with (
        smtp() as (sink, port),
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
    ):
        reply = actions.reply(actor=agent_actor, conversation=conversation, body="On its way!")
        outbox = OutboxMessage.objects.get(topic="conversations.email.send")
        deliver_outbox_message(outbox.pk, worker_id="test")
        deliver_outbox_message(outbox.pk, worker_id="test")  # a second run sends nothing

    assert len(sink.messages) == 1
    sent = sink.messages[0]
    assert sent["In-Reply-To"] == "<m1@example.com>"
    assert "<m1@example.com>" in sent["References"]
    assert sent["Message-ID"] == Message.objects.get(pk=reply.pk).external_id
    assert sent["Subject"] == "Re: Where is my parcel?"
    assert sent["From"] == MAILBOX
    reply.refresh_from_db()
    assert reply.direction == Direction.OUTBOUND
    assert reply.delivery_state == DeliveryState.SENT


def test_a_reply_that_rolls_back_sends_nothing(merchant, agent_actor):
    from django.db import transaction

    addresses(merchant)
    mail_in(mime())
    conversation = Conversation.objects.get()

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.reply(actor=agent_actor, conversation=conversation, body="never")
        raise RuntimeError("rolled back")

    assert not OutboxMessage.objects.exists()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_new_mail_naming_the_rma_in_its_subject_joins_that_cases_thread(merchant, store):
    from aftercare.conversations.tests.factories import open_case

    addresses(merchant)
    known = buyer(merchant, store, email="lilei@example.com")
    case = open_case(merchant, known)
    mail_in(mime(subject=f"About {case.number}", body=f"Question about {case.number}"))

    mail_in(
        mime(
            sender="Li Lei <lilei@other-mail.example>",
            message_id="<m9@example.com>",
            subject=f"{case.number} again",
            body="Any news?",
        )
    )

    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 2
    assert conversation.links.filter(case=case).exists()
