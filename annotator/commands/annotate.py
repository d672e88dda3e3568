"""`annotator annotate SOURCE...`: check every input, then open the annotate screen.

With no command at all, `annotator` runs this on the bundled sample with the default schema.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from annotator.core.config import UserConfig, load_user_config
from annotator.core.corpus import Corpus
from annotator.core.errors import InputError
from annotator.core.identity import annotator_name
from annotator.core.schema import Schema, default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
DEFAULT_STORE = "annotations.jsonl"


def demo_store_path() -> Path:
    """Where the demo writes: the user's data folder, so that trying the tool litters nothing."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "annotator" / "sample-annotations.jsonl"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "annotate",
        help="tag spans in articles (the annotate screen)",
        description="Open the annotate screen on one or more sources: .txt articles, folders of them, "
        "or .jsonl files of articles. Every change is saved to the store as you make it.",
    )
    parser.add_argument("sources", nargs="*", type=Path, metavar="SOURCE", help=".txt, .jsonl or a folder")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--out", type=Path, help=f"the store (JSONL) to write; default: ./{DEFAULT_STORE}")
    parser.add_argument("--annotator", help="your name on every record; default: the config file, else your login")
    parser.add_argument("--demo", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.demo:
        sources, store_path = [SAMPLES], args.out or demo_store_path()
    elif not args.sources:
        raise InputError("annotate needs at least one SOURCE (.txt, .jsonl or a folder). See `annotator annotate --help`.")
    else:
        sources, store_path = list(args.sources), args.out or Path(DEFAULT_STORE)
    config = load_user_config()
    schema_path = args.schema or default_schema_path()
    schema = load_schema(schema_path, keymap=config.keys)  # a label key must be free on this user's screen
    with Corpus(sources, index_later=True) as corpus:  # the screen starts the index once it is drawn
        return _annotate(corpus, schema, schema_path, store_path, args.annotator, config)


def _annotate(corpus: Corpus, schema: Schema, schema_path: Path, store_path: Path, explicit_name: str | None,
              config: UserConfig) -> int:
    name = annotator_name(explicit_name, config)
    store = Store(store_path)
    try:
        for warning in store.warnings:
            print(f"annotator: {warning}", file=sys.stderr)
        session = Session(corpus, schema, store, name)
        print(f"annotator: writing to {store_path}", file=sys.stderr)
        from annotator.tui.app import AnnotatorApp

        AnnotatorApp(session, store_path=str(store_path), keymap=config.keys, schema_path=schema_path).run()
        progress = session.progress()
    finally:
        store.close()
    print(f"annotator: {progress.done} of {progress.total} paragraphs decided; saved in {store_path}", file=sys.stderr)
    return 0
