"""`aftercare classify`: JSON lines in, one analysis per line out, streaming."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from collections.abc import Iterator
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from aftercare.assistant.analysis import analyse_texts
from aftercare.assistant.language import DEFAULT_LANGUAGES

BATCH = 256


class Command(BaseCommand):
    help = (
        'Read JSON lines {"text": "..."} on standard input and write one JSON line per input '
        'line: {"language", "intent", "intent_confidence", "reason", "reason_confidence", '
        '"sentiment", "flags", "entities"}, in the same order. Lines are read and written in '
        "batches of 256, so any number of lines fits in constant memory. A line that is not a "
        'JSON object with a string "text" gets {"error": "...", "line": N} in its place and '
        "the rest goes on; the exit status is then 1 (0 when every line was analysed). Blank "
        "lines are skipped."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--languages",
            default=",".join(DEFAULT_LANGUAGES),
            help="Comma-separated languages to choose from (default: all supported).",
        )
        parser.add_argument("--phone-region", default="CN", help="Region of numbers without +.")

    def handle(self, *args: Any, **options: Any) -> None:
        languages = [code.strip() for code in options["languages"].split(",") if code.strip()]
        unknown = sorted(set(languages) - set(DEFAULT_LANGUAGES))
        if unknown:
            raise CommandError(f"Unsupported languages: {', '.join(unknown)}.")
        bad = classify_stream(
            sys.stdin, sys.stdout, languages=languages, phone_region=options["phone_region"]
        )
        if bad:
            sys.stderr.write(f"{bad} line(s) could not be read; see their error objects.\n")
            sys.exit(1)


def _batches(source: TextIO) -> Iterator[list[tuple[int, str | None, str]]]:
    """(line number, text or None when unreadable, error) in batches, never the whole input."""
    batch: list[tuple[int, str | None, str]] = []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        text, error = None, ""
        try:
            row = json.loads(line)
            if isinstance(row, dict) and isinstance(row.get("text"), str):
                text = row["text"]
            else:
                error = 'expected an object with a string "text"'
        except json.JSONDecodeError as exc:
            error = f"not JSON: {exc.msg}"
        batch.append((number, text, error))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def classify_stream(
    source: TextIO, sink: TextIO, *, languages: list[str], phone_region: str = "CN"
) -> int:
    """Analyse every line of `source` into `sink`; returns how many lines were unreadable."""
    bad = 0
    for batch in _batches(source):
        texts = [text for _, text, _ in batch if text is not None]
        results = iter(analyse_texts(texts, languages=languages, phone_region=phone_region))
        out = []
        for number, text, error in batch:
            if text is None:
                bad += 1
                out.append(json.dumps({"error": error, "line": number}))
            else:
                out.append(json.dumps(next(results).as_dict(), ensure_ascii=False))
        sink.write("\n".join(out) + "\n")
        sink.flush()
    return bad
