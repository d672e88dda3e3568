"""Notes without flags (Session.note): on the paragraph, or on a span as its `note` attribute."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.schema import load_schema
from annotator.core.session import EditRefused, Session
from annotator.core.store import Store, read_store

SCHEMA = """\
name: notes
version: "1"
labels:
  - name: PLACE
    key: "1"
    color: "#0072B2"
  - name: GRADED
    key: "2"
    color: "#E69F00"
    attributes:
      - name: note
        type: choice
        key: o
        values:
          - value: good
            key: g
"""


def test_a_note_on_the_paragraph_or_a_span_is_saved_without_a_flag(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Troops reached Homs at dawn.\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text(SCHEMA, encoding="utf-8")
    store = Store(tmp_path / "store.jsonl")
    try:
        session = Session(Corpus([tmp_path / "a.txt"]), load_schema(tmp_path / "notes.yaml"), store, "tester")
        session.note("check the time")
        session.tag_tokens(2, 2, "PLACE")
        place = session.annotation.spans[0]
        session.note("the city", place.id)
        session.flag(True, session.annotation.note)
        session.flag(False, session.annotation.note)  # the flag goes, the note stays
        record = read_store(tmp_path / "store.jsonl").latest["a#0"]
        assert "flagged" not in record and record["note"] == "check the time"
        assert record["spans"][0]["text"] == "Homs" and record["spans"][0]["attributes"] == {"note": "the city"}
        session.note("", place.id)
        assert "attributes" not in read_store(tmp_path / "store.jsonl").latest["a#0"]["spans"][0]
        session.tag_tokens(0, 0, "GRADED")
        graded = next(span for span in session.annotation.spans if span.label == "GRADED")
        with pytest.raises(EditRefused, match="GRADED has a choice attribute called note"):
            session.note("free text", graded.id)
    finally:
        store.close()
