"""What the readers of other tools' files share: checked JSON lines and fields, articles cut into paragraphs.

Whatever a file holds, a reader either yields `Imported` paragraphs or raises an InputError
naming the file and line (or task): never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.core.checked import checked_json
from annotator.core.corpus import split_paragraphs
from annotator.core.errors import InputError
from annotator.formats.documents import split_id
from annotator.formats.imported import Imported, ImportedSpan


def json_lines(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Each non-blank line of a JSONL file to import: (line number, `FILE:LINE`, the object, which has a string `text`).

    A byte order mark at the start of a line (Windows editors write one) is skipped.
    """
    import jsonlines
    with open(path, encoding="utf-8", newline="") as handle:
        lines = _CountedLines(handle)
        try:
            # checked json.loads, not the orjson or ujson jsonlines prefers when installed: the same messages everywhere
            for data in jsonlines.Reader(lines, loads=checked_json).iter(type=dict, skip_empty=True):
                where = f"{path}:{lines.number}"
                if not isinstance(data.get("text"), str):
                    raise InputError(f"{where}: each line must be an object with a string 'text'.")
                yield lines.number, where, data
        except jsonlines.InvalidLineError as error:
            where = f"{path}:{error.lineno}"
            cause = error.__cause__
            if cause is None:  # valid JSON, but null or not an object
                raise InputError(f"{where}: each line must be an object with a string 'text'.") from None
            why = cause.msg if isinstance(cause, json.JSONDecodeError) else str(cause)
            raise InputError(f"{where}: not valid JSON ({why}). Fix the line or remove it.") from None


class _CountedLines:
    """A file's lines, counted: jsonlines gives the number of a line it refuses, not of one it reads."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = lines
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.number += 1
            yield line


def list_field(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """`data[key]` as a list (missing or null: empty), or an InputError naming the field."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: '{key}' must be a list, not {type(value).__name__}.")
    return value


def object_field(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    """`data[key]` as an object (an optional `meta`, `data`...; missing or null: empty), or an InputError."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: '{key}' must be an object, not {type(value).__name__}.")
    return value


def attribute_values(value: Any, where: str) -> dict[str, Any]:
    """Span attributes from a file: names to strings, whole numbers or booleans."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(v, (str, int, bool)) and not isinstance(v, float) for v in value.values()):
        raise InputError(f"{where}: 'attributes' must map names to text, whole numbers or true/false.")
    return {str(k): v for k, v in value.items()}


def whole_number(value: Any, where: str, what: str) -> int:
    """A non-negative integer from an imported file, or an InputError naming the field."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: {what} must be a whole number, not {value!r}.")
    return value


def imported_document(meta: Mapping[str, Any], fallback_id: str, text: str, source: str,
                      spans: list[ImportedSpan], relations: list[tuple[str, str, str]], where: str,
                      notes: list[str], details: Mapping[str, Any] | None = None) -> list[Imported]:
    """A paragraph when `meta.id` names one (`article#3`, as our exports write), else an article to split.

    `details` are further `Imported` fields (answer, annotator, note, meta...) for every paragraph.
    """
    details = details or {}
    record_id = meta.get("id")
    if isinstance(record_id, str) and split_id(record_id)[0] != record_id:
        article_id, index = split_id(record_id)
        return [Imported(str(meta.get("article_id") or article_id), index, text,
                         whole_number(meta.get("char_offset"), where, "char_offset"),
                         source, spans, relations, where, **details)]
    article_id = record_id if isinstance(record_id, str) and record_id else fallback_id
    return split_article(article_id, text, source, spans, relations, where, notes,
                         paragraph_indices(meta.get("paragraphs")), details)


def paragraph_indices(listed: Any) -> dict[int, int]:
    """`char_offset -> paragraph index` from a `documents.paragraph_list` read back; {} when absent or malformed."""
    if not isinstance(listed, list):
        return {}
    out: dict[int, int] = {}
    for entry in listed:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            return {}
        offset = entry.get("char_offset")
        article, index = split_id(entry["id"])
        if isinstance(offset, bool) or not isinstance(offset, int) or article == entry["id"]:
            return {}
        out[offset] = index
    return out


def split_article(article_id: str, text: str, source: str, spans: Sequence[ImportedSpan],
                  relations: Sequence[tuple[str, str, str]], where: str, notes: list[str],
                  known_indices: Mapping[int, int] | None = None,
                  details: Mapping[str, Any] | None = None) -> list[Imported]:
    """Cut an article into our paragraphs (as `annotate` would) and move its spans into them.

    `known_indices` (char_offset -> index, from an article-level export) gives the paragraphs
    their original indices; it is used only when it names exactly the paragraphs found, so a
    text edited in the other tool falls back to numbering from 0. A record holds one paragraph,
    so a span across a blank line, or a relation between paragraphs, cannot come in: each is
    named in `notes`. The article's note goes on its first paragraph.
    """
    details = dict(details or {})
    note = details.pop("note", "")
    paragraphs = split_paragraphs(article_id, text, source)
    if not known_indices or sorted(known_indices) != [p.char_offset for p in paragraphs]:
        known_indices = {p.char_offset: p.index for p in paragraphs}
    out: list[Imported] = []
    owner: dict[str, Imported] = {}
    for paragraph in paragraphs:
        out.append(Imported(article_id, known_indices[paragraph.char_offset], paragraph.text, paragraph.char_offset,
                            source, where=where, note=note if not out else "", **details))
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            raise InputError(f"{where}: span [{span.start}, {span.end}) {span.label} is outside the text "
                             f"({len(text)} characters), or empty.")
        home = next((p for p in out if p.char_offset <= span.start and span.end <= p.char_offset + len(p.text)), None)
        if home is None:
            notes.append(f"{where}: span [{span.start}, {span.end}) {span.label} {text[span.start:span.end]!r} crosses "
                         "a paragraph break (a blank line); a record holds one paragraph, so it is not imported.")
            continue
        home.spans.append(replace(span, start=span.start - home.char_offset, end=span.end - home.char_offset))
        owner[span.key] = home
    for label, head, child in relations:
        if head in owner and owner[head] is owner.get(child):
            owner[head].relations.append((label, head, child))
        elif head in owner and child in owner:
            notes.append(f"{where}: relation {label} {head} -> {child} links spans in different paragraphs; "
                         "relations stay within a paragraph here, so it is not imported.")
        else:
            missing = head if head not in owner else child
            notes.append(f"{where}: relation {label} names span {missing!r}, which is not imported; "
                         "the relation is not imported.")
    return out


def tool_meta(data: Mapping[str, Any], ours: Sequence[str] = ()) -> dict[str, Any]:
    """The other tool's own metadata of a line or task, less the keys our exports put there."""
    return {key: value for key, value in data.items() if key not in ours}
