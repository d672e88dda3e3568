"""The canonical JSONL record (docs/FORMAT.md, "The canonical record") to and from the domain objects."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from typing import Any

from annotator.core.corpus import Paragraph
from annotator.core.spans import ANSWERS, Annotation, RejectedSpan, Relation, Span
from annotator.core.tokens import Token, tokenize

VIEW_ID = "spans_manual"
IN_PROGRESS = "in_progress"
DONE = "done"


class RecordError(ValueError):
    """A record that breaks the format: a span off its text, a bad token index, a missing field."""


def stable_hash(*parts: str) -> int:
    """A signed 32-bit hash that is the same on every machine and run (unlike `hash()`)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def span_to_dict(span: Span, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "token_start": span.token_start,
        "token_end": span.token_end,
        "label": span.label,
        "text": text[span.start : span.end],
        "id": span.id,
        "source": span.source,
    }
    if span.attributes:
        out["attributes"] = dict(span.attributes)
    if span.score is not None:
        out["score"] = span.score
    if span.suggested:
        out["suggested"] = True
    return out


def span_from_dict(data: Mapping[str, Any]) -> Span:
    attributes = data.get("attributes") or {}
    return Span(
        start=int(data["start"]),
        end=int(data["end"]),
        label=str(data["label"]),
        token_start=int(data["token_start"]),
        token_end=int(data["token_end"]),
        id=str(data.get("id") or ""),
        attributes=tuple(sorted(attributes.items())),
        source=str(data.get("source") or "manual"),
        score=data.get("score"),
        suggested=bool(data.get("suggested", False)),
    )


def _relation_to_dict(relation: Relation, spans: Mapping[str, Span]) -> dict[str, Any]:
    """Prodigy's relation shape (head/child token indices and spans) plus our span ids."""
    head, child = spans[relation.head], spans[relation.child]

    def brief(span: Span) -> dict[str, Any]:
        return {"start": span.start, "end": span.end, "token_start": span.token_start,
                "token_end": span.token_end, "label": span.label}

    return {
        "head": head.token_end,
        "child": child.token_end,
        "head_span": brief(head),
        "child_span": brief(child),
        "label": relation.label,
        "head_id": relation.head,
        "child_id": relation.child,
    }


def _rejected_to_dict(entry: RejectedSpan, text: str) -> dict[str, Any]:
    """The shape imports give `meta.rejected_spans` entries (docs/FORMAT.md), with the source that made it."""
    out: dict[str, Any] = {"start": entry.start, "end": entry.end, "label": entry.label,
                           "text": text[entry.start : entry.end]}
    if entry.source is not None:
        out["source"] = entry.source
    return out


def _rejected_from_record(record: Mapping[str, Any]) -> tuple[RejectedSpan, ...]:
    """`meta.rejected_spans`: entries without offsets or a label (no suggestion can match them) are left out."""
    meta = record.get("meta") or {}
    out: list[RejectedSpan] = []
    for entry in meta.get("rejected_spans") or ():
        start, end, label = entry.get("start"), entry.get("end"), entry.get("label")
        if isinstance(start, int) and isinstance(end, int) and isinstance(label, str):
            source = entry.get("source")
            out.append(RejectedSpan(start, end, label, source if isinstance(source, str) else None))
    return tuple(out)


def to_record(
    paragraph: Paragraph,
    tokens: Sequence[Token],
    annotation: Annotation,
    *,
    schema_ref: Mapping[str, str],
    annotator: str,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """The full record for one paragraph in its current state."""
    text = paragraph.text
    input_hash = stable_hash(text)
    by_id = {s.id: s for s in annotation.spans}
    record: dict[str, Any] = {
        "id": paragraph.id,
        "text": text,
        "tokens": [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws} for t in tokens],
        "spans": [span_to_dict(s, text) for s in annotation.spans],
        "relations": [_relation_to_dict(r, by_id) for r in annotation.relations],
    }
    if annotation.answer is not None:
        record["answer"] = annotation.answer
    if annotation.flagged:
        record["flagged"] = True
    if annotation.note:
        record["note"] = annotation.note
    record["meta"] = {
        "article_id": paragraph.article_id,
        "paragraph": paragraph.index,
        "char_offset": paragraph.char_offset,
        "source": paragraph.source,
    }
    if annotation.rejected:
        record["meta"]["rejected_spans"] = [_rejected_to_dict(entry, text) for entry in annotation.rejected]
    record.update({
        "_input_hash": input_hash,
        "_task_hash": stable_hash(str(input_hash), paragraph.id),
        "_view_id": VIEW_ID,
        "_annotator_id": annotator,
        "_session_id": annotator,
        "_timestamp": int(time.time()) if timestamp is None else timestamp,
        "_schema": dict(schema_ref),
        "_status": DONE if annotation.answer is not None else IN_PROGRESS,
    })
    return record


def tokens_of(record: Mapping[str, Any]) -> tuple[Token, ...]:
    """A record's saved tokens (its spans' token indices refer to them), else its text tokenized."""
    saved = record.get("tokens")
    if saved:
        return tuple(Token(t["text"], t["start"], t["end"], t["id"], bool(t.get("ws"))) for t in saved)
    return tokenize(str(record["text"]))


def annotation_from_record(record: Mapping[str, Any]) -> Annotation:
    spans = tuple(span_from_dict(s) for s in record.get("spans") or ())
    relations = tuple(
        Relation(str(r["label"]), str(r["head_id"]), str(r["child_id"]))
        for r in record.get("relations") or ()
        if "head_id" in r and "child_id" in r
    )
    answer = record.get("answer")
    return Annotation(
        spans=spans,
        relations=relations,
        answer=answer if answer in ANSWERS else None,
        flagged=bool(record.get("flagged", False)),
        note=str(record.get("note") or ""),
        rejected=_rejected_from_record(record),
    )


def check_record(record: Mapping[str, Any]) -> None:
    """Refuse a record whose spans do not match its text and tokens (the offsets contract)."""
    text = record.get("text")
    if not isinstance(record.get("id"), str) or not isinstance(text, str):
        raise RecordError("a record needs a string 'id' and a string 'text'")
    tokens = record.get("tokens") or []
    for token in tokens:
        if text[token["start"] : token["end"]] != token["text"]:
            raise RecordError(f"{record['id']}: token {token['id']} {token['text']!r} is not text[{token['start']}:{token['end']}]")
    answer = record.get("answer")
    if answer is not None and answer not in ANSWERS:
        raise RecordError(f"{record['id']}: answer {answer!r} is not one of {', '.join(ANSWERS)}")
    for span in record.get("spans") or ():
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise RecordError(f"{record['id']}: span [{start}, {end}) is outside the text (length {len(text)})")
        if text[start:end] != span.get("text"):
            raise RecordError(f"{record['id']}: span text {span.get('text')!r} is not text[{start}:{end}] = {text[start:end]!r}")
        if tokens:
            first, last = span.get("token_start"), span.get("token_end")
            if not (isinstance(first, int) and isinstance(last, int) and 0 <= first <= last < len(tokens)):
                raise RecordError(f"{record['id']}: span [{start}, {end}) has token indices {first}..{last} outside 0..{len(tokens) - 1}")
            if tokens[first]["start"] > start or tokens[last]["end"] < end:
                raise RecordError(f"{record['id']}: span [{start}, {end}) is not within its tokens {first}..{last}")
