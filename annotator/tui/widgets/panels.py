"""The small panels around the paragraph: label bar, span list, context and status.

They are re-drawn when the paragraph or its annotation changes (a handful of lines each),
never on a plain cursor move, except the span list's highlight, which repaints two rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from annotator.core.display import display_text
from annotator.core.schema import Schema
from annotator.core.spans import Relation, Span


class TextLine(Widget):
    """One line of text (header, status) that repaints itself without re-laying out the screen."""

    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()

    def show(self, text: Text) -> None:
        if text == self.text:
            return
        self.text = text
        self.refresh()

    def render(self) -> Text:
        return self.text


class LabelBar(Static):
    """Each label's key, colour swatch, name and count in this paragraph."""

    shown: tuple[object, ...] = ()
    shown_width = 0
    shown_lines = 0

    def show_counts(self, schema: Schema, spans: Sequence[Span]) -> None:
        counts = Counter(span.label for span in spans)
        key = (schema.name, tuple(sorted(counts.items())))
        if key == self.shown:  # an update re-lays out the screen: only when a count changed
            return
        same_schema = bool(self.shown) and self.shown[0] == schema.name
        self.shown = key
        text = Text(no_wrap=False)
        for label in schema.labels:
            if text:
                text.append("  ")
            color = Color.parse(label.color)
            # The key drawn on the label's colour is the swatch: one glance links key, colour and name.
            text.append(f" {label.key} ", style=f"bold {color.get_contrast_text(1.0).hex} on {color.hex}")
            text.append(f" {label.name}", style="bold")
            text.append(f" {counts.get(label.name, 0)}", style="dim")
        # Re-laying out the screen costs more than the rest of an edit: only when the bar's height changes.
        width = self.content_region.width
        lines = len(text.wrap(self.app.console, width)) if width > 0 else 0
        self.update(text, layout=not (same_schema and width == self.shown_width and lines == self.shown_lines))
        self.shown_width, self.shown_lines = width, lines


def short_source(source: str) -> str:
    """A suggestion's source as the narrow span list shows it: `patterns:news-conflict.patterns.jsonl` ->
    `patterns:news-conflict` (the file's suffixes go; the kind and the name stay)."""
    kind, colon, name = source.partition(":")
    for suffix in (".jsonl", ".patterns"):
        name = name.removesuffix(suffix)
    return f"{kind}{colon}{name}"


class SpanList(ScrollView, can_focus=False):
    """This paragraph's spans in text order, one line each; the one under the cursor is highlighted.

    Drawn with the Line API: only the visible rows are rendered, so 500 spans cost what 30 do.
    """

    DEFAULT_CSS = """
    SpanList {
        overflow-x: hidden;
    }
    """

    @dataclass
    class Chosen(Message):
        """A span was clicked in the list."""

        span_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spans: tuple[Span, ...] = ()
        self.highlighted: int | None = None
        self._text = ""
        self._colors: dict[str, Color] = {}
        self._base_style: Style | None = None
        self._links: dict[str, list[str]] = {}

    @property
    def base_style(self) -> Style:
        """`rich_style` walks the DOM on every call: computed once per repaint of the whole list."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def show_spans(self, spans: Sequence[Span], text: str, colors: dict[str, Color],
                   relations: Sequence[Relation] = ()) -> None:
        self._base_style = None  # also picks up a theme change
        self.spans, self._text, self._colors = tuple(spans), text, colors
        by_id = {span.id: span for span in self.spans}
        self._links = {}
        for relation in relations:
            child = by_id.get(relation.child)
            if child is not None:
                self._links.setdefault(relation.head, []).append(
                    f"{relation.label}→{display_text(text[child.start:child.end])}")
        if self.highlighted is not None and self.highlighted >= len(self.spans):
            self.highlighted = None
        self._resize_list(Size(self.scrollable_content_region.width, len(self.spans)))
        self.refresh()

    def _resize_list(self, size: Size) -> None:
        """Size the list to its spans, re-laying out the screen only when its scrollbar appears or goes.

        Assigning `virtual_size` re-lays out the whole screen, the largest cost of an edit, and a
        re-layout does not make a ScrollView decide again whether it needs its scrollbar: so the list
        says so itself when that changes, and otherwise sets its size without a layout (`set_reactive`)
        and tells the scrollbar its new length.
        """
        old, window = self.virtual_size, self.scrollable_content_region.height
        needs_scrollbar = size.height > window
        if window <= 0 or size.width != old.width or needs_scrollbar != self.show_vertical_scrollbar:
            self.virtual_size = size
            self.show_vertical_scrollbar = needs_scrollbar
            self.vertical_scrollbar.display = needs_scrollbar
        elif size != old:
            self.set_reactive(SpanList.virtual_size, size)
            if needs_scrollbar:
                self.vertical_scrollbar.window_virtual_size = size.height
        if self.scroll_y > self.max_scroll_y:  # fewer spans than the list was scrolled past
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def follow(self, span_id: str | None) -> None:
        """Highlight a span (None: no highlight), scrolling it into view."""
        index = next((i for i, span in enumerate(self.spans) if span.id == span_id), None)
        if index == self.highlighted:
            return
        previous, self.highlighted = self.highlighted, index
        for row in (previous, index):
            if row is not None:
                self.refresh_lines(row)
        if index is not None:
            height = self.scrollable_content_region.height
            top = self.scroll_offset.y
            if index < top or index >= top + height:
                self.scroll_to(y=max(0, index - height // 2), animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row >= len(self.spans):
            return Strip.blank(width, self.base_style)
        span = self.spans[row]
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        color = self._colors.get(span.label)
        line.append("■ ", style=color.rich_color.name if color else "")
        line.append(span.label + ("?" if span.suggested else ""), style="bold italic" if span.suggested else "bold")
        if span.suggested and span.score is not None:  # how sure the model is: what decides between `a` and ⌫
            line.append(f" {span.score:.2f}", style="italic")
        if color is None:  # the schema has no such label any more: kept, never dropped, but shown as such
            line.append(" (not in schema)", style="bold red")
        line.append(" " + display_text(self._text[span.start:span.end]))
        if span.suggested:
            line.append(f"  {display_text(short_source(span.source))}", style="dim italic")
        if span.attributes:
            line.append("  " + ", ".join(f"{key}={value}" for key, value in span.attributes), style="dim")
        for link in self._links.get(span.id, ()):
            line.append(f"  {link}", style="italic")
        line.truncate(width, overflow="ellipsis", pad=True)
        style = self.base_style + (Style(reverse=True) if row == self.highlighted else Style())
        segments = list(line.render(self.app.console))
        return Strip(Segment.apply_style(segments, style), width).crop(0, width)

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.spans):
            self.post_message(self.Chosen(self.spans[row].id))


class Context(Static):
    """A neighbouring paragraph, dimmed, for reading the open one in context."""

    shown_text: str | None = None

    def show_text(self, text: str | None, *, tail: bool) -> None:
        if text == self.shown_text:  # an undo on the same paragraph: nothing to re-lay out
            return
        self.shown_text = text
        if not text:
            self.update("")
            self.display = False
            return
        self.display = True
        shown = display_text(" ".join(text.split()))
        room = max(40, (self.size.width or 80) * 2 - 2)  # two lines: the part nearest the open paragraph
        if len(shown) > room:
            shown = "…" + shown[-room + 1:] if tail else shown[: room - 1] + "…"
        self.update(Text(shown, style="dim italic"))
