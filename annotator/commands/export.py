"""`annotator export STORE --format FORMAT`: the latest decided records, ready for ML tools.

What is exported and how is `annotator.formats.export`'s; this parses, calls and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator import formats
from annotator.core.display import terminal_safe
from annotator.formats.documents import LEVELS
from annotator.formats.export import DOCCANO_SHAPES
from annotator.formats.offsets import OFFSET_UNITS
from annotator.formats.tags import SCHEMES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the store's decided records for spaCy, Hugging Face, CoNLL, brat, doccano, Label Studio",
        description="Export the latest state of every accepted paragraph in a store. See docs/FORMAT.md "
        "for each format and its limits.",
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the store (.jsonl) written by annotate")
    parser.add_argument("--format", required=True, choices=formats.names(), help="output format")
    parser.add_argument("--out", type=Path, help="output file (folder for hf and brat), replaced whole; an existing folder only "
                        "when it holds nothing but an earlier export; - writes a one-file format to standard output. "
                        "Default: beside the store")
    parser.add_argument("--level", choices=LEVELS, help="one output document per paragraph (default; "
                        "brat: article) or per article, paragraphs rejoined at their char_offset")
    parser.add_argument("--include", default="", metavar="WHAT",
                        help="also export these, comma-separated: unfinished, rejected, ignored")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--scheme", choices=SCHEMES, default="iob2", help="tag scheme for conll and hf")
    parser.add_argument("--offsets", choices=OFFSET_UNITS,
                        help="offset unit for doccano (default utf16) and label-studio (default codepoints)")
    parser.add_argument("--doccano-shape", choices=DOCCANO_SHAPES,
                        help="doccano: 'label' ([start, end, label]) or 'relations' (entities and relations) on every "
                        "line; default: relations when any exported paragraph has a relation, else label")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.formats.export import export_store, parse_include
    from annotator.formats.progress import ProgressBar

    include = parse_include(args.include)
    output_format = formats.get(args.format)
    schema = load_schema(args.schema or default_schema_path())
    with ProgressBar(f"export {output_format.name}", quiet=args.quiet) as bar:
        summary = export_store(args.store, output_format, schema=schema, out=args.out, level=args.level,
                               include=include, scheme=args.scheme, offsets=args.offsets,
                               doccano_shape=args.doccano_shape, progress=bar.update)
    for line in [*summary.warnings, *summary.report.lines(output_format.name)]:
        print(f"annotator: {terminal_safe(line)}", file=sys.stderr)
    skipped = summary.read - summary.exported
    note = f"; {skipped} not included (see --include)" if skipped else ""
    print(f"annotator: exported {summary.exported} paragraph(s) as {summary.report.documents} {summary.level} "
          f"document(s) with {summary.report.spans} span(s) to {terminal_safe(str(summary.out))}{note}", file=sys.stderr)
    return 0
