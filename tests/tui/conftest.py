"""Fixtures for the annotate screen: a real Session over articles written to a tmp folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from annotator.core.corpus import Corpus
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.store import Store, read_store

STORIES = {
    "a-strikes": [
        "In Syria, the Islamic Revolutionary Guard Corps said at least 18 people died in Deir el-Zour.",
        "US officials said 16,000 people fled the fighting near Al-Mayadeen.",
        "The ministry denied any involvement.",
    ],
    "b-border": [
        "Troops crossed the border at dawn, residents said.",
        "Nobody was hurt.",
    ],
}


def write_articles(folder: Path, articles: dict[str, list[str]], *, newline: str = "\n") -> Path:
    """One .txt article per id, paragraphs separated by a blank line; bytes written exactly."""
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, paragraphs in articles.items():
        body = (newline * 2).join(paragraphs) + newline
        (folder / f"{article_id}.txt").write_bytes(body.encode("utf-8"))
    return folder


class Workspace:
    """A session over some articles, its store file, and helpers to read what was saved."""

    def __init__(self, root: Path, articles: dict[str, list[str]], newline: str = "\n") -> None:
        self.sources = write_articles(root / "articles", articles, newline=newline)
        self.store_path = root / "annotations.jsonl"
        self.store = Store(self.store_path)
        self.session = Session(Corpus([self.sources]), load_schema(default_schema_path()), self.store, "tester")

    def saved(self) -> dict[str, dict]:
        """The latest saved record per paragraph id, read back from the file."""
        return read_store(self.store_path).latest

    def saved_lines(self) -> int:
        return len(read_store(self.store_path).lines)

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    made: list[Workspace] = []

    def make(articles: dict[str, list[str]] | None = None, newline: str = "\n") -> Workspace:
        space = Workspace(tmp_path / f"w{len(made)}", articles or STORIES, newline)
        made.append(space)
        return space

    yield make
    for space in made:
        space.close()


@dataclass(frozen=True)
class Sent:
    """One notification as the app was asked to show it."""

    title: str
    message: str
    severity: str


def record_notifications(app: App[Any]) -> list[Sent]:
    """Every notification `app` is asked to show from now on, through its public `notify` (screens call it too)."""
    sent: list[Sent] = []
    notify = app.notify

    def recording(message: str, *, title: str = "", severity: Any = "information", **options: Any) -> None:
        sent.append(Sent(title, message, severity))
        notify(message, title=title, severity=severity, **options)

    app.notify = recording  # type: ignore[method-assign]
    return sent


@pytest.fixture
def notifications() -> Callable[[App[Any]], list[Sent]]:
    """`notifications(app)`: the list of what `app` notifies from then on (see `record_notifications`)."""
    return record_notifications
