"""The native API's OpenAPI schema is committed; a change to the API must change the snapshot too.

Refresh it with ``make openapi`` after an intended change, and review the diff.
"""

import json
from pathlib import Path

from kakehashi.api import api

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"


def current_schema() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_snapshot_is_current() -> None:
    assert SNAPSHOT.exists(), "run `make openapi` to write the snapshot"
    assert SNAPSHOT.read_text(encoding="utf-8") == current_schema(), "the API changed: run `make openapi`"


def test_every_write_documents_its_errors() -> None:
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "get":
                continue
            codes = {str(code) for code in operation["responses"]}
            assert "422" in codes, f"{method.upper()} {path} does not document its validation errors"


def test_token_and_session_authentication_are_documented() -> None:
    schemes = api.get_openapi_schema()["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} >= {"http", "apiKey"}
