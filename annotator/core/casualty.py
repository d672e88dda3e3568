"""Casualty figures in news prose, normalised to the CASUALTY attributes of the default schema.

The annotator tags "at least 18 militia group members"; `parse_casualty` proposes
`count=18, qualifier="at_least"` so that checking the figure costs a glance instead of typing.
It reads English number words and digits and the qualifiers reporters use, and gives up
honestly (count None) where the text gives no figure.

Decisions, for annotators and the ML teams downstream (docs/SCHEMA.md repeats them):

- "more than 150", "over 150" -> count 150, at_least. Strictly that means 151 or more, but 150
  keeps the figure the source printed (what an annotator checks against the text), and
  "at least 150" is still true of it: conservative, as ACLED codes fatalities. Likewise
  "fewer than 20" -> count 20, at_most.
- A range ("between 10 and 15", "10-15", "two or three") -> qualifier range, low and high, and
  count = low: the most conservative figure (ACLED's rule when sources disagree).
- "a dozen", "two dozen", "a couple of" -> 12, 24, 2, approximately: reporters use them loosely.
- "dozens", "scores", "hundreds", "several", "a number of", "many" -> vague, count None.
- "a soldier", "an aid worker", "one medic" -> 1, exact; "no one", "none" -> 0, exact.
- Nothing numeric at all ("civilians") -> vague, count None: the figure is unknown.
"""

from __future__ import annotations

import re
from typing import Any

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES: dict[str, int] = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

# Phrases right before the figure, longest first so "no more than" wins over "more than".
_BEFORE: dict[str, str] = {
    "at the very least": "at_least", "no fewer than": "at_least", "no less than": "at_least",
    "not less than": "at_least", "a minimum of": "at_least", "in excess of": "at_least",
    "upwards of": "at_least", "greater than": "at_least", "at least": "at_least",
    "more than": "at_least", "over": "at_least",
    "no more than": "at_most", "not more than": "at_most", "a maximum of": "at_most",
    "as many as": "at_most", "as much as": "at_most", "fewer than": "at_most",
    "less than": "at_most", "at most": "at_most", "up to": "at_most", "under": "at_most",
    "an estimated": "approximately", "estimated": "approximately", "close to": "approximately",
    "approximately": "approximately", "roughly": "approximately", "around": "approximately",
    "about": "approximately", "nearly": "approximately", "almost": "approximately",
    "some": "approximately", "circa": "approximately", "approx": "approximately",
    "~": "approximately",
}
# Phrases right after the figure: "20 or more", "150+", "150-plus", "40 or so".
_AFTER: dict[str, str] = {
    "or more": "at_least", "+": "at_least", "- plus": "at_least", "plus": "at_least",
    "or fewer": "at_most", "or less": "at_most", "or so": "approximately",
}
_VAGUE = frozenset({
    "dozens", "scores", "hundreds", "thousands", "tens", "millions", "several", "many",
    "numerous", "multiple", "countless", "few", "handful", "number", "lots", "lot", "some",
    "unknown", "unspecified", "undisclosed", "untold",
})
_NONE = frozenset({"none", "nobody", "noone"})
_SINGULAR = frozenset({"a", "an", "single", "lone"})
_RANGE_LINKS = frozenset({"-", "to", "or"})

_TOKEN = re.compile(r"\d+(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?|[a-z]+|[-~+]")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-"})


def parse_casualty(text: str) -> dict[str, Any]:
    """`count`, `qualifier`, `low`, `high` for a casualty phrase; None where the text says nothing.

    `qualifier` is one of exact, at_least, at_most, approximately, range, vague. `low` and
    `high` are set only for a range.
    """
    tokens = _TOKEN.findall(text.lower().translate(_DASHES))
    figures = _figures(tokens)
    if not figures:
        return _without_figure(tokens)
    start, end, value, loose = figures[0]
    if len(figures) > 1:
        second_start, _, second_value, _ = figures[1]
        between = tokens[end:second_start]
        is_range = (between in (["-"], ["to"], ["or"]) or
                    (between == ["and"] and start > 0 and tokens[start - 1] == "between"))
        if is_range:
            low, high = sorted((value, second_value))
            return {"count": low, "qualifier": "range", "low": low, "high": high}
    if value == 1 and start > 0 and tokens[start - 1] == "no" and tokens[start] == "one":
        return _result(0, "exact")
    qualifier = _qualifier(tokens[:start], tokens[end:]) or ("approximately" if loose else "exact")
    return _result(value, qualifier)


def _result(count: int | None, qualifier: str) -> dict[str, Any]:
    return {"count": count, "qualifier": qualifier, "low": None, "high": None}


def _without_figure(tokens: list[str]) -> dict[str, Any]:
    """No number in the text: nobody, a vague multitude, one person, or unknown."""
    if _NONE & set(tokens) or (tokens[:1] == ["no"]):
        return _result(0, "exact")
    if _VAGUE & set(tokens):
        return _result(None, "vague")
    if _SINGULAR & set(tokens):
        return _result(1, "exact")
    return _result(None, "vague")


def _qualifier(before: list[str], after: list[str]) -> str | None:
    said_before = " ".join(before)
    for phrase in sorted(_BEFORE, key=len, reverse=True):
        if said_before == phrase or said_before.endswith(" " + phrase):
            return _BEFORE[phrase]
    said_after = " ".join(after)
    for phrase in sorted(_AFTER, key=len, reverse=True):
        if said_after == phrase or said_after.startswith(phrase + " "):
            return _AFTER[phrase]
    return None


def _figures(tokens: list[str]) -> list[tuple[int, int, int, bool]]:
    """Every number in `tokens` as (first index, index after it, value, loose)."""
    found: list[tuple[int, int, int, bool]] = []
    index = 0
    while index < len(tokens):
        parsed = _number_at(tokens, index)
        if parsed is None:
            index += 1
            continue
        end, value, loose = parsed
        found.append((index, end, value, loose))
        index = end
    return found


def _number_at(tokens: list[str], index: int) -> tuple[int, int, bool] | None:
    """The number starting at `tokens[index]`: (index after it, value, loose) or None.

    Reads digits ("18", "1,200", "1.5 million") and words ("twenty-three", "two hundred and
    fifty", "a thousand", "half a dozen"). `loose` marks dozen-based figures.
    """
    n = len(tokens)

    def at(i: int) -> str:
        return tokens[i] if i < n else ""

    total, current, i = 0.0, 0.0, index
    last = ""  # what was read last: digit, unit, tens, hundred, scale
    loose = False
    if at(i) == "half" and at(i + 1) in ("a", "an") and at(i + 2) == "dozen":
        return i + 3, 6, True
    if at(i) in ("a", "an") and (at(i + 1) in SCALES or at(i + 1) in ("hundred", "dozen", "couple")):
        if at(i + 1) == "couple":
            return i + 2, 2, True
        current, last, i = 1.0, "unit", i + 1
    while i < n:
        token = tokens[i]
        if token[0].isdigit():
            if last:
                break
            current, last = float(token.replace(",", "")), "digit"
        elif token in UNITS and last in ("", "tens", "hundred", "scale", "and"):
            if last == "tens" and UNITS[token] >= 10:
                break
            current += UNITS[token]
            last = "unit"
        elif token in TENS and last in ("", "hundred", "scale", "and"):
            current += TENS[token]
            last = "tens"
        elif token == "hundred" and last in ("unit", "tens", "digit") and current:
            current *= 100
            last = "hundred"
        elif token in SCALES and last in ("unit", "tens", "digit", "hundred") and current:
            total += current * SCALES[token]
            current, last = 0.0, "scale"
        elif token == "dozen" and last in ("unit", "digit") and current:
            current *= 12
            last, loose = "hundred", True
        elif token == "and" and last in ("hundred", "scale") and (at(i + 1) in UNITS or at(i + 1) in TENS):
            last = "and"
        elif token == "-" and last == "tens" and at(i + 1) in UNITS and UNITS[at(i + 1)] < 10:
            pass
        else:
            break
        i += 1
    if not last:
        return None
    return i, int(total + current), loose


# What happened to the people a casualty figure counts, by the word the reporter used (the schema's
# `status` values). "casualties" is left out: hospitals "receive casualties" who are alive.
_STATUS_CUES: dict[str, str] = {
    **dict.fromkeys(("killed", "kill", "kills", "killing", "dead", "died", "die", "dies", "dying", "death",
                     "deaths", "lives", "lost", "slain", "executed", "massacred", "murdered", "fatalities"),
                    "killed"),
    **dict.fromkeys(("injured", "injure", "injures", "injuring", "injuries", "wounded", "wound", "wounds",
                     "wounding", "hurt", "treated", "hospitalised", "hospitalized"), "injured"),
    **dict.fromkeys(("missing", "disappeared", "unaccounted"), "missing"),
    **dict.fromkeys(("abducted", "abducting", "kidnapped", "kidnapping", "hostage", "hostages", "detained",
                     "captured"), "abducted"),
}
# Words between a figure and a verb after it that keep the verb's subject the figure: "were being treated".
_AUXILIARIES = frozenset({
    "was", "were", "is", "are", "be", "been", "being", "had", "has", "have", "reportedly", "also",
    "later", "all", "both", "subsequently", "allegedly",
})
_STATUS_TOKEN = re.compile(r"[A-Za-z]+|[.;:,\"“”]")
_CLAUSE_ENDS = frozenset('.;:"“”')
_WINDOW = 8  # words either side of the figure that may still be its verb


def casualty_status(text: str, start: int, end: int) -> str | None:
    """The `status` the words around the casualty figure `text[start:end]` give it, or None where unclear.

    The figure's own words first ("23 wounded people"), then a verb after it whose subject it is
    ("four fighters had been killed", "three civilians, including a boy, died"), then the nearest
    cue before it in its clause ("killing six people", "the deaths of 16 of its members"). Two
    different cues in the same place ("killed or wounded") give None: a guess would cost more keys
    to undo than to type.
    """
    inside = _cues(_STATUS_TOKEN.findall(text[start:end].lower()))
    if inside:
        return inside.pop() if len(inside) == 1 else None
    after = _status_after(_words_after(text, end, _WINDOW * 2))
    if after is not None:
        return after
    return _status_before(_words_before(text, start, _WINDOW))


def _words_after(text: str, at: int, count: int) -> list[str]:
    """The first `count` words and marks of `text[at:]`, lowercased (`_STATUS_TOKEN`), reading only as far
    as they reach: a casualty tag in a long paragraph must not cost a pass over the rest of it."""
    size = 256
    while True:
        words = _STATUS_TOKEN.findall(text[at : at + size].lower())
        if at + size >= len(text) or len(words) > count:  # the last may be cut off by the window: never taken
            return words[:count]
        size *= 4


def _words_before(text: str, at: int, count: int) -> list[str]:
    """The last `count` words and marks of `text[:at]`, lowercased, nearest first (as `_words_after`)."""
    size = 256
    while True:
        window = max(0, at - size)
        words = _STATUS_TOKEN.findall(text[window:at].lower())
        if window == 0 or len(words) > count:  # the first may be cut off by the window: never taken
            return words[::-1][:count]
        size *= 4


def _cues(words: list[str]) -> set[str]:
    return {_STATUS_CUES[word] for word in words if word in _STATUS_CUES}


def _status_after(words: list[str]) -> str | None:
    """The cue of a verb after the figure that has it for subject: right after it, after auxiliaries
    or after a parenthesis between commas; past a coordinated figure ("and two fishermen") only
    through an auxiliary, so that "and wounded dozens" is not read as this figure's verb."""
    subject_next = True  # the next word may be the figure's verb
    coordinated = False  # past an "and"/"or": another figure's words may come before the verb
    index = 0
    while index < len(words):
        word = words[index]
        if word in _CLAUSE_ENDS:
            return None
        if word == ",":
            closing = next((i for i in range(index + 1, len(words)) if words[i] in _CLAUSE_ENDS | {","}), None)
            if closing is None or words[closing] != ",":
                return None
            index, subject_next = closing + 1, True
            continue
        if word in _STATUS_CUES:
            following = words[index + 1] if index + 1 < len(words) else ""
            return _STATUS_CUES[word] if subject_next and following != "or" else None
        if word in ("and", "or"):
            coordinated, subject_next = True, False
        elif word in _AUXILIARIES:
            subject_next = True
        elif coordinated:
            subject_next = False
        else:
            return None
        index += 1
    return None


def _status_before(words_back: list[str]) -> str | None:
    """The nearest cue before the figure in its clause (a comma ends the search too); None if a
    different cue stands right next to it ("killed or wounded three")."""
    for index, word in enumerate(words_back):
        if word in _CLAUSE_ENDS or word == ",":
            return None
        if word in _STATUS_CUES:
            status = _STATUS_CUES[word]
            beside = words_back[index + 2] if index + 2 < len(words_back) and words_back[index + 1] in ("or", "and") else ""
            if beside in _STATUS_CUES and _STATUS_CUES[beside] != status:
                return None
            return status
    return None
