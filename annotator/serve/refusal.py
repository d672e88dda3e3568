"""The page shown instead of a screen that refused to open: the command's own message, plainly."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.widgets import Static

from annotator.core.display import display_text

PREFIX = "annotator: "
# The likeliest refusal once the server runs: the store is locked by the same link open elsewhere.
HINT = "If this link is open in another tab or window, use that one, or close it and reload this page. (q closes this.)"


def refusal_text(stderr: str) -> str:
    """The command's messages, made safe to draw, under a heading that says what happened."""
    said = [display_text(line.removeprefix(PREFIX)) for line in stderr.splitlines() if line.strip()]
    return "\n\n".join(["This screen could not open:", *said, HINT])


class RefusalApp(App[None]):
    """Says why the screen did not open, until the person closes it."""

    CSS = """
    Screen { background: $surface; }
    #refusal { width: 80; max-width: 100%; height: auto; padding: 1 2; border: heavy $error; }
    """
    BINDINGS: ClassVar = [Binding("q", "quit", "close")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(self.message, id="refusal", markup=False)
