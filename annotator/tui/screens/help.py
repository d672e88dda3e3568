"""Keys and guidelines: every binding with its id, and every label with its key, colour,
description and examples from the schema, so the guidelines are one key away while working."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from annotator.core.display import display_text
from annotator.core.schema import Schema


@dataclass(slots=True)
class KeyRow:
    """One action with the keys that run it now."""

    keys: list[str]
    title: str
    tooltip: str
    binding_id: str
    action: str


def bound_keys(screen: Screen, prefix: str) -> list[KeyRow]:
    """Every binding of `screen` whose id starts with `prefix`, with the keys the keymap left it, in BINDINGS order."""
    rows: dict[str, KeyRow] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id is None or not binding.id.startswith(prefix):
            continue
        row = rows.setdefault(binding.id, KeyRow([], binding.description, binding.tooltip, binding.id, binding.action))
        row.keys.append(screen.app.get_key_display(binding.with_key(key)))
    order = {binding.id: index for index, binding in enumerate(screen.BINDINGS) if isinstance(binding, Binding)}
    return sorted(rows.values(), key=lambda row: (order.get(row.binding_id, len(order)), row.binding_id))


class HelpScreen(ModalScreen[None]):
    """A scrollable sheet of keys and label guidelines."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close", tooltip="Back to annotating"),
    ]

    def __init__(self, keys: list[KeyRow], schema: Schema) -> None:
        super().__init__()
        self.keys = keys
        self.schema = schema
        self.labels_table = self._labels_table()
        self.keys_table = self._keys_table()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys and guidelines  (esc closes)"
            yield Static(self.keys_table, id="help-keys")
            yield Static(self.labels_table, id="help-labels")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def _labels_table(self) -> Table:
        table = Table(title=f"Labels — schema {self.schema.name} v{self.schema.version}", title_justify="left",
                      expand=True, show_edge=False)
        table.add_column("key", no_wrap=True)
        table.add_column("label", no_wrap=True)
        table.add_column("what to tag", ratio=1)
        for label in self.schema.labels:
            guide = Text(display_text(label.description))
            for example in label.examples:
                guide.append(f"\n  ✓ {display_text(example)}", style="green")
            for example in label.counter_examples:
                guide.append(f"\n  ✗ {display_text(example)}", style="red")
            for attribute in label.attributes:
                choices = ", ".join(f"{c.value} ({c.key})" if c.key else c.value for c in attribute.choices)
                guide.append(f"\n  {attribute.name}", style="bold")
                guide.append(f" ({attribute.type}{': ' + choices if choices else ''})", style="dim")
            name = Text.assemble(("██ ", label.color), (label.name, "bold"))
            table.add_row(Text(label.key, style="bold"), name, guide)
        return table

    def _keys_table(self) -> Table:
        title = Text('Keys (remap in ~/.config/annotator/config.toml, section [keys]: binding_id = "key")',
                     style="italic")
        table = Table(title=title,
                      title_justify="left", expand=True, show_edge=False)
        table.add_column("key", no_wrap=True)
        table.add_column("does", ratio=1)
        table.add_column("binding id", no_wrap=True, style="dim")
        for row in self.keys:
            table.add_row(Text(" / ".join(row.keys), style="bold"), row.tooltip or row.title, row.binding_id)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
