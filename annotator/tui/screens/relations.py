"""Linking two spans with a relation from the schema: from the span under the cursor (the head),
pick the relation by its schema key, then the other span (the child) from a short list.

Picking a link that already exists removes it, so one key sequence both makes and unmakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.core.display import display_text
from annotator.core.schema import RelationSpec
from annotator.core.spans import Relation, Span

CHILD_KEYS = "123456789"


class RelationScreen(ModalScreen[None]):
    """Step one: a relation's key (or ↑↓ enter). Step two: the child's number (or ↑↓ enter)."""

    def __init__(self, head: Span, specs: Sequence[RelationSpec], spans: Sequence[Span],
                 relations: Sequence[Relation], text: str, toggle: Callable[[Relation], None]) -> None:
        super().__init__()
        self.head = head
        self.specs = list(specs)
        self.spans = list(spans)
        self.existing = set(relations)
        self.text = text
        self.toggle = toggle
        self.spec: RelationSpec | None = None
        self.row = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="relations-box"):
            yield Static(id="relations")

    def on_mount(self) -> None:
        self.show()

    def candidates(self) -> list[Span]:
        """Spans the picked relation may point at, nearest to the head first."""
        if self.spec is None:
            return []
        allowed = [s for s in self.spans if self.spec.connects(self.head.label, s.label) and s.id != self.head.id]
        return sorted(allowed, key=lambda s: abs(s.start - self.head.start))

    def show(self) -> None:
        text = Text()
        text.append(f"{display_text(self.head.label)} ", style="bold")
        text.append(display_text(self.text[self.head.start:self.head.end]) + "  →\n\n")
        if self.spec is None:
            for index, spec in enumerate(self.specs):
                text.append("▸" if index == self.row else " ")
                text.append(f"{spec.key or ' '} ", style="bold")
                text.append(f" {display_text(spec.name)}", style="bold" if index == self.row else "")
                text.append(f"  → {display_text(', '.join(spec.children))}  {display_text(spec.description)}\n", style="dim")
            hint = "a relation's key (or ↑↓ enter) · esc closes"
        else:
            children = self.candidates()
            if not children:
                text.append(f"  no {display_text(' or '.join(self.spec.children))} span in this paragraph yet\n", style="italic")
            for index, child in enumerate(children):
                linked = Relation(self.spec.name, self.head.id, child.id) in self.existing
                text.append("▸" if index == self.row else " ")
                text.append(f"{CHILD_KEYS[index] if index < len(CHILD_KEYS) else ' '} ", style="bold")
                text.append(f" {display_text(child.label)} ", style="bold")
                text.append(display_text(self.text[child.start:child.end]))
                text.append("  ✓ linked (pick again to unlink)\n" if linked else "\n", style="green")
            hint = f"{display_text(self.spec.name)}: the other span's number (or ↑↓ enter) · esc back"
        text.append("\n" + hint, style="italic dim")
        self.query_one("#relations", Static).update(text)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        rows = len(self.specs) if self.spec is None else len(self.candidates())
        if event.key == "escape":
            if self.spec is None:
                self.dismiss(None)
            else:
                self.row = self.specs.index(self.spec)
                self.spec = None
                self.show()
        elif event.key in ("up", "down") and rows:
            self.row = (self.row + (1 if event.key == "down" else -1)) % rows
            self.show()
        elif self.spec is None:
            spec = self.specs[self.row] if event.key == "enter" and rows else next(
                (s for s in self.specs if s.key and s.key == event.character), None)
            if spec is not None:
                self.spec, self.row = spec, 0
                self.show()
        else:
            children = self.candidates()
            index = self.row if event.key == "enter" else CHILD_KEYS.find(event.character or "\0")
            if 0 <= index < len(children):
                self.toggle(Relation(self.spec.name, self.head.id, children[index].id))
                self.dismiss(None)
