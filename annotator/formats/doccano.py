"""`doccano`: JSONL for doccano's sequence labeling (and relation) projects.

Every line of a file has one shape, since a doccano project reads only its own: when any
exported paragraph has a relation (or with `--doccano-shape relations`), doccano's
relation-project shape `{"text": ..., "entities": [{"id", "label", "start_offset",
"end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}], "meta": {...}}`; otherwise
(or with `--doccano-shape label`) the sequence-labeling shape `{"text": ..., "label":
[[start, end, "LABEL"], ...], "meta": {...}}`.

Offsets: doccano's annotation screen runs in the browser, where a string is UTF-16, so an emoji
or any character beyond U+FFFF counts 2 there. By default offsets are written in UTF-16 code
units, which is what doccano shows and sends back; `--offsets codepoints` writes our code-point
offsets unchanged (for doccano-compatible tools written in Python). Import converts back the
same way. `meta` carries our record id, article and paragraph so an import finds them again.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import InputError
from annotator.formats import Format
from annotator.formats.documents import Document, paragraph_list
from annotator.formats.export import DoccanoShape, ExportOptions, write_output
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.offsets import OFFSET_UNITS, OffsetUnit, codepoint_offsets, utf16_offsets
from annotator.formats.reading import imported_document, json_lines, list_field, object_field, tool_meta


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    """One shape on every line: doccano reads a file with the project type's shape only.

    Without `--doccano-shape`, the lines are built in the relation shape into a temporary file
    (a store is not held in memory), then written as they are if any document has a relation,
    or in the sequence-labeling shape if none has.
    """
    unit = options.offsets or "utf16"

    def write(handle: TextIO) -> None:
        import jsonlines

        writer = jsonlines.Writer(handle)
        if options.doccano_shape is not None:
            writer.write_all(_shaped(_line(document, unit), options.doccano_shape, options) for document in documents)
            return
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            spooled = jsonlines.Writer(spool)
            with_relations = False
            for document in documents:
                with_relations |= bool(document.relations)
                spooled.write(_line(document, unit))
            spool.seek(0)
            if with_relations:
                shutil.copyfileobj(spool, handle)
            else:
                writer.write_all(_shaped(json.loads(line), "label", options) for line in spool)

    write_output(out, write)


def _line(document: Document, unit: OffsetUnit) -> dict[str, Any]:
    """A document in doccano's relation-project shape (`entities`, `relations`)."""
    convert = utf16_offsets(document.text) if unit == "utf16" else None

    def at(offset: int) -> int:
        return convert[offset] if convert is not None else offset

    first_meta = document.records[0].get("meta") or {}
    meta = {"id": document.id, "article_id": document.article_id,
            "char_offset": first_meta.get("char_offset", 0) if len(document.records) == 1 else 0,
            "offsets": unit}
    if len(document.records) > 1 or document.id != document.records[0]["id"]:
        meta["paragraphs"] = paragraph_list(document)
    numbers = {span.span_id: number for number, span in enumerate(document.spans, start=1)}
    return {
        "text": document.text,
        "entities": [{"id": numbers[s.span_id], "label": s.label, "start_offset": at(s.start),
                      "end_offset": at(s.end)} for s in document.spans],
        "relations": [{"id": number, "from_id": numbers[r.head], "to_id": numbers[r.child], "type": r.label}
                      for number, r in enumerate(document.relations, start=1)],
        "meta": meta,
    }


def _shaped(line: dict[str, Any], shape: DoccanoShape, options: ExportOptions) -> dict[str, Any]:
    """A relation-shape line as `shape` asks: as it is, or sequence labeling's `label: [[start, end, LABEL]]`."""
    if shape == "relations":
        return line
    if line["relations"]:
        options.report.notes.append(f"doccano: {line['meta']['id']}: {len(line['relations'])} relation(s) not written "
                                    "(--doccano-shape label has no relations).")
    return {"text": line["text"], "label": [[e["start_offset"], e["end_offset"], e["label"]] for e in line["entities"]],
            "meta": line["meta"]}


#: the keys of `meta` our own export writes
OUR_META = ("id", "article_id", "char_offset", "offsets", "paragraphs")
#: where doccano's versions and project types put a line's spans, in the order looked for
SPAN_KEYS = ("entities", "label", "labels", "annotations")


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """doccano JSONL of any version: spans under `entities` (relation projects), `label` or `labels`
    (`[start, end, label]` or objects), or 1.x's `annotations`; `relations`; `Comments` as the note.
    `meta.offsets` (written by our export) overrides `--offsets` for its line."""
    for number, where, data in json_lines(path):
        text = data["text"]
        meta = object_field(data, "meta", where)
        unit = meta["offsets"] if meta.get("offsets") in OFFSET_UNITS else (options.offsets or "utf16")
        index = partial(_code_point, text=text, to_index=codepoint_offsets(text) if unit == "utf16" else None,
                        where=where)
        spans: list[ImportedSpan] = []
        relations: list[tuple[str, str, str]] = []
        entries = list_field(data, next((key for key in SPAN_KEYS if key in data), "label"), where)
        categories: list[str] = []
        for n, entry in enumerate(entries, start=1):
            if isinstance(entry, dict):
                start = entry.get("start_offset", entry.get("start"))
                end = entry.get("end_offset", entry.get("end"))
                if start is None and end is None and "label" in entry:  # a category, in 1.x's annotations
                    categories.append(str(entry["label"]))
                    continue
                spans.append(ImportedSpan(index(start, "start"), index(end, "end"), str(entry.get("label")),
                                          key=str(entry.get("id", n))))
            elif isinstance(entry, list) and len(entry) == 3:
                spans.append(ImportedSpan(index(entry[0], "start"), index(entry[1], "end"), str(entry[2]), key=str(n)))
            elif isinstance(entry, (str, int)) and not isinstance(entry, bool):  # a text classification project
                categories.append(str(entry))
            else:
                raise InputError(f"{where}: label {n} must be [start, end, label].")
        for relation in list_field(data, "relations", where):
            if not isinstance(relation, dict) or "from_id" not in relation or "to_id" not in relation:
                raise InputError(f"{where}: a relation needs 'from_id', 'to_id' and 'type'.")
            relations.append((str(relation.get("type")), str(relation.get("from_id")), str(relation.get("to_id"))))
        if "annotations" in data and any(isinstance(e, dict) and isinstance(e.get("label"), int) for e in entries):
            options.notes.append(f"{where}: labels are doccano's label ids (doccano 1.0 export), kept as numbers; "
                                 "rename them to the project's label names in the store or the file.")
        categories += [str(c) for c in list_field(data, "cats", where)]
        if categories:
            options.notes.append(f"{where}: text categor(ies) {', '.join(categories)} not imported: records hold spans, "
                                 "not categories of the whole text.")
        kept: dict[str, Any] = {}
        if data.get("id") is not None:
            kept["source_id"] = data["id"]
        if tool_meta(meta, OUR_META):
            kept["source_meta"] = tool_meta(meta, OUR_META)
        details = {"meta": kept, "note": _comments(data, where)}
        yield from imported_document(meta, f"{path.stem}-{number}", text, str(path), spans, relations, where,
                                     options.notes, details)


def _comments(data: dict[str, Any], where: str) -> str:
    """doccano's comments on a line (strings, or objects with a `text`), one per line, as the paragraph note."""
    comments = list_field(data, "Comments" if "Comments" in data else "comments", where)
    return "\n".join(str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in comments)


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
