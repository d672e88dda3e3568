"""The floor the annotator is measured against: a minimal Textual app showing the same text.

Run: `python benchmarks/floor_app.py TEXT_FILE`. It wraps the file's text once into a panel
as wide as the annotate screen's paragraph, draws a reverse-video cursor on one word, and on
any key but `q` moves the cursor one word on, repainting only the line or two that changed
(the least a key press can cost in Textual). `q` quits. `keys.py` and `startup.py` run it in
the same pseudo-terminal as `annotator annotate`.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

WIDTH = 80  # the annotate screen's paragraph text at 120 columns


class Lines(ScrollView, can_focus=True):
    """Wrapped text, one word under a cursor."""

    DEFAULT_CSS = "Lines { width: 84; padding: 0 1; border: round $primary; }"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lines = [line.split(" ") for line in textwrap.wrap(" ".join(text.split()), WIDTH)]
        self.words = [(row, column) for row, words in enumerate(self.lines) for column in range(len(words))]
        self.cursor = 0
        self.virtual_size = Size(WIDTH, len(self.lines))

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        if row >= len(self.lines):
            return Strip.blank(WIDTH)
        cursor_row, cursor_column = self.words[self.cursor]
        segments: list[Segment] = []
        for column, word in enumerate(self.lines[row]):
            if segments:
                segments.append(Segment(" "))
            segments.append(Segment(word, Style(reverse=True, bold=True) if (row, column) == (cursor_row, cursor_column)
                                    else None))
        return Strip(segments).adjust_cell_length(WIDTH)

    def on_key(self, event: events.Key) -> None:
        if event.key == "q":
            self.app.exit()
            return
        event.stop()
        old_row = self.words[self.cursor][0]
        self.cursor = (self.cursor + 1) % len(self.words)
        new_row = self.words[self.cursor][0]
        for row in {old_row, new_row}:
            self.refresh_lines(row)
        if not self.scroll_offset.y <= new_row < self.scroll_offset.y + self.scrollable_content_region.height:
            self.scroll_to(y=new_row, animate=False)


class FloorApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Lines(self.text)


if __name__ == "__main__":
    FloorApp(Path(sys.argv[1]).read_text(encoding="utf-8")).run()
