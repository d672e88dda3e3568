"""Key press to the last byte of the frame, for the installed `annotator annotate` in a terminal.

Run: `python benchmarks/keys.py [--cycles 40] [--case 1000:200 --case 5000:500]`.

Each case writes one paragraph of WORDS words to a `.txt` file and a store holding SPANS
spans on it (made through `Session`, as the screen would), then starts
`annotator annotate FILE --out STORE` in a 120x40 pseudo-terminal (`TERM=xterm-256color`, no
`COLORTERM`; see `terminal.py`) and, alongside it in another, the floor: `floor_app.py`, a
minimal Textual app showing the same text that repaints one line per key. The two are
driven alternately, key by key, so both meet the same load on a shared machine.

A key is timed from writing its bytes to the last byte of the frame it draws (the frame is
over once nothing has come for 40 ms; that wait is not counted). Moves: right, shift+right,
left, tab, shift+tab, end and home, and the steps right between edits (all but the last
three of each run of steps are sent at once, untimed). Edits never touch the set-up: each
cycle steps to a token no span covers, spread over the paragraph, tags it with a label key,
relabels it with another, deletes it, tags it again and undoes that last tag (ctrl+z), so
the paragraph keeps its SPANS spans and every key changes it. At the end the store is read
back to check that it still holds them. (Every word of the paragraph is unique, so a tag
suggests its label at no other occurrence of the word: those spans would stay.)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from terminal import QUIET, Frame, Terminal, installed_command

from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import Annotation, add_span, span_over_tokens
from annotator.core.store import Store

WORDS = ("the", "militia", "said", "at", "least", "18", "people", "were", "killed", "in", "Deir", "el-Zour",
         "Islamic", "Revolutionary", "Guard", "Corps", "16,000", "fled", "according", "to", "officials", "strikes")
LABELS = ("ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION")
MOVES = ("right", "right", "shift+right", "shift+right", "left", "tab", "tab", "shift+tab", "end", "home")
FLOOR = Path(__file__).with_name("floor_app.py")
GOAL_MEDIAN_MS, GOAL_P95_MS = 16.0, 33.0


def paragraph(words: int, seed: int = 7) -> str:
    """News-like words, each made unique by a suffix of letters: tagging one then suggests its label
    at no other occurrence (which would add spans the edit cycles never take back)."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + unique_suffix(index) + ("." if index % 17 == 16 else "")
                    for index in range(words))


def unique_suffix(number: int) -> str:
    """`number` in letters: a, b, ..., z, ba, bb, ..."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[digit] + letters
        if number == 0:
            return letters


def set_up(folder: Path, words: int, spans: int) -> tuple[Path, Path, list[int]]:
    """The paragraph's file, its store with `spans` spans, and the movable tokens no span covers."""
    source, store_path = folder / f"long{words}.txt", folder / f"long{words}.jsonl"
    source.write_text(paragraph(words) + "\n", encoding="utf-8")
    with Corpus([source]) as corpus, Store(store_path) as store:
        session = Session(corpus, load_schema(default_schema_path()), store, "bench")
        tokens = session.tokens
        annotation = Annotation()
        step = max(1, len(tokens) // max(1, spans))
        for number in range(spans):
            first = number * step
            if len(annotation.spans) == spans or first + 1 >= len(tokens):
                break
            label = LABELS[number % len(LABELS)]
            if label == "ACTOR" and number % 8 == 0:  # some nesting: an ATTRIBUTION around an ACTOR
                annotation = add_span(annotation, span_over_tokens(tokens, first, min(first + 3, len(tokens) - 1),
                                                                   "ATTRIBUTION"))
            if len(annotation.spans) < spans:
                annotation = add_span(annotation, span_over_tokens(tokens, first, first + 1, label))
        session.replace(annotation)
        covered = {index for span in annotation.spans for index in range(span.token_start, span.token_end + 1)}
        movable = [token.id for token in tokens if not token.text.isspace()]
        return source, store_path, [index for index in movable if index not in covered]


def span_count(source: Path, store_path: Path) -> int:
    """The annotator's spans (not the suggestions a tag leaves at the word's other occurrences in the paragraph)."""
    with Corpus([source]) as corpus, Store(store_path) as store:
        spans = Session(corpus, load_schema(default_schema_path()), store, "bench").annotation.spans
        return sum(1 for span in spans if not span.suggested)


@dataclass
class Timings:
    moves: list[Frame] = field(default_factory=list)
    edits: list[Frame] = field(default_factory=list)


def edit_cycles(free: list[int], movable: list[int], cycles: int) -> Iterator[list[tuple[str, int, str]]]:
    """Blocks of (key, times, kind): to the next free token (all but the last three steps at once,
    untimed), then five edits there that end where they began."""
    tag, other = "2", "3"  # LOCATION and CASUALTY in the default schema
    cursor = movable[0]  # where `home` leaves the cursor
    for target in free[2::max(1, len(free) // cycles)][:cycles]:  # spread over the paragraph
        steps = movable.index(target) - movable.index(cursor)
        block = [("right", steps - 3, "untimed")] if steps > 3 else []
        block += [("right", 1, "move")] * min(steps, 3)
        block += [(key, 1, "edit") for key in (tag, other, "backspace", tag, "ctrl+z")]
        cursor = target
        yield block


def run_case(folder: Path, words: int, spans: int, cycles: int,
             launcher: Callable[..., list[str]] = installed_command) -> tuple[Timings, list[Frame]]:
    """Time the edit cycles in `launcher`'s command (the installed `annotator`, or `edit_phases.py`'s timed one)."""
    source, store_path, free = set_up(folder, words, spans)
    with Corpus([source]) as corpus, Store(store_path) as store:
        movable = [t.id for t in Session(corpus, load_schema(default_schema_path()), store, "x").tokens
                   if not t.text.isspace()]
    annotator = Terminal(launcher("annotate", str(source), "--out", str(store_path)), cwd=folder)
    floor = Terminal([sys.executable, str(FLOOR), str(source)], cwd=folder)
    timings, floor_frames = Timings(), []
    try:
        annotator.first_paint(f"long{words}#0".encode())
        floor.first_paint(b"militia")
        blocks = [[(key, 1, "move") for key in MOVES] for _ in range(max(1, cycles // 4))]
        blocks += list(edit_cycles(free, movable, cycles))
        for block in blocks:
            for key, times, kind in block:
                frame = annotator.press(key, times=times, quiet=0.25 if kind == "untimed" else QUIET)
                if kind != "untimed":
                    (timings.moves if kind == "move" else timings.edits).append(frame)
                    floor_frames.append(floor.press("right"))
    finally:
        annotator.close()
        floor.close()
    kept = span_count(source, store_path)
    if kept != spans:
        raise RuntimeError(f"the edits should have left {spans} spans, the store has {kept}")
    return timings, floor_frames


def summary(frames: list[Frame]) -> tuple[float, float, int]:
    """Median and 95th percentile in ms, and the median bytes drawn."""
    times = sorted(frame.seconds * 1000 for frame in frames)
    return (statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))],
            int(statistics.median(frame.size for frame in frames)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=40, help="edit cycles per case (5 edits each; default 40)")
    parser.add_argument("--case", action="append", metavar="WORDS:SPANS",
                        help="paragraph size and spans (default: 1000:200 and 5000:500)")
    args = parser.parse_args()
    cases = [tuple(map(int, case.split(":"))) for case in args.case or ["1000:200", "5000:500"]]
    print(f"{'case':24} {'keys':>5} {'median':>8} {'p95':>8} {'bytes':>7}   floor: {'median':>7} {'p95':>7} {'bytes':>6}")
    with tempfile.TemporaryDirectory(prefix="keys-") as temporary:
        for words, spans in cases:
            timings, floor = run_case(Path(temporary), words, spans, args.cycles)
            floor_summary = summary(floor)
            for kind, frames in (("moves", timings.moves), ("edits", timings.edits)):
                median, p95, size = summary(frames)
                print(f"{f'{words:,} words, {spans} spans, {kind}':24} {len(frames):5} {median:6.1f}ms {p95:6.1f}ms "
                      f"{size:7}   floor: {floor_summary[0]:5.1f}ms {floor_summary[1]:5.1f}ms {floor_summary[2]:6}"
                      f"   x{median / floor_summary[0]:.2f} / p95 x{p95 / floor_summary[1]:.2f}")
                if (words, spans) == (1000, 200):
                    verdict = "met" if median <= GOAL_MEDIAN_MS and p95 <= GOAL_P95_MS else "MISSED"
                    print(f"    goal on 1,000 words / 200 spans, {kind}: median <= {GOAL_MEDIAN_MS:.0f} ms and "
                          f"p95 <= {GOAL_P95_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
