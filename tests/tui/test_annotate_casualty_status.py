"""The annotate screen pre-fills a casualty's required `status` where the text is clear (casualty_status)."""

from __future__ import annotations

from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.attributes import AttributeScreen

SIZE = (100, 32)


async def test_a_tagged_figure_gets_the_status_its_verb_gives_and_the_paragraph_is_accepted(workspace):
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "1", "8", "enter", "shift+right", "3", "enter")  # "18 people died": killed
        assert not isinstance(app.screen, AttributeScreen)
    record = space.saved()["a-strikes#0"]
    assert record["answer"] == "accept"
    (span,) = record["spans"]
    assert (span["text"], span["attributes"]["status"]) == ("18 people", "killed")


async def test_an_unclear_status_is_left_for_the_annotator_to_give(workspace):
    space = workspace({"c-ambush": ["Four guards were killed or wounded in the ambush."]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("home", "shift+right", "3", "enter")
        assert isinstance(app.screen, AttributeScreen)  # refused: status is required and unknown
        await pilot.press("i", "enter")
    record = space.saved()["c-ambush#0"]
    assert record["answer"] == "accept"
    assert record["spans"][0]["text"] == "Four guards"
    assert record["spans"][0]["attributes"]["status"] == "injured"
