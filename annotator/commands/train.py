"""`annotator train STORE... --out MODEL_DIR`: a spaCy NER pipeline from the accepted records, scored on a
held-out split, for `annotator suggest --model MODEL_DIR`. The work is `annotator.suggest.training`'s."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a spaCy NER pipeline on the accepted records of stores, for suggest --model",
        description="Train a spaCy NER pipeline (CPU) on the accepted paragraphs of the stores, hold one in five out "
        "(by id) and print its precision, recall and F1 per label, and save it for `annotator suggest --model`. "
        "Needs spaCy: pip install 'annotator[spacy]'. See docs/SUGGEST.md.",
    )
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="stores (.jsonl); the first to accept a paragraph wins")
    parser.add_argument("--out", required=True, type=Path, metavar="MODEL_DIR", help="the folder to save the pipeline in")
    parser.add_argument("--labels", nargs="+", default=[], metavar="LABEL",
                        help="train only these labels (spaces or commas between them); default: every schema label with spans")
    parser.add_argument("--epochs", type=int, default=10, metavar="N", help="passes over the training paragraphs (default 10)")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed, for a run that can be repeated (default 0)")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--quiet", action="store_true", help="no line per epoch")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.suggest.training import train

    if args.epochs < 1:
        raise InputError("--epochs must be at least 1.")
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"{args.out}: is a file; give a folder for the pipeline.")
    labels = [label for given in args.labels for label in given.split(",") if label]
    schema = load_schema(args.schema or default_schema_path())

    def epoch_done(epoch: int, loss: float) -> None:
        if not args.quiet:
            print(f"annotator: epoch {epoch}/{args.epochs}: loss {loss:.2f}", file=sys.stderr)

    summary = train(args.stores, args.out, schema=schema, labels=labels, epochs=args.epochs, seed=args.seed,
                    epoch_done=epoch_done)
    if summary.overlapping:
        print(f"annotator: {summary.overlapping} overlapping span(s) left out (NER keeps the longest of overlapping spans)",
              file=sys.stderr)
    if summary.unaligned:
        print(f"annotator: {summary.unaligned} span(s) not on spaCy's token edges left out", file=sys.stderr)
    print(terminal_safe(f"trained on {summary.trained} paragraph(s), scored on {summary.held_out} held out; saved to {args.out}"))
    if summary.overall is None:
        print("no paragraph was held out (too few accepted): no scores. Accept more paragraphs for a held-out split.")
        return 0
    print(f"{'label':<14}{'P':>7}{'R':>7}{'F1':>7}{'spans':>7}")
    for label, score in [*summary.scores.items(), ("overall", summary.overall)]:
        print(f"{terminal_safe(label):<14}{score.precision:>7.2f}{score.recall:>7.2f}{score.f1:>7.2f}{score.gold:>7}")
    return 0
