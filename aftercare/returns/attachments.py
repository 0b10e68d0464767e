"""Evidence uploads: photos, video and voice recordings, checked by their magic bytes.

The type is read from the file's first bytes, never from its name or the browser's claim,
and each kind has its own size limit. Anything else is refused with nothing stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.core.files.base import File
from django.db import transaction

from aftercare.core.actors import Actor
from aftercare.returns import events
from aftercare.returns.errors import AttachmentLimit, AttachmentTooLarge, InvalidAttachment
from aftercare.returns.models import Attachment, AttachmentKind, Case
from aftercare.returns.moves import lock_case, note, require_any
from aftercare.returns.states import TERMINAL_STATUSES

MB = 1024 * 1024
# Per kind: the largest file accepted. Phones make big videos; 50 MB is a short clip.
SIZE_LIMITS = {
    AttachmentKind.PHOTO: 10 * MB,
    AttachmentKind.VIDEO: 50 * MB,
    AttachmentKind.VOICE: 10 * MB,
}
MAX_ATTACHMENTS_PER_CASE = 20
NAME_LIMIT = 200


def sniff(head: bytes) -> tuple[AttachmentKind, str] | None:
    """(kind, content type) from a file's first 32 bytes, or None when it is none of ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.PHOTO, "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.PHOTO, "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return AttachmentKind.PHOTO, "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return AttachmentKind.PHOTO, "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AttachmentKind.VOICE, "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return AttachmentKind.PHOTO, "image/heic"
        if brand in (b"M4A ", b"M4B "):
            return AttachmentKind.VOICE, "audio/mp4"
        if brand[:2] == b"qt":
            return AttachmentKind.VIDEO, "video/quicktime"
        return AttachmentKind.VIDEO, "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return AttachmentKind.VIDEO, "video/webm"
    if head.startswith(b"OggS"):
        return AttachmentKind.VOICE, "audio/ogg"
    if head.startswith(b"#!AMR"):
        return AttachmentKind.VOICE, "audio/amr"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return AttachmentKind.VOICE, "audio/mpeg"
    return None


def add_attachment(
    *,
    actor: Actor,
    case: Case,
    file: IO[bytes],
    name: str,
    size: int,
    kind: str | None = None,
) -> Attachment:
    """Store one file on the case. `kind`, when given, must match what the bytes are."""
    # Customers and agents add evidence; the warehouse adds inspection photos.
    require_any(actor, "cases.write", "cases.inspect", customer_may=True)
    head = file.read(32)
    file.seek(0)
    found = sniff(head)
    if found is None:
        raise InvalidAttachment(
            "Only JPEG, PNG, GIF, WebP or HEIC photos, MP4/MOV/WebM videos and "
            "MP3/M4A/OGG/WAV/AMR recordings are accepted."
        )
    sniffed_kind, content_type = found
    if kind is not None and kind != sniffed_kind:
        raise InvalidAttachment(
            f"The file is a {sniffed_kind} ({content_type}), not a {kind}.",
            extra={"detected": content_type},
        )
    limit = SIZE_LIMITS[sniffed_kind]
    if size > limit:
        raise AttachmentTooLarge(
            f"A {sniffed_kind} may be at most {limit // MB} MB; this one is {size / MB:.1f} MB.",
            extra={"limit_bytes": limit},
        )
    with transaction.atomic():
        case = lock_case(case)
        if case.status in TERMINAL_STATUSES:
            raise AttachmentLimit(f"The case is {case.status}; nothing more can be added.")
        if Attachment.objects.filter(case=case).count() >= MAX_ATTACHMENTS_PER_CASE:
            raise AttachmentLimit(f"A case holds at most {MAX_ATTACHMENTS_PER_CASE} files.")
        attachment = Attachment(
            merchant_id=case.merchant_id,
            case=case,
            kind=sniffed_kind,
            original_name=name[:NAME_LIMIT],
            size=size,
            content_type=content_type,
            uploaded_by=actor.label,
        )
        # Stored under a name of our own: the customer's file name is only kept as text.
        extension = content_type.rsplit("/", 1)[-1].replace("quicktime", "mov")
        attachment.file.save(f"{case.number}.{extension}", File(file), save=False)
        # If the rows cannot be written the file must not stay behind.
        stored, storage = attachment.file.name, attachment.file.storage
        try:
            attachment.save()
            note(
                case,
                actor=actor,
                kind="attachment_added",
                data={"attachment_id": attachment.pk, "kind": sniffed_kind},
            )
            events.emit(
                case,
                events.ATTACHMENT_ADDED,
                actor=actor,
                data={"attachment_id": attachment.pk, "kind": sniffed_kind},
            )
        except Exception:
            if stored:
                storage.delete(stored)
            raise
    return attachment


def create_case_with_files(
    *, actor: Actor, files: Sequence[tuple[IO[bytes], str, int]], **case_fields: Any
) -> Case:
    """Open a case with its evidence, all or nothing: a refused file leaves no case behind.

    `files` are (file, name, size); `case_fields` are create_case's. The rollback does not
    reach the file storage, so files stored before the failure are deleted here.
    """
    from aftercare.returns.actions import create_case  # actions does not import this module

    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            case = create_case(actor=actor, **case_fields)
            for file, name, size in files:
                stored.append(
                    add_attachment(actor=actor, case=case, file=file, name=name, size=size)
                )
            return case
    except Exception:
        for attachment in stored:
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
        raise
