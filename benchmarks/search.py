"""How long a corpus search takes when nothing matches (the slowest case), with and without the
line check that skips records without parsing them (`Corpus.may_hold`).

Run: python benchmarks/search.py [--articles 100000]

Writes a JSONL corpus of `--articles` articles (about 580 bytes, seven paragraphs each, so every
line has `\\n` escapes) into a temporary folder, indexes it, and times a search for a word that
is nowhere in it, once as the screen's thread worker runs it and once with every record parsed.
On the screen the search runs in a thread either way; this is how long the status line counts.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.search import TextSearch
from annotator.core.session import Position

FILLER = "Troops moved along the river road at dawn while residents watched from their doorways.\n\n" * 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for number in range(args.articles):
                out.write(json.dumps({"id": f"a{number}", "text": f"Report {number}. {FILLER}"}) + "\n")
        for parsed in (False, True):
            with Corpus([path], full_check_bytes=0) as corpus:
                corpus.wait_until_indexed()
                if parsed:
                    corpus.may_hold = lambda index, folded: True  # type: ignore[method-assign]
                started = time.perf_counter()
                search = TextSearch(corpus, "needle", Position(0, 0), 0)
                search.run()
                took = time.perf_counter() - started
            what = "every record parsed" if parsed else "lines checked first"
            print(f"{what:22} {search.scanned:,} articles in {took:.2f} s ({1e6 * took / search.scanned:.1f} µs each)")


if __name__ == "__main__":
    main()
