"""The canonical JSONL record (docs/FORMAT.md, "The canonical record") to and from the domain objects."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

from annotator.core.checked import RecordError
from annotator.core.corpus import Paragraph
from annotator.core.spans import ANSWERS, Annotation, RejectedSpan, Relation, Span
from annotator.core.tokens import Token, make_token, tokenize

VIEW_ID = "spans_manual"
IN_PROGRESS = "in_progress"
DONE = "done"
#: the `meta` keys a record takes from its paragraph
PARAGRAPH_META = ("article_id", "paragraph", "char_offset", "source")
#: ... and from its annotation; every other key (an import's `source_id`, `source_meta`,
#: `ignored_spans`...) is carried from a paragraph's record to its next state (`kept_meta`)
ANNOTATION_META = ("rejected_spans",)


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
    """The span a record's dict describes; its label, id and source kept once in memory however many spans share them."""
    get, intern = data.get, sys.intern
    attributes = get("attributes")
    # by position, in `Span`'s order: a review builds one for every span of every version it plans
    return Span(int(data["start"]), int(data["end"]), intern(str(data["label"])), int(data["token_start"]),
                int(data["token_end"]), intern(str(get("id") or "")),
                tuple(sorted(attributes.items())) if attributes else (), intern(str(get("source") or "manual")),
                get("score"), bool(get("suggested", False)))


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
    if entry.score is not None:
        out["score"] = entry.score
    return out


def _rejected_from_record(record: Mapping[str, Any]) -> tuple[RejectedSpan, ...]:
    """`meta.rejected_spans`: entries without offsets or a label (no suggestion can match them) are left out."""
    meta = record.get("meta") or {}
    out: list[RejectedSpan] = []
    for entry in meta.get("rejected_spans") or ():
        start, end, label = entry.get("start"), entry.get("end"), entry.get("label")
        if isinstance(start, int) and isinstance(end, int) and isinstance(label, str):
            source, score = entry.get("source"), entry.get("score")
            out.append(RejectedSpan(start, end, label, source if isinstance(source, str) else None,
                                    score if isinstance(score, int | float) and not isinstance(score, bool) else None))
    return tuple(out)


def token_dicts(tokens: Sequence[Token]) -> list[dict[str, Any]]:
    """Tokens as a record holds them."""
    return [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws} for t in tokens]


#: made once: `json.dumps` with arguments builds an encoder on every call, and an edit encodes a dozen parts
_STORE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_json(value: Any) -> str:
    """JSON as a store line holds it (one line, no spaces, Unicode as it is)."""
    return _STORE_JSON.encode(value)


def kept_meta(record: Mapping[str, Any] | None) -> dict[str, Any]:
    """The `meta` of a paragraph's record that its next state keeps as it is: what the record
    was given besides its paragraph and annotation (by an import, by suggest), which an edit
    must not drop."""
    meta = record.get("meta") if record is not None else None
    if not isinstance(meta, Mapping):
        return {}
    return {key: value for key, value in meta.items() if key not in PARAGRAPH_META and key not in ANNOTATION_META}


def to_record(
    paragraph: Paragraph,
    tokens: Sequence[Token] | None,
    annotation: Annotation,
    *,
    schema_ref: Mapping[str, str],
    annotator: str,
    timestamp: int | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The full record for one paragraph in its current state.

    `tokens` None leaves them out: for a paragraph whose tokens the store already holds, which
    `Store.append` then takes from there (docs/FORMAT.md, "The store"), so an edit never
    builds them again. `meta`: further `meta` keys to keep (`kept_meta` of its previous record).
    """
    builder = RecordBuilder(paragraph, schema_ref=schema_ref, annotator=annotator, meta=meta)
    return builder.build(annotation, tokens, timestamp=timestamp, encode=False)[0]


class RecordBuilder:
    """The records of one paragraph as it is edited, each costing what the edit changed.

    The text's hashes and JSON are computed once, and each span's dict and JSON once for as
    long as an equal span stays in the annotation (spans are immutable values), so an edit or an
    undo re-encodes only the spans it changed. The records it builds share those span dicts,
    so they are for appending, not for changing. `to_record` is one use of it. `meta` holds the
    `meta` keys its records carry besides their own (`kept_meta` of the paragraph's record).
    """

    def __init__(self, paragraph: Paragraph, *, schema_ref: Mapping[str, str], annotator: str,
                 meta: Mapping[str, Any] | None = None) -> None:
        self.paragraph = paragraph
        self.meta: Mapping[str, Any] = meta or {}
        self._schema_ref = dict(schema_ref)
        self._annotator = annotator
        self._input_hash = stable_hash(paragraph.text)
        self._task_hash = stable_hash(str(self._input_hash), paragraph.id)
        self._text_json: str | None = None
        # The spans of the last record built, with their dicts and JSON (None: not encoded yet).
        self._last_spans: tuple[Span, ...] = ()
        self._span_dicts: list[dict[str, Any]] = []
        self._span_jsons: list[str | None] = []

    def build(
        self, annotation: Annotation, tokens: Sequence[Token] | None, *, timestamp: int | None = None,
        encode: bool = True,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The record (see `to_record`), and with `encode` the JSON of its text and spans (`Store.append`'s `encoded`)."""
        paragraph = self.paragraph
        text = paragraph.text
        span_dicts, span_jsons = self._span_parts(annotation.spans, encode)
        by_id = {s.id: s for s in annotation.spans} if annotation.relations else {}
        record: dict[str, Any] = {"id": paragraph.id, "text": text}
        if tokens is not None:
            record["tokens"] = token_dicts(tokens)
        record["spans"] = span_dicts
        record["relations"] = [_relation_to_dict(r, by_id) for r in annotation.relations]
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
            **self.meta,
        }
        if annotation.rejected:
            record["meta"]["rejected_spans"] = [_rejected_to_dict(entry, text) for entry in annotation.rejected]
        record.update({
            "_input_hash": self._input_hash,
            "_task_hash": self._task_hash,
            "_view_id": VIEW_ID,
            "_annotator_id": self._annotator,
            "_session_id": self._annotator,
            "_timestamp": int(time.time()) if timestamp is None else timestamp,
            "_schema": dict(self._schema_ref),
            "_status": DONE if annotation.answer is not None else IN_PROGRESS,
        })
        if not encode:
            return record, {}
        if self._text_json is None:
            self._text_json = to_json(text)
        encoded_spans = cast("list[str]", span_jsons)  # every one is made when encoding
        return record, {"text": self._text_json, "spans": "[" + ",".join(encoded_spans) + "]"}

    def _span_parts(self, spans: tuple[Span, ...], encode: bool) -> tuple[list[dict[str, Any]], list[str | None]]:
        """Each span's dict (and with `encode` its JSON), reusing those of the spans the last record had.

        An edit keeps the spans before and after the ones it changed as the same objects, so
        only the stretch between the common start and end is looked at; a stretch of new objects
        (an undo read back from the store) is matched by value, which costs more than identity.
        """
        old = self._last_spans
        same_start, limit = 0, min(len(spans), len(old))
        while same_start < limit and spans[same_start] is old[same_start]:
            same_start += 1
        same_end = 0
        while same_end < limit - same_start and spans[-1 - same_end] is old[-1 - same_end]:
            same_end += 1
        changed = spans[same_start : len(spans) - same_end]
        old_changed = range(same_start, len(old) - same_end)
        equal = {old[i]: i for i in old_changed} if len(changed) > 1 else {}
        dicts, jsons = [], []
        for span in changed:
            found = equal.get(span)
            if found is None and len(changed) == 1 and len(old_changed) == 1 and old[old_changed[0]] == span:
                found = old_changed[0]
            dicts.append(self._span_dicts[found] if found is not None else span_to_dict(span, text=self.paragraph.text))
            jsons.append(self._span_jsons[found] if found is not None else None)
        keep_end = len(old) - same_end
        span_dicts = self._span_dicts[:same_start] + dicts + self._span_dicts[keep_end:]
        span_jsons = self._span_jsons[:same_start] + jsons + self._span_jsons[keep_end:]
        if encode and None in span_jsons:
            span_jsons = [to_json(d) if j is None else j for d, j in zip(span_dicts, span_jsons)]
        self._last_spans, self._span_dicts, self._span_jsons = spans, span_dicts, span_jsons
        return span_dicts, span_jsons


def tokens_of(record: Mapping[str, Any]) -> tuple[Token, ...]:
    """A record's saved tokens (its spans' token indices refer to them), else its text tokenized."""
    saved = record.get("tokens")
    if saved:
        return tuple([make_token(t["text"], t["start"], t["end"], t["id"], bool(t.get("ws"))) for t in saved])
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


def check_record(record: Mapping[str, Any], tokens: Sequence[Mapping[str, Any]] | None = None) -> None:
    """Refuse a record whose spans do not match its text and tokens (the offsets contract).

    The types of its fields are `checked.check_fields`'s to check first, where the record came
    from a file: this takes them as they should be.

    `tokens` are the ones the spans refer to when the record does not hold them (the store's
    saved tokens of the paragraph, already checked against the same text): only the spans'
    token indices are checked against them.
    """
    text = record.get("text")
    if not isinstance(record.get("id"), str) or not isinstance(text, str):
        raise RecordError("a record needs a string 'id' and a string 'text'")
    if tokens is None:
        tokens = record.get("tokens") or ()
        if tokens and [text[token["start"] : token["end"]] for token in tokens] != [token["text"] for token in tokens]:
            token = next(t for t in tokens if text[t["start"] : t["end"]] != t["text"])
            raise RecordError(f"{record['id']}: token {token['id']} {token['text']!r} is not text[{token['start']}:{token['end']}]")
    answer = record.get("answer")
    if answer is not None and answer not in ANSWERS:
        raise RecordError(f"{record['id']}: answer {answer!r} is not one of {', '.join(ANSWERS)}")
    length, count = len(text), len(tokens)
    for span in record.get("spans") or ():
        get = span.get
        start, end = get("start"), get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length):
            raise RecordError(f"{record['id']}: span [{start}, {end}) is outside the text (length {length})")
        if text[start:end] != get("text"):
            raise RecordError(f"{record['id']}: span text {get('text')!r} is not text[{start}:{end}] = {text[start:end]!r}")
        if count:
            first, last = get("token_start"), get("token_end")
            if not (isinstance(first, int) and isinstance(last, int) and 0 <= first <= last < count):
                raise RecordError(f"{record['id']}: span [{start}, {end}) has token indices {first}..{last} outside 0..{count - 1}")
            if tokens[first]["start"] > start or tokens[last]["end"] < end:
                raise RecordError(f"{record['id']}: span [{start}, {end}) is not within its tokens {first}..{last}")
