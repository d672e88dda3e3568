"""The shipped JSON Schema describes the records `to_record` makes and the store keeps."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store

from annotator.core.store import read_store

jsonschema = pytest.importorskip("jsonschema")
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "annotator" / "data" / "record.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
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


def test_article_level_jsonl_validates_against_the_article_definition(tmp_path: Path, validator) -> None:
    """Article lines used to match no shipped schema (and their relations lacked Prodigy's head_span)."""
    from annotator.cli import main

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    article = jsonschema.Draft202012Validator({"$defs": schema["$defs"], **schema["$defs"]["article"]})
    store = make_store(tmp_path / "store.jsonl", answers=("accept", None, "accept"))
    out = tmp_path / "articles.jsonl"
    assert main(["export", str(store), "--format", "jsonl", "--level", "article", "--include", "unfinished",
                 "--out", str(out)]) == 0
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert [error.message for error in article.iter_errors(record)] == []
    assert record["relations"] and all("head_span" in r for r in record["relations"])
