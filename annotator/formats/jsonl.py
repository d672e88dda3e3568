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
from annotator.core.files import write_atomically
from annotator.formats import Format
from annotator.formats.documents import Document, ExportSpan, split_id
from annotator.formats.export import ExportOptions
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.reading import (
    attribute_values,
    json_lines,
    list_field,
    object_field,
    paragraph_indices,
    split_article,
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

    write_atomically(out, write)


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """Prodigy-style lines. A line whose `id` names a paragraph (`article#3`), or whose `meta` gives
    `paragraph`, is that paragraph; any other line is an article (id: its `id`, else
    `meta.article_id`, else `<file stem>-<line>`), cut at blank lines as `annotate` does, with the
    paragraph ids of `meta.paragraphs` when our article-level export wrote them."""
    for number, where, data in json_lines(path):
        meta = object_field(data, "meta")
        record_id = data["id"] if isinstance(data.get("id"), str) else ""
        spans = []
        for n, span in enumerate(list_field(data, "spans", where), start=1):
            if not isinstance(span, dict) or not all(isinstance(span.get(k), int) for k in ("start", "end")) \
                    or not isinstance(span.get("label"), str):
                raise InputError(f"{where}: span {n} needs integer 'start', 'end' and a string 'label'.")
            score = span.get("score")
            spans.append(ImportedSpan(span["start"], span["end"], span["label"],
                                      attribute_values(span.get("attributes"), f"{where}: span {n}"),
                                      float(score) if isinstance(score, (int, float)) else None,
                                      str(span.get("id") or f"s{n}")))
        relations = []
        for relation in list_field(data, "relations", where):
            if not isinstance(relation, dict) or not all(k in relation for k in ("label", "head_id", "child_id")):
                raise InputError(f"{where}: a relation needs 'label', 'head_id' and 'child_id' (span ids).")
            relations.append((str(relation["label"]), str(relation["head_id"]), str(relation["child_id"])))
        source = str(meta.get("source") or path)
        if split_id(record_id)[0] != record_id or "paragraph" in meta:
            article_id, index = split_id(record_id) if split_id(record_id)[0] != record_id else \
                (str(meta.get("article_id") or f"{path.stem}-{number}"),
                 whole_number(meta.get("paragraph"), where, "meta.paragraph"))
            yield Imported(article_id, index, data["text"],
                           whole_number(meta.get("char_offset"), where, "meta.char_offset"),
                           source, spans, relations, where)
        else:  # an article (our --level article export, or plain text): cut at blank lines
            article_id = record_id or str(meta.get("article_id") or f"{path.stem}-{number}")
            yield from split_article(article_id, data["text"], source, spans, relations, where,
                                     paragraph_indices(meta.get("paragraphs")))


FORMAT = Format(name="jsonl", suffix=".export.jsonl", export=export, read=read)
