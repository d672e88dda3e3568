"""`annotator suggest` per 1,000 paragraphs, against `nlp.pipe` alone on the same texts.

    python benchmarks/suggest.py [--paragraphs N] [--batch-size N]

A generated corpus of `--paragraphs` paragraphs (5,000 by default; wire-style sentences with
casualty figures and attributions in two of three, random words otherwise) is suggested into
a fresh store with the bundled starter patterns, as the command runs it (reading the corpus,
the span rulers, tokenizing each paragraph our way, building, checking and fsyncing a record per
paragraph with suggestions). The baseline is the same patterns pipeline's `nlp.pipe` over the
same texts, doing nothing with the Docs. A second run over the same store shows the cost of
resuming (every paragraph with suggestions is skipped before spaCy sees it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from annotator.cli import main
from annotator.core.schema import default_schema_path
from annotator.suggest.patterns import read_patterns
from annotator.suggest.pipelines import patterns_pipeline

WORDS = ["the", "of", "forces", "town", "road", "near", "report", "week", "officials", "strike", "convoy", "city", "border", "group", "area", "water"]
SENTENCES = ["At least {n} civilians were killed near {place}, officials said.",
             "Dozens of fighters were wounded, according to the provincial health ministry.",
             "{n} of its members died in the attack, the group claimed."]
PLACES = ["Marsa Kebir", "the northern districts", "Tower 22", "the river crossing"]


def write_corpus(path: Path, paragraphs: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(0, paragraphs, 4):
            article = []
            for _ in range(min(4, paragraphs - number)):
                if rng.random() < 2 / 3:
                    text = rng.choice(SENTENCES).format(n=rng.randint(2, 90), place=rng.choice(PLACES))
                else:
                    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."
                article.append(text)
            texts.extend(article)
            handle.write(json.dumps({"id": f"b{number}", "text": "\n\n".join(article)}) + "\n")
    return texts


def timed_suggest(corpus: Path, store: Path, patterns: Path, batch_size: int) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        status = main(["suggest", str(corpus), "--out", str(store), "--patterns", str(patterns), "--annotator", "bench",
                       "--quiet", "--batch-size", str(batch_size)])
    if status != 0:
        raise SystemExit(f"suggest exited with {status}")
    return time.perf_counter() - start


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    patterns = default_schema_path().with_name("news-conflict.patterns.jsonl")
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.jsonl"
        texts = write_corpus(corpus, args.paragraphs)
        nlp = patterns_pipeline([read_patterns(patterns)]).nlp
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=args.batch_size):
            pass
        pipe = time.perf_counter() - start
        store = Path(folder) / "store.jsonl"
        first = timed_suggest(corpus, store, patterns, args.batch_size)
        again = timed_suggest(corpus, store, patterns, args.batch_size)
        records = len(store.read_bytes().splitlines())
    per = 1000 / len(texts)
    print(f"{len(texts)} paragraphs, {records} records with suggestions, batch size {args.batch_size}")
    print(f"{'nlp.pipe alone':<28}{pipe * per:>8.3f} s / 1,000 paragraphs")
    print(f"{'annotator suggest':<28}{first * per:>8.3f} s / 1,000 paragraphs  ({first / pipe:.1f}x nlp.pipe)")
    print(f"{'suggest again (resume)':<28}{again * per:>8.3f} s / 1,000 paragraphs")


if __name__ == "__main__":
    sys.exit(main_benchmark())
