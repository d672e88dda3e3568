"""How fast is `tokenize` on a long paragraph, against `str.split()` on the same text?

Run: python benchmarks/tokenizer.py [--words N] [--repeat R]

Builds one paragraph of N words (default 5,000) from the bundled sample articles (their
paragraphs in turn, joined by single spaces, so CRLF, U+00A0, curly quotes, emoji and Arabic
from the tricky sample are in it), then prints the best of R timings for:

- `str.split()`: the baseline, the cheapest split of text into words Python has;
- `tokenize`: what the annotate screen calls on every paragraph it opens;
- the full rules alone, without the plain-word shortcut (what the shortcut saves).
"""

from __future__ import annotations

import argparse
import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path

from annotator.core import tokens as tokens_module
from annotator.core.tokens import tokenize

SAMPLES = Path(tokens_module.__file__).resolve().parent.parent / "data" / "samples"


def sample_paragraphs() -> list[str]:
    """Every paragraph of every .txt sample, characters exactly as on disk."""
    paragraphs: list[str] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        paragraphs.extend(part for part in re.split(r"(?:\r?\n)[ \t]*(?:\r?\n)+", text) if part.strip())
    if not paragraphs:
        raise SystemExit(f"no .txt samples in {SAMPLES}")
    return paragraphs


def long_paragraph(words: int) -> str:
    """Sample paragraphs joined by spaces, cut right after the `words`-th whitespace-separated word."""
    parts: list[str] = []
    count = 0
    for paragraph in itertools.cycle(sample_paragraphs()):
        parts.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    text = " ".join(parts)
    last_word = list(itertools.islice(re.finditer(r"\S+", text), words))[-1]
    return text[: last_word.end()]


def best_time(function: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds: the run least disturbed by other processes."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=5000, help="words in the paragraph (default 5000)")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs of each; the best counts (default 50)")
    args = parser.parse_args()

    text = long_paragraph(args.words)
    tokens = tokenize(text)
    assert "".join(token.text + (" " if token.ws else "") for token in tokens) == text
    word_count = len(text.split())

    baseline = best_time(text.split, args.repeat)
    measured = best_time(lambda: tokenize(text), args.repeat)
    full_rules = best_time(lambda: tokens_module._tokenize(text, tokens_module._CHUNK), args.repeat)

    print(f"paragraph: {word_count:,} words, {len(text):,} characters, {len(tokens):,} tokens "
          f"(built from {SAMPLES})")
    print(f"{'':22}{'ms':>9}{'items/s':>14}{'x str.split':>13}   items")
    for name, seconds, count, items in (
        ("str.split (baseline)", baseline, word_count, "words"),
        ("tokenize", measured, len(tokens), "tokens"),
        ("full rules only", full_rules, len(tokens), "tokens"),
    ):
        print(f"{name:22}{seconds * 1000:9.2f}{count / seconds:14,.0f}{seconds / baseline:13.1f}   {items}")
    print(f"shortcut speed-up over the full rules: {full_rules / measured:.1f}x")


if __name__ == "__main__":
    main()
