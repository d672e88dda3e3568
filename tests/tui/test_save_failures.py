"""The annotate screen when the store cannot be written: NOT SAVED until every change is, nothing dropped."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.store import read_store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.paragraph_view import ParagraphView

SIZE = (100, 32)


def status(app: AnnotatorApp) -> str:
    return str(app.screen.query_one("#status").render())


async def press_to(pilot, app: AnnotatorApp, word: str) -> None:
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    for _ in range(200):
        if screen.tokens[screen.cursor].text == word:
            return
        await pilot.press("right")
    raise AssertionError(f"{word!r} not reached")


@contextmanager
def disk_full(monkeypatch: pytest.MonkeyPatch, store: Path, written: int = 30) -> Iterator[None]:
    """Writes to the store meanwhile put their first `written` bytes on disk, then fail as a full disk does."""
    real = os.write
    store_file = os.stat(store).st_ino

    def write(fd: int, data: bytes) -> int:
        if os.fstat(fd).st_ino != store_file:
            return real(fd, data)
        real(fd, bytes(data)[:written])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", write)
        yield


def spans_of_lines(space, paragraph_id: str) -> list[list[tuple[str, str]]]:
    """Each saved line of a paragraph, in file order, as its (label, text) spans."""
    contents = read_store(space.store_path)
    return [[(span["label"], span["text"]) for span in contents.read(index)["spans"]]
            for index, line in enumerate(contents.lines) if line.id == paragraph_id]


async def test_changes_the_disk_refused_wait_and_are_written_in_order_at_the_next_key(
    workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("2")  # saved: the paragraph's first line, with its tokens
        with disk_full(monkeypatch, space.store_path):
            await press_to(pilot, app, "Guard")
            await pilot.press("1")
            assert "NOT SAVED" in status(app) and "1 change(s) waiting" in status(app)
            await press_to(pilot, app, "Deir")
            await pilot.press("2")
            assert "NOT SAVED" in status(app) and "2 change(s) waiting" in status(app)
            await pilot.press("right", "left")  # moving writes nothing and keeps saying so
            assert "NOT SAVED" in status(app)
            assert [span.label for span in space.session.annotation.spans] == ["LOCATION"]  # what the store holds
            assert len(app.screen.query_one(ParagraphView)._spans) == 1  # shown once written, not before
        await pilot.press("home")
        await press_to(pilot, app, "Corps")
        await pilot.press("1")
        assert "saved ✓" in status(app) and "NOT SAVED" not in status(app)
        assert len(app.screen.query_one(ParagraphView)._spans) == 4
    assert spans_of_lines(space, "a-strikes#0") == [
        [("LOCATION", "Syria")],
        [("LOCATION", "Syria"), ("ACTOR", "Guard")],
        [("LOCATION", "Syria"), ("ACTOR", "Guard"), ("LOCATION", "Deir")],
        [("LOCATION", "Syria"), ("ACTOR", "Guard"), ("ACTOR", "Corps"), ("LOCATION", "Deir")],
    ]
    contents = read_store(space.store_path)
    assert any("cut off" in warning for warning in contents.warnings)  # the partial lines: reported, kept
    assert main(["stats", str(space.store_path)]) == 0
    capsys.readouterr()


async def test_the_timer_writes_the_changes_waiting_once_the_disk_takes_them(
    workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        with disk_full(monkeypatch, space.store_path, written=0):
            await press_to(pilot, app, "Syria")
            await pilot.press("2")
            screen = app.screen
            assert isinstance(screen, AnnotateScreen) and screen.retry_timer is not None
            screen.retry_saving()  # the timer, while the disk is still full
            assert "NOT SAVED" in status(app)
        screen.retry_saving()  # the timer, once it is not
        await pilot.pause()
        assert "saved ✓" in status(app) and screen.retry_timer is None
        assert [span.label for span in screen.query_one(ParagraphView)._spans] == ["LOCATION"]
    assert spans_of_lines(space, "a-strikes#0") == [[("LOCATION", "Syria")]]


async def test_quitting_with_changes_waiting_asks_for_a_second_q(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        with disk_full(monkeypatch, space.store_path):
            await press_to(pilot, app, "Syria")
            await pilot.press("2")
            await pilot.press("q")
            assert app.is_running and "q again quits" in status(app)
            await pilot.press("q")
    assert not app.is_running
    assert read_store(space.store_path).latest == {}  # the cut-off line is reported, not a record


async def test_an_undo_the_disk_refuses_shows_the_paragraph_it_opened_and_undoes_nothing(
    workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("2", "pagedown")
        with disk_full(monkeypatch, space.store_path):
            await pilot.press("ctrl+z")
            screen = app.screen
            assert isinstance(screen, AnnotateScreen) and "NOT SAVED" in status(app)
            assert screen.paragraph_id == space.session.paragraph.id == "a-strikes#0"  # drawn as the session has it
            assert [span.label for span in screen.query_one(ParagraphView)._spans] == ["LOCATION"]
        await pilot.press("ctrl+z")
        assert "saved ✓" in status(app) and screen.query_one(ParagraphView)._spans == ()
    assert spans_of_lines(space, "a-strikes#0") == [[("LOCATION", "Syria")], []]


def test_annotate_exits_1_naming_the_changes_it_could_not_write(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "strikes.txt"
    source.write_text("Iraq said so.\n", encoding="utf-8")
    store_path = tmp_path / "out.jsonl"

    full = ExitStack()  # the disk stays full until annotate has returned

    def run_with_a_full_disk(app: AnnotatorApp) -> None:  # the screen closes with a change still waiting
        full.enter_context(disk_full(monkeypatch, store_path, written=0))
        with pytest.raises(OSError):
            app.session.tag_tokens(0, 0, "LOCATION")

    monkeypatch.setattr(AnnotatorApp, "run", run_with_a_full_disk)
    with full:
        status = main(["annotate", str(source), "--out", str(store_path), "--annotator", "alice"])
    err = capsys.readouterr().err
    assert status == 1 and "1 change(s) could not be written" in err and "No space left on device" in err
    assert read_store(store_path).latest == {}
