"""First paint of `annotator annotate`, on three articles and on a million, against a bare Textual app.

Run: `python benchmarks/startup.py [--runs 7] [--articles 1000000] [--keep DIR]`.

Writes, in a temporary folder, a JSONL corpus of `--articles` articles (about 1.4 KB each,
four paragraphs, some emoji and Arabic: 1.4 GB for a million) and one of three articles of
the same shape. Each run starts, one after the other in a 120x40 pseudo-terminal (see
`terminal.py`): the floor, `floor_app.py` (a bare Textual app drawing the first article's
first paragraph); `annotator annotate` on the three articles; and `annotator annotate` on
the big corpus, each with a store of its own, after one untimed run of each (so that, as
after any installation, Python has its bytecode, the files are in the page cache and the
schema is kept in the user's cache, `annotator.core.schema_cache`). First paint is the time from starting the
process to the last byte of the first screen showing the paragraph's id (or, for the floor,
its first word): the frame is over once nothing has come for 20 ms (Textual's footer draws
its keys again a few tens of milliseconds later; that is not counted). Memory is the process's peak resident
set (VmHWM), whole process, interpreter and all: when the first paint arrives, and once the
screen has settled (no output for 2.5 s: for the big corpus, the whole file is indexed and
the status line has stopped counting). CPU time is what the process's threads had run when
the first paint arrived (the scheduler's count: time spent waiting for a core on a busy
machine is left out, so it varies less than the first paint's time). The medians of the runs are printed with the goals: first paint within
x1.3 of the floor, and the big corpus within x1.2 of the three articles in time and memory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from open_corpus import PARAGRAPHS, write_corpus
from terminal import Terminal, cpu_seconds, installed_command, peak_rss_kib

FLOOR = Path(__file__).with_name("floor_app.py")
INDEXED_QUIET = 2.5  # seconds without output: the screen has settled (and any index is complete)


def run_once(argv: list[str], marker: bytes, folder: Path) -> tuple[float, int, int, float]:
    """Seconds to first paint, peak RSS (KiB) then, peak RSS once the screen has settled (any index
    done), and the CPU seconds the process had had when its first paint arrived."""
    terminal = Terminal(argv, cwd=folder)
    sampled: list[tuple[int, float]] = []

    def when_drawn() -> None:
        pid = terminal.process.pid
        sampled.append((peak_rss_kib(pid), cpu_seconds(pid)))

    try:
        paint = terminal.first_paint(marker, when_drawn=when_drawn)
        at_paint, cpu = sampled[0]
        terminal.settle(INDEXED_QUIET)  # the footer's refinements, and for the big corpus the whole index
        at_end = peak_rss_kib(terminal.process.pid)
    finally:
        terminal.close()
    return paint.seconds, at_paint, at_end, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each program, alternating (default 7)")
    parser.add_argument("--articles", type=int, default=1_000_000, help="articles in the big corpus (default 1,000,000)")
    parser.add_argument("--keep", type=Path, help="write the corpora here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="startup-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        big, small, first = folder / "big.jsonl", folder / "three.jsonl", folder / "first.txt"
        started = time.perf_counter()
        if not big.exists():
            write_corpus(big, 1 << 62, articles=args.articles)
        write_corpus(small, 1 << 62, articles=3)
        first.write_text(PARAGRAPHS[0] + "\n", encoding="utf-8")
        print(f"corpora: {big.stat().st_size / 1e9:.2f} GB, {args.articles:,} articles "
              f"(written in {time.perf_counter() - started:.0f} s); 3 articles, {small.stat().st_size:,} bytes")
        programs = {
            "bare Textual app (floor)": ([sys.executable, str(FLOOR), str(first)], b"Gunmen"),
            "annotate, 3 articles": (installed_command("annotate", str(small), "--out", "three-store.jsonl"),
                                     b"wire-0000000#0"),
            f"annotate, {args.articles:,} articles": (
                installed_command("annotate", str(big), "--out", "big-store.jsonl"), b"wire-0000000#0"),
        }
        results: dict[str, list[tuple[float, int, int, float]]] = {name: [] for name in programs}
        for argv, marker in programs.values():  # warm-up, untimed: bytecode compiled, files in the page cache
            run_once(argv, marker, folder)
        for _ in range(args.runs):
            for name, (argv, marker) in programs.items():
                results[name].append(run_once(argv, marker, folder))

    medians = {name: tuple(statistics.median(run[i] for run in runs) for i in range(4))
               for name, runs in results.items()}
    floor, small_case, big_case = medians.values()
    print(f"\n{'program':32}{'first paint':>12}{'ratio':>8}{'CPU by then':>13}{'ratio':>8}{'RSS at paint':>14}"
          f"{'peak RSS':>11}   (medians of {args.runs})")
    for name, (seconds, at_paint, at_end, cpu) in medians.items():
        print(f"{name:32}{seconds * 1000:9.0f} ms{seconds / floor[0]:7.2f}x{cpu * 1000:10.0f} ms{cpu / floor[3]:7.2f}x"
              f"{at_paint / 1024:11.1f} MB{at_end / 1024:8.1f} MB")
    paint_ratio = small_case[0] / floor[0]
    print(f"\nCPU time to the first paint: x{small_case[3] / floor[3]:.2f} of the floor's "
          "(it counts no waiting for a core: steadier than the time when the machine is busy)")
    big_time, big_memory = big_case[0] / small_case[0], big_case[2] / small_case[2]
    print(f"\ngoal: first paint within x1.3 of the floor: x{paint_ratio:.2f}, {'met' if paint_ratio <= 1.3 else 'MISSED'}")
    print(f"goal: the big corpus within x1.2 of three articles: time x{big_time:.2f} "
          f"({'met' if big_time <= 1.2 else 'MISSED'}), peak memory x{big_memory:.2f} "
          f"({'met' if big_memory <= 1.2 else 'MISSED'}; x{big_case[1] / small_case[1]:.2f} at first paint)")


if __name__ == "__main__":
    main()
