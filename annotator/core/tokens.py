"""Tokens with character offsets into the paragraph text; tokenizing never alters the text.

The rules are tuned for wire-service news: numbers keep their separators (`16,000`, `3.5`),
hyphenated names stay whole (`Deir el-Zour`, `Iran-backed`), possessives split off
(`Iran` `'s`), dotted abbreviations stay whole (`U.S.`), URLs and e-mail addresses are one
token, and anything else that is not a word is one grapheme cluster per token, so an emoji
flag, a ZWJ family or a skin-tone sequence is never cut apart. Chinese and Japanese, written
without spaces, get one token per character; Arabic, Korean and other spaced scripts get
words. (Thai, Lao, Khmer and Burmese, also unspaced, stay whole runs: no dictionary here.)

Whitespace follows spaCy's convention so that the tokens rebuild the text exactly: a single
U+0020 space after a token is that token's `ws`; any other whitespace (newlines, CR LF, tabs,
U+00A0, extra spaces, leading whitespace) is a whitespace token of its own, one per run
(less the first space when a token precedes it), whose own `ws` is always False. The UI and
span snapping skip those (`token.text.isspace()`).

Tokens are a pure function of the text and `TOKENIZER_VERSION`, which the store records on
every line it writes (docs/FORMAT.md, "The store"): a line whose tokens are not saved can
only be tokenized again by the version that wrote it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

# Bump whenever `tokenize` gives different tokens for any text; a unit test pins the tokens
# of a fixed set of texts to this version (tests/unit/test_tokens.py).
TOKENIZER_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: `text == paragraph_text[start:end]`; `ws` is True when one space follows."""

    text: str
    start: int
    end: int
    id: int
    ws: bool


# A frozen dataclass's generated __init__ goes through `object.__setattr__` five times, which
# is half the cost of tokenizing; setting the slots directly builds the same frozen Token in
# half the time. `make_token` is that, for whatever builds tokens in bulk (here, and reading
# saved tokens back).
_new_object = object.__new__
_set_text, _set_start, _set_end, _set_id, _set_ws = (
    Token.__dict__[name].__set__ for name in ("text", "start", "end", "id", "ws")
)


def make_token(text: str, start: int, end: int, index: int, ws: bool) -> Token:
    """`Token(text, start, end, index, ws)`, in half the time."""
    token = _new_object(Token)
    _set_text(token, text)
    _set_start(token, start)
    _set_end(token, end)
    _set_id(token, index)
    _set_ws(token, ws)
    return token


# Exactly the characters for which `str.isspace()` is True. Neither `\s` nor `\p{White_Space}`
# matches this set (they differ on U+001C..U+001F), and a whitespace token must satisfy
# `text.isspace()`, so the class is spelled out; a unit test checks it against every code point.
WHITESPACE_CLASS = (
    r"\t\n\x0b\x0c\r\x1c-\x1f\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Possessive and contraction endings that split off a word (`Iran's` -> `Iran` `'s`). `'d`
# and `'m` are left out on purpose: Arabic transliterations (`Sa'd`, `Ma'mun`) use them.
_CLITIC = r"(?i:s|re|ve|ll)(?!\w)"
_APOSTROPHE = r"['’]"
_HYPHEN = r"[-\u2010\u2011]"
# Word characters minus the scripts written without spaces (those are one character a token).
_NO_SPACE_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}"
_WORD_CHAR = rf"[\w--[{_NO_SPACE_SCRIPTS}]]"
# A number keeps its separators (1,200; 3.5; 10:30; Arabic U+066B/U+066C), then any suffix (5km).
_WORD_PART = rf"(?:\d+(?:[.,:/\u066b\u066c]\d+)+{_WORD_CHAR}*|{_WORD_CHAR}+)"
# Titles and month abbreviations that news copy writes with a full stop (`Gen.`, `Feb. 2`).
_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Cpl|Pvt|Adm|Brig|Cmdr|Gov|Sen|Rep|Pres|Rev|"
    "St|Mt|Ft|Jr|Sr|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Ltd|Co|No|vs|etc|approx"
)

# Applied inside one whitespace-free chunk at a time (see `tokenize`), so no branch meets
# whitespace except the lookahead of the capital-initial rule, which peeks past the chunk.
_PATTERN = rf"""
  (?P<url>
    (?:(?i:https?|ftp)://|(?i:www)\.)
    (?:[^{WHITESPACE_CLASS}()<>"“”«»\[\]{{}}]|\([^{WHITESPACE_CLASS}()<>]*\))+
    (?<![.,;:!?'’])
  )
| (?P<email>
    (?=[\w+%.-]++@)  # cheap test first: no @ ahead, no e-mail address
    [\w+%](?:[\w+%-]|\.(?=[\w+%-]))*
    @\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)+
  )
| (?P<dotted>
    (?=\w{{1,6}}+\.)  # cheap test first: every branch is a short word and a full stop
    # U.S., U.N., e.g., a.m.; U.S.-led continues like any hyphenated word
    \p{{L}}\.(?:\p{{L}}\.)+(?:{_HYPHEN}{_WORD_PART})*
  | (?:{_ABBREVIATIONS})\.
    # a capital initial before a capitalised word: George W. Bush
  | \p{{Lu}}\.(?=[\x20\xa0]\p{{Lu}})
  )
| (?P<cjk>
    # Chinese and Japanese do not separate words with spaces: one character per token
    [{_NO_SPACE_SCRIPTS}]\p{{M}}*
  )
| (?P<word>
    (?:[@#](?={_WORD_CHAR}))?
    {_WORD_PART}
    (?:{_APOSTROPHE}(?!{_CLITIC}){_WORD_CHAR}+|{_HYPHEN}(?={_WORD_CHAR}){_WORD_PART})*
  )
| (?P<clitic>(?<=\w){_APOSTROPHE}{_CLITIC})
| (?P<repeat>\.{{2,}}|-{{2,}}|[!?]{{2,}})
| (?P<other>\X)
"""


@cache
def _full_rules() -> regex.Pattern[str]:
    """`_PATTERN`, compiled when a chunk first needs it: importing `regex` and compiling take some
    13 ms, which a start whose open paragraph the shortcut below tokenizes whole never pays."""
    import regex

    return regex.compile(_PATTERN, regex.VERSION1 | regex.VERBOSE)


# The shortcut. Most of an English news text is plain words, numbers and hyphenated names,
# maybe followed by one comma or full stop, separated by single spaces. One pass of the
# standard `re` module (several times faster than `regex` per match) finds those, skips the
# single spaces (they are the `ws` of the token before), and hands any other whitespace-free
# chunk to the full rules above. A property test checks that both ways always agree.
_SPACE_EXCEPT_U0020 = WHITESPACE_CLASS.replace(r"\x20", "")
_ASCII_PART = r"(?:\d+(?:[.,:/]\d+)+\w*|\w+)"
_END_OF_CHUNK = rf"(?:[{WHITESPACE_CLASS}]|\Z)"
# Initials and abbreviations keep their full stop, so a word before a stop that is one of
# them goes to the full rules. Tested only after a stop has matched: sentence ends are rare.
_NOT_ABBREVIATED = "".join(rf"(?<!\b{name}\.)" for name in ("[A-Za-z]", *_ABBREVIATIONS.split("|")))
_SHORTCUT = re.compile(
    rf"""
      (?P<word>
        {_ASCII_PART}(?:-{_ASCII_PART})*
        (?=[,;:]?{_END_OF_CHUNK}|\.{_NOT_ABBREVIATED}{_END_OF_CHUNK})
      )
    | (?P<stop>[,;:.](?={_END_OF_CHUNK}))
    | (?P<space>\A[{WHITESPACE_CLASS}]+|[{WHITESPACE_CLASS}]{{2,}}|[{_SPACE_EXCEPT_U0020}])
    | (?P<chunk>[^{WHITESPACE_CLASS}]+)
    """,
    re.ASCII | re.VERBOSE,
)
_CHUNK = re.compile(rf"(?P<space>[{WHITESPACE_CLASS}]+)|(?P<chunk>[^{WHITESPACE_CLASS}]+)")


def tokenize(text: str) -> tuple[Token, ...]:
    """Split `text` into tokens whose texts and `ws` flags rebuild `text` exactly."""
    return _tokenize(text, _SHORTCUT)


def _tokenize(text: str, splitter: re.Pattern[str]) -> tuple[Token, ...]:
    """Tokens from `splitter`'s matches: whitespace runs, finished tokens, or chunks for the full rules (`_PATTERN`)."""
    tokens: list[Token] = []
    append = tokens.append
    length = len(text)
    for match in splitter.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "space":
            if start > 0 and text[start] == " ":
                start += 1  # the first space after a token is that token's `ws`
            if start < end:
                append(make_token(text[start:end], start, end, len(tokens), False))
        elif kind == "chunk":
            for piece in _full_rules().finditer(text, start):
                piece_start, piece_end = piece.span()
                # A grapheme cluster runs on past a space after a Prepend character (U+0600
                # ...); whitespace is never inside a token, so it stops where the chunk does.
                piece_end = min(piece_end, end)
                ws = piece_end < length and text[piece_end] == " "
                append(make_token(text[piece_start:piece_end], piece_start, piece_end, len(tokens), ws))
                if piece_end == end:
                    break
        else:
            append(make_token(match.group(), start, end, len(tokens), end < length and text[end] == " "))
    return tuple(tokens)


def token_at(tokens: Sequence[Token], offset: int) -> int | None:
    """The index of the token containing character `offset`, or None (a `ws` space, or outside)."""
    index = bisect_right(tokens, offset, key=lambda token: token.start) - 1
    if index >= 0 and offset < tokens[index].end:
        return index
    return None
