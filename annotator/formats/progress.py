"""A progress bar for long exports, drawn on stderr only when stderr is a terminal."""

from __future__ import annotations

import sys


class ProgressBar:
    """`what [#####    ]  40% (400/1000)` on one line, redrawn when the percentage changes."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.enabled = sys.stderr.isatty()
        self._shown = -1

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        percent = done * 100 // max(total, 1)
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\r{self.what} [{bar:<25}] {percent:3d}% ({done}/{total})")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self._shown >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()
