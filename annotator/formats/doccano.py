"""`doccano`: JSONL for doccano's sequence labeling (and relation) projects.

Without relations a line is `{"text": ..., "label": [[start, end, "LABEL"], ...], "meta": {...}}`;
when any span of the document takes part in a relation, it is
`{"text": ..., "entities": [{"id", "label", "start_offset", "end_offset"}], "relations":
[{"id", "from_id", "to_id", "type"}], "meta": {...}}` (doccano's relation-project shape).

Offsets: doccano's annotation screen runs in the browser, where a string is UTF-16, so an emoji
or any character beyond U+FFFF counts 2 there. By default offsets are written in UTF-16 code
units, which is what doccano shows and sends back; `--offsets codepoints` writes our code-point
offsets unchanged (for doccano-compatible tools written in Python). Import converts back the
same way. `meta` carries our record id, article and paragraph so an import finds them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import InputError
from annotator.core.files import write_atomically
from annotator.formats import Format
from annotator.formats.documents import Document, paragraph_list
from annotator.formats.export import ExportOptions
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.offsets import OFFSET_UNITS, OffsetUnit, codepoint_offsets, utf16_offsets
from annotator.formats.reading import imported_document, json_lines, list_field, object_field


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    unit = options.offsets or "utf16"

    def write(handle: TextIO) -> None:
        import jsonlines

        jsonlines.Writer(handle).write_all(_line(document, unit) for document in documents)

    write_atomically(out, write)


def _line(document: Document, unit: OffsetUnit) -> dict[str, Any]:
    convert = utf16_offsets(document.text) if unit == "utf16" else None

    def at(offset: int) -> int:
        return convert[offset] if convert is not None else offset

    first_meta = document.records[0].get("meta") or {}
    meta = {"id": document.id, "article_id": document.article_id,
            "char_offset": first_meta.get("char_offset", 0) if len(document.records) == 1 else 0,
            "offsets": unit}
    if len(document.records) > 1 or document.id != document.records[0]["id"]:
        meta["paragraphs"] = paragraph_list(document)
    if not document.relations:
        return {"text": document.text,
                "label": [[at(s.start), at(s.end), s.label] for s in document.spans], "meta": meta}
    numbers = {span.span_id: number for number, span in enumerate(document.spans, start=1)}
    return {
        "text": document.text,
        "entities": [{"id": numbers[s.span_id], "label": s.label, "start_offset": at(s.start),
                      "end_offset": at(s.end)} for s in document.spans],
        "relations": [{"id": number, "from_id": numbers[r.head], "to_id": numbers[r.child], "type": r.label}
                      for number, r in enumerate(document.relations, start=1)],
        "meta": meta,
    }


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """doccano JSONL; `meta.offsets` (written by our export) overrides `--offsets` for its line."""
    for number, where, data in json_lines(path):
        text = data["text"]
        meta = object_field(data, "meta")
        unit = meta["offsets"] if meta.get("offsets") in OFFSET_UNITS else (options.offsets or "utf16")
        index = partial(_code_point, text=text, to_index=codepoint_offsets(text) if unit == "utf16" else None,
                        where=where)
        spans: list[ImportedSpan] = []
        relations: list[tuple[str, str, str]] = []
        entries = list_field(data, "entities" if "entities" in data else "label", where)
        for n, entry in enumerate(entries, start=1):
            if isinstance(entry, dict):
                spans.append(ImportedSpan(index(entry.get("start_offset"), "start"), index(entry.get("end_offset"), "end"),
                                          str(entry.get("label")), key=str(entry.get("id", n))))
            elif isinstance(entry, list) and len(entry) == 3:
                spans.append(ImportedSpan(index(entry[0], "start"), index(entry[1], "end"), str(entry[2]), key=str(n)))
            else:
                raise InputError(f"{where}: label {n} must be [start, end, label].")
        for relation in list_field(data, "relations", where):
            if not isinstance(relation, dict) or "from_id" not in relation or "to_id" not in relation:
                raise InputError(f"{where}: a relation needs 'from_id', 'to_id' and 'type'.")
            relations.append((str(relation.get("type")), str(relation.get("from_id")), str(relation.get("to_id"))))
        yield from imported_document(meta, f"{path.stem}-{number}", text, str(path), spans, relations, where)


def _code_point(offset: Any, what: str, *, text: str, to_index: dict[int, int] | None, where: str) -> int:
    """An offset of the line, checked, as a code point of its text (`to_index`: from UTF-16; None: already)."""
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise InputError(f"{where}: {what} offset {offset!r} is not a whole number.")
    if to_index is None:
        if not 0 <= offset <= len(text):
            raise InputError(f"{where}: offset {offset} is outside the text ({len(text)} characters).")
        return offset
    if offset not in to_index:
        raise InputError(f"{where}: UTF-16 offset {offset} falls inside a character or outside the "
                         "text. If the file holds code-point offsets, import with --offsets codepoints.")
    return to_index[offset]


FORMAT = Format(name="doccano", suffix=".doccano.jsonl", export=export, read=read)
