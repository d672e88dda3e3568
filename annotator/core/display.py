"""How paragraph text is shown: visible placeholders for control characters, and cell widths.

Display only: offsets into the text never change. Every character maps to one display string
(possibly empty), so a character offset always has a place on screen and no control character
or escape sequence ever reaches the terminal.
"""

from __future__ import annotations

from functools import lru_cache

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
    """A whole string made safe to print (for context lines, span lists, titles)."""
    return "".join(visible_at(text, i) for i in range(len(text)))


