"""The annotate screen: where annotators spend their day.

The screen keeps only UI state (cursor token, selection anchor, filter, last search); every
data edit goes through a `Session` method, which persists it before returning, and only then
does the screen show it as done ("saved ✓").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Literal

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from annotator.core.corpus import Paragraph
from annotator.core.display import display_text
from annotator.core.phrases import phrase_around
from annotator.core.session import EditRefused, Position, Session
from annotator.core.spans import Annotation, Answer, Relation, Span
from annotator.core.tokens import Token
from annotator.tui.bindings import KeyRow, bound_keys, textual_bindings
from annotator.tui.screens.attributes import AttributeScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.prompt import PromptScreen
from annotator.tui.screens.relations import RelationScreen
from annotator.tui.widgets.panels import Context, LabelBar, SpanList, TextLine
from annotator.tui.widgets.paragraph_view import ParagraphView

Filter = Literal["all", "unfinished", "flagged"]
FILTERS: tuple[Filter, ...] = ("all", "unfinished", "flagged")
DECISION_BADGES = {"accept": "✓ accepted", "reject": "✗ rejected", "ignore": "– ignored"}


class AnnotateScreen(Screen[None]):
    """One paragraph at a time, keyboard first; the Session is the model."""

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("annotate")

    def __init__(self, session: Session, *, store_path: str) -> None:
        super().__init__()
        self.session = session
        self.store_path = store_path
        self.label_colors = {label.name: Color.parse(label.color) for label in session.schema.labels}
        self.cursor: int | None = None
        self.anchor_token: int | None = None
        self.filter: Filter = "all"
        self.last_search = ""
        self.saved_state = ""
        self.message = ""
        self.paragraph_id = ""
        self.shown_id: str | None = None  # the paragraph id in the frame's title
        self.shown_badge: str | None = None  # the decision in its subtitle
        self.label_keys = {label.key: label.name for label in session.schema.labels if label.key}

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TextLine(id="title")
        with Horizontal(id="body"):
            with Vertical(id="reading"):
                yield Context(id="before")
                yield ParagraphView(id="paragraph")
                yield Context(id="after")
                yield LabelBar(id="labels")
            yield SpanList(id="spans")
        yield TextLine(id="status")
        yield Footer()

    @property
    def view(self) -> ParagraphView:
        return self.query_one(ParagraphView)

    def on_mount(self) -> None:
        self.view.focus()
        self.query_one(SpanList).border_title = "Spans"
        self.watch(self.app, "theme", lambda _: self.theme_changed(), init=False)
        self.show_paragraph()
        if not self.session.progress().complete:
            self.indexing_timer = self.set_interval(1.0, self.poll_indexing)

    def theme_changed(self) -> None:
        self.view.theme_changed()
        self.query_one(SpanList).theme_changed()
        self.query_one(LabelBar).theme_changed()
        for line in self.query(TextLine):
            line.theme_changed()

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
        covering = [s for s in self.session.annotation.spans if s.start < token.end and s.end > token.start]
        return tuple(sorted(covering, key=lambda s: (s.end - s.start, s.start)))

    def selected_span(self) -> Span | None:
        """The span exactly matching the selection (as `tab` or a click selects one)."""
        selection = self.selection
        if selection is None:
            return None
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
        before, after = session.paragraphs_around(1, 1)
        self.query_one("#before", Context).show_text(before[-1].text if before else None, tail=True)
        self.query_one("#after", Context).show_text(after[0].text if after else None, tail=False)
        self.show_annotation()
        self.show_cursor()

    def show_annotation(self) -> None:
        """The annotation changed: spans, label counts, span list, title, status."""
        annotation = self.session.annotation
        self.view.set_spans(annotation.spans)
        self.query_one(LabelBar).show_counts(self.session.schema, annotation.spans)
        self.query_one(SpanList).show_spans(annotation.spans, self.session.paragraph.text, self.label_colors,
                                            annotation.relations)
        self.show_title()
        self.show_status()

    def show_cursor(self) -> None:
        self.view.set_cursor(self.cursor, self.selection)
        under = self.spans_under_cursor()
        span = self.focus_span() or (under[0] if under else None)
        self.query_one(SpanList).follow(span.id if span else None)

    def show_title(self) -> None:
        session = self.session
        article = session.article
        annotation = session.annotation
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(display_text(article.title), style="bold")
        title.append(f"   paragraph {session.position.paragraph + 1} of {len(article.paragraphs)}")
        title.append(f"   article {session.position.article + 1} of {session.corpus.article_count}", style="dim")
        if self.filter != "all":
            title.append(f"   filter: only {self.filter}", style="bold italic")
        self.query_one("#title", TextLine).show(title)
        view = self.view
        if self.shown_id != session.paragraph.id:  # as text, not markup: an id may hold `[` and control characters
            self.shown_id = session.paragraph.id
            view.border_title = Text(display_text(session.paragraph.id))
        badge = DECISION_BADGES.get(annotation.answer or "", "undecided")
        if annotation.flagged:
            badge += "  ⚑ flagged" + (f": {display_text(annotation.note)}" if annotation.note else "")
        if self.shown_badge != badge:  # as text, not markup: it quotes the annotator's note
            self.shown_badge = badge
            view.border_subtitle = Text(badge)
        view.set_class(annotation.answer is not None, "-decided")
        view.set_class(annotation.flagged, "-flagged")

    def show_status(self) -> None:
        progress = self.session.progress()
        status = Text(no_wrap=True, overflow="ellipsis")
        percent = f" ({100 * progress.done // progress.total}%)" if progress.total else ""
        about = "" if progress.exact else "~"  # an estimate while a large source is still being read
        status.append(f"{progress.done}/{about}{progress.total} done{percent}", style="bold")
        if not progress.complete:
            status.append(" indexing…", style="italic")
        status.append(f" · {display_text(self.session.annotator)} · {display_text(self.store_path)}")
        if self.saved_state:
            status.append(f" · {self.saved_state}", style="bold red" if self.saved_state.startswith("NOT") else "green")
        if self.message:  # messages name labels and sources, from the store as well as the schema
            status.append(f" · {display_text(self.message)}", style="italic")
        self.query_one("#status", TextLine).show(status)

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
            return False
        except OSError as error:
            self.app.bell()
            self.saved_state = f"NOT SAVED: {error.strerror or error}"
            self.say("the store could not be written; nothing was changed")
            self.notify(display_text(f"Could not write {self.store_path}: {error}"), severity="error", timeout=10,
                        markup=False)
            return False
        changed = self.session.annotation != before
        self.saved_state = "saved ✓" if changed else self.saved_state
        self.message = done if changed else "no change"
        if show:
            self.show_annotation()
        return changed

    def on_key(self, event: events.Key) -> None:
        """A label's key tags, unless a binding has the key (a user's remapping takes it from the label).

        Label keys are not Textual bindings: applying a keymap drops every binding of a key that a
        remapped action leaves, so a label could not have a key the user freed (docs/KEYS.md).
        """
        label = self.label_keys.get(event.character or "")
        if label is None or event.key in self.active_bindings:
            return
        event.stop()
        event.prevent_default()
        self.action_tag(label)

    def action_tag(self, label: str) -> None:
        if self.cursor is None:
            return
        span = self.focus_span()  # the selected span, or the one under the cursor when nothing is selected
        if span is not None:
            if span.label == label:
                if span.suggested:
                    self.edit(lambda: self.session.accept_suggestion(span.id), f"accepted {label}")
                else:
                    self.say(f"already {label}")
                return
            self.edit(lambda: self.session.relabel(span.id, label), f"{span.label} → {label}")
            return
        first, last = self.selection or (self.cursor, self.cursor)
        if self.edit(lambda: self.session.tag_tokens(first, last, label), f"tagged {label}"):
            self.anchor_token = None
            self.show_cursor()
            if self.session.occurrences_suggested:
                self.say(f"tagged {label} · suggested at {self.session.occurrences_suggested} other occurrence(s): "
                         f"O tags them all")

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
        span = suggested[0]
        self.edit(lambda: self.session.accept_suggestion(span.id), f"accepted {span.label}")

    def action_accept_all_suggestions(self) -> None:
        count = sum(1 for span in self.session.annotation.spans if span.suggested)
        if not count:
            self.say("no suggestions in this paragraph")
            return
        self.edit(self.session.accept_all_suggestions, f"accepted {count} suggestion(s)")

    def action_accept_occurrences(self) -> None:
        """Accept the occurrence suggestions of the whole article (other paragraphs are saved too)."""
        try:
            accepted = self.session.accept_occurrences()
        except OSError as error:
            self.app.bell()
            self.saved_state = f"NOT SAVED: {error.strerror or error}"
            self.say("the store could not be written")
            return
        if accepted:
            self.saved_state = "saved ✓"
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
        span_id = span.id

        def set_value(name: str, value: object) -> None:
            shown = "cleared" if value is None else f"= {value}"
            self.edit(lambda: self.session.set_attribute(span_id, name, value), f"{name} {shown}")

        self.app.push_screen(AttributeScreen(label, lambda: self.session.annotation.span(span_id),
                                             self.session.paragraph.text, set_value))

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

        annotation = self.session.annotation
        self.app.push_screen(RelationScreen(head, specs, annotation.spans, annotation.relations,
                                            self.session.paragraph.text, toggle))

    def action_decide(self, answer: Answer) -> None:
        if self.edit(lambda: self.session.decide(answer), DECISION_BADGES[answer], show=False) \
                or self.session.annotation.answer == answer:
            self.go_on()

    def go_on(self) -> None:
        """After a decision: the next paragraph still to do (within the filter)."""
        moved = self.session.next_matching(self.wanted) if self.filter == "flagged" else self.session.next_unfinished()
        if not moved:
            self.message = "every paragraph is decided 🎉" if self.filter != "flagged" else "no more flagged paragraphs"
        self.show_paragraph()

    def action_flag(self) -> None:
        annotation = self.session.annotation
        if annotation.flagged:
            self.edit(lambda: self.session.flag(False), "flag removed")
            return

        def flag_with(note: str | None) -> None:
            if note is not None:
                self.edit(lambda: self.session.flag(True, note.strip()), "flagged for review")

        self.app.push_screen(PromptScreen("Flag for review: a note for the reviewer (optional), enter to flag",
                                          placeholder="what is unclear?", value=annotation.note), flag_with)

    def action_undo(self) -> None:
        self.history(self.session.undo, "undone", "nothing to undo")

    def action_redo(self) -> None:
        self.history(self.session.redo, "redone", "nothing to redo")

    def history(self, step: Callable[[], bool], done: str, nothing: str) -> None:
        try:
            moved = step()
        except OSError as error:
            self.saved_state = f"NOT SAVED: {error.strerror or error}"
            self.say("the store could not be written")
            return
        if moved:
            self.saved_state = "saved ✓"
            self.message = f"{done} ({self.session.paragraph.id})"
        else:
            self.message = nothing
        if self.session.paragraph.id == self.paragraph_id:  # same text and tokens: wrapping it again costs most of an undo
            self.show_annotation()
            self.show_cursor()
        else:
            self.show_paragraph()

    # --- moving -----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.cursor is None:
            return
        target = self.first_movable(self.cursor + step, step)
        self.anchor_token = None
        if target is not None:
            self.cursor = target
        self.show_cursor()

    def action_extend(self, step: int) -> None:
        if self.cursor is None:
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
        self.anchor_token = None
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
        span = spans[index]
        self.anchor_token, self.cursor = span.token_end, span.token_start
        self.show_cursor()

    def action_phrase(self) -> None:
        if self.cursor is None:
            return
        first, last = phrase_around(self.tokens, self.cursor)
        if self.selection is not None:
            first, last = min(first, self.selection[0]), max(last, self.selection[1])
        self.anchor_token, self.cursor = first, last
        self.show_cursor()

    def action_jump(self) -> None:
        if self.cursor is None:
            return
        origin = self.cursor

        def jump(prefix: str) -> None:
            prefix = prefix.strip().casefold()
            if not prefix:
                self.cursor = origin
            else:
                count = len(self.tokens)
                order = [(origin + offset) % count for offset in range(1, count + 1)]
                found = next((i for i in order if self.tokens[i].text.casefold().startswith(prefix)), None)
                if found is None:
                    self.app.bell()
                    self.say(f"no word starts with {prefix!r}")
                    return
                self.cursor = found
            self.anchor_token = None
            self.show_cursor()

        def finish(value: str | None) -> None:
            if value is None:
                self.cursor = origin
                self.show_cursor()

        self.app.push_screen(PromptScreen("Jump to the next word starting with… (enter stays, esc goes back)",
                                          on_change=jump), finish)

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
        def go(value: str | None) -> None:
            if not value or not value.strip():
                return
            value = value.strip()
            session = self.session
            position: Position | None
            article_part, colon, paragraph_part = value.partition(":")
            if value.isdigit():
                position = self.numbered(session.position.article, int(value))
            elif colon and article_part.isdigit() and (paragraph_part.isdigit() or not paragraph_part):
                article = int(article_part) - 1
                in_corpus = 0 <= article < session.corpus.article_count
                position = self.numbered(article, int(paragraph_part or 1)) if in_corpus else None
            else:
                position = session.find(value)
            if position is None:
                self.app.bell()
                self.say(f"no paragraph or article {value!r}")
                return
            session.open(position)
            self.message = ""
            self.show_paragraph()

        self.app.push_screen(PromptScreen("Go to: a paragraph number in this article (12), article and paragraph "
                                          "numbers (3:12, or 3: for its first), a paragraph id or an article id",
                                          placeholder="12 · 3:12 · 3: · strikes-0202#3 · strikes-0202"), go)

    def numbered(self, article: int, number: int) -> Position | None:
        """Paragraph `number` (from 1) of article index `article`, if there is one."""
        count = len(self.session.corpus.article(article).paragraphs)
        return Position(article, number - 1) if 1 <= number <= count else None

    def action_search(self) -> None:
        def search(value: str | None) -> None:
            if value and value.strip():
                self.last_search = value.strip()
                self.action_next_match()

        self.app.push_screen(PromptScreen("Search the corpus for text (n: next match)", value=self.last_search), search)

    def action_next_match(self) -> None:
        query = self.last_search.casefold()
        if not query:
            self.say("no search yet: press / to search")
            return
        session = self.session
        text = session.paragraph.text.casefold()
        after = session.tokens[self.cursor].end if self.cursor is not None and session.tokens else 0
        found = text.find(query, after)
        if found < 0:
            start = session.position
            if not session.next_matching(lambda p: query in p.text.casefold()):
                session.open(Position(0, 0))
                if query not in session.paragraph.text.casefold() and not session.next_matching(
                        lambda p: query in p.text.casefold()):
                    session.open(start)
                    self.app.bell()
                    self.say(f"{self.last_search!r} is nowhere in the corpus")
                    return
            self.show_paragraph()
            found = session.paragraph.text.casefold().find(query)
        tokens = session.tokens
        words = [t for t in tokens if not t.text.isspace()]
        first = next((t.id for t in words if t.end > found), None)
        last = next((t.id for t in reversed(words) if t.start < found + len(query)), first)
        if first is not None and last is not None:
            self.select_tokens(first, max(first, last))
        self.say(f"match for {self.last_search!r} in {session.paragraph.id}")

    # --- help, mouse, span list -------------------------------------------------------

    def key_list(self) -> list[KeyRow]:
        """Every key of this screen as the keymap left it: for the help screen and the command palette."""
        out = bound_keys(self, "annotate")
        out += [KeyRow([label.key], f"Tag {label.name}", f"Tag the selection (or the token under the cursor) as "
                       f"{label.name}; on a span: relabel it", "(schema key)", f"tag({label.name!r})")
                for label in self.session.schema.labels if label.key]
        return out

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.key_list(), self.session.schema))

    def action_quit(self) -> None:
        self.app.exit()

    def on_paragraph_view_pointed(self, event: ParagraphView.Pointed) -> None:
        if event.anchor is not None:
            self.anchor_token, self.cursor = event.anchor, event.token
        elif event.released:
            under = self.spans_under_cursor() if self.cursor == event.token else ()
            if under and self.anchor_token is None:
                span = under[0]
                self.anchor_token, self.cursor = span.token_end, span.token_start
        else:
            self.cursor, self.anchor_token = event.token, None
        self.show_cursor()

    def on_span_list_chosen(self, event: SpanList.Chosen) -> None:
        span = self.session.annotation.span(event.span_id)
        if span is not None:
            self.anchor_token, self.cursor = span.token_end, span.token_start
            self.show_cursor()
        self.view.focus()
