"""How paragraph text is shown: visible placeholders for control characters, and cell widths.

Display only: offsets into the text never change. Every character maps to one display string
(possibly empty), so a character offset always has a place on screen and no control character
or escape sequence ever reaches the terminal.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from typing import Any

# C0 controls have "control pictures" at U+2400 + code; a few get friendlier symbols.
_SPECIAL = {
    "\t": "→",
    "\n": "↵",
    "\x0b": "↧",
    "\x0c": "↡",
    "\x1b": "␛",
    "\x00": "␀",
    "\x7f": "␡",
    "\u2028": "↵",
    "\u2029": "¶",
}
# Zero-width characters that are not part of an emoji or script shaping (ZWJ/ZWNJ are kept).
_INVISIBLE = frozenset("\u200b\u00ad\u2060\ufeff\u180e")
# Bidirectional overrides and isolates reorder what follows them in some terminals.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@lru_cache(maxsize=4096)
def visible(char: str) -> str:
    """The text to draw for one character of a paragraph."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    if char == "\r":
        return ""  # drawn as part of the ↵ of CRLF; a lone CR is handled by `visible_at`
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if 0x80 <= code < 0xA0:
        return "¤"
    if 0xD800 <= code < 0xE000:
        return "\ufffd"  # a lone surrogate (from JSON's "\\ud800"): not text, and no terminal can encode it
    if char in _BIDI_CONTROLS:
        return "⇄"
    if char in _INVISIBLE:
        return "·"  # invisible characters that would hide a token boundary, made visible but slim
    return char


def visible_at(text: str, index: int) -> str:
    """`visible` with context: a CR not followed by LF is a line break of its own."""
    char = text[index]
    if char == "\r" and (index + 1 >= len(text) or text[index + 1] != "\n"):
        return "↵"
    return visible(char)


def display_text(text: str) -> str:
    """A whole string made safe to print (for context lines, span lists, titles).

    A printable string is its own display: every character `visible` replaces is one that
    `str.isprintable` refuses (controls, C1, surrogates, format characters, line separators).
    """
    if text.isprintable():
        return text
    return "".join(visible_at(text, i) for i in range(len(text)))


def terminal_safe(text: str) -> str:
    """A message made safe to print on a terminal: as `display_text`, but its line breaks kept.

    Every CLI line that holds data (paths, ids, labels, names, a quoted bad line) goes through
    this, so an escape sequence in a file name or a label is shown, never obeyed.
    """
    return "\n".join(display_text(line) for line in text.split("\n"))


def unsafe_characters(text: str) -> list[str]:
    """The characters of `text` a terminal would not show as themselves, as `U+XXXX` (for messages).

    Those `visible` replaces (C0 and C1 controls, DEL, bidirectional controls, invisible
    characters, lone surrogates) and any other format control (`Cf`) but the joiners emoji need.
    """
    return [f"U+{ord(char):04X}" for char in dict.fromkeys(text)
            if visible(char) != char or (unicodedata.category(char) == "Cf" and char not in _JOINERS)]


_JOINERS = frozenset("\u200c\u200d")


def terminal_json(value: Any, **options: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, **options)` with every character `unsafe_characters`
    names escaped as `\\uXXXX` (json leaves C1, DEL, bidi controls and lone surrogates raw)."""
    text = json.dumps(value, ensure_ascii=False, **options)  # a raw line break is indentation, not data
    # Each distinct character is looked at once (a report of a large store is megabytes of a few
    # dozen characters), and the escapes are made in one pass.
    escapes = {ord(char): _escaped(char) for char in set(text) if char != "\n" and unsafe_characters(char)}
    return text.translate(escapes) if escapes else text


def _escaped(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
