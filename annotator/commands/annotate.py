"""`annotator annotate SOURCE...`: check every input, then open the annotate screen.

With no command at all, `annotator` runs this on the bundled sample with the default schema.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.core.config import UserConfig, load_user_config, theme_file
from annotator.core.corpus import Corpus, source_files
from annotator.core.display import terminal_safe
from annotator.core.errors import InputError
from annotator.core.files import same_file
from annotator.core.identity import annotator_name
from annotator.core.schema import Schema, default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.store import Store

if TYPE_CHECKING:
    from annotator.suggest.pipelines import Pipeline

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
    parser.add_argument("--order", choices=("corpus", "uncertain"), default="corpus",
                        help="which paragraph comes next after a decision: the next in the corpus (default), or "
                        "the one the --model is least sure of (needs the spacy extra; see docs/SUGGEST.md)")
    parser.add_argument("--model", metavar="MODEL_DIR", help="for --order uncertain: a spaCy pipeline folder "
                        "(as `annotator train` writes) or an installed pipeline's name")
    parser.add_argument("--demo", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.demo:
        sources, store_path = [SAMPLES], args.out or demo_store_path()
    elif not args.sources:
        raise InputError("annotate needs at least one SOURCE (.txt, .jsonl or a folder). See `annotator annotate --help`.")
    else:
        sources, store_path = list(args.sources), args.out or Path(DEFAULT_STORE)
    refuse_out_among_sources(store_path, sources)
    model = _uncertainty_model(args.order, args.model)  # spaCy's import and the model: before anything is opened
    config = load_user_config()
    schema_path = args.schema or default_schema_path()
    schema = load_schema(schema_path, keymap=config.keys)  # a label key must be free on this user's screen
    with Corpus(sources, index_later=True) as corpus:  # the screen starts the index once it is drawn
        return _annotate(corpus, schema, schema_path, store_path, args.annotator, config, model)


def _uncertainty_model(order: str, model: str | None) -> Pipeline | None:
    """The pipeline `--order uncertain` ranks paragraphs with, loaded before anything is opened."""
    if order == "corpus":
        if model is not None:
            raise InputError("--model is for --order uncertain: give both, or neither.")
        return None
    if model is None:
        raise InputError("--order uncertain needs --model MODEL_DIR: a spaCy pipeline folder (e.g. one "
                         "`annotator train` wrote) or an installed pipeline's name.")
    from annotator.suggest.pipelines import model_pipeline

    return model_pipeline(model)


def refuse_out_among_sources(store_path: Path, sources: list[Path]) -> None:
    """An `--out` that is one of the sources (through a link or `..` too) would get the edits appended to the corpus."""
    for given in sources:
        for source in source_files(Path(given)):
            if same_file(store_path, source):
                raise InputError(f"{store_path}: is also a source ({source}); annotate would append its edits to it. "
                                 "Give the store another --out; nothing was written.")


def _annotate(corpus: Corpus, schema: Schema, schema_path: Path, store_path: Path, explicit_name: str | None,
              config: UserConfig, model: Pipeline | None = None) -> int:
    name = annotator_name(explicit_name, config)
    store = Store(store_path)
    try:
        for warning in store.warnings:
            print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
        session = Session(corpus, schema, store, name)
        order = None
        if model is not None:
            from annotator.suggest.uncertainty import BATCH_SIZE, UncertainOrder

            order = UncertainOrder(corpus, model, skip=session.is_decided)
            order.scan(BATCH_SIZE)  # one batch now, for the first paragraph; the rest behind the screen
            first = order.next_position(session.is_decided)
            if first is not None:
                session.open(first)
        print(f"annotator: writing to {terminal_safe(str(store_path))}", file=sys.stderr)
        from annotator.tui.app import AnnotatorApp

        app = AnnotatorApp(session, store_path=str(store_path), keymap=config.keys, schema_path=schema_path,
                           theme=config.theme, config_file=theme_file(config), order=order)
        app.run()
        app.raise_refused()
        progress = session.progress()
        lost = _unwritten(session)
    finally:
        store.close()
    where = terminal_safe(str(store_path))
    if lost:
        print(f"annotator: {len(session.unsaved)} change(s) could not be written to {where} ({lost}) and are lost; "
              f"{progress.done} of {progress.total} paragraphs decided and saved", file=sys.stderr)
        return 1
    total = f"{progress.total}" if progress.exact else f"about {progress.total}"
    print(f"annotator: {progress.done} of {total} paragraphs decided; saved in {where}", file=sys.stderr)
    return 0


def _unwritten(session: Session) -> str:
    """Why the changes still waiting when the screen closed cannot be written (one last try); "" when none are left."""
    try:
        session.save_unsaved()
    except OSError as error:
        return error.strerror or str(error)
    return ""
