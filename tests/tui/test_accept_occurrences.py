"""Accepting a suggestion (`a`, `A`, or its label's key) suggests its text's other occurrences, as tagging does."""

from __future__ import annotations

from test_annotate import SIZE, make_app, press_to
from test_suggestions_screen import ARTICLE, suggest_in_open_paragraph, suggested_flags, suggestion


async def test_a_accepting_one_suggestion_suggests_it_where_its_text_recurs_and_O_tags_them(workspace):
    space = workspace(ARTICLE)
    session = space.session
    suggest_in_open_paragraph(space, suggestion(session, "Tyre", "LOCATION"))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press("a")
        assert "accepted LOCATION · 2 more suggested: O tags all" in str(app.screen.query_one("#status").render())
        assert suggested_flags(space, "a-strikes#0") == [("LOCATION", "Tyre", False)]
        assert suggested_flags(space, "a-strikes#1") == [("LOCATION", "Tyre", True)]  # not "Tyrell"
        assert suggested_flags(space, "a-strikes#2") == [("LOCATION", "Tyre", True)]
        assert {span["source"] for span in space.saved()["a-strikes#1"]["spans"]} == {"occurrence"}
        await pilot.press("O")
    assert suggested_flags(space, "a-strikes#1") == [("LOCATION", "Tyre", False)]
    assert suggested_flags(space, "a-strikes#2") == [("LOCATION", "Tyre", False)]


async def test_A_and_a_label_key_on_a_suggestion_suggest_the_occurrences_too(workspace):
    space = workspace(ARTICLE)
    session = space.session
    suggest_in_open_paragraph(space, suggestion(session, "Hezbollah", "ACTOR"))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")  # the cursor is on the suggestion: its own label's key accepts it
        assert "1 more suggested: O tags all" in str(app.screen.query_one("#status").render())
        assert suggested_flags(space, "a-strikes#1") == [("ACTOR", "Hezbollah", True)]
        await pilot.press("pagedown", "pagedown")
        suggest_in_open_paragraph(space, suggestion(session, "Tyre", "LOCATION"))  # a-strikes#2, its own "Tyre"
        await pilot.press("A")
        assert "accepted 1 suggestion(s) · 2 more suggested: O tags all" in str(
            app.screen.query_one("#status").render())
    assert suggested_flags(space, "a-strikes#0") == [("ACTOR", "Hezbollah", False), ("LOCATION", "Tyre", True)]
    assert suggested_flags(space, "a-strikes#1") == [("LOCATION", "Tyre", True), ("ACTOR", "Hezbollah", True)]


FUNCTION_WORDS_ARTICLE = {"border": [
    "Fighting between army units and militias killed 18 people near Tyre.",
    "Talks between the two sides failed; 18 soldiers stayed in Tyre.",
    "The army said the fighting between them went on.",
]}


async def test_a_lone_function_word_punctuation_or_bare_number_is_not_suggested_where_it_recurs(workspace):
    space = workspace(FUNCTION_WORDS_ARTICLE)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        for word, label in (("between", "ACTOR"), ("18", "CASUALTY"), (";", "ACTOR")):
            if word == ";":
                await pilot.press("pagedown")  # the semicolon is in the second paragraph
            await press_to(pilot, app, word)
            await pilot.press(label_key(space, label))
            status = str(app.screen.query_one("#status").render())
            assert f"tagged {label}" in status and "occurrence" not in status
    saved = space.saved()
    assert [(span["text"], span.get("suggested", False)) for span in saved["border#0"]["spans"]] == [
        ("between", False), ("18", False)]
    assert [span["text"] for span in saved["border#1"]["spans"]] == [";"]  # nothing suggested at "between", "18"
    assert "border#2" not in saved  # its "between" got no suggestion: the paragraph was never written


async def test_a_name_is_still_suggested_where_it_recurs_next_to_those_words(workspace):
    space = workspace(FUNCTION_WORDS_ARTICLE)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press(label_key(space, "LOCATION"))
        assert "1 more suggested: O tags all" in str(app.screen.query_one("#status").render())
    assert suggested_flags(space, "border#1") == [("LOCATION", "Tyre", True)]


def label_key(space, name: str) -> str:
    label = space.session.schema.label(name)
    assert label is not None and label.key
    return label.key
