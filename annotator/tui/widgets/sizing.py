"""Sizing a Line-API scroll view without re-laying out the whole screen."""

from __future__ import annotations

from collections.abc import Iterable

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget


class StripScrollBarRender(ScrollBarRender, Visual):
    """Textual's scrollbar, its cells drawn straight into strips.

    Textual draws a scrollbar's renderable through Rich's console (rendered, split into lines,
    cropped) whenever one of its cells changes, as one span more in a long list does at two
    edits in three: redrawing a bar of 34 cells took 0.45 ms in-process, and 0.2 ms this way
    (a strip per kind of cell). The cells are `render_bar`'s, on the widget's style, as
    Textual's own drawing gives them.
    """

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        rows = height or 1
        colors = self.style if isinstance(self.style, RichStyle) else RichStyle.parse(str(self.style))
        bar = self.render_bar(size=rows if self.vertical else width, virtual_size=self.virtual_size,
                              window_size=self.window_size, position=self.position,
                              thickness=width if self.vertical else rows, vertical=self.vertical,
                              back_color=colors.bgcolor or RichColor.parse("#555555"),
                              bar_color=colors.color or RichColor.parse("bright_magenta"))
        on = style.rich_style.__add__
        if self.vertical:  # a few kinds of cell (track above, thumb, track below, the thumb's ends): a strip each
            drawn: dict[Segment, Strip] = {}
            return [drawn.get(segment) or drawn.setdefault(segment, Strip([Segment(segment.text, on(segment.style))], width))
                    for segment in bar.segments][:rows]
        lines: list[Strip] = []
        line: list[Segment] = []
        for text, cell, _ in bar.segments:
            if text == "\n":
                lines.append(Strip(line).crop(0, width))
                line = []
            else:
                line.append(Segment(text, on(cell)))
        return lines[:rows]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.thickness if self.vertical else container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.window_size if self.vertical else self.thickness


ScrollBar.renderer = StripScrollBarRender  # the class Textual keeps for this: every scrollbar of the app draws so


def resize_scroll_view(view: ScrollView, size: Size) -> None:
    """Give `view` (one that never scrolls sideways) a new virtual size, re-laying out the
    screen only when its vertical scrollbar appears or goes.

    Assigning `virtual_size` re-lays out the whole screen, the largest cost of an edit, and a
    re-layout does not make a ScrollView decide again whether it needs its scrollbar: so the
    view says so itself when that changes, and otherwise sets its size without a layout
    (`set_reactive`) and tells the scrollbar its new length, which repaints only if its thumb
    looks different.
    """
    old, window = view.virtual_size, view.scrollable_content_region.height
    needs_scrollbar = size.height > window
    if window <= 0 or needs_scrollbar != view.show_vertical_scrollbar:
        view.virtual_size = size
        view.show_vertical_scrollbar = needs_scrollbar
        view.vertical_scrollbar.display = needs_scrollbar
    elif size != old:
        view.set_reactive(Widget.virtual_size, size)
        if needs_scrollbar:
            set_scrollbar_length(view.vertical_scrollbar, size.height)
    if view.scroll_y > view.max_scroll_y:  # shorter than the view was scrolled past
        view.scroll_to(y=view.max_scroll_y, animate=False, immediate=True)


def set_scrollbar_length(bar: ScrollBar, length: int) -> None:
    """Tell `bar` the length of what it scrolls, repainting only the cells whose drawing changed.

    One span or line more in a long list moves the thumb's ends by an eighth of a cell at most,
    so one or two cells look different; repainting the whole bar (what setting its length does)
    costs more than the rest of the list's update.
    """
    if length == bar.window_virtual_size:
        return
    before, after = _drawn(bar, bar.window_virtual_size), _drawn(bar, length)
    bar.set_reactive(ScrollBar.window_virtual_size, length)
    changed = [cell for cell, (old, new) in enumerate(zip(before, after)) if old != new]
    if changed:
        bar.refresh(Region(0, changed[0], bar.size.width, changed[-1] - changed[0] + 1))


def _drawn(bar: ScrollBar, length: int) -> list[object]:
    """The cells `bar` draws, top to bottom, for a scrolled length of `length` (as `ScrollBar.render`
    asks its renderer)."""
    window = bar.window_size if bar.window_size < length else 0
    segments = bar.renderer.render_bar(size=bar.size.height, virtual_size=length, window_size=window,
                                       position=bar.position, vertical=bar.vertical)
    return list(segments.segments)


def refresh_visible_lines(view: ScrollView, lines: Iterable[int]) -> None:
    """Repaint these lines of `view`'s content, as far as they are on screen, a run of lines at a time.

    Textual clips a repaint to the view's container, not to the view: a line scrolled out below
    the view would repaint the rows of whatever is drawn under it. And the compositor's work
    grows with the regions it is given, so neighbouring lines go as one.
    """
    top = view.scroll_offset.y
    bottom = top + view.scrollable_content_region.height
    visible = sorted(line for line in set(lines) if top <= line < bottom)
    run = 0  # where the run of consecutive lines that ends at `end` starts
    for end in range(1, len(visible) + 1):
        if end == len(visible) or visible[end] != visible[end - 1] + 1:
            view.refresh_lines(visible[run], end - run)
            run = end


def needs_resize(old: int, new: int, current: int) -> bool:
    """Whether a box sized to its content (`auto`, between a CSS minimum and maximum) changes size
    when its content goes from `old` to `new` cells or lines, the box being `current` now.

    A box is as big as its content, or bigger at its minimum, or smaller at its maximum: so a
    box that held all of `old` changes when `new` no longer fits or fits in less, and one at its
    maximum changes only when `new` fits. Asked on edits, so that the screen is re-laid out (the
    largest cost of an edit) only when the box really moves.
    """
    return (new > current and old <= current) or (new < current and old >= current)
