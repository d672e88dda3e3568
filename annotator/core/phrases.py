"""Finding the name, number or attribution phrase around a token, for the one-key "grow to phrase" (`e`).

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
  words ("16,000", "two hundred"), a range ("between 10 and 15", "two or three"), and the noun
  phrase it counts when that ends, within a few words, on a noun for people (`PEOPLE`): "at least 18 militia group members", "16 of its
  members", "three American service members", "dozens of civilians". It stops at a verb,
  preposition or punctuation first ("18 died", "18 in Deir el-Zour"), at what is not people
  ("150 attacks"), and a year never counts anything ("in 2023 militants").
- On an attribution cue (`CUE_VERBS`, "according to"), the source and the cue as one span, as the
  ATTRIBUTION guidelines want: back to where the source's clause begins ("the Defence Ministry
  said", "Iran officially denied", an apposition between commas included), or, where the cue
  opens its clause, forward ("said one farmer", "according to the ministry"); "reportedly" alone.
- On a word of an actor's noun phrase that is no name ("local residents", "army units", "US
  officials", "Iranian-backed militias"), the phrase up to its noun for an actor (`ACTOR_NOUNS`),
  articles outside.
- Pressed again (`grow_phrase`), the next larger phrase: "Iran" → "Iran's Islamic Revolutionary
  Guard Corps", "US officials" → "US officials blamed".
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
# Figure words that "a" counts once: "a dozen", "a hundred", "more than a dozen civilians".
SINGULAR_SCALES = frozenset({"dozen", "hundred", "thousand", "score"})

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
    "others", "terrorists", "extremists", "attackers", "assailants", "recruits", "cadets",
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
    if first >= 1 and tokens[first].text.lower() in SINGULAR_SCALES and tokens[first - 1].text.lower() == "a":
        first -= 1  # "a dozen": the article is the figure's "one"
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
            if tuple(t.text.lower() for t in tokens[start:end]) != words:
                continue
            if _is_number(tokens[end]):
                return end
            if tokens[end].text.lower() == "a" and end + 1 < len(tokens) \
                    and tokens[end + 1].text.lower() in SINGULAR_SCALES:
                return end + 1  # "more than a dozen"
    return None


def _figure_counting(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """On a lower-case word of a casualty phrase ("members" of "16 of its members", "group" of "18 militia
    group members"): the whole phrase, if a figure counts it. A name in it stays a name ("12 Hezbollah fighters")."""
    text = tokens[index].text
    if text.lower() not in PEOPLE and not (_is_word(text) and text.islower()):
        return None
    return _figure_over(tokens, index)


def _figure_over(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """The casualty phrase of a figure before `index` that reaches over it, if any."""
    for figure in range(index - 1, max(index - MAX_MODIFIERS - 4, -1), -1):
        if _is_number(tokens[figure]):
            first, last = _grow_number(tokens, figure)
            return (first, last) if last >= index else None
    return None


# Reporting verbs that cue an attributed claim (schemas/news-conflict.yaml, ATTRIBUTION: "US officials said",
# "Iran officially denied", "US officials blamed"): `e` on one takes in its source with it.
CUE_VERBS = frozenset({
    "said", "says", "say", "saying", "told", "tells", "tell", "telling", "denied", "denies", "deny", "denying",
    "claimed", "claims", "claim", "claiming", "blamed", "blames", "blaming", "accused", "accuses", "accusing",
    "stated", "states", "announced", "announces", "confirmed", "confirms", "warned", "warns", "added", "adds",
    "reported", "reports", "insisted", "insists", "alleged", "alleges", "admitted", "admits", "acknowledged",
    "acknowledges", "estimated", "estimates", "estimate", "noted", "explained", "declared", "asserted", "argued",
    "wrote", "tweeted",
})
# Of those, the ones whose source may come after them, where they open the clause ('"...," said one farmer').
SOURCE_AFTER_CUES = frozenset({"said", "says", "added", "adds", "wrote", "reported", "warned", "insisted",
                               "explained", "noted", "stated", "declared"})
# Cues that name no source and are tagged alone.
SOURCELESS_CUES = frozenset({"reportedly", "allegedly", "purportedly", "reputedly"})
# Words between a source and its cue that belong to the cue: "Iran officially denied", "have claimed", "has also said".
CUE_AUXILIARIES = frozenset({"has", "have", "had", "was", "were", "is", "are", "be", "been", "will", "would", "could",
                             "can", "may", "might", "did", "does", "do", "also", "later", "again", "then", "since",
                             "not", "n't", "never", "already", "still", "first"})
# What a cue takes after it: "claimed responsibility"; "told reporters", "told a news conference".
CLAIM_CUES = frozenset({"claimed", "claims", "claim", "claiming", "denied", "denies", "deny", "denying"})
TELL_CUES = frozenset({"told", "tells", "tell", "telling"})
AUDIENCES = frozenset({"reporters", "journalists", "correspondents", "media", "press", "conference", "briefing",
                       "agency", "television", "radio", "newspaper"})
# Tokens and words that end a clause, and so where a source begins.
CLAUSE_PUNCTUATION = frozenset({".", "!", "?", ";", ":", ",", '"', "“", "”", "„", "«", "»", "(", ")", "[", "]",
                                "—", "–", "…"})
CLAUSE_WORDS = frozenset({"and", "but", "or", "nor", "yet", "so", "that", "which", "who", "whom", "whose", "while",
                          "as", "because", "when", "where", "after", "before", "although", "though", "if", "unless",
                          "until", "whether", "than", "since"})
# Capitalised words that open a sentence but never a source ("In a statement, the ministry said").
CLAUSE_OPENERS = SENTENCE_STARTERS - {"The", "A", "An", "He", "She", "It", "They", "We", "This", "That", "These",
                                      "Those", "Its", "Their"}
# Prepositions that end a source after its cue ("said the ministry in a statement"); "of", "for", "from" stay in it.
PREPOSITIONS = frozenset({"in", "on", "at", "by", "with", "into", "near", "after", "before", "during", "across",
                          "against", "among", "over", "under", "through", "to", "until", "about", "per", "via", "amid",
                          "despite", "without", "within", "toward", "towards", "between", "behind"})
ARTICLES = frozenset({"a", "an", "the", "this", "that", "some", "any", "no", "all", "both", "each", "every", "several",
                      "many", "most", "other", "such"})
# Verbs that no source runs across ("US bombers struck sites officials said" gives "officials said").
FINITE_VERBS = frozenset({"is", "was", "were", "are", "am", "be", "been", "being", "has", "have", "had", "do", "does",
                          "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must"})
IRREGULAR_PAST = frozenset({"struck", "hit", "fled", "left", "took", "made", "shot", "sent", "began", "held", "led",
                            "kept", "lost", "met", "put", "ran", "saw", "set", "stood", "won", "fought", "brought",
                            "came", "went", "got", "gave", "became", "drove", "flew", "broke", "rose", "threw", "blew",
                            "hid", "overran", "withdrew", "spent", "sought", "caught", "knew", "thought", "found"})
# Words in "-ed" that are adjectives in a noun phrase ("an armed group"), not verbs.
ED_ADJECTIVES = frozenset({"armed", "unarmed", "masked", "unidentified", "suspected", "unnamed", "retired", "wounded",
                           "injured", "displaced", "united"})
# Tokens after which a sentence begins, and words after which a reporting word is a noun or an adjective.
SENTENCE_ENDS = frozenset({".", "!", "?", "…", '"', "“", "”", ":"})
POSSESSIVES = frozenset({"'s", "’s", "'", "’"})  # "the city's", "Corps' Quds Force"
NOUN_MARKERS = (ARTICLES | DETERMINERS | POSSESSIVES) - {"that"}  # "officials that said" stays a cue
MAX_SOURCE = 20  # words of a source before its cue ("the Popular Mobilization Forces, a state security ..., reported")
MAX_APPOSITION = 16
MAX_SOURCE_AFTER = 8

# Head nouns of actors that are not names (ACTOR: "local residents", "army units", "US officials", "Iranian-backed
# militias", "A United Nations monitoring mission"): `e` on a word of such a phrase takes it, articles outside.
ACTOR_NOUNS = (PEOPLE - {"dead", "wounded", "injured", "casualties", "deaths", "bodies"}) | frozenset({
    "officials", "official", "forces", "force", "militias", "militia", "army", "armies", "navy", "military",
    "government", "governments", "authorities", "units", "unit", "group", "groups", "brigade", "brigades",
    "battalion", "battalions", "regiment", "division", "mission", "coalition", "alliance", "ministry", "agency",
    "services", "bombers", "commanders", "commander", "leaders", "leader", "spokesman", "spokeswoman", "spokesperson",
    "spokesmen", "minister", "ministers", "president", "junta", "regime", "administration", "parliament", "cabinet",
    "council", "committee", "movement", "faction", "factions", "proxies", "allies", "gangs", "gang", "cells", "squads",
    "patrols", "garrison", "reinforcements", "paramilitaries", "snipers", "operatives", "agents", "diplomats",
    "envoy", "delegation", "monitors", "inspectors", "peacekeepers", "activists", "witnesses", "sources", "experts",
    "analysts", "convoy", "convoys", "helicopters", "warplanes",
})


def _opens_sentence(tokens: Sequence[Token], index: int) -> bool:
    return index == 0 or tokens[index - 1].text in SENTENCE_ENDS


def _is_cue(tokens: Sequence[Token], index: int) -> bool:
    """A reporting verb used as one: not a noun after an article or a possessive ("the reports", "the operation's
    stated aim"), not capitalised inside a sentence ("the United States")."""
    text = tokens[index].text
    if text.lower() not in CUE_VERBS or not (text.islower() or _opens_sentence(tokens, index)):
        return False
    return index == 0 or tokens[index - 1].text.lower() not in NOUN_MARKERS


def _belongs_to_cue(text: str) -> bool:
    """An auxiliary or adverb between a source and its cue ("has also said", "officially denied")."""
    return text in CUE_AUXILIARIES or (text.islower() and len(text) > 3 and text.endswith("ly") and _is_word(text))


def _is_verb(tokens: Sequence[Token], index: int) -> bool:
    """A finite verb or a past tense ("were", "struck", "killed"), but not a participle before "by" ("Residents
    reached by telephone", "groups backed by Iran") nor an adjective ("an armed group")."""
    text = tokens[index].text
    lower = text.lower()
    if lower in FINITE_VERBS or lower in IRREGULAR_PAST or _is_cue(tokens, index):
        return True
    following = tokens[index + 1].text.lower() if index + 1 < len(tokens) else ""
    return (text.islower() and len(lower) > 4 and lower.endswith("ed") and not lower.endswith("eed")
            and "-" not in lower and lower not in ED_ADJECTIVES and following != "by")


def _according_at(tokens: Sequence[Token], index: int) -> int | None:
    """The index of "according" when `index` is on "according to"."""
    for start in (index, index - 1):
        if 0 <= start < len(tokens) - 1 and tokens[start].text.lower() == "according" \
                and tokens[start + 1].text.lower() == "to":
            return start
    return None


def _cue_end(tokens: Sequence[Token], cue: int) -> int:
    """The last token of the cue at `cue`, with what it takes after it: "claimed responsibility", "told reporters"."""
    word = tokens[cue].text.lower()
    if word in CLAIM_CUES and cue + 1 < len(tokens) and tokens[cue + 1].text.lower() == "responsibility":
        return cue + 1
    if word in TELL_CUES:
        index = cue + 1
        if index < len(tokens) and tokens[index].text.lower() in ARTICLES:
            index += 1
        for listener in range(index, min(index + 2, len(tokens))):
            if not tokens[listener].text.islower():
                break
            if tokens[listener].text in AUDIENCES:
                return listener
    return cue


def _may_be_in_source(tokens: Sequence[Token], index: int) -> bool:
    """Whether the token at `index` may be part of a source before its cue: not punctuation that ends a clause,
    a conjunction, a sentence's opening preposition or a verb."""
    text = tokens[index].text
    if text in ("'", "’"):  # "Corps' Quds Force": a possessive, glued to its word
        return index > 0 and _glued(tokens[index - 1], tokens[index])
    if _joins_names(tokens, index):  # "US and Afghan officials say"
        return True
    if text in CLAUSE_PUNCTUATION or text in CLAUSE_OPENERS or text in CLAUSE_WORDS:
        return False
    return not _is_verb(tokens, index)


def _joins_names(tokens: Sequence[Token], index: int) -> bool:
    """An "and" or "or" between two names that share what follows ("US and Afghan officials"); not after a
    place that a preposition governs ("killed 18 in Iraq and US officials said")."""
    if not (tokens[index].text in ("and", "or") and 0 < index < len(tokens) - 1
            and _is_name_word(tokens[index - 1]) and _is_name_word(tokens[index + 1])
            and tokens[index - 1].text not in SENTENCE_STARTERS):
        return False
    start = _grow_name(tokens, index - 1)[0]
    return start == 0 or tokens[start - 1].text.lower() not in PREPOSITIONS


def _source_ending_at(tokens: Sequence[Token], end: int) -> int | None:
    """The first token of a source whose last token is `end`: back to where its clause begins. Where a verb
    comes first, or the clause's start is out of reach, only the name or actor phrase before the cue ("US
    bombers struck sites officials said" gives "officials said")."""
    if not _may_be_in_source(tokens, end):
        return None
    first = end
    while first > 0 and end - first < MAX_SOURCE and _may_be_in_source(tokens, first - 1):
        first -= 1
    before = first - 1
    if before >= 0 and (_may_be_in_source(tokens, before) or _is_verb(tokens, before)):
        phrase = _phrase_in_words(tokens, end)
        return max(phrase[0], first) if phrase[1] == end else end
    while first < end and tokens[first].text in PREPOSITIONS:  # ", in the city the army said"
        first += 1
    return first


def _source_before(tokens: Sequence[Token], cue_first: int) -> int | None:
    """The first token of the source before a cue beginning at `cue_first`, with an apposition between commas
    ("A spokesman for the group, Abu Karim al-Tamimi, denied"), or None."""
    end = cue_first - 1
    if end < 0:
        return None
    if tokens[end].text != ",":
        return _source_ending_at(tokens, end)
    for opening in range(end - 2, max(end - MAX_APPOSITION - 2, 0), -1):
        text = tokens[opening].text
        if text == ",":
            return _source_ending_at(tokens, opening - 1)
        if text in CLAUSE_PUNCTUATION:
            break
    return None


def _source_after(tokens: Sequence[Token], before: int) -> int | None:
    """The last token of a source that follows the token `before` ("said the ministry", "according to the city's
    emergency services"), or None."""
    last = None
    for index in range(before + 1, min(before + 1 + MAX_SOURCE_AFTER, len(tokens))):
        text = tokens[index].text
        lower = text.lower()
        if text in POSSESSIVES or (text in NAME_PUNCTUATION and _glued(tokens[index - 1], tokens[index])):
            continue  # "the city's", "Deir el-Zour"
        if (text in CLAUSE_PUNCTUATION or lower in CLAUSE_WORDS or lower in PREPOSITIONS or text in CLAUSE_OPENERS
                or _is_verb(tokens, index) or not (_is_word(text) or text[:1].isalnum())):
            break
        if lower not in ARTICLES and lower not in DETERMINERS and lower not in {"of", "for", "from"}:
            last = index
    return last


def _attribution_at(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """The source and cue of a claim when `index` is on its cue ("said", "according to", or a word between the
    source and the cue: "officially" of "Iran officially denied"), else None."""
    if tokens[index].text.lower() in SOURCELESS_CUES:
        return index, index
    according = _according_at(tokens, index)
    if according is not None:
        last = _source_after(tokens, according + 1)
        return according, according + 1 if last is None else last
    cue = index
    while cue < len(tokens) and cue - index <= 3 and not _is_cue(tokens, cue) and _belongs_to_cue(tokens[cue].text):
        cue += 1
    if cue >= len(tokens) or not _is_cue(tokens, cue):
        return None
    first = cue
    while first > 0 and cue - first < 3 and _belongs_to_cue(tokens[first - 1].text):
        first -= 1
    last = _cue_end(tokens, cue)
    source = _source_before(tokens, first)
    if source is not None:
        return source, last
    opens_clause = first == 0 or tokens[first - 1].text in CLAUSE_PUNCTUATION
    if opens_clause and last == cue and tokens[cue].text.lower() in SOURCE_AFTER_CUES:
        after = _source_after(tokens, cue)
        if after is not None:
            return first, after
    return first, last


def _is_modifier(tokens: Sequence[Token], index: int, *, before_head: bool) -> bool:
    """A lower-case word that may sit in an actor's noun phrase ("local", "security", "armed", "monitoring" after
    a name); before the head, not a word in "-s" ("Iran trains militias" is a sentence)."""
    text = tokens[index].text
    lower = text.lower()
    if not (_is_word(text) and text.islower()) or lower in NOT_COUNTED or lower in ARTICLES \
            or lower in DETERMINERS or lower in PREPOSITIONS or lower in CLAUSE_WORDS or lower in NAME_JOINERS \
            or _belongs_to_cue(lower) or _is_verb(tokens, index) or _is_number(tokens[index]):
        return False
    if _is_participle(lower) and not (index > 0 and _is_name_word(tokens[index - 1])):
        return False
    return not (before_head and lower not in ACTOR_NOUNS and lower.endswith("s") and not lower.endswith("ss"))


def _actor_phrase(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """The actor noun phrase around `index` ("local residents", "army units", "US officials", "Iranian-backed
    militias"): lower-case modifiers and at most one name before them, up to the last noun for an actor; None when
    no such noun ends it. A name a figure counts stays a name ("12 Hezbollah fighters")."""
    on_name = _is_name_word(tokens[index])
    if on_name:
        if _figure_over(tokens, index) is not None:
            return None
        first, last = _grow_name(tokens, index)
        if last + 2 < len(tokens) and _joins_names(tokens, last + 1):
            last = _grow_name(tokens, last + 2)[1]
    elif _is_modifier(tokens, index, before_head=False):
        first = last = index
    else:
        return None
    head = None if on_name or tokens[index].text not in ACTOR_NOUNS else index
    for following in range(last + 1, min(last + 1 + MAX_MODIFIERS, len(tokens))):
        if not _is_modifier(tokens, following, before_head=False):
            break
        if tokens[following].text in ACTOR_NOUNS:
            head = following
        elif not _is_modifier(tokens, following, before_head=True):
            break
    if head is None:
        return None
    if not on_name:
        while first > 0 and index - first < MAX_MODIFIERS and _is_modifier(tokens, first - 1, before_head=True):
            first -= 1
        if first > 0 and _is_name_word(tokens[first - 1]) and tokens[first - 1].text not in SENTENCE_STARTERS:
            first = _grow_name(tokens, first - 1)[0]
            if first > 1 and _joins_names(tokens, first - 1):
                first = _grow_name(tokens, first - 2)[0]
    return first, head


def _larger_phrases(tokens: Sequence[Token], first: int, last: int) -> list[tuple[int, int]]:
    """Phrases that hold `first..last` and reach beyond it: the name it is the possessor or the possession of
    ("Iran's Islamic Revolutionary Guard Corps"), and the attributions it is in ("US officials blamed")."""
    larger = []
    if first >= 2 and tokens[first - 1].text in POSSESSIVES and _is_name_word(tokens[first - 2]) \
            and _glued(tokens[first - 2], tokens[first - 1]):
        larger.append((_grow_name(tokens, first - 2)[0], last))
    if last + 2 < len(tokens) and tokens[last + 1].text in POSSESSIVES \
            and _is_name_word(tokens[last + 2]) and _glued(tokens[last], tokens[last + 1]):
        larger.append((first, _grow_name(tokens, last + 2)[1]))
    for cue in range(max(first - 3, 0), min(last + MAX_APPOSITION + 5, len(tokens))):
        attribution = _attribution_at(tokens, cue)
        if attribution is not None and attribution[0] <= first and attribution[1] >= last:
            larger.append(attribution)
    return [phrase for phrase in larger if phrase != (first, last)]


def grow_phrase(tokens: Sequence[Token], selection: tuple[int, int] | None, cursor: int) -> tuple[int, int]:
    """What `e` selects: with nothing selected, the phrase around the cursor (`phrase_around`); pressed again, the
    next larger phrase that holds the selection: the phrase around the cursor where it reaches further, else the
    possessive name ("Iran" → "Iran's Islamic Revolutionary Guard Corps"), else the attribution the selection is
    the source of ("US officials" → "US officials blamed"); the selection itself when nothing holds it."""
    first, last = phrase_around(tokens, cursor)
    if selection is None:
        return first, last
    grown = min(first, selection[0]), max(last, selection[1])
    if grown != selection:
        return grown
    words, _ = _words_near(tokens, cursor)
    ids = [word.id for word in words]
    if selection[0] not in ids or selection[1] not in ids:
        return selection
    larger = _larger_phrases(words, ids.index(selection[0]), ids.index(selection[1]))
    if not larger:
        return selection
    start, end = min(larger, key=lambda phrase: phrase[1] - phrase[0])
    return words[start].id, words[end].id


def phrase_around(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The first and last token id of the name, number or attribution phrase at token `index` (the token alone
    if none).

    Whitespace tokens (line breaks, runs of spaces) are looked through: `_glued` still sees the gap.
    """
    if not 0 <= index < len(tokens) or tokens[index].text.isspace():
        return index, index
    words, position = _words_near(tokens, index)
    first, last = _phrase_in_words(words, position)
    return words[first].id, words[last].id


# Tokens either side of the cursor that `e` looks at: far more than any rule reaches (a source runs back at most
# MAX_SOURCE words and an apposition), so that `e` costs the same in a paragraph of any length.
REACH = 200


def _words_near(tokens: Sequence[Token], index: int) -> tuple[list[Token], int]:
    """The tokens within `REACH` of `index` that are not whitespace, and where `index` is among them."""
    low = max(index - REACH, 0)
    words = [token for token in tokens[low:index + REACH] if not token.text.isspace()]
    return words, next(i for i, token in enumerate(words) if token.id == index)


def _phrase_in_words(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    token = tokens[index]
    attribution = _attribution_at(tokens, index)
    if attribution is not None:
        return attribution
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
    actor = _actor_phrase(tokens, index)
    if actor is not None:
        return actor
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
