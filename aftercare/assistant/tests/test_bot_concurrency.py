"""Messages of one conversation arriving at once (a customer typing fast, a channel retrying)
are answered one after the other: one session row, every message in the transcript, and the
conversation is handed over once."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection

from aftercare.assistant.bot import BotTurn, reply_to
from aftercare.assistant.models import BotSession
from aftercare.core.models import AuditEvent
from aftercare.core.testing import MerchantFactory

THREADS = 4


def _race(merchant: Any, texts: list[str]) -> list[BotTurn | BaseException]:
    barrier = threading.Barrier(len(texts))
    results: list[BotTurn | BaseException] = [RuntimeError("not run")] * len(texts)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = reply_to(merchant=merchant, conversation_key="race", text=texts[index])
        except BaseException as error:  # reported by the assertion below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_simultaneous_messages_share_one_session_and_hand_over_once(
    transactional_db: None,
) -> None:
    merchant = MerchantFactory(slug="race-bot")
    texts = [f"agent please ({n})" for n in range(THREADS)]

    turns = _race(merchant, texts)

    assert all(isinstance(t, BotTurn) for t in turns), turns
    session = BotSession.objects.get(merchant=merchant)
    said = [e["text"] for e in session.transcript if e["role"] == "customer"]
    assert sorted(said) == sorted(texts)
    assert AuditEvent.objects.filter(kind="assistant:bot_handover").count() == 1
    assert sum(1 for t in turns if isinstance(t, BotTurn) and t.replies) == 1
