"""The theme remembered across starts, and one way of telling where a paragraph is (header, `g`, messages)."""

from __future__ import annotations

from pathlib import Path

from annotator.core.config import load_user_config
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen

SIZE = (100, 32)


def text_of(app: AnnotatorApp, selector: str) -> str:
    screen = next(screen for screen in app.screen_stack if isinstance(screen, AnnotateScreen))
    return str(screen.query_one(selector).render())


async def test_the_theme_chosen_in_the_palette_is_saved_and_used_at_the_next_start(workspace, tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('annotator = "alice"\n\n[keys]\n"annotator.undo" = "ctrl+u"\n', encoding="utf-8")
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", config_file=config)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme != "textual-light"
        await pilot.press("ctrl+p", *"theme", "enter")
        await pilot.pause()
        await pilot.press(*"textual-light", "enter")
        await pilot.pause()
        assert app.theme == "textual-light"
    saved = load_user_config(config)
    assert (saved.theme, saved.annotator, saved.keys) == ("textual-light", "alice", {"annotator.undo": "ctrl+u"})
    again = AnnotatorApp(space.session, store_path="annotations.jsonl", theme=saved.theme, config_file=config)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


async def test_an_unknown_saved_theme_is_said_and_not_used(workspace, notifications, tmp_path: Path):
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", theme="no-such-theme",
                       config_file=tmp_path / "config.toml")
    sent = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme != "no-such-theme"
        assert any("'no-such-theme'" in note.message and note.severity == "warning" for note in sent)
    assert not (tmp_path / "config.toml").exists()  # nothing chosen, nothing written


async def test_header_g_and_messages_tell_the_same_number_and_id(workspace):
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        assert "paragraph 1 of 3 (id a-strikes#0)" in text_of(app, "#title")
        await pilot.press("g", "2", "enter")  # the number the header shows
        assert space.session.paragraph.id == "a-strikes#1"
        assert "paragraph 2 of 3 (id a-strikes#1)" in text_of(app, "#title")
        assert "paragraph 2 of 3 (id a-strikes#1)" in text_of(app, "#status")
        await pilot.press("g", *"#2", "enter")  # an id's number, from 0
        assert space.session.paragraph.id == "a-strikes#2"
        assert "paragraph 3 of 3 (id a-strikes#2)" in text_of(app, "#title")
        await pilot.press("g", *"#9", "enter")
        assert space.session.paragraph.id == "a-strikes#2" and "no paragraph or article 'a-strikes#9'" in text_of(app, "#status")
        await pilot.press("slash", *"residents", "enter")
        assert "match for 'residents' in paragraph 1 of 2 (id b-border#0)" in text_of(app, "#status")
        await pilot.press("1", "ctrl+z")
        assert "undone in paragraph 1 of 2 (id b-border#0)" in text_of(app, "#status")
