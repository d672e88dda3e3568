"""The note of a flagged paragraph, to read and edit without losing the flag.

`!` on a paragraph already flagged opens this prompt with the note in it: enter keeps the flag
with the note as edited, `ctrl+r` (`flag.remove`) removes the flag and keeps the note, `escape`
changes nothing. (Once `!` removed the flag at once, and the note with it.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import Label

from annotator.tui.bindings import textual_bindings
from annotator.tui.screens.prompt import PromptScreen


class FlagPrompt(PromptScreen):
    """A flagged paragraph's note; dismissed with the edited note, or None (escape, or the flag removed)."""

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("flag")  # with the prompt's own

    def __init__(self, note: str, remove_flag: Callable[[], None]) -> None:
        super().__init__(self.question_with("ctrl+r"), placeholder="what is unclear?", value=note, select=False)
        self.remove_flag = remove_flag

    @staticmethod
    def question_with(remove_key: str) -> str:
        return (f"⚑ Flagged for review. Edit the note, enter keeps the flag · {remove_key} removes the flag "
                "(the note stays) · esc changes nothing")

    def on_mount(self) -> None:
        """Name the key that removes the flag as the user's `[keys]` left it."""
        keys = [self.app.get_key_display(active.binding.with_key(key)) for key, active in self.active_bindings.items()
                if active.binding.id == "flag.remove"]
        self.query_one("#prompt-question", Label).update(self.question_with(" / ".join(keys) or "(no key)"))

    def action_remove_flag(self) -> None:
        self.dismiss(None)
        self.remove_flag()
