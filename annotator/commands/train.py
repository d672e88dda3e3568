"""`annotator train STORE... --out MODEL_DIR`: a spaCy NER pipeline from the accepted records, scored on a
held-out split, for `annotator suggest --model MODEL_DIR`. The work is `annotator.suggest.training`'s."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError
from annotator.suggest.training import MIN_FOR_HELD_OUT, MIN_UPDATES, PATIENCE, Epoch


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a spaCy NER pipeline on the accepted records of stores, for suggest --model",
        description="Train a spaCy NER pipeline (CPU) on the accepted paragraphs of the stores, hold one in five out "
        f"(by id; with fewer than {MIN_FOR_HELD_OUT} accepted, none), score it on them after every pass, and save the best pass for "
        "`annotator suggest --model`, with its precision, recall and F1 per label. Needs spaCy: "
        "pip install 'annotator[spacy]'. See docs/SUGGEST.md.",
    )
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="stores (.jsonl); the first to accept a paragraph wins")
    parser.add_argument("--out", required=True, type=Path, metavar="MODEL_DIR", help="the folder to save the pipeline in")
    parser.add_argument("--labels", nargs="+", default=[], metavar="LABEL",
                        help="train only these labels (spaces or commas between them); default: every schema label with spans")
    parser.add_argument("--epochs", type=int, default=100, metavar="N",
                        help=f"the most passes over the training paragraphs (default 100); training makes at least "
                        f"{MIN_UPDATES} updates and stops once {PATIENCE} passes have not bettered the held-out F1")
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

    def epoch_done(epoch: Epoch) -> None:
        if not args.quiet:
            scored = "" if epoch.f1 is None else f", held-out F1 {epoch.f1:.2f}{' (best so far)' if epoch.best else ''}"
            print(f"annotator: epoch {epoch.number}/{args.epochs}: {epoch.updates} updates, loss {epoch.loss:.2f}{scored}",
                  file=sys.stderr)

    summary = train(args.stores, args.out, schema=schema, labels=labels, epochs=args.epochs, seed=args.seed,
                    epoch_done=epoch_done)
    if summary.overlapping:
        print(f"annotator: {summary.overlapping} overlapping span(s) left out (NER keeps the longest of overlapping spans)",
              file=sys.stderr)
    if summary.unaligned:
        print(f"annotator: {summary.unaligned} span(s) not on spaCy's token edges left out", file=sys.stderr)
    if summary.updates < MIN_UPDATES:
        print(f"annotator: --epochs {args.epochs} stopped training after {summary.updates} updates, short of the "
              f"{MIN_UPDATES} it makes by itself: the model may be undertrained.", file=sys.stderr)
    passes = f"{summary.epochs} pass(es), {summary.updates} updates"
    if summary.overall is None:
        print(terminal_safe(f"trained on all {summary.trained} paragraph(s) ({passes}); saved to {args.out}"))
        print(f"annotator: the F1 cannot be measured: {summary.trained} accepted paragraph(s) leave none to hold out "
              f"(it takes at least {MIN_FOR_HELD_OUT}, and gold spans among those held out). Check the suggestions "
              "by eye, and accept more paragraphs for a score.", file=sys.stderr)
        return 0
    print(terminal_safe(f"trained on {summary.trained} paragraph(s), scored on {summary.held_out} held out; "
                        f"best pass {summary.best_epoch} of {passes}, kept; saved to {args.out}"))
    print(f"{'label':<14}{'P':>7}{'R':>7}{'F1':>7}{'spans':>7}")
    for label, score in [*summary.scores.items(), ("overall", summary.overall)]:
        print(f"{terminal_safe(label):<14}{score.precision:>7.2f}{score.recall:>7.2f}{score.f1:>7.2f}{score.gold:>7}")
    if summary.overall.f1 == 0:
        print(f"annotator: held-out F1 0 (on {summary.held_out} paragraph(s), {summary.overall.gold} span(s)): the model "
              f"learnt nothing usable yet: annotate more paragraphs (it was trained on {summary.trained}) and train again.",
              file=sys.stderr)
    return 0
