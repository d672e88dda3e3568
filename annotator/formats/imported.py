"""Paragraphs read from other tools (`Imported`), and how they become records of a store.

A reader yields `Imported` paragraphs. Each becomes a record on our tokens. Every span keeps
exactly the offsets and label the file gave it: one that is not on our token edges is kept as
it is (its token range covers it) and named in the summary, never widened or moved. Spans of a
paragraph the other tool decided (a Prodigy `answer`) are that decision's and are not
suggestions; the others are suggestions (`suggested: true`, `source: "import:FORMAT"` or
`"model:NAME"`) for an annotator to review.

Nothing is written until the whole file has been read and every record built and checked (the
records wait in a temporary file meanwhile, so a large import is not held in memory); a bad
line therefore changes nothing. A paragraph the store already holds is refused unless `merge`,
which adds the imported spans to it and keeps everything else.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from annotator.core.checked import RecordError
from annotator.core.corpus import Paragraph, refuse_long_paragraph
from annotator.core.display import terminal_safe, unsafe_characters
from annotator.core.errors import InputError
from annotator.core.files import check_readable, same_file
from annotator.core.records import PARAGRAPH_META, annotation_from_record, check_record, to_record
from annotator.core.schema import Schema, migrate_span_label
from annotator.core.spans import EMPTY, Annotation, Answer, Relation, Span, add_relation, add_span, snap_to_tokens
from annotator.core.tokens import Token, tokenize
from annotator.formats.offsets import OffsetUnit

if TYPE_CHECKING:
    from annotator.core.store import Store
    from annotator.formats import Format

#: which of a task's several annotations (Label Studio) become records
AnnotationChoice = Literal["all", "first", "latest"]
ANNOTATION_CHOICES: tuple[AnnotationChoice, ...] = ("all", "first", "latest")
#: what `-` stands for in messages and in `meta.source`
STDIN = "-"
Progress = Callable[[int, int | None], object]
#: where a record keeps the spans another tool's annotator judged one by one and did not accept
JUDGED_KEYS: dict[str, str] = {"reject": "rejected_spans", "ignore": "ignored_spans"}


@dataclass(slots=True)
class ImportedSpan:
    start: int  # code points into the paragraph text
    end: int
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    key: str = ""  # the id the source gave it, for relations
    answer: Answer | None = None  # a binary decision on this span alone (Prodigy's ner.teach)


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
    where: str = ""  # FILE:LINE (or FILE: task N) for messages
    answer: Answer | None = None  # the other tool's decision on the paragraph (Prodigy's `answer`)
    suggested: bool | None = None  # are the spans suggestions? None: yes unless the paragraph has an answer
    annotator: str | None = None  # who made it in the other tool; None: the importing user
    note: str = ""
    flagged: bool = False
    meta: dict[str, Any] = field(default_factory=dict)  # kept in the record's meta: source ids, the tool's metadata

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"

    @property
    def paragraph(self) -> Paragraph:
        return Paragraph(self.article_id, self.index, self.text, self.char_offset, self.source)

    @property
    def spans_suggested(self) -> bool:
        return self.answer is None if self.suggested is None else self.suggested


@dataclass(slots=True)
class ImportOptions:
    """What every reader is given besides the path."""

    schema: Schema | None
    offsets: OffsetUnit | None = None  # None: the format's own default
    tag_column: int = -1  # CoNLL: the column holding the tag, 1-based; negative counts from the end
    annotations: AnnotationChoice = "all"  # Label Studio: which annotations of a task to import
    notes: list[str] = field(default_factory=list)  # what the reader could not take over exactly, with FILE:LINE


@dataclass(frozen=True, slots=True)
class Built:
    """One imported paragraph on our tokens: the record to write, and whether the store had it."""

    record: dict[str, Any]
    spans: int
    merged: bool


@dataclass(slots=True)
class ImportReport:
    """What an import kept but could not take over exactly, said once at the end with ids."""

    off_tokens: list[str] = field(default_factory=list)  # `id [start, end) LABEL`: spans not on our token edges
    forbidden_overlaps: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # spans that cover no word: named, not imported
    orphans: dict[str, str] = field(default_factory=dict)  # label -> what the schema says of it
    notes: list[str] = field(default_factory=list)  # the reader's


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What the import command tells the user once it is done."""

    records: int
    paragraphs: int
    spans: int
    merged: int  # records for paragraphs the store already had, the imported spans added to them
    report: ImportReport

    def lines(self, schema_name: str) -> list[str]:
        """The warnings, one line each, for stderr."""
        report = self.report
        out = list(report.notes)
        if report.off_tokens:
            out.append(f"{len(report.off_tokens)} span(s) do not start and end on a word edge of annotator's tokens; "
                       f"kept exactly as they are: {_sample(report.off_tokens)}")
        if report.forbidden_overlaps:
            out.append(f"{len(report.forbidden_overlaps)} overlap(s) the schema {schema_name} does not allow; kept: "
                       + _sample(report.forbidden_overlaps))
        if report.skipped:
            out.append(f"{len(report.skipped)} span(s) cover only whitespace and were not imported: "
                       + _sample(report.skipped))
        if report.orphans:
            labels = ", ".join(f"{label}{f' ({why})' if why else ''}" for label, why in sorted(report.orphans.items()))
            out.append(f"labels not in the schema {schema_name}: {labels} (imported as they are).")
        return out


def _sample(items: list[str], limit: int = 10) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def import_file(path: Path, format: Format, store_path: Path, *, schema: Schema, annotator: str,
                model: str | None = None, options: ImportOptions | None = None, merge: bool = False,
                progress: Progress | None = None) -> ImportSummary:
    """Read `path` (`-`: standard input) in `format` and append its paragraphs to the store at `store_path`.

    `progress(done, total)` is called as paragraphs are read (total None) and as records are
    written (total known).
    """
    options = options or ImportOptions(schema=schema)
    if str(path) != STDIN and same_file(path, store_path):
        raise InputError(f"{store_path}: is the file being imported; an import appends to its --out. "
                         "Choose another store.")
    created = not store_path.exists()
    try:
        return _import(path, format, store_path, schema, annotator, model, options, merge, progress)
    except BaseException:
        if created and store_path.is_file() and store_path.stat().st_size == 0:
            store_path.unlink()  # a failed import into a new store leaves no empty store behind
        raise


def _import(path: Path, format: Format, store_path: Path, schema: Schema, annotator: str, model: str | None,
            options: ImportOptions, merge: bool, progress: Progress | None) -> ImportSummary:
    from annotator.core.store import Store

    read = format.read
    if read is None:
        raise InputError(f"{format.name}: annotator cannot import this format.")
    with _Readable(path, format) as (readable, rename):
        source = f"model:{model}" if model else f"import:{format.name}"
        report = ImportReport(notes=options.notes)
        with Store(store_path) as store, tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            built_count, spans, merged = 0, 0, 0
            paragraph_ids: set[str] = set()
            seen: dict[tuple[str, str, str], str] = {}
            try:
                for paragraph in read(readable, options):
                    if rename is not None:
                        rename(paragraph)
                    who = paragraph.annotator or annotator
                    _check_unique(paragraph, who, seen)
                    built = build(store, paragraph, source, schema, who, merge, report)
                    spool.write(json.dumps(built.record, ensure_ascii=False) + "\n")
                    built_count += 1
                    paragraph_ids.add(paragraph.id)
                    spans += built.spans
                    merged += built.merged
                    if progress is not None:
                        progress(built_count, None)
            except UnicodeDecodeError:
                raise InputError(f"{_shown(path)}: is not UTF-8 text. Save it as UTF-8 and import again.") from None
            except InputError as error:
                if rename is None:
                    raise
                raise InputError(rename.text(str(error))) from None
            if rename is not None:
                options.notes[:] = [rename.text(note) for note in options.notes]
            spool.seek(0)
            store.append_many((json.loads(line) for line in spool),
                              progress=None if progress is None else lambda done: progress(done, built_count))
    return ImportSummary(built_count, len(paragraph_ids), spans, merged, report)


def _shown(path: Path) -> str:
    return STDIN if str(path) == STDIN else str(path)


class _Renamer:
    """Puts `-` back where a reader saw the temporary copy of standard input."""

    def __init__(self, copy: Path) -> None:
        self.copy = str(copy)

    def text(self, value: str) -> str:
        return value.replace(self.copy, STDIN)

    def __call__(self, paragraph: Imported) -> None:
        paragraph.where = self.text(paragraph.where)
        paragraph.source = self.text(paragraph.source)


class _Readable:
    """The path to read: the file itself, or a temporary copy of standard input for `-`."""

    def __init__(self, path: Path, format: Format) -> None:
        self.path = path
        self.format = format
        self.folder: str | None = None

    def __enter__(self) -> tuple[Path, _Renamer | None]:
        if str(self.path) != STDIN:
            if self.format.name != "brat":  # brat's reader says what a folder of its own must hold
                check_readable(self.path)
            elif not self.path.exists():
                raise InputError(f"{self.path}: no such file or folder.")
            return self.path, None
        if self.format.name == "brat":
            raise InputError("brat: import reads a folder of .txt and .ann files, not standard input (-).")
        self.folder = tempfile.mkdtemp(prefix="annotator-stdin-")
        copy = Path(self.folder) / "stdin"
        stream: IO[bytes] = sys.stdin.buffer
        with open(copy, "wb") as handle:
            shutil.copyfileobj(stream, handle)
        return copy, _Renamer(copy)

    def __exit__(self, *_: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _check_unique(paragraph: Imported, who: str, seen: dict[tuple[str, str, str], str]) -> None:
    """Each paragraph may be imported once per annotator; a second one names both places."""
    key = (paragraph.id, who, str(paragraph.meta.get("annotation_id", "")))  # an annotator may annotate a task twice
    if key in seen:
        raise InputError(f"{paragraph.where}: paragraph {paragraph.id} appears twice "
                         f"(first at {seen[key]}). Each paragraph may be imported once.")
    seen[key] = paragraph.where


def build(store: Store, paragraph: Imported, source: str, schema: Schema, annotator: str, merge: bool,
          report: ImportReport) -> Built:
    """The checked record for one imported paragraph: alone, or (merging) added to the stored one."""
    refuse_long_paragraph(paragraph.paragraph, paragraph.where)
    _check_names(paragraph, annotator)
    tokens = tokenize(paragraph.text)
    annotation, judged = annotate(paragraph, tokens, source, schema, report)
    current = store.contents.get(paragraph.id)
    if current is not None and not merge:
        raise InputError(f"{store.path}: already has paragraph {paragraph.id} (from {paragraph.where}). Pass --merge "
                         "to add the imported spans to the paragraphs it has, or import into another store.")
    extra_meta = dict(paragraph.meta)
    record_paragraph = paragraph.paragraph
    if current is not None:
        if current["text"] != paragraph.text:
            raise InputError(f"{paragraph.where}: paragraph {paragraph.id} has another text in {store.path}; "
                             "--merge only adds spans to the same text.")
        annotation = _merged(annotation_from_record(current), annotation)
        meta = current.get("meta") or {}
        record_paragraph = Paragraph(meta.get("article_id", paragraph.article_id), meta.get("paragraph", paragraph.index),
                                     paragraph.text, meta.get("char_offset", paragraph.char_offset),
                                     meta.get("source", paragraph.source))
        extra_meta = {**{k: v for k, v in meta.items() if k not in PARAGRAPH_META}, **extra_meta}
    record = to_record(record_paragraph, tokens, annotation, schema_ref=schema.ref, annotator=annotator)
    record["meta"].update(extra_meta)
    for key, spans in judged.items():
        record["meta"][key] = [*record["meta"].get(key, ()), *spans]
    try:
        check_record(record)
    except RecordError as error:  # a reader let through what no record can hold: say where it came from
        raise InputError(f"{paragraph.where}: {error}.") from None
    return Built(record, len(annotation.spans), current is not None)


def _check_names(paragraph: Imported, annotator: str) -> None:
    """Refuse ids, names and labels holding control characters: they are printed, and an escape
    sequence in a label would be obeyed by a terminal (retitle it, write the clipboard)."""
    named = [("the paragraph id", paragraph.id), ("the annotator", annotator)]
    named += [(f"span [{span.start}, {span.end}) label", span.label) for span in paragraph.spans]
    named += [(f"span [{span.start}, {span.end}) attribute name", str(name))
              for span in paragraph.spans for name in span.attributes]
    named += [("relation label", label) for label, _, _ in paragraph.relations]
    for what, name in named:
        unsafe = unsafe_characters(name)
        if unsafe:
            raise InputError(f"{paragraph.where}: {what} {terminal_safe(name)!r} holds control characters "
                             f"({', '.join(unsafe)}). Remove them.")


def annotate(paragraph: Imported, tokens: tuple[Token, ...], source: str, schema: Schema,
             report: ImportReport) -> tuple[Annotation, dict[str, list[dict[str, Any]]]]:
    """The paragraph's spans at exactly their offsets, its relations, answer, note and flag; and the
    spans another tool's annotator judged one by one and rejected or ignored, for `meta.rejected_spans`
    and `meta.ignored_spans` (never spans, so never suggestions nor training data)."""
    suggested = paragraph.spans_suggested
    annotation = EMPTY
    ids: dict[str, str] = {}
    judged: dict[str, list[dict[str, Any]]] = {}
    text = paragraph.text
    for span in paragraph.spans:
        where = f"{paragraph.id} [{span.start}, {span.end}) {span.label}"
        if not 0 <= span.start < span.end <= len(text):
            raise InputError(f"{paragraph.where}: span [{span.start}, {span.end}) {span.label} is outside the "
                             f"paragraph text ({len(text)} characters).")
        if span.answer in JUDGED_KEYS:
            entry: dict[str, Any] = {"start": span.start, "end": span.end, "label": span.label,
                                     "text": text[span.start:span.end]}
            if span.score is not None:
                entry["score"] = span.score
            judged.setdefault(JUDGED_KEYS[span.answer], []).append(entry)
            continue
        made = covering_span(tokens, span.start, span.end, span.label, source=source,
                             suggested=suggested and span.answer is None,
                             score=span.score, attributes=tuple(sorted(span.attributes.items())))
        if made is None:
            report.skipped.append(f"{where} {text[span.start:span.end]!r} ({paragraph.where})")
            continue
        label = schema.label(span.label)
        if label is None:
            renamed = migrate_span_label(schema, span.label)
            report.orphans[span.label] = f"renamed to {renamed}; exports use {renamed}" if renamed else ""
        if (label is None or label.snap == "token") and not on_token_edges(tokens, made):
            report.off_tokens.append(where)
        annotation, ids[span.key] = _with_span(annotation, made)
    for label_name, head, child in paragraph.relations:
        if head not in ids or child not in ids:
            missing = head if head not in ids else child
            report.notes.append(f"{paragraph.where}: relation {label_name} names span {missing!r}, which was not "
                                "imported; the relation is not imported.")
            continue
        annotation = add_relation(annotation, Relation(label_name, ids[head], ids[child]))
    report.forbidden_overlaps.extend(forbidden_overlaps(paragraph.id, annotation.spans, schema))
    return replace(annotation, answer=paragraph.answer, note=paragraph.note, flagged=paragraph.flagged), judged


def covering_span(tokens: tuple[Token, ...], start: int, end: int, label: str, **extra: Any) -> Span | None:
    """A span at exactly `[start, end)`, its token range the words it touches widened until it covers it.

    None when it covers no word (only whitespace), or ends in a space after the last token,
    which no token range can cover.
    """
    snapped = snap_to_tokens(tokens, start, end)
    if snapped is None:
        return None
    first, last = snapped
    while first > 0 and tokens[first].start > start:
        first -= 1
    while last < len(tokens) - 1 and tokens[last].end < end:
        last += 1
    if tokens[first].start > start or tokens[last].end < end:
        return None
    return Span(start, end, label, first, last, **extra)


def on_token_edges(tokens: tuple[Token, ...], span: Span) -> bool:
    """Whether the span starts where its first word starts and ends where its last word ends."""
    return tokens[span.token_start].start == span.start and tokens[span.token_end].end == span.end


def forbidden_overlaps(record_id: str, spans: tuple[Span, ...], schema: Schema) -> list[str]:
    """`id: A [s, e) overlaps B [s, e)` for each overlapping pair the schema's `overlaps` rules forbid."""
    out: list[str] = []
    ordered = sorted(spans, key=lambda s: s.start)
    for index, span in enumerate(ordered):
        for other in ordered[index + 1:]:
            if other.start >= span.end:
                break
            first, second = schema.label(span.label), schema.label(other.label)
            if (first is not None and not first.may_overlap(other.label)) or \
                    (second is not None and not second.may_overlap(span.label)):
                out.append(f"{record_id}: {span.label} [{span.start}, {span.end}) overlaps "
                           f"{other.label} [{other.start}, {other.end})")
    return out


def _merged(current: Annotation, imported: Annotation) -> Annotation:
    """The stored annotation plus the imported spans and relations; its answer, note and flag stay."""
    merged = current
    renamed: dict[str, str] = {}
    for span in imported.spans:
        merged, renamed[span.id] = _with_span(merged, replace(span, id=""))
    for relation in imported.relations:
        merged = add_relation(merged, replace(relation, head=renamed[relation.head], child=renamed[relation.child]))
    return merged


def _with_span(annotation: Annotation, span: Span) -> tuple[Annotation, str]:
    """`annotation` with `span` added, and the span's id there (an equal span already there keeps its own)."""
    added = add_span(annotation, span)
    return added, next(s.id for s in added.spans if (s.start, s.end, s.label) == (span.start, span.end, span.label))


def answer_of(value: Any) -> Answer | None:
    """A decision the other tool recorded (`accept`, `reject`, `ignore`), else None."""
    return value if value in ("accept", "reject", "ignore") else None
