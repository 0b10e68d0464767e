import io
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from aftercare.assistant.classifier import HELDOUT_FILE


def _run_classify(payload: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AFTERCARE_DATA_DIR": str(settings.DATA_DIR), "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-m", "aftercare", "classify"],
        input=payload,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_classify_streams_one_line_out_per_line_in() -> None:
    texts = [f"where is my order {n}, it's late" for n in range(600)] + ["我要退货"]
    payload = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)

    result = _run_classify(payload)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 601
    assert set(lines[0]) == {
        "language",
        "intent",
        "intent_confidence",
        "reason",
        "reason_confidence",
        "sentiment",
        "flags",
        "entities",
    }
    assert lines[0]["intent"] == "order_status"
    assert lines[-1]["language"] == "zh-Hans" and lines[-1]["intent"] == "return_request"


def test_bad_lines_get_an_error_object_and_a_non_zero_exit() -> None:
    payload = '{"text": "refund me"}\nnot json\n{"txt": 1}\n\n{"text": "thanks"}\n'

    result = _run_classify(payload)

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert [("error" in line) for line in lines] == [False, True, True, False]
    assert lines[1]["line"] == 2 and lines[2]["line"] == 3


def test_evaluate_prints_accuracy_macro_f1_and_per_label_rows(tmp_path: Path) -> None:
    out = io.StringIO()

    call_command("assistant", "evaluate", str(HELDOUT_FILE), stdout=out)

    text = out.getvalue()
    assert "intent: accuracy" in text and "macro-F1" in text
    assert "return_request" in text and "precision" in text and "recall" in text
