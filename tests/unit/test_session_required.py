"""Accepting a paragraph needs a value for every `required: true` attribute of the annotator's spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.commands.schema import show_lines
from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import EditRefused, MissingValue, Session
from annotator.core.spans import add_span, span_over_tokens
from annotator.core.store import Store, read_store


@pytest.fixture
def session(tmp_path: Path):
    article = tmp_path / "strikes.txt"
    # "killed or wounded": no status is pre-filled (casualty_status), so the required value is missing
    article.write_text("Three soldiers and two medics were killed or wounded near Tyre.\n", encoding="utf-8")
    opened = Session(Corpus([article]), load_schema(default_schema_path()), Store(tmp_path / "s.jsonl"), "alice")
    yield opened
    opened.store.close()


def index(session: Session, word: str) -> int:
    return next(token.id for token in session.tokens if token.text == word)


def test_accept_is_refused_naming_the_span_the_attribute_and_its_key(session: Session, tmp_path: Path) -> None:
    session.tag_tokens(index(session, "Three"), index(session, "soldiers"), "CASUALTY")
    with pytest.raises(MissingValue) as refused:
        session.decide("accept")
    assert isinstance(refused.value, EditRefused)  # a screen that knows only EditRefused still says why
    assert refused.value.span.label == "CASUALTY" and refused.value.attribute.name == "status"
    assert str(refused.value) == ('CASUALTY "Three soldiers" needs a value for status (key s) before the paragraph '
                                  "can be accepted")
    assert "answer" not in read_store(tmp_path / "s.jsonl").latest["strikes#0"]


def test_each_span_must_have_the_value_and_the_first_in_the_text_is_named(session: Session, tmp_path: Path) -> None:
    session.tag_tokens(index(session, "two"), index(session, "medics"), "CASUALTY")
    session.tag_tokens(index(session, "Three"), index(session, "soldiers"), "CASUALTY")
    medics = next(span for span in session.annotation.spans if span.token_start == index(session, "two"))
    soldiers = next(span for span in session.annotation.spans if span.id != medics.id)
    session.set_attribute(medics.id, "status", "killed")
    missing = session.missing_value()
    assert missing is not None and missing[0].id == soldiers.id
    session.set_attribute(soldiers.id, "status", "injured")
    assert session.missing_value() is None
    session.decide("accept")
    assert read_store(tmp_path / "s.jsonl").latest["strikes#0"]["answer"] == "accept"


def test_reject_ignore_suggestions_and_labels_without_required_attributes_pass(session: Session) -> None:
    session.tag_tokens(index(session, "Tyre"), index(session, "Tyre"), "LOCATION")
    suggested = span_over_tokens(session.tokens, index(session, "Three"), index(session, "soldiers"), "CASUALTY",
                                 suggested=True, source="model:x")
    session.replace(add_span(session.annotation, suggested))
    assert session.missing_value() is None  # a suggestion is not the annotator's yet
    session.decide("reject")
    session.tag_tokens(index(session, "two"), index(session, "medics"), "CASUALTY")
    session.decide("ignore")
    assert session.annotation.answer == "ignore"


def test_schema_show_marks_the_required_attributes_and_says_what_that_means() -> None:
    lines = show_lines(load_schema(default_schema_path()), width=160)
    assert any(line.startswith("Attributes (* required: each span of the label needs a value before its paragraph "
                               "is accepted)") for line in lines)
    starred = [line.split()[1] for line in lines if line.startswith("  CASUALTY") and " * " in line]
    assert starred == ["status"]
