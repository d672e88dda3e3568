"""Where an edit's frame goes: the edit cycles of `keys.py`, timed from inside the installed command.

Run: `python benchmarks/edit_phases.py [--cycles 20] [--case 1000:200]`.

The same pseudo-terminal, paragraph, store and keys as `keys.py` (and the key-to-frame
figures it prints), but the command runs with timers around what an edit does: the screen's
`edit` (the session's change and save, and `show_annotation`: the paragraph's `set_spans`, the
span list's `show_spans`, the label bar, title and status), the wait until Textual's next
compositor refresh, and that refresh, with the time each kind of widget took to give it its
lines (`render_lines`: the widget's own drawing and Textual's styles cache). The rest of the
key-to-frame time is Textual reading the key and writing the frame.

The timers wrap Textual 8's `Screen._compositor_refresh` (a private method) and
`Widget.render_lines`; they add a few microseconds a call.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keys

LOG = "EDIT_PHASES_LOG"
EDIT_PARTS = ("show_annotation", "set_spans", "show_spans")


def instrument(log_path: str) -> None:
    """In the child: time each edit and the compositor refresh that follows it; write them at exit."""
    from textual.screen import Screen
    from textual.widget import Widget

    from annotator.tui.screens.annotate import AnnotateScreen
    from annotator.tui.widgets.panels import SpanList
    from annotator.tui.widgets.paragraph_view import ParagraphView

    frames: list[dict[str, Any]] = []
    pending: dict[str, Any] | None = None  # the last edit, until the refresh that shows it
    rendering: dict[str, float] | None = None

    def wrap(owner: type, name: str, record: Callable[[float, float], None]) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record(start, time.perf_counter())

        setattr(owner, name, timed)

    def edit_done(start: float, end: float) -> None:
        nonlocal pending
        pending = {**(pending or {}), "edit": end - start, "ended": end}

    def part_done(name: str) -> Callable[[float, float], None]:
        def record(start: float, end: float) -> None:
            nonlocal pending
            pending = pending or {}
            pending[name] = pending.get(name, 0.0) + end - start
        return record

    wrap(AnnotateScreen, "edit", edit_done)
    wrap(AnnotateScreen, "show_annotation", part_done("show_annotation"))
    wrap(ParagraphView, "set_spans", part_done("set_spans"))
    wrap(SpanList, "show_spans", part_done("show_spans"))

    original_refresh = Screen._compositor_refresh

    def compositor_refresh(screen: Screen[Any]) -> None:
        nonlocal pending, rendering
        rendering = {}
        start = time.perf_counter()
        original_refresh(screen)
        end = time.perf_counter()
        if pending is not None and "ended" in pending:
            frames.append({**pending, "wait": start - pending.pop("ended"), "render": end - start,
                           "widgets": dict(rendering)})
            pending = None
        rendering = None

    Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign,assignment]
    original_render_lines = Widget.render_lines

    def render_lines(widget: Widget, crop: Any) -> Any:
        start = time.perf_counter()
        try:
            return original_render_lines(widget, crop)
        finally:
            if rendering is not None:
                name = type(widget).__name__
                rendering[name] = rendering.get(name, 0.0) + time.perf_counter() - start

    Widget.render_lines = render_lines  # type: ignore[method-assign,assignment]

    def write() -> None:
        Path(log_path).write_text("".join(json.dumps(frame) + "\n" for frame in frames), encoding="utf-8")

    atexit.register(write)


def child(arguments: list[str]) -> None:
    instrument(os.environ[LOG])
    from annotator.cli import main as annotator_main
    sys.argv = ["annotator", *arguments]
    sys.exit(annotator_main())


def launcher(*arguments: str) -> list[str]:
    """The command `keys.run_case` starts: this script as the instrumented annotator."""
    return [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.2f} ms" if values else "     -"


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20, help="edit cycles per case (5 edits each; default 20)")
    parser.add_argument("--case", action="append", metavar="WORDS:SPANS", help="paragraph size and spans (default 1000:200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edit-phases-") as temporary:
        for case in args.case or ["1000:200"]:
            words, spans = map(int, case.split(":"))
            log = Path(temporary) / f"phases-{words}.jsonl"
            os.environ[LOG] = str(log)
            folder = Path(temporary) / f"case-{words}"
            folder.mkdir()
            timings, floor = keys.run_case(folder, words, spans, args.cycles, launcher=launcher)
            frames = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
            edit_median, edit_p95, _ = keys.summary(timings.edits)
            floor_median, _, _ = keys.summary(floor)
            print(f"{words:,} words, {spans} spans: {len(frames)} edit frames; key to frame {edit_median:.2f} ms median "
                  f"(p95 {edit_p95:.2f}), the floor's {floor_median:.2f} ms")
            print(f"  {'edit (session and screen)':34} {median_ms([f['edit'] for f in frames])}")
            for part in EDIT_PARTS:
                print(f"    {part:32} {median_ms([f.get(part, 0.0) for f in frames])}")
            print(f"  {'wait for the refresh':34} {median_ms([f['wait'] for f in frames])}")
            print(f"  {'compositor refresh':34} {median_ms([f['render'] for f in frames])}")
            names = sorted({name for f in frames for name in f["widgets"]},
                           key=lambda name: -statistics.median(f["widgets"].get(name, 0.0) for f in frames))
            for name in names:
                print(f"    {name + ' lines':32} {median_ms([f['widgets'].get(name, 0.0) for f in frames])}")


if __name__ == "__main__":
    main()
