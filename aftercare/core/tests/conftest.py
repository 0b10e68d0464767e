"""Fixtures for core's tests: a task backend that only records, and a throwaway outbox topic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from aftercare.core.outbox import register_handler, unregister_handler
from aftercare.core.outbox_models import OutboxMessage

TEST_TOPIC = "test.record"


@pytest.fixture
def dummy_tasks(settings: Any) -> DummyBackend:
    """Swap the configured task backend (database or RQ) for one that only records enqueues."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


@dataclass
class RecordingHandler:
    """An outbox handler that counts its calls and fails the way a test tells it to."""

    calls: list[int] = field(default_factory=list)
    error: Exception | None = None
    result: dict[str, Any] = field(default_factory=lambda: {"delivered": True})
    pause_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, message: OutboxMessage) -> dict[str, Any]:
        with self.lock:
            self.calls.append(message.pk)
        if self.pause_seconds:
            threading.Event().wait(self.pause_seconds)
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def recording_handler() -> Iterator[RecordingHandler]:
    handler = RecordingHandler()
    register_handler(TEST_TOPIC, handler)
    yield handler
    unregister_handler(TEST_TOPIC)
