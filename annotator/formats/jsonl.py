"""`jsonl`: canonical records, the latest state of each paragraph, in a fixed order.

Paragraph level writes each record as the store holds it, minus the store's history fields
(`_seq`, `_action`, `_reverts`), which mean nothing once compacted. Article level writes one
record per article in the same shape, its spans and tokens moved by each paragraph's
`char_offset`, and `meta.paragraphs` listing the records it was built from.

Importing reads Prodigy-style JSONL (`text`, `spans` with `start`/`end`/`label`, optional
`score`, `id`, `meta`), which is also how model predictions come in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import InputError
from annotator.core.records import VIEW_ID
from annotator.formats import Format
from annotator.formats.documents import Document, ExportSpan, split_id
from annotator.formats.export import ExportOptions, write_output
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions, answer_of
from annotator.formats.reading import (
    attribute_values,
    json_lines,
    list_field,
    object_field,
    paragraph_indices,
    split_article,
    tool_meta,
    whole_number,
)

#: the store's history fields: meaningless once the history is compacted away
HISTORY_FIELDS = ("_seq", "_action", "_reverts")


def document_record(document: Document, options: ExportOptions) -> dict[str, Any]:
    if options.level == "paragraph":
        return {key: value for key, value in document.records[0].items() if key not in HISTORY_FIELDS}
    by_id = {span.span_id: span for span in document.spans}
    first = document.records[0]
    return {
        "id": document.id,
        "text": document.text,
        "tokens": document.tokens,
        "spans": [span_dict(span) for span in document.spans],
        "relations": [{"head": by_id[r.head].token_end, "child": by_id[r.child].token_end,
                       "head_span": _brief(by_id[r.head]), "child_span": _brief(by_id[r.child]),
                       "label": r.label, "head_id": r.head, "child_id": r.child} for r in document.relations],
        "meta": {"article_id": document.article_id, "source": (first.get("meta") or {}).get("source", ""),
                 "paragraphs": [{"id": r["id"], "char_offset": (r.get("meta") or {}).get("char_offset", 0),
                                 "answer": r.get("answer"), "_status": r.get("_status")}
                                for r in document.records]},
        "_schema": first.get("_schema", {}),
    }


def _brief(span: ExportSpan) -> dict[str, Any]:
    """Prodigy's `head_span` / `child_span`: where a relation's end is, and its label."""
    return {"start": span.start, "end": span.end, "token_start": span.token_start, "token_end": span.token_end,
            "label": span.label}


def span_dict(span: ExportSpan) -> dict[str, Any]:
    """A canonical span (records.py's field order) for an article-level record."""
    out: dict[str, Any] = {"start": span.start, "end": span.end, "token_start": span.token_start,
                           "token_end": span.token_end, "label": span.label, "text": span.text,
                           "id": span.span_id, "source": span.source}
    if span.attributes:
        out["attributes"] = span.attributes
    if span.score is not None:
        out["score"] = span.score
    if span.suggested:
        out["suggested"] = True
    return out


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    def write(handle: TextIO) -> None:
        import jsonlines

        jsonlines.Writer(handle).write_all(document_record(document, options) for document in documents)

    write_output(out, write)


#: Prodigy's views in which an answer judges the one suggestion shown (ner.teach, textcat.teach),
#: not the whole text: each span keeps its own answer and the paragraph stays undecided
BINARY_VIEWS = ("ner", "classification", "binary")
#: the keys of `meta` our own exports write: not the other tool's metadata
OUR_META = ("id", "article_id", "paragraph", "char_offset", "source", "paragraphs", "source_id", "source_meta")


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """Prodigy-style lines (ours too). A line whose `id` names a paragraph (`article#3`), or whose
    `meta` gives `paragraph`, is that paragraph; any other line is an article (id: its `id`, else
    `meta.article_id`, else `<file stem>-<line>`), cut at blank lines as `annotate` does, with the
    paragraph ids of `meta.paragraphs` when our article-level export wrote them.

    `answer` becomes the paragraph's decision, `_annotator_id` its annotator. Binary answers
    (ner.teach: `_view_id` "ner") judge their spans only: the lines of one text are gathered into
    one paragraph whose accepted spans are spans and whose rejected ones are kept apart
    (`meta.rejected_spans`), the paragraph left undecided.
    """
    binary: dict[tuple[str, str | None], tuple[int, str, dict[str, Any], list[ImportedSpan], dict[str, Any]]] = {}
    counts = {"accept": 0, "reject": 0, "ignore": 0}
    for number, where, data in json_lines(path):
        answer = data.get("answer")
        if answer is not None and answer_of(answer) is None:
            raise InputError(f"{where}: answer {answer!r} is not accept, reject or ignore.")
        spans, relations = _spans_and_relations(data, where, options.notes)
        _note_categories(data, where, options.notes)
        details = _details(data, where)
        if answer is not None and data.get("_view_id") in BINARY_VIEWS:
            key = (data["id"] if isinstance(data.get("id"), str) else data["text"], details.get("annotator"))
            for span in spans:
                span.answer = answer
                counts[answer] += 1
            if key in binary:
                known, kept = binary[key][3], binary[key][4]["meta"]
                known.extend(s for s in spans if (s.start, s.end, s.label, s.answer)
                             not in {(k.start, k.end, k.label, k.answer) for k in known})
                # what all the lines of the text share (its _input_hash), not one line's score or _task_hash
                shared = {k: v for k, v in kept.get("source_meta", {}).items()
                          if details["meta"].get("source_meta", {}).get(k) == v}
                kept.pop("source_meta", None)
                kept.update({"source_meta": shared} if shared else {})
            else:
                binary[key] = (number, where, data, spans, details)
            continue
        yield from _document(path, number, where, data, spans, relations, details, options.notes)
    if sum(counts.values()):
        options.notes.append(f"{path}: {sum(counts.values())} binary answer(s) (Prodigy's ner.teach) on {len(binary)} "
                             f"text(s): {counts['accept']} accepted span(s) kept as spans, {counts['reject']} rejected "
                             f"and {counts['ignore']} ignored kept in meta.rejected_spans and meta.ignored_spans (never "
                             "suggestions); the paragraphs stay undecided, as a binary answer judges one span, not the text.")
    for (_, _annotator), (number, where, data, spans, details) in binary.items():
        yield from _document(path, number, where, data, spans, [], {**details, "answer": None, "suggested": False},
                             options.notes)


def _document(path: Path, number: int, where: str, data: dict[str, Any], spans: list[ImportedSpan],
              relations: list[tuple[str, str, str]], details: dict[str, Any], notes: list[str]) -> list[Imported]:
    meta = object_field(data, "meta", where)
    record_id = data["id"] if isinstance(data.get("id"), str) else ""
    source = str(meta.get("source") or path)
    if split_id(record_id)[0] != record_id or "paragraph" in meta:
        article_id, index = split_id(record_id) if split_id(record_id)[0] != record_id else \
            (str(meta.get("article_id") or f"{path.stem}-{number}"),
             whole_number(meta.get("paragraph"), where, "meta.paragraph"))
        return [Imported(article_id, index, data["text"], whole_number(meta.get("char_offset"), where, "meta.char_offset"),
                         source, spans, relations, where, **details)]
    # an article (our --level article export, or plain text): cut at blank lines
    article_id = record_id or str(meta.get("article_id") or f"{path.stem}-{number}")
    return split_article(article_id, data["text"], source, spans, relations, where, notes,
                         paragraph_indices(meta.get("paragraphs")), details)


def _details(data: dict[str, Any], where: str) -> dict[str, Any]:
    """The `Imported` fields of a line besides its text and spans: decision, who, note, flag, source ids."""
    meta = object_field(data, "meta", where)
    kept: dict[str, Any] = {}
    source_meta = tool_meta(meta, OUR_META)
    for key in ("_input_hash", "_task_hash", "_view_id", "_session_id"):
        if key in data and data.get("_view_id") != VIEW_ID:  # our own records' hashes are recomputed anyway
            source_meta[key] = data[key]
    if source_meta:
        kept["source_meta"] = source_meta
    source_id = meta.get("source_id", None if isinstance(data.get("id"), str) else data.get("id"))
    if source_id is not None:  # a string id is the record's own id; another (a number) is the tool's
        kept["source_id"] = source_id
    annotator = data.get("_annotator_id")
    return {"answer": answer_of(data.get("answer")), "meta": kept,
            "annotator": annotator if isinstance(annotator, str) and annotator else None,
            "note": data["note"] if isinstance(data.get("note"), str) else "", "flagged": data.get("flagged") is True}


def _note_categories(data: dict[str, Any], where: str, notes: list[str]) -> None:
    """Text classification answers have no place in a record: say so rather than drop them."""
    if isinstance(data.get("label"), str):
        notes.append(f"{where}: text category {data['label']!r} (answer {data.get('answer')}) is not imported: "
                     "records hold spans, not categories of the whole text.")
    if isinstance(data.get("accept"), list) and data["accept"]:
        notes.append(f"{where}: chosen option(s) {', '.join(map(str, data['accept']))} are not imported: "
                     "records hold spans, not choices about the whole text.")


def _spans_and_relations(data: dict[str, Any], where: str,
                         notes: list[str]) -> tuple[list[ImportedSpan], list[tuple[str, str, str]]]:
    """A line's spans (by offsets, or by Prodigy token indices) and relations (by our span ids, or by
    Prodigy's `head_span`/`child_span`)."""
    tokens = _prodigy_tokens(data, where)
    spans: list[ImportedSpan] = []
    for n, span in enumerate(list_field(data, "spans", where), start=1):
        if not isinstance(span, dict) or not isinstance(span.get("label"), str):
            raise InputError(f"{where}: span {n} needs integer 'start', 'end' and a string 'label'.")
        start, end = _span_offsets(span, tokens, f"{where}: span {n}")
        score = span.get("score")
        spans.append(ImportedSpan(start, end, span["label"], attribute_values(span.get("attributes"), f"{where}: span {n}"),
                                  float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
                                  str(span.get("id") or f"s{n}")))
    relations: list[tuple[str, str, str]] = []
    for n, relation in enumerate(list_field(data, "relations", where), start=1):
        if not isinstance(relation, dict) or "label" not in relation:
            raise InputError(f"{where}: relation {n} needs a 'label' and its ends: 'head_id' and 'child_id' "
                             "(span ids) or Prodigy's 'head_span' and 'child_span'.")
        if "head_id" in relation and "child_id" in relation:
            relations.append((str(relation["label"]), str(relation["head_id"]), str(relation["child_id"])))
            continue
        ends = [_relation_end(relation, side, spans, tokens, f"{where}: relation {n}", notes) for side in ("head", "child")]
        if ends[0] is not None and ends[1] is not None:
            relations.append((str(relation["label"]), ends[0], ends[1]))
    return spans, relations


def _prodigy_tokens(data: dict[str, Any], where: str) -> list[dict[str, Any]]:
    tokens = list_field(data, "tokens", where)
    if not all(isinstance(t, dict) and isinstance(t.get("start"), int) and isinstance(t.get("end"), int) for t in tokens):
        raise InputError(f"{where}: each of 'tokens' needs integer 'start' and 'end'.")
    return tokens


def _span_offsets(span: dict[str, Any], tokens: list[dict[str, Any]], where: str) -> tuple[int, int]:
    """`start`/`end`, or, for a span given by `token_start`/`token_end` alone, its tokens' offsets."""
    start, end = span.get("start"), span.get("end")
    if isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool) and not isinstance(end, bool):
        return start, end
    first, last = span.get("token_start"), span.get("token_end")
    if isinstance(first, int) and isinstance(last, int) and 0 <= first <= last < len(tokens):
        return tokens[first]["start"], tokens[last]["end"]
    raise InputError(f"{where} needs integer 'start', 'end' (or 'token_start', 'token_end' with the line's "
                     "'tokens') and a string 'label'.")


def _relation_end(relation: dict[str, Any], side: str, spans: list[ImportedSpan], tokens: list[dict[str, Any]],
                  where: str, notes: list[str]) -> str | None:
    """The key of the span a Prodigy relation's head or child is: the span at `<side>_span`'s offsets
    (added when the line lacks it and it has a label), or the span holding token `<side>`."""
    brief = relation.get(f"{side}_span")
    if isinstance(brief, dict):
        start, end = _span_offsets({"label": "", **brief}, tokens, f"{where}: {side}_span")
        label = brief.get("label")
        same = [s for s in spans if (s.start, s.end) == (start, end)]
        match = next((s for s in same if s.label == label), same[0] if same else None)
        if match is not None:
            return match.key
        if isinstance(label, str) and label:
            spans.append(ImportedSpan(start, end, label, key=f"{where}:{side}"))
            return spans[-1].key
        notes.append(f"{where}: its {side} is a bare token ({start}-{end}) without a label; records relate "
                     "labelled spans, so the relation is not imported.")
        return None
    token = relation.get(side)
    if isinstance(token, int) and not isinstance(token, bool) and 0 <= token < len(tokens):
        at = tokens[token]
        match = next((s for s in spans if s.start <= at["start"] and at["end"] <= s.end), None)
        if match is not None:
            return match.key
    notes.append(f"{where}: its {side} is not a span of the line; the relation is not imported.")
    return None


FORMAT = Format(name="jsonl", suffix=".export.jsonl", export=export, read=read)
