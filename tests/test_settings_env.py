"""Bad environment values stop `aftercare` at start with a sentence naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _aftercare_command() -> list[str]:
    script = Path(sys.executable).with_name("aftercare")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aftercare"]


def _run_check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "PORT", "TIME_ZONE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="aftercare.settings",
        AFTERCARE_DATA_DIR=str(tmp_path),
        DEBUG="1",
    )
    env.update(overrides)
    return subprocess.run(
        [*_aftercare_command(), "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("PORT", "abc", "PORT must be a whole number"),
        ("PORT", "70000", "PORT must be between 1 and 65535"),
        ("DATABASE_URL", "mysql://u:p@db/aftercare", "DATABASE_URL must be a postgres://"),
        ("REDIS_URL", "http://x", "REDIS_URL must be a redis://"),
        ("TIME_ZONE", "Mars/Base", "TIME_ZONE must be an IANA time zone"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be"),
    ],
)
def test_bad_value_exits_non_zero_naming_the_variable(
    tmp_path: Path, variable: str, value: str, sentence: str
) -> None:
    result = _run_check(tmp_path, **{variable: value})

    assert result.returncode == 2, result.stderr
    assert "aftercare: configuration error:" in result.stderr
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_off_without_secret_key_is_refused(tmp_path: Path) -> None:
    result = _run_check(tmp_path, DEBUG="0")

    assert result.returncode == 2
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_good_configuration_passes_the_check(tmp_path: Path) -> None:
    result = _run_check(tmp_path, DEBUG="0", SECRET_KEY="x" * 50, PORT="8080")

    assert result.returncode == 0, result.stderr
