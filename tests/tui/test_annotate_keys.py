"""The annotate screen's keys for required attributes, character precision and the `f` prompt:
each test presses the real keys and reads the store file back."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console
from textual import events

from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.attributes import AttributeScreen
from annotator.tui.widgets.paragraph_view import ParagraphView

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
    # "killed or wounded": no status is pre-filled (casualty_status), so the required value is missing
    space = workspace({"req": ["Militants killed or wounded at least 18 people in Deir el-Zour on Sunday."]})
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


def with_char_actor(space) -> None:
    """The default schema with ACTOR made character-precise (`snap: char`); LOCATION stays `snap: token`."""
    schema = space.session.schema
    labels = tuple(replace(label, snap="char") if label.name == "ACTOR" else label for label in schema.labels)
    space.session.reload_schema(replace(schema, labels=labels))


def saved_spans(space, paragraph_id: str) -> list[tuple[str, str]]:
    record = space.saved()[paragraph_id]
    for span in record["spans"]:
        assert record["text"][span["start"]:span["end"]] == span["text"]
    return [(span["label"], span["text"]) for span in record["spans"]]


async def test_c_tags_iran_inside_iranian_backed_with_a_snap_char_label(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = annotate(app)
        assert "✎ characters" in str(screen.view.border_title)  # the visible indicator
        assert "character mode" in status(app)
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert screen.chars is not None and screen.chars.selection == (0, 4)
        await pilot.press("1")
        assert "widened" not in status(app)
        await pilot.press("c")
        assert "✎" not in str(screen.view.border_title)
    assert saved_spans(space, "chars#0") == [("ACTOR", "Iran")]


async def test_in_character_mode_arrows_move_by_a_character_and_skip_spaces(workspace):
    space = workspace({"chars": ["US bombers struck."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "right")
        screen = annotate(app)
        assert screen.chars is not None and screen.chars.cursor == 1 and screen.chars.anchor is None
        await pilot.press("right")  # over the space onto "b"
        assert screen.chars.cursor == 3 and screen.tokens[screen.cursor].text == "bombers"
        await pilot.press("shift+right", "shift+right", "shift+left")
        assert screen.chars.selection == (3, 5)
        await pilot.press("escape")
        assert screen.selection is None and screen.chars.cursor == 4
        await pilot.press("left", "shift+left", "1")  # from "b" over the space to "S"
    assert saved_spans(space, "chars#0") == [("ACTOR", "S b")]


async def test_a_snap_token_label_widens_a_character_selection_and_says_so(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "shift+right", "shift+right", "shift+right", "2")  # LOCATION: snap token
        assert "widened to whole tokens" in status(app)
    assert saved_spans(space, "chars#0") == [("LOCATION", "Iranian-backed")]


async def test_c_keeps_a_token_selection_as_characters_and_back(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right", "c")
        screen = annotate(app)
        assert screen.chars is not None and screen.chars.selection == (0, len("Iranian-backed militias"))
        await pilot.press("shift+left", "c")
        assert screen.chars is None and screen.selection == (0, 1)
        await pilot.press("1")
    assert saved_spans(space, "chars#0") == [("ACTOR", "Iranian-backed militias")]


async def drag(pilot, app, start: int, end: int) -> None:
    """Press on cell `start` of the paragraph's first line, drag to cell `end` and release there
    (widget offsets add the border and padding: 2 cells, and the top border: 1 row)."""
    view = app.screen.query_one(ParagraphView)
    await pilot.mouse_down(ParagraphView, offset=(start + 2, 1))
    x, y = view.region.x + end + 2, view.region.y + 1
    view.post_message(events.MouseMove(view, end + 2, 1, 0, 0, 1, False, False, False, screen_x=x, screen_y=y))
    await pilot.pause()
    await pilot.mouse_up(ParagraphView, offset=(end + 2, 1))


async def test_a_drag_inside_a_token_keeps_its_characters_for_a_snap_char_label(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await drag(pilot, app, 0, 3)  # "I" to "n" of "Iranian-backed", in token mode
        assert annotate(app).chars is not None and annotate(app).chars.selection == (0, 4)
        await pilot.press("1")
    assert saved_spans(space, "chars#0") == [("ACTOR", "Iran")]


async def test_a_drag_inside_a_token_is_widened_by_a_snap_token_label(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await drag(pilot, app, 8, 13)  # "backed"
        await pilot.press("2")
        assert "widened to whole tokens" in status(app)
        await pilot.press("right")  # a token key after the tag: by tokens again
        assert annotate(app).chars is None
    assert saved_spans(space, "chars#0") == [("LOCATION", "Iranian-backed")]


async def test_in_the_f_prompt_a_label_key_closes_it_and_tags_the_word(workspace):
    space = workspace({"jump": ["US officials said Iran denied it, and Iraq protested."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "i", "r", "a", "n")
        assert annotate(app).tokens[annotate(app).cursor].text == "Iran"
        await pilot.press("1")  # no word starts with "iran1": the label key, no enter needed
        assert isinstance(app.screen, AnnotateScreen)
        await pilot.press("f", "I", "r", "a", "q", "2")
        assert isinstance(app.screen, AnnotateScreen)
    assert saved_spans(space, "jump#0") == [("ACTOR", "Iran"), ("LOCATION", "Iraq")]


async def test_in_the_f_prompt_digits_that_start_a_word_are_typed(workspace):
    space = workspace({"jump": ["Of 18 dead, 16 were in Deir el-Zour, 2 in Damascus."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "1", "6")  # "1" and "16" start words: typed, not tags
        assert not isinstance(app.screen, AnnotateScreen)
        assert annotate(app).tokens[annotate(app).cursor].text == "16"
        await pilot.press("3")  # "163" starts no word: CASUALTY tags "16"
        assert isinstance(app.screen, AnnotateScreen)
    assert saved_spans(space, "jump#0") == [("CASUALTY", "16")]


async def test_in_the_f_prompt_shift_arrows_close_it_and_select_from_the_word(workspace):
    space = workspace({"jump": ["Officials said the Popular Mobilization Forces reported it."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "p", "o", "shift+right")
        screen = annotate(app)
        assert isinstance(app.screen, AnnotateScreen)
        assert [screen.tokens[i].text for i in screen.selection] == ["Popular", "Mobilization"]
        await pilot.press("shift+right", "1")
    assert saved_spans(space, "jump#0") == [("ACTOR", "Popular Mobilization Forces")]


async def test_in_the_f_prompt_letters_enter_and_escape_work_as_before(workspace):
    space = workspace({"jump": ["Officials said the Popular Mobilization Forces reported it."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "e", "x")  # letters the screen binds (e, x) are text in the prompt
        assert not isinstance(app.screen, AnnotateScreen)
        await pilot.press("escape")
        assert annotate(app).tokens[annotate(app).cursor].text == "Officials"
        await pilot.press("f", "r", "e", "enter")
        assert annotate(app).tokens[annotate(app).cursor].text == "reported"
    assert "jump#0" not in space.saved()


async def test_tab_in_character_mode_selects_a_character_span_exactly_and_backspace_deletes_it(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "shift+right", "shift+right", "shift+right", "1", "end", "tab")
        assert annotate(app).chars.selection == (0, 4)
        await pilot.press("backspace")
    assert saved_spans(space, "chars#0") == []


async def test_at_80_columns_the_widening_message_leaves_the_progress_on_the_status_line(workspace):
    space = workspace({"chars": ["Iranian-backed militias struck Tyre."]})
    with_char_actor(space)
    app = make_app(space)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "shift+right", "shift+right", "shift+right", "2")
        line = status(app)
        assert line.startswith("saved ✓ · tagged LOCATION, widened to whole tokens · 0/1 done (0%)"), line
        assert len(line) <= 78
    assert saved_spans(space, "chars#0") == [("LOCATION", "Iranian-backed")]
