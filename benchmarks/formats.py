"""Import and export throughput per format on the same records, against plain JSON parsing of them.

    python benchmarks/formats.py [--records N] [--formats jsonl,conll,...]

One generated store of `--records` accepted records (100,000 by default; `export.py` makes it)
is exported in every format; each export of an importable format is then imported into a fresh
store. The baselines are the least either direction must do with the same records in the same
process: `json.loads` of every line of the store, and `json.dumps` of every record to a file
(the spaCy export's goal is within 5x of that). Each figure is the whole command, as
`annotator export` / `annotator import` run it (reading, checking, building, writing; an import
also tokenizes every paragraph and fsyncs every record it appends to the store).
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

sys.path.insert(0, str(Path(__file__).parent))
from export import write_store  # the generated store the export benchmark measures

from annotator import formats
from annotator.cli import main
from annotator.core.errors import InputError


def parse_baseline(store: Path) -> float:
    start = time.perf_counter()
    with open(store, "rb") as handle:
        for line in handle:
            json.loads(line)
    return time.perf_counter() - start


def write_baseline(store: Path, out: Path) -> float:
    """`json.dumps` of every record, one a line: what writing the same records as JSON lines costs."""
    with open(store, "rb") as handle:
        records = [json.loads(line) for line in handle]
    start = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return time.perf_counter() - start


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        status = main(argv)
    if status != 0:
        raise SystemExit(f"{' '.join(argv[:3])} failed: {err.getvalue()}")
    return time.perf_counter() - start


def row(what: str, seconds: float, records: int, baseline: float) -> str:
    return f"| {what} | {seconds:.2f} s | {records / seconds:,.0f} | x{seconds / baseline:.1f} |"


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(formats.names()))
    args = parser.parse_args()
    chosen = args.formats.split(",")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = root / "store.jsonl"
        write_store(store, args.records)
        parse = parse_baseline(store)
        dump = write_baseline(store, root / "baseline.jsonl")
        print(f"{args.records:,} records, {store.stat().st_size / 1e6:.0f} MB; Python {sys.version.split()[0]}\n")
        print("| what | time | records/s | ratio |\n|---|---|---|---|")
        print(row("`json.loads` of every line (baseline)", parse, args.records, parse))
        print(row("`json.dumps` of every record (write baseline)", dump, args.records, parse))
        sys.stdout.flush()
        exported: dict[str, Path] = {}
        for name in chosen:
            if formats.get(name).needs is not None:
                try:
                    formats.get(name).check_installed()
                except InputError:  # an extra not installed: say so and go on
                    print(f"| export {name} | skipped (not installed) | | |")
                    continue
            out = root / f"out-{name}{'.json' if name == 'label-studio' else ''}"
            seconds = timed(["export", str(store), "--format", name, "--out", str(out), "--quiet"])
            exported[name] = out
            print(row(f"export {name}", seconds, args.records, parse)
                  + (f" x{seconds / dump:.1f} of the write baseline |" if name == "spacy" else ""))
            sys.stdout.flush()
        for name in (n for n in chosen if n in exported and n in formats.importable()):
            back = root / f"back-{name}.jsonl"
            seconds = timed(["import", str(exported[name]), "--format", name, "--out", str(back), "--annotator", "bench",
                             "--quiet"])
            print(row(f"import {name}", seconds, args.records, parse))
            sys.stdout.flush()


if __name__ == "__main__":
    main_()
