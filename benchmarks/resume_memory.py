"""What a resumed store holds in memory, by the line of code that allocated it (tracemalloc).

Run: `python benchmarks/resume_memory.py [--lines 1000000] [--store PATH]`. Uses the store at
`--store` if it exists, else generates one of `--lines` lines there as `store.py` does (60-word
paragraphs, two annotators, ten lines a paragraph, one in five an undo). Opens it once untraced
(which writes the index beside a large store), then resumes it as `annotate` does with
tracemalloc on (`store.py`'s "resume") and prints the Python memory it holds afterwards, the
largest allocation sites first, and the bytes per line and per paragraph id.
"""

from __future__ import annotations

import argparse
import tempfile
import tracemalloc
from pathlib import Path

from store import generate

from annotator.core.store import Store


def resume(path: Path) -> Store:
    """What `annotate` does with its store on start (benchmarks/store.py's RESUME)."""
    store = Store(path)
    contents = store.contents
    contents.get(next(reversed(contents.latest_line)))
    contents.decided_count()
    store.history.undo()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, help="the store to resume (generated there if missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="resume-") as temporary:
        path = args.store or Path(temporary) / "store.jsonl"
        if not path.exists():
            generate(path, args.lines)
        resume(path).close()  # untraced: the first open indexes the store (slow under tracemalloc)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        store = resume(path)
        held = tracemalloc.get_traced_memory()[0] - before
        snapshot = tracemalloc.take_snapshot()
        lines, ids = len(store.contents.lines), len(store.contents.latest_line)
        store.close()
    print(f"{lines:,} lines, {ids:,} paragraph ids: {held / 1e6:.1f} MB held after resuming "
          f"({held / lines:.1f} bytes a line, or {held / ids:.0f} a paragraph id)")
    for stat in snapshot.statistics("lineno")[:8]:
        print(f"{stat.size / 1e6:8.1f} MB {stat.count:>9,} blocks  {stat.traceback[0]}")


if __name__ == "__main__":
    main()
