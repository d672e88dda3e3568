"""The annotate screen driven by its keys: each test presses keys and reads the store file back."""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.widgets import Input

from annotator.core.spans import Annotation, span_over_tokens
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.widgets.paragraph_view import ParagraphView

SIZE = (100, 32)


def make_app(space, **options) -> AnnotatorApp:
    return AnnotatorApp(space.session, store_path="annotations.jsonl", **options)


def annotate(app: AnnotatorApp) -> AnnotateScreen:
    """The annotate screen, also while a prompt is open over it."""
    return next(screen for screen in app.screen_stack if isinstance(screen, AnnotateScreen))


def under_cursor(app: AnnotatorApp) -> str:
    screen = annotate(app)
    return screen.tokens[screen.cursor].text


def saved_spans(space, paragraph_id: str) -> list[tuple[str, str]]:
    record = space.saved()[paragraph_id]
    for span in record["spans"]:
        assert record["text"][span["start"]:span["end"]] == span["text"]
    return [(span["label"], span["text"]) for span in record["spans"]]


async def press_to(pilot, app: AnnotatorApp, word: str) -> None:
    """Move the cursor right until it is on `word`."""
    for _ in range(200):
        if under_cursor(app) == word:
            return
        await pilot.press("right")
    raise AssertionError(f"{word!r} not reached")


async def test_label_key_tags_the_token_under_the_cursor_and_saves_it(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("2")
        assert "saved ✓" in str(app.screen.query_one("#status").render())
    assert saved_spans(space, "a-strikes#0") == [("LOCATION", "Syria")]
    assert "answer" not in space.saved()["a-strikes#0"]


async def test_shift_arrows_grow_and_shrink_the_selection_from_where_it_began(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Islamic")
        await pilot.press("shift+right", "shift+right", "shift+right", "shift+right", "shift+left", "shift+left")
        await pilot.press("1")
    assert saved_spans(space, "a-strikes#0") == [("ACTOR", "Islamic Revolutionary Guard")]


async def test_right_drops_the_selection_and_skips_punctuation_only_by_one_token(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("shift+right", "right")
        assert annotate(app).selection is None
        assert under_cursor(app) == "the"
        await pilot.press("home")
        assert under_cursor(app) == "In"
        await pilot.press("end")
        assert under_cursor(app) == "."


async def test_label_key_on_a_span_relabels_it_and_the_same_label_changes_nothing(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("1")
        await pilot.press("2")
        lines = space.saved_lines()
        await pilot.press("2")
        assert space.saved_lines() == lines
    assert saved_spans(space, "a-strikes#0") == [("LOCATION", "Syria")]


async def test_backspace_deletes_then_undo_and_redo_replay_it(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("2", "backspace")
        assert saved_spans(space, "a-strikes#0") == []
        await pilot.press("ctrl+z")
        assert saved_spans(space, "a-strikes#0") == [("LOCATION", "Syria")]
        await pilot.press("ctrl+y")
        assert saved_spans(space, "a-strikes#0") == []


async def test_enter_accepts_and_opens_the_next_unfinished_paragraph(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert space.session.paragraph.id == "a-strikes#1"
        assert "paragraph 2 of 3" in str(app.screen.query_one("#title").render())
        await pilot.press("x")
        await pilot.press("i")
    saved = space.saved()
    assert [saved[f"a-strikes#{i}"]["answer"] for i in range(3)] == ["accept", "reject", "ignore"]


async def test_page_keys_move_without_deciding_and_a_decided_paragraph_shows_its_decision(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "pageup")
        assert space.session.paragraph.id == "a-strikes#0"
        view = app.screen.query_one(ParagraphView)
        assert "accepted" in str(view.border_subtitle)
        await pilot.press("pagedown", "pagedown")
        assert space.session.paragraph.id == "a-strikes#2"
        assert "undecided" in str(view.border_subtitle)
    assert set(space.saved()) == {"a-strikes#0"}


async def test_undo_reaches_back_to_the_previous_paragraph(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter")
        assert space.session.paragraph.id == "a-strikes#1"
        await pilot.press("ctrl+z")
        assert space.session.paragraph.id == "a-strikes#0"
        assert "answer" not in space.saved()["a-strikes#0"]
        assert saved_spans(space, "a-strikes#0") == [("ACTOR", "In")]


async def test_flag_with_a_note_then_flag_again_to_remove_it(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("!")
        assert isinstance(app.screen.query_one(Input), Input)
        await pilot.press(*"is IRGC an ACTOR here?")
        await pilot.press("enter")
        record = space.saved()["a-strikes#0"]
        assert record["flagged"] is True and record["note"] == "is IRGC an ACTOR here?"
        await pilot.press("!")  # on a flagged paragraph: its note, to read and edit; the flag stays
        assert app.screen.query_one(Input).value == "is IRGC an ACTOR here?"
        assert "^r removes the flag (the note stays)" in str(app.screen.query_one("#prompt-question").render())
        await pilot.press(*" (Corps?)", "enter")
        record = space.saved()["a-strikes#0"]
        assert record["flagged"] is True and record["note"] == "is IRGC an ACTOR here? (Corps?)"
        await pilot.press("!", "escape")
        assert space.saved()["a-strikes#0"] == record
        await pilot.press("!", "ctrl+r")
        assert "flagged" not in space.saved()["a-strikes#0"]
        assert space.saved()["a-strikes#0"]["note"] == "is IRGC an ACTOR here? (Corps?)"  # removing the flag keeps the note
        assert "✎ is IRGC" in str(annotate(app).view.border_subtitle)


async def test_the_flagged_note_says_all_its_keys_at_80_columns(workspace):
    space = workspace()
    space.session.flag(True, "unclear")
    app = make_app(space)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("!")
        question = app.screen.query_one("#prompt-question")
        assert question.region.right <= 80
        shown = " ".join(question.render_line(y).text.strip() for y in range(question.region.height))
        assert "enter keeps the flag" in shown and "^r removes the flag (the note stays)" in shown
        assert shown.endswith("esc changes nothing")  # wrapped onto a second line, not cut
        await pilot.press("escape")
    assert space.saved()["a-strikes#0"]["note"] == "unclear" and space.saved()["a-strikes#0"]["flagged"] is True


async def test_N_leaves_a_note_on_the_paragraph_or_on_a_span_without_flagging(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N", *"check the date", "enter")
        record = space.saved()["a-strikes#0"]
        assert record["note"] == "check the date" and "flagged" not in record and "answer" not in record
        await press_to(pilot, app, "Syria")
        await pilot.press("2", "N")
        assert app.screen.query_one(Input).value == ""
        await pilot.press(*"the country, not the government", "enter")
        spans = space.saved()["a-strikes#0"]["spans"]
        assert [(s["text"], s.get("attributes")) for s in spans] == [("Syria", {"note": "the country, not the government"})]
        assert "note on LOCATION 'Syria' saved" in str(app.screen.query_one("#status").render())
        await pilot.press("N")
        assert app.screen.query_one(Input).value == "the country, not the government"
        await pilot.press(*["backspace"] * len("the country, not the government"), "enter")
        record = space.saved()["a-strikes#0"]
        assert "attributes" not in record["spans"][0] and record["note"] == "check the date"
        await pilot.press("home", "N", "ctrl+u", "enter")  # the paragraph's note, cleared
        assert "note" not in space.saved()["a-strikes#0"]


async def test_tab_selects_the_next_span_and_a_label_key_relabels_it(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("2")
        await press_to(pilot, app, "18")
        await pilot.press("3", "home", "tab", "tab")
        assert under_cursor(app) == "18"
        await pilot.press("shift+tab")
        assert under_cursor(app) == "Syria"
        await pilot.press("1")
    assert saved_spans(space, "a-strikes#0") == [("ACTOR", "Syria"), ("CASUALTY", "18")]


async def test_e_grows_the_selection_to_the_name_or_figure_under_the_cursor(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Guard")
        await pilot.press("e", "1")
        await press_to(pilot, app, "least")
        await pilot.press("e", "3")
        await press_to(pilot, app, "Deir")
        await pilot.press("e", "2")
    assert saved_spans(space, "a-strikes#0") == [
        ("ACTOR", "Islamic Revolutionary Guard Corps"), ("CASUALTY", "at least 18 people"),
        ("LOCATION", "Deir el-Zour"),
    ]


async def test_f_jumps_to_the_next_word_starting_with_what_is_typed_digits_included(workspace):
    space = workspace({"a": ["Of 18 dead, 16 were in Deir el-Zour, 2 in Damascus."]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "1", "6")
        assert under_cursor(app) == "16"
        await pilot.press("enter")
        await pilot.press("f", "d", "a", "enter")
        assert under_cursor(app) == "Damascus"
        await pilot.press("f", "d", "e", "escape")
        assert under_cursor(app) == "Damascus"
        await pilot.press("2")
    assert saved_spans(space, "a#0") == [("LOCATION", "Damascus")]


async def test_search_opens_the_paragraph_with_the_match_and_n_finds_the_next(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f", *"residents", "enter")
        assert space.session.paragraph.id == "b-border#0"
        assert under_cursor(app) == "residents"
        await pilot.press("2")
        await pilot.press("slash", *"said", "enter")
        assert space.session.paragraph.id == "b-border#0"
        await pilot.press("n")
        assert space.session.paragraph.id == "a-strikes#0"
        assert under_cursor(app) == "said"
    assert saved_spans(space, "b-border#0") == [("LOCATION", "residents")]


async def test_g_goes_to_a_paragraph_number_or_an_id(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "3", "enter")
        assert space.session.paragraph.id == "a-strikes#2"
        await pilot.press("g", *"b-border#1", "enter")
        assert space.session.paragraph.id == "b-border#1"
        await pilot.press("g", *"nowhere", "enter")
        assert space.session.paragraph.id == "b-border#1"
        await pilot.press("g", *"1:2", "enter")
        assert space.session.paragraph.id == "a-strikes#1"
        await pilot.press("g", *"2:", "enter")
        assert space.session.paragraph.id == "b-border#0"
        await pilot.press("g", *"9:1", "enter")
        assert space.session.paragraph.id == "b-border#0"


async def test_filter_to_flagged_pages_only_through_flagged_paragraphs(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", *"b-border#0", "enter", "!", "enter")
        await pilot.press("g", "1", "enter")
        await pilot.press("home")
        await pilot.press("g", *"a-strikes#0", "enter")
        await pilot.press("u", "u")
        assert "only flagged" in str(app.screen.query_one("#title").render())
        await pilot.press("pagedown")
        assert space.session.paragraph.id == "b-border#0"
        await pilot.press("pagedown")
        assert space.session.paragraph.id == "b-border#0"


async def test_a_accepts_the_suggested_span_under_the_cursor(workspace):
    space = workspace()
    session = space.session
    suggested = replace(span_over_tokens(session.tokens, 1, 1, "LOCATION"), suggested=True, source="model:test")
    session.replace(Annotation(spans=(replace(suggested, id="s1"),)))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("a")
    span = space.saved()["a-strikes#0"]["spans"][0]
    assert span["text"] == "Syria" and not span.get("suggested", False)


async def test_offsets_stay_exact_after_emoji_arabic_and_crlf(workspace):
    space = workspace({"mixed": ["Families 👩‍👩‍👧 fled Aleppo.\r\nقال المسؤولون إن 18 قتلوا", "Next."]},
                      newline="\r\n")
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Aleppo")
        await pilot.press("2")
        await press_to(pilot, app, "المسؤولون")
        await pilot.press("4")
        await press_to(pilot, app, "18")
        await pilot.press("3")
    assert saved_spans(space, "mixed#0") == [("LOCATION", "Aleppo"), ("ATTRIBUTION", "المسؤولون"), ("CASUALTY", "18")]
    text = space.saved()["mixed#0"]["text"]
    assert "\r\n" in text


async def test_control_characters_are_drawn_as_placeholders_never_sent_raw(workspace):
    space = workspace({"evil": ["Alert \x1b[31mred\x1b[0m\tand\x07bel end"]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        shown = "".join(view.render_line(y).text for y in range(3))
        assert "␛[31mred␛[0m→and␇bel" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        await press_to(pilot, app, "and")
        await pilot.press("1")
    assert saved_spans(space, "evil#0") == [("ACTOR", "and")]


async def test_wide_characters_keep_the_cursor_on_the_right_cells(workspace):
    space = workspace({"wide": ["北京 said 👍 ok"]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "said")
        view = app.screen.query_one(ParagraphView)
        reversed_text = [segment.text for segment in view.render_line(0) if segment.style and segment.style.reverse]
        assert reversed_text == ["said"]
        # "北" and "京" (one token each) take two cells apiece, then a space: "said" starts at cell 5.
        assert view.token_at(5, 0) == annotate(app).cursor
        assert (view.token_at(1, 0), view.token_at(3, 0)) == (0, 1)


async def test_click_moves_the_cursor_and_click_on_a_span_selects_it(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        # Offsets count the border and the padding: cell (5, 1) is the "S" of "In Syria".
        await pilot.click(ParagraphView, offset=(5, 1))
        assert under_cursor(app) == "Syria"
        assert annotate(app).selection is None
        await pilot.press("2", "home")
        await pilot.click(ParagraphView, offset=(6, 1))
        span = annotate(app).selected_span()
        assert span is not None and span.label == "LOCATION"


async def test_a_keymap_from_the_config_remaps_a_binding(workspace):
    space = workspace()
    app = make_app(space, keymap={"annotator.next_token": "l", "annotator.accept": "ctrl+a"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        assert under_cursor(app) == "Syria"
        await pilot.press("ctrl+a")
        assert space.session.paragraph.id == "a-strikes#1"


async def test_help_lists_every_key_with_its_binding_id_and_every_label(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        ids = {row.binding_id for row in annotate(app).key_list()}
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_screen = app.screen
        for binding in AnnotateScreen.BINDINGS:
            assert binding.id in ids
        actor = space.session.schema.labels[0]
        guide = help_screen.labels_table.columns[2]._cells[0].plain
        assert guide.startswith(actor.description[:40]) and all(example in guide for example in actor.examples)
        listed_ids = help_screen.listed
        assert {binding.id for binding in AnnotateScreen.BINDINGS} <= set(listed_ids)
        shown = {str(cell).rpartition("\n")[2] for cell in help_screen.keys_table.columns[1]._cells}
        assert {binding.id for binding in AnnotateScreen.BINDINGS} <= shown  # each under what its key does
        names = [cell.plain for cell in help_screen.labels_table.columns[1]._cells]
        for label in space.session.schema.labels:
            assert any(label.name in name for name in names)
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)


async def test_the_command_palette_runs_any_action(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Reject")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
    assert space.saved()["a-strikes#0"]["answer"] == "reject"


async def test_end_on_a_long_paragraph_scrolls_the_cursor_into_view(workspace):
    long = " ".join(f"word{i}" for i in range(3000)) + "."
    space = workspace({"long": [long]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ParagraphView)
        await pilot.press("end")
        line = view.line_of_token(annotate(app).cursor)
        assert view.scroll_offset.y <= line < view.scroll_offset.y + view.scrollable_content_region.height
        assert view.scroll_offset.y > 0


async def test_q_quits_with_everything_already_saved(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "q")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None
    assert saved_spans(space, "a-strikes#0") == [("ACTOR", "In")]


async def test_the_worked_example_in_docs_keys_md_tags_every_span_in_22_keys(workspace):
    paragraph = "US officials said at least 18 people died in Deir el-Zour when the Islamic Revolutionary Guard Corps struck."
    space = workspace({"worked": [paragraph]})
    app = make_app(space)
    keys = [
        "shift+right", "1",  # ACTOR "US officials"
        "home", "shift+right", "shift+right", "4",  # ATTRIBUTION "US officials said"
        "right", "e", "3",  # CASUALTY "at least 18 people": e takes in the people the figure counts
        "right", "right", "right", "e", "2",  # LOCATION "Deir el-Zour"
        "right", "right", "right", "e", "1",  # ACTOR "Islamic Revolutionary Guard Corps"
        "enter", "k",  # refused: the CASUALTY needs its status; the panel opens on it, k = killed
        "enter",  # accept
    ]
    assert len(keys) == 22
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
    assert sorted(saved_spans(space, "worked#0")) == sorted([
        ("ACTOR", "US officials"), ("ATTRIBUTION", "US officials said"), ("CASUALTY", "at least 18 people"),
        ("LOCATION", "Deir el-Zour"), ("ACTOR", "Islamic Revolutionary Guard Corps"),
    ])
    assert space.saved()["worked#0"]["answer"] == "accept"
    casualty = next(span for span in space.saved()["worked#0"]["spans"] if span["label"] == "CASUALTY")
    assert casualty["attributes"]["status"] == "killed"


async def test_a_drag_selects_whole_tokens_and_a_label_key_tags_them(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ParagraphView)
        # Press in the middle of "Syria" (text cells 3-7), drag to the middle of "Islamic" (cells 14-20);
        # widget offsets add the border and the padding (2 cells) and the top border (1 row).
        await pilot.mouse_down(ParagraphView, offset=(6, 1))
        x, y = view.region.x + 18, view.region.y + 1
        view.post_message(events.MouseMove(view, 18, 1, 12, 0, 1, False, False, False, screen_x=x, screen_y=y))
        await pilot.pause()
        assert annotate(app).selection is not None
        await pilot.mouse_up(ParagraphView, offset=(18, 1))
        await pilot.press("1")
    assert saved_spans(space, "a-strikes#0") == [("ACTOR", "Syria, the Islamic")]


async def test_v_sets_attributes_with_the_schemas_attribute_and_choice_keys(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Guard")
        await pilot.press("e", "1", "v", "t", "s")
        await pilot.press("escape")
        await press_to(pilot, app, "least")
        await pilot.press("e", "shift+right", "3", "v", "n", *"18", "enter", "x", "l")
        await pilot.press("down", "down", "enter", *"15", "enter", "escape")  # from qualifier to high
        assert isinstance(app.screen, AnnotateScreen)
    spans = {span["label"]: span for span in space.saved()["a-strikes#0"]["spans"]}
    assert spans["ACTOR"]["attributes"] == {"type": "state_forces"}
    assert spans["CASUALTY"]["attributes"]["count"] == 18
    assert spans["CASUALTY"]["attributes"]["qualifier"] == "at_least"
    assert spans["CASUALTY"]["attributes"]["high"] == 15  # no key in the schema: reached with the arrows


async def test_an_edit_the_store_cannot_write_is_not_shown_as_done(workspace):
    space = workspace()
    app = make_app(space)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        space.store.append = disk_full
        await pilot.press("2")
        status = str(app.screen.query_one("#status").render())
        assert "NOT SAVED" in status and "saved ✓" not in status
        assert space.session.annotation.spans == ()
        assert app.screen.query_one(ParagraphView)._spans == ()


async def test_a_narrower_terminal_rewraps_and_keeps_the_cursor_visible(workspace):
    long = " ".join(f"word{i}" for i in range(400)) + "."
    space = workspace({"long": [long]})
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ParagraphView)
        await pilot.press("end")
        lines_before = len(view.layout_lines.lines)
        await pilot.resize_terminal(50, 32)  # narrower than the paragraph view at 100 columns (beside the span list)
        await pilot.pause()
        assert len(view.layout_lines.lines) > lines_before
        line = view.line_of_token(annotate(app).cursor)
        assert view.scroll_offset.y <= line < view.scroll_offset.y + view.scrollable_content_region.height


async def test_r_links_two_spans_with_a_schema_relation_and_again_unlinks(workspace):
    space = workspace()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Syria")
        await pilot.press("2")
        await press_to(pilot, app, "Guard")
        await pilot.press("e", "1", "r", "l", "1")
        record = space.saved()["a-strikes#0"]
        spans = {span["id"]: span["text"] for span in record["spans"]}
        assert [(r["label"], spans[r["head_id"]], spans[r["child_id"]]) for r in record["relations"]] == [
            ("located_at", "Islamic Revolutionary Guard Corps", "Syria")]
        await pilot.press("r", "l", "1")
    assert space.saved()["a-strikes#0"]["relations"] == []


async def test_a_remapping_onto_a_taken_key_or_an_unknown_id_is_reported(workspace, notifications):
    space = workspace()
    app = make_app(space, keymap={"annotator.quit": "x", "annotator.next_token": "2", "annotator.nope": "z",
                                  "annotator.undo": "ctrl+u"})
    sent = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        [warning] = [n for n in sent if n.title == "Key settings"]
        assert "takes x from annotator.reject" in warning.message
        assert "takes 2 from the LOCATION label" in warning.message
        assert "'annotator.nope' is not a binding id" in warning.message
        assert "ctrl+u" not in warning.message
