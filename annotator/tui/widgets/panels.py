"""The small panels around the paragraph: label bar, span list, context and status.

They are re-drawn when the paragraph or its annotation changes (a handful of lines each),
never on a plain cursor move, except the span list's highlight, which repaints two rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich.cells import cell_len
from rich.console import Console
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

from annotator.core.display import display_text
from annotator.core.schema import Schema
from annotator.core.spans import Relation, Span
from annotator.tui.widgets.sizing import needs_resize, refresh_visible_lines, resize_scroll_view
from annotator.tui.widgets.tints import label_tints, span_background, tint_text


def word_cut(text: Text, width: int) -> Text:
    """`text` cut to `width` cells with an ellipsis after its last whole word that fits (inside
    the first word only when no word fits whole; punctuation before the cut goes); `text` itself when it fits."""
    if text.cell_len <= width:
        return text
    room = max(0, width - 1)  # the ellipsis takes a cell
    cut = text.copy()
    cut.truncate(room)
    space = cut.plain.rstrip().rfind(" ")
    if space > 0 and text.plain[room:room + 1] != " ":  # the last word was cut short: it goes
        cut = cut[:space]
    kept = cut.plain.rstrip(" ·:;,")  # "suggested:…" reads as a cut, "suggested…" as a pause
    cut = cut[:len(kept)]
    cut.append("…")
    return cut


def fit_parts(parts: Sequence[Text], width: int, separator: str = " · ", *, cuttable: int = 2,
              squeeze: int | None = None) -> Text:
    """`parts` (most important first) joined on one line of `width` cells: those that fit whole,
    then the first that does not, cut with an ellipsis if it is one of the first `cuttable` and a few
    cells are left (half a file name says nothing); the rest dropped.

    `squeeze`: the index of a part that gives way to the one after it (the status line's message to
    the progress): it is cut at a word boundary (`word_cut`), or left out, so that both fit."""
    if squeeze is not None and squeeze + 1 < len(parts):
        kept = [*parts[:squeeze], parts[squeeze + 1]]
        room = width - sum(part.cell_len for part in kept) - len(kept) * cell_len(separator)
        if parts[squeeze].cell_len > room:
            squeezed = [word_cut(parts[squeeze], room)] if room >= MIN_CUT else []
            parts = [*parts[:squeeze], *squeezed, *parts[squeeze + 1:]]
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for number, part in enumerate(parts):
        joint = separator if line else ""
        room = width - line.cell_len - cell_len(joint)
        if part.cell_len <= room:
            line.append(joint)
            line.append_text(part)
            continue
        if (room >= MIN_CUT and number < cuttable) or not line:
            cut = part.copy()
            cut.truncate(max(1, room), overflow="ellipsis")
            line.append(joint)
            line.append_text(cut)
        break
    return line


MIN_CUT = 8  # a part is cut to fit only if at least this many cells are left for it


def text_strip(text: Text, width: int, style: Style, console: Console) -> Strip:
    """One line of `text` on `style`, cut as its `overflow` says or padded to `width` cells.

    Drawn with Rich directly: the lines redrawn at every edit (status, label bar, span list
    rows) cost a fifth of what Textual's general visual pipeline takes for the same line.
    """
    line = text.copy()
    line.truncate(width, pad=True)
    base = style + console.get_style(line.style) if line.style else style  # `Text.render` leaves it out without spans
    return Strip(Segment.apply_style(list(line.render(console)), base), width).crop(0, width)


class TextLine(Widget):
    """One line of text (header, status) that repaints itself without re-laying out the screen.

    The line is drawn once per change of its text (or width), not on every repaint. Given parts
    (`show_parts`), it keeps the most important ones whole at any width (`fit_parts`).
    """

    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self.parts: tuple[Text, ...] | None = None
        self.separator = " · "
        self.squeeze: int | None = None
        self._drawn: tuple[Text, int, str, Strip] | None = None  # the text, width and theme the strip was drawn for

    def show(self, text: Text) -> None:
        if text == self.text and self.parts is None:
            return
        self.text, self.parts = text, None
        self.refresh()

    def show_parts(self, parts: Sequence[Text], separator: str = " · ", *, squeeze: int | None = None) -> None:
        """Show `parts`, most important first, joined by `separator`; at a narrow width the last ones go
        first (and the part at `squeeze` is shortened for the one after it: `fit_parts`)."""
        parts = tuple(parts)
        if parts == self.parts and separator == self.separator and squeeze == self.squeeze:
            return
        self.parts, self.separator, self.squeeze = parts, separator, squeeze
        self.text = self.fitted(self.content_region.width or 80)
        self.refresh()

    def fitted(self, width: int) -> Text:
        """The parts as they fit `width`."""
        return fit_parts(self.parts or (), width, self.separator, squeeze=self.squeeze)

    def render(self) -> Text:
        """The text shown (`render_line` draws it)."""
        return self.text

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if y > 0 or width <= 0:
            return Strip.blank(max(width, 0), self.rich_style)
        if self._drawn is None or self._drawn[0] is not self.text or not self.drawn_at(width):
            if self.parts is not None and not self.drawn_at(width):
                self.text = self.fitted(width)
            self._drawn = (self.text, width, self.app.theme, text_strip(self.text, width, self.rich_style, self.app.console))
        return self._drawn[3]

    def drawn_at(self, width: int) -> bool:
        """Whether the line was drawn at this width in the current theme (a new theme recolours it on any screen)."""
        return self._drawn is not None and self._drawn[1] == width and self._drawn[2] == self.app.theme



def label_bar_text(schema: Schema, counts: Counter[str], width: int, colors: dict[str, Color]) -> Text:
    """Each label's key (on its colour: `colors`, else the schema's), name and count on one line of `width` cells.

    When the names do not fit they are shortened ("ATTRIBUTION" -> "ATTR…"), then left out: the key
    on its colour and the count always show, and the bar never wraps.
    """
    longest = max((len(label.name) for label in schema.labels), default=0)
    text = Text(end="")
    for room in (longest, *range(min(longest - 1, 8), 2, -1), 0):
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for label in schema.labels:
            if text:
                text.append("  " if room else " ")
            color = colors.get(label.name) or Color.parse(label.color)
            # The key drawn on the label's colour is the swatch: one glance links key, colour and name.
            text.append(f" {label.key or '·'} ", style=f"bold {tint_text(color).hex} on {color.hex}")
            if room:
                name = label.name if len(label.name) <= room else label.name[: room - 1] + "…"
                text.append(f" {name}", style="bold")
            text.append(f" {counts.get(label.name, 0)}", style="dim")
        if text.cell_len <= width:
            break
    return text


class LabelBar(TextLine):
    """Each label's key, colour swatch, name and count in this paragraph, on one line that fits its width.

    Drawn once per change of a count (or of the width), never re-laying out the screen.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: tuple[object, ...] = ()
        self._schema: Schema | None = None
        self._counts: Counter[str] = Counter()
        self._label_colors: dict[str, Color] = {}  # as the schema gives them
        self._colors: dict[str, Color] = {}  # their tints on this theme

    def show_counts(self, schema: Schema, spans: Sequence[Span], colors: dict[str, Color] | None = None) -> None:
        counts = Counter(span.label for span in spans)
        key = (schema.name, tuple(sorted(counts.items())), tuple(sorted((colors or {}).items())))
        if key == self.shown:
            return
        self.shown = key
        recolored = (colors or {}) != self._label_colors or not self._colors
        self._schema, self._counts, self._label_colors = schema, counts, colors or {}
        if recolored:  # a count changes at every tag; the tints only with the colours (or the theme: `render_line`)
            self._tint()
        self.show(label_bar_text(schema, counts, self.content_region.width or 80, self._colors))

    def _tint(self) -> None:
        """The swatches: the tint a span of each label is drawn on, told apart in 256 and 16 colours too."""
        self._colors = label_tints(self._label_colors, span_background(self)) \
            if self._label_colors and self.is_mounted else {}

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if self._schema is not None and width > 0 and not self.drawn_at(width):
            if self._drawn is None or self._drawn[2] != self.app.theme:  # the tints follow the theme's background
                self._tint()
            self.text = label_bar_text(self._schema, self._counts, width, self._colors)
        return super().render_line(y)

def short_source(source: str) -> str:
    """A suggestion's source as the narrow span list shows it: `patterns:news-conflict.patterns.jsonl` ->
    `patterns:news-conflict` (the file's suffixes go; the kind and the name stay)."""
    kind, colon, name = source.partition(":")
    for suffix in (".jsonl", ".patterns"):
        name = name.removesuffix(suffix)
    return f"{kind}{colon}{name}"


INDENT = 2  # cells before each continuation line of a span list row


def cell_cuts(text: str, width: int, indent: int = INDENT) -> list[int]:
    """Where a row of `text` is cut into lines of `width` cells, the lines after the first indented by `indent`.

    The offsets of each line's first character, from 0: after the last space that fits, or inside
    a word longer than a line. Counted from the plain text, so a row's height is known without
    drawing it.
    """
    cuts = [0]
    room, used = width, 0
    space = -1  # the offset after the last space on the current line
    for index, char in enumerate(text):
        cells = cell_len(char)
        if used + cells > room and used:
            cut = space if space > cuts[-1] else index
            cuts.append(cut)
            room, space = max(1, width - indent), -1
            used = cell_len(text[cut:index])
        used += cells
        if char == " ":
            space = index + 1
    return cuts


@dataclass(frozen=True, slots=True)
class SpanRow:
    """A span list row before it is cut into lines: what it was made from, its text, and its width."""

    span: Span
    links: tuple[str, ...]
    text: Text
    plain: str
    cells: int


class SpanList(ScrollView, can_focus=False):
    """This paragraph's spans in text order, one row each (wrapped: label, text, attributes, links);
    the one under the cursor is highlighted. As wide as its rows need, up to what the CSS allows.

    Drawn with the Line API: only the visible lines are rendered, so 500 spans cost what 30 do;
    a row is cut into lines by cell count (`cell_cuts`), so the list's height is known without
    drawing. An edit repaints only the lines that now show something else, and a row drawn once
    is kept (by span id) for as long as its span, links and highlight stay the same.
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
        self._tints: dict[str, Color] | None = None  # `tints`: the colours on this theme's background
        self._base_style: Style | None = None
        self._links: dict[str, tuple[str, ...]] = {}
        self._rows: dict[str, SpanRow] = {}  # span id -> its row's text
        self._heights: dict[str, tuple[str, int, list[int]]] = {}  # span id -> (plain text, width, cuts)
        self._starts: list[int] = [0]  # the first line of each row, and the line count at the end
        self._width = 0  # the width the rows are cut at
        self._drawn: dict[str, tuple[SpanRow, bool, list[Strip]]] = {}  # span id -> its drawn lines
        self.hint = ""  # shown while there is no span: the keys that make one
        self.set_class(True, "-empty")

    @property
    def base_style(self) -> Style:
        """`rich_style` walks the DOM on every call: computed once per theme."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def theme_changed(self) -> None:
        self._base_style = None
        self._tints = None  # the rows' squares are tinted again when next drawn, on the new background
        self._drawn.clear()
        self.refresh()

    @property
    def tints(self) -> dict[str, Color]:
        """Each label's square: the tint its spans are drawn on in the paragraph and its key on in the
        label bar (`label_tints`), so a label looks the same everywhere, in 256 and 16 colours too."""
        if self._tints is None:
            self._tints = label_tints(self._colors, span_background(self)) if self.is_mounted else {}
        return self._tints

    def natural_width(self) -> int:
        """The cells the widest row takes on one line (the hint's, while there is no span)."""
        return max((row.cells for row in self._rows.values()), default=cell_len(self.hint))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(1, self.natural_width()) + self.styles.scrollbar_size_vertical

    def show_spans(self, spans: Sequence[Span], text: str, colors: dict[str, Color],
                   relations: Sequence[Relation] = ()) -> None:
        """Show these spans; only the lines whose row changed are repainted."""
        spans = tuple(spans)
        by_id = {span.id: span for span in spans}
        links: dict[str, list[str]] = {}
        for relation in relations:
            child = by_id.get(relation.child)
            if child is not None:
                links.setdefault(relation.head, []).append(
                    f"{relation.label}→{display_text(text[child.start:child.end])}")
        same_look = text == self._text and colors == self._colors
        old_spans, old_starts, old_links = self.spans, self._starts, self._links
        old_width = self.natural_width()
        self.spans, self._text, self._colors = spans, text, colors
        self._links = {head: tuple(found) for head, found in links.items()}
        if not same_look:
            self._rows.clear()
            self._drawn.clear()
            self._tints = None
        rows = {}
        for span in spans:
            row = self._rows.get(span.id)
            span_links = self._links.get(span.id, ())
            rows[span.id] = row if row is not None and (row.span is span or row.span == span) \
                and row.links == span_links else self._make_row(span, span_links)
        self._rows = rows
        if len(self._drawn) > len(spans):  # rows of spans that are gone
            self._drawn = {span_id: drawn for span_id, drawn in self._drawn.items() if span_id in by_id}
        if self.highlighted is not None and self.highlighted >= len(self.spans):
            self.highlighted = None
        self.set_class(not spans, "-empty")  # one row for the hint, the rest to the paragraph (annotator.tcss)
        if needs_resize(old_width, self.natural_width(), self.scrollable_content_region.width):
            self.refresh(layout=True)  # wider or narrower rows: the list takes the width they need
        self._cut_rows(self.scrollable_content_region.width)
        resize_scroll_view(self, Size(self.scrollable_content_region.width, self._starts[-1]))
        if not same_look:
            self.refresh()
            return
        top = self.scroll_offset.y
        refresh_visible_lines(self, [line for line in range(top, top + self.scrollable_content_region.height)
                                     if self._line_shows(old_spans, old_starts, old_links, line) != self._line_shows(
                                         self.spans, self._starts, self._links, line)])

    @staticmethod
    def _line_shows(spans: Sequence[Span], starts: list[int], links: dict[str, tuple[str, ...]],
                    line: int) -> tuple[Span, int, tuple[str, ...]] | None:
        """What list line `line` shows: a span, which of its row's lines, and its links."""
        if line >= starts[-1]:
            return None
        index = bisect_right(starts, line) - 1
        span = spans[index]
        return span, line - starts[index], links.get(span.id, ())

    def _cut_rows(self, width: int) -> None:
        """Each row's lines at `width`, and the first line of each row."""
        self._width = width
        if width <= 0:  # not laid out yet: a line per row until it is
            self._starts = list(range(len(self.spans) + 1))
            return
        starts = [0]
        for span in self.spans:
            row = self._rows[span.id]
            known = self._heights.get(span.id)
            if known is None or known[0] != row.plain or known[1] != width:
                known = (row.plain, width, cell_cuts(row.plain, max(1, width)))
                self._heights[span.id] = known
            starts.append(starts[-1] + len(known[2]))
        if len(self._heights) > len(self.spans):
            self._heights = {span_id: known for span_id, known in self._heights.items() if span_id in self._rows}
        self._starts = starts

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._drawn.clear()
            self._cut_rows(width)
            self.refresh()
        if self.virtual_size != Size(width, self._starts[-1]):  # also when a first paint cut the rows already
            resize_scroll_view(self, Size(width, self._starts[-1]))

    def follow(self, span_id: str | None) -> None:
        """Highlight a span (None: no highlight), scrolling its row into view."""
        index = next((i for i, span in enumerate(self.spans) if span.id == span_id), None)
        if index == self.highlighted:
            return
        previous, self.highlighted = self.highlighted, index
        refresh_visible_lines(self, [line for row in (previous, index) if row is not None and row + 1 < len(self._starts)
                                     for line in range(self._starts[row], self._starts[row + 1])])
        if index is not None and index + 1 < len(self._starts):
            height = self.scrollable_content_region.height
            top = self.scroll_offset.y
            first, end = self._starts[index], self._starts[index + 1]
            if first < top or end > top + height:
                self.scroll_to(y=max(0, first - height // 2), animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if width != self._width:
            self._drawn.clear()
            self._cut_rows(width)
        if self._tints is None and self.spans:  # a new theme: the same rows, their squares in its tints
            self._rows = {span.id: self._make_row(span, self._links.get(span.id, ())) for span in self.spans}
        if line >= self._starts[-1]:
            if not self.spans and line == 0 and self.hint:
                return self._hint_strip(width)
            return Strip.blank(width, self.base_style)
        index = bisect_right(self._starts, line) - 1
        span = self.spans[index]
        row = self._rows[span.id]
        highlighted = index == self.highlighted
        drawn = self._drawn.get(span.id)
        if drawn is None or drawn[0] is not row or drawn[1] != highlighted:
            drawn = (row, highlighted, self._render_row(row, highlighted, width))
            self._drawn[span.id] = drawn
        return drawn[2][line - self._starts[index]]

    def _make_row(self, span: Span, links: Sequence[str]) -> SpanRow:
        line = Text(no_wrap=True, end="")
        color = self._colors.get(span.label)
        tint = self.tints.get(span.label)
        line.append("■ ", style=tint.rich_color.name if tint else "")
        line.append(display_text(span.label) + ("?" if span.suggested else ""), style="bold italic" if span.suggested else "bold")
        if span.suggested and span.score is not None:  # how sure the model is: what decides between `a` and ⌫
            line.append(f" {span.score:.2f}", style="italic")
        if color is None:  # the schema has no such label any more: kept, never dropped, but shown as such
            line.append(" (not in schema)", style="bold red")
        line.append(" " + display_text(self._text[span.start:span.end]))
        if span.suggested:
            line.append(f"  {display_text(short_source(span.source))}", style="dim italic")
        if span.attributes:
            line.append("  " + ", ".join(f"{key}={display_text(str(value))}" for key, value in span.attributes),
                        style="dim")
        for link in links:
            line.append(f"  {display_text(link)}", style="italic")
        return SpanRow(span, tuple(links), line, line.plain, line.cell_len)

    def _hint_strip(self, width: int) -> Strip:
        return text_strip(word_cut(Text(self.hint, style="dim italic", end=""), width), width, self.base_style,
                          self.app.console)

    def _render_row(self, row: SpanRow, highlighted: bool, width: int) -> list[Strip]:
        """The row's lines: cut where `cell_cuts` says, continuation lines indented."""
        style = self.base_style + (Style(reverse=True) if highlighted else Style())
        cuts = self._heights[row.span.id][2]
        strips = []
        for number, (start, end) in enumerate(pairwise([*cuts, len(row.plain)])):
            piece = row.text[start:end]
            if number:
                piece = Text(" " * INDENT, end="") + piece
            strips.append(text_strip(piece, width, style, self.app.console))
        return strips

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # on the border
            return
        line = self.scroll_offset.y + offset.y
        if 0 <= line < self._starts[-1]:
            self.post_message(self.Chosen(self.spans[bisect_right(self._starts, line) - 1].id))


class Context(Widget):
    """Neighbouring paragraphs, dimmed, for reading the open one in context: as many of their
    lines as the rows left to it hold, nearest the open paragraph first (wrapped again at every size).

    It is never taller than its lines (its `max-height` follows them): rows it cannot fill go to the
    context on the other side of the paragraph, not to blank rows (a short article's first paragraphs).
    """

    def __init__(self, *, tail: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tail = tail  # the paragraphs before: their last lines show
        self.texts: tuple[str, ...] = ()
        self.display = False
        self._wrapped: tuple[int, list[Text]] | None = None  # (width, the texts' lines at it)

    def show_texts(self, texts: Sequence[str]) -> None:
        """Show these paragraphs (in text order); none hides the widget."""
        shown = tuple(display_text(" ".join(text.split())) for text in texts)
        if shown == self.texts:  # an undo on the same paragraph: nothing to re-lay out
            return
        self.texts = shown
        self._wrapped = None
        self.display = bool(shown)
        self.fit_height()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_height()

    def fit_height(self) -> None:
        """Cap the height at the lines the texts take at this width (unknown before the first layout)."""
        width = self.content_region.width
        if width > 0:
            self.styles.max_height = max(1, len(self.wrapped_lines(width)))

    def wrapped_lines(self, width: int) -> list[Text]:
        """Every line of the texts at `width`, blank lines between paragraphs; wrapped once per width."""
        if self._wrapped is None or self._wrapped[0] != width:
            text = Text("\n\n".join(self.texts), style="dim italic")
            self._wrapped = (width, list(text.wrap(self.app.console, width)))
        return self._wrapped[1]

    def render(self) -> Text:
        width, height = self.content_region.width, self.content_region.height
        if not self.texts or width <= 0 or height <= 0:
            return Text()
        lines = [line.copy() for line in self.wrapped_lines(width)]
        if len(lines) > height:
            if self.tail:  # a blank row between two paragraphs at the cut stays blank, never holding a lone "…"
                lines = lines[-height:]
                first = lines[0]
                cut = first.plain.find(" ")  # the word cut short gives way to the ellipsis
                if first.plain.strip():
                    lines[0] = Text("…", style="dim italic") + (first[cut:] if cut > 0 else first[1:])
            else:
                shown = lines[:height]
                if not shown[-1].plain.strip():  # the cut falls between two paragraphs: the next one's start
                    shown[-1] = lines[height]   # takes the blank row, rather than a lone "…"
                shown[-1] = ellipsis_after(shown[-1], width)  # more of the article follows
                lines = shown
        return Text("\n", end="").join(lines)


def ellipsis_after(line: Text, width: int) -> Text:
    """The last row of a context cut short, with an ellipsis after a whole word (a space before it
    after a sentence's end: "next. …", not "next.…"); the last word goes when there is no room."""
    line = line.copy()
    line.rstrip()
    mark = "…" if line.plain[-1:].isalnum() else " …"
    if line.cell_len + cell_len(mark) <= width:
        return line + Text(mark, style="dim italic")
    return word_cut(line, line.cell_len - 1)
