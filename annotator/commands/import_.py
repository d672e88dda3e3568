"""`annotator import FILE --format FORMAT --out STORE`: other tools' annotations as pre-annotations.

How a file becomes suggestions in a store is `annotator.formats.imported`'s; this parses,
calls and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator import formats
from annotator.core.errors import InputError
from annotator.formats.offsets import OFFSET_UNITS

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="bring doccano, Label Studio, brat, CoNLL or JSONL annotations into a store as suggestions",
        description="Read annotations made elsewhere (or model predictions) into a store as suggested spans "
        "on undecided paragraphs. See docs/FORMAT.md.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the file (a folder for brat)")
    parser.add_argument("--format", required=True, choices=formats.importable(), help="input format")
    parser.add_argument("--out", required=True, type=Path, metavar="STORE", help="the store (.jsonl) to append to")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--annotator", help="name on the imported records; default: the config file, else your login")
    parser.add_argument("--model", metavar="NAME", help="the spans are predictions of model NAME (source model:NAME)")
    parser.add_argument("--offsets", choices=OFFSET_UNITS,
                        help="offset unit of doccano (default utf16) or Label Studio (default: checked per span) input")
    parser.add_argument("--merge", action="store_true",
                        help="add the spans to paragraphs the store already has, instead of refusing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.identity import annotator_name, load_user_config
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.formats.imported import import_file

    if args.model is not None and not args.model.strip():
        raise InputError("--model needs a name, e.g. --model ner-v3.")
    input_format = formats.get(args.format)
    schema = load_schema(args.schema or default_schema_path())
    name = annotator_name(args.annotator, load_user_config())
    summary = import_file(args.file, input_format, args.out, schema=schema, annotator=name, model=args.model,
                          offsets=args.offsets, merge=args.merge)
    for note in summary.notes:
        print(f"annotator: {note}", file=sys.stderr)
    if summary.widened:
        print(f"annotator: {len(summary.widened)} span(s) cut a word and were widened to whole words (the schema's "
              f"snap: token): {', '.join(summary.widened[:10])}{' ...' if len(summary.widened) > 10 else ''}",
              file=sys.stderr)
    if summary.orphans:
        print(f"annotator: labels not in the schema {schema.name}: {', '.join(summary.orphans)} (imported as they are).",
              file=sys.stderr)
    print(f"annotator: imported {summary.paragraphs} paragraph(s) with {summary.spans} suggested span(s) into "
          f"{args.out}{f' ({summary.merged} merged)' if summary.merged else ''}", file=sys.stderr)
    return 0
