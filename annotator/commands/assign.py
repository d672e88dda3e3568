"""`annotator assign SOURCE... --annotators a,b,c --overlap 0.2 --out DIR`: split work in a team.

Writes one queue per annotator (`DIR/<name>.queue.jsonl`, opened with `annotator annotate`),
an empty store for each (`DIR/<name>.jsonl`) and `DIR/assignment.json`, the manifest of who
has what. The split is deterministic; see `annotator/team/assign.py` and docs/TEAMS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "assign",
        help="split sources between annotators, with a shared part for agreement",
        description="Split the paragraphs of the sources between annotators: a fraction (--overlap) goes to "
        "--per-item annotators for agreement, the rest to one; loads are balanced. The same inputs and "
        "--seed always give the same split.",
    )
    parser.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help=".txt, .jsonl or a folder")
    parser.add_argument("--annotators", required=True, metavar="NAMES", help="names, comma-separated, e.g. alice,bob,carol")
    parser.add_argument("--overlap", type=float, default=0.0, metavar="FRACTION",
                        help="fraction of paragraphs done by several annotators, 0 to 1 (default 0)")
    parser.add_argument("--per-item", type=int, default=2, metavar="N", help="annotators per shared paragraph (default 2)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the queues, stores and assignment.json")
    parser.add_argument("--seed", default="0", metavar="TEXT", help="any text; another seed gives another split (default 0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.corpus import Corpus
    from annotator.team.assign import check_options, parse_annotators, plan, write_plan

    annotators = parse_annotators(args.annotators)
    check_options(annotators, args.overlap, args.per_item)
    missing = [str(source) for source in args.sources if not source.exists()]
    if missing:
        raise InputError(f"{terminal_safe(missing[0])}: no such file or folder. Check the SOURCE path.")
    corpus = Corpus(list(args.sources))
    assignment = plan(
        iter(corpus), annotators, overlap=args.overlap, per_item=args.per_item, seed=args.seed,
        sources=[str(source) for source in args.sources],
    )
    written = write_plan(assignment, args.out)
    manifest = assignment.manifest
    print(terminal_safe(
        f"annotator: {manifest['paragraphs']} paragraphs, {manifest['shared_paragraphs']} shared by "
        f"{args.per_item}; {'wrote ' + str(len(written)) + ' files' if written else 'unchanged'} in {args.out}"),
        file=sys.stderr,
    )
    for name, entry in manifest["annotators"].items():
        queue, store = args.out / entry["queue"], args.out / entry["store"]
        print(terminal_safe(f"  {name}: {entry['paragraphs']} paragraphs ({entry['shared']} shared)  "
                            f"annotator annotate {queue} --out {store} --annotator {name}"))
    return 0
