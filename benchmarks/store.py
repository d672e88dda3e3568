"""What one saved keystroke costs, and what reopening a big store costs.

Run: python benchmarks/store.py [--appends 300] [--records 100000]

Prints the median and 95th percentile of one `Session.tag_tokens` (build the record, check it,
append, fsync) on a 1,000-word paragraph with 200 spans, against `json.dumps` of the same
record alone (the baseline, in the same process), and the time to open a store of N records.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.store import Store, read_store

WORDS = ["Militia", "fighters", "attacked", "the", "base", "near", "Deir", "el-Zour", ",",
         "killing", "at", "least", "18", "people", ",", "officials", "said", "."]
LABELS = ("ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION")


def paragraph(words: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(words))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def keystrokes(folder: Path, appends: int) -> None:
    source = folder / "long.txt"
    source.write_text(paragraph(1000) + "\n", encoding="utf-8")
    with Corpus([source]) as corpus, Store(folder / "keys.jsonl") as store:
        session = Session(corpus, load_schema(default_schema_path()), store, "bench")
        words = [t.id for t in session.tokens if not t.text.isspace()]
        for n in range(200):
            session.tag_tokens(words[n * 4], words[n * 4 + 1], LABELS[n % 4])
        saved, dumped = [], []
        for n in range(appends):
            word = words[800 + (n * 7) % 200]  # free of the 200 spans on words 0..799
            started = time.perf_counter()
            session.tag_tokens(word, word, LABELS[n % 4])
            saved.append(time.perf_counter() - started)
            session.undo()
            record = to_record(session.paragraph, session.tokens, session.annotation,
                               schema_ref=session.schema.ref, annotator="bench")
            started = time.perf_counter()
            json.dumps(record, ensure_ascii=False)
            dumped.append(time.perf_counter() - started)
        size = len(json.dumps(record, ensure_ascii=False).encode())
    median, p95 = statistics.median(saved) * 1000, percentile(saved, 0.95) * 1000
    base = statistics.median(dumped) * 1000
    print(f"save one edit, 1,000 words / 200 spans ({size / 1024:.0f} KiB a line): "
          f"median {median:.2f} ms, p95 {p95:.2f} ms; json.dumps alone {base:.2f} ms (x{median / base:.1f})")


def reopen(folder: Path, records: int) -> None:
    path = folder / "big.jsonl"
    line = {"id": "", "text": "Iraq said so.", "tokens": [{"text": "Iraq", "start": 0, "end": 4, "id": 0, "ws": True}],
            "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "LOCATION", "text": "Iraq"}],
            "answer": "accept"}
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(records):
            line["id"] = f"a{n // 10}#{n % 10}"
            handle.write(json.dumps(line) + "\n")
    started = time.perf_counter()
    with open(path, "rb") as handle:
        for raw in handle:
            json.loads(raw)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    contents = read_store(path)
    opened = time.perf_counter() - started
    print(f"open a store of {len(contents.lines):,} records: {opened:.2f} s; "
          f"json.loads of every line {baseline:.2f} s (x{opened / baseline:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        keystrokes(Path(folder), args.appends)
        reopen(Path(folder), args.records)


if __name__ == "__main__":
    main()
