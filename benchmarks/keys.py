"""Key press to repainted screen in the annotate screen, on long paragraphs with many spans.

Run: `python benchmarks/keys.py [PRESSES]`. Headless, driven by Pilot: each sample sends one
key event and stops the clock when the app hands its next screen update to the driver (the
update is also encoded to terminal bytes, as a real terminal would be sent); then
`pilot.pause()` lets the app settle before the next key. (`pilot.press` itself sleeps for
about 85 ms per key waiting for CPU idleness, which would hide everything measured here.)
A 20-word paragraph is the baseline measured in the same process; the goal is a median of
16 ms or less and a 95th percentile of 33 ms or less on 1,000 words with 200 spans.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import events

from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import Annotation, add_span, span_over_tokens
from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp

WORDS = ("the", "militia", "said", "at", "least", "18", "people", "were", "killed", "in", "Deir", "el-Zour",
         "Islamic", "Revolutionary", "Guard", "Corps", "16,000", "fled", "according", "to", "officials", "strikes")
LABELS = ("ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION")
MOVES = ("right", "right", "shift+right", "shift+right", "left", "tab", "tab", "shift+tab", "end", "home")
# A label key (an edit, fsynced before the screen shows it) and its undo, then a step on.
EDITS = ("3", "ctrl+z", "right", "right", "2", "ctrl+z", "right")


def paragraph(words: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    out = []
    for index in range(words):
        out.append(rng.choice(WORDS) + ("." if index % 17 == 16 else ""))
    return " ".join(out)


def make_session(folder: Path, words: int, spans: int) -> Session:
    source = folder / f"long{words}.txt"
    source.write_text(paragraph(words) + "\n", encoding="utf-8")
    schema = load_schema(default_schema_path())
    session = Session(Corpus([source]), schema, Store(folder / f"long{words}.jsonl"), "bench")
    tokens = session.tokens
    annotation = Annotation()
    step = max(1, len(tokens) // max(1, spans))
    for number in range(spans):
        first = number * step
        if first + 1 >= len(tokens):
            break
        label = LABELS[number % len(LABELS)]
        if label == "ACTOR" and number % 8 == 0:  # some nesting: an ATTRIBUTION around an ACTOR
            annotation = add_span(annotation, span_over_tokens(tokens, first, min(first + 3, len(tokens) - 1),
                                                               "ATTRIBUTION"))
        annotation = add_span(annotation, span_over_tokens(tokens, first, first + 1, label))
    session.replace(annotation)
    return session


class RepaintClock:
    """Times a key event to the first screen update the app sends to its (headless) driver."""

    def __init__(self, app: AnnotatorApp) -> None:
        self.app = app
        self.repainted = asyncio.Event()
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                if hasattr(renderable, "render_segments"):
                    renderable.render_segments(app.console)  # the bytes a terminal would get
                self.repainted.set()
            display(screen, renderable)

        app._display = timed_display  # type: ignore[method-assign]

    async def press(self, key: str) -> float:
        """Milliseconds from sending `key` to the repainted screen."""
        self.repainted.clear()
        start = time.perf_counter()
        self.app._driver.send_message(events.Key(key, key if len(key) == 1 else None))  # type: ignore[union-attr]
        await asyncio.wait_for(self.repainted.wait(), timeout=10)
        return (time.perf_counter() - start) * 1000


async def measure(session: Session, store_path: str, presses: int, keys: Sequence[str]) -> list[float]:
    """Milliseconds from each key press to the repainted screen, cycling through `keys`."""
    app = AnnotatorApp(session, store_path=store_path)
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        clock = RepaintClock(app)
        for index in range(presses):
            timings.append(await clock.press(keys[index % len(keys)]))
            await pilot.pause()
    return timings


def summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def main() -> None:
    cases = [("baseline 20 words, 4 spans", 20, 4), ("1,000 words, 200 spans", 1000, 200),
             ("5,000 words, 500 spans", 5000, 500)]
    presses = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for name, words, spans in cases:
            session = make_session(Path(folder), words, spans)
            store_path = str(session.store.path)
            moves = summary(await measure(session, store_path, presses, MOVES))
            tags = summary(await measure(session, store_path, max(20, presses // 5), EDITS))
            session.store.close()
            results[name] = (moves, tags)
        base_moves, base_tags = results[cases[0][0]]
        print(f"{'case':28} {'move median':>12} {'move p95':>9} {'edit median':>11} {'edit p95':>8}  ratios to baseline")
        for name, (moves, tags) in results.items():
            print(f"{name:28} {moves[0]:10.1f}ms {moves[1]:7.1f}ms {tags[0]:9.1f}ms {tags[1]:6.1f}ms"
                  f"  move x{moves[0] / base_moves[0]:.2f} / p95 x{moves[1] / base_moves[1]:.2f},"
                  f" edit x{tags[0] / base_tags[0]:.2f}")
        for kind, (median, p95) in zip(("moves", "edits"), results[cases[1][0]]):
            print(f"goal on 1,000 words, {kind}: median <= 16 ms ({'met' if median <= 16 else 'MISSED'}), "
                  f"p95 <= 33 ms ({'met' if p95 <= 33 else 'MISSED'})")


if __name__ == "__main__":
    asyncio.run(main())
