"""The session: edits are on disk when a method returns; undo/redo cross paragraphs and restarts."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import EditRefused, Position, Session
from annotator.core.spans import Relation
from annotator.core.store import Store, read_store
from annotator.core.tokens import Token

ARTICLE = (
    "US officials said three American service members were killed in Jordan.\n"
    "\n"
    "In Iraq, the Popular Mobilization Forces reported 16 deaths.\n"
    "\n"
    "Iran denied any involvement.\n"
)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "strikes.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def open_session(article: Path, store_path: Path, name: str = "alice") -> Session:
    return Session(Corpus([article]), load_schema(default_schema_path()), Store(store_path), name)


def token_index(session: Session, word: str) -> int:
    return next(t.id for t in session.tokens if t.text == word)


def saved(store_path: Path) -> dict[str, dict]:
    return read_store(store_path).latest


def test_a_tag_is_on_disk_when_the_call_returns(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    record = saved(store_path)["strikes#0"]
    assert [(s["text"], s["label"]) for s in record["spans"]] == [("Jordan", "LOCATION")]
    assert record["_status"] == "in_progress" and "answer" not in record
    assert record["_annotator_id"] == "alice"
    assert record["_schema"] == {"name": "news-conflict", "version": session.schema.version}
    session.store.close()


def test_accepting_moves_on_and_a_restart_resumes_at_the_first_unfinished(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.decide("accept")
    assert session.next_unfinished()
    assert session.paragraph.id == "strikes#1"
    session.store.close()
    again = open_session(article, store_path)
    assert again.paragraph.id == "strikes#1"
    assert again.progress().done == 1 and again.progress().total == 3
    again.store.close()


def test_undo_and_redo_reach_across_paragraphs(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    session.next_paragraph()
    session.tag_tokens(token_index(session, "Iraq"), token_index(session, "Iraq"), "LOCATION")
    assert session.undo() and session.paragraph.id == "strikes#1" and session.annotation.spans == ()
    assert session.undo() and session.paragraph.id == "strikes#0" and session.annotation.spans == ()
    assert not session.undo()
    assert session.redo() and session.paragraph.id == "strikes#0" and len(session.annotation.spans) == 1
    assert saved(store_path)["strikes#0"]["spans"][0]["text"] == "Jordan"
    session.store.close()


def test_undo_survives_a_restart(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "US"), token_index(session, "officials"), "ACTOR")
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    session.undo()
    session.store.close()
    again = open_session(article, store_path)
    assert [s.text if hasattr(s, "text") else s.label for s in again.annotation.spans] == ["ACTOR"]
    assert again.redo() and {s.label for s in again.annotation.spans} == {"ACTOR", "LOCATION"}
    assert again.undo() and again.undo() and again.annotation.spans == ()
    again.store.close()
    actions = [json.loads(line)["_action"] for line in store_path.read_text().splitlines()]
    assert actions == ["edit", "edit", "undo", "redo", "undo", "undo"]


def test_a_new_edit_clears_redo(article: Path, tmp_path: Path) -> None:
    session = open_session(article, tmp_path / "s.jsonl")
    session.tag_tokens(0, 0, "ACTOR")
    session.undo()
    session.tag_tokens(2, 2, "CASUALTY")
    assert not session.redo()
    session.store.close()


def test_undo_passes_over_paragraphs_no_longer_in_the_corpus(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    session.store.close()
    with Store(store_path) as store:  # a paragraph of another source, annotated into the same store
        store.append({"id": "elsewhere#0", "text": "Gone.", "tokens": [], "spans": []})
    again = open_session(article, store_path)
    assert again.undo() and again.paragraph.id == "strikes#0" and again.annotation.spans == ()
    assert not again.undo()
    assert saved(store_path)["elsewhere#0"]["text"] == "Gone."  # its line is left alone
    again.store.close()


def test_unknown_labels_are_refused(article: Path, tmp_path: Path) -> None:
    session = open_session(article, tmp_path / "s.jsonl")
    with pytest.raises(EditRefused, match="not a label"):
        session.tag_tokens(0, 0, "WEAPON")
    session.store.close()


def test_find_by_paragraph_or_article_id(article: Path, tmp_path: Path) -> None:
    session = open_session(article, tmp_path / "s.jsonl")
    assert session.find("strikes#2") == Position(0, 2)
    assert session.find("strikes") == Position(0, 0)
    assert session.find("strikes#9") is None and session.find("nope#0") is None
    session.store.close()


def test_saved_tokens_are_reused_so_token_indices_stay_valid(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    session.store.close()
    again = open_session(article, store_path)
    record = saved(store_path)["strikes#0"]
    assert [t.text for t in again.tokens] == [t["text"] for t in record["tokens"]]
    again.store.close()


def test_undo_works_in_a_queue_of_single_paragraphs(tmp_path: Path) -> None:
    queue = tmp_path / "alice.queue.jsonl"
    line = {"id": "news#2", "text": "Iran denied it.",
            "meta": {"article_id": "news", "paragraph": 2, "char_offset": 50, "source": "news.txt"}}
    queue.write_text(json.dumps(line) + "\n", encoding="utf-8")
    store_path = tmp_path / "alice.jsonl"
    session = Session(Corpus([queue]), load_schema(default_schema_path()), Store(store_path), "alice")
    assert session.paragraph.id == "news#2" and session.find("news#2") == Position(0, 0)
    session.tag_tokens(0, 0, "ACTOR")
    assert session.undo() and session.annotation.spans == ()
    assert saved(store_path)["news#2"]["meta"]["char_offset"] == 50
    session.store.close()


def test_a_relation_is_saved_and_removed(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "US"), token_index(session, "said"), "ATTRIBUTION")
    session.tag_tokens(token_index(session, "US"), token_index(session, "officials"), "ACTOR")
    attribution, actor = (next(s.id for s in session.annotation.spans if s.label == label) for label in ("ATTRIBUTION", "ACTOR"))
    relation = Relation("source", attribution, actor)
    session.relate(relation)
    assert saved(store_path)["strikes#0"]["relations"][0]["head_id"] == attribution
    session.unrelate(relation)
    assert saved(store_path)["strikes#0"]["relations"] == []
    session.store.close()


@pytest.mark.parametrize(("words", "expected"), [
    (("three", "members"), {"count": 3, "qualifier": "exact"}),
    (("16", "deaths"), {"count": 16, "qualifier": "exact"}),
])
def test_a_casualty_figure_is_prefilled_from_its_text(article: Path, tmp_path: Path, words: tuple[str, str], expected: dict) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    if words[0] == "16":
        session.next_paragraph()
    session.tag_tokens(token_index(session, words[0]), token_index(session, words[1]), "CASUALTY")
    attributes = saved(store_path)[session.paragraph.id]["spans"][0]["attributes"]
    assert {k: attributes[k] for k in expected} == expected
    assert attributes["victims"] == "unknown"  # the schema's default
    session.store.close()


def test_other_labels_get_only_schema_defaults(article: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    assert "count" not in saved(store_path)["strikes#0"]["spans"][0].get("attributes", {})
    session.store.close()


def test_undo_of_what_this_session_wrote_needs_no_reading_back(article: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    session.tag_tokens(token_index(session, "US"), token_index(session, "officials"), "ACTOR")
    session.tag_tokens(token_index(session, "Jordan"), token_index(session, "Jordan"), "LOCATION")
    before, tokens = session.annotation, session.tokens

    def no_reading(index: int) -> dict:
        raise AssertionError(f"line {index} was read back")

    monkeypatch.setattr(session.store.contents, "read", no_reading)
    assert session.undo() and [s.label for s in session.annotation.spans] == ["ACTOR"]
    assert session.redo() and session.annotation == before
    assert session.tokens is tokens  # the paragraph's tokens are kept, not rebuilt
    session.store.close()
    first, second, undone, redone = read_store(store_path).records
    assert (undone["_action"], undone["spans"]) == ("undo", first["spans"])  # the state written back is the one before
    assert (redone["_action"], redone["spans"]) == ("redo", second["spans"])


def test_progress_counts_decisions_as_they_are_made(article: Path, tmp_path: Path) -> None:
    session = open_session(article, tmp_path / "s.jsonl")
    assert session.progress().done == 0
    session.decide("accept")
    session.next_paragraph()
    session.decide("reject")
    assert session.progress().done == 2
    session.decide(None)  # type: ignore[arg-type]
    assert session.progress().done == 1
    assert session.undo() and session.progress().done == 2
    session.store.close()


def live_tokens() -> int:
    """Token objects still alive once the garbage collector has run."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is Token)


@pytest.mark.parametrize("reopened", [False, True], ids=["same sitting", "after a restart"])
def test_undo_and_redo_keep_no_tokens_of_their_own(article: Path, tmp_path: Path, reopened: bool) -> None:
    """A hundred rounds of undo and redo across three paragraphs leave as many live tokens as one round.

    After a restart every state is read back from the store (nothing of this sitting is remembered),
    so tokens are built again on each step: none may be kept beyond the paragraphs' own.
    """
    store_path = tmp_path / "s.jsonl"
    session = open_session(article, store_path)
    for word in ("Jordan", "Iraq", "Iran"):
        session.tag_tokens(token_index(session, word), token_index(session, word), "LOCATION")
        session.next_paragraph()
    if reopened:
        session.store.close()
        session = open_session(article, store_path)

    def round_trip() -> None:
        for _ in range(3):
            assert session.undo()
        for _ in range(3):
            assert session.redo()

    round_trip()
    after_one = live_tokens()
    for _ in range(100):
        round_trip()
    assert live_tokens() == after_one
    assert [s["text"] for s in saved(store_path)["strikes#2"]["spans"]] == ["Iran"]
    session.store.close()
