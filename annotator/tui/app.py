"""The annotator's Textual apps: one opens the annotate screen on a Session, one the review screen.

`annotator annotate` builds the Session (corpus, schema, store) and calls
`AnnotatorApp(session, store_path=..., keymap=...).run()`; `annotator review` builds a
GoldReview and calls `ReviewApp(review, schema, gold_path=...).run()`.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path, PurePath
from time import monotonic
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App

from annotator.core.display import display_text, terminal_safe
from annotator.core.errors import InputError
from annotator.core.keys import ScreenName, keymap_problems
from annotator.core.schema import load_schema
from annotator.core.session import Session
from annotator.tui.palette import AnnotatorCommands
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.background import cancelled_flag
from annotator.tui.themes import keep_theme

if TYPE_CHECKING:
    from annotator.core.schema import Schema
    from annotator.suggest.uncertainty import UncertainOrder
    from annotator.team.review import GoldReview


class RefusingApp(App[None]):
    """An app that ends with exit status 2 and a plain message when a file it reads proves bad.

    Stores and large sources are read as the annotator moves through them, so a broken record
    can turn up after the screen is open: the app then closes (every change is already saved)
    and keeps the InputError in `refused`, for the command to raise once the terminal is back.
    """

    refused: InputError | None = None

    def _handle_exception(self, error: Exception) -> None:
        """Textual's own hook for an exception in a handler: an InputError closes the app as an error does,
        without a traceback (the widget that raised it has stopped, so nothing waits on it)."""
        if not isinstance(error, InputError):
            super()._handle_exception(error)
            return
        if self.refused is None:
            self.refused = error
        self._return_code = 2
        self._exception_event.set()  # what waits for the stopped widget (a test's key press) stops waiting
        self._close_messages_no_wait()

    def raise_refused(self) -> None:
        """Raise the InputError that closed the app, if one did."""
        if self.refused is not None:
            raise self.refused


class IdleCollector:
    """Python's cycle collector run between keys, not in the middle of one.

    Left to itself, the collector ran while keys were handled: over 150 edits of a 1,000-word
    paragraph its passes took some 1 s, up to 20 ms for a middle pass and 70 ms for a full one,
    each added to the frame of the key it fell on. The app turns automatic collection off once
    the screen is drawn, and `tick` (every half second) collects when no key has come for a
    while and enough has been made since the last pass; or at once when far too much has
    (keys without a pause), so memory held by cycles stays bounded.
    """

    IDLE_SECONDS = 0.5  # without a key before a pass
    ENOUGH_MADE = 2_000  # objects made since the last pass worth one (a key makes about 1,500)
    TOO_MUCH_MADE = 200_000  # a pass even while keys come

    def __init__(self) -> None:
        self.last_key = monotonic()

    def start(self) -> None:
        """Everything made so far lives as long as the app: out of every pass's way (`gc.freeze`)."""
        gc.freeze()
        gc.disable()

    def key_pressed(self) -> None:
        self.last_key = monotonic()

    def tick(self) -> None:
        made = gc.get_count()[0]
        idle = monotonic() - self.last_key >= self.IDLE_SECONDS
        if made >= self.TOO_MUCH_MADE or (idle and made >= self.ENOUGH_MADE):
            gc.collect()

    @staticmethod
    def stop() -> None:
        """Collection as Python does it, over everything, once the app has gone (tests run many apps)."""
        gc.unfreeze()
        gc.enable()


class AnnotatorApp(RefusingApp):
    """Annotate paragraphs of a corpus into a crash-safe store."""

    CSS_PATH = "annotator.tcss"
    TITLE = "annotator"
    COMMANDS = App.COMMANDS | {AnnotatorCommands}

    def __init__(self, session: Session, *, store_path: str, keymap: dict[str, str] | None = None,
                 schema_path: Path | None = None, theme: str | None = None, config_file: Path | None = None,
                 order: UncertainOrder | None = None) -> None:
        super().__init__()
        self.session = session
        self.store_path = store_path
        self.user_keymap = dict(keymap or {})
        self.schema_path = schema_path
        self.schema_stamp = self.stamp_of(schema_path)
        self.saved_theme = theme  # from the config file; a theme chosen is saved in `config_file` (None: never)
        self.config_file = config_file
        self.order = order  # `--order uncertain`: scored on in a thread once the screen is drawn
        self.collector = IdleCollector()

    def get_default_screen(self) -> AnnotateScreen:
        """The app's first screen is the annotate screen itself.

        Pushed over Textual's blank default screen, it came after that one had been composed,
        styled and drawn, and was styled and laid out again; as the base of a mode (`MODES`),
        Textual styles the whole app once more when it starts.
        """
        return AnnotateScreen(self.session, store_path=self.store_path, order=self.order)

    @staticmethod
    def stamp_of(path: Path | None) -> tuple[int, int] | None:
        """What tells that the schema file changed on disk: its modification time and size."""
        try:
            stat = os.stat(path) if path is not None else None
        except OSError:
            return None
        return None if stat is None else (stat.st_mtime_ns, stat.st_size)

    def check_schema(self) -> None:
        """Live reload: when the schema file changes, use the new one, or say why not and keep the last good one."""
        stamp = self.stamp_of(self.schema_path)
        if stamp == self.schema_stamp or self.schema_path is None or not isinstance(self.screen, AnnotateScreen):
            return  # unchanged, or a dialog is open: look again at the next tick
        self.schema_stamp = stamp
        try:
            schema = load_schema(self.schema_path, keymap=self.user_keymap)
        except InputError as error:
            self.notify(f"{terminal_safe(str(error))}\nStill using the last good schema.", title="Schema not reloaded",
                        severity="error", timeout=20, markup=False)
            return
        self.session.reload_schema(schema)
        self.show_new_annotate_screen()
        self.notify(display_text(f"{schema.name} version {schema.version}: {len(schema.labels)} labels"),
                    title="Schema reloaded", markup=False)

    def show_new_annotate_screen(self) -> None:
        """Put a new annotate screen in the place of the current one.

        The first, the app's default screen, is the base of the screen stack, which Textual
        cannot switch away (it has no result callback to pop): the first new one goes over it
        (which then waits there, suspended), and each later one replaces the one on top.
        """
        screen = AnnotateScreen(self.session, store_path=self.store_path, order=self.order)
        if len(self.screen_stack) == 1:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def on_mount(self) -> None:
        keep_theme(self, self.saved_theme, self.config_file)
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
            label_keys = {label.key: f"the {label.name} label" for label in self.session.schema.labels if label.key}
            warn_about_keymap(self, self.user_keymap, "annotate", label_keys)
        if self.schema_path is not None:
            self.set_interval(1.0, self.check_schema)
        self.call_after_refresh(self.after_first_paint)

    def after_first_paint(self) -> None:
        """The screen is drawn: now the work that would only have delayed it.

        The corpus indexer starts (a large JSONL is indexed in a thread that would otherwise
        compete with start-up for the interpreter), so does the scoring of `--order uncertain`,
        and the cycle collector, which `annotator annotate` pauses for the start (nearly
        everything made until now lasts), from now on runs between keys (`IdleCollector`).
        """
        self.session.corpus.start_indexing()
        if self.order is not None:
            order = self.order
            self.run_worker(lambda: order.scan(cancelled=cancelled_flag()), thread=True, group="uncertain-order",
                            exit_on_error=False)
        self.collector.start()
        self.set_interval(self.collector.IDLE_SECONDS, self.collector.tick)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.collector.key_pressed()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.stop()


def warn_about_keymap(app: App[None], keymap: dict[str, str], screen: ScreenName,
                      other_owners: dict[str, str] | None = None) -> None:
    """Say at start which of the user's `[keys]` remappings cannot work as meant (Textual would stay silent)."""
    problems = keymap_problems(keymap, screen, other_owners)
    if problems:
        app.notify(" ".join(problems) + " Fix [keys] in ~/.config/annotator/config.toml.",
                   title="Key settings", severity="warning", timeout=15, markup=False)


class ReviewApp(RefusingApp):
    """Review several annotators' stores into one gold store."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["annotator.tcss", "review.tcss"]  # the annotate screen's look, plus the review panels
    TITLE = "annotator review"
    COMMANDS = App.COMMANDS | {AnnotatorCommands}

    def __init__(self, review: GoldReview, schema: Schema, *, gold_path: str,
                 keymap: dict[str, str] | None = None, theme: str | None = None,
                 config_file: Path | None = None) -> None:
        super().__init__()
        self.review = review
        self.schema = schema
        self.gold_path = gold_path
        self.user_keymap = dict(keymap or {})
        self.saved_theme = theme
        self.config_file = config_file

    def on_mount(self) -> None:
        keep_theme(self, self.saved_theme, self.config_file)
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
            warn_about_keymap(self, self.user_keymap, "review")
        from annotator.tui.screens.review import ReviewScreen  # only `annotator review` needs it

        self.push_screen(ReviewScreen(self.review, self.schema, gold_path=self.gold_path))
