"""The shipped JSON Schema describes the records `to_record` makes and the store keeps."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store  # noqa: E402

from annotator.core.store import read_store  # noqa: E402

jsonschema = pytest.importorskip("jsonschema")
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "annotator" / "data" / "record.schema.json"


@pytest.fixture(scope="module")
def validator() -> "jsonschema.Draft202012Validator":
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_records_from_to_record_and_the_store_validate(tmp_path: Path, validator) -> None:
    store = make_store(tmp_path / "store.jsonl", answers=("accept", None, "reject"))
    records = read_store(store).records
    assert records
    for record in records:
        errors = [error.message for error in validator.iter_errors(record)]
        assert errors == [], (record["id"], errors)


def test_the_schema_rejects_a_broken_record(tmp_path: Path, validator) -> None:
    store = make_store(tmp_path / "store.jsonl")
    record = read_store(store).records[0]
    assert not validator.is_valid({**record, "answer": "maybe"})
    assert not validator.is_valid({**record, "_status": "in_progress"})  # decided but marked in progress
    del record["tokens"]
    assert not validator.is_valid(record)
