"""A progress bar for long imports and exports: rich, on stderr, only when stderr is a terminal.

Output files and standard output never see it, and `--quiet` turns it off. It is built at the
first update, so a short job that never reports costs nothing.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, Task, TaskID
    from rich.text import Text


class ProgressBar:
    """`what ━━━━━━━━━━━╺━━━━━━━  40% (400/1000)` on stderr; a count alone while the total is not known."""

    def __init__(self, what: str, *, quiet: bool = False) -> None:
        self.what = what
        self.enabled = not quiet and sys.stderr.isatty()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def update(self, done: int, total: int | None) -> None:
        """`done` of `total` (None: not known yet, as while an import reads its file)."""
        if not self.enabled:
            return
        if self._progress is None or self._task is None:
            self._progress, self._task = _started(self.what)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _started(what: str) -> tuple[Progress, TaskID]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn

    class Count(ProgressColumn):
        def render(self, task: Task) -> Text:
            from rich.text import Text

            if task.total is None:
                return Text(f"{int(task.completed)} read")
            return Text(f"{task.percentage:3.0f}% ({int(task.completed)}/{int(task.total)})")

    progress = Progress(TextColumn("{task.description}"), BarColumn(), Count(),
                        console=Console(file=sys.stderr), refresh_per_second=5)
    progress.start()
    return progress, progress.add_task(what, total=None)
