"""The key registry (annotator/core/keys.py) made into Textual bindings, and read back as the keymap left it.

Screens take their `BINDINGS` from `textual_bindings`; the help sheet and the command palette list
`bound_keys`, so the three can never disagree with each other or with the schema validator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from textual.binding import Binding, BindingType
from textual.screen import Screen

from annotator.core.keys import KeyBinding, ScreenName, screen_bindings


def textual_bindings(screen: ScreenName) -> list[BindingType]:
    """`BINDINGS` for a screen, straight from the registry."""
    return [_textual(binding) for binding in screen_bindings(screen)]


def _textual(binding: KeyBinding) -> Binding:
    return Binding(",".join(binding.keys), binding.action, binding.description, show=binding.show,
                   key_display=binding.key_display, id=binding.binding_id, tooltip=binding.tooltip)


@dataclass(slots=True)
class KeyRow:
    """One action with the keys that run it now (none when a remapping took them all)."""

    keys: list[str]
    title: str
    tooltip: str
    binding_id: str
    action: str


@runtime_checkable
class ListsKeys(Protocol):
    """A screen whose actions the help sheet and the command palette list."""

    def key_list(self) -> list[KeyRow]: ...


def bound_keys(screen: Screen[Any], name: ScreenName) -> list[KeyRow]:
    """A row per registry binding of screen `name`, in registry order, with the keys it has now.

    The keys come from the screen's active bindings, so a user's `[keys]` remapping shows as remapped.
    """
    keys: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        if active.binding.id is not None:
            keys.setdefault(active.binding.id, []).append(screen.app.get_key_display(active.binding.with_key(key)))
    return [KeyRow(keys.get(binding.binding_id, []), binding.description, binding.tooltip, binding.binding_id,
                   binding.action)
            for binding in screen_bindings(name)]
