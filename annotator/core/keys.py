"""Every key the screens bind, in one registry (docs/KEYS.md).

The screens' Textual bindings, the help sheet, the command palette and the schema validator are
all made from `KEY_BINDINGS`, so a label key can never be one the annotate screen already uses
without the validator saying so. Pure data: the core imports no Textual.

Keys are written as Textual names them (`ctrl+z`, `question_mark`, `X`); `canonical_key` turns a
name into the character it types, so that a schema's `key: "?"`, a config file's
`"question_mark"` and a binding's `question_mark` compare equal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ScreenName = Literal["annotate", "review", "help", "prompt", "flag"]


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One action of a screen and its default keys; it becomes a Textual `Binding` with the same fields."""

    binding_id: str  # what `[keys]` in the config file remaps, e.g. "annotator.reject"
    keys: tuple[str, ...]  # the default keys, as Textual names them
    action: str  # the screen's action with its arguments, e.g. "decide('reject')"
    description: str  # short: the footer and the command palette
    tooltip: str  # one sentence: the help sheet, the palette, and a refused schema key
    screen: ScreenName
    show: bool = False  # in the footer
    key_display: str | None = None  # the footer's text for the key, where Textual's own is poor


def _annotate(name: str, keys: str, action: str, description: str, tooltip: str, *, show: bool = False,
              key_display: str | None = None) -> KeyBinding:
    return KeyBinding(f"annotator.{name}", split_keys(keys), action, description, tooltip, "annotate", show, key_display)


def _review(name: str, keys: str, action: str, description: str, tooltip: str, *, show: bool = False,
            key_display: str | None = None) -> KeyBinding:
    return KeyBinding(f"review.{name}", split_keys(keys), action, description, tooltip, "review", show, key_display)


def split_keys(keys: str) -> tuple[str, ...]:
    """`"ctrl+f, slash"` -> `("ctrl+f", "slash")`: the comma-separated form of Textual and the config file."""
    return tuple(key.strip() for key in keys.split(",") if key.strip())


#: The one list, in the order the help sheet shows it. Label keys are not here: they come from
#: the schema, and the validator keeps them off these keys.
KEY_BINDINGS: tuple[KeyBinding, ...] = (
    _annotate("next_token", "right", "move(1)", "Next token", "Cursor to the next token (drops the selection)"),
    _annotate("previous_token", "left", "move(-1)", "Previous token", "Cursor to the previous token"),
    _annotate("grow_selection", "shift+right", "extend(1)", "Grow selection",
              "Grow the selection by one token from where it began"),
    _annotate("shrink_selection", "shift+left", "extend(-1)", "Shrink selection",
              "Shrink the selection by one token (or grow it leftwards)"),
    _annotate("first_token", "home", "edge(0)", "First token", "Cursor to the first token"),
    _annotate("last_token", "end", "edge(1)", "Last token", "Cursor to the last token"),
    _annotate("next_span", "tab", "span_step(1)", "Next span",
              "Select the next suggestion while the paragraph has any, else the next span"),
    _annotate("previous_span", "shift+tab", "span_step(-1)", "Previous span",
              "Select the previous suggestion while the paragraph has any, else the previous span"),
    _annotate("select_phrase", "e", "phrase", "Select phrase",
              "Grow the selection to the name or number phrase under the cursor"),
    _annotate("character_mode", "c", "character_mode", "Character mode",
              "Arrows move and shift+arrows grow by a character (again: by a token); a snap: token label widens"),
    _annotate("jump_to_word", "f", "jump", "Jump to word",
              "Type the start of a word; the cursor jumps to the next word starting so"),
    _annotate("clear_selection", "escape", "clear_selection", "Clear selection",
              "Drop the selection; while a search or a look-up runs, stop it"),
    _annotate("delete_span", "backspace", "delete_span", "Delete span",
              "Delete the selected span, or the innermost under the cursor (a suggestion: never made again by "
              "its source)", show=True, key_display="⌫"),
    _annotate("attributes", "v", "attributes", "Attributes",
              "Set the attributes of the selected span or the span under the cursor (schema keys)"),
    _annotate("relate", "r", "relate", "Relate",
              "Link the span under the cursor to another span with a schema relation (again: unlink)"),
    _annotate("accept_suggestion", "a", "accept_suggestion", "Accept suggestion",
              "Make the suggested span under the cursor your own"),
    _annotate("accept_all", "A", "accept_all_suggestions", "Accept all suggestions",
              "Make every suggestion of the paragraph your own, in one edit", key_display="A"),
    _annotate("tag_occurrences", "O", "accept_occurrences", "Tag every occurrence",
              "Accept every occurrence suggestion in the article (text tagged once, suggested where it recurs)",
              key_display="O"),
    _annotate("undo", "ctrl+z", "undo", "Undo", "Undo the last edit (may open another paragraph)", show=True),
    _annotate("redo", "ctrl+y", "redo", "Redo", "Redo the last undone edit"),
    _annotate("accept", "enter", "decide('accept')", "Accept", "Accept the paragraph and go to the next unfinished one",
              show=True, key_display="⏎"),
    _annotate("reject", "x", "decide('reject')", "Reject", "Reject the paragraph and go to the next unfinished one",
              show=True),
    _annotate("ignore", "i", "decide('ignore')", "Ignore", "Skip the paragraph as ignored and go on", show=True),
    _annotate("flag", "exclamation_mark", "flag", "Flag",
              "Flag the paragraph for review with a note (again: read and edit the note, or remove the flag)",
              show=True, key_display="!"),
    _annotate("note", "N", "note", "Note",
              "Leave a note on the selected span (or the span under the cursor), else on the paragraph, without "
              "flagging it", key_display="N"),
    _annotate("next_paragraph", "pagedown", "paragraph(1)", "Next paragraph", "Next paragraph, nothing decided"),
    _annotate("previous_paragraph", "pageup", "paragraph(-1)", "Previous paragraph", "Previous paragraph, nothing decided"),
    _annotate("goto", "g", "goto", "Go to", "Go to a paragraph number, a paragraph id or an article id"),
    _annotate("search", "ctrl+f,slash", "search", "Search", "Search the corpus for text", key_display="/"),
    _annotate("next_match", "n", "next_match", "Next match", "Jump to the next match of the last search"),
    _annotate("filter", "u", "cycle_filter", "Filter", "Page through all / only unfinished / only flagged paragraphs"),
    _annotate("help", "question_mark", "help", "Help", "Keys and labelling guidelines", show=True, key_display="?"),
    _annotate("quit", "q", "quit", "Quit", "Quit (every change is saved as made; while one waits to be written, a second q)", show=True),

    _review("next_candidate", "down", "candidate(1)", "Next span", "Highlight the next candidate span"),
    _review("previous_candidate", "up", "candidate(-1)", "Previous span", "Highlight the previous candidate span"),
    _review("toggle", "space", "toggle_candidate", "In/out", "Put the highlighted span in gold, or take it out",
            show=True, key_display="␣"),
    _review("accept", "enter", "decide('accept')", "Accept",
            "Save gold as shown (accepted) and go to the next paragraph to review", show=True, key_display="⏎"),
    _review("reject", "x", "decide('reject')", "Reject", "Save the paragraph as rejected in gold (no spans) and go on",
            show=True),
    _review("accept_unanimous", "A", "accept_unanimous", "Accept all agreed",
            "Save every paragraph gold lacks on which all annotators agree exactly (same answer, same spans)",
            key_display="A"),
    _review("next_paragraph", "pagedown", "paragraph(1)", "Next", "Next shared paragraph, nothing saved",
            key_display="PgDn"),
    _review("previous_paragraph", "pageup", "paragraph(-1)", "Previous", "Previous shared paragraph, nothing saved",
            key_display="PgUp"),
    _review("reset", "r", "reset", "Reset", "Back to what gold holds (or only the spans everyone agrees on)"),
    _review("undo", "ctrl+z", "undo", "Undo", "Undo the last gold write (may open another paragraph)", show=True),
    _review("help", "question_mark", "help", "Help", "Keys, legend and labelling guidelines", show=True,
            key_display="?"),
    _review("quit", "q", "quit", "Quit", "Quit (every gold decision is already saved)", show=True),
    # Version keys: the screen enables as many as it has annotators and names each in the help sheet.
    *(_review(f"take_{number}", str(number), f"take({number - 1})", f"Take version {number}",
              f"Gold becomes exactly the spans of annotator {number} (in name order)")
      for number in range(1, 10)),

    KeyBinding("help.close", ("escape", "question_mark", "q"), "close", "Close", "Back to annotating", "help", show=True),
    KeyBinding("prompt.cancel", ("escape",), "cancel", "Cancel", "Close without doing anything", "prompt", show=True),
    KeyBinding("flag.remove", ("ctrl+r",), "remove_flag", "Remove flag",
               "Remove the paragraph's flag; its note stays", "flag", show=True),
)


def screen_bindings(screen: ScreenName) -> tuple[KeyBinding, ...]:
    """The registry's bindings of one screen, in registry order."""
    return tuple(binding for binding in KEY_BINDINGS if binding.screen == screen)


# Textual names a character's key after its Unicode name ("?" -> question_mark), renaming a few.
_TEXTUAL_RENAMES = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                    "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def _textual_name(character: str) -> str:
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:  # a control character has no name
        return character
    return _TEXTUAL_RENAMES.get(name, name)


_ASCII_BY_NAME = {_textual_name(chr(code)): chr(code) for code in range(32, 127)}


def canonical_key(key: str) -> str:
    """The character a key types where it types one ("question_mark" -> "?", "slash" -> "/"), else its name.

    Multi-character names are read case-insensitively ("Enter" is enter); a single character is
    kept as it is ("Q" is not q).
    """
    key = key.strip()
    if len(key) == 1:
        return key
    key = key.lower()
    if key in _ASCII_BY_NAME:
        return _ASCII_BY_NAME[key]
    try:
        character = unicodedata.lookup(key.replace("_", " "))  # beyond ASCII, no renames
    except KeyError:
        return key
    return character if _textual_name(character) == key else key


def screen_keys(screen: ScreenName, keymap: Mapping[str, str] | None = None) -> dict[str, KeyBinding]:
    """Which binding each key of `screen` runs, by canonical key, after the user's `[keys]` remapping.

    As Textual applies a keymap: a remapped binding leaves its default keys (freeing them) and
    takes its new keys from whichever binding had them by default.
    """
    keymap = keymap or {}
    defaults: dict[str, KeyBinding] = {}
    remapped: dict[str, KeyBinding] = {}
    for binding in screen_bindings(screen):
        new_keys = keymap.get(binding.binding_id)
        if new_keys:  # Textual ignores an empty value
            for key in split_keys(new_keys):
                remapped.setdefault(canonical_key(key), binding)
        else:
            for key in binding.keys:
                defaults.setdefault(canonical_key(key), binding)
    return defaults | remapped


def keymap_problems(keymap: Mapping[str, str], screen: ScreenName,
                    other_owners: Mapping[str, str] | None = None) -> list[str]:
    """Remappings that cannot work as meant on `screen`: unknown binding ids, and keys taken from another owner.

    `other_owners` names the owners of keys outside the registry (a label's key: "the ACTOR
    label"). Textual resolves a clash silently (the other action just loses its key), so the
    screen says it instead.
    """
    known = {binding.binding_id for binding in KEY_BINDINGS}
    owners = {canonical_key(key): owner for key, owner in (other_owners or {}).items()}
    for binding in screen_bindings(screen):
        if not keymap.get(binding.binding_id):
            for key in binding.keys:
                owners.setdefault(canonical_key(key), binding.binding_id)
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"{binding_id!r} is not a binding id (see docs/KEYS.md).")
            continue
        if not any(binding.binding_id == binding_id for binding in screen_bindings(screen)):
            continue  # another screen's binding: that screen judges it
        for key in split_keys(keys):
            owner = owners.setdefault(canonical_key(key), binding_id)
            if owner != binding_id:
                problems.append(f"{binding_id} = {key!r} takes {key} from {owner}.")
    return problems
