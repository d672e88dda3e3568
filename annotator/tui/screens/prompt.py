"""A one-line question at the bottom of the screen (flag note, go to, search, jump).

The annotate screen stays visible behind it, so an incremental prompt (jump to a word) can
show each keystroke's effect as it is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from annotator.core.display import display_text
from annotator.tui.bindings import textual_bindings


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; dismiss with it on enter, with None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("prompt")

    def __init__(self, question: str, *, placeholder: str = "", value: str = "",
                 on_change: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.initial = value
        self.on_change = on_change

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(Text(display_text(self.question)), id="prompt-question")  # it quotes schema names
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.on_change is not None:
            self.on_change(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
