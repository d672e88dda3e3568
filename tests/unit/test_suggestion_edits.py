"""Accepting, rejecting and spreading suggestions: the pure edits of core/spans.py and their record."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from annotator.core.corpus import Paragraph
from annotator.core.records import annotation_from_record, to_record
from annotator.core.spans import (
    Annotation,
    RejectedSpan,
    accept_suggestions,
    reject_suggestion,
    span_over_tokens,
    was_rejected,
    whole_token_matches,
)
from annotator.core.tokens import tokenize

TEXT = "Tyre and Tyrell: Tyre-based fighters left Tyre."


def suggested(tokens, first: int, label: str, source: str = "model:x") -> object:
    return replace(span_over_tokens(tokens, first, first, label), suggested=True, source=source, id=f"s{first}")


def test_whole_token_matches_find_every_exact_occurrence_on_token_edges_only() -> None:
    tokens = tokenize(TEXT)
    matches = whole_token_matches(TEXT, tokens, "Tyre")
    assert [TEXT[start:end] for start, end in matches] == ["Tyre", "Tyre"]
    assert matches[0] == (0, 4) and matches[1][0] == TEXT.rindex("Tyre")  # not inside Tyrell nor Tyre-based
    assert whole_token_matches(TEXT, tokens, "tyre") == [] and whole_token_matches(TEXT, tokens, "") == []


@given(st.text(st.sampled_from("ab -.,'\n\u00a0é\u200b"), max_size=40), st.data())
def test_whole_token_matches_are_the_occurrences_that_start_and_end_on_token_edges(text: str, data) -> None:
    tokens = tokenize(text)
    phrase = data.draw(st.sampled_from([text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)] or [""]))
    starts, ends = {token.start for token in tokens}, {token.end for token in tokens}
    expected = [(at, at + len(phrase)) for at in range(len(text)) if phrase and text.startswith(phrase, at)
                and at in starts and at + len(phrase) in ends]
    assert whole_token_matches(text, tokens, phrase) == expected


def test_accept_suggestions_makes_every_one_ones_own_and_keeps_their_sources() -> None:
    tokens = tokenize(TEXT)
    manual = replace(span_over_tokens(tokens, 2, 2, "ACTOR"), id="m")
    annotation = Annotation(spans=(suggested(tokens, 0, "LOCATION"), manual))
    accepted = accept_suggestions(annotation)
    assert [(span.suggested, span.source) for span in accepted.spans] == [(False, "model:x"), (False, "manual")]
    assert accept_suggestions(accepted) is accepted


def test_reject_suggestion_keeps_the_span_as_rejected_once_and_leaves_other_spans_alone() -> None:
    tokens = tokenize(TEXT)
    manual = replace(span_over_tokens(tokens, 2, 2, "ACTOR"), id="m")
    annotation = Annotation(spans=(suggested(tokens, 0, "LOCATION"), manual))
    rejected = reject_suggestion(annotation, "s0")
    assert rejected.spans == (manual,) and rejected.rejected == (RejectedSpan(0, 4, "LOCATION", "model:x"),)
    assert reject_suggestion(rejected, "m") is rejected  # one's own span is deleted, not rejected
    assert was_rejected(rejected, 0, 4, "LOCATION", "model:x")
    assert not was_rejected(rejected, 0, 4, "LOCATION", "occurrence") and not was_rejected(rejected, 0, 4, "ACTOR", "model:x")
    assert was_rejected(Annotation(rejected=(RejectedSpan(0, 4, "LOCATION"),)), 0, 4, "LOCATION", "occurrence")


def test_rejected_spans_go_to_meta_and_come_back_with_or_without_a_source() -> None:
    tokens = tokenize(TEXT)
    annotation = Annotation(rejected=(RejectedSpan(0, 4, "LOCATION", "model:x"), RejectedSpan(17, 21, "ACTOR")))
    record = to_record(Paragraph("a", 0, TEXT, 0, "a.txt"), tokens, annotation, schema_ref={}, annotator="t")
    assert record["meta"]["rejected_spans"] == [
        {"start": 0, "end": 4, "label": "LOCATION", "text": "Tyre", "source": "model:x"},
        {"start": 17, "end": 21, "label": "ACTOR", "text": "Tyre"}]
    assert annotation_from_record(record).rejected == annotation.rejected
    record["meta"]["rejected_spans"].append({"label": "ACTOR"})  # no offsets: no suggestion can match it
    assert annotation_from_record(record).rejected == annotation.rejected
    empty = to_record(Paragraph("a", 0, TEXT, 0, "a.txt"), tokens, Annotation(), schema_ref={}, annotator="t")
    assert "rejected_spans" not in empty["meta"]
