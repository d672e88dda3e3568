"""Casualty phrasings as reporters write them, and the figures annotators should see proposed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.casualty import parse_casualty

# (phrase, count, qualifier, low, high)
TABLE = [
    # exact figures, in digits and words
    ("three American service members", 3, "exact", None, None),
    ("16 of its members", 16, "exact", None, None),
    ("the deaths of 16 of its members", 16, "exact", None, None),
    ("1,200 people", 1200, "exact", None, None),
    ("10,000 refugees", 10000, "exact", None, None),
    ("twenty-three soldiers", 23, "exact", None, None),
    ("Twenty three soldiers", 23, "exact", None, None),
    ("two hundred civilians", 200, "exact", None, None),
    ("two hundred and fifty civilians", 250, "exact", None, None),
    ("one thousand two hundred and fifty", 1250, "exact", None, None),
    ("twelve hundred", 1200, "exact", None, None),
    ("a hundred people", 100, "exact", None, None),
    ("1.5 million people", 1_500_000, "exact", None, None),
    ("ninety-nine", 99, "exact", None, None),
    ("eleven protesters", 11, "exact", None, None),
    # one person
    ("a soldier", 1, "exact", None, None),
    ("an aid worker", 1, "exact", None, None),
    ("one medic", 1, "exact", None, None),
    ("a lone gunman", 1, "exact", None, None),
    # nobody
    ("no one", 0, "exact", None, None),
    ("none", 0, "exact", None, None),
    ("no casualties", 0, "exact", None, None),
    # lower bounds; "more than N" keeps N (documented in casualty.py and docs/SCHEMA.md)
    ("at least 18 militia group members", 18, "at_least", None, None),
    ("more than 150", 150, "at_least", None, None),
    ("over 85 fighters", 85, "at_least", None, None),
    ("upwards of 300", 300, "at_least", None, None),
    ("no fewer than 40", 40, "at_least", None, None),
    ("in excess of 1,000", 1000, "at_least", None, None),
    ("20 or more", 20, "at_least", None, None),
    ("150+ dead", 150, "at_least", None, None),
    ("at least a dozen", 12, "at_least", None, None),
    ("well over two hundred", 200, "at_least", None, None),
    # upper bounds
    ("up to 20", 20, "at_most", None, None),
    ("at most 5", 5, "at_most", None, None),
    ("as many as 60 people", 60, "at_most", None, None),
    ("fewer than 10", 10, "at_most", None, None),
    ("no more than 12", 12, "at_most", None, None),
    ("less than a hundred", 100, "at_most", None, None),
    # approximations
    ("about 40", 40, "approximately", None, None),
    ("around 40 villagers", 40, "approximately", None, None),
    ("nearly 40", 40, "approximately", None, None),
    ("some 40 fighters", 40, "approximately", None, None),
    ("an estimated 1,000", 1000, "approximately", None, None),
    ("roughly thirty", 30, "approximately", None, None),
    ("almost 2,000 people", 2000, "approximately", None, None),
    ("close to 500", 500, "approximately", None, None),
    ("40 or so", 40, "approximately", None, None),
    ("a dozen soldiers", 12, "approximately", None, None),
    ("half a dozen", 6, "approximately", None, None),
    ("a couple of guards", 2, "approximately", None, None),
    # ranges: count is the low end, the conservative figure
    ("between 10 and 15 fighters", 10, "range", 10, 15),
    ("10-15", 10, "range", 10, 15),
    ("10\u201315 people", 10, "range", 10, 15),
    ("10 to 15", 10, "range", 10, 15),
    ("from 30 to 40", 30, "range", 30, 40),
    ("two or three", 2, "range", 2, 3),
    ("ten to fifteen", 10, "range", 10, 15),
    # vague
    ("dozens", None, "vague", None, None),
    ("dozens of civilians", None, "vague", None, None),
    ("scores of civilians", None, "vague", None, None),
    ("hundreds", None, "vague", None, None),
    ("tens of thousands", None, "vague", None, None),
    ("several soldiers", None, "vague", None, None),
    ("a number of", None, "vague", None, None),
    ("a few guards", None, "vague", None, None),
    ("some soldiers", None, "vague", None, None),
    ("many people", None, "vague", None, None),
    ("civilians", None, "vague", None, None),
]


@pytest.mark.parametrize(("phrase", "count", "qualifier", "low", "high"), TABLE, ids=[row[0] for row in TABLE])
def test_phrasings(phrase: str, count: int | None, qualifier: str, low: int | None, high: int | None) -> None:
    assert parse_casualty(phrase) == {"count": count, "qualifier": qualifier, "low": low, "high": high}


def test_table_is_large() -> None:
    assert len(TABLE) >= 40


@given(st.integers(min_value=0, max_value=10**7))
def test_any_digits_with_thousands_separators(n: int) -> None:
    assert parse_casualty(f"{n:,} people")["count"] == n


@given(st.text())
def test_never_raises_and_answers_in_the_schema_vocabulary(text: str) -> None:
    result = parse_casualty(text)
    assert set(result) == {"count", "qualifier", "low", "high"}
    assert result["qualifier"] in {"exact", "at_least", "at_most", "approximately", "range", "vague"}
    assert (result["low"] is not None) == (result["qualifier"] == "range")


def test_qualifiers_are_the_default_schemas_values() -> None:
    from annotator.core.schema import default_schema_path, load_schema

    casualty = load_schema(default_schema_path()).label("CASUALTY")
    assert casualty is not None
    qualifier = casualty.attribute("qualifier")
    assert qualifier is not None
    assert {choice.value for choice in qualifier.choices} == {row[2] for row in TABLE}
    assert {"count", "low", "high"} <= {spec.name for spec in casualty.attributes}
