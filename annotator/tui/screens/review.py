"""The review screen: several annotators' versions of a paragraph settled into one gold record.

The screen keeps only UI state (which paragraph, the chosen spans, the highlighted candidate);
every gold write goes through `GoldReview`, which appends and fsyncs before returning, and only
then does the screen say "saved ✓". The paragraph is drawn by the annotate screen's
`ParagraphView`: spans in gold solid in their label's colour, spans left out faint with a `?`,
and a disputed span's tag says how many annotators proposed it (`[ACTOR 2/3]`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.color import Color
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

from annotator.core.display import display_text
from annotator.core.schema import Schema
from annotator.core.spans import Answer, Span
from annotator.team.review import (
    Candidate,
    GoldReview,
    ReviewItem,
    SpanKey,
    span_key,
    take_version,
    toggle,
)
from annotator.tui.bindings import KeyRow, bound_keys, textual_bindings
from annotator.tui.screens.annotate import WIDE
from annotator.tui.screens.help import HelpScreen
from annotator.tui.widgets.panels import TextLine
from annotator.tui.widgets.paragraph_view import ParagraphView

ANSWER_MARKS = {"accept": "✓", "reject": "✗", "ignore": "–", None: "…"}
GOLD_BADGES = {"accept": "gold: ✓ accepted", "reject": "gold: ✗ rejected", "ignore": "gold: – ignored"}
UNKNOWN_COLOR = "#999999"
# The legend's parts, most needed first: a narrow screen drops the last ones whole.
LEGEND = ("solid: in gold", "faint [X?]: left out", "[X 2/3]: 2 of 3 proposed it", "■ in □ out", "≠ attributes differ")


def view_label(candidate: Candidate, versions: int) -> str:
    """The label the paragraph view shows: a disputed span carries its count of proposers."""
    if candidate.unanimous:
        return candidate.span.label
    return f"{candidate.span.label} {len(candidate.proposers)}/{versions}"  # drawn through layout.tag_text


class CandidateList(ScrollView, can_focus=False):
    """Every candidate span of the paragraph, one line each: in or out of gold, label, text, who."""

    @dataclass
    class Chosen(Message):
        """A row was clicked."""

        row: int

    DEFAULT_CSS = """
    CandidateList {
        overflow-x: hidden;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.candidates: tuple[Candidate, ...] = ()
        self.chosen: frozenset[SpanKey] = frozenset()
        self.highlighted: int | None = None
        self.versions = 0
        self._text = ""
        self._colors: dict[str, Color] = {}

    def show(self, item: ReviewItem, chosen: frozenset[SpanKey], highlighted: int | None,
             colors: dict[str, Color]) -> None:
        self.candidates, self.chosen, self._text, self._colors = item.candidates, chosen, item.text, colors
        self.versions = len(item.versions)
        self.highlighted = highlighted
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.candidates))
        if highlighted is not None:
            height = self.scrollable_content_region.height
            top = self.scroll_offset.y
            if height > 0 and not top <= highlighted < top + height:
                self.scroll_to(y=max(0, highlighted - height // 2), animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row >= len(self.candidates):
            return Strip.blank(width, self.rich_style)
        candidate = self.candidates[row]
        span = candidate.span
        inside = candidate.key in self.chosen
        color = self._colors.get(span.label, Color.parse(UNKNOWN_COLOR))
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append("■ " if inside else "□ ", style="bold green" if inside else "dim")
        line.append(display_text(span.label), style=f"bold {color.hex}" if inside else f"{color.hex}")
        who = "all" if candidate.unanimous else display_text(" ".join(candidate.proposers))
        if len(who) > width - len(span.label) - 14:  # a narrow list: names cut to three letters, text keeps room
            who = display_text(" ".join(name[:3] for name in candidate.proposers))
        room = max(6, width - len(span.label) - len(who) - 6)
        snippet = display_text(self._text[span.start:span.end])
        if len(snippet) > room:
            snippet = snippet[: room - 1] + "…"
        line.append(" " + snippet, style="" if inside else "dim")
        line.append(" " * max(1, width - line.cell_len - len(who) - (2 if candidate.attributes_differ else 0)))
        line.append(who, style="green" if candidate.unanimous else "yellow")
        if candidate.attributes_differ:
            line.append(" ≠", style="bold yellow")
        line.truncate(width, overflow="ellipsis", pad=True)
        style = self.rich_style + (Style(reverse=True) if row == self.highlighted else Style())
        segments = list(line.render(self.app.console))
        return Strip(Segment.apply_style(segments, style), width).crop(0, width)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # inside the border: `event.y` counts the border's row too
        if offset is None:
            return
        row = self.scroll_offset.y + offset.y
        if 0 <= row < len(self.candidates):
            self.post_message(self.Chosen(row))


class ReviewScreen(Screen[None]):
    """One shared paragraph at a time; the reviewer picks the gold spans from the candidates."""

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("review")

    def __init__(self, review: GoldReview, schema: Schema, *, gold_path: str) -> None:
        super().__init__()
        self.review = review
        self.schema = schema
        self.gold_path = gold_path
        self.label_colors = {label.name: Color.parse(label.color) for label in schema.labels}
        self.annotators = review.plan.annotators
        self.number = review.first_open() or 0
        self.chosen: frozenset[SpanKey] = frozenset()
        self.preferred: str | None = None
        self.highlighted: int | None = None
        self.saved_state = ""
        self.quit_warned: tuple[str, frozenset[SpanKey]] | None = None  # the unsaved state `q` warned about
        self.message = "" if review.first_open() is not None else "every paragraph is already in gold"

    # --- layout -----------------------------------------------------------------------

    # Below 100 columns the candidate list goes under the paragraph, full width (review.tcss): beside it,
    # at 80 columns, it cut every span's text to a few letters and the annotators' names to three.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012 (Textual declares it without ClassVar)

    def compose(self) -> ComposeResult:
        yield TextLine(id="title")
        with Horizontal(id="body"):
            with Vertical(id="reading"):
                yield ParagraphView(id="paragraph")
                with VerticalScroll(id="versions-box"):
                    yield Static(id="versions")
            yield CandidateList(id="candidates")
        yield TextLine(id="legend")
        yield TextLine(id="status")
        yield Footer()

    @property
    def view(self) -> ParagraphView:
        return self.query_one(ParagraphView)

    @property
    def item(self) -> ReviewItem:
        return self.review.items[self.number]

    def on_mount(self) -> None:
        self.view.focus()
        self.query_one(CandidateList).border_title = "Candidate spans (↑↓ ␣)"
        keys = f"1–{min(9, len(self.annotators))}"
        self.query_one("#versions-box").border_title = f"Versions ({keys} takes one whole)"
        self.query_one("#legend", TextLine).show_parts([Text(part, style="dim") for part in LEGEND])
        self.watch(self.app, "theme", lambda _: self.view.theme_changed(), init=False)
        self.open(self.number)

    # --- state ------------------------------------------------------------------------

    def open(self, number: int) -> None:
        """Show paragraph `number` with what gold holds for it (else the unanimous spans)."""
        self.number = number
        self.chosen = self.review.chosen(self.item)
        self.preferred = None
        self.highlighted = self._first_disputed()
        self.show_paragraph()

    def _first_disputed(self) -> int | None:
        candidates = self.item.candidates
        first = next((i for i, c in enumerate(candidates) if not c.unanimous), None)
        return first if first is not None else (0 if candidates else None)

    @property
    def highlighted_candidate(self) -> Candidate | None:
        return None if self.highlighted is None else self.item.candidates[self.highlighted]

    # --- drawing ----------------------------------------------------------------------

    def _view_spans(self) -> tuple[tuple[Span, ...], dict[str, Color]]:
        """Candidates as the paragraph view draws them: out of gold = faint (`suggested`)."""
        item = self.item
        colors: dict[str, Color] = {}
        spans = []
        for candidate in item.candidates:
            label = view_label(candidate, len(item.versions))
            colors[label] = self.label_colors.get(candidate.span.label, Color.parse(UNKNOWN_COLOR))
            spans.append(replace(candidate.span, label=label, suggested=candidate.key not in self.chosen))
        return tuple(spans), colors

    def show_paragraph(self) -> None:
        spans, colors = self._view_spans()
        # ParagraphView keeps its selection across set_paragraph and maps it on the new layout:
        # drop it first, or a selection past the new paragraph's last token indexes out of range.
        self.view.set_cursor(None, None)
        self.view.set_paragraph(self.item.text, self.item.tokens, spans, colors)
        self.show_choice()

    def show_choice(self) -> None:
        """The chosen set or highlight changed: spans, candidate list, versions, title, status."""
        spans, _ = self._view_spans()
        self.view.set_spans(spans)
        candidate = self.highlighted_candidate
        selection = None if candidate is None else (candidate.span.token_start, candidate.span.token_end)
        self.view.set_cursor(None, selection)
        self.query_one(CandidateList).show(self.item, self.chosen, self.highlighted, self.label_colors)
        self.show_versions()
        self.show_title()
        self.show_status()

    def show_versions(self) -> None:
        """Each annotator's key, answer and spans; spans not in gold are dimmed, a version equal to gold is green."""
        item = self.item
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for number, name in enumerate(self.annotators, start=1):
            version = item.version(name)
            key = f" {number} " if number <= 9 else " · "  # beyond nine, a version can only be chosen span by span
            if version is None:
                grid.add_row(Text(key, style="dim reverse"), Text(f"{display_text(name)}  did not annotate this paragraph",
                                                                   style="dim"))
                continue
            same = version.keys == self.chosen
            spans = version.annotation.spans
            text = Text(display_text(name), style="bold")
            text.append(f"  {ANSWER_MARKS.get(version.answer, '…')} {version.answer or 'undecided'}"
                        f" · {len(spans)} span{'s' if len(spans) != 1 else ''}")
            if same:
                text.append("  = gold", style="bold green")
            for index, span in enumerate(spans):
                inside = span_key(span) in self.chosen
                color = self.label_colors.get(span.label, Color.parse(UNKNOWN_COLOR))
                text.append("\n" if index == 0 else " · ")
                text.append(display_text(span.label), style=f"bold {color.hex}" if inside else f"dim {color.hex}")
                text.append(" " + display_text(item.text[span.start:span.end]), style="" if inside else "dim")
            grid.add_row(Text(key, style="bold reverse green" if same else "bold reverse"), text)
        self.query_one("#versions", Static).update(grid)

    def show_title(self) -> None:
        review, item = self.review, self.item
        done = review.done_count()
        agreement = review.agreement()
        # In parts, so that a narrow screen drops the agreement whole ("agreement so far: nothing" misread).
        parts = [Text("Review", style="bold"), Text(f"paragraph {self.number + 1} of {len(review.items)} to review"),
                 Text(f"{done} in gold", style="bold green" if done == len(review.items) else "")]
        if agreement.share is None:
            parts.append(Text("agreement so far: nothing reviewed yet", style="dim"))
        else:
            parts.append(Text(f"agreement so far {agreement.share:.0%} ({agreement.unanimous} of "
                              f"{agreement.candidates} spans unanimous)", style="dim"))
        self.query_one("#title", TextLine).show_parts(parts, separator="   ")
        view = self.view
        view.border_title = Text(f"{display_text(item.id)} · {len(item.agreed)} agreed, {len(item.disputed)} disputed")
        gold = review.gold(item)
        answer = gold.get("answer") if gold else None
        view.border_subtitle = GOLD_BADGES.get(answer or "", "not in gold yet") + (" · choice changed, not saved" if self.unsaved else "")
        view.set_class(answer is not None, "-decided")

    def show_status(self) -> None:
        """Saved state, what just happened, the choice, who and where: on a narrow terminal the gold
        store's path goes first, whole (`TextLine.show_parts`)."""
        parts: list[Text] = []
        if self.saved_state:
            parts.append(Text(self.saved_state, style="bold red" if self.saved_state.startswith("NOT") else "green"))
        if self.message:
            parts.append(Text(display_text(self.message), style="italic"))
        count = len(self.chosen)
        parts += [Text(f"{count} span{'s' if count != 1 else ''} chosen", style="bold"),
                  Text(display_text(self.review.reviewer), style="dim"), Text(f"→ {display_text(self.gold_path)}", style="dim")]
        self.query_one("#status", TextLine).show_parts(parts)

    def say(self, message: str) -> None:
        self.message = message
        self.show_status()

    # --- choosing ---------------------------------------------------------------------

    def action_candidate(self, step: int) -> None:
        count = len(self.item.candidates)
        if not count:
            self.say("no spans proposed here")
            return
        self.highlighted = 0 if self.highlighted is None else (self.highlighted + step) % count
        self.message = ""
        self.show_choice()

    def action_toggle_candidate(self) -> None:
        candidate = self.highlighted_candidate
        if candidate is None:
            self.say("no spans proposed here")
            return
        self.chosen = toggle(self.chosen, candidate.key)
        inside = candidate.key in self.chosen
        self.message = f"{candidate.span.label} {'in' if inside else 'out'}"
        self.show_choice()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A version key beyond the last annotator does nothing (and is not listed on `?`)."""
        return action != "take" or self.version_taken(parameters) is not None

    def version_taken(self, parameters: tuple[object, ...]) -> str | None:
        """The annotator whose version `take(index)` takes; None beyond the last one."""
        index = parameters[0] if parameters else None
        return self.annotators[index] if isinstance(index, int) and 0 <= index < len(self.annotators) else None

    def action_take(self, index: int) -> None:
        name = self.annotators[index]
        if self.item.version(name) is None:
            self.app.bell()
            self.say(f"{name} did not annotate this paragraph")
            return
        self.chosen = take_version(self.item, name)
        self.preferred = name
        self.message = f"took {name}'s version"
        self.show_choice()

    def action_reset(self) -> None:
        self.open(self.number)
        self.say("back to what gold holds" if self.review.gold(self.item) else "back to the agreed spans")

    # --- saving -----------------------------------------------------------------------

    def write(self, change: Callable[[], object], done: str) -> bool:
        """Run one gold write; show it as done only once the store has it."""
        try:
            change()
        except OSError as error:
            self.app.bell()
            self.saved_state = f"NOT SAVED: {error.strerror or error}"
            self.say("the gold store could not be written; nothing was changed")
            self.notify(display_text(f"Could not write {self.gold_path}: {error}"), severity="error", timeout=10,
                        markup=False)
            return False
        self.saved_state = "saved ✓"
        self.message = done
        return True

    def action_decide(self, answer: Answer) -> None:
        item = self.item
        if not self.write(lambda: self.review.save(item, self.chosen, answer, preferred=self.preferred),
                          f"{item.id} {GOLD_BADGES[answer].removeprefix('gold: ')}"):
            return
        following = self.review.first_open(self.number + 1)
        if following is None:
            self.message += f" · all {len(self.review.items)} paragraphs are in gold 🎉"
            self.open(self.number)
            return
        self.open(following)

    @property
    def unsaved(self) -> bool:
        """The choice on screen differs from what gold holds (or from the agreed spans)."""
        return self.chosen != self.review.chosen(self.item)

    def action_accept_unanimous(self) -> None:
        saved: list[ReviewItem] = []
        if not self.write(lambda: saved.extend(self.review.save_unanimous()), ""):
            return
        if not saved:
            self.saved_state = ""
            self.say("no paragraph left on which everyone agrees exactly")
            return
        self.message = f"{len(saved)} paragraph{'s' if len(saved) != 1 else ''} everyone agreed on saved"
        following = self.review.first_open(self.number)
        self.open(self.number if following is None else following)

    def action_paragraph(self, step: int) -> None:
        target = self.number + step
        if not 0 <= target < len(self.review.items):
            self.say("no more paragraphs that way")
            return
        left = self.item.id if self.unsaved else None
        self.open(target)
        self.say(f"changes to {left} not saved" if left else "")

    def action_undo(self) -> None:
        undone: list[ReviewItem | None] = []
        if not self.write(lambda: undone.append(self.review.undo()), ""):
            return
        item = undone[0]
        if item is None:
            self.saved_state = ""
            self.say("nothing to undo")
            return
        self.message = f"undone ({item.id})"
        self.open(self.review.index_of(item.id) or 0)

    def action_help(self) -> None:
        # Label keys mean "take a version" here, so the guidelines are shown without them.
        keyless = replace(self.schema, labels=tuple(replace(label, key="") for label in self.schema.labels))
        self.app.push_screen(HelpScreen(self.key_list(), keyless))

    def key_list(self) -> list[KeyRow]:
        """Every key of this screen as the keymap left it; a version's key names its annotator."""
        rows = []
        for row in bound_keys(self, "review"):
            _, action, parameters = parse(row.action)
            if action != "take":
                rows.append(row)
            elif (name := self.version_taken(parameters)) is not None:
                rows.append(replace(row, title=f"Take {name}", tooltip=f"Gold becomes exactly {name}'s spans"))
        return rows

    def action_quit(self) -> None:
        """Quit; a choice not yet saved asks for a second `q` rather than vanish silently."""
        state = (self.item.id, self.chosen)
        if self.unsaved and self.quit_warned != state:
            self.quit_warned = state
            self.app.bell()
            self.say("this choice is not saved: ⏎ saves it, q again quits")
            return
        self.app.exit()

    def on_paragraph_view_pointed(self, event: ParagraphView.Pointed) -> None:
        """A click on a span highlights it in the candidate list (the innermost, then the next on each click)."""
        if not event.released or event.anchor is not None:
            return
        token = self.item.tokens[event.token]
        covering = [i for i, c in enumerate(self.item.candidates) if c.span.start < token.end and token.start < c.span.end]
        if not covering:
            return
        covering.sort(key=lambda i: self.item.candidates[i].span.end - self.item.candidates[i].span.start)
        following = covering.index(self.highlighted) + 1 if self.highlighted in covering else 0
        self.highlighted = covering[following % len(covering)]
        self.message = ""
        self.show_choice()

    def on_candidate_list_chosen(self, event: CandidateList.Chosen) -> None:
        self.highlighted = event.row
        self.message = ""
        self.show_choice()
