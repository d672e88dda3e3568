"""The screens tried as a hostile user would: bad records met while working end the app with a plain message,
and text from files reaches the terminal only as something shown, never as an escape sequence obeyed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import STORIES, write_articles

from annotator.core import corpus as corpus_module
from annotator.core.corpus import Corpus, Paragraph
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import EMPTY
from annotator.core.store import Store, encode_line
from annotator.core.tokens import tokenize
from annotator.team.merge import read_team
from annotator.team.review import GoldReview, plan_review
from annotator.tui.app import AnnotatorApp, ReviewApp

SIZE = (100, 32)


def _hostile_line(paragraph: Paragraph) -> bytes:
    record = to_record(paragraph, tokenize(paragraph.text), EMPTY, schema_ref={"name": "x", "version": "1"},
                       annotator="tester", timestamp=1)
    line = encode_line(record, seq=1, action="edit", reverts=None, tokens=record["tokens"])
    return line.replace(b'"spans":[]', b'"spans":5') + b"\n"


async def test_a_bad_record_met_on_the_screen_ends_the_app_with_its_message(tmp_path: Path) -> None:
    sources = write_articles(tmp_path / "articles", STORIES)
    corpus = Corpus([sources])
    first, second = corpus.article(0).paragraphs[:2]
    store_path = tmp_path / "annotations.jsonl"
    # A line followed by another line of the store's own format is only indexed when the store opens (a last
    # line is parsed in full there, and refused before any screen): the bad one is met once it is read.
    good = to_record(first, tokenize(first.text), EMPTY, schema_ref={"name": "x", "version": "1"}, annotator="tester",
                     timestamp=1)
    store_path.write_bytes(_hostile_line(second)
                           + encode_line(good, seq=2, action="edit", reverts=None, tokens=good["tokens"]) + b"\n")
    before = store_path.read_bytes()
    with Store(store_path) as store:
        session = Session(corpus, load_schema(default_schema_path()), store, "tester")
        app = AnnotatorApp(session, store_path=str(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("pagedown")
        assert app.return_code == 2
        assert app.refused is not None
        assert str(app.refused).startswith(f"{store_path}:1: spans: must be an array")
    assert store_path.read_bytes() == before
    corpus.close()


HOSTILE = "\x1b]52;c;cHdu\x07\x9b2J\u202e"


def _raw_controls(drawn: str) -> list[str]:
    """The characters of a screenshot a terminal would obey rather than show (C0 but line ends, DEL, C1, bidi)."""
    return sorted({char for char in drawn if (ord(char) < 0x20 and char not in "\n\r\t") or 0x7F <= ord(char) < 0xA0
                   or char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"})


async def test_ids_labels_names_and_paths_from_files_are_drawn_not_obeyed(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSC 52 sequence (write the clipboard) in the article id, a span label read from the store, the
    annotator's name and the store's path: each is drawn as visible placeholders on every screen."""
    sources = tmp_path / "articles"
    sources.mkdir()
    (sources / f"a{HOSTILE}.txt").write_text("Strikes hit Homs.\n", encoding="utf-8")
    # Sources now refuse such an id (tests/unit/test_hostile_sources.py); the screen must still draw one safely.
    monkeypatch.setattr(corpus_module, "_refuse_unsafe_id", lambda article_id, where, fix: None)
    corpus = Corpus([sources])
    paragraph = corpus.article(0).paragraphs[0]
    assert HOSTILE in paragraph.id
    store_path = tmp_path / f"s{HOSTILE}.jsonl"
    with Store(store_path) as store:
        record = to_record(paragraph, tokenize(paragraph.text), EMPTY, schema_ref={"name": "x", "version": "1"},
                           annotator="tester", timestamp=1)
        record["spans"] = [{"start": 12, "end": 16, "token_start": 2, "token_end": 2, "label": f"X{HOSTILE}",
                            "text": "Homs", "id": "s1", "source": f"model:{HOSTILE}", "suggested": True,
                            "attributes": {"kind": HOSTILE}}]
        store.append(record)
    with Store(store_path) as store:
        session = Session(corpus, load_schema(default_schema_path()), store, f"t{HOSTILE}")
        app = AnnotatorApp(session, store_path=str(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            shots = {"annotate": app.export_screenshot()}
            await pilot.press("question_mark")
            await pilot.pause()
            shots["help"] = app.export_screenshot()
            await pilot.press("escape")
            await pilot.press("tab")  # onto the span: the status line names its label
            await pilot.pause()
            shots["span"] = app.export_screenshot()
        for name, drawn in shots.items():
            assert _raw_controls(drawn) == [], name
        assert "␛]52;c;cHdu␇" in shots["annotate"]  # shown, as placeholders
    corpus.close()


async def test_the_review_screen_draws_ids_labels_and_names_from_stores_as_text(tmp_path: Path) -> None:
    text = "Strikes hit Homs."
    stores = []
    for name, label in ((f"alice{HOSTILE}", f"L{HOSTILE}"), ("bob", "LOCATION")):
        path = tmp_path / f"{name}.jsonl"
        paragraph = Paragraph(f"a{HOSTILE}", 0, text, 0, "a.txt")
        record = to_record(paragraph, tokenize(text), EMPTY, schema_ref={"name": "x", "version": "1"},
                           annotator=name, timestamp=1)
        record["answer"], record["_status"] = "accept", "done"
        record["spans"] = [{"start": 12, "end": 16, "token_start": 2, "token_end": 2, "label": label, "text": "Homs",
                            "id": "s1", "source": "manual"}]
        with Store(path) as store:
            store.append(record)
        stores.append(path)
    gold = tmp_path / f"gold{HOSTILE}.jsonl"
    schema = load_schema(default_schema_path())
    with Store(gold) as store:
        review = GoldReview(plan_review(read_team(stores)), store, f"dana{HOSTILE}", schema.ref)
        app = ReviewApp(review, schema, gold_path=str(gold))
        async with app.run_test(size=(110, 34)) as pilot:
            await pilot.pause()
            drawn = app.export_screenshot()
    assert _raw_controls(drawn) == []
    assert "␛]52;c;cHdu␇" in drawn
