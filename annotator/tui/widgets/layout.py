"""Wrapping a paragraph into display lines: computed once per width, then again only where an edit changed it.

Pure (no Textual): the widget renders these lines and keeps a cache of them. A line is a list
of fragments, each a run of paragraph characters or a label tag drawn after a span's end, so
every character offset has exactly one place on screen.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter

from rich.cells import cell_len

from annotator.core.display import display_text, visible_at
from annotator.core.spans import Span
from annotator.core.tokens import Token


@dataclass(frozen=True, slots=True)
class Fragment:
    """Characters `start..end` of the paragraph, or (when `tag` is set) a label tag after a span's end,
    or (`opening`) the mark before its start."""

    start: int
    end: int
    tag: Span | None = None
    opening: bool = False


@dataclass(slots=True)
class Line:
    start: int  # first character offset on the line
    fragments: list[Fragment] = field(default_factory=list)
    width: int = 0


def tag_text(span: Span) -> str:
    """The small label name drawn after a span; a suggestion carries a question mark."""
    return f"[{display_text(span.label)}{'?' if span.suggested else ''}]"


OPENING = "‹"  # drawn before a span that shares characters with another, in its label's colour


def mark_text(fragment: Fragment) -> str:
    """What a tag fragment draws: the opening mark or the label tag."""
    assert fragment.tag is not None
    return OPENING if fragment.opening else tag_text(fragment.tag)


def crossing(spans: Sequence[Span]) -> list[Span]:
    """The spans that share a character with another (nested or overlapping): a tint cannot show where
    each of them begins, so an opening mark does, outer first, as the tags after them close inner first."""
    marked: set[int] = set()  # by identity: spans not yet in an annotation have no id
    open_spans: list[Span] = []
    reach = 0  # the furthest end of the spans so far: one starting there or later crosses none of them
    for span in sorted(spans, key=attrgetter("start")):
        if span.start >= reach:
            open_spans, reach = [span], span.end
            continue
        open_spans = [other for other in open_spans if other.end > span.start]
        if open_spans:
            marked.add(id(span))
            marked.update(map(id, open_spans))
        open_spans.append(span)
        reach = max(reach, span.end)
    return [span for span in spans if id(span) in marked]  # in the order given: an edit changes this list where it is


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
    reused_lines: int = 0  # leading lines taken over unchanged from the previous layout
    resumed_at: int | None = None  # from this line on, the previous layout's lines (shifted by `shift`)
    shift: int = 0  # lines added (or, negative, removed) before `resumed_at`

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
                cell += cell_len(mark_text(fragment))
                if x < cell:
                    return last
                continue
            for index in range(fragment.start, fragment.end):
                cell += cell_len(visible_at(self.text, index))
                last = index
                if x < cell:
                    return index
        return last


_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")
_NO_BREAK = "\u00a0\u2007\u202f"  # no-break spaces: "18\u00a0km" stays on one line


@dataclass(frozen=True, slots=True)
class Unit:
    """A breakable piece of a line: the tokens up to and with the next whitespace (or a cut at a line break).

    A line breaks only after whitespace, so punctuation stays with the word it clings to
    ("said," / "(AP)") instead of starting a line.
    """

    start: int
    end: int
    cells: int  # display width of the whole unit
    hanging: int  # cells of trailing whitespace, allowed to hang past the right edge
    hard_break: bool  # the text breaks the line after this unit


def paragraph_units(text: str, tokens: Sequence[Token]) -> list[Unit]:
    """The units of a paragraph; they depend on the text only, so they are computed once per paragraph."""
    inner = [t.start for t in tokens[1:] if text[t.start - 1].isspace() and text[t.start - 1] not in _NO_BREAK]
    bounds = [0, *inner, len(text)]
    breaks = [match.end() for match in _BREAK.finditer(text)]
    units: list[Unit] = []
    cut_index = 0
    for begin, finish in pairwise(bounds):
        cut = begin
        while cut_index < len(breaks) and breaks[cut_index] <= finish:
            position = breaks[cut_index]
            cut_index += 1
            if position <= cut:
                continue
            units.append(_unit(text, cut, position, True))
            cut = position
        if cut < finish or not units:
            units.append(_unit(text, cut, finish, False))
    return units


def _unit(text: str, start: int, end: int, hard_break: bool) -> Unit:
    piece = text[start:end]
    stripped = piece.rstrip()
    cells = cell_len(shown(text, start, end))
    hanging = cells - cell_len(shown(text, start, start + len(stripped))) if len(stripped) < len(piece) else 0
    return Unit(start, end, cells, hanging, hard_break)


def _resume_point(previous: ParagraphLayout, units: Sequence[Unit], changed_from: int) -> tuple[int, int]:
    """(lines to keep, unit to wrap from) when nothing before `changed_from` changed.

    The line before the change is redone too: a narrower unit may now fit at its end.
    """
    keep = previous.line_of_offset(changed_from) - 1
    while keep > 0:
        line = previous.lines[keep]
        index = bisect_left(units, line.start, key=attrgetter("start"))
        if index < len(units) and units[index].start == line.start and line.fragments \
                and line.fragments[0].tag is None:
            return keep, index
        keep -= 1  # a line starting inside a unit (a hard-split long word): back up further
    return 0, 0


def layout_paragraph(text: str, tokens: Sequence[Token], spans: Sequence[Span], width: int,
                     units: Sequence[Unit] | None = None, *, previous: ParagraphLayout | None = None,
                     changed_from: int = 0, changed_to: int | None = None,
                     opened: Sequence[Span] = ()) -> ParagraphLayout:
    """Wrap `text` at token boundaries to `width` cells, with a tag after each span's end and an
    opening mark before each span of `opened` (`crossing`: where a tint cannot show the start).

    With `previous` (the layout at the same width before an edit) and `changed_from` (the first
    offset whose spans changed), the lines before the change are taken over and only the rest
    is wrapped again. With `changed_to` too (the end of the last changed span), wrapping stops
    at the first line past it that starts where a line of `previous` started: from there on the
    lines are those of `previous`. So an edit costs the few lines it moves, wherever it is.
    """
    width = max(8, width)
    if units is None:
        units = paragraph_units(text, tokens)
    # Marks in text order; at one offset the tags of the spans ending there (inner first), then the
    # openings of those starting there (outer first). A mark belongs to the unit holding its anchor:
    # the character before a tag, the one after an opening.
    # Plain tuples, sorted as they are (the index breaks ties in the order given): an edit wraps a few
    # lines again, so a mark's fragment is made only when its unit is.
    marked = (*spans, *opened)
    marks = sorted([(span.end, 0, -span.start, index) for index, span in enumerate(spans)]
                   + [(span.start, 1, -span.end, index) for index, span in enumerate(opened, len(spans))])
    anchors = [position - 1 if kind == 0 else position for position, kind, _, _ in marks]

    kept, first_unit = _resume_point(previous, units, changed_from) if previous is not None else (0, 0)
    lines: list[Line] = previous.lines[:kept] if previous is not None else []
    lines.append(Line(units[first_unit].start if units else 0))
    next_tag = bisect_left(anchors, units[first_unit].start) if first_unit else 0
    resume_from = changed_to if previous is not None and changed_to is not None else None
    resumed_at: int | None = None

    def resumable(start: int) -> int | None:
        """The index of `previous`'s line to carry on with, when a line starting at `start` would be one of its."""
        if resume_from is None or start < resume_from or start <= changed_from:
            return None
        assert previous is not None
        index = bisect_left(previous.line_starts, start)
        if index == len(previous.lines) or previous.line_starts[index] != start:
            return None
        line = previous.lines[index]
        return index if line.fragments and line.fragments[0].tag is None else None

    def place(fragment: Fragment, cells: int) -> None:
        line = lines[-1]
        if not line.fragments:
            line.start = fragment.start
            line.fragments.append(fragment)
        else:
            last = line.fragments[-1]
            if fragment.tag is None and last.tag is None and last.end == fragment.start:
                line.fragments[-1] = Fragment(last.start, fragment.end)  # one run per stretch of plain text
            else:
                line.fragments.append(fragment)
        line.width += cells

    line = lines[-1]
    for unit in units[first_unit:]:
        if not line.fragments and resume_from is not None and line.start == unit.start:
            resumed_at = resumable(unit.start)  # a line begins here (after a hard break)
            if resumed_at is not None:
                break
        if next_tag >= len(marks) or anchors[next_tag] >= unit.end:
            # The common case, kept lean: a unit with no tag in it, appended to the current run.
            if line.fragments and line.width + unit.cells - unit.hanging > width:
                if resume_from is not None:
                    resumed_at = resumable(unit.start)
                    if resumed_at is not None:
                        break
                line = Line(unit.start)
                lines.append(line)
            if unit.cells - unit.hanging <= width:
                fragments = line.fragments
                if fragments and fragments[-1].tag is None and fragments[-1].end == unit.start:
                    fragments[-1] = Fragment(fragments[-1].start, unit.end)
                else:
                    if not fragments:
                        line.start = unit.start
                    fragments.append(Fragment(unit.start, unit.end))
                line.width += unit.cells
                if unit.hard_break:
                    line = Line(unit.end)
                    lines.append(line)
                continue
            parts = [(Fragment(unit.start, unit.end), unit.cells)]
            total = unit.cells
        else:
            parts = []
            cut = unit.start
            while next_tag < len(marks) and anchors[next_tag] < unit.end:
                position, kind, _, index = marks[next_tag]
                mark = Fragment(position, position, marked[index], kind == 1)
                next_tag += 1
                if position > cut:
                    parts.append((Fragment(cut, position), cell_len(shown(text, cut, position))))
                    cut = position
                parts.append((mark, cell_len(mark_text(mark))))
            if cut < unit.end:
                parts.append((Fragment(cut, unit.end), cell_len(shown(text, cut, unit.end))))
            total = sum(cells for _, cells in parts)
        fits_width = total - unit.hanging
        if lines[-1].fragments and lines[-1].width + fits_width > width:
            if resume_from is not None:
                resumed_at = resumable(unit.start)
                if resumed_at is not None:
                    break
            lines.append(Line(unit.start))
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
        if unit.hard_break:
            lines.append(Line(unit.end))
        line = lines[-1]
    if resumed_at is not None:
        assert previous is not None
        if not lines[-1].fragments:
            lines.pop()  # the empty line begun for the unit that starts the carried-over lines
        return _carried_on(text, previous, lines, resumed_at, tokens, kept)
    if len(lines) > 1 and not lines[-1].fragments:
        lines.pop()
    line_starts = [line.start for line in lines]
    token_lines = [max(0, bisect_right(line_starts, t.start) - 1) for t in tokens]
    return ParagraphLayout(text, lines, token_lines, line_starts, kept)


def _carried_on(text: str, previous: ParagraphLayout, lines: list[Line], resumed_at: int, tokens: Sequence[Token],
                kept: int) -> ParagraphLayout:
    """`lines` (wrapped again) followed by `previous`'s lines from `resumed_at`; token lines recomputed only for the new ones."""
    shift = len(lines) - resumed_at
    line_starts = [line.start for line in lines]
    resumed_offset = previous.line_starts[resumed_at]
    first_new = bisect_left(tokens, lines[kept].start, key=attrgetter("start")) if kept < len(lines) else len(tokens)
    first_old = bisect_left(tokens, resumed_offset, key=attrgetter("start"))
    token_lines = previous.token_lines[:first_new]
    token_lines += [max(0, bisect_right(line_starts, t.start) - 1) for t in tokens[first_new:first_old]]
    token_lines += [line + shift for line in previous.token_lines[first_old:]]
    all_lines = lines + previous.lines[resumed_at:]
    line_starts += previous.line_starts[resumed_at:]
    return ParagraphLayout(text, all_lines, token_lines, line_starts, kept, len(lines), shift)
