"""Edits keep what imports and suggest put in a record's `meta` (source ids, the tool's metadata,
ignored spans): every edit used to rebuild `meta` from the paragraph alone and drop them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotator.cli import main
from annotator.core.corpus import Corpus
from annotator.core.records import kept_meta, to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import EMPTY
from annotator.core.store import Store, read_store

FIXTURES = Path(__file__).parent.parent / "fixtures" / "interop"


def imported(tmp_path: Path, fixture: str, format_name: str) -> tuple[Path, dict[str, dict[str, Any]]]:
    """The store an import of `fixture` writes, and its latest records."""
    store = tmp_path / "imported.jsonl"
    assert main(["import", str(FIXTURES / fixture), "--format", format_name, "--out", str(store),
                 "--annotator", "importer"]) == 0
    return store, read_store(store).latest


def corpus_of(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    """A JSONL corpus holding the records' texts as one-paragraph articles with their article ids."""
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"id": r["meta"]["article_id"], "text": r["text"]}) + "\n" for r in records),
                    encoding="utf-8")
    return path


def open_session(corpus: Path, store: Path) -> Session:
    return Session(Corpus([corpus]), load_schema(default_schema_path()), Store(store), "alice")


def word(session: Session, text: str) -> int:
    return next(t.id for t in session.tokens if t.text == text)


def test_an_edit_keeps_a_prodigy_import_s_source_meta_and_judged_spans(tmp_path: Path) -> None:
    store, latest = imported(tmp_path, "prodigy-ner-teach.jsonl", "jsonl")
    before = latest["prodigy-ner-teach-1#0"]
    assert before["meta"]["source_meta"] and before["meta"]["ignored_spans"]  # what the import put there
    session = open_session(corpus_of(tmp_path, [before]), store)
    assert session.paragraph.id == "prodigy-ner-teach-1#0"
    session.tag_tokens(word(session, "Makhmour"), word(session, "Makhmour"), "LOCATION")
    session.decide("accept")
    session.store.close()
    after = read_store(store).latest["prodigy-ner-teach-1#0"]
    assert after["answer"] == "accept" and ("Makhmour", "LOCATION") in [(s["text"], s["label"]) for s in after["spans"]]
    assert after["meta"]["source_meta"] == before["meta"]["source_meta"] == {"_input_hash": 201, "_view_id": "ner"}
    assert after["meta"]["ignored_spans"] == before["meta"]["ignored_spans"]
    assert [(s["text"], s["label"]) for s in after["meta"]["rejected_spans"]] == [
        (s["text"], s["label"]) for s in before["meta"]["rejected_spans"]]
    assert after["meta"]["article_id"] == "prodigy-ner-teach-1" and Path(after["meta"]["source"]).name == "corpus.jsonl"


def test_edits_and_an_undo_keep_the_scores_of_imported_rejected_spans(tmp_path: Path) -> None:
    """ner.teach's rejected spans carry the model's score; the edit used to rebuild them without it."""
    store, latest = imported(tmp_path, "prodigy-ner-teach.jsonl", "jsonl")
    before = latest["prodigy-ner-teach-1#0"]["meta"]["rejected_spans"]
    assert [(entry["text"], entry["score"]) for entry in before] == [("Makhmour", 0.52), ("jets bombed", 0.31)]
    session = open_session(corpus_of(tmp_path, [latest["prodigy-ner-teach-1#0"]]), store)
    session.tag_tokens(word(session, "Makhmour"), word(session, "Makhmour"), "LOCATION")
    session.undo()
    session.decide("reject")
    session.store.close()
    for line in read_store(store).records[-3:]:  # the edit, the undo, the decision
        assert line["meta"]["rejected_spans"] == before


def test_edits_undo_and_export_keep_a_label_studio_import_s_source_id(tmp_path: Path) -> None:
    store, latest = imported(tmp_path, "label-studio-export.json", "label-studio")
    before = latest["label-studio-export-102#0"]
    assert (before["meta"]["source_id"], before["meta"]["model_version"]) == (102, "ner-v3")
    session = open_session(corpus_of(tmp_path, [before]), store)
    session.accept_all_suggestions()
    session.tag_tokens(word(session, "Strikes"), word(session, "Strikes"), "ACTOR")
    session.undo()  # written back from what the session holds
    session.decide("accept")
    session.store.close()
    for line in read_store(store).records[-3:]:  # the edits, the undo, the decision
        assert (line["meta"]["source_id"], line["meta"]["model_version"]) == (102, "ner-v3")
    out = tmp_path / "out.jsonl"
    assert main(["export", str(store), "--format", "jsonl", "--out", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["meta"]["source_id"], r["meta"]["model_version"]) for r in exported] == [
        ("label-studio-export-102#0", 102, "ner-v3")]


def test_an_undo_read_back_from_the_store_keeps_the_meta(tmp_path: Path) -> None:
    """After a restart the state to write back comes from the store, not from the session."""
    store, latest = imported(tmp_path, "label-studio-export.json", "label-studio")
    corpus = corpus_of(tmp_path, [latest["label-studio-export-102#0"]])
    session = open_session(corpus, store)
    session.tag_tokens(word(session, "Strikes"), word(session, "Strikes"), "ACTOR")
    session.store.close()
    session = open_session(corpus, store)
    assert session.undo()
    session.decide("accept")
    session.store.close()
    for line in read_store(store).records[-2:]:
        assert line["meta"]["source_id"] == 102


def test_occurrences_suggested_in_another_paragraph_keep_its_meta(tmp_path: Path) -> None:
    article = tmp_path / "border.txt"
    article.write_text("Troops shelled Homs.\n\nHoms was quiet later.\n", encoding="utf-8")
    corpus = Corpus([article])
    other = corpus.article(0).paragraphs[1]
    store = tmp_path / "s.jsonl"
    with Store(store) as writer:
        writer.append(to_record(other, None, EMPTY, schema_ref={"name": "news-conflict", "version": "1"},
                                annotator="importer", meta={"source_id": 7, "source_meta": {"batch": "b"}}))
    session = Session(corpus, load_schema(default_schema_path()), Store(store), "alice")
    session.tag_tokens(word(session, "Homs"), word(session, "Homs"), "LOCATION")
    assert session.occurrences_suggested == 1
    session.store.close()
    saved = read_store(store).latest[other.id]
    assert [s["text"] for s in saved["spans"]] == ["Homs"] and saved["spans"][0]["suggested"]
    assert kept_meta(saved) == {"source_id": 7, "source_meta": {"batch": "b"}}


def test_kept_meta_leaves_out_what_a_record_builds_itself() -> None:
    record = {"meta": {"article_id": "a", "paragraph": 0, "char_offset": 0, "source": "a.txt",
                       "rejected_spans": [], "ignored_spans": [{"start": 0}], "source_id": 3}}
    assert kept_meta(record) == {"ignored_spans": [{"start": 0}], "source_id": 3}
    assert kept_meta(None) == {} and kept_meta({"id": "x"}) == {}
