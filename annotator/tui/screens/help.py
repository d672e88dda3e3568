"""Keys and guidelines: every binding with its id, and every label with its key, colour,
description and examples from the schema, so the guidelines are one key away while working."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.core.display import display_text
from annotator.core.schema import Schema
from annotator.tui.bindings import KeyRow, textual_bindings

#: The help sheet's group headings, in order; each key goes under its binding's action (`key_group`).
GROUPS = ("Move", "Tag, edit", "Decide", "Go, find", "Other")
GROUP_OF = {
    **dict.fromkeys(("next_token", "previous_token", "grow_selection", "shrink_selection", "first_token",
                     "last_token", "next_span", "previous_span", "select_phrase", "character_mode", "jump_to_word",
                     "clear_selection", "next_candidate", "previous_candidate", "toggle"), "Move"),
    **dict.fromkeys(("delete_span", "attributes", "relate", "accept_suggestion", "accept_all", "tag_occurrences",
                     "undo", "redo", "reset"), "Tag, edit"),
    **dict.fromkeys(("accept", "reject", "ignore", "flag", "note", "accept_unanimous"), "Decide"),
    **dict.fromkeys(("next_paragraph", "previous_paragraph", "goto", "search", "next_match", "filter"), "Go, find"),
}


def key_group(row: KeyRow) -> str:
    """The heading a key goes under: a label's key tags; an action by its binding id's last part."""
    if row.binding_id == "(schema key)":
        return "Tag, edit"
    return GROUP_OF.get(row.binding_id.rpartition(".")[2], "Other")


class HelpScreen(ModalScreen[None]):
    """A scrollable sheet of keys and label guidelines."""

    BINDINGS: ClassVar[list[BindingType]] = textual_bindings("help")

    def __init__(self, keys: list[KeyRow], schema: Schema) -> None:
        super().__init__()
        self.keys = keys
        self.schema = schema
        self.labels_table = self._labels_table()
        self.listed: dict[str, Text] = {}  # binding id -> its keys as the sheet lists them
        self.keys_table = self._keys_table()

    # Keys and labels side by side from 110 columns; below, one column that scrolls (annotator.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Textual declares it without ClassVar)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys and guidelines  (esc closes)"
            with Horizontal(id="help-columns"):
                yield Static(self.keys_table, id="help-keys")
                yield Static(self.labels_table, id="help-labels")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def _labels_table(self) -> Table:
        table = Table(title=Text(display_text(f"Labels — schema {self.schema.name} v{self.schema.version}")), title_justify="left",
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
                choices = display_text(", ".join(f"{c.value} ({c.key})" if c.key else c.value for c in attribute.choices))
                guide.append(f"\n  {display_text(attribute.name)}", style="bold")
                if attribute.required:
                    guide.append(" required (a value before accepting)", style="bold red")
                guide.append(f" ({attribute.type}{': ' + choices if choices else ''})", style="dim")
            name = Text.assemble(("██ ", label.color), (display_text(label.name), "bold"))
            table.add_row(Text(display_text(label.key), style="bold"), name, guide)
        return table

    def _keys_table(self) -> Table:
        """The keys under group headings, each with what it does and, dim below, the binding id to remap it."""
        title = Text('Keys (remap in ~/.config/annotator/config.toml, section [keys]: binding_id = "key")',
                     style="italic")
        table = Table(title=title, title_justify="left", expand=True, show_edge=False, show_header=False)
        table.add_column("key", no_wrap=True)
        table.add_column("does", ratio=1)
        grouped: dict[str, list[KeyRow]] = {}
        for row in self.keys:
            grouped.setdefault(key_group(row), []).append(row)
        for heading in sorted(grouped, key=GROUPS.index):
            table.add_section()
            table.add_row(Text(heading, style="bold underline"), "")
            for row in grouped[heading]:
                keys = Text(display_text(" / ".join(row.keys)), style="bold") if row.keys else Text("(no key)", style="dim")
                does = Text(display_text(row.tooltip or row.title))
                does.append(f"\n{row.binding_id}", style="dim")  # ids: the key registry's
                table.add_row(keys, does)
                self.listed[row.binding_id] = keys
        return table

    def action_close(self) -> None:
        self.dismiss(None)
