"""The committed snapshot of the API's OpenAPI schema (docs/api/openapi.json): a change to the
contract shows in review as a change to that file, and tests/api/test_schema.py fails until the
snapshot is regenerated with

    python3 -m tests.api.schema_snapshot
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
REGENERATE = "python3 -m tests.api.schema_snapshot"


def schema_text(schema: dict) -> str:
    """The schema as the snapshot holds it: keys sorted, two-space indents, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def current_schema() -> dict:
    """The schema /api/schema/ publishes, as JSON (dates and the like as text)."""
    from ninja.responses import NinjaJSONEncoder

    from clinlead.api import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api"), cls=NinjaJSONEncoder))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinlead.settings")
    import django

    django.setup()
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(schema_text(current_schema()))
    print(f"Wrote {SNAPSHOT}")


if __name__ == "__main__":
    main()
