"""`annotator export STORE --format FORMAT`: the latest decided records, ready for ML tools.

By default only accepted paragraphs are exported (rejected and ignored ones are the annotator
saying "not a training example", unfinished ones are not done); `--include` adds the others.
The store is read, never written; the output is written to a temporary file and renamed into
place, and the same store always gives the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.formats import DEFAULT_SUFFIX, FOLDER_CONTENTS, FOLDER_FORMATS, FORMATS, format_module

LEVELS = ("paragraph", "article")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the store's decided records for spaCy, Hugging Face, CoNLL, brat, doccano, Label Studio",
        description="Export the latest state of every accepted paragraph in a store. See docs/FORMAT.md "
        "for each format and its limits.",
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the store (.jsonl) written by annotate")
    parser.add_argument("--format", required=True, choices=list(FORMATS), help="output format")
    parser.add_argument("--out", type=Path, help="output file (folder for hf and brat), replaced whole; an existing folder only "
                        "when it holds nothing but an earlier export. Default: beside the store")
    parser.add_argument("--level", choices=LEVELS, help="one output document per paragraph (default; "
                        "brat: article) or per article, paragraphs rejoined at their char_offset")
    parser.add_argument("--include", default="", metavar="WHAT",
                        help="also export these, comma-separated: unfinished, rejected, ignored")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--scheme", choices=("iob2", "bilou"), default="iob2", help="tag scheme for conll and hf")
    parser.add_argument("--offsets", choices=("utf16", "codepoints"),
                        help="offset unit for doccano (default utf16) and label-studio (default codepoints)")
    parser.set_defaults(run=run)


def parse_include(value: str) -> frozenset[str]:
    from annotator.formats.document import INCLUDE_CHOICES

    words = [word.strip() for word in value.split(",") if word.strip()]
    unknown = [word for word in words if word not in INCLUDE_CHOICES]
    if unknown:
        raise InputError(f"--include: {', '.join(unknown)} is not one of {', '.join(INCLUDE_CHOICES)}. "
                         "Separate several with commas, e.g. --include unfinished,rejected.")
    return frozenset(INCLUDE_CHOICES[word] for word in words)


def default_out(store: Path, format_name: str) -> Path:
    return store.with_name(store.stem + DEFAULT_SUFFIX[format_name])


def check_replaceable(folder: Path, format_name: str) -> None:
    """Refuse to replace a folder holding anything this format does not write.

    A folder export replaces its folder whole (so no stale file of an earlier export survives);
    `--out .` or `--out ~/data` must not delete a user's own files.
    """
    from fnmatch import fnmatch

    foreign = sorted(entry.name for entry in folder.iterdir()
                     if not entry.is_file() or not any(fnmatch(entry.name, p) for p in FOLDER_CONTENTS[format_name]))
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise InputError(f"{folder}: holds files that are not a {format_name} export ({shown}), and an export "
                         "replaces its whole folder. Give a new or empty folder with --out.")


def run(args: argparse.Namespace) -> int:
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.store import read_store
    from annotator.formats.document import (
        ExportOptions,
        ExportReport,
        Progress,
        check_orphans,
        iter_documents,
        plan_order,
        wanted,
    )

    include = parse_include(args.include)
    out: Path = args.out or default_out(args.store, args.format)
    if out.resolve() == args.store.resolve():
        raise InputError(f"{out}: that is the store itself. Choose another --out.")
    if args.format not in FOLDER_FORMATS and out.is_dir():
        raise InputError(f"{out}: is a folder; {args.format} writes one file. Give a file name with --out.")
    if args.format in FOLDER_FORMATS and out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; {args.format} writes a folder. Give a folder name with --out.")
    if args.format in FOLDER_FORMATS and out.is_dir():
        check_replaceable(out, args.format)
    contents = read_store(args.store)
    for warning in contents.warnings:
        print(f"annotator: {warning}", file=sys.stderr)
    schema = load_schema(args.schema or default_schema_path())
    level = args.level or ("article" if args.format == "brat" else "paragraph")
    report = ExportReport()
    options = ExportOptions(schema=schema, report=report, level=level, scheme=args.scheme, offsets=args.offsets)
    module = format_module(args.format)
    if args.format == "spacy":
        module.require_spacy()

    order = [record_id for article in plan_order(contents.ids()) for record_id in article]
    progress = Progress(len(order), f"export {args.format}")
    counts = {"read": 0, "exported": 0}

    def records() -> Iterator[dict[str, Any]]:
        for done, record in enumerate(contents.iter_latest_of(order), start=1):
            counts["read"] += 1
            if wanted(record, include):
                counts["exported"] += 1
                yield record
            progress.update(done)

    def documents() -> Iterator[Any]:
        for document in iter_documents(records(), level, report, args.store.parent):
            check_orphans(document, schema, report)
            yield document

    try:
        module.export(documents(), out, options)
    except OSError as error:
        raise InputError(f"{error.filename or out}: cannot be written ({error.strerror}). "
                         "Check the folder exists and is writable, or pass another --out.") from None
    finally:
        progress.close()
    for line in report.lines(args.format):
        print(f"annotator: {line}", file=sys.stderr)
    skipped = counts["read"] - counts["exported"]
    note = f"; {skipped} not included (see --include)" if skipped else ""
    print(f"annotator: exported {counts['exported']} paragraph(s) as {report.documents} {level} document(s) "
          f"with {report.spans} span(s) to {out}{note}", file=sys.stderr)
    return 0
