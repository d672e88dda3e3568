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


async def test_a_key_typed_right_after_enter_opens_the_required_attribute_reaches_the_panel(workspace) -> None:
    space = workspace({"shelling": ["Shelling killed or wounded 12 people in the town.", "Nobody was hurt."]})
    space.session.suggests_occurrences = False
    words = {t.text: t.id for t in space.session.tokens}
    space.session.tag_tokens(words["12"], words["people"], "CASUALTY")  # "killed or wounded": no status pre-filled
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        typed_at_once(app, "enter", "k")  # refused: the panel opens on `status`; `k` is killed
        await pilot.pause()
    spans = space.saved()["shelling#0"]["spans"]
    assert dict(spans[0]["attributes"])["status"] == "killed"


async def test_a_bound_key_typed_ahead_into_a_panel_never_acts_on_the_paragraph_behind_it(workspace) -> None:
    space = workspace({"shelling": ["Shelling killed or wounded 12 people in the town.", "Nobody was hurt."]})
    space.session.suggests_occurrences = False
    words = {t.text: t.id for t in space.session.tokens}
    space.session.tag_tokens(words["12"], words["people"], "CASUALTY")
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right", "right", "right")  # onto "12", in the span
        assert app.screen.focus_span() is not None
        typed_at_once(app, "v", "x")  # `x` is the qualifier's key in the panel, and reject on the annotate screen
        await pilot.pause()
    record = space.saved()["shelling#0"]
    assert record.get("answer") is None  # not rejected
