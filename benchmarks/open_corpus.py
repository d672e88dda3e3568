"""Does a huge JSONL corpus open as fast, and in as little memory, as a three-article one?

Run: python benchmarks/open_corpus.py [--size 1G] [--keep DIR]

Writes, in a temporary folder, a JSONL of about `--size` bytes (default 1G: a million articles
of ~1 KB, four paragraphs each, some with emoji and Arabic) and a three-article JSONL with
records of the same shape, then prints for each:

- the time and peak Python memory (tracemalloc) to open the corpus and fetch the first article:
  the wait a user has before the first paragraph is on screen;
- for the big one, the time and peak memory until the background index is complete, the time
  to fetch the last article, and the time to look an id up deep in the file (its hash found
  among the index's, then its record read), twice;

and the big/small ratios. Timings are the best of a few runs; memory is measured in a separate
run under tracemalloc (which slows allocation down), so it does not distort the timings. The
peak for "open + first article" runs until the corpus is closed right after the first article,
so it includes what the index thread holds by then.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from annotator.core.corpus import Corpus

T = TypeVar("T")
PARAGRAPHS = (
    ("Gunmen ambushed a fuel convoy on the highway south of Kirkuk on Monday, killing two drivers and a police "
    "officer, the provincial police command said in a statement issued late in the evening."),
    ("Police said the attackers fled towards the Hamrin mountains 🔥 and that security forces had launched a search "
    "operation with support from army helicopters. No group claimed responsibility for the attack on the convoy."),
    ("Local officials in دير الزور blamed remnants of Islamic State, which has carried out dozens of similar attacks "
    "on the road this year, and called for more checkpoints along the route between the two provinces."),
    ("The governor said on Tuesday that repairs to the highway would begin next week and that traffic would be "
    "diverted through the old town, adding that families of the victims would receive compensation from the state."),
)


def parse_size(text: str) -> int:
    """`1G`, `200M`, `64k` or a plain number of bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    suffix = text[-1:].lower()
    return int(float(text[:-1]) * units[suffix]) if suffix in units else int(text)


def write_corpus(path: Path, size: int, articles: int | None = None) -> int:
    """Records of ~1 KB until the file holds `size` bytes (or `articles` records); returns how many."""
    count = 0
    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        batch: list[str] = []
        while written < size and count != articles:
            record = {"id": f"wire-{count:07d}", "text": "\n\n".join(PARAGRAPHS), "meta": {"n": count}}
            line = json.dumps(record, ensure_ascii=False) + "\n"
            batch.append(line)
            written += len(line.encode("utf-8"))
            count += 1
            if len(batch) == 10_000:
                handle.write("".join(batch))
                batch.clear()
        handle.write("".join(batch))
    return count


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds `action` takes, and its result."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def best_open_time(path: Path, runs: int) -> float:
    """Fastest of `runs` opens + first article, each corpus closed (its index thread stopped) before the next."""
    best = float("inf")
    for _ in range(runs):
        seconds, corpus = timed(lambda: open_and_read_first(path))
        corpus.close()
        best = min(best, seconds)
    return best


def peak_bytes(action: Callable[[], object]) -> int:
    """Peak Python memory allocated while `action` runs (its own threads included)."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def open_and_read_first(path: Path) -> Corpus:
    corpus = Corpus([path])
    corpus.article(0)
    return corpus


def open_first_close(path: Path) -> None:
    open_and_read_first(path).close()


def open_index_close(path: Path) -> None:
    corpus = open_and_read_first(path)
    corpus.wait_until_indexed()
    corpus.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1G", help="size of the big JSONL (default 1G; e.g. 200M)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="open-corpus-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        big, small = folder / "big.jsonl", folder / "three.jsonl"
        started = time.perf_counter()
        count = write_corpus(big, parse_size(args.size))
        write_corpus(small, parse_size(args.size), articles=3)
        print(f"wrote {big.stat().st_size / 1024**2:,.0f} MB, {count:,} articles in {time.perf_counter() - started:.1f} s; "
              f"small: 3 articles, {small.stat().st_size:,} bytes")

        small_time = best_open_time(small, 5)
        big_time = best_open_time(big, 5)
        small_peak = peak_bytes(lambda: open_first_close(small))
        big_peak = peak_bytes(lambda: open_first_close(big))

        index_time, corpus = timed(lambda: _indexed(big))
        last_time, last = timed(lambda: corpus.article(corpus.article_count - 1))
        deep_id = f"wire-{count * 9 // 10:07d}"
        scan_time, found = timed(lambda: corpus.article_index(deep_id))
        recent_time, again = timed(lambda: corpus.article_index(deep_id))
        assert corpus.article_count == count and found == again == count * 9 // 10
        assert last.id == f"wire-{count - 1:07d}"
        corpus.close()
        index_peak = peak_bytes(lambda: open_index_close(big))

    print()
    print(f"{'open + first article':<28}{'time':>12}{'peak memory':>16}")
    print(f"{'3 articles':<28}{small_time * 1000:>9.2f} ms{small_peak / 1024:>13,.0f} KB")
    print(f"{f'{count:,} articles':<28}{big_time * 1000:>9.2f} ms{big_peak / 1024:>13,.0f} KB")
    print(f"{'ratio big / small':<28}{big_time / small_time:>11.1f}x{big_peak / small_peak:>15.1f}x")
    print()
    print(f"full index of the big file: {index_time:.2f} s, peak {index_peak / 1024**2:,.1f} MB "
          f"({index_peak / count:.1f} bytes an article)")
    print(f"last article after indexing: {last_time * 1000:.2f} ms")
    print(f"article_index of an id 90% into the file: {scan_time * 1000:.1f} ms, "
          f"{recent_time * 1000:.1f} ms again")


def _indexed(path: Path) -> Corpus:
    corpus = Corpus([path])
    corpus.wait_until_indexed()
    return corpus


if __name__ == "__main__":
    main()
