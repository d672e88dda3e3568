"""The annotate screen's keys for required attributes, character precision and the `f` prompt:
each test presses the real keys and reads the store file back."""

from __future__ import annotations

import io

from rich.console import Console

from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.attributes import AttributeScreen

SIZE = (100, 32)


def make_app(space) -> AnnotatorApp:
    return AnnotatorApp(space.session, store_path="annotations.jsonl")


def annotate(app: AnnotatorApp) -> AnnotateScreen:
    """The annotate screen, also while a dialog is open over it."""
    return next(screen for screen in app.screen_stack if isinstance(screen, AnnotateScreen))


def status(app: AnnotatorApp) -> str:
    return str(annotate(app).query_one("#status").render())


async def press_to(pilot, app: AnnotatorApp, word: str) -> None:
    screen = annotate(app)
    for _ in range(200):
        if screen.tokens[screen.cursor].text == word:
            return
        await pilot.press("right")
    raise AssertionError(f"{word!r} not reached")


async def test_accept_is_refused_until_a_required_attribute_has_a_value(workspace):
    space = workspace({"req": ["Militants killed at least 18 people in Deir el-Zour on Sunday."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "at")
        await pilot.press("shift+right", "shift+right", "shift+right", "3", "enter")
        record = space.saved()["req#0"]
        assert "answer" not in record  # not accepted
        assert [span["text"] for span in record["spans"]] == ["at least 18 people"]
        assert "status" not in record["spans"][0].get("attributes", {})
        said = status(app)
        assert 'CASUALTY "at least 18 people"' in said and "status" in said and "key s" in said
        panel = app.screen
        assert isinstance(panel, AttributeScreen)
        assert panel.attribute is not None and panel.attribute.name == "status"  # opened on it, choices shown
        assert annotate(app).session.paragraph.id == "req#0"  # the paragraph stays open
        await pilot.press("k")  # the choice's key: killed
        assert isinstance(app.screen, AnnotateScreen)  # everything required is given: the panel closed
        assert "enter accepts" in status(app)
        assert space.saved()["req#0"]["spans"][0]["attributes"]["status"] == "killed"
        assert "answer" not in space.saved()["req#0"]
        await pilot.press("enter")
    record = space.saved()["req#0"]
    assert record["answer"] == "accept"
    assert record["spans"][0]["attributes"]["status"] == "killed"


async def test_reject_and_ignore_need_no_required_value(workspace):
    space = workspace({"req": ["Three soldiers were killed.", "Two more died."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right", "3", "x")
    record = space.saved()["req#0"]
    assert record["answer"] == "reject"


async def test_the_help_sheet_says_which_attributes_are_required(workspace):
    space = workspace({"req": ["Three soldiers were killed."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.labels_table)
        labels = console.export_text()
        assert "status required" in labels
        assert "victims required" not in labels
