"""Opening a case with its evidence: all of it, or nothing (rows and stored files)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aftercare.returns import actions
from aftercare.returns.attachments import create_case_with_files
from aftercare.returns.errors import InvalidAttachment
from aftercare.returns.models import Attachment
from aftercare.returns.tests.helpers import snapshot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fields(order, lines) -> dict:
    return {
        "order_id": order.pk,
        "lines": [actions.LineRequest(order_line_id=lines[0].pk, quantity=1)],
        "type": "return_refund",
        "reason": "size",
    }


def test_a_case_and_its_photos_are_opened_together(china, system_actor, order, lines) -> None:
    files = [(io.BytesIO(PNG), "a.png", len(PNG)), (io.BytesIO(PNG), "b.png", len(PNG))]

    case = create_case_with_files(actor=system_actor, files=files, **_fields(order, lines))

    assert [a.original_name for a in Attachment.objects.filter(case=case).order_by("pk")] == [
        "a.png",
        "b.png",
    ]


def test_a_refused_file_leaves_no_case_and_no_stored_file(
    china, system_actor, order, lines, settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    files = [(io.BytesIO(PNG), "ok.png", len(PNG)), (io.BytesIO(b"not an image"), "x.exe", 12)]
    before = snapshot()

    with pytest.raises(InvalidAttachment):
        create_case_with_files(actor=system_actor, files=files, **_fields(order, lines))

    assert snapshot() == before
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
