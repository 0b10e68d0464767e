"""The console pages and the survey page speak the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from aftercare.notifications.models import EventKey


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "发送失败的消息"), ("zh-hant", "傳送失敗的訊息")]
)
def test_failed_queue_in_chinese(supervisor, language: str, heading: str) -> None:
    client = Client(headers={"accept-language": language})
    client.force_login(supervisor.user)

    page = client.get("/notifications/", headers={"accept-language": language})

    assert heading in page.content.decode()


def test_every_event_name_is_translated() -> None:
    with translation.override("zh-hans"):
        labels = [str(label) for label in EventKey.labels]
    assert all(not any(ch.isascii() and ch.isalpha() for ch in label) for label in labels)
