"""The published API contract: /api/v1/openapi.json must match the committed snapshot.

A change to any endpoint or schema shows up here as a diff to review. When the change is
intended, regenerate the snapshot with:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_openapi.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


def render(document: object) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_document_matches_the_snapshot(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    current = render(response.json())

    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""

    assert current == expected, (
        "The OpenAPI document differs from tests/openapi_snapshot.json. If the API change is "
        "intended, regenerate it with UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest "
        "tests/test_openapi.py and commit the new snapshot."
    )


def test_openapi_documents_the_upsert_records_and_problem_errors(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()

    body = document["paths"]["/api/v1/orders"]["post"]["requestBody"]["content"]
    schema_ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    records = document["components"]["schemas"][schema_ref]["properties"]["records"]
    assert records["items"]["title"] == "OrderIn"
    assert "lines" in records["items"]["properties"]
