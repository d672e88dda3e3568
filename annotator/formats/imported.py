"""Paragraphs read from other tools (`Imported`), and how they become records of a store.

A reader yields `Imported` paragraphs. Each becomes a record on our tokens whose spans are
suggestions (`suggested: true`, `source: "import:FORMAT"` or `"model:NAME"`) for an annotator
to review. The whole file is read and checked before the store is opened for writing, so a bad
line changes nothing; a paragraph the store already holds is refused unless `merge`, which adds
the imported spans to it and keeps everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.corpus import Paragraph
from annotator.core.errors import InputError
from annotator.core.records import annotation_from_record, to_record
from annotator.core.schema import Schema
from annotator.core.spans import EMPTY, Annotation, Relation, Span, add_relation, add_span, span_over_chars
from annotator.core.store import Store
from annotator.core.tokens import Token, tokenize
from annotator.formats.offsets import OffsetUnit

if TYPE_CHECKING:
    from annotator.formats import Format


@dataclass(slots=True)
class ImportedSpan:
    start: int  # code points into the paragraph text
    end: int
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    key: str = ""  # the id the source gave it, for relations


@dataclass(slots=True)
class Imported:
    """One paragraph read from another tool, before it becomes a canonical record."""

    article_id: str
    index: int
    text: str
    char_offset: int
    source: str
    spans: list[ImportedSpan] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (label, head key, child key)
    where: str = ""  # FILE:LINE for messages

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"

    @property
    def paragraph(self) -> Paragraph:
        return Paragraph(self.article_id, self.index, self.text, self.char_offset, self.source)


@dataclass(slots=True)
class ImportOptions:
    """What every reader is given besides the path."""

    schema: Schema | None
    offsets: OffsetUnit | None = None  # None: the format's own default
    notes: list[str] = field(default_factory=list)  # what the reader could not take over exactly


@dataclass(frozen=True, slots=True)
class Suggestions:
    """One imported paragraph on our tokens, its spans suggested."""

    paragraph: Imported
    tokens: tuple[Token, ...]
    annotation: Annotation


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What the import command tells the user once it is done."""

    paragraphs: int
    spans: int
    merged: int  # paragraphs the store already had, the imported spans added to them
    widened: list[str]  # `record id [start, end)` of spans widened to whole words
    orphans: list[str]  # labels the schema does not have
    notes: list[str]  # the reader's


def import_file(path: Path, format: Format, store_path: Path, *, schema: Schema, annotator: str,
                model: str | None = None, offsets: OffsetUnit | None = None, merge: bool = False) -> ImportSummary:
    """Read `path` in `format` and append its paragraphs, as suggestions, to the store at `store_path`."""
    if format.read is None:
        raise InputError(f"{format.name}: annotator cannot import this format.")
    if not path.exists():
        raise InputError(f"{path}: no such file or folder.")
    source = f"model:{model}" if model else f"import:{format.name}"
    options = ImportOptions(schema=schema, offsets=offsets)
    try:
        paragraphs = list(format.read(path, options))
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text. Save it as UTF-8 and import again.") from None
    widened: list[str] = []
    built = [suggest(paragraph, source, schema, widened) for paragraph in paragraphs]
    check_unique(paragraphs)
    known = {label.name for label in schema.labels}
    orphans = sorted({span.label for suggestions in built for span in suggestions.annotation.spans} - known)
    with Store(store_path) as store:
        existing = [p.id for p in paragraphs if p.id in store.contents.latest_line]
        if existing and not merge:
            raise InputError(f"{store_path}: already has {len(existing)} of these paragraphs ({', '.join(existing[:5])}"
                             f"{', ...' if len(existing) > 5 else ''}). Pass --merge to add the imported spans to "
                             "them, or import into another store.")
        records = [record_for(store, suggestions, schema.ref, annotator) for suggestions in built]
        for record in records:
            store.append(record)
    return ImportSummary(len(records), sum(len(s.annotation.spans) for s in built), len(existing), widened, orphans,
                         options.notes)


def check_unique(paragraphs: list[Imported]) -> None:
    """Each paragraph may be imported once; a second one names both places."""
    seen: dict[str, str] = {}
    for paragraph in paragraphs:
        if paragraph.id in seen:
            raise InputError(f"{paragraph.where}: paragraph {paragraph.id} appears twice "
                             f"(first at {seen[paragraph.id]}). Each paragraph may be imported once.")
        seen[paragraph.id] = paragraph.where


def suggest(paragraph: Imported, source: str, schema: Schema, widened: list[str]) -> Suggestions:
    """Our tokens and an annotation of suggested spans for one paragraph.

    A span of a `snap: token` label (and of a label the schema lacks) is widened to the whole
    words it touches, as the annotate screen would have made it: a span that cuts a word cannot
    be aligned by spaCy or tagged in CoNLL. `snap: char` labels keep their exact characters.
    Spans widened are appended to `widened` as `record id [start, end)` for the user.
    """
    tokens = tokenize(paragraph.text)
    annotation = EMPTY
    ids: dict[str, str] = {}
    for span in paragraph.spans:
        if not 0 <= span.start < span.end <= len(paragraph.text):
            raise InputError(f"{paragraph.where}: span [{span.start}, {span.end}) {span.label} is outside the "
                             f"paragraph text ({len(paragraph.text)} characters).")
        try:
            made = span_over_chars(tokens, span.start, span.end, span.label, paragraph.text, source=source,
                                   suggested=True, score=span.score, attributes=tuple(sorted(span.attributes.items())))
        except ValueError:
            raise InputError(f"{paragraph.where}: span [{span.start}, {span.end}) {span.label} covers no word "
                             f"({paragraph.text[span.start:span.end]!r}).") from None
        label = schema.label(span.label)
        if label is None or label.snap == "token":
            start, end = tokens[made.token_start].start, tokens[made.token_end].end
            if (start, end) != (made.start, made.end):
                widened.append(f"{paragraph.id} [{span.start}, {span.end})")
                made = replace(made, start=start, end=end)
        annotation, ids[span.key] = _with_span(annotation, made)
    for label_name, head, child in paragraph.relations:
        if head not in ids or child not in ids:
            raise InputError(f"{paragraph.where}: relation {label_name} names a span that is not in the paragraph.")
        annotation = add_relation(annotation, Relation(label_name, ids[head], ids[child]))
    return Suggestions(paragraph, tokens, annotation)


def record_for(store: Store, suggestions: Suggestions, schema_ref: dict[str, str], annotator: str) -> dict[str, Any]:
    """The record to append: the suggestions, or (merging) the stored paragraph plus the suggestions."""
    imported = suggestions.paragraph
    current = store.contents.get(imported.id)
    if current is None:
        return to_record(imported.paragraph, suggestions.tokens, suggestions.annotation,
                         schema_ref=schema_ref, annotator=annotator)
    if current["text"] != imported.text:
        raise InputError(f"{imported.where}: paragraph {imported.id} has another text in {store.path}; "
                         "--merge only adds spans to the same text.")
    merged = annotation_from_record(current)
    renamed: dict[str, str] = {}
    for span in suggestions.annotation.spans:
        merged, renamed[span.id] = _with_span(merged, replace(span, id=""))
    for relation in suggestions.annotation.relations:
        merged = add_relation(merged, replace(relation, head=renamed[relation.head], child=renamed[relation.child]))
    meta = current.get("meta") or {}
    paragraph = Paragraph(meta.get("article_id", imported.article_id), meta.get("paragraph", imported.index),
                          imported.text, meta.get("char_offset", imported.char_offset),
                          meta.get("source", imported.source))
    return to_record(paragraph, suggestions.tokens, merged, schema_ref=schema_ref, annotator=annotator)


def _with_span(annotation: Annotation, span: Span) -> tuple[Annotation, str]:
    """`annotation` with `span` added, and the span's id there (an equal span already there keeps its own)."""
    added = add_span(annotation, span)
    return added, next(s.id for s in added.spans if (s.start, s.end, s.label) == (span.start, span.end, span.label))
