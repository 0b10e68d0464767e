"""The health check answers 200 with a working database and 503 without one."""

from __future__ import annotations

import os
import subprocess
import sys

from django.test import Client


def test_healthz_is_ok_when_the_database_answers(db: None) -> None:
    response = Client().get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_is_unavailable_when_the_database_is_unreachable(tmp_path) -> None:
    # A real PostgreSQL URL with nothing listening: the failure a dropped server causes.
    env = {
        **os.environ,
        "DEBUG": "1",
        "AFTERCARE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere",
        "DJANGO_SETTINGS_MODULE": "aftercare.settings",
    }
    env.pop("REDIS_URL", None)
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz/'); print(r.status_code, r.json()['database'])"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.split() == ["503", "down"], result.stderr
