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
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Static

from annotator.core.display import display_text
from annotator.core.schema import Schema
from annotator.core.spans import Relation, Span
from annotator.tui.widgets.sizing import resize_scroll_view


class TextLine(Widget):
    """One line of text (header, status) that repaints itself without re-laying out the screen.

    The line is drawn once per change of its text (or width), not on every repaint.
    """

    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self._drawn: tuple[Text, int, Strip] | None = None  # the text and width the strip was drawn for

    def show(self, text: Text) -> None:
        if text == self.text:
            return
        self.text = text
        self.refresh()

    def render(self) -> Text:
        """The text shown (`render_line` draws it)."""
        return self.text

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if y > 0 or width <= 0:
            return Strip.blank(max(width, 0), self.rich_style)
        if self._drawn is None or self._drawn[0] is not self.text or self._drawn[1] != width:
            strips = Visual.to_strips(self, visualize(self, self.text, markup=False), width, 1, self.visual_style)
            self._drawn = (self.text, width, strips[0])
        return self._drawn[2]

    def theme_changed(self) -> None:
        self._drawn = None
        self.refresh()


class LabelBar(Widget):
    """Each label's key, colour swatch, name and count in this paragraph.

    The text is wrapped and drawn once per change of a count, not on every repaint; the screen
    is re-laid out only when the number of lines changes.
    """

    DEFAULT_CSS = """
    LabelBar {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: tuple[object, ...] = ()
        self.text = Text()
        self._lines: list[Strip] = []
        self._lines_width = -1

    def show_counts(self, schema: Schema, spans: Sequence[Span]) -> None:
        counts = Counter(span.label for span in spans)
        key = (schema.name, tuple(sorted(counts.items())))
        if key == self.shown:
            return
        self.shown = key
        text = Text(end="")
        for label in schema.labels:
            if text:
                text.append("  ")
            color = Color.parse(label.color)
            # The key drawn on the label's colour is the swatch: one glance links key, colour and name.
            text.append(f" {label.key} ", style=f"bold {color.get_contrast_text(1.0).hex} on {color.hex}")
            text.append(f" {display_text(label.name)}", style="bold")
            text.append(f" {counts.get(label.name, 0)}", style="dim")
        self.text = text
        height = len(self._lines)
        self._wrap(self.content_region.width)
        # Re-laying out the screen costs more than the rest of an edit: only when the bar's height changes.
        self.refresh(layout=len(self._lines) != height or self._lines_width <= 0)

    def _wrap(self, width: int) -> None:
        """Wrap and draw the text at `width` as Textual draws a widget's text (trailing spaces dropped)."""
        self._lines_width = width
        self._lines = [] if width <= 0 else Visual.to_strips(self, visualize(self, self.text, markup=False),
                                                             width, None, self.visual_style)

    def theme_changed(self) -> None:
        self._lines_width = -1  # drawn again with the new theme's colours, when next painted
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._lines_width:
            self._wrap(width)
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if width != self._lines_width:
            self._wrap(width)
        return self._lines[y] if y < len(self._lines) else Strip.blank(width, self.rich_style)

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
    An edit repaints only the rows that now show something else, and a row drawn once is kept
    (by span id) for as long as its span, links and highlight stay the same.
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
        self._drawn: dict[str, tuple[Span, list[str], bool, Strip]] = {}  # span id -> what its row was drawn from
        self._drawn_width = 0

    @property
    def base_style(self) -> Style:
        """`rich_style` walks the DOM on every call: computed once per theme."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def theme_changed(self) -> None:
        self._base_style = None
        self._drawn.clear()
        self.refresh()

    def show_spans(self, spans: Sequence[Span], text: str, colors: dict[str, Color],
                   relations: Sequence[Relation] = ()) -> None:
        """Show these spans; only the rows whose span or links changed are repainted."""
        spans = tuple(spans)
        by_id = {span.id: span for span in spans}
        links: dict[str, list[str]] = {}
        for relation in relations:
            child = by_id.get(relation.child)
            if child is not None:
                links.setdefault(relation.head, []).append(
                    f"{relation.label}→{display_text(text[child.start:child.end])}")
        same_look = text == self._text and colors == self._colors
        old_spans, old_links = self.spans, self._links
        self.spans, self._text, self._colors, self._links = spans, text, colors, links
        if not same_look:
            self._drawn.clear()
        elif len(self._drawn) > len(spans):  # rows of spans that are gone
            self._drawn = {span_id: drawn for span_id, drawn in self._drawn.items() if span_id in by_id}
        if self.highlighted is not None and self.highlighted >= len(self.spans):
            self.highlighted = None
        resize_scroll_view(self, Size(self.scrollable_content_region.width, len(self.spans)))
        if not same_look:
            self.refresh()
            return
        top = self.scroll_offset.y
        for row in range(top, top + self.scrollable_content_region.height):
            old = old_spans[row] if row < len(old_spans) else None
            new = spans[row] if row < len(spans) else None
            if old != new or (new is not None and old_links.get(new.id) != links.get(new.id)):
                self.refresh_lines(row)

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
        if width != self._drawn_width:
            self._drawn.clear()
            self._drawn_width = width
        span = self.spans[row]
        links = self._links.get(span.id, [])
        highlighted = row == self.highlighted
        drawn = self._drawn.get(span.id)
        if drawn is not None and drawn[0] == span and drawn[1] == links and drawn[2] == highlighted:
            return drawn[3]
        strip = self._render_row(span, links, highlighted, width)
        self._drawn[span.id] = (span, links, highlighted, strip)
        return strip

    def _render_row(self, span: Span, links: list[str], highlighted: bool, width: int) -> Strip:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        color = self._colors.get(span.label)
        line.append("■ ", style=color.rich_color.name if color else "")
        line.append(display_text(span.label) + ("?" if span.suggested else ""), style="bold italic" if span.suggested else "bold")
        if span.suggested and span.score is not None:  # how sure the model is: what decides between `a` and ⌫
            line.append(f" {span.score:.2f}", style="italic")
        if color is None:  # the schema has no such label any more: kept, never dropped, but shown as such
            line.append(" (not in schema)", style="bold red")
        line.append(" " + display_text(self._text[span.start:span.end]))
        if span.suggested:
            line.append(f"  {display_text(short_source(span.source))}", style="dim italic")
        if span.attributes:
            line.append("  " + display_text(", ".join(f"{key}={value}" for key, value in span.attributes)), style="dim")
        for link in links:
            line.append(f"  {display_text(link)}", style="italic")
        line.truncate(width, overflow="ellipsis", pad=True)
        style = self.base_style + (Style(reverse=True) if highlighted else Style())
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
