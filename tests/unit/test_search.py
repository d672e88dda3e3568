"""Corpus search in pieces (core/search.py): its order, case folding, and records skipped unparsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.search import TextSearch, find_folded
from annotator.core.session import Position


def write_jsonl(path: Path, texts: list[str], *, ensure_ascii: bool = False) -> Path:
    path.write_text("".join(json.dumps({"id": f"a{n}", "text": text}, ensure_ascii=ensure_ascii) + "\n"
                            for n, text in enumerate(texts)), encoding="utf-8")
    return path


def test_find_folded_gives_offsets_of_the_original_text_where_folding_changes_lengths() -> None:
    assert find_folded("In Syria, SYRIA", "syria") == (3, 8)
    assert find_folded("In Syria, SYRIA", "syria", 4) == (10, 15)
    text = "Die Straße nach Homs"  # ß folds to "ss": every offset after it moves in the folded text
    assert find_folded(text, "strasse") == (4, 10) and text[4:10] == "Straße"
    assert find_folded(text, "homs") == (16, 20)
    assert find_folded(text, "homs", 17) is None


def test_the_order_is_after_the_cursor_then_later_articles_then_round_to_the_cursor(tmp_path: Path) -> None:
    corpus = Corpus([write_jsonl(tmp_path / "c.jsonl", ["x said.\n\ny said.", "nothing", "z said."])])
    search = TextSearch(corpus, "SAID", Position(0, 0), 4)
    assert search.run() and search.found is not None and search.found.position == Position(0, 1)
    search = TextSearch(corpus, "said", Position(0, 1), 3)
    assert search.run() and search.found is not None and search.found.position == Position(2, 0)
    search = TextSearch(corpus, "said", Position(2, 0), 3)
    assert search.run() and search.found is not None and search.found.position == Position(0, 0)
    assert (search.found.start, search.found.end) == (2, 6)
    search = TextSearch(corpus, "said", Position(2, 0), 7)  # only the open paragraph, before the cursor, is left
    assert search.run() and search.found is not None and search.found.position == Position(0, 0)
    nowhere = TextSearch(corpus, "absent", Position(1, 0), 0)
    assert nowhere.run() and nowhere.found is None and nowhere.scanned == 3


def test_a_search_goes_on_in_steps_and_stops_when_cancelled(tmp_path: Path) -> None:
    corpus = Corpus([write_jsonl(tmp_path / "c.jsonl", [f"article {n}" for n in range(50)] + ["the needle"])])
    search = TextSearch(corpus, "needle", Position(0, 0), 0)
    assert not search.run(10) and search.scanned == 11 and search.found is None  # the open article, then ten
    assert not search.run(cancelled=lambda: True) and search.scanned == 11
    assert search.run() and search.found is not None and search.found.position == Position(50, 0)


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_records_that_cannot_hold_the_text_are_skipped_unparsed_and_escaped_ones_are_read(
        tmp_path: Path, ensure_ascii: bool) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", ["plain words", "Straße", 'a "quoted" word', "Ünal said"],
                       ensure_ascii=ensure_ascii)
    corpus = Corpus([path])
    assert not corpus.may_hold(0, "strasse") and corpus.may_hold(0, "plain")
    assert corpus.may_hold(1, "strasse")  # not ASCII (or escaped): only the text can tell
    assert corpus.may_hold(2, "word")
    assert not corpus.may_hold(0, "ünal")  # an ASCII line cannot hold a folded non-ASCII letter
    search = TextSearch(corpus, "STRASSE", Position(0, 0), 0)
    assert search.run() and search.found is not None and search.found.position == Position(1, 0)
    search = TextSearch(corpus, "ünal", Position(0, 0), 0)
    assert search.run() and search.found is not None and search.found.position == Position(3, 0)


def test_lines_with_escapes_are_skipped_unless_the_text_needs_one(tmp_path: Path) -> None:
    corpus = Corpus([write_jsonl(tmp_path / "c.jsonl", ["one\n\ntwo said", 'he said "no"', "a/b"])])
    assert not corpus.may_hold(0, "needle") and corpus.may_hold(0, "two said")  # "\n" spelt with a backslash
    assert corpus.may_hold(1, '"no"') and corpus.may_hold(2, "a/b")  # text JSON may escape: only parsing tells
    search = TextSearch(corpus, 'said "NO"', Position(0, 0), 0)
    assert search.run() and search.found is not None and search.found.position == Position(1, 0)
