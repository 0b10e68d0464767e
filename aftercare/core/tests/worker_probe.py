"""A task for the worker command's tests: it leaves a file behind, visible from any process."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def write_marker(path: str, text: str) -> str:
    Path(path).write_text(text, encoding="utf-8")
    return text
