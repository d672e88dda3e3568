"""Tokens with character offsets into the paragraph text; tokenizing never alters the text."""

from __future__ import annotations

from dataclasses import dataclass

import regex

# First version: runs of word characters, or any other single grapheme. The news-grade rules
# (numbers with separators, hyphenated names, possessives, URLs, emoji sequences) refine this.
_TOKEN = regex.compile(r"\w+|\X", regex.VERSION1)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: `text == paragraph_text[start:end]`; `ws` is True when whitespace follows."""

    text: str
    start: int
    end: int
    id: int
    ws: bool


def tokenize(text: str) -> tuple[Token, ...]:
    """Split `text` into tokens. Whitespace is never part of a token."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        if match.group().isspace():
            continue
        start, end = match.span()
        ws = end < len(text) and text[end].isspace()
        tokens.append(Token(match.group(), start, end, len(tokens), ws))
    return tuple(tokens)
