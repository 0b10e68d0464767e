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


@pytest.mark.parametrize(
    ("overrides", "sentence"),
    [
        ({"DATABASE_POOL_SIZE": "many"}, "DATABASE_POOL_SIZE must be a whole number"),
        (
            {"DATABASE_POOL_SIZE": "8", "DATABASE_CONN_MAX_AGE": "60"},
            "DATABASE_POOL_SIZE needs DATABASE_CONN_MAX_AGE=0",
        ),
    ],
)
def test_a_pool_needs_a_size_and_no_persistent_connections(
    tmp_path: Path, overrides: dict[str, str], sentence: str
) -> None:
    url = "postgres://nobody@127.0.0.1:9/none"  # never reached: settings fail first
    result = _run_check(tmp_path, DATABASE_URL=url, **overrides)

    assert result.returncode == 2, result.stderr
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr


def test_a_pool_size_becomes_a_psycopg_pool_option() -> None:
    code = (
        "import os; os.environ.update(DEBUG='1', DATABASE_POOL_SIZE='6', "
        "DATABASE_URL='postgres://u@127.0.0.1:5432/x'); "
        "import aftercare.settings as s; print(s.DATABASES['default']['OPTIONS']['pool'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_POOL_SIZE"}}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert "'max_size': 6" in result.stdout and "'min_size': 2" in result.stdout


@pytest.mark.parametrize(
    ("switch", "expected"),
    [(None, "True 5"), ("1", "True 5"), ("0", "None None")],
)
def test_postgresql_prepares_statements_unless_turned_off(
    switch: str | None, expected: str
) -> None:
    code = (
        "import os; os.environ.update(DEBUG='1', DATABASE_POOL_SIZE='6', "
        "DATABASE_URL='postgres://u@127.0.0.1:5432/x'); "
        "import aftercare.settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'), 'pool' in o)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DATABASE_POOL_SIZE", "DATABASE_PREPARED_STATEMENTS"}
    }
    if switch is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = switch
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{expected} True"  # the pool stays either way
