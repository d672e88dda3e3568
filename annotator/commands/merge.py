"""`annotator merge STORE... --out STORE`: one store holding every version from several.

The merged store is keyed by `(annotator, id)` (see `annotator/team/merge.py`): it is for
`agree`, `stats` and review, not for annotating into.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="combine stores into one, keeping every version of every annotator",
        description="Combine stores (e.g. one per annotator) into a new store that keeps every line of each, "
        "interleaved by time. Read it with agree, stats or review, which tell annotators apart.",
    )
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="stores (.jsonl) to combine")
    parser.add_argument("--out", type=Path, required=True, metavar="STORE", help="the new store to write (must not exist, or be empty)")
    parser.add_argument("--schema", type=Path, metavar="FILE",
                        help="label schema (YAML) whose renamed_from labels are read under their new names; "
                        "default: the bundled news-conflict schema")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.files import same_file
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.team.merge import merge_stores

    sources = [store for store in args.stores if same_file(args.out, store)]
    if sources:
        raise InputError(f"{args.out}: is one of the stores to merge; merging into it would change what is read. "
                         "Pass a new file with --out.")
    schema = load_schema(args.schema or default_schema_path())
    summary = merge_stores(args.stores, args.out, schema=schema)
    for warning in summary.warnings:
        print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
    duplicates = f" ({summary.duplicates} repeated lines written once)" if summary.duplicates else ""
    print(terminal_safe(
        f"annotator: merged {len(args.stores)} stores into {args.out}: {summary.lines} lines{duplicates}, "
        f"{summary.paragraphs} paragraphs, annotators {', '.join(summary.annotators) or 'none'}"),
        file=sys.stderr,
    )
    return 0
