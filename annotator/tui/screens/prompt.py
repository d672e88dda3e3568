"""A one-line question at the bottom of the screen (flag note, go to, search, jump).

The annotate screen stays visible behind it, so an incremental prompt (jump to a word) can
show each keystroke's effect as it is typed; and it may close on a key that means an action
(the jump prompt closes on a label key and tags, on shift+arrow and selects: docs/KEYS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from annotator.core.display import display_text
from annotator.tui.bindings import textual_bindings

#: Given a key, the character it types (if any) and the text typed so far: the action it closes the
#: prompt with, or None for a key the prompt handles as usual.
KeyAction = Callable[[str, str | None, str], Callable[[], None] | None]


class PromptInput(Input):
    """The prompt's line, which first offers every key to the prompt's `on_key` (before typing it)."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        action = screen.key_action(event) if isinstance(screen, PromptScreen) else None
        if action is None:
            return  # Input's own handler (next in the class order) types it
        event.stop()
        event.prevent_default()
        screen.dismiss(self.value)
        action()


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; dismiss with it on enter, with None on escape.

    `on_key` may claim a key: the prompt then closes (with the text so far) and runs what it returned.
    """

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("prompt")

    def __init__(self, question: str, *, placeholder: str = "", value: str = "",
                 on_change: Callable[[str], None] | None = None, on_key: KeyAction | None = None,
                 select: bool = True) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.initial = value
        self.on_change = on_change
        self.select = select  # False: the cursor after the text, to add to it (a note) rather than replace it
        self.key_actions = on_key

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(Text(display_text(self.question)), id="prompt-question")  # it quotes schema names
            yield PromptInput(value=self.initial, placeholder=self.placeholder, id="prompt-input",
                              select_on_focus=self.select)

    def key_action(self, event: events.Key) -> Callable[[], None] | None:
        if self.key_actions is None:
            return None
        return self.key_actions(event.key, event.character, self.query_one(PromptInput).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.on_change is not None:
            self.on_change(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
