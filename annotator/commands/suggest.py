"""`annotator suggest SOURCE... --out STORE`: spans pre-annotated by patterns, a spaCy pipeline or the
team's stores, written into a store as suggestions. The work is `annotator.suggest`'s; docs/SUGGEST.md
says how to use it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "suggest",
        help="pre-annotate paragraphs with suggestions from patterns, a spaCy pipeline or accepted stores",
        description="Write suggestions (suggested: true, with their source and score) into a store for the paragraphs "
        "not yet decided, from EntityRuler patterns, a spaCy pipeline and/or the accepted spans of stores. Resumes where "
        "it stopped; --shard splits a corpus between jobs. Needs spaCy: pip install 'annotator[spacy]'. See docs/SUGGEST.md.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="article sources: .txt, .jsonl or a folder of them")
    parser.add_argument("--out", required=True, type=Path, metavar="STORE", help="the store (.jsonl) to add suggestions to")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--patterns", action="append", default=[], type=Path, metavar="FILE",
                        help="spaCy EntityRuler patterns (JSONL); source patterns:<file name>; may be repeated")
    parser.add_argument("--model", metavar="NAME_OR_PATH",
                        help="an installed spaCy pipeline or a folder written by nlp.to_disk (annotator train); source model:<name>")
    parser.add_argument("--label-map", action="append", default=[], metavar="MODEL_LABEL=SCHEMA_LABEL",
                        help="give spans labelled MODEL_LABEL the schema's SCHEMA_LABEL, e.g. GPE=LOCATION; may be repeated")
    parser.add_argument("--from-store", action="append", default=[], type=Path, metavar="STORE",
                        help="the accepted spans of this store as phrase patterns (source patterns:<file name>); may be repeated")
    parser.add_argument("--batch-size", type=int, default=256, metavar="N", help="paragraphs per nlp.pipe batch (default 256)")
    parser.add_argument("--n-process", type=int, default=1, metavar="N", help="processes for nlp.pipe (default 1)")
    parser.add_argument("--shard", default="1/1", metavar="K/N",
                        help="only the K-th of N parts of the corpus, split by paragraph id (default 1/1: all)")
    parser.add_argument("--annotator", help="name on new records; default: the config file, else your login")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.corpus import Corpus
    from annotator.core.identity import annotator_name, load_user_config
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.store import Store
    from annotator.formats.progress import ProgressBar
    from annotator.suggest.patterns import pattern_sets
    from annotator.suggest.pipelines import Pipeline, model_pipeline, patterns_pipeline
    from annotator.suggest.shards import parse_shard
    from annotator.suggest.spacy_extra import load_spacy
    from annotator.suggest.suggester import SuggestOptions, suggest

    if not (args.patterns or args.model or args.from_store):
        raise InputError("suggest needs something to suggest from: --patterns FILE, --model NAME_OR_PATH or --from-store STORE.")
    if args.batch_size < 1 or args.n_process < 1:
        raise InputError("--batch-size and --n-process must be at least 1.")
    options = SuggestOptions(args.batch_size, args.n_process, parse_shard(args.shard), _label_map(args.label_map))
    load_spacy("suggest")
    schema = load_schema(args.schema or default_schema_path())
    name = annotator_name(args.annotator, load_user_config())
    patterns = pattern_sets(args.patterns, args.from_store, schema)
    pipelines: list[Pipeline] = []
    if patterns:
        pipelines.append(patterns_pipeline(patterns))
    if args.model:
        pipelines.append(model_pipeline(args.model))
    with Corpus(args.sources) as corpus, Store(args.out) as store, ProgressBar("suggest", quiet=args.quiet) as bar:
        summary = suggest(corpus, store, pipelines, schema=schema, annotator=name, options=options, progress=bar.update)
        problems = corpus.problems
    for line in [*problems, *summary.lines(schema.name)]:
        print(f"annotator: {terminal_safe(line)}", file=sys.stderr)
    shard = f" (shard {args.shard})" if options.shard.count > 1 else ""
    print(f"annotator: {summary.spans} suggestion(s) in {summary.records} record(s) written to {terminal_safe(str(args.out))} from "
          f"{summary.paragraphs} paragraph(s){shard}; {summary.decided} decided and {summary.already} already suggested "
          "were left alone", file=sys.stderr)
    return 0


def _label_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        model_label, equals, schema_label = pair.partition("=")
        if not equals or not model_label.strip() or not schema_label.strip():
            raise InputError(f"--label-map {pair}: give MODEL_LABEL=SCHEMA_LABEL, e.g. --label-map GPE=LOCATION.")
        mapping[model_label.strip()] = schema_label.strip()
    return mapping
