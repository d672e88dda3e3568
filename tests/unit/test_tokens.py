"""The tokenizer: news rules, spaCy's whitespace convention, exact offsets on any text."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core import tokens as tokens_module
from annotator.core.tokens import Token, token_at, tokenize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def words(text: str) -> list[str]:
    """The texts of the tokens a user can select (whitespace tokens left out)."""
    return [token.text for token in tokenize(text) if not token.text.isspace()]


def rebuilt(tokens: tuple[Token, ...]) -> str:
    return "".join(token.text + (" " if token.ws else "") for token in tokens)


def read_exact(name: str) -> str:
    """A fixture's characters as they are on disk: no newline translation."""
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return handle.read()


NEWS_CASES = [
    # numbers keep their separators
    ("killing 1,200 people", ["killing", "1,200", "people"]),
    ("a 3.5 magnitude", ["a", "3.5", "magnitude"]),
    ("some 16,000 displaced.", ["some", "16,000", "displaced", "."]),
    ("it rose 3.5.", ["it", "rose", "3.5", "."]),
    ("at 01:30, on 2024-02-06", ["at", "01:30", ",", "on", "2024-02-06"]),
    ("the 1990s and 122mm shells", ["the", "1990s", "and", "122mm", "shells"]),
    ("١٬٢٠٠ شخص", ["١٬٢٠٠", "شخص"]),
    # hyphenated words and names stay whole
    ("in Deir el-Zour", ["in", "Deir", "el-Zour"]),
    ("Iran-backed militias", ["Iran-backed", "militias"]),
    ("Al-Muqawama al-Islamiyah fi al-Iraq", ["Al-Muqawama", "al-Islamiyah", "fi", "al-Iraq"]),
    ("F-16 jets and a 12-year-old", ["F-16", "jets", "and", "a", "12-year-old"]),
    ("pro- and anti-government", ["pro", "-", "and", "anti-government"]),
    # possessives split off; a bare trailing apostrophe is punctuation
    ("Iran's network", ["Iran", "'s", "network"]),
    ("Iran’s network", ["Iran", "’s", "network"]),
    ("the Corps' Quds Force", ["the", "Corps", "'", "Quds", "Force"]),
    ("Guard Corps’ Quds", ["Guard", "Corps", "’", "Quds"]),
    ("they're here", ["they", "'re", "here"]),
    # apostrophes inside names are not possessives
    ("Sana'a and Ba'ath officials", ["Sana'a", "and", "Ba'ath", "officials"]),
    ("O'Brien said", ["O'Brien", "said"]),
    ("the chargé d’affaires", ["the", "chargé", "d’affaires"]),
    # dotted abbreviations, titles and initials keep their full stop
    ("the U.S. and the U.N.", ["the", "U.S.", "and", "the", "U.N."]),
    ("U.S.-led forces", ["U.S.-led", "forces"]),
    ("at 3 a.m. local time", ["at", "3", "a.m.", "local", "time"]),
    ("on Feb. 2, 2024", ["on", "Feb.", "2", ",", "2024"]),
    ("Gen. Haddad and Lt. Youssef", ["Gen.", "Haddad", "and", "Lt.", "Youssef"]),
    ("George W. Bush", ["George", "W.", "Bush"]),
    ("in Iraq. Then", ["in", "Iraq", ".", "Then"]),
    # punctuation splits off
    ("Syria, Iraq; Jordan: all", ["Syria", ",", "Iraq", ";", "Jordan", ":", "all"]),
    ("(IRGC)", ["(", "IRGC", ")"]),
    ('"We fled," she said.', ['"', "We", "fled", ",", '"', "she", "said", "."]),
    ("“We fled,” she said.", ["“", "We", "fled", ",", "”", "she", "said", "."]),
    ("‘quiet’ «calme»", ["‘", "quiet", "’", "«", "calme", "»"]),
    ("West Point’s Center – both experts", ["West", "Point", "’s", "Center", "–", "both", "experts"]),
    ("Tehran—which denied it", ["Tehran", "—", "which", "denied", "it"]),
    ("between 10–15 people", ["between", "10", "–", "15", "people"]),
    ("fighters and medics..", ["fighters", "and", "medics", ".."]),
    ("wait... what?!", ["wait", "...", "what", "?!"]),
    ("70% of imports", ["70", "%", "of", "imports"]),
    # URLs and e-mail addresses are whole, trailing punctuation is not theirs
    ("see https://example.org/a/b?x=1&y=2.", ["see", "https://example.org/a/b?x=1&y=2", "."]),
    ("(https://en.wikipedia.org/wiki/Deir_ez-Zor_(city))", ["(", "https://en.wikipedia.org/wiki/Deir_ez-Zor_(city)", ")"]),
    ("at www.example.com, officials", ["at", "www.example.com", ",", "officials"]),
    ("write to press.office@ministry.gov.iq.", ["write", "to", "press.office@ministry.gov.iq", "."]),
    ("tagged #Syria by @UN_News", ["tagged", "#Syria", "by", "@UN_News"]),
    # emoji sequences are one grapheme cluster, one token
    ("flag 🇸🇾 here", ["flag", "🇸🇾", "here"]),
    ("two flags 🇸🇾🇮🇶", ["two", "flags", "🇸🇾", "🇮🇶"]),
    ("family 👨\u200d👩\u200d👧 photo", ["family", "👨\u200d👩\u200d👧", "photo"]),
    ("thumbs 👍🏽 up", ["thumbs", "👍🏽", "up"]),
    ("coming🔥", ["coming", "🔥"]),
    ("keycap #️⃣ sign", ["keycap", "#️⃣", "sign"]),
    # other scripts
    ("محافظة دير الزور، سوريا", ["محافظة", "دير", "الزور", "،", "سوريا"]),
    ("مُحَمَّد", ["مُحَمَّد"]),
    ("北京市", ["北", "京", "市"]),
    ("東京タワー", ["東", "京", "タ", "ワ", "ー"]),
    ("서울에서 회담", ["서울에서", "회담"]),
    ("Zürich and e\u0301clat", ["Zürich", "and", "e\u0301clat"]),
]


@pytest.mark.parametrize(("text", "expected"), NEWS_CASES, ids=[case[0] for case in NEWS_CASES])
def test_news_rules(text: str, expected: list[str]) -> None:
    assert words(text) == expected
    assert rebuilt(tokenize(text)) == text


WHITESPACE_CASES = [
    # (text, [(token text, ws)]) as spaCy has it
    ("a b", [("a", True), ("b", False)]),
    ("a  b", [("a", True), (" ", False), ("b", False)]),
    ("a   b", [("a", True), ("  ", False), ("b", False)]),
    ("a\nb", [("a", False), ("\n", False), ("b", False)]),
    ("a\r\nb", [("a", False), ("\r\n", False), ("b", False)]),
    ("a \r\n b", [("a", True), ("\r\n ", False), ("b", False)]),
    ("a\r\n\r\nb", [("a", False), ("\r\n\r\n", False), ("b", False)]),
    ("a\tb", [("a", False), ("\t", False), ("b", False)]),
    ("40\u00a0km", [("40", False), ("\u00a0", False), ("km", False)]),
    (" a", [(" ", False), ("a", False)]),
    ("\n\na", [("\n\n", False), ("a", False)]),
    ("a ", [("a", True)]),
    ("a  ", [("a", True), (" ", False)]),
    ("a\n", [("a", False), ("\n", False)]),
    (" ", [(" ", False)]),
    ("", []),
    ("Syria, Iraq.", [("Syria", False), (",", True), ("Iraq", False), (".", False)]),
]


@pytest.mark.parametrize(("text", "expected"), WHITESPACE_CASES, ids=[repr(case[0]) for case in WHITESPACE_CASES])
def test_whitespace_follows_spacy(text: str, expected: list[tuple[str, bool]]) -> None:
    assert [(token.text, token.ws) for token in tokenize(text)] == expected


def test_tokens_carry_offsets_and_ids() -> None:
    assert tokenize("In Iraq, 16 deaths.") == (
        Token("In", 0, 2, 0, True),
        Token("Iraq", 3, 7, 1, False),
        Token(",", 7, 8, 2, True),
        Token("16", 9, 11, 3, True),
        Token("deaths", 12, 18, 4, False),
        Token(".", 18, 19, 5, False),
    )


def test_tokens_are_frozen_and_hashable() -> None:
    """Sessions share token tuples between undo states; nothing may change one in place."""
    token = tokenize("Iraq")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.text = "Syria"  # type: ignore[misc]
    assert {token, Token("Iraq", 0, 4, 0, False)} == {token}


def test_every_python_whitespace_character_is_a_whitespace_token() -> None:
    """Whatever `str.isspace()` calls whitespace is never inside a word token, and vice versa."""
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert len(spaces) > 20
    for space in spaces:
        tokens = tokenize(f"a{space}b")
        assert [token.text for token in tokens if not token.text.isspace()] == ["a", "b"], repr(space)
        assert rebuilt(tokens) == f"a{space}b"


def test_whitespace_class_is_exactly_str_isspace() -> None:
    everything = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    matched = set(re.findall(f"[{tokens_module.WHITESPACE_CLASS}]", everything))
    assert matched == {char for char in everything if char.isspace()}


def test_prepend_character_before_a_space_does_not_swallow_it() -> None:
    """U+0600 (a grapheme Prepend) binds to the next character, even a space: cut it there."""
    tokens = tokenize("\u0600 x \u0600\u00a0y")
    assert [token.text for token in tokens] == ["\u0600", "x", "\u0600", "\u00a0", "y"]
    assert rebuilt(tokens) == "\u0600 x \u0600\u00a0y"


def test_tricky_fixture_keeps_crlf_emoji_arabic_and_nbsp() -> None:
    text = read_exact("tricky.txt")
    assert "\r\n" in text
    tokens = tokenize(text)
    assert rebuilt(tokens) == text
    texts = [token.text for token in tokens]
    for expected in ["“", "”", "—", "1,200", "el-Zour", "دير", "الزور", "’s", "U.S.-backed", "🇸🇾",
                     "👨\u200d👩\u200d👧", "👍🏽", "https://example.org/news?id=7", "wire@example.org",
                     "北", "e\u0301clat", "…", "Corps", "’", "3.5"]:
        assert expected in texts, expected
    assert "\r\n" in texts and "\r\n\r\n  " in texts and "\u00a0" in texts and "\t" in texts


def test_crlf_article_rebuilds_and_its_paragraph_breaks_are_whitespace_tokens() -> None:
    text = read_exact("river-valley-strikes.txt")
    tokens = tokenize(text)
    assert rebuilt(tokens) == text
    breaks = [token for token in tokens if "\n" in token.text]
    assert breaks and all(token.text.isspace() for token in breaks)
    assert all("\r" not in token.text for token in tokens if not token.text.isspace())
    for token in tokens:
        assert text[token.start : token.end] == token.text


def test_token_at_finds_the_token_under_a_click() -> None:
    text = "In  Iraq, 16"
    tokens = tokenize(text)  # In(ws) " " Iraq , (ws) 16
    assert [token_at(tokens, offset) for offset in range(len(text))] == [0, 0, None, 1, 2, 2, 2, 2, 3, None, 4, 4]
    assert token_at(tokens, len(text)) is None
    assert token_at(tokens, -1) is None
    assert token_at((), 0) is None


# ---------------------------------------------------------------- properties over any text

NEWS_FRAGMENTS = [
    "Iran", "'s", "’s", "'", "’", "Corps", "U.S.", "U.S.-led", "Feb.", "W.", "a.m.", "el-Zour", "-", "--",
    "1,200", "3.5", "16,000", ",", ".", "...", ";", ":", "(", ")", "“", "”", "\"", "—", "–", "%",
    "https://example.org/a_(b)", "www.example.com", "x@example.org", "@", "#", "#Syria",
    "🇸🇾", "👨\u200d👩\u200d👧", "👍🏽", "🔥", "\u200d", "\ufe0f", "\u0301", "\u0600",
    "دير", "الزور", "،", "北京", "タワー", "서울",
    " ", " ", " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "\u3000", "\x1c", "\x85",
]

any_text = st.text(alphabet=st.characters(codec=None, categories=None))
news_text = st.lists(st.sampled_from(NEWS_FRAGMENTS), max_size=40).map("".join)
mixed_text = st.lists(st.one_of(st.sampled_from(NEWS_FRAGMENTS), any_text), max_size=20).map("".join)
texts = st.one_of(any_text, news_text, mixed_text)


def check_invariants(text: str, tokens: tuple[Token, ...]) -> None:
    assert rebuilt(tokens) == text
    position = 0
    for index, token in enumerate(tokens):
        assert token.id == index
        assert token.text and text[token.start : token.end] == token.text
        assert token.start == position, "tokens are in order, without gaps or overlaps"
        if token.text.isspace():
            assert not token.ws
        else:
            assert not any(char.isspace() for char in token.text), "whitespace is never inside a token"
        position = token.end + (1 if token.ws else 0)
        if token.ws:
            assert text[token.end] == " "
        if index and tokens[index - 1].text.isspace():
            assert not token.text.isspace(), "whitespace runs are one token"
    assert position == len(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_tokens_rebuild_any_text_and_keep_the_invariants(text: str) -> None:
    check_invariants(text, tokenize(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(texts, st.sampled_from(["\r\n", "\n\n", "\r\n\r\n"])), max_size=6).map("".join))
def test_paragraph_texts_with_line_breaks_keep_the_invariants(text: str) -> None:
    check_invariants(text, tokenize(text))


@settings(max_examples=200, deadline=None)
@given(texts)
def test_tokenizing_is_deterministic(text: str) -> None:
    assert tokenize(text) == tokenize(text) == tokenize(str(text))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_shortcut_agrees_with_the_full_rules(text: str) -> None:
    """The fast path for plain words must give exactly what the full rules give."""
    assert tokenize(text) == tokens_module._tokenize(text, tokens_module._CHUNK)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_token_at_agrees_with_a_linear_search(text: str) -> None:
    tokens = tokenize(text)
    for offset in range(-1, len(text) + 1):
        expected = next((token.id for token in tokens if token.start <= offset < token.end), None)
        assert token_at(tokens, offset) == expected


# Tokens of the fixtures and the news cases under TOKENIZER_VERSION "1". A store line that keeps
# no tokens is tokenized again only by the version it names, so a change to `tokenize` must bump
# the version; then record the new digest here for the new version.
TOKENS_OF_VERSION = {"1": "9e8bcdf7a3a4bf490cb1cc9c691b99bff28660c29e6bcf75ec476c33f18caf69"}


def test_a_change_of_the_tokens_comes_with_a_new_tokenizer_version() -> None:
    import hashlib
    import json

    digest = hashlib.sha256()
    for text in [read_exact("tricky.txt"), read_exact("river-valley-strikes.txt"), *(text for text, _ in NEWS_CASES)]:
        for token in tokenize(text):
            digest.update(json.dumps([token.text, token.start, token.end, token.ws], ensure_ascii=False).encode())
    assert TOKENS_OF_VERSION.get(tokens_module.TOKENIZER_VERSION) == digest.hexdigest(), (
        "tokenize gives other tokens than TOKENIZER_VERSION did: bump TOKENIZER_VERSION (core/tokens.py) "
        "and record the new digest in TOKENS_OF_VERSION")


def test_make_token_builds_the_same_frozen_token() -> None:
    made = tokens_module.make_token("Iraq", 3, 7, 1, True)
    assert made == Token("Iraq", 3, 7, 1, True) and hash(made) == hash(Token("Iraq", 3, 7, 1, True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.text = "Iran"  # type: ignore[misc]
