"""The key registry as Textual sees it: the screens' bindings are the registry's, its key names are
Textual's, and a user's remapping frees a key for a label or takes one from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.actions import parse
from textual.binding import Binding
from textual.screen import Screen

from annotator.core.keys import KEY_BINDINGS, ScreenName, canonical_key, screen_bindings
from annotator.core.schema import load_schema
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.note import FlagPrompt
from annotator.tui.screens.prompt import PromptScreen
from annotator.tui.screens.review import ReviewScreen

SIZE = (100, 32)
SCREENS: dict[ScreenName, type[Screen]] = {"annotate": AnnotateScreen, "review": ReviewScreen, "help": HelpScreen,
                                           "prompt": PromptScreen, "flag": FlagPrompt}
LABEL_ON_X = """\
name: keys
labels:
  - {name: PLACE, key: "1", color: red}
  - {name: VEHICLE, key: x, color: blue}
"""


def textual_key(character: str) -> str:
    """The key name Textual binds for a character, through its public Binding API."""
    [binding] = Binding.make_bindings([Binding(character, "noop")])
    return binding.key


@pytest.mark.parametrize("character", [chr(code) for code in range(33, 127) if chr(code) != ","] + list("éü£€→日"))
def test_canonical_key_reads_textuals_name_of_every_character_back_as_the_character(character: str) -> None:
    # (a comma cannot be bound as a character: Textual splits keys on it)
    assert canonical_key(textual_key(character)) == character


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_each_screens_bindings_are_the_registrys(name: ScreenName) -> None:
    bound = [binding for binding in SCREENS[name].BINDINGS if isinstance(binding, Binding)]
    assert len(bound) == len(SCREENS[name].BINDINGS)
    assert [(b.id, b.key, b.action, b.description, b.tooltip, b.show, b.key_display) for b in bound] == [
        (r.binding_id, ",".join(r.keys), r.action, r.description, r.tooltip, r.show, r.key_display)
        for r in screen_bindings(name)]


@pytest.mark.parametrize("binding", KEY_BINDINGS, ids=[binding.binding_id for binding in KEY_BINDINGS])
def test_every_registry_action_is_an_action_of_its_screen(binding) -> None:
    _, action, _ = parse(binding.action)
    assert callable(getattr(SCREENS[binding.screen], f"action_{action}", None)), binding


def label_on_x(space, tmp_path: Path, keymap: dict[str, str]) -> AnnotatorApp:
    path = tmp_path / "keys.yaml"
    path.write_text(LABEL_ON_X, encoding="utf-8")
    space.session.reload_schema(load_schema(path, keymap=keymap))
    return AnnotatorApp(space.session, store_path="annotations.jsonl", keymap=keymap)


async def test_a_label_has_a_key_the_users_remapping_freed(workspace, tmp_path: Path) -> None:
    space = workspace()
    app = label_on_x(space, tmp_path, {"annotator.reject": "X"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "x")  # on "Syria"
        text = space.session.paragraph.text
        assert [(s.label, text[s.start:s.end]) for s in space.session.annotation.spans] == [("VEHICLE", "Syria")]
        rows = {row.binding_id: row.keys for row in app.screen.key_list()}
        assert rows["annotator.reject"] == ["X"]
        await pilot.press("X")
    assert space.saved()["a-strikes#0"]["answer"] == "reject"


async def test_a_remapping_onto_a_label_key_takes_it_from_the_label(workspace) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", keymap={"annotator.next_token": "2"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")  # moves, as the warning at start says; it does not tag LOCATION
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert screen.tokens[screen.cursor].text == "Syria" and screen.session.annotation.spans == ()
        await pilot.press("1")  # the other labels keep their keys
        assert [s.label for s in screen.session.annotation.spans] == ["ACTOR"]


async def test_an_action_whose_keys_were_all_taken_is_listed_without_a_key_and_still_runs(workspace) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", keymap={"annotator.quit": "x"})
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        rows = {row.binding_id: row for row in screen.key_list()}
        assert rows["annotator.reject"].keys == [] and rows["annotator.quit"].keys == ["x"]
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = help_screen.listed
        assert listed["annotator.reject"].plain == "(no key)"
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"Reject")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
    assert space.saved()["a-strikes#0"]["answer"] == "reject"
