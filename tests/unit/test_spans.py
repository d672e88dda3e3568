"""Span edits are pure and keep every span consistent with the text and the tokens."""

from __future__ import annotations

import random
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.corpus import Paragraph
from annotator.core.records import annotation_from_record, check_record, to_record
from annotator.core.spans import (
    EMPTY,
    Annotation,
    Relation,
    Span,
    _ordered,
    add_relation,
    add_span,
    relabel_span,
    remove_span,
    set_attribute,
    snap_to_tokens,
    span_over_chars,
    span_over_tokens,
    spans_at,
)
from annotator.core.tokens import tokenize

TEXT = "In Iraq, the Popular Mobilization Forces reported 16 deaths 🇮🇶 near دير الزور.\r\nOfficials said."
TOKENS = tokenize(TEXT)
WORDS = [t.id for t in TOKENS if not t.text.isspace()]
LABELS = ["ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION"]


def test_tagging_tokens_gives_offsets_into_the_text() -> None:
    forces = [t.id for t in TOKENS if t.text in ("Popular", "Forces")]
    annotation = add_span(EMPTY, span_over_tokens(TOKENS, forces[1], forces[0], "ACTOR"))
    (span,) = annotation.spans
    assert TEXT[span.start : span.end] == "Popular Mobilization Forces"
    assert (span.token_start, span.token_end) == (forces[0], forces[1])
    assert span.id == "s1"


def test_the_same_span_is_not_added_twice_but_another_label_on_it_is() -> None:
    span = span_over_tokens(TOKENS, 1, 1, "LOCATION")
    annotation = add_span(add_span(EMPTY, span), span)
    assert len(annotation.spans) == 1
    assert len(add_span(annotation, span_over_tokens(TOKENS, 1, 1, "ACTOR")).spans) == 2


def test_removing_a_span_removes_its_relations() -> None:
    annotation = add_span(add_span(EMPTY, span_over_tokens(TOKENS, 1, 1, "LOCATION")),
                          span_over_tokens(TOKENS, 4, 6, "ACTOR"))
    annotation = add_relation(annotation, Relation("located_at", "s2", "s1"))
    assert len(annotation.relations) == 1
    assert remove_span(annotation, "s1").relations == ()


def test_character_precise_spans_snap_their_token_indices() -> None:
    start = TEXT.index("Mobilization") + 2
    span = span_over_chars(TOKENS, start, start + 5, "ACTOR", TEXT)
    assert TOKENS[span.token_start].text == "Mobilization" == TOKENS[span.token_end].text
    assert snap_to_tokens(TOKENS, 2, 3) is None  # only whitespace there


def test_innermost_span_first_at_an_offset() -> None:
    annotation = add_span(add_span(EMPTY, span_over_tokens(TOKENS, 0, 10, "ATTRIBUTION")),
                          span_over_tokens(TOKENS, 1, 1, "LOCATION"))
    assert [s.label for s in spans_at(annotation, TOKENS[1].start)] == ["LOCATION", "ATTRIBUTION"]


edit = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(LABELS)),
    st.tuples(st.just("chars"), st.integers(0, len(TEXT) - 1), st.integers(1, 12), st.sampled_from(LABELS)),
    st.tuples(st.just("remove"), st.integers(0, 20)),
    st.tuples(st.just("relabel"), st.integers(0, 20), st.sampled_from(LABELS)),
    st.tuples(st.just("attr"), st.integers(0, 20), st.integers(0, 99)),
    st.tuples(st.just("relate"), st.integers(0, 20), st.integers(0, 20)),
)


def _nth(ids: list[str], n: int) -> str:
    return ids[n % len(ids)]


@settings(max_examples=200, deadline=None)
@given(st.lists(edit, max_size=25))
def test_any_sequence_of_edits_keeps_spans_consistent_and_round_trips(edits: list[tuple]) -> None:
    annotation = EMPTY
    for step in edits:
        ids = [s.id for s in annotation.spans]
        pick = partial(_nth, ids) if ids else None
        match step:
            case ("add", first, last, label):
                annotation = add_span(annotation, span_over_tokens(TOKENS, first, last, label))
            case ("chars", start, length, label):
                end = min(len(TEXT), start + length)
                if TEXT[start:end].strip():
                    annotation = add_span(annotation, span_over_chars(TOKENS, start, end, label, TEXT))
            case ("remove", n) if pick:
                annotation = remove_span(annotation, pick(n))
            case ("relabel", n, label) if pick:
                annotation = relabel_span(annotation, pick(n), label)
            case ("attr", n, value) if pick:
                annotation = set_attribute(annotation, pick(n), "count", value)
            case ("relate", a, b) if pick:
                annotation = add_relation(annotation, Relation("source", pick(a), pick(b)))
    assert len({s.id for s in annotation.spans}) == len(annotation.spans)
    ids = {s.id for s in annotation.spans}
    assert all(r.head in ids and r.child in ids for r in annotation.relations)
    paragraph = Paragraph("art", 0, TEXT, 0, "t.txt")
    record = to_record(paragraph, TOKENS, annotation, schema_ref={"name": "x", "version": "1"}, annotator="a")
    check_record(record)  # every span text equals text[start:end]; token indices cover it
    assert annotation_from_record(record) == annotation


def test_whitespace_tokens_at_the_edges_of_a_selection_are_left_out() -> None:
    newline = next(t.id for t in TOKENS if t.text.isspace())
    span = span_over_tokens(TOKENS, newline - 1, newline, "ACTOR")
    assert not TEXT[span.start : span.end][-1].isspace()
    assert span.token_end == newline - 1


@settings(max_examples=300, deadline=None)
@given(offsets=st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from(["A", "B"])), max_size=12),
       new=st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from(["A", "B"])), order=st.randoms())
def test_a_span_added_lands_where_sorting_every_span_would_put_it(
        offsets: list[tuple[int, int, str]], new: tuple[int, int, str], order: random.Random) -> None:
    """In order or not, at distinct starts or shared ones: adding a span gives the order of sorting them all."""
    spans = [Span(start, start + length, label, 0, 0, id=f"s{n}") for n, (start, length, label) in enumerate(offsets)]
    order.shuffle(spans)
    annotation = Annotation(spans=tuple(spans) if order.random() < 0.5 else _ordered(spans))
    added = add_span(annotation, Span(new[0], new[0] + new[1], new[2], 0, 0))
    if any((s.start, s.end, s.label) == (new[0], new[0] + new[1], new[2]) for s in spans):
        assert added is annotation
    else:
        (made,) = [s for s in added.spans if s not in annotation.spans]
        assert added.spans == _ordered((*annotation.spans, made))
