"""Spans, relations and a paragraph's annotation, with edits as pure functions.

Every edit takes an `Annotation` and returns a new one; nothing here mutates, so the session
can keep old states for undo and the store can write any state as it stands.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter, lt
from typing import Any, Literal

from annotator.core.tokens import Token

Answer = Literal["accept", "reject", "ignore"]
ANSWERS: tuple[Answer, ...] = ("accept", "reject", "ignore")
MANUAL = "manual"
#: the attribute that holds a span's free-text note (as brat's notes are imported)
SPAN_NOTE = "note"
#: the `source` of a suggestion made by tagging the same text elsewhere in the article
OCCURRENCE = "occurrence"


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled stretch of a paragraph: `text[start:end]`, tokens `token_start..token_end` inclusive.

    `id` is stable within the paragraph (relations point at it). `source` says where the span
    came from (`manual`, `import:doccano`, `model:NAME`); `suggested` marks a pre-annotation the
    annotator has not yet accepted.
    """

    start: int
    end: int
    label: str
    token_start: int
    token_end: int
    id: str = ""
    attributes: tuple[tuple[str, Any], ...] = ()
    source: str = MANUAL
    score: float | None = None
    suggested: bool = False

    @property
    def attrs(self) -> dict[str, Any]:
        return dict(self.attributes)

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed, labelled link between two spans of the same paragraph, by span id."""

    label: str
    head: str
    child: str


@dataclass(frozen=True, slots=True)
class RejectedSpan:
    """A suggestion the annotator turned down, kept so that `source` never suggests it again.

    Saved in the record's `meta.rejected_spans`; `source` None (an entry written without one, as
    other tools' rejections are imported) rules the span out from every source. `score` is the one
    an import gave it (ner.teach's), kept through every later state of the paragraph.
    """

    start: int
    end: int
    label: str
    source: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Annotation:
    """Everything an annotator has said about one paragraph."""

    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    answer: Answer | None = None
    flagged: bool = False
    note: str = ""
    rejected: tuple[RejectedSpan, ...] = ()

    def span(self, span_id: str) -> Span | None:
        return next((s for s in self.spans if s.id == span_id), None)


EMPTY = Annotation()
_START, _END, _ID = attrgetter("start"), attrgetter("end"), attrgetter("id")


def _ordered(spans: Iterable[Span]) -> tuple[Span, ...]:
    return tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.label, s.id)))


def _with_span(spans: tuple[Span, ...], span: Span) -> tuple[Span, ...]:
    """`_ordered((*spans, span))`: where `spans` start at distinct offsets in increasing order (most
    paragraphs), and `span` at another, that order is the order of starts, so `span` goes where one
    binary search puts it, without sorting the paragraph's spans again at every tag."""
    starts = list(map(_START, spans))
    at = bisect_left(starts, span.start)
    if (at == len(starts) or starts[at] != span.start) and all(map(lt, starts, starts[1:])):
        return (*spans[:at], span, *spans[at:])
    return _ordered((*spans, span))


def _next_id(annotation: Annotation) -> str:
    used = set(map(_ID, annotation.spans))
    n = len(used) + 1
    while f"s{n}" in used:
        n += 1
    return f"s{n}"


def snap_to_tokens(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """The first and last (inclusive) non-space tokens that overlap `[start, end)`, or None."""
    inside = [t.id for t in tokens if t.start < end and t.end > start and not t.text.isspace()]
    if not inside:
        return None
    return inside[0], inside[-1]


def span_over_tokens(tokens: Sequence[Token], first: int, last: int, label: str, **extra: Any) -> Span:
    """A span covering tokens `first..last` (inclusive, in either order), whitespace tokens at the edges left out."""
    first, last = min(first, last), max(first, last)
    while first < last and tokens[first].text.isspace():
        first += 1
    while last > first and tokens[last].text.isspace():
        last -= 1
    if tokens[first].text.isspace():
        raise ValueError("a span must cover at least one word")
    return Span(tokens[first].start, tokens[last].end, label, first, last, **extra)


def span_over_chars(
    tokens: Sequence[Token], start: int, end: int, label: str, text: str, **extra: Any
) -> Span:
    """A character-precise span; its token indices are those of the tokens it touches.

    Whitespace at either edge is trimmed off (no tool downstream can align a span that starts
    or ends in whitespace); the characters kept are never altered.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    snapped = snap_to_tokens(tokens, start, end) if start < end else None
    if snapped is None:
        raise ValueError(f"span [{start}, {end}) covers no word")
    return Span(start, end, label, snapped[0], snapped[1], **extra)


def snapped_span(tokens: Sequence[Token], text: str, start: int, end: int, label: str,
                 snap: Literal["token", "char"], **extra: Any) -> Span:
    """The span a selection of characters `[start, end)` makes under its label's `snap` (docs/SCHEMA.md).

    `char`: exactly those characters, whitespace at the edges trimmed ("Iran" inside
    "Iranian-backed"). `token`: widened to the whole tokens it touches, so that a label meant for
    words never ends inside one. Raises ValueError when the selection holds no word.
    """
    if snap == "char":
        return span_over_chars(tokens, start, end, label, text, **extra)
    touched = snap_to_tokens(tokens, start, end)
    if touched is None:
        raise ValueError(f"span [{start}, {end}) covers no word")
    return span_over_tokens(tokens, *touched, label, **extra)


def add_span(annotation: Annotation, span: Span) -> Annotation:
    """Add `span` with a fresh id. A span with the same offsets and label is not added twice: `annotation`
    itself comes back (callers tell a tag that changed nothing by that)."""
    start, end, label = span.start, span.end, span.label
    for existing in annotation.spans:  # an edit's hot loop: no tuple made per span
        if existing.start == start and existing.end == end and existing.label == label:
            return annotation
    if not span.id or annotation.span(span.id) is not None:
        span = replace(span, id=_next_id(annotation))
    return replace(annotation, spans=_with_span(annotation.spans, span))


def remove_span(annotation: Annotation, span_id: str) -> Annotation:
    """Remove a span and every relation that touches it."""
    return replace(
        annotation,
        spans=tuple(s for s in annotation.spans if s.id != span_id),
        relations=tuple(r for r in annotation.relations if span_id not in (r.head, r.child)),
    )


def update_span(annotation: Annotation, span_id: str, **changes: Any) -> Annotation:
    """Replace fields of one span (label, offsets, attributes, suggested...), keeping its id."""
    spans = tuple(replace(s, **changes) if s.id == span_id else s for s in annotation.spans)
    return replace(annotation, spans=_ordered(spans))


def relabel_span(annotation: Annotation, span_id: str, label: str) -> Annotation:
    """Give a span another label. Attributes of the old label do not carry over."""
    return update_span(annotation, span_id, label=label, attributes=())


def set_attribute(annotation: Annotation, span_id: str, name: str, value: Any) -> Annotation:
    """Set (or, with value None, clear) one attribute of one span."""
    span = annotation.span(span_id)
    if span is None:
        return annotation
    attrs = span.attrs
    if value is None:
        attrs.pop(name, None)
    else:
        attrs[name] = value
    return update_span(annotation, span_id, attributes=tuple(sorted(attrs.items())))


def add_relation(annotation: Annotation, relation: Relation) -> Annotation:
    """Add a relation between two existing spans; a duplicate or a dangling end is ignored."""
    ids = {s.id for s in annotation.spans}
    if relation.head not in ids or relation.child not in ids or relation in annotation.relations:
        return annotation
    return replace(annotation, relations=(*annotation.relations, relation))


def remove_relation(annotation: Annotation, relation: Relation) -> Annotation:
    return replace(annotation, relations=tuple(r for r in annotation.relations if r != relation))


def decide(annotation: Annotation, answer: Answer | None) -> Annotation:
    return replace(annotation, answer=answer)


def set_flag(annotation: Annotation, flagged: bool, note: str = "") -> Annotation:
    return replace(annotation, flagged=flagged, note=note)


def set_note(annotation: Annotation, note: str) -> Annotation:
    """The paragraph's note, flagged or not ("" clears it)."""
    return replace(annotation, note=note)


def spans_at(annotation: Annotation, offset: int) -> tuple[Span, ...]:
    """The spans covering a character offset, innermost (shortest) first."""
    return tuple(sorted((s for s in annotation.spans if s.covers(offset)), key=lambda s: s.end - s.start))



def accept_suggestions(annotation: Annotation) -> Annotation:
    """Every suggested span made the annotator's own (each keeps its `source` and `score`)."""
    if not any(span.suggested for span in annotation.spans):
        return annotation
    return replace(annotation, spans=tuple(replace(s, suggested=False) if s.suggested else s for s in annotation.spans))


def reject_suggestion(annotation: Annotation, span_id: str) -> Annotation:
    """Take a suggested span out and remember it as rejected from its source; any other span is left."""
    span = annotation.span(span_id)
    if span is None or not span.suggested:
        return annotation
    removed = remove_span(annotation, span_id)
    rejected = RejectedSpan(span.start, span.end, span.label, span.source)
    if rejected in removed.rejected:
        return removed
    return replace(removed, rejected=(*removed.rejected, rejected))


def was_rejected(annotation: Annotation, start: int, end: int, label: str, source: str) -> bool:
    """Whether the annotator rejected this span from `source` (or from every source) before."""
    return any((entry.start, entry.end, entry.label) == (start, end, label) and entry.source in (None, source)
               for entry in annotation.rejected)


def whole_token_matches(text: str, tokens: Sequence[Token], phrase: str) -> list[tuple[int, int]]:
    """Every `[start, end)` where `phrase` occurs exactly in `text` beginning and ending on token edges.

    Each occurrence is looked up among the tokens (in text order) by binary search: a tag runs
    this on its paragraph, and a word occurs a few times in thousands of tokens.
    """
    if not phrase:
        return []
    found: list[tuple[int, int]] = []
    at = text.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        first = bisect_left(tokens, at, key=_START)
        last = bisect_left(tokens, end, key=_END)
        if first < len(tokens) and tokens[first].start == at and last < len(tokens) and tokens[last].end == end:
            found.append((at, end))
        at = text.find(phrase, at + 1)
    return found
