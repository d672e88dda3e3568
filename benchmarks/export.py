"""Export throughput per format on a 100,000-record store, against `json.loads` of every line.

    python benchmarks/export.py [--records N] [--formats jsonl,conll,...]

The baseline is the least any export must do: parse each line of the same file once, in the
same process. Each figure is the whole `annotator export` command (reading and checking the
store, compaction, building documents, writing the output), best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

from annotator import formats
from annotator.cli import main
from annotator.core.corpus import Paragraph
from annotator.core.records import to_record
from annotator.core.spans import EMPTY, Relation, add_relation, add_span, decide, span_over_chars
from annotator.core.tokens import tokenize

PARAGRAPHS = [
    ("US officials said strikes on 85 sites in Iraq and Syria killed at least 18 militia group members. 🇮🇶",
     [("US officials said", "ATTRIBUTION", {}), ("US officials", "ACTOR", {"type": "state_forces"}),
      ("Iraq", "LOCATION", {"kind": "country"}), ("Syria", "LOCATION", {"kind": "country"}),
      ("at least 18 militia group members", "CASUALTY", {"count": 18, "qualifier": "at_least", "status": "killed"})]),
    ("قالت وزارة الدفاع إن ثلاثة جنود قتلوا في دير الزور يوم الجمعة.",
     [("وزارة الدفاع", "ACTOR", {}), ("دير الزور", "LOCATION", {})]),
    ("The Popular Mobilization Forces reported 16 deaths.\r\nIran officially denied any involvement.",
     [("Popular Mobilization Forces", "ACTOR", {}), ("16", "CASUALTY", {"count": 16, "status": "killed"}),
      ("Iran officially denied", "ATTRIBUTION", {"polarity": "denies"})]),
]


def templates() -> list[dict]:
    out = []
    for index, (text, spans) in enumerate(PARAGRAPHS):
        tokens = tokenize(text)
        annotation = EMPTY
        for piece, label, attributes in spans:
            start = text.index(piece)
            annotation = add_span(annotation, span_over_chars(tokens, start, start + len(piece), label, text,
                                                              attributes=tuple(sorted(attributes.items()))))
        by_label = {span.label: span.id for span in annotation.spans}
        if "ATTRIBUTION" in by_label and "ACTOR" in by_label:
            annotation = add_relation(annotation, Relation("source", by_label["ATTRIBUTION"], by_label["ACTOR"]))
        paragraph = Paragraph("t", index, text, 0, "bench.txt")
        out.append(to_record(paragraph, tokens, decide(annotation, "accept"),
                             schema_ref={"name": "news-conflict", "version": "1"}, annotator="bench", timestamp=1))
    return out


def write_store(path: Path, count: int, per_article: int = 10) -> None:
    """`count` accepted records, `per_article` paragraphs an article, offsets consistent."""
    bases = templates()
    with open(path, "w", encoding="utf-8") as handle:
        offset = 0
        for n in range(count):
            article, index = divmod(n, per_article)
            if index == 0:
                offset = 0
            record = dict(bases[n % len(bases)])
            record["id"] = f"article-{article}#{index}"
            record["meta"] = {"article_id": f"article-{article}", "paragraph": index, "char_offset": offset,
                              "source": "bench.txt"}
            record["_seq"] = n + 1
            record["_action"] = "edit"
            offset += len(record["text"]) + 2
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def baseline(path: Path) -> float:
    start = time.perf_counter()
    with open(path, "rb") as handle:
        for line in handle:
            json.loads(line)
    return time.perf_counter() - start


def timed_export(store: Path, format_name: str, out: Path, level: str) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        status = main(["export", str(store), "--format", format_name, "--out", str(out), "--level", level])
    if status != 0:
        raise SystemExit(f"export {format_name} failed: {err.getvalue()}")
    return time.perf_counter() - start


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--formats", default=",".join(formats.names()))
    parser.add_argument("--level", default="paragraph", choices=("paragraph", "article"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store.jsonl"
        write_store(store, args.records)
        size = store.stat().st_size
        base = min(baseline(store) for _ in range(max(args.repeat, 1)))
        print(f"store: {args.records:,} records, {size / 1e6:.1f} MB; level {args.level}")
        print(f"{'baseline json.loads':<24} {base:8.2f} s {args.records / base:12,.0f} rec/s      1.0x")
        for format_name in args.formats.split(","):
            if format_name == "spacy":
                try:
                    import spacy  # noqa: F401
                except ImportError:
                    print(f"{format_name:<24} skipped (spaCy not installed)")
                    continue
            out = Path(folder) / f"out-{format_name}"
            seconds = min(timed_export(store, format_name, out, args.level) for _ in range(max(args.repeat, 1)))
            print(f"{'export ' + format_name:<24} {seconds:8.2f} s {args.records / seconds:12,.0f} rec/s "
                  f"{seconds / base:8.1f}x")
            sys.stdout.flush()


if __name__ == "__main__":
    main_()
