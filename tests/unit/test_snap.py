"""A character selection under a label's `snap`: kept exactly (`char`) or widened to tokens (`token`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import EditRefused, Session
from annotator.core.spans import snapped_span
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize

TEXT = "Iranian-backed militias struck  Tyre."


def test_snap_char_keeps_the_characters_and_trims_whitespace() -> None:
    tokens = tokenize(TEXT)
    span = snapped_span(tokens, TEXT, 0, 4, "ACTOR", "char")
    assert (TEXT[span.start:span.end], span.token_start, span.token_end) == ("Iran", 0, 0)
    padded = snapped_span(tokens, TEXT, 30, 36, "LOCATION", "char")  # "  Tyre" with the double space
    assert TEXT[padded.start:padded.end] == "Tyre"


def test_snap_token_widens_to_every_token_the_selection_touches() -> None:
    tokens = tokenize(TEXT)
    span = snapped_span(tokens, TEXT, 8, 17, "ACTOR", "token")  # "backed mi"
    assert TEXT[span.start:span.end] == "Iranian-backed militias"
    assert (span.token_start, span.token_end) == (0, 1)


def test_a_selection_of_only_whitespace_is_refused() -> None:
    tokens = tokenize(TEXT)
    for snap in ("char", "token"):
        with pytest.raises(ValueError, match="covers no word"):
            snapped_span(tokens, TEXT, 30, 32, "ACTOR", snap)  # type: ignore[arg-type]


def test_session_tag_chars_follows_the_labels_snap(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT + "\n", encoding="utf-8")
    schema = load_schema(default_schema_path())
    schema = replace(schema, labels=tuple(replace(label, snap="char") if label.name == "ACTOR" else label
                                          for label in schema.labels))
    session = Session(Corpus([article]), schema, Store(tmp_path / "s.jsonl"), "alice")
    session.tag_chars(0, 4, "ACTOR")
    session.tag_chars(24, 27, "LOCATION")  # "str" of "struck": LOCATION snaps to tokens
    with pytest.raises(EditRefused, match="not a label"):
        session.tag_chars(0, 4, "NOPE")
    session.store.close()
    spans = read_store(tmp_path / "s.jsonl").latest["a#0"]["spans"]
    assert sorted((span["label"], span["text"]) for span in spans) == [("ACTOR", "Iran"), ("LOCATION", "struck")]
