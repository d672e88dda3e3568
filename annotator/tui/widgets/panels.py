"""The small panels around the paragraph: label bar, span list, context and status.

They are re-drawn when the paragraph or its annotation changes (a handful of lines each),
never on a plain cursor move, except the span list's highlight, which is one attribute.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from rich.text import Text
from textual.color import Color
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.core.schema import Schema
from annotator.core.spans import Span
from annotator.tui.display import display_text


class LabelBar(Static):
    """Each label's key, colour swatch, name and count in this paragraph."""

    def show_counts(self, schema: Schema, spans: Sequence[Span]) -> None:
        counts = Counter(span.label for span in spans)
        text = Text(no_wrap=False)
        for label in schema.labels:
            if text:
                text.append("   ")
            text.append(f" {label.key} ", style="bold reverse")
            text.append(" ██ ", style=Color.parse(label.color).rich_color.name)
            text.append(label.name, style="bold")
            text.append(f" {counts.get(label.name, 0)}", style="dim")
        self.update(text)


class SpanList(OptionList, can_focus=False):
    """This paragraph's spans in text order; the one under the cursor is highlighted."""

    def show_spans(self, spans: Sequence[Span], text: str, colors: dict[str, Color]) -> None:
        self.spans = tuple(spans)
        options = []
        for span in self.spans:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            color = colors.get(span.label)
            prompt.append("■ ", style=color.rich_color.name if color else "")
            prompt.append(span.label + ("?" if span.suggested else ""), style="bold italic" if span.suggested else "bold")
            prompt.append(" " + display_text(text[span.start:span.end]))
            if span.attributes:
                prompt.append("  " + ", ".join(f"{k}={v}" for k, v in span.attributes), style="dim")
            options.append(Option(prompt, id=span.id))
        self.set_options(options)

    def follow(self, span_id: str | None) -> None:
        """Highlight a span (None: no highlight) without moving focus."""
        index = next((i for i, span in enumerate(getattr(self, "spans", ())) if span.id == span_id), None)
        if index != self.highlighted:
            self.highlighted = index


class Context(Static):
    """A neighbouring paragraph, dimmed, for reading the open one in context."""

    def show_text(self, text: str | None, *, tail: bool) -> None:
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
