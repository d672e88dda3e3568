"""How good the starter patterns' suggestions are, against hand-written gold (issue 13).

Run: `python benchmarks/patterns_quality.py` (needs the `spacy` extra). It runs `annotator suggest
--patterns FILE` (by default the bundled `news-conflict.patterns.jsonl`) on the articles into a
fresh store and compares each suggestion with the gold spans of its paragraph:

- **exact**: the same start, end and label as a gold span;
- **partial**: not exact, but overlapping a gold span of the same label (a cue without its
  source, a figure without its noun): on the screen it costs a `tab` and a `backspace` and the
  span is then tagged by hand, as a wrong one does;
- **wrong**: the rest.

Per label it prints the suggestions, those three counts, the gold spans and how many of them
were suggested exactly, precision (exact / suggested) and recall (gold found / gold). Only
paragraphs the gold file lists are counted. `--show` lists every partial, wrong and missed span.

The default is the bundled samples `border-clashes.txt` and `port-shelling.txt` with
`keys_per_span_gold.jsonl`; `--article PATH` (repeatable) and `--gold PATH` take any other, e.g.
`--article ../shared/reference/seed-article.txt --gold benchmarks/seed_article_gold.jsonl`. The gold
format is keys_per_span.py's (`[label, text, nth?, {attribute: value}?]` a span). Figures:
docs/SUGGEST.md ("Starter patterns").
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keys_per_span import ARTICLES, GOLD, PATTERNS, SAMPLES, Key, read_gold

from annotator.cli import main
from annotator.core.corpus import Corpus
from annotator.core.store import read_store

TOTAL = "all"


@dataclass
class Tally:
    """The counts of one label (or of all of them)."""

    suggested: int = 0
    exact: int = 0
    partial: int = 0
    wrong: int = 0
    gold: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        return self.exact / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0


@dataclass
class Comparison:
    """Tallies by label, and the spans that were not right, for `--show`."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def tally(self, label: str) -> Tally:
        return self.tallies.setdefault(label, Tally())


def suggested_spans(sources: Sequence[Path], patterns: Path, folder: Path) -> dict[str, list[Key]]:
    """The suggestions `annotator suggest --patterns` writes for the sources, by paragraph id."""
    store = folder / "suggested.jsonl"
    with contextlib.redirect_stderr(io.StringIO()):
        status = main(["suggest", *map(str, sources), "--out", str(store), "--patterns", str(patterns),
                       "--annotator", "bench", "--quiet"])
    if status != 0:
        raise SystemExit(f"annotator suggest exited with status {status}")
    if not store.exists():
        return {}
    return {record["id"]: [(span["start"], span["end"], span["label"]) for span in record.get("spans") or ()
                           if span.get("suggested")]
            for record in read_store(store).iter_latest()}


def compare(corpus: Corpus, gold: dict[str, list[Key]], suggestions: dict[str, list[Key]]) -> Comparison:
    """Each suggestion of a gold paragraph as exact, partial or wrong; each gold span as found or missed."""
    texts = {paragraph.id: paragraph.text for article in corpus for paragraph in article.paragraphs}
    comparison = Comparison()
    for paragraph_id, gold_spans in gold.items():
        text = texts[paragraph_id]
        wanted = set(gold_spans)
        made = set(suggestions.get(paragraph_id, ()))
        for start, end, label in sorted(made):
            kind = "exact" if (start, end, label) in wanted else (
                "partial" if any(label == other and start < gold_end and gold_start < end
                                 for gold_start, gold_end, other in wanted) else "wrong")
            for tally in (comparison.tally(label), comparison.tally(TOTAL)):
                tally.suggested += 1
                setattr(tally, kind, getattr(tally, kind) + 1)
            if kind != "exact":
                comparison.misses.append(f"{paragraph_id:20} {kind:8} {label:12} {text[start:end]!r}")
        for start, end, label in gold_spans:
            for tally in (comparison.tally(label), comparison.tally(TOTAL)):
                tally.gold += 1
                tally.found += (start, end, label) in made
            if (start, end, label) not in made:
                comparison.misses.append(f"{paragraph_id:20} {'missed':8} {label:12} {text[start:end]!r}")
    return comparison


def report(comparison: Comparison, sources: Sequence[Path], patterns: Path, show: bool) -> None:
    print(f"{patterns.name} on {', '.join(source.name for source in sources)}")
    print(f"{'label':12} {'suggested':>9} {'exact':>5} {'partial':>7} {'wrong':>5} {'gold':>4} {'found':>5} "
          f"{'precision':>9} {'recall':>6}")
    labels = sorted(label for label in comparison.tallies if label != TOTAL)
    for label in [*labels, TOTAL]:
        tally = comparison.tally(label)
        print(f"{label:12} {tally.suggested:9} {tally.exact:5} {tally.partial:7} {tally.wrong:5} {tally.gold:4} "
              f"{tally.found:5} {tally.precision:9.2f} {tally.recall:6.2f}")
    if show:
        print()
        print("\n".join(comparison.misses))


def main_benchmark(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="The starter patterns' suggestions against gold spans.")
    parser.add_argument("--article", type=Path, action="append",
                        help="an article to suggest on (repeatable; default: the bundled samples)")
    parser.add_argument("--gold", type=Path, default=GOLD, help=f"its gold spans (default: {GOLD.name})")
    parser.add_argument("--patterns", type=Path, default=PATTERNS, help=f"the patterns file (default: {PATTERNS.name})")
    parser.add_argument("--show", action="store_true", help="list every partial, wrong and missed span")
    options = parser.parse_args(argv)
    sources = options.article or [SAMPLES / article for article in ARTICLES]
    corpus = Corpus(sources)
    gold, _values = read_gold(corpus, options.gold)
    with tempfile.TemporaryDirectory() as folder:
        suggestions = suggested_spans(sources, options.patterns, Path(folder))
    report(compare(corpus, gold, suggestions), sources, options.patterns, options.show)
    return 0


if __name__ == "__main__":
    sys.exit(main_benchmark(sys.argv[1:]))
