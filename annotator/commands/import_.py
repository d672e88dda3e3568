"""`annotator import FILE --format FORMAT --out STORE`: other tools' annotations into a store.

How a file becomes records in a store is `annotator.formats.imported`'s; this parses, calls and
prints. Messages go to stderr; `-` reads the file from standard input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator import formats
from annotator.core.display import terminal_safe
from annotator.core.errors import InputError
from annotator.formats.imported import ANNOTATION_CHOICES
from annotator.formats.offsets import OFFSET_UNITS

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="bring Prodigy/JSONL, doccano, Label Studio, brat or CoNLL annotations into a store",
        description="Read annotations made elsewhere (or model predictions) into a store. Every span keeps its "
        "offsets and label; what a record cannot hold is named on stderr. See docs/FORMAT.md.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the file (a folder for brat); - reads standard input")
    parser.add_argument("--format", required=True, choices=formats.importable(), help="input format")
    parser.add_argument("--out", required=True, type=Path, metavar="STORE", help="the store (.jsonl) to append to")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--annotator", help="name on the imported records that do not name their annotator; "
                        "default: the config file, else your login")
    parser.add_argument("--model", metavar="NAME", help="the spans are predictions of model NAME (source model:NAME)")
    parser.add_argument("--offsets", choices=OFFSET_UNITS,
                        help="offset unit of doccano (default utf16) or Label Studio (default: checked per span) input")
    parser.add_argument("--tag-column", type=int, default=-1, metavar="N",
                        help="conll: the column holding the tags, from 1; negative counts from the end (default: -1, the last)")
    parser.add_argument("--annotations", choices=ANNOTATION_CHOICES, default="all",
                        help="label-studio: a record for every annotation of a task (default), or only its first or latest")
    parser.add_argument("--merge", action="store_true",
                        help="add the spans to paragraphs the store already has, instead of refusing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.identity import annotator_name, load_user_config
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.formats.imported import ImportOptions, import_file
    from annotator.formats.progress import ProgressBar

    if args.model is not None and not args.model.strip():
        raise InputError("--model needs a name, e.g. --model ner-v3.")
    if args.tag_column == 0:
        raise InputError("--tag-column counts from 1 (the token is column 1), or from -1 for the last column.")
    input_format = formats.get(args.format)
    schema = load_schema(args.schema or default_schema_path())
    name = annotator_name(args.annotator, load_user_config())
    options = ImportOptions(schema=schema, offsets=args.offsets, tag_column=args.tag_column, annotations=args.annotations)
    with ProgressBar(f"import {input_format.name}", quiet=args.quiet) as bar:
        summary = import_file(args.file, input_format, args.out, schema=schema, annotator=name, model=args.model,
                              options=options, merge=args.merge, progress=bar.update)
    for line in summary.lines(schema.name):
        print(f"annotator: {terminal_safe(line)}", file=sys.stderr)
    print(f"annotator: imported {summary.paragraphs} paragraph(s) as {summary.records} record(s) with {summary.spans} "
          f"span(s) into {terminal_safe(str(args.out))}{f' ({summary.merged} merged)' if summary.merged else ''}", file=sys.stderr)
    return 0
