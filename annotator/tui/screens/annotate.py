"""The annotate screen: where annotators spend their day.

The screen keeps only UI state (cursor token, selection anchor, filter, last search); every
data edit goes through a `Session` method, which persists it before returning, and only then
does the screen show it as done ("saved ✓"). An edit the store cannot write waits in the
session: the status says NOT SAVED until every change waiting is written, which the session
tries first at the next edit and the screen every few seconds; quitting with changes waiting
asks for a second `q`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker

from annotator.core.corpus import Paragraph
from annotator.core.display import display_text
from annotator.core.keys import canonical_key, screen_keys
from annotator.core.schema import AttributeSpec
from annotator.core.search import TextSearch
from annotator.core.session import EditRefused, MissingValue, Position, Session
from annotator.core.spans import SPAN_NOTE, Annotation, Answer, Relation, Span
from annotator.core.tokens import Token, token_at
from annotator.tui.bindings import KeyRow, bound_keys, textual_bindings
from annotator.tui.screens.background import Background, lookup_job, search_job
from annotator.tui.widgets.panels import Context, LabelBar, SpanList, TextLine
from annotator.tui.widgets.paragraph_view import ParagraphView

if TYPE_CHECKING:
    from annotator.suggest.uncertainty import UncertainOrder

Filter = Literal["all", "unfinished", "flagged"]
FILTERS: tuple[Filter, ...] = ("all", "unfinished", "flagged")
WIDE = 100  # columns from which the span list sits beside the paragraph
DECISION_BADGES = {"accept": "✓ accepted", "reject": "✗ rejected", "ignore": "– ignored"}
RETRY_SECONDS = 2.0  # how often changes the store could not write are tried again
SEARCH_AT_ONCE = 64  # articles a search reads before handing the rest to a thread
CHARACTER_MODE_BADGE = "  ✎ characters (c: tokens)"


@dataclass(frozen=True, slots=True)
class CharMarks:
    """A cursor and selection by character (character mode, or a mouse drag inside a token), with the
    token cursor and anchor they were set with: a token key that moves those leaves the characters."""

    cursor: int  # the offset of the character under the cursor
    anchor: int | None  # the offset where the selection began, None for no selection
    tokens: tuple[int | None, int | None]  # (anchor token, cursor token) when set

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected characters `[start, end)`, both ends' characters included."""
        if self.anchor is None:
            return None
        return min(self.anchor, self.cursor), max(self.anchor, self.cursor) + 1


class AnnotateScreen(Screen[None]):
    """One paragraph at a time, keyboard first; the Session is the model."""

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("annotate")

    def __init__(self, session: Session, *, store_path: str, order: UncertainOrder | None = None) -> None:
        super().__init__()
        self.session = session
        self.store_path = store_path
        self.order = order  # `--order uncertain`: decisions go on to the paragraph the model is least sure of
        self.label_colors = {label.name: Color.parse(label.color) for label in session.schema.labels}
        self.cursor: int | None = None
        self.anchor_token: int | None = None
        self.filter: Filter = "all"
        self.last_search = ""
        self.saved_state = ""
        self.message = ""
        self.paragraph_id = ""
        self.retry_timer: Timer | None = None  # runs while changes wait to be written
        self.quit_warned = False  # `q` said that changes are not saved: the next `q` quits
        self.char_mode = False  # `c`: arrows move and grow by a character
        self.chars: CharMarks | None = None
        self.shown_id: str | None = None  # the paragraph id in the frame's title
        self.shown_badge: str | None = None  # the decision in its subtitle
        self.label_keys = {label.key: label.name for label in session.schema.labels if label.key}
        self.background = Background(self, self.say)

    # --- layout -----------------------------------------------------------------------

    # Below 100 columns the span list goes under the paragraph and the footer is compact (annotator.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012 (Textual declares it without ClassVar)
    CONTEXT_PARAGRAPHS = 4  # neighbours each side before the screen has a size; they get the rows the paragraph leaves

    def compose(self) -> ComposeResult:
        yield TextLine(id="title")
        with Horizontal(id="body"):
            with Vertical(id="reading"):
                yield Context(id="before", tail=True)
                yield ParagraphView(id="paragraph")
                yield Context(id="after", tail=False)
            yield SpanList(id="spans")
        yield LabelBar(id="labels")
        yield TextLine(id="status")
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        footer = self.query_one(Footer)
        footer.compact = event.size.width < WIDE
        footer.show_command_palette = event.size.width >= WIDE
        self.show_context()  # a taller screen has room for more neighbours

    def context_paragraphs(self) -> int:
        """Neighbours each side enough to fill the rows: a neighbour takes two rows at least (a line and a blank)."""
        return max(self.CONTEXT_PARAGRAPHS, self.size.height // 2 + 1)

    @property
    def view(self) -> ParagraphView:
        return self.query_one(ParagraphView)

    def on_mount(self) -> None:
        self.view.focus()
        spans = self.query_one(SpanList)
        spans.border_title = "Spans"
        spans.hint = self.empty_hint()
        self.watch(self.app, "theme", lambda _: self.theme_changed(), init=False)
        self.show_paragraph()
        if not self.session.progress().complete:
            self.indexing_timer = self.set_interval(1.0, self.poll_indexing)

    def empty_hint(self) -> str:
        """What the empty span list says: the keys that make a span, as remapped ("e selects a name · 1-4 tags")."""
        phrase = next((row.keys[0] for row in bound_keys(self, "annotate")
                       if row.binding_id == "annotator.select_phrase" and row.keys), None)
        keys = [label.key for label in self.session.schema.labels if label.key]
        consecutive = len(keys) > 2 and "".join(keys) in "123456789"  # "1-4", else each key
        parts = ["no spans yet"]
        if phrase:
            parts.append(f"{phrase} selects a name")
        if keys:
            parts.append(f"{keys[0]}-{keys[-1]} tags" if consecutive else f"{'/'.join(keys)} tags")
        return display_text(" · ".join(parts))

    def theme_changed(self) -> None:
        self.view.theme_changed()
        self.query_one(SpanList).theme_changed()

    def poll_indexing(self) -> None:
        """While a large source is still being indexed, keep the paragraph count in the status line growing."""
        self.show_status()
        if self.session.progress().complete:
            self.indexing_timer.stop()

    # --- state ------------------------------------------------------------------------

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.session.tokens

    @property
    def selection(self) -> tuple[int, int] | None:
        if self.anchor_token is None or self.cursor is None:
            return None
        return min(self.anchor_token, self.cursor), max(self.anchor_token, self.cursor)

    def movable(self, index: int) -> bool:
        return 0 <= index < len(self.tokens) and not self.tokens[index].text.isspace()

    def first_movable(self, start: int, step: int) -> int | None:
        index = start
        while 0 <= index < len(self.tokens):
            if self.movable(index):
                return index
            index += step
        return None

    def spans_under_cursor(self) -> tuple[Span, ...]:
        """Spans covering the cursor token, innermost first."""
        if self.cursor is None:
            return ()
        token = self.tokens[self.cursor]
        start, end = (self.chars.cursor, self.chars.cursor + 1) if self.chars is not None else (token.start, token.end)
        covering = [s for s in self.session.annotation.spans if s.start < end and s.end > start]
        return tuple(sorted(covering, key=lambda s: (s.end - s.start, s.start)))

    def selected_span(self) -> Span | None:
        """The span exactly matching the selection (as `tab` or a click selects one)."""
        selection = self.selection
        if selection is None:
            return None
        chars = self.chars.selection if self.chars is not None else None
        if chars is not None:
            return next((s for s in self.session.annotation.spans if (s.start, s.end) == chars), None)
        first, last = selection
        return next((s for s in self.session.annotation.spans if (s.token_start, s.token_end) == (first, last)), None)

    def focus_span(self) -> Span | None:
        """The span an edit key acts on: the selected one, else the innermost under the cursor."""
        if self.selection is not None:
            return self.selected_span()
        under = self.spans_under_cursor()
        return under[0] if under else None

    # --- drawing ----------------------------------------------------------------------

    def show_paragraph(self) -> None:
        """A (possibly) new paragraph is open: redraw everything."""
        session = self.session
        if session.paragraph.id != self.paragraph_id:
            self.paragraph_id = session.paragraph.id
            self.cursor = self.first_movable(0, 1)
            self.anchor_token = None
        elif self.cursor is not None:
            self.cursor = min(self.cursor, len(self.tokens) - 1) if self.tokens else None
        self.view.set_paragraph(session.paragraph.text, self.tokens, session.annotation.spans, self.label_colors)
        self.show_context()
        self.show_annotation()
        self.show_cursor()

    def show_context(self) -> None:
        """The open paragraph's neighbours in the article, before and after it."""
        count = self.context_paragraphs()
        before, after = self.session.paragraphs_around(count, count)
        self.query_one("#before", Context).show_texts([paragraph.text for paragraph in before])
        self.query_one("#after", Context).show_texts([paragraph.text for paragraph in after])

    def show_annotation(self) -> None:
        """The annotation changed: spans, label counts, span list, title, status."""
        annotation = self.session.annotation
        self.view.set_spans(annotation.spans)
        self.query_one(LabelBar).show_counts(self.session.schema, annotation.spans, self.label_colors)
        self.query_one(SpanList).show_spans(annotation.spans, self.session.paragraph.text, self.label_colors,
                                            annotation.relations)
        self.show_title()
        self.show_status()

    def show_cursor(self) -> None:
        self.follow_tokens()
        chars = self.chars
        self.view.set_cursor(self.cursor, self.selection, (None, None) if chars is None else
                             ((chars.cursor, chars.cursor + 1), chars.selection))
        under = self.spans_under_cursor()
        span = self.focus_span() or (under[0] if under else None)
        self.query_one(SpanList).follow(span.id if span else None)

    def show_title(self) -> None:
        session = self.session
        article = session.article
        annotation = session.annotation
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(display_text(article.title), style="bold")
        title.append(f"   {self.place()}")
        title.append(f"   article {session.position.article + 1} of {session.corpus.article_count}", style="dim")
        if self.filter != "all":
            title.append(f"   filter: only {self.filter}", style="bold italic")
        self.query_one("#title", TextLine).show(title)
        view = self.view
        frame_title = display_text(session.paragraph.id) + (CHARACTER_MODE_BADGE if self.char_mode else "")
        if self.shown_id != frame_title:  # as text, not markup: an id may hold `[` and control characters
            self.shown_id = frame_title
            view.border_title = Text(frame_title)
        badge = DECISION_BADGES.get(annotation.answer or "", "undecided")
        if annotation.flagged:
            badge += "  ⚑ flagged" + (f": {display_text(annotation.note)}" if annotation.note else "")
        elif annotation.note:
            badge += f"  ✎ {display_text(annotation.note)}"
        if self.shown_badge != badge:  # as text, not markup: it quotes the annotator's note
            self.shown_badge = badge
            view.border_subtitle = Text(badge)
        view.set_class(annotation.answer is not None, "-decided")
        view.set_class(annotation.flagged, "-flagged")

    def place(self) -> str:
        """Where the open paragraph is, told one way everywhere: its number as people count and `g` takes it
        (from 1), and its id, whose number counts from 0 ("paragraph 3 of 11 (id strikes#2)")."""
        session = self.session
        return (f"paragraph {session.position.paragraph + 1} of {len(session.article.paragraphs)} "
                f"(id {display_text(session.paragraph.id)})")

    def show_status(self) -> None:
        """Saved state, what just happened, progress, who and where, in that order: on a narrow
        terminal the store path goes first, then the annotator (`TextLine.show_parts`)."""
        progress = self.session.progress()
        parts: list[Text] = []
        if self.saved_state:
            parts.append(Text(self.saved_state, style="bold red" if self.saved_state.startswith("NOT") else "green"))
        message = len(parts) if self.message else None
        if self.message:
            parts.append(Text(display_text(self.message), style="italic"))  # it names labels and sources from the store
        percent = f" ({100 * progress.done // progress.total}%)" if progress.total else ""
        about = "" if progress.exact else "~"  # an estimate while a large source is still being read
        done = Text(f"{progress.done}/{about}{progress.total} done{percent}", style="bold")
        if not progress.complete:
            done.append(" indexing…", style="italic")
        parts += [done, Text(display_text(self.session.annotator)), Text(display_text(self.store_path), style="dim")]
        # What just happened gives way to the progress, cut at a word; not while changes wait to be
        # written: then the message says what `q` does and the progress can wait.
        squeeze = None if self.saved_state.startswith("NOT") else message
        self.query_one("#status", TextLine).show_parts(parts, squeeze=squeeze)

    def say(self, message: str) -> None:
        self.message = message
        self.show_status()

    # --- editing through the session --------------------------------------------------

    def edit(self, change: Callable[[], Annotation], done: str, *, show: bool = True) -> bool:
        """Apply one edit through the session; show it only once the session has saved it.

        `show=False`: the caller opens another paragraph next and shows that (so the status
        line, and the progress it counts, is drawn once per key).
        """
        before = self.session.annotation
        try:
            change()
        except EditRefused as error:
            self.app.bell()
            self.saved_state = ""
            self.say(str(error))
            if isinstance(error, MissingValue):
                self.select_span(error.span)
                self.show_cursor()
                self.open_attributes(error.span, error.attribute)
            return False
        except OSError as error:
            self.not_saved(error)
            if show:
                self.show_annotation()  # what the store holds: changes written before the one that failed
            return False
        changed = self.session.annotation != before
        self.saved_state = "saved ✓" if changed or self.retry_timer is not None else self.saved_state
        self.stop_retrying()
        self.message = done if changed else "no change"
        if show:
            self.show_annotation()
        return changed

    def not_saved(self, error: OSError) -> None:
        """A write failed: say so until every change waiting is written, and try again every few seconds."""
        self.app.bell()
        self.saved_state = f"NOT SAVED: {error.strerror or error}"
        waiting = len(self.session.unsaved)
        self.say(f"{waiting} change(s) waiting, shown once written: tried again at the next key and every "
                 f"{RETRY_SECONDS:g} s" if waiting else "the store could not be written; nothing was changed")
        self.notify(f"Could not write {display_text(self.store_path)}: {display_text(str(error))}",
                    severity="error", timeout=10, markup=False)
        if waiting and self.retry_timer is None:
            self.retry_timer = self.set_interval(RETRY_SECONDS, self.retry_saving)

    def retry_saving(self) -> None:
        """The timer's try at writing the changes waiting; once they are written, show them."""
        waiting = len(self.session.unsaved)
        try:
            self.session.save_unsaved()
        except OSError:
            return  # still NOT SAVED: the status says so already
        self.stop_retrying()
        self.saved_state = "saved ✓"
        self.message = f"{waiting} waiting change(s) written"
        self.show_annotation()

    def stop_retrying(self) -> None:
        if self.retry_timer is not None and not self.session.unsaved:
            self.retry_timer.stop()
            self.retry_timer = None
            self.quit_warned = False

    def on_key(self, event: events.Key) -> None:
        """A label's key tags, unless a binding has the key (a user's remapping takes it from the label).

        Label keys are not Textual bindings: applying a keymap drops every binding of a key that a
        remapped action leaves, so a label could not have a key the user freed (docs/KEYS.md).

        A typed key that no binding has acts in the app's queue, behind the keys typed before it: their
        bindings run there, once each key has bubbled up to the app. So a label key tags where the moves
        typed ahead of it lead ("right right 1" in one burst tagged the first word), and a key typed
        right after one that opens a dialog reaches the dialog (`enter` refused, then `k` for killed:
        the `k` was lost).
        """
        if not event.is_printable or event.key in self.active_bindings:
            return
        event.stop()
        event.prevent_default()
        self.app.call_later(self.typed, event.key, event.character)

    def typed(self, key: str, character: str | None) -> None:
        """A key `on_key` passed on, now that the keys before it have acted: to the dialog one of them
        opened, if any, else its label's tag."""
        screen = self.app.screen
        if screen is not self:
            (screen.focused or screen).post_message(events.Key(key, character))
            return
        label = self.label_keys.get(character or "")
        if label is not None:
            self.action_tag(label)

    def action_tag(self, label: str) -> None:
        if self.cursor is None:
            return
        span = self.focus_span()  # the selected span, or the one under the cursor when nothing is selected
        if span is not None:
            if span.label == label:
                if span.suggested:
                    self.accept(span)
                else:
                    self.say(f"already {label}")
                return
            self.edit(lambda: self.session.relabel(span.id, label), f"{span.label} → {label}")
            return
        done = f"tagged {label}"
        chars = self.chars
        if chars is not None:
            start, end = chars.selection or (chars.cursor, chars.cursor + 1)
            if not self.edit(lambda: self.session.tag_chars(start, end, label), done):
                return
            if not any((s.start, s.end, s.label) == (start, end, label) for s in self.session.annotation.spans):
                done += ", widened to whole tokens"  # the label's `snap: token`
            if self.char_mode:
                self.set_chars(chars.cursor, None)
            else:
                self.chars = None
        else:
            first, last = self.selection or (self.cursor, self.cursor)
            if not self.edit(lambda: self.session.tag_tokens(first, last, label), done):
                return
        self.anchor_token = None
        self.show_cursor()
        if self.session.occurrences_suggested:
            self.say_occurrences(done)
        elif done != self.message:  # edit() has drawn the plain message already
            self.say(done)

    def say_occurrences(self, done: str) -> None:
        """After a tag or an accept: how many other occurrences of the text were suggested, and the key for them."""
        if self.session.occurrences_suggested:
            self.say(f"{done} · {self.session.occurrences_suggested} more suggested: O tags all")

    def accept(self, span: Span) -> None:
        """Make one suggestion the annotator's own; its text is then suggested where it recurs, as a tag's is."""
        if self.edit(lambda: self.session.accept_suggestion(span.id), f"accepted {span.label}"):
            self.say_occurrences(f"accepted {span.label}")

    def action_delete_span(self) -> None:
        span = self.focus_span()
        if span is None:
            self.say("no span here")
            return
        if span.suggested:
            changed = self.edit(lambda: self.session.reject_suggestion(span.id),
                                f"rejected {span.label}? (not suggested again from {span.source})")
        else:
            changed = self.edit(lambda: self.session.remove(span.id), f"deleted {span.label}")
        if changed:
            self.anchor_token = None
            self.show_cursor()

    def action_accept_suggestion(self) -> None:
        selected = self.selected_span()
        suggested = [selected] if selected is not None and selected.suggested else [
            s for s in self.spans_under_cursor() if s.suggested]
        if not suggested:
            self.say("no suggestion here")
            return
        self.accept(suggested[0])

    def action_accept_all_suggestions(self) -> None:
        count = sum(1 for span in self.session.annotation.spans if span.suggested)
        if not count:
            self.say("no suggestions in this paragraph")
            return
        if self.edit(self.session.accept_all_suggestions, f"accepted {count} suggestion(s)"):
            self.say_occurrences(f"accepted {count} suggestion(s)")

    def action_accept_occurrences(self) -> None:
        """Accept the occurrence suggestions of the whole article (other paragraphs are saved too)."""
        try:
            accepted = self.session.accept_occurrences()
        except OSError as error:
            self.not_saved(error)
            self.show_annotation()
            return
        if accepted or self.retry_timer is not None:
            self.saved_state = "saved ✓"
        self.stop_retrying()
        self.message = f"accepted {accepted} occurrence suggestion(s) in this article" if accepted else \
            "no occurrence suggestions in this article"
        self.show_annotation()

    def action_attributes(self) -> None:
        span = self.focus_span()
        label = self.session.schema.label(span.label) if span is not None else None
        if span is None or label is None:
            self.say("no span here")
            return
        if not label.attributes:
            self.say(f"{label.name} has no attributes in this schema")
            return
        self.open_attributes(span)

    def open_attributes(self, span: Span, missing: AttributeSpec | None = None) -> None:
        """The attribute panel on `span`; on `missing` (a required attribute an accept found unset), picked
        already, the panel closing once the span has every required value."""
        label = self.session.schema.label(span.label)
        assert label is not None  # callers checked it
        span_id = span.id

        def set_value(name: str, value: object) -> None:
            done = f"{name} cleared" if value is None else f"{name} = {value}"
            if self.edit(lambda: self.session.set_attribute(span_id, name, value), done) \
                    and missing is not None and self.session.missing_value() is None:
                self.say(f"{done} · every required value is given: enter accepts")

        from annotator.tui.screens.attributes import AttributeScreen  # a dialog: imported when opened

        self.app.push_screen(AttributeScreen(label, lambda: self.session.annotation.span(span_id),
                                             self.session.paragraph.text, set_value, missing=missing))

    def action_relate(self) -> None:
        head = self.focus_span()
        if head is None:
            self.say("no span here: put the cursor on the span the relation starts from")
            return
        specs = [spec for spec in self.session.schema.relations if head.label in spec.heads]
        if not specs:
            self.say(f"no relation in schema {self.session.schema.name} starts from {head.label}")
            return

        def toggle(relation: Relation) -> None:
            if relation in self.session.annotation.relations:
                self.edit(lambda: self.session.unrelate(relation),
                          f"unlinked {relation.label}")
            else:
                self.edit(lambda: self.session.relate(relation), f"linked {relation.label}")

        from annotator.tui.screens.relations import RelationScreen  # a dialog: imported when opened

        annotation = self.session.annotation
        self.app.push_screen(RelationScreen(head, specs, annotation.spans, annotation.relations,
                                            self.session.paragraph.text, toggle))

    def action_decide(self, answer: Answer) -> None:
        if self.edit(lambda: self.session.decide(answer), DECISION_BADGES[answer], show=False) \
                or self.session.annotation.answer == answer:
            self.go_on()

    def go_on(self) -> None:
        """After a decision: the next paragraph still to do (within the filter)."""
        flagged = self.filter == "flagged"
        moved = self.session.next_matching(self.wanted) if flagged else self.open_least_sure() or self.session.next_unfinished()
        if not moved:
            self.message = "every paragraph is decided 🎉" if self.filter != "flagged" else "no more flagged paragraphs"
        self.show_paragraph()

    def open_least_sure(self) -> bool:
        """With `--order uncertain`: open the undecided paragraph the model is least sure of, of those scored yet."""
        if self.order is None:
            return False
        session = self.session
        position = self.order.next_position(session.is_decided, session.paragraph.id)
        if position is None:
            return False
        session.open(position)
        least_sure = f"next: where {display_text(self.order.source)} is least sure"
        self.message = f"{self.message} · {least_sure}" if self.message else least_sure
        return True

    def action_flag(self) -> None:
        """Flag with a note; on a flagged paragraph, its note to read and edit (the flag kept) or the flag to remove."""
        from annotator.tui.screens.note import FlagPrompt  # dialogs: imported when opened
        from annotator.tui.screens.prompt import PromptScreen

        annotation = self.session.annotation
        if annotation.flagged:
            def keep_flag(note: str | None) -> None:
                if note is not None:
                    self.edit(lambda: self.session.flag(True, note.strip()), "flag kept, note saved")

            def remove_flag() -> None:
                self.edit(lambda: self.session.flag(False, self.session.annotation.note), "flag removed (the note stays)")

            self.app.push_screen(FlagPrompt(annotation.note, remove_flag), keep_flag)
            return

        def flag_with(note: str | None) -> None:
            if note is not None:
                self.edit(lambda: self.session.flag(True, note.strip()), "flagged for review")

        self.app.push_screen(PromptScreen("Flag for review: a note for the reviewer (optional), enter to flag",
                                          placeholder="what is unclear?", value=annotation.note), flag_with)

    def action_note(self) -> None:
        """A note on the selected span (or the one under the cursor), else on the paragraph; nothing is flagged."""
        span = self.focus_span()
        if span is None:
            current, where, span_id = self.session.annotation.note, "the paragraph", None
        else:
            current, where, span_id = str(span.attrs.get(SPAN_NOTE) or ""), f"{span.label} {self.span_text(span)}", span.id

        from annotator.tui.screens.prompt import PromptScreen  # a dialog: imported when opened

        def save(note: str | None) -> None:
            if note is not None:
                note = note.strip()
                self.edit(lambda: self.session.note(note, span_id),
                          f"note on {where} saved" if note else f"note on {where} cleared")

        self.app.push_screen(PromptScreen(f"A note on {where} (not a flag; empty clears it), enter saves",
                                          placeholder="a note for yourself or the reviewer", value=current,
                                          select=False), save)

    def span_text(self, span: Span) -> str:
        """A span's text as the status line and prompts quote it."""
        return repr(display_text(self.session.paragraph.text[span.start:span.end]))

    def action_undo(self) -> None:
        self.history(self.session.undo, "undone", "nothing to undo")

    def action_redo(self) -> None:
        self.history(self.session.redo, "redone", "nothing to redo")

    def history(self, step: Callable[[], bool], done: str, nothing: str) -> None:
        try:
            moved = step()
        except OSError as error:
            self.not_saved(error)  # the step may have opened its paragraph before its line failed: shown below
        else:
            if moved or self.retry_timer is not None:
                self.saved_state = "saved ✓"
            self.stop_retrying()
            self.message = f"{done} in {self.place()}" if moved else nothing
        if self.session.paragraph.id == self.paragraph_id:  # same text and tokens: wrapping it again costs most of an undo
            self.show_annotation()
            self.show_cursor()
        else:
            self.show_paragraph()

    # --- characters -------------------------------------------------------------------

    def word_at(self, offset: int) -> int | None:
        """The token holding character `offset`, else the nearest word before it (after it at the start)."""
        index = token_at(self.tokens, offset)
        if index is not None and self.movable(index):
            return index
        before = bisect_right(self.tokens, offset, key=attrgetter("start")) - 1
        found = self.first_movable(before, -1) if before >= 0 else None
        return found if found is not None else self.first_movable(0, 1)

    def set_chars(self, cursor: int, anchor: int | None, *, token: int | None = None) -> None:
        """Put the cursor on character `cursor` (the selection from `anchor`), the token cursor on its word."""
        self.cursor = self.word_at(cursor) if token is None else token
        self.anchor_token = None if anchor is None else self.word_at(anchor)
        self.chars = CharMarks(cursor, anchor, (self.anchor_token, self.cursor))

    def follow_tokens(self) -> None:
        """After a key that moved the token cursor or selection (tab, `e`, a search...): outside character
        mode the characters are dropped; in it they become the characters of those tokens."""
        if self.chars is not None and self.chars.tokens == (self.anchor_token, self.cursor):
            return
        self.chars = None
        if not self.char_mode or self.cursor is None or not self.tokens:
            return
        cursor, anchor = self.tokens[self.cursor], self.anchor_token
        if anchor is None:
            self.chars = CharMarks(cursor.start, None, (None, self.cursor))
        elif anchor <= self.cursor:
            self.chars = CharMarks(cursor.end - 1, self.tokens[anchor].start, (anchor, self.cursor))
        else:
            self.chars = CharMarks(cursor.start, self.tokens[anchor].end - 1, (anchor, self.cursor))

    def next_character(self, offset: int, step: int) -> int | None:
        """The next character from `offset` in direction `step` that is not whitespace."""
        text = self.session.paragraph.text
        offset += step
        while 0 <= offset < len(text) and text[offset].isspace():
            offset += step
        return offset if 0 <= offset < len(text) else None

    def action_character_mode(self) -> None:
        """`c`: arrows and shift+arrows by a character, or (again) by a token; a selection is kept."""
        self.char_mode = not self.char_mode
        if not self.char_mode and self.chars is not None:
            self.chars = None  # the token selection it was on is the covering tokens already
        self.show_cursor()
        self.show_title()
        self.say("character mode: arrows move and shift+arrows grow by a character; c goes back to tokens"
                 if self.char_mode else "token mode: arrows move by a token")

    # --- moving -----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.cursor is None:
            return
        if self.char_mode and self.chars is not None:
            target_char = self.next_character(self.chars.cursor, step)
            self.set_chars(self.chars.cursor if target_char is None else target_char, None)
            self.show_cursor()
            return
        target = self.first_movable(self.cursor + step, step)
        self.anchor_token = None
        if target is not None:
            self.cursor = target
        self.show_cursor()

    def action_extend(self, step: int) -> None:
        if self.cursor is None:
            return
        if self.char_mode and self.chars is not None:
            chars = self.chars
            target_char = self.next_character(chars.cursor, step)
            self.set_chars(chars.cursor if target_char is None else target_char,
                           chars.cursor if chars.anchor is None else chars.anchor)
            self.show_cursor()
            return
        if self.anchor_token is None:
            self.anchor_token = self.cursor
        target = self.first_movable(self.cursor + step, step)
        if target is not None:
            self.cursor = target
        self.show_cursor()

    def action_edge(self, last: int) -> None:
        if not self.tokens:
            return
        self.anchor_token = None
        self.cursor = self.first_movable(len(self.tokens) - 1, -1) if last else self.first_movable(0, 1)
        self.show_cursor()

    def action_clear_selection(self) -> None:
        stopped = self.background.stop()
        if stopped is not None:
            self.say(f"{stopped} stopped")
            return
        self.anchor_token = None
        if self.char_mode and self.chars is not None:
            self.set_chars(self.chars.cursor, None)
        self.show_cursor()

    def select_tokens(self, first: int, last: int) -> None:
        self.anchor_token, self.cursor = first, last
        if first == last:
            self.anchor_token = None
        self.show_cursor()

    def action_span_step(self, step: int) -> None:
        """Select the next (or previous) suggestion while the paragraph has any, else the next span."""
        spans = [span for span in self.session.annotation.spans if span.suggested] or list(self.session.annotation.spans)
        if not spans or self.cursor is None:
            self.say("no spans in this paragraph")
            return
        selection = self.selection
        current = next((i for i, s in enumerate(spans) if (s.token_start, s.token_end) == selection), None)
        if current is not None:
            index = (current + step) % len(spans)
        elif step > 0:
            index = next((i for i, s in enumerate(spans) if s.token_start >= self.cursor), 0)
        else:
            index = next((i for i in range(len(spans) - 1, -1, -1) if spans[i].token_start < self.cursor), len(spans) - 1)
        self.select_span(spans[index])
        self.show_cursor()

    def select_span(self, span: Span) -> None:
        """Select exactly `span`: its characters in character mode, else its tokens (cursor on the first)."""
        if self.char_mode:
            self.set_chars(span.end - 1, span.start)
        else:
            self.anchor_token, self.cursor = span.token_end, span.token_start

    def action_phrase(self) -> None:
        if self.cursor is None:
            return
        from annotator.core.phrases import grow_phrase  # here: the phrase rules are not needed before the first paint

        self.anchor_token, self.cursor = grow_phrase(self.tokens, self.selection, self.cursor)
        self.show_cursor()

    def word_starting(self, prefix: str, origin: int) -> int | None:
        """The next token after `origin` (round to it) whose text starts with `prefix`, case-insensitively."""
        prefix = prefix.casefold()
        count = len(self.tokens)
        order = [(origin + offset) % count for offset in range(1, count + 1)]
        return next((i for i in order if self.tokens[i].text.casefold().startswith(prefix)), None)

    def action_jump(self) -> None:
        """`f`: type the start of a word to jump to it; a label key then tags it and shift+arrows select
        from it, closing the prompt (no `enter` needed)."""
        if self.cursor is None:
            return
        from annotator.tui.screens.prompt import PromptScreen  # a dialog: imported when opened

        origin = self.cursor
        keys = screen_keys("annotate", getattr(self.app, "user_keymap", None))
        selecting = {"annotator.grow_selection": 1, "annotator.shrink_selection": -1}

        def jump(prefix: str) -> None:
            prefix = prefix.strip()
            if not prefix:
                self.cursor = origin
            else:
                found = self.word_starting(prefix, origin)
                if found is None:
                    self.app.bell()
                    self.say(f"no word starts with {prefix!r}")
                    return
                self.cursor = found
            self.anchor_token = None
            self.show_cursor()

        def act(key: str, character: str | None, typed: str) -> Callable[[], None] | None:
            """A label key, or `e` after a letter (unless it goes on a word's start: "f 1 6" reaches "16",
            "f T e" "Tehran"), or a selection key."""
            binding = keys.get(canonical_key(key))
            goes_on = self.word_starting((typed + (character or "")).strip(), origin) is not None
            if binding is not None:
                if binding.binding_id == "annotator.select_phrase":
                    return None if goes_on or not typed.strip() else self.action_phrase
                step = selecting.get(binding.binding_id)
                return None if step is None else (lambda: self.action_extend(step))
            label = self.label_keys.get(character or "")
            if label is None or goes_on:
                return None
            return lambda: self.action_tag(label)

        def finish(value: str | None) -> None:
            if value is None:
                self.cursor = origin
                self.show_cursor()

        self.app.push_screen(PromptScreen("Jump to the next word starting with… (a label key tags it, e selects its "
                                          "phrase, shift+→ selects from it, enter stays, esc goes back)",
                                          on_change=jump, on_key=act),
                             finish)

    # --- paragraphs -------------------------------------------------------------------

    def wanted(self, paragraph: Paragraph) -> bool:
        """Whether a paragraph is in the current filter."""
        if self.filter == "unfinished":
            return not self.session.is_decided(paragraph.id)
        if self.filter == "flagged":
            return self.session.is_flagged(paragraph.id)
        return True

    def action_paragraph(self, step: int) -> None:
        if self.filter == "all":
            moved = self.session.next_paragraph() if step > 0 else self.session.previous_paragraph()
        else:
            moved = self.session.next_matching(self.wanted, step)
        if not moved:
            self.app.bell()
            self.message = "no further paragraph" + ("" if self.filter == "all" else f" ({self.filter})")
        else:
            self.message = ""
        self.show_paragraph()

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.message = f"pageup/pagedown/decisions now visit {'every' if self.filter == 'all' else 'only ' + self.filter} paragraph"
        self.show_title()
        self.show_status()

    def action_goto(self) -> None:
        from annotator.tui.screens.prompt import PromptScreen  # a dialog: imported when opened

        def go(value: str | None) -> None:
            if not value or not value.strip():
                return
            value = value.strip()
            session = self.session
            position: Position | None
            article_part, colon, paragraph_part = value.partition(":")
            if value.startswith("#") and value[1:].isdigit():  # an id's number in this article, from 0
                value = f"{session.paragraph.article_id}{value}"
            if value.isdigit():
                position = self.numbered(session.position.article, int(value))
            elif colon and article_part.isdigit() and (paragraph_part.isdigit() or not paragraph_part):
                article = int(article_part) - 1
                in_corpus = 0 <= article < session.corpus.article_count
                position = self.numbered(article, int(paragraph_part or 1)) if in_corpus else None
            elif not session.corpus.indexing_done:  # an id may be where the index has not reached
                self.background.start(lookup_job(session.corpus, lambda: session.find(value), value,
                                                 lambda found: self.arrive(found, value)))
                return
            else:
                position = session.find(value)
            self.arrive(position, value)

        self.app.push_screen(PromptScreen("Go to: a paragraph number in this article as the header counts (12), "
                                          "article and paragraph numbers (3:12, or 3: for its first), an id's "
                                          "number in this article (#11: ids count from 0), a paragraph id or an "
                                          "article id",
                                          placeholder="12 · 3:12 · 3: · #11 · strikes-0202#3 · strikes-0202"), go)

    def arrive(self, position: Position | None, value: str) -> None:
        """Open what `g` found, or say that nothing is called `value`."""
        if position is None:
            self.app.bell()
            self.say(f"no paragraph or article {display_text(value)!r}")
            return
        self.session.open(position)
        self.message = self.place()
        self.show_paragraph()

    def numbered(self, article: int, number: int) -> Position | None:
        """Paragraph `number` (from 1) of article index `article`, if there is one."""
        count = len(self.session.corpus.article(article).paragraphs)
        return Position(article, number - 1) if 1 <= number <= count else None

    def action_search(self) -> None:
        from annotator.tui.screens.prompt import PromptScreen  # a dialog: imported when opened

        def search(value: str | None) -> None:
            if value and value.strip():
                self.last_search = value.strip()
                self.action_next_match()

        self.app.push_screen(PromptScreen("Search the corpus for text (n: next match)", value=self.last_search), search)

    def action_next_match(self) -> None:
        """The next match after the cursor: the first articles at once, the rest in a thread (escape stops it)."""
        if not self.last_search:
            self.say("no search yet: press / to search")
            return
        session = self.session
        after = session.tokens[self.cursor].end if self.cursor is not None and session.tokens else 0
        search = TextSearch(session.corpus, self.last_search, session.position, after)
        if search.run(SEARCH_AT_ONCE, known_only=True):
            self.show_match(search)
        else:
            self.background.start(search_job(search, self.show_match))

    def show_match(self, search: TextSearch) -> None:
        """Open the paragraph of a finished search's match and select it, or say there is none."""
        query = display_text(search.query)
        found = search.found
        if found is None:
            self.app.bell()
            self.say(f"{query!r} is nowhere in the corpus")
            return
        session = self.session
        if found.position != session.position:
            session.open(found.position)
            self.show_paragraph()
        words = [t for t in session.tokens if not t.text.isspace()]
        first = next((t.id for t in words if t.end > found.start), None)
        last = next((t.id for t in reversed(words) if t.start < found.end), first)
        if first is not None and last is not None:
            self.select_tokens(first, max(first, last))
        self.say(f"match for {query!r} in {self.place()}")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.background.state_changed(event)

    # --- help, mouse, span list -------------------------------------------------------

    def key_list(self) -> list[KeyRow]:
        """Every key of this screen as the keymap left it: for the help screen and the command palette."""
        out = bound_keys(self, "annotate")
        out += [KeyRow([label.key], f"Tag {label.name}", f"Tag the selection (or the token under the cursor) as "
                       f"{label.name}; on a span: relabel it", "(schema key)", f"tag({label.name!r})")
                for label in self.session.schema.labels if label.key]
        return out

    def action_help(self) -> None:
        from annotator.tui.screens.help import HelpScreen  # a dialog: imported when opened

        self.app.push_screen(HelpScreen(self.key_list(), self.session.schema))

    def action_quit(self) -> None:
        """Quit; with changes the store could not write, try once more, then ask for a second `q`."""
        if self.session.unsaved and not self.quit_warned:
            try:
                self.session.save_unsaved()
            except OSError as error:
                self.quit_warned = True
                self.app.bell()
                self.saved_state = f"NOT SAVED: {error.strerror or error}"
                self.say(f"{len(self.session.unsaved)} change(s) could not be written: q again quits and loses "
                         "them; free space on the disk and they are written")
                return
        self.app.exit()

    def on_paragraph_view_pointed(self, event: ParagraphView.Pointed) -> None:
        """A press moves the cursor, a drag selects, a click on a span selects it: by character in character
        mode, and for a drag that stays inside one token (a label's `snap` then keeps it or widens it)."""
        inside_token = event.anchor == event.token and event.anchor_offset != event.offset
        if event.anchor is not None and event.offset is not None and (self.char_mode or inside_token):
            self.set_chars(event.offset, event.anchor_offset, token=event.token)
        elif event.anchor is not None:
            self.anchor_token, self.cursor = event.anchor, event.token
        elif event.released:
            under = self.spans_under_cursor() if self.cursor == event.token else ()
            if under and self.anchor_token is None:
                self.select_span(under[0])
        elif self.char_mode and event.offset is not None:
            self.set_chars(event.offset, None, token=event.token)
        else:
            self.cursor, self.anchor_token = event.token, None
        self.show_cursor()

    def on_span_list_chosen(self, event: SpanList.Chosen) -> None:
        span = self.session.annotation.span(event.span_id)
        if span is not None:
            self.anchor_token, self.cursor = span.token_end, span.token_start
            self.show_cursor()
        self.view.focus()
