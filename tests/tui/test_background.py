"""Long work off the annotate screen's thread: a corpus search and an id look-up while the corpus is indexed.

The corpus is generated; a gate held by the test keeps the search running for as long as the
test needs (no timing), so that it can check the screen still answers keys and `escape` stops it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import SEARCH_AT_ONCE, AnnotateScreen

SIZE = (100, 32)
ARTICLES = 400
NEEDLE_AT = 350
GATE_AT = 100  # the search waits for the test at this article


def write_corpus(path: Path) -> Path:
    filler = "Troops moved along the river road at dawn while residents watched from their doorways. " * 4
    with path.open("w", encoding="utf-8") as out:
        for number in range(ARTICLES):
            text = f"Report {number}. {filler}" + (" A needle in the haystack." if number == NEEDLE_AT else "")
            out.write(json.dumps({"id": f"art-{number}", "text": text}) + "\n")
    return path


class Gate:
    """Holds the search at one article until the test opens it; says when the search got there."""

    def __init__(self, corpus: Corpus) -> None:
        self.reached = threading.Event()
        self.opened = threading.Event()
        self.may_hold = corpus.may_hold
        corpus.may_hold = self.held  # type: ignore[method-assign]

    def held(self, index: int, folded: str) -> bool:
        if index == GATE_AT:
            self.reached.set()
            self.opened.wait(10)
        return self.may_hold(index, folded)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Callable[..., Session]]:
    stores: list[Store] = []

    def make(**corpus_options: object) -> Session:
        store = Store(tmp_path / f"store{len(stores)}.jsonl")
        stores.append(store)
        corpus = Corpus([write_corpus(tmp_path / "corpus.jsonl")], **corpus_options)  # type: ignore[arg-type]
        return Session(corpus, load_schema(default_schema_path()), store, "tester")

    yield make
    for store in stores:
        store.close()


def screen_of(app: AnnotatorApp) -> AnnotateScreen:
    return next(screen for screen in app.screen_stack if isinstance(screen, AnnotateScreen))


def status(app: AnnotatorApp) -> str:
    return str(screen_of(app).query_one("#status").render())


async def test_a_long_search_runs_behind_the_screen_and_escape_stops_it(session: Callable[..., Session]) -> None:
    assert GATE_AT > SEARCH_AT_ONCE  # the gate is in the part searched in the thread
    work = session()
    gate = Gate(work.corpus)
    app = AnnotatorApp(work, store_path="store.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"needle", "enter")
        assert await asyncio.to_thread(gate.reached.wait, 10)
        await pilot.pause()
        assert "searching for 'needle'" in status(app) and f"of {ARTICLES:,} articles" in status(app)
        screen = screen_of(app)
        before = screen.cursor
        await pilot.press("right")  # the screen answers while the search runs
        assert screen.cursor != before and screen.background.running
        await pilot.press("2")
        assert [span["text"] for span in work.store.contents.get("art-0#0")["spans"]] == ["0"]  # the token after "Report"
        await pilot.press("escape")
        assert not screen.background.running and "search stopped" in status(app)
        gate.opened.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert work.paragraph.id == "art-0#0"  # the stopped search never jumps
        assert screen.selection is None


async def test_a_long_search_jumps_to_its_match_when_done(session: Callable[..., Session]) -> None:
    work = session()
    gate = Gate(work.corpus)
    app = AnnotatorApp(work, store_path="store.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"NEEDLE", "enter")
        assert await asyncio.to_thread(gate.reached.wait, 10)
        gate.opened.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = screen_of(app)
        assert work.paragraph.id == f"art-{NEEDLE_AT}#0" and not screen.background.running
        assert screen.cursor is not None and screen.tokens[screen.cursor].text == "needle"
        assert f"match for 'NEEDLE' in paragraph 1 of 1 (id art-{NEEDLE_AT}#0)" in status(app)
        await pilot.press("2")
    assert [span["text"] for span in work.store.contents.get(f"art-{NEEDLE_AT}#0")["spans"]] == ["needle"]


async def test_g_with_an_id_waits_for_the_index_in_the_background(session: Callable[..., Session]) -> None:
    work = session(full_check_bytes=0, index_later=True)
    work.corpus.start_indexing = lambda: None  # type: ignore[method-assign]  # the look-up itself must start it
    app = AnnotatorApp(work, store_path="store.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        assert not work.corpus.indexing_done
        await pilot.press("g", *f"art-{ARTICLES - 1}", "enter")
        screen = screen_of(app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert work.paragraph.id == f"art-{ARTICLES - 1}#0" and not screen.background.running
        await pilot.press("g", *"art-nowhere", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert work.paragraph.id == f"art-{ARTICLES - 1}#0"
        assert "no paragraph or article 'art-nowhere'" in status(app)
