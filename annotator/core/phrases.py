"""Finding the name or number phrase around a token, for the one-key "grow to phrase" (`e`).

News names and figures span several tokens: "Islamic Revolutionary Guard Corps",
"Deir el-Zour", "Islamic Resistance in Iraq", "Al-Muqawama al-Islamiyah fi al-Iraq", "at least
18 militia group members", "16 of its members". Growing the selection to them in one key saves
most of the shift+arrow presses an annotator would otherwise make.

The rules (docs/KEYS.md lists them for annotators):
- A name is a run of capitalised words, joined by the lower-case particles of `NAME_JOINERS`
  ("Bank of England", "Abu Bakr al-Baghdadi", "fi al-Iraq") and by glued punctuation
  ("Deir el-Zour", "O'Neill"). It never starts with a word capitalised only because it starts a
  sentence ("In Syria" gives "Syria").
- "in" joins a name only after the few words that news names put before it (`IN_NAME_HEADS`:
  "Islamic Resistance in Iraq", "Al-Qaeda in Iraq"), since "Hezbollah in Lebanon" is a group and
  a place; and never before a lower-case word ("Islamic Resistance in southern Iraq" stops at
  "Resistance").
- A figure takes in its quantifier ("at least 18", "more than 100"), its glued digits and number
  words ("16,000", "two hundred"), a range ("between 10 and 15", "two or three"), and the noun phrase it counts when that ends, within a few
  words, on a noun for people (`PEOPLE`): "at least 18 militia group members", "16 of its
  members", "three American service members", "dozens of civilians". It stops at a verb,
  preposition or punctuation first ("18 died", "18 in Deir el-Zour"), at what is not people
  ("150 attacks"), and a year never counts anything ("in 2023 militants").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from annotator.core.casualty import SCALES, TENS, UNITS
from annotator.core.tokens import Token

# Lower-case words that sit inside names: "Bank of England", "Osama bin Laden", "Al-Muqawama al-Islamiyah
# fi al-Iraq", "Ludwig van Beethoven", "Charles de Gaulle", "Rio de la Plata".
NAME_JOINERS = frozenset({"of", "the", "al", "el", "ad", "as", "bin", "ibn", "bint", "ben", "fi", "wa", "de", "du",
                          "des", "del", "della", "dos", "das", "la", "le", "les", "van", "von", "der", "den", "da", "di",
                          "for", "y"})
# Particles glued to a capitalised word by a hyphen: "el-Zour", "al-Assad", "ar-Raqqa", "an-Nasiriyah".
GLUED_PARTICLES = NAME_JOINERS | {"an", "ar", "at", "az", "ash", "ath", "adh", "abu", "bani", "beni"}
# "in" sits inside a name only after these ("Islamic Resistance in Iraq", "Al-Qaeda in Iraq"); elsewhere
# it is the sentence's ("Hezbollah in Lebanon", "Popular Mobilization Forces in Iraq").
IN_NAME_HEADS = frozenset({"Resistance", "Qaeda", "State", "Front", "Movement"})
WEAK_JOINERS = frozenset({"in"})
NAME_PUNCTUATION = frozenset({"-", "'", "’", "."})
NUMBER_JOINERS = frozenset({",", ".", "-", "–", "/", ":"})
# Words before a figure that belong to it in casualty counts: "at least 18", "more than 100".
QUANTIFIERS = (("at", "least"), ("at", "most"), ("more", "than"), ("fewer", "than"), ("less", "than"),
               ("up", "to"), ("as", "many", "as"), ("no", "fewer", "than"), ("some",), ("about",), ("around",),
               ("nearly",), ("almost",), ("over",), ("roughly",), ("approximately",), ("an", "estimated"),
               ("between",),
               ("dozens", "of"), ("hundreds", "of"), ("thousands", "of"))
# casualty.py reads the same words as values; here they only mark where a figure is.
NUMBER_WORDS = frozenset({*UNITS, *TENS, *SCALES, "hundred", "hundreds", "thousands", "millions", "dozen", "dozens",
                          "scores"})
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*(?:[-–]\d+(?:[.,]\d+)*)?")  # "18", "16,000", "3.5", "10-15"
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")  # "4th" of "4th Armoured Division"
# Words between the two figures of a range: "10 to 15", "two or three"; "and" only after "between".
RANGE_LINKS = frozenset({"to", "or", "-", "–"})

# Nouns for people that a figure counts: the last word of a casualty phrase.
PEOPLE = frozenset({
    "people", "persons", "person", "civilians", "civilian", "soldiers", "soldier", "troops", "members", "member",
    "fighters", "fighter", "militants", "militant", "militiamen", "combatants", "insurgents", "rebels", "gunmen",
    "jihadists", "policemen", "police", "officers", "officer", "personnel", "servicemen", "marines", "sailors",
    "airmen", "pilots", "guards", "contractors", "children", "child", "kids", "boys", "girls", "babies", "infants",
    "women", "woman", "men", "man", "residents", "villagers", "workers", "worker", "journalists", "reporters",
    "medics", "paramedics", "doctors", "nurses", "staff", "employees", "passengers", "refugees", "migrants",
    "protesters", "demonstrators", "students", "pupils", "worshippers", "pilgrims", "prisoners", "detainees",
    "hostages", "captives", "volunteers", "victims", "bystanders", "citizens", "nationals", "americans", "iraqis",
    "syrians", "palestinians", "israelis", "lebanese", "iranians", "afghans", "ukrainians", "russians", "kurds",
    "yemenis", "somalis", "sudanese", "dead", "wounded", "injured", "casualties", "deaths", "bodies", "boy", "girl",
    "fishermen", "fisherman", "farmers", "shepherds", "crew", "crewmen", "teachers", "engineers", "firefighters",
})
# Words that end a figure's noun phrase before any noun for people: verbs, prepositions, conjunctions,
# pronouns, and things that are counted but are not people.
NOT_COUNTED = frozenset({
    "and", "or", "but", "in", "on", "at", "by", "from", "to", "with", "for", "into", "near", "after", "before",
    "during", "since", "across", "against", "among", "between", "than", "as", "per", "who", "whom", "which", "that",
    "were", "was", "are", "is", "be", "been", "being", "had", "have", "has", "would", "will", "could", "may",
    "killed", "died", "dead", "wounded", "injured", "hurt", "fled", "said", "say", "says", "reported", "struck",
    "hit", "fired", "launched", "carried", "left", "remain", "remained", "attacks", "strikes", "airstrikes", "raids",
    "sites", "rockets", "missiles", "drones", "shells", "rounds", "bombs", "vehicles", "buildings", "homes",
    "houses", "villages", "targets", "incidents", "times", "days", "weeks", "months", "years", "hours", "minutes",
    "bases", "positions", "posts", "camps", "ships", "aircraft", "planes", "jets", "tanks", "trucks", "cars", "boats",
    "km", "kilometres", "kilometers", "miles", "metres", "meters", "percent", "cent", "dollars", "euros",
})
DETERMINERS = frozenset({"its", "their", "the", "his", "her", "our", "those", "these", "them", "whom"})
MAX_MODIFIERS = 3  # words between a figure and its noun: "three American service members" has two

# Capitalised only because they start a sentence: never the first word of a name.
SENTENCE_STARTERS = frozenset({"In", "On", "At", "The", "A", "An", "But", "And", "Or", "He", "She", "It", "They",
                               "We", "This", "That", "These", "Those", "According", "After", "Before", "When",
                               "While", "Meanwhile", "However", "Earlier", "Later", "Separately", "Its", "Their"})


def _is_name_word(token: Token) -> bool:
    """Capitalised, or a particle glued to a capitalised word ("el-Zour", "al-Assad")."""
    if token.text[:1].isupper() or _ORDINAL.fullmatch(token.text):
        return True
    particle, hyphen, rest = token.text.partition("-")
    return bool(hyphen) and particle.lower() in GLUED_PARTICLES and rest[:1].isupper()


def _is_number(token: Token) -> bool:
    """Digits ("18", "16,000", "3.5") or number words ("three", "twenty-three", "hundreds")."""
    return bool(_DIGITS.fullmatch(token.text)) or _is_number_word(token)


def _is_number_word(token: Token) -> bool:
    return all(part in NUMBER_WORDS for part in token.text.lower().split("-"))


def _is_year(token: Token) -> bool:
    return len(token.text) == 4 and token.text.isdigit() and 1800 <= int(token.text) <= 2100


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
        elif token.text in WEAK_JOINERS:
            if not _joins_across_in(tokens, index):
                return False
        elif token.text.lower() not in NAME_JOINERS or token.text[:1].isupper():
            return False
    return True


def _joins_across_in(tokens: Sequence[Token], index: int) -> bool:
    """Whether the "in" at `index` is inside a name: after one of `IN_NAME_HEADS`, before one name word."""
    if index < 1 or index + 1 >= len(tokens):
        return False
    head = tokens[index - 1].text.rpartition("-")[2]
    followed = index + 2 < len(tokens) and _is_name_word(tokens[index + 2])
    return head in IN_NAME_HEADS and _is_name_word(tokens[index + 1]) and not followed


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
    """The figure at `index` with its glued digits, number words and quantifier, and the people it counts."""
    first = last = index
    # Digits split by glued separators: "16,000", "3.5", "2023-24".
    while (last + 2 < len(tokens) and tokens[last + 1].text in NUMBER_JOINERS and tokens[last + 2].text.isdigit()
           and _glued(tokens[last], tokens[last + 1]) and _glued(tokens[last + 1], tokens[last + 2])):
        last += 2
    while (first - 2 >= 0 and tokens[first - 1].text in NUMBER_JOINERS and tokens[first - 2].text.isdigit()
           and _glued(tokens[first - 2], tokens[first - 1]) and _glued(tokens[first - 1], tokens[first])):
        first -= 2
    # Number words run together: "two hundred", "three thousand".
    while last + 1 < len(tokens) and _is_number_word(tokens[last + 1]):
        last += 1
    while first - 1 >= 0 and _is_number_word(tokens[first - 1]):
        first -= 1
    # A range: "10 to 15", "two or three", "between 10 and 15", from either figure.
    if last + 2 < len(tokens) and _is_number(tokens[last + 2]) and _links_range(tokens, first, last + 1):
        last += 2
        while last + 1 < len(tokens) and _is_number_word(tokens[last + 1]):
            last += 1
    elif first - 2 >= 0 and _is_number(tokens[first - 2]):
        low = first - 2
        while low - 1 >= 0 and _is_number_word(tokens[low - 1]):
            low -= 1
        if _links_range(tokens, low, first - 1):
            first = low
    quantified = False
    for words in QUANTIFIERS:
        start = first - len(words)
        if start >= 0 and tuple(t.text.lower() for t in tokens[start:first]) == words:
            first, quantified = start, True
            break
    if quantified or first != last or not _is_year(tokens[first]):
        last = _counted_noun(tokens, last)
    return first, last


def _links_range(tokens: Sequence[Token], low: int, link: int) -> bool:
    """Whether the token at `link`, after a figure starting at `low`, joins it to a second one."""
    word = tokens[link].text.lower()
    return word in RANGE_LINKS or (word == "and" and low > 0 and tokens[low - 1].text.lower() == "between")


def _counted_noun(tokens: Sequence[Token], figure_end: int) -> int:
    """The last token of the people a figure ending at `figure_end` counts, or `figure_end` when none follow.

    "18 militia group members", "16 of its members", "three American service members": up to
    `MAX_MODIFIERS` words, then the last noun for people before the phrase ends.
    """
    index = figure_end + 1
    if index + 1 < len(tokens) and tokens[index].text.lower() == "of":  # "16 of its members", "dozens of civilians"
        index += 2 if tokens[index + 1].text.lower() in DETERMINERS else 1
    found = figure_end
    modifiers = 0
    while index < len(tokens) and modifiers <= MAX_MODIFIERS:
        word = tokens[index].text
        lower = word.lower()
        if lower in PEOPLE and (found == figure_end or lower not in NOT_COUNTED):
            found = index
        elif lower in NOT_COUNTED or not _is_word(word) or _is_number(tokens[index]) or _is_participle(lower):
            break
        else:
            modifiers += 1
            if found != figure_end:
                break  # a word after the noun: the phrase ended there
        index += 1
    return found


def _is_participle(word: str) -> bool:
    """"holding", "fleeing": a verb, which ends a noun phrase ("4 bases holding soldiers")."""
    return len(word) > 5 and word.endswith("ing")


def _is_word(text: str) -> bool:
    """Letters, maybe joined by a hyphen or apostrophe ("Iranian-backed", "pro-government")."""
    return bool(re.fullmatch(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", text))


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


def _figure_counting(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """On a lower-case word of a casualty phrase ("members" of "16 of its members", "group" of "18 militia
    group members"): the whole phrase, if a figure counts it. A name in it stays a name ("12 Hezbollah fighters")."""
    text = tokens[index].text
    if text.lower() not in PEOPLE and not (_is_word(text) and text.islower()):
        return None
    for figure in range(index - 1, max(index - MAX_MODIFIERS - 4, -1), -1):
        if _is_number(tokens[figure]):
            first, last = _grow_number(tokens, figure)
            return (first, last) if last >= index else None
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
    counted = _figure_counting(tokens, index)
    if counted is not None:
        return counted
    if _is_name_word(token):
        return _grow_name(tokens, index)
    if token.text.lower() in NAME_JOINERS or token.text in NAME_PUNCTUATION or token.text in WEAK_JOINERS:
        # On "el" of "Deir el-Zour", "in" of "Islamic Resistance in Iraq": grow from the name word before it.
        for back in (1, 2):
            if index - back >= 0 and _is_name_word(tokens[index - back]):
                first, last = _grow_name(tokens, index - back)
                if last >= index:
                    return first, last
    return index, index
