"""Assistant throughput: messages/s through `aftercare classify` on one core, FAQ answers/s
with 500 entries, and the classify process's peak memory.

classify runs as a real subprocess (pinned to CPU 0 with taskset when available) fed N JSON
lines from a file; its start-up (Django, model load) is timed separately with one line and
subtracted. FAQ retrieval is timed in-process on an index of 500 entries (3 languages, ~9
wordings each), per question: BM25 scoring, the confidence, and picking the answer text.
Run: .venv/bin/python bench/assistant.py [--lines 20000] [--questions 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.test_settings")
os.environ.setdefault("DEBUG", "1")


def _texts() -> list[str]:
    rows = (ROOT / "aftercare/assistant/data/heldout.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in rows.splitlines() if line.strip()]


def _classify(path: Path) -> tuple[float, int]:
    command = [sys.executable, "-m", "aftercare", "classify"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    started = time.perf_counter()
    with path.open("rb") as source:
        done = subprocess.run(command, stdin=source, stdout=subprocess.PIPE, check=True)
    return time.perf_counter() - started, done.stdout.count(b"\n")


def bench_classify(lines: int) -> dict[str, float]:
    rng = random.Random(7)
    texts = _texts()
    with tempfile.TemporaryDirectory() as folder:
        one, many = Path(folder) / "one.jsonl", Path(folder) / "many.jsonl"
        one.write_text(json.dumps({"text": "hi"}) + "\n")
        with many.open("w", encoding="utf-8") as out:
            for _ in range(lines):
                text = rng.choice(texts)
                if rng.random() < 0.3:
                    text += f" order {rng.randint(10**9, 10**12)}"
                out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        _classify(one)  # builds the cached model if missing, so start-up below is a load
        startup, _ = _classify(one)
        elapsed, written = _classify(many)
    assert written == lines, (written, lines)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "startup": startup,
        "rate": lines / max(elapsed - startup, 1e-9),
        "peak_mb": peak_mb,
    }


def bench_faq(questions: int) -> float:
    import django

    django.setup()
    from aftercare.assistant.faq import Index, _answer_text
    from aftercare.assistant.models import FaqEntry

    defaults = json.loads((ROOT / "aftercare/assistant/data/faq_default.json").read_text())
    rng = random.Random(11)
    entries = []
    for n in range(500):
        base = defaults[n % len(defaults)]
        # Distinct entries: each wording gets a topic word of its own (product n).
        questions_by_language = {
            lang: [f"{q} 产品{n} item{n}" for q in wordings]
            for lang, wordings in base["questions"].items()
        }
        entries.append(
            FaqEntry(key=f"e{n}", questions=questions_by_language, answers=base["answers"])
        )
    index = Index.build(entries)
    asked = [
        rng.choice(list(rng.choice(defaults)["questions"].values()))[0]
        + f" item{rng.randrange(500)}"
        for _ in range(questions)
    ]
    started = time.perf_counter()
    for question in asked:
        entry, _ = index.best(question)
        if entry is not None:
            _answer_text(entry, "en")
    return questions / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--questions", type=int, default=3000)
    args = parser.parse_args()
    classify = bench_classify(args.lines)
    faq_rate = bench_faq(args.questions)
    print(f"classify_startup: {classify['startup']:.2f} s")
    print(f"classify_messages_per_second: {classify['rate']:.0f} msg/s")
    print(f"classify_peak_rss: {classify['peak_mb']:.0f} MB")
    print(f"faq_answers_per_second: {faq_rate:.0f} answers/s")


if __name__ == "__main__":
    main()
