"""Keys typed faster than the screen handles them still act one after the other, in the order typed.

A terminal delivers keys in bursts when the app is busy (the first paint, a save on a loaded
machine): each test posts its keys at once, as the terminal's reader does, without waiting for
one to be handled before the next, and reads the saved store back.
"""

from __future__ import annotations

from textual import events

from annotator.tui.app import AnnotatorApp

SIZE = (100, 32)
TO_DEIR = 16  # `right` presses from "In" to "Deir" in the first paragraph


def burst(app: AnnotatorApp, *keys: str) -> None:
    """Post the keys to the app all at once, as Textual's input thread does with a burst of bytes."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_a_burst_of_moves_a_selection_and_a_label_key_tags_what_the_moves_reached(workspace) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, *["right"] * TO_DEIR, "e", "2")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
    spans = space.saved()["a-strikes#0"]["spans"]
    assert [(s["label"], s["text"]) for s in spans] == [("LOCATION", "Deir el-Zour")]


async def test_keys_typed_before_the_app_has_started_act_once_the_screen_is_up(workspace) -> None:
    """The earliest moment: the keys wait in the app's queue before it has composed its first screen."""
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    burst(app, *["right"] * TO_DEIR, "e", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
    spans = space.saved()["a-strikes#0"]["spans"]
    assert [(s["label"], s["text"]) for s in spans] == [("LOCATION", "Deir el-Zour")]
