"""A lead's trial of `annotator train` (issue 13): train from a store, suggest on a new article, and
count what the model got right against that article's gold.

Run (needs the `spacy` extra):

    python benchmarks/train_trial.py --article ../shared/reference/seed-article.txt \
        --gold benchmarks/seed_article_gold.jsonl [--train-on-half]

The training store is, by default, the bundled samples' gold (`keys_per_span_gold.jsonl` over
`border-clashes.txt` and `port-shelling.txt`) written as accepted records; `--store PATH`
(repeatable) trains from those stores instead. `--train-on-half` also accepts the first half of
the article's paragraphs from its gold into the training store, as a lead who has annotated
half an article would, and suggests on the other half. `annotator train` and `annotator
suggest --model` run as the lead runs them (each its own process, so each time includes
starting Python and importing spaCy), into a temporary folder. With `--gold` (the format of
`keys_per_span_gold.jsonl`: `[label, text, nth?, {attribute: value}?]` by paragraph id) it prints
every suggested span, marked `=` where it is exactly a gold span (offsets and label), the counts,
precision and recall on the paragraphs suggested on, and the time of each command. Figures:
docs/SUGGEST.md ("Training") and docs/PERFORMANCE.md ("Suggestions").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from keys_per_span import ARTICLES, GOLD, SAMPLES, Key, read_gold

from annotator.core.corpus import Corpus
from annotator.core.display import terminal_safe
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.spans import Annotation, span_over_chars
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize


def write_accepted(store_path: Path, sources: Sequence[Path], gold_path: Path, keep: set[str] | None = None) -> int:
    """Append the gold of `sources` (only the paragraphs in `keep`, if given) as accepted records; how many."""
    schema = load_schema(default_schema_path())
    written = 0
    with Corpus(sources) as corpus, Store(store_path) as store:
        gold, _ = read_gold(corpus, gold_path)
        for article in corpus:
            for paragraph in article.paragraphs:
                if paragraph.id not in gold or (keep is not None and paragraph.id not in keep):
                    continue
                tokens = tokenize(paragraph.text)
                spans = tuple(span_over_chars(tokens, start, end, label, paragraph.text, id=f"s{number}")
                              for number, (start, end, label) in enumerate(gold[paragraph.id], start=1))
                store.append(to_record(paragraph, tokens, Annotation(spans=spans, answer="accept"),
                                       schema_ref=schema.ref, annotator="gold"))
                written += 1
    return written


def annotator(*arguments: str) -> float:
    """Run `annotator ARGUMENTS` as its own process, as a lead would; the seconds it took."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "annotator", *arguments], check=True)
    return time.perf_counter() - started


def report(store_path: Path, gold: dict[str, list[Key]], paragraphs: Sequence[str]) -> None:
    """Every suggestion on `paragraphs`, marked `=` where it is exactly gold, then the counts."""
    store = read_store(store_path)
    found = Counter[str]()
    exact = Counter[str]()
    wanted = Counter(label for paragraph_id in paragraphs for _, _, label in gold.get(paragraph_id, ()))
    for paragraph_id in paragraphs:
        record = store.get(paragraph_id)
        suggested = [span for span in (record or {}).get("spans") or () if span.get("suggested")]
        gold_keys = set(gold.get(paragraph_id, ()))
        print(terminal_safe(f"{paragraph_id}: {len(suggested)} suggested, {len(gold_keys)} gold"))
        for span in suggested:
            hit = (span["start"], span["end"], span["label"]) in gold_keys
            found[span["label"]] += 1
            exact[span["label"]] += hit
            print(terminal_safe(f"  {'=' if hit else ' '} {span['label']:<12} {span['text']!r}"))
    print(f"\n{'label':<14}{'suggested':>10}{'exact':>7}{'gold':>6}{'P':>7}{'R':>7}")
    for label in [*sorted(set(found) | set(wanted)), "overall"]:
        made, right, total = ((found.total(), exact.total(), wanted.total()) if label == "overall"
                              else (found[label], exact[label], wanted[label]))
        print(f"{terminal_safe(label):<14}{made:>10}{right:>7}{total:>6}{right / made if made else 0:>7.2f}{right / total if total else 0:>7.2f}")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Train from a store, suggest on an article, score against its gold.")
    parser.add_argument("--article", type=Path, required=True, action="append", help="article(s) to suggest on")
    parser.add_argument("--gold", type=Path, help="the article's gold spans (keys_per_span_gold.jsonl's format)")
    parser.add_argument("--store", type=Path, action="append",
                        help="train from this store (repeatable; default: the bundled samples' gold, accepted)")
    parser.add_argument("--train-on-half", action="store_true",
                        help="also train on the first half of the article's gold paragraphs; suggest on the other half")
    parser.add_argument("--seed", type=int, default=0, help="annotator train --seed (default 0)")
    options = parser.parse_args(argv)
    if options.train_on_half and options.gold is None:
        parser.error("--train-on-half needs --gold")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stores = options.store or []
        trained_on = [folder / "accepted.jsonl"] if not stores or options.train_on_half else []
        if not options.store:
            count = write_accepted(trained_on[0], [SAMPLES / article for article in ARTICLES], GOLD)
            print(f"training store: the bundled samples' gold, {count} accepted paragraph(s)")
        gold: dict[str, list[Key]] = {}
        with Corpus(options.article) as corpus:
            paragraphs = [paragraph.id for article in corpus for paragraph in article.paragraphs]
            if options.gold is not None:
                gold = read_gold(corpus, options.gold)[0]
        if options.train_on_half:
            annotated = [paragraph_id for paragraph_id in paragraphs if paragraph_id in gold]
            first_half = set(annotated[: len(annotated) // 2])
            count = write_accepted(trained_on[0], options.article, options.gold, keep=first_half)
            print(f"training store: + the article's first {count} gold paragraph(s); suggesting on the rest")
            paragraphs = [paragraph_id for paragraph_id in paragraphs if paragraph_id not in first_half]
        model = folder / "model"
        train_seconds = annotator("train", *map(str, [*stores, *trained_on]), "--out", str(model), "--quiet",
                                  "--seed", str(options.seed))
        suggest_seconds = annotator("suggest", *map(str, options.article), "--out", str(folder / "suggested.jsonl"),
                                    "--model", str(model), "--annotator", "trial", "--quiet")
        print()
        report(folder / "suggested.jsonl", gold, paragraphs)
    print(f"\ntrain {train_seconds:.1f} s, suggest --model {suggest_seconds:.1f} s (each a whole command, Python's start included)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
