"""Wrapping a paragraph into display lines: computed once per width or annotation change.

Pure (no Textual): the widget renders these lines and keeps a cache of them. A line is a list
of fragments, each a run of paragraph characters or a label tag drawn after a span's end, so
every character offset has exactly one place on screen.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Sequence

from annotator.core.spans import Span
from annotator.core.tokens import Token
from annotator.tui.display import is_line_break, visible_at

from rich.cells import cell_len


@dataclass(frozen=True, slots=True)
class Fragment:
    """Characters `start..end` of the paragraph, or (when `tag` is set) a label tag for a span."""

    start: int
    end: int
    tag: Span | None = None


@dataclass(slots=True)
class Line:
    start: int  # first character offset on the line
    fragments: list[Fragment] = field(default_factory=list)
    width: int = 0


def tag_text(span: Span) -> str:
    """The small label name drawn after a span; a suggestion carries a question mark."""
    return f"[{span.label}{'?' if span.suggested else ''}]"


def shown(text: str, start: int, end: int) -> str:
    """The display string of `text[start:end]` (placeholders for control characters)."""
    piece = text[start:end]
    if piece.isprintable():
        return piece
    return "".join(visible_at(text, i) for i in range(start, end))


@dataclass(slots=True)
class ParagraphLayout:
    """The wrapped lines of one paragraph at one width, with token -> line lookups."""

    text: str
    lines: list[Line]
    token_lines: list[int]  # line index of each token's first character
    line_starts: list[int]

    def line_of_offset(self, offset: int) -> int:
        return max(0, bisect_right(self.line_starts, offset) - 1)

    def offset_at(self, line_index: int, x: int) -> int | None:
        """The character offset drawn at cell `x` of a line (None past its end or on a tag)."""
        if not 0 <= line_index < len(self.lines):
            return None
        cell = 0
        last: int | None = None
        for fragment in self.lines[line_index].fragments:
            if fragment.tag is not None:
                cell += cell_len(tag_text(fragment.tag))
                if x < cell:
                    return last
                continue
            for index in range(fragment.start, fragment.end):
                cell += cell_len(visible_at(self.text, index))
                last = index
                if x < cell:
                    return index
        return last


def _units(text: str, tokens: Sequence[Token]) -> list[tuple[int, int, bool]]:
    """Breakable units (start, end, hard_break_after): a token with the whitespace after it."""
    starts = [0] + [t.start for t in tokens[1:]] if tokens else [0]
    bounds = starts + [len(text)]
    units: list[tuple[int, int, bool]] = []
    for begin, finish in zip(bounds, bounds[1:]):
        cut = begin
        for index in range(begin, finish):
            if is_line_break(text, index):
                units.append((cut, index + 1, True))
                cut = index + 1
        if cut < finish or not units:
            units.append((cut, finish, False))
    return units


def layout_paragraph(text: str, tokens: Sequence[Token], spans: Sequence[Span], width: int) -> ParagraphLayout:
    """Wrap `text` at token boundaries to `width` cells, with a tag after each span's end."""
    width = max(8, width)
    tags_at: dict[int, list[Span]] = {}
    for span in sorted(spans, key=lambda s: (s.end, -s.start)):
        tags_at.setdefault(span.end, []).append(span)
    tag_positions = sorted(tags_at)

    lines: list[Line] = [Line(0)]

    def place(fragment: Fragment, cells: int) -> None:
        line = lines[-1]
        if not line.fragments:
            line.start = fragment.start
        line.fragments.append(fragment)
        line.width += cells

    def pieces(begin: int, finish: int) -> list[tuple[Fragment, int]]:
        """The text fragments and tags of one unit, in display order."""
        out: list[tuple[Fragment, int]] = []
        cut = begin
        first_tag = bisect_right(tag_positions, begin)
        for position in tag_positions[first_tag:]:
            if position > finish:
                break
            if position > cut:
                out.append((Fragment(cut, position), cell_len(shown(text, cut, position))))
                cut = position
            for span in tags_at[position]:
                out.append((Fragment(position, position, span), cell_len(tag_text(span))))
        if cut < finish:
            out.append((Fragment(cut, finish), cell_len(shown(text, cut, finish))))
        return out

    for begin, finish, hard_break in _units(text, tokens):
        parts = pieces(begin, finish)
        total = sum(cells for _, cells in parts)
        trailing = len(text[begin:finish]) - len(text[begin:finish].rstrip())
        fits_width = total - trailing  # trailing spaces may hang past the edge
        if lines[-1].fragments and lines[-1].width + fits_width > width:
            lines.append(Line(begin))
        if fits_width > width:  # a unit longer than a line (a URL, a run of CJK): cut by cell
            for fragment, cells in parts:
                if fragment.tag is not None:
                    if lines[-1].width + cells > width and lines[-1].fragments:
                        lines.append(Line(fragment.start))
                    place(fragment, cells)
                    continue
                for index in range(fragment.start, fragment.end):
                    char_cells = cell_len(visible_at(text, index))
                    if lines[-1].width + char_cells > width and lines[-1].fragments:
                        lines.append(Line(index))
                    place(Fragment(index, index + 1), char_cells)
        else:
            for fragment, cells in parts:
                place(fragment, cells)
        if hard_break:
            lines.append(Line(finish))
    if len(lines) > 1 and not lines[-1].fragments:
        lines.pop()
    line_starts = [line.start for line in lines]
    token_lines = [max(0, bisect_right(line_starts, t.start) - 1) for t in tokens]
    return ParagraphLayout(text, lines, token_lines, line_starts)
