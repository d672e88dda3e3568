"""Offsets in UTF-16 code units, for the tools whose text is a JavaScript string (doccano, old Label Studio).

Our offsets are Python code points; a character beyond U+FFFF (an emoji) counts 2 in UTF-16.
"""

from __future__ import annotations

from typing import Literal

OffsetUnit = Literal["utf16", "codepoints"]
OFFSET_UNITS: tuple[OffsetUnit, ...] = ("utf16", "codepoints")


def utf16_offsets(text: str) -> list[int]:
    """`result[i]` is the UTF-16 offset of code point `i` (one entry more than the text is long)."""
    out = [0] * (len(text) + 1)
    units = 0
    for index, char in enumerate(text):
        out[index] = units
        units += 2 if ord(char) > 0xFFFF else 1
    out[len(text)] = units
    return out


def codepoint_offsets(text: str) -> dict[int, int]:
    """UTF-16 offset -> code point offset, for every offset that falls between code points."""
    return {units: index for index, units in enumerate(utf16_offsets(text))}
