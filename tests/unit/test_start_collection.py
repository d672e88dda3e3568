"""`annotator annotate` pauses Python's cycle collector from the start until the screen is drawn,
and every way out of the command resumes it; other commands leave it alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.schema import default_schema_path
from annotator.tui.app import AnnotatorApp


@pytest.fixture(autouse=True)
def collector_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    assert gc.isenabled()
    yield
    gc.enable()  # whatever a failing test left


def test_the_collector_is_paused_while_the_screen_opens_and_resumed_when_the_command_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Iraq said so.\n\nSyria denied it.\n", encoding="utf-8")
    while_opening: list[bool] = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda app: while_opening.append(gc.isenabled()))
    assert main(["annotate", str(article), "--out", str(tmp_path / "o.jsonl"), "--annotator", "t"]) == 0
    assert while_opening == [False]
    assert gc.isenabled()


def test_a_refused_annotate_resumes_the_collector(tmp_path: Path) -> None:
    assert main(["annotate", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert gc.isenabled()


def test_other_commands_leave_the_collector_alone(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    paused: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: paused.append("disable"))
    assert main(["schema", "validate", str(default_schema_path())]) == 0
    assert paused == [] and gc.isenabled()
