"""The annotator's Textual app: opens the annotate screen on a Session.

`annotator annotate` builds the Session (corpus, schema, store) and calls
`AnnotatorApp(session, store_path=..., keymap=...).run()`.
"""

from __future__ import annotations

from textual.app import App

from annotator.core.session import Session
from annotator.tui.commands import AnnotatorCommands
from annotator.tui.screens.annotate import AnnotateScreen


class AnnotatorApp(App[None]):
    """Annotate paragraphs of a corpus into a crash-safe store."""

    CSS_PATH = "annotator.tcss"
    TITLE = "annotator"
    COMMANDS = App.COMMANDS | {AnnotatorCommands}

    def __init__(self, session: Session, *, store_path: str, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.session = session
        self.store_path = store_path
        self.user_keymap = dict(keymap or {})

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.push_screen(AnnotateScreen(self.session, store_path=self.store_path))
