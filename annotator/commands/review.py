"""`annotator review STORE... --out GOLD`: settle disagreements between annotators into a gold store.

Every input is checked before the screen opens, and nothing is written for bad input: the
gold store is only opened (and created) once the stores have been read and found reviewable.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "review",
        help="merge annotators' versions into one gold store (the review screen)",
        description="Open the review screen on the paragraphs that two or more annotators did: spans "
        "everyone agrees on are pre-accepted, the others are listed with who proposed them. Each decision "
        "is appended to the gold store at once; running the command again resumes where you stopped.",
    )
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="stores (.jsonl), one per annotator or merged")
    parser.add_argument("--out", type=Path, required=True, metavar="GOLD", help="the gold store (.jsonl) to write")
    parser.add_argument("--schema", type=Path, metavar="FILE", help="label schema (YAML) for colours and _schema, whose renamed_from labels are "
                        "read under their new names; default: the bundled one")
    parser.add_argument("--annotator", metavar="NAME", help="the reviewer's name on gold records; default: the config file, else your login")
    parser.add_argument("--include-undecided", action="store_true", help="also review records not yet accepted/rejected")
    parser.add_argument("--by-store", action="store_true",
                        help="one annotator per store, named after the file (when every record has the same login name)")
    parser.set_defaults(run=run)


def check_out(out: Path, stores: list[Path]) -> None:
    """Refuse a gold path that would overwrite an input or is not a store."""
    if out.suffix.lower() != ".jsonl":
        raise InputError(f"{out}: the gold store must be a .jsonl file. Choose an --out ending in .jsonl.")
    if out.is_dir():
        raise InputError(f"{out}: is a folder. Give a .jsonl file for --out, e.g. {out / 'gold.jsonl'}.")
    resolved = out.resolve()
    if any(store.resolve() == resolved for store in stores):
        raise InputError(f"{out}: is also one of the stores to review. Write gold to a new file; nothing was written.")


def run(args: argparse.Namespace) -> int:
    from annotator.core.config import load_user_config, theme_file
    from annotator.core.identity import annotator_name
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.store import Store
    from annotator.team.agreement import counts_as_done
    from annotator.team.merge import read_team
    from annotator.team.review import GoldReview, plan_review

    stores: list[Path] = list(args.stores)
    check_out(args.out, stores)
    schema = load_schema(args.schema or default_schema_path())
    config = load_user_config()
    reviewer = annotator_name(args.annotator, config)
    team = read_team(stores, by_store=args.by_store, schema=schema)
    for warning in team.warnings:
        print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
    plan = plan_review(team, include_undecided=args.include_undecided)
    for warning in plan.warnings:
        print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
    what = "records" if args.include_undecided else "decided records"
    with_work = [name for name in team.annotators
                 if any(counts_as_done(facts, args.include_undecided) for facts in team.facts[name].values())]
    if len(with_work) < 2:
        found = ", ".join(with_work) or "nobody"
        hint = (" Each store's records carry the same _annotator_id; if they are different people, pass --by-store."
                if len(stores) > 1 and not args.by_store else " Give each annotator's store.")
        raise InputError(f"review needs two annotators; the stores hold {what} of {found}.{hint}")
    if not plan.items:
        raise InputError(
            f"{', '.join(with_work)} share no paragraph in their {what} (matched by id), so there is "
            "nothing to review. Give them overlapping work (annotator assign --overlap)"
            + ("." if args.include_undecided else ", or pass --include-undecided.")
        )
    browser = "TEXTUAL_DRIVER" in os.environ  # `annotator serve --review`: Textual draws into a web page
    if not (browser or (sys.stdin.isatty() and sys.stdout.isatty())):
        raise InputError(f"review opens a screen and needs a terminal (stdin and stdout are not one). "
                         f"Run it in a terminal; nothing was written to {args.out}.")
    store = Store(args.out)
    try:
        for warning in store.warnings:
            print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
        review = GoldReview(plan, store, reviewer, schema.ref)
        print(terminal_safe(f"annotator: reviewing {len(plan.items)} paragraphs into {args.out}"), file=sys.stderr)
        from annotator.tui.app import ReviewApp

        app = ReviewApp(review, schema, gold_path=str(args.out), keymap=config.keys, theme=config.theme,
                        config_file=theme_file(config))
        app.run()
        app.raise_refused()
        done = review.done_count()
    finally:
        store.close()
    print(terminal_safe(f"annotator: {done} of {len(plan.items)} paragraphs in gold; saved in {args.out}"), file=sys.stderr)
    return 0
