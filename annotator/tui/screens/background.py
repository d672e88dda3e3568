"""Work the annotate screen hands to a thread, so that a large corpus never freezes it.

A corpus search and the look-up of an id in a corpus still being indexed can take seconds
(minutes on a corpus of millions of articles). Such a job runs in a Textual thread worker: the
status line shows its progress a few times a second, every key keeps working, `escape` stops
it, and its result is used on the screen's thread once it is done. One job runs at a time; a
new one stops the last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from annotator.core.corpus import Corpus
from annotator.core.display import display_text
from annotator.core.search import TextSearch

Result = TypeVar("Result")
PROGRESS_EVERY = 0.2  # seconds between two progress lines
GROUP = "annotate-background"


@dataclass(frozen=True, slots=True)
class Job(Generic[Result]):
    name: str  # what `escape` stops: "search", "go to"
    work: Callable[[Callable[[], bool]], Result]  # runs in the thread, given `cancelled()`
    done: Callable[[Result], None]  # runs on the screen's thread with the result
    progress: Callable[[], str]  # the status line's words while it runs


class Background:
    """The one job in the background of a screen; `say` puts words on its status line."""

    def __init__(self, screen: Screen[Any], say: Callable[[str], None]) -> None:
        self.screen = screen
        self.say = say
        self.job: Job[Any] | None = None
        self.worker: Worker[Any] | None = None
        self.timer: Timer | None = None

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self, job: Job[Result]) -> None:
        self.stop()
        self.job = job
        self.worker = self.screen.run_worker(lambda: job.work(cancelled_flag()), thread=True, group=GROUP,
                                             exit_on_error=False)
        self.timer = self.screen.set_interval(PROGRESS_EVERY, self.show_progress)
        self.show_progress()

    def show_progress(self) -> None:
        if self.job is not None:
            self.say(self.job.progress())

    def stop(self) -> str | None:
        """Stop the job (its result is never used); the name of the job stopped, or None."""
        job = self.job
        if job is None:
            return None
        if self.worker is not None:
            self.worker.cancel()
        self._forget()
        return job.name

    def _forget(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.job = self.worker = self.timer = None

    def state_changed(self, event: Worker.StateChanged) -> None:
        """The screen's `on_worker_state_changed`: a finished job's result is used, a failed one said."""
        job = self.job
        if job is None or event.worker is not self.worker:
            return
        if event.state == WorkerState.SUCCESS:
            self._forget()
            job.done(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._forget()
            self.say(f"{job.name} failed: {event.worker.error}")


def cancelled_flag() -> Callable[[], bool]:
    """In a worker's thread: whether that worker has been cancelled."""
    worker = get_current_worker()
    return lambda: worker.is_cancelled


def search_job(search: TextSearch, done: Callable[[TextSearch], None]) -> Job[TextSearch]:
    """The rest of a corpus search, with the articles looked at as its progress."""

    def work(cancelled: Callable[[], bool]) -> TextSearch:
        search.run(cancelled=cancelled)
        return search

    def progress() -> str:
        more = "" if search.corpus.indexing_done else "+"
        return (f"searching for {display_text(search.query)!r}: {search.scanned:,} of {search.total:,}{more} "
                "articles · esc stops")

    return Job("search", work, done, progress)


def lookup_job(corpus: Corpus, find: Callable[[], Result | None], value: str,
               done: Callable[[Result | None], None]) -> Job[Result | None]:
    """A look-up (`find`) that needs the whole corpus indexed: it waits for the index, then looks."""

    def work(cancelled: Callable[[], bool]) -> Result | None:
        while not corpus.wait_until_indexed(PROGRESS_EVERY):
            if cancelled():
                return None
        return find()

    def progress() -> str:
        return (f"looking for {display_text(value)!r} while the corpus is indexed "
                f"({corpus.article_count:,} articles so far) · esc stops")

    return Job("go to", work, done, progress)
