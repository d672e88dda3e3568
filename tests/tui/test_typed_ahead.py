"""Keys typed faster than the screen handles them (a touch typist, a paste into the terminal, tmux
`send-keys`) act in the order typed: the driver posts them all at once, before the first is handled."""

from __future__ import annotations

from textual import events

from annotator.tui.app import AnnotatorApp

SIZE = (100, 32)


def typed_at_once(app: AnnotatorApp, *keys: str) -> None:
    """Post `keys` as the terminal driver does: each a Key event to the app, without waiting for any."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def saved_spans(space, paragraph_id: str) -> list[tuple[str, str]]:
    return [(span["label"], span["text"]) for span in space.saved()[paragraph_id]["spans"]]


async def test_a_label_key_typed_right_after_moves_tags_where_the_moves_lead(workspace) -> None:
    space = workspace()
    space.session.suggests_occurrences = False
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        typed_at_once(app, "right", "2")  # "In Syria, the Islamic...": from "In" to "Syria"
        await pilot.pause()
        typed_at_once(app, "pagedown", "right", "right", "1")
        await pilot.pause()
    assert saved_spans(space, "a-strikes#0") == [("LOCATION", "Syria")]  # not "In", where the cursor started
    assert saved_spans(space, "a-strikes#1") == [("ACTOR", "said")]  # on the next paragraph, third word
