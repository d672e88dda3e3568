"""Finding the name or number phrase around a token, for the one-key "grow to phrase" (`e`).

News names and figures span several tokens: "Islamic Revolutionary Guard Corps",
"Deir el-Zour", "16,000", "at least 18". Growing the selection to them in one key saves most
of the shift+arrow presses an annotator would otherwise make.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.core.tokens import Token

# Lower-case words that sit inside names: "Deir el-Zour", "Bank of England", "Abu Bakr al-Baghdadi".
NAME_JOINERS = frozenset({"of", "the", "al", "el", "ad", "as", "bin", "ibn", "bint", "de", "du", "des", "la", "le",
                          "van", "von", "der", "den", "da", "di", "for", "y"})
NAME_PUNCTUATION = frozenset({"-", "'", "’", "."})
NUMBER_JOINERS = frozenset({",", ".", "-", "–", "/", ":"})
# Words before a figure that belong to it in casualty counts: "at least 18", "more than 100".
QUANTIFIERS = (("at", "least"), ("at", "most"), ("more", "than"), ("fewer", "than"), ("less", "than"),
               ("up", "to"), ("as", "many", "as"), ("some",), ("about",), ("around",), ("nearly",), ("almost",),
               ("over",), ("roughly",), ("approximately",), ("dozens", "of"), ("hundreds", "of"), ("thousands", "of"))
NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                          "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "hundreds", "thousand",
                          "thousands", "million", "millions", "dozen", "dozens", "billion"})


# Capitalised only because they start a sentence: never the first word of a name.
SENTENCE_STARTERS = frozenset({"In", "On", "At", "The", "A", "An", "But", "And", "Or", "He", "She", "It", "They",
                               "We", "This", "That", "These", "Those", "According", "After", "Before", "When",
                               "While", "Meanwhile", "However", "Earlier", "Later", "Separately", "Its", "Their"})


def _is_name_word(token: Token) -> bool:
    """Capitalised, or a particle glued to a capitalised word ("el-Zour", "al-Assad")."""
    if token.text[:1].isupper():
        return True
    particle, hyphen, rest = token.text.partition("-")
    return bool(hyphen) and particle.lower() in NAME_JOINERS and rest[:1].isupper()


def _is_number(token: Token) -> bool:
    return token.text.isdigit() or token.text.lower() in NUMBER_WORDS


def _glued(left: Token, right: Token) -> bool:
    """No whitespace between two tokens."""
    return left.end == right.start


def _joins(tokens: Sequence[Token], left: int, right: int) -> bool:
    """True when the tokens strictly between `left` and `right` may sit inside a name."""
    for index in range(left + 1, right):
        token = tokens[index]
        if token.text in NAME_PUNCTUATION:
            if not (_glued(tokens[index - 1], token) and _glued(token, tokens[index + 1])):
                return False
        elif token.text.lower() not in NAME_JOINERS or token.text[:1].isupper():
            return False
    return True


def _grow_name(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    first = last = index
    grown = True
    while grown:
        grown = False
        for candidate in range(last + 1, min(last + 4, len(tokens))):
            if _is_name_word(tokens[candidate]) and _joins(tokens, last, candidate):
                last, grown = candidate, True
                break
        for candidate in range(first - 1, max(first - 4, -1), -1):
            if _is_name_word(tokens[candidate]) and tokens[candidate].text not in SENTENCE_STARTERS \
                    and _joins(tokens, candidate, first):
                first, grown = candidate, True
                break
    return first, last


def _grow_number(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    first = last = index
    # Digits split by glued separators: "16,000", "3.5", "2023-24".
    while (last + 2 < len(tokens) and tokens[last + 1].text in NUMBER_JOINERS and tokens[last + 2].text.isdigit()
           and _glued(tokens[last], tokens[last + 1]) and _glued(tokens[last + 1], tokens[last + 2])):
        last += 2
    while (first - 2 >= 0 and tokens[first - 1].text in NUMBER_JOINERS and tokens[first - 2].text.isdigit()
           and _glued(tokens[first - 2], tokens[first - 1]) and _glued(tokens[first - 1], tokens[first])):
        first -= 2
    # Number words run together: "two hundred", "three thousand".
    while last + 1 < len(tokens) and tokens[last + 1].text.lower() in NUMBER_WORDS:
        last += 1
    while first - 1 >= 0 and tokens[first - 1].text.lower() in NUMBER_WORDS:
        first -= 1
    for words in QUANTIFIERS:
        start = first - len(words)
        if start >= 0 and tuple(t.text.lower() for t in tokens[start:first]) == words:
            first = start
            break
    return first, last


def _quantified_number_at(tokens: Sequence[Token], index: int) -> int | None:
    """When the cursor is on a quantifier ("at" of "at least 18"), the index of its figure."""
    for words in QUANTIFIERS:
        for position in range(len(words)):
            start = index - position
            end = start + len(words)
            if start < 0 or end >= len(tokens):
                continue
            if tuple(t.text.lower() for t in tokens[start:end]) == words and _is_number(tokens[end]):
                return end
    return None


def phrase_around(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The first and last token id of the name or number phrase at token `index` (the token alone if none).

    Whitespace tokens (line breaks, runs of spaces) are looked through: `_glued` still sees the gap.
    """
    if not 0 <= index < len(tokens) or tokens[index].text.isspace():
        return index, index
    words = [token for token in tokens if not token.text.isspace()]
    position = next(i for i, token in enumerate(words) if token.id == index)
    first, last = _phrase_in_words(words, position)
    return words[first].id, words[last].id


def _phrase_in_words(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    token = tokens[index]
    if token.text in SENTENCE_STARTERS:
        return index, index
    if _is_number(token):
        return _grow_number(tokens, index)
    figure = _quantified_number_at(tokens, index)
    if figure is not None:
        return _grow_number(tokens, figure)
    if token.text in NUMBER_JOINERS and 0 < index < len(tokens) - 1 and tokens[index - 1].text.isdigit():
        return _grow_number(tokens, index - 1)
    if _is_name_word(token):
        return _grow_name(tokens, index)
    if token.text.lower() in NAME_JOINERS or token.text in NAME_PUNCTUATION:
        # On "el" of "Deir el-Zour": grow from the capitalised word before it.
        for back in (1, 2):
            if index - back >= 0 and _is_name_word(tokens[index - back]):
                first, last = _grow_name(tokens, index - back)
                if last >= index:
                    return first, last
    return index, index
