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
        assert "accepted LOCATION · suggested at 2 other occurrence(s)" in str(app.screen.query_one("#status").render())
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
        assert "suggested at 1 other occurrence(s)" in str(app.screen.query_one("#status").render())
        assert suggested_flags(space, "a-strikes#1") == [("ACTOR", "Hezbollah", True)]
        await pilot.press("pagedown", "pagedown")
        suggest_in_open_paragraph(space, suggestion(session, "Tyre", "LOCATION"))  # a-strikes#2, its own "Tyre"
        await pilot.press("A")
        assert "accepted 1 suggestion(s) · suggested at 2 other occurrence(s)" in str(
            app.screen.query_one("#status").render())
    assert suggested_flags(space, "a-strikes#0") == [("ACTOR", "Hezbollah", False), ("LOCATION", "Tyre", True)]
    assert suggested_flags(space, "a-strikes#1") == [("LOCATION", "Tyre", True), ("ACTOR", "Hezbollah", True)]
