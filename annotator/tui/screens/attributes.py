"""Setting a span's attributes with the schema's two-key sequences: the attribute's key, then
the choice's key (ACTOR: `t` type, then `s` state_forces).

The keys live in a small modal of their own because attribute and choice keys are chosen by
the schema's author and would otherwise clash with the screen's keys (`x`, `n`, `i`...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.core.display import display_text
from annotator.core.schema import AttributeSpec, Label
from annotator.core.spans import Span
from annotator.tui.screens.prompt import PromptScreen


class AttributeScreen(ModalScreen[None]):
    """Attribute keys pick an attribute; choice keys set it; backspace clears it; esc goes back.

    `up`/`down` and `enter` reach the same things without keys (for attributes and choices
    the schema gives no key).
    """

    def __init__(self, label: Label, span: Callable[[], Span | None], paragraph_text: str,
                 set_value: Callable[[str, Any], None], *, missing: AttributeSpec | None = None) -> None:
        """`missing`: a required attribute an accept found unset; the panel opens on it (picked), and closes
        itself once the span has a value for every required attribute."""
        super().__init__()
        self.label = label
        self.span = span
        self.paragraph_text = paragraph_text
        self.set_value = set_value
        self.missing = missing
        self.attribute: AttributeSpec | None = None
        self.row = 0  # the highlighted attribute, or choice once an attribute is picked

    def compose(self) -> ComposeResult:
        with Vertical(id="attributes-box"):
            yield Static(id="attributes")

    def on_mount(self) -> None:
        if self.missing is not None:
            self.row = self.label.attributes.index(self.missing)
            self.pick(self.missing)
        self.show()

    def show(self) -> None:
        span = self.span()
        if span is None:
            self.dismiss(None)
            return
        values = span.attrs
        text = Text()
        text.append(f"{display_text(self.label.name)} ", style="bold")
        text.append(display_text(self.paragraph_text[span.start:span.end]) + "\n\n")
        for index, attribute in enumerate(self.label.attributes):
            chosen = attribute is self.attribute
            pointed = self.attribute is None and index == self.row
            text.append("▸" if pointed else " ")
            text.append(f"{attribute.key or ' '} ", style="bold reverse" if chosen else "bold")
            text.append(f" {display_text(attribute.name)}", style="bold" if chosen or pointed else "")
            text.append(f" = {display_text(str(values[attribute.name]))}" if attribute.name in values else " (not set)",
                        style="" if attribute.name in values else "dim")
            text.append(f"   {attribute.type}", style="dim")
            unset = attribute.required and values.get(attribute.name) is None
            text.append(", required" if attribute.required else "", style="bold red" if unset else "dim")
            text.append("\n")
            if chosen:
                for number, choice in enumerate(attribute.choices):
                    text.append("   ▸ " if number == self.row else "     ")
                    text.append(f"{choice.key or ' '}  ", style="bold")
                    text.append(display_text(choice.value))
                    text.append(f"  {display_text(choice.description)}\n" if choice.description else "\n", style="dim")
        text.append("\n")
        hint = ("a choice's key (or ↑↓ enter) sets it · backspace clears · esc back" if self.attribute is not None
                else "an attribute's key (or ↑↓ enter) · esc closes")
        text.append(hint, style="italic dim")
        self.query_one("#attributes", Static).update(text)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            if self.attribute is None:
                self.dismiss(None)
            else:
                self.row = self.label.attributes.index(self.attribute)
                self.attribute = None
                self.show()
            return
        rows = len(self.label.attributes) if self.attribute is None else len(self.attribute.choices)
        if event.key in ("up", "down") and rows:
            self.row = (self.row + (1 if event.key == "down" else -1)) % rows
            self.show()
            return
        if self.attribute is None:
            if event.key == "enter" and rows:
                self.pick(self.label.attributes[self.row])
                return
            attribute = next((a for a in self.label.attributes if a.key and a.key == event.character), None)
            if attribute is not None:
                self.pick(attribute)
            return
        if event.key == "backspace":
            self.store(self.attribute.name, None)
            return
        if event.key == "enter" and rows:
            self.store(self.attribute.name, self.attribute.choices[self.row].value)
            return
        choice = next((c for c in self.attribute.choices if c.key and c.key == event.character), None)
        if choice is not None:
            self.store(self.attribute.name, choice.value)

    def pick(self, attribute: AttributeSpec) -> None:
        """An attribute's key: choices wait for their key; other types are set at once or typed."""
        span = self.span()
        if span is None:
            return
        if attribute.type == "choice":
            self.attribute = attribute
            self.row = 0
            self.show()
        elif attribute.type == "boolean":
            self.store(attribute.name, not span.attrs.get(attribute.name, False))
        else:
            current = span.attrs.get(attribute.name)
            question = f"{attribute.name} ({attribute.type}): {attribute.description}".strip()
            self.app.push_screen(PromptScreen(question[:200], value="" if current is None else str(current)),
                                 lambda value: self.typed(attribute, value))

    def typed(self, attribute: AttributeSpec, value: str | None) -> None:
        if value is None:
            return
        value = value.strip()
        if not value:
            self.store(attribute.name, None)
            return
        if attribute.type == "integer":
            try:
                number = int(value.replace(",", ""))
            except ValueError:
                self.notify(f"{attribute.name} takes a whole number, not {value!r}", severity="warning")
                return
            if (attribute.minimum is not None and number < attribute.minimum) or (
                    attribute.maximum is not None and number > attribute.maximum):
                self.notify(f"{attribute.name} must be between {attribute.minimum} and {attribute.maximum}",
                            severity="warning")
                return
            self.store(attribute.name, number)
        else:
            self.store(attribute.name, value)

    def store(self, name: str, value: Any) -> None:
        self.set_value(name, value)
        if self.attribute is not None:
            self.row = self.label.attributes.index(self.attribute)
        self.attribute = None
        span = self.span()
        if self.missing is not None and span is not None and all(
                span.attrs.get(attribute.name) is not None for attribute in self.label.attributes if attribute.required):
            self.dismiss(None)  # opened by an accept: what it asked for is given
            return
        self.show()
