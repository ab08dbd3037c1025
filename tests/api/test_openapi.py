"""The OpenAPI document is a promise: a change to it must be deliberate.

When the API changes on purpose, refresh the snapshot and commit it with the change:

    .venv/bin/urgent export_openapi_schema --api urgent.api.api.api --indent 2 --sorted \\
        --output tests/api/openapi.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("openapi.json")
REFRESH = (
    ".venv/bin/urgent export_openapi_schema --api urgent.api.api.api --indent 2 --sorted "
    "--output tests/api/openapi.json"
)


def _paths(schema: dict[str, Any]) -> set[str]:
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_served_document_matches_the_committed_snapshot(client: Any) -> None:
    response = client.get("/api/v1/openapi.json", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    served = response.json()
    committed = json.loads(SNAPSHOT.read_text())
    added = _paths(served) - _paths(committed)
    removed = _paths(committed) - _paths(served)
    assert not added and not removed, f"endpoints added {added}, removed {removed}; {REFRESH}"
    assert served == committed, f"the API's schema changed; if on purpose: {REFRESH}"


def test_every_operation_documents_the_error_shape() -> None:
    schema = json.loads(SNAPSHOT.read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" in responses, f"{method} {path} does not document 422"
            ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut"), f"{method} {path}: 422 is not the error shape"
            if path.startswith("/api/v1/staff/"):
                assert {"401", "403"} <= responses.keys(), f"{method} {path}: no 401/403"
                assert operation.get("security") == [{"TokenAuth": []}]


def test_docs_page_loads_only_from_this_site(client: Any) -> None:
    response = client.get("/api/v1/docs", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn" not in response.content.lower()
