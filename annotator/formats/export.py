"""An export from start to end: which records, in which order, checked how, written where.

By default only accepted paragraphs are exported (rejected and ignored ones are the annotator
saying "not a training example", unfinished ones are not done); `include` adds the others.
The store is only read, through `annotator.core.store`; the output is written whole or not at
all (`annotator.core.files`), and the same store always gives the same bytes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal

from annotator.core.errors import InputError
from annotator.core.files import Content, same_file, write_atomically
from annotator.core.schema import Schema, migrate_record_labels
from annotator.core.store import read_store, without_cycle_collection
from annotator.formats import Format
from annotator.formats.documents import Document, Level, iter_documents, plan_order
from annotator.formats.offsets import OffsetUnit
from annotator.formats.tags import Scheme

#: `--include` words and the record states they let through, besides accepted records.
INCLUDE_CHOICES: dict[str, str] = {"unfinished": "in_progress", "rejected": "reject", "ignored": "ignore"}
#: doccano's two line shapes: sequence labeling (`label`) and relation projects (`entities`, `relations`)
DoccanoShape = Literal["label", "relations"]
DOCCANO_SHAPES: tuple[DoccanoShape, ...] = ("label", "relations")
#: `--out -`: standard output, for the formats that write one file
STDOUT = Path("-")


@dataclass(slots=True)
class ExportReport:
    """What an export could not carry over exactly, said once at the end, with ids."""

    orphans: list[str] = field(default_factory=list)  # span refs whose label is not in the schema
    renamed: dict[tuple[str, str], int] = field(default_factory=dict)  # (old, new) label -> spans exported as new
    unaligned: list[str] = field(default_factory=list)
    dropped_overlaps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    other_schemas: list[str] = field(default_factory=list)
    documents: int = 0
    spans: int = 0

    def lines(self, format_name: str) -> list[str]:
        out: list[str] = []
        if self.renamed:
            out.append(f"{sum(self.renamed.values())} span(s) saved under an old label name are exported under its "
                       "current name (the schema's renamed_from): "
                       + ", ".join(f"{old} -> {new} ({count})" for (old, new), count in sorted(self.renamed.items())))
        if self.orphans:
            out.append(f"{len(self.orphans)} span(s) have a label that is not in the schema; exported as they are: "
                       + _sample(self.orphans))
        if self.unaligned:
            out.append(f"{format_name}: {len(self.unaligned)} span(s) could not be aligned to tokens and are "
                       "missing from the output: " + _sample(self.unaligned))
        if self.dropped_overlaps:
            out.append(f"{format_name}: {len(self.dropped_overlaps)} overlapping span(s) cannot be represented "
                       "in one tag per token (kept the longest, then the earliest): " + _sample(self.dropped_overlaps))
        out.extend(self.notes)
        return out


def _sample(items: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass(slots=True)
class ExportOptions:
    """What every exporter is given besides its documents."""

    schema: Schema | None
    report: ExportReport
    level: Level = "paragraph"
    scheme: Scheme = "iob2"
    offsets: OffsetUnit | None = None  # None: the format's own default
    doccano_shape: DoccanoShape | None = None  # None: relations when any document has one


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What the export command tells the user once it is done."""

    out: Path
    level: Level
    read: int  # paragraphs read from the store
    exported: int  # of those, the ones written
    warnings: list[str]  # the store's (a line cut off by a crash...)
    report: ExportReport


def parse_include(value: str) -> frozenset[str]:
    """`unfinished,rejected` -> the record states they stand for; InputError for another word."""
    words = [word.strip() for word in value.split(",") if word.strip()]
    unknown = [word for word in words if word not in INCLUDE_CHOICES]
    if unknown:
        raise InputError(f"--include: {', '.join(unknown)} is not one of {', '.join(INCLUDE_CHOICES)}. "
                         "Separate several with commas, e.g. --include unfinished,rejected.")
    return frozenset(INCLUDE_CHOICES[word] for word in words)


def wanted(record: Mapping[str, Any], include: frozenset[str]) -> bool:
    """Whether a record goes into an export: accepted always; the rest as `include` says."""
    answer = record.get("answer")
    if answer is None:
        return "in_progress" in include
    return answer == "accept" or answer in include


def default_out(store: Path, format: Format) -> Path:
    return store.with_name(store.stem + format.suffix)


def write_output(out: Path, content: Content) -> None:
    """Write a one-file export: to standard output for `-`, else whole or not at all (`core.files`)."""
    if out != STDOUT:
        write_atomically(out, content)
    elif callable(content):
        content(sys.stdout)
        sys.stdout.flush()
    elif isinstance(content, str):
        sys.stdout.write(content)
        sys.stdout.flush()
    else:
        for chunk in [content] if isinstance(content, bytes) else content:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()


def check_out(out: Path, store: Path, format: Format) -> None:
    """Refuse an output that is the store, of the wrong kind, or a folder of the user's own files."""
    if out == STDOUT:
        if format.writes_folder or format.companion:
            raise InputError(f"--out -: {format.name} writes {'a folder' if format.writes_folder else 'two files'}, "
                             "not one stream; give a name with --out.")
        return
    if out.resolve() == store.resolve():
        raise InputError(f"{out}: that is the store itself. Choose another --out.")
    if not format.writes_folder and out.is_dir():
        raise InputError(f"{out}: is a folder; {format.name} writes one file. Give a file name with --out.")
    if format.writes_folder and out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; {format.name} writes a folder. Give a folder name with --out.")
    if format.writes_folder and out.is_dir():
        check_replaceable(out, format)


def check_replaceable(folder: Path, format: Format) -> None:
    """Refuse to replace a folder holding anything this format does not write.

    A folder export replaces its folder whole (so no stale file of an earlier export survives);
    `--out .` or `--out ~/data` must not delete a user's own files.
    """
    foreign = sorted(entry.name for entry in folder.iterdir()
                     if not entry.is_file() or not any(fnmatch(entry.name, p) for p in format.folder_holds))
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise InputError(f"{folder}: holds files that are not a {format.name} export ({shown}), and an export "
                         "replaces its whole folder. Give a new or empty folder with --out.")


#: suffixes of the files a user writes by hand: a source text or a schema, never an export to replace
_HAND_WRITTEN = (".txt", ".yaml", ".yml")
#: a corpus or queue line holds only these: paragraphs to annotate, not an export
_CORPUS_KEYS = frozenset({"id", "text", "meta"})


def check_not_work(out: Path, store: Path, schema: Schema | None, sources: Iterable[str], format: Format) -> None:
    """Refuse an `--out` that holds work: the store, the schema, a source, another store or corpus.

    An export replaces its file whole, so only a file that is not one of these may go: an
    earlier export (of any format), or a new name. `sources` are the `meta.source` of the
    store's records (relative to the current folder or to the store's). `/dev/stdout` redirected
    to a file is that file: appending an export to a store or a corpus is refused too.
    """
    if out == STDOUT or not out.is_file():
        return
    if same_file(out, store):
        raise InputError(f"{out}: that is the store itself. Choose another --out.")
    if schema is not None and schema.path and same_file(out, Path(schema.path)):
        raise InputError(f"{out}: is the schema; an export would replace it. Choose another --out.")
    for source in sources:
        if same_file(out, Path(source)) or same_file(out, store.parent / source):
            raise InputError(f"{out}: is a source of {store}; an export would replace it. Choose another --out.")
    if out.suffix.lower() in _HAND_WRITTEN and not out.name.endswith(format.suffix):
        raise InputError(f"{out}: exists and looks like a source text or a schema ({out.suffix}); an export never "
                         "replaces one. Remove it first if it really is an old export, or choose another --out.")
    first = _first_line(out)
    if isinstance(first, dict) and isinstance(first.get("text"), str):
        if "_seq" in first:
            raise InputError(f"{out}: holds annotation records (a store); an export never replaces one. "
                             "Choose another --out.")
        if set(first) <= _CORPUS_KEYS:
            raise InputError(f"{out}: holds paragraphs to annotate (a corpus or a queue); an export never "
                             "replaces one. Choose another --out.")


def _first_line(path: Path, limit: int = 1 << 20) -> Any:
    """The first line of `path` as JSON, or None when it is not (a CoNLL file, a JSON array, binary)."""
    try:
        with open(path, "rb") as handle:
            line = handle.readline(limit)
        return json.loads(line)
    except (OSError, ValueError, RecursionError):
        return None


def check_orphans(document: Document, schema: Schema | None, report: ExportReport) -> None:
    """Count the document and name its spans whose label the schema does not have."""
    report.documents += 1
    report.spans += len(document.spans)
    if schema is None:
        return
    for record in document.records:
        used = (record.get("_schema") or {}).get("name")
        if used and used != schema.name and used not in report.other_schemas:
            report.other_schemas.append(used)
            report.notes.append(f"records were annotated with schema {used!r} but are checked against "
                                f"{schema.name!r}; pass that schema with --schema.")
    known = {label.name for label in schema.labels}
    report.orphans.extend(span.ref for span in document.spans if span.label not in known)


def export_store(store: Path, format: Format, *, schema: Schema | None, out: Path | None = None,
                 level: Level | None = None, include: frozenset[str] = frozenset(), scheme: Scheme = "iob2",
                 offsets: OffsetUnit | None = None, doccano_shape: DoccanoShape | None = None,
                 progress: Callable[[int, int], object] | None = None) -> ExportSummary:
    """Export the latest state of a store's wanted records; `progress(done, total)` as records are read.

    `out` `-` is standard output (one-file formats only). Span labels saved under a name the
    schema has since renamed are exported under the current name.
    """
    out = out or default_out(store, format)
    check_out(out, store, format)
    contents = read_store(store)
    if out.is_file():
        check_not_work(out, store, schema, {str((record.get("meta") or {}).get("source") or "")
                                            for record in contents.iter_latest()} - {""}, format)
    level = level or format.level
    report = ExportReport()
    options = ExportOptions(schema=schema, report=report, level=level, scheme=scheme, offsets=offsets,
                            doccano_shape=doccano_shape)
    format.check_installed()
    order = [record_id for article in plan_order(contents.ids()) for record_id in article]
    counts = {"read": 0, "exported": 0}

    def records() -> Iterator[dict[str, Any]]:
        for done, record in enumerate(contents.iter_latest_of(order), start=1):
            counts["read"] += 1
            if wanted(record, include):
                counts["exported"] += 1
                yield migrate_record_labels(schema, record, report.renamed)
            if progress is not None:
                progress(done, len(order))

    def documents() -> Iterator[Document]:
        for document in iter_documents(records(), level, report.notes, store.parent):
            check_orphans(document, schema, report)
            yield document

    try:
        # A format written by this package's own code makes plain dicts, lists and strings: no cycles for the
        # collector to find, only its passes over what each record makes (about a twelfth of a jsonl export).
        # A format built by another library (spaCy's documents) keeps it.
        with without_cycle_collection() if format.needs is None else nullcontext():
            format.export(documents(), out, options)
    except OSError as error:
        raise InputError(f"{error.filename or out}: cannot be written ({error.strerror}). "
                         "Check the folder exists and is writable, or pass another --out.") from None
    return ExportSummary(out, level, counts["read"], counts["exported"], contents.warnings, report)
