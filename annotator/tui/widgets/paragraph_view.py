"""The open paragraph, drawn with the Line API so that a 5,000-word paragraph stays instant.

The paragraph is wrapped once per width or annotation change (`layout_paragraph`); each line
is rendered to a `Strip` on demand and cached. Moving the cursor or the selection drops and
repaints only the lines those tokens sit on. The widget owns no data: the screen sets the
text, tokens, spans, cursor and selection; mouse gestures are posted up as messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.core.spans import Span
from annotator.core.tokens import Token
from annotator.tui.widgets.layout import (
    Line,
    ParagraphLayout,
    Unit,
    crossing,
    layout_paragraph,
    mark_text,
    paragraph_units,
    shown,
)
from annotator.tui.widgets.sizing import needs_resize, refresh_visible_lines, resize_scroll_view
from annotator.tui.widgets.tints import FAINT, FAINTEST_STRONG, label_tints, span_background, tint_text

#: the character ranges `[start, end)` of the cursor and of the selection, where they are drawn by character
CharRanges = tuple[tuple[int, int] | None, tuple[int, int] | None]


def readable_on(color: Color, background: Color) -> Color:
    """`color` nudged lighter or darker until it stands out against `background`."""
    gap = color.brightness - background.brightness
    if abs(gap) >= 0.4:
        return color
    if background.brightness < 0.5:
        return color.lighten(0.4 - gap)
    return color.darken(0.4 + gap)


@dataclass(frozen=True, slots=True)
class LabelLook:
    """The styles of one label against the current theme's background."""

    tint: Style  # a span's characters
    suggested: Style  # a pre-annotation not yet accepted
    tag: Style  # the [LABEL] tag after the span


def changed_range(old: Sequence[Span], new: Sequence[Span]) -> tuple[int, int] | None:
    """The offsets from the first to the last character of the spans in one list and not the other (None: the same spans).

    The lists are compared as they come, from both ends: an annotation keeps its spans in one
    order, so an edit differs in the middle only. Lists in different orders give a wider range,
    never a narrower one (what lies outside the differing middle is the same in both).
    """
    shorter = min(len(old), len(new))
    head = 0
    while head < shorter and (old[head] is new[head] or old[head] == new[head]):
        head += 1
    tail = 0
    while tail < shorter - head and (old[-1 - tail] is new[-1 - tail] or old[-1 - tail] == new[-1 - tail]):
        tail += 1
    changed = [*old[head:len(old) - tail], *new[head:len(new) - tail]]
    if not changed:
        return None
    return min(span.start for span in changed), max(span.end for span in changed)


def touches(line: Line, start: int, end: int) -> bool:
    """Whether any character of `line` is in `start..end`."""
    return bool(line.fragments) and line.start < end and line.fragments[-1].end > start


class ParagraphView(ScrollView, can_focus=True, inherit_bindings=False):
    """Paragraph text with spans tinted by label, a token cursor and a token selection.

    It inherits no scrolling keys: arrows, home/end and page keys belong to the screen's
    cursor and paragraph actions; the wheel and the scrollbar still scroll.
    """

    DEFAULT_CSS = """
    ParagraphView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        padding: 0 1;
    }
    """

    @dataclass
    class Pointed(Message):
        """The mouse pressed, dragged to or released on a token."""

        view: ParagraphView
        token: int
        anchor: int | None  # the token where a drag began, None for a plain press
        released: bool
        offset: int | None = None  # the character under the mouse
        anchor_offset: int | None = None  # the character where a drag began

        @property
        def control(self) -> ParagraphView:
            return self.view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = ""
        self._tokens: tuple[Token, ...] = ()
        self._spans: tuple[Span, ...] = ()
        self._opened: tuple[Span, ...] = ()  # the spans whose start is marked
        self._colors: dict[str, Color] = {}
        self._cursor: int | None = None
        self._selection: tuple[int, int] | None = None
        self._chars: CharRanges = (None, None)
        self._units: list[Unit] = []
        self._cells = 0  # the paragraph's width on one line
        self._layout: ParagraphLayout | None = None
        self._layout_width = -1
        self._strips: dict[int, Strip] = {}
        self._looks: dict[str, LabelLook] = {}
        self._base_style: Style | None = None
        self._styles: dict[tuple[object, ...], Style] = {}
        self._drag_from: tuple[int, int] | None = None  # the token and character a press began on
        self._dragged = False

    # --- state set by the screen ------------------------------------------------------

    def set_paragraph(self, text: str, tokens: Sequence[Token], spans: Sequence[Span], colors: dict[str, Color]) -> None:
        """Another paragraph: wrap it and repaint everything. The same one again (after an undo,
        say) is only an edit of its spans."""
        tokens = tuple(tokens)
        if text == self._text and tokens == self._tokens and colors == self._colors:
            self.set_spans(spans)
            return
        self._units = paragraph_units(text, tokens)
        self._cells = sum(unit.cells for unit in self._units)
        self._text, self._tokens, self._spans = text, tokens, tuple(spans)
        self._opened = self._to_open(self._spans)
        self._cursor, self._selection = None, None  # token indices of the old paragraph mean nothing here
        self._colors = colors
        self._looks.clear()
        self._invalidate_layout()

    def set_spans(self, spans: Sequence[Span]) -> None:
        """An edit: wrap again only the lines it moves, and repaint only the lines that look different."""
        spans = tuple(spans)
        if spans == self._spans:
            return
        changed = changed_range(self._spans, spans)
        opened = self._to_open(spans)
        marks_changed = changed_range(self._opened, opened)  # a span nested in another now: its start gets a mark
        if marks_changed is not None:
            changed = marks_changed if changed is None else (min(changed[0], marks_changed[0]),
                                                             max(changed[1], marks_changed[1]))
        self._spans, self._opened = spans, opened
        if changed is not None:
            self._rewrap(*changed)

    def _to_open(self, spans: tuple[Span, ...]) -> tuple[Span, ...]:
        """The spans whose start gets a mark: those nested or overlapping, and every one without colours
        (NO_COLOR), where no tint shows a span."""
        return spans if self.app.no_color else tuple(crossing(spans))

    def set_cursor(self, cursor: int | None, selection: tuple[int, int] | None,
                   chars: CharRanges = (None, None)) -> None:
        """Move the cursor / selection, repainting only the lines they leave and reach.

        `chars`: the character ranges `[start, end)` of the cursor and the selection, drawn
        instead of the tokens' where given (character mode, a drag inside a token).
        """
        if (cursor, selection, chars) == (self._cursor, self._selection, self._chars):
            return
        touched = self._token_range_lines(self._cursor, self._selection) | self._char_range_lines(self._chars)
        self._cursor, self._selection, self._chars = cursor, selection, chars
        touched |= self._token_range_lines(cursor, selection) | self._char_range_lines(chars)
        for line in touched:
            self._strips.pop(line, None)
        refresh_visible_lines(self, touched)
        self.scroll_cursor_visible()

    @property
    def base_style(self) -> Style:
        """The widget's own colours; `rich_style` walks the DOM on every call, so keep it per theme."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def theme_changed(self) -> None:
        self._base_style = None
        self._looks.clear()
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    # --- layout -----------------------------------------------------------------------

    @property
    def layout_lines(self) -> ParagraphLayout:
        return self._wrapped()

    def _wrapped(self) -> ParagraphLayout:
        """The layout at the current width, wrapping the paragraph again (and sizing the scrollbar) when it changed.

        While the scrollbar shows, the paragraph is also tried at the width it would have without
        it: if it fits that way, the scrollbar goes (else a paragraph that fits would keep a
        scrollbar it only needs at the narrower width, depending on what happened before).
        """
        width = max(8, self.scrollable_content_region.width or self.size.width or 80)
        if self._layout is None or width != self._layout_width:
            layout = layout_paragraph(self._text, self._tokens, self._spans, width, self._units, opened=self._opened)
            if self.show_vertical_scrollbar and len(layout.lines) > self.scrollable_content_region.height > 0:
                wider = width + self.styles.scrollbar_size_vertical
                unscrolled = layout_paragraph(self._text, self._tokens, self._spans, wider, self._units, opened=self._opened)
                if len(unscrolled.lines) <= self.scrollable_content_region.height:
                    layout, width = unscrolled, wider
            self._layout, self._layout_width = layout, width
            self._strips.clear()
            resize_scroll_view(self, Size(width, len(layout.lines)))
        return self._layout

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many rows as the wrapped paragraph takes (the CSS keeps a minimum and caps it to the room left)."""
        if self._layout is not None and width in (self._layout_width, self._layout_width + self.styles.scrollbar_size_vertical):
            return len(self._layout.lines)
        if self._cells > max(8, width) * container.height:  # surely taller than the room: not worth wrapping
            return container.height
        return len(layout_paragraph(self._text, self._tokens, self._spans, width, self._units, opened=self._opened).lines)

    def _fit_height(self, old_lines: int, new_lines: int) -> None:
        """Re-lay out the screen when the box, as tall as its text, has to grow or shrink."""
        if self.is_mounted and needs_resize(old_lines, new_lines, self.scrollable_content_region.height):
            self.refresh(layout=True)

    def _invalidate_layout(self) -> None:
        """Wrap the whole paragraph again and repaint it."""
        old_lines = len(self._layout.lines) if self._layout is not None else 0
        self._layout = None
        self._strips.clear()
        if self.is_mounted:
            self._wrapped()  # now, so that virtual_size (the scrollbar) is right
            self._fit_height(old_lines, len(self.layout_lines.lines))
            self.refresh()

    def _rewrap(self, changed_from: int, changed_to: int) -> None:
        """The spans in `changed_from..changed_to` changed: wrap again the lines the change moves, keep the
        drawn lines that look the same, and size the view without re-laying out the screen."""
        previous = self._layout
        width = max(8, self.scrollable_content_region.width or self.size.width or 80)
        if previous is None or not self.is_mounted or width != self._layout_width:
            self._invalidate_layout()
            return
        layout = layout_paragraph(self._text, self._tokens, self._spans, width, self._units, opened=self._opened,
                                  previous=previous, changed_from=changed_from, changed_to=changed_to)
        self._layout = layout
        kept = layout.reused_lines
        carried = layout.resumed_at is not None
        rewrapped_end = layout.resumed_at if layout.resumed_at is not None else len(layout.lines)
        shift = layout.shift if carried else len(layout.lines) - len(previous.lines)
        strips = {line: strip for line, strip in self._strips.items()
                  if line < kept or (carried and line + shift >= rewrapped_end)}
        strips = {line + shift if line >= kept else line: strip for line, strip in strips.items()}
        repaint: list[int] = []
        for index in range(kept, rewrapped_end):
            line = layout.lines[index]
            old = previous.lines[index] if index < len(previous.lines) else None
            if old is not None and old.fragments == line.fragments and not touches(line, changed_from, changed_to):
                if index in self._strips:
                    strips[index] = self._strips[index]  # the same characters in the same style
            else:
                repaint.append(index)
        self._strips = strips
        resize_scroll_view(self, Size(width, len(layout.lines)))
        self._fit_height(len(previous.lines), len(layout.lines))
        if shift:  # the lines below moved up or down the screen
            top = self.scroll_offset.y
            repaint += range(max(rewrapped_end, top), min(max(len(layout.lines), len(previous.lines)),
                                                          top + self.scrollable_content_region.height))
        refresh_visible_lines(self, repaint)

    def on_resize(self, event: events.Resize) -> None:
        self._wrapped()
        self.scroll_cursor_visible()

    def _token_range_lines(self, cursor: int | None, selection: tuple[int, int] | None) -> set[int]:
        if self._layout is None or not self._tokens:
            return set()
        layout = self._layout
        lines: set[int] = set()
        if cursor is not None and cursor < len(self._tokens):
            token = self._tokens[cursor]
            lines.update(range(layout.token_lines[cursor], layout.line_of_offset(max(token.start, token.end - 1)) + 1))
        if selection is not None:
            first, last = selection
            end = self._tokens[min(last, len(self._tokens) - 1)]
            lines.update(range(layout.token_lines[first], layout.line_of_offset(end.end) + 1))
        return lines

    def _char_range_lines(self, chars: CharRanges) -> set[int]:
        if self._layout is None:
            return set()
        return {line for start, end in filter(None, chars)
                for line in range(self._layout.line_of_offset(start), self._layout.line_of_offset(end - 1) + 1)}

    def line_of_token(self, token: int) -> int:
        return self.layout_lines.token_lines[token]

    def scroll_cursor_visible(self) -> None:
        if self._cursor is None or not self._tokens or not self.is_mounted:
            return
        line = self.line_of_token(self._cursor)
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = self.scroll_offset.y
        if line < top:
            self.scroll_to(y=line, animate=False, immediate=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, immediate=True)

    # --- painting ---------------------------------------------------------------------

    def _look(self, label: str) -> LabelLook:
        look = self._looks.get(label)
        if look is None:
            background = span_background(self)
            color = self._colors.get(label, Color.parse("#999999"))
            # Tints told apart in 256 and 16 colours too, one per colour (a review's "ACTOR 2/3" is ACTOR's).
            colors = {other.hex: other for other in (*self._colors.values(), color)}
            tint = label_tints(colors, background)[color.hex]
            faint = label_tints(colors, background, FAINT, FAINTEST_STRONG)[color.hex]
            look = LabelLook(
                tint=Style(bgcolor=tint.rich_color, color=tint_text(tint).rich_color),
                suggested=Style(bgcolor=faint.rich_color, color=faint.blend(tint_text(faint), 0.9).rich_color,
                                italic=True),
                tag=Style(color=readable_on(color, background).rich_color, bold=True),
            )
            self._looks[label] = look
        return look

    def _char_style(self, covering: list[Span], in_cursor: bool, in_selection: bool) -> Style:
        key = (tuple((s.label, s.suggested) for s in covering), in_cursor, in_selection)
        style = self._styles.get(key)
        if style is None:
            style = self.base_style
            if covering:
                inner = covering[0]
                look = self._look(inner.label)
                style += look.suggested if inner.suggested else look.tint
                if len(covering) > 1:
                    style += Style(underline=True)  # nested: the outer span shows as an underline
            if in_selection:
                selection = self.background_colors[1].blend(Color.parse(self.app.current_theme.accent or "#ffa62b"), 0.55)
                style += Style(bgcolor=selection.rich_color, color=selection.get_contrast_text(1.0).rich_color,
                               underline=True, bold=True)
            if in_cursor:
                style += Style(reverse=True, bold=True)
            self._styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        line_index = self.scroll_offset.y + y
        layout = self.layout_lines
        width = self.scrollable_content_region.width
        if line_index >= len(layout.lines):
            return Strip.blank(width, self.base_style)
        strip = self._strips.get(line_index)
        if strip is None:
            strip = self._render_layout_line(line_index).adjust_cell_length(width, self.base_style)
            self._strips[line_index] = strip
        return strip

    def _render_layout_line(self, line_index: int) -> Strip:
        """One display line: text cut wherever a span, the cursor or the selection begins or ends."""
        line = self.layout_lines.lines[line_index]
        text = self._text
        if not line.fragments:
            return Strip([])
        line_start = line.fragments[0].start
        line_end = line.fragments[-1].end
        spans = [s for s in self._spans if s.start < line_end and s.end > line_start]
        cursor_range = (-1, -1)
        if self._cursor is not None and self._cursor < len(self._tokens):
            token = self._tokens[self._cursor]
            cursor_range = (token.start, token.end)
        selection_range = (-1, -1)
        if self._selection is not None:
            first, last = self._selection
            selection_range = (self._tokens[first].start, self._tokens[last].end)
        cursor_range = self._chars[0] or cursor_range
        selection_range = self._chars[1] or selection_range
        cuts = sorted({*(s.start for s in spans), *(s.end for s in spans), *cursor_range, *selection_range})
        segments: list[Segment] = []
        for fragment in line.fragments:
            if fragment.tag is not None:
                look = self._look(fragment.tag.label)
                style = self.base_style + look.tag + (Style(italic=True, dim=True) if fragment.tag.suggested else Style())
                segments.append(Segment(mark_text(fragment), style))
                continue
            points = [fragment.start, *(c for c in cuts if fragment.start < c < fragment.end), fragment.end]
            for start, end in pairwise(points):
                covering = sorted((s for s in spans if s.start <= start < s.end), key=lambda s: (s.end - s.start, s.label))
                style = self._char_style(
                    covering,
                    cursor_range[0] <= start < cursor_range[1],
                    selection_range[0] <= start < selection_range[1],
                )
                segments.append(Segment(shown(text, start, end), style))
        return Strip(segments)

    # --- mouse ------------------------------------------------------------------------

    def token_at(self, x: int, y: int) -> int | None:
        """The token drawn at content cell (x, y), or the nearest one before it on that line."""
        offset = self.offset_at(x, y)
        return None if offset is None else self._token_of(offset)

    def offset_at(self, x: int, y: int) -> int | None:
        """The character offset drawn at content cell (x, y) (None past the line's end or on a tag)."""
        if not self._tokens:
            return None
        line_index = self.scroll_offset.y + max(0, min(y, self.scrollable_content_region.height - 1))
        return self.layout_lines.offset_at(line_index, max(0, x))

    def _token_of(self, offset: int) -> int | None:
        """The token at a character offset, or the nearest word before it."""
        best: int | None = None
        for token in self._tokens:
            if token.start > offset and best is not None:
                break
            if not token.text.isspace():
                best = token.id
        return best

    def _under(self, event: events.MouseEvent) -> tuple[int, int] | None:
        """The token and the character under the mouse."""
        cell = event.get_content_offset_capture(self)
        offset = None if cell is None else self.offset_at(cell.x, cell.y)
        token = None if offset is None else self._token_of(offset)
        return None if token is None or offset is None else (token, offset)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.get_content_offset(self) is None:  # on the border or the scrollbar
            return
        under = self._under(event)
        if under is None:
            return
        self._drag_from = under
        self._dragged = False
        self.capture_mouse()
        self.post_message(self.Pointed(self, under[0], None, False, under[1]))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None or not event.button:
            return
        under = self._under(event)
        if under is None or (under == self._drag_from and not self._dragged):
            return
        self._dragged = True
        self.post_message(self.Pointed(self, under[0], self._drag_from[0], False, under[1], self._drag_from[1]))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_from is None:
            return
        self.release_mouse()
        under = self._under(event)
        anchor, self._drag_from = self._drag_from, None
        if under is not None:
            dragged = self._dragged
            self.post_message(self.Pointed(self, under[0], anchor[0] if dragged else None, True, under[1],
                                           anchor[1] if dragged else None))
