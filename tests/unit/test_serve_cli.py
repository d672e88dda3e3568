"""`annotator serve` refuses bad input plainly (exit 2) before it binds a port or writes a links file."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from annotator.cli import main


@pytest.fixture
def team(tmp_path: Path) -> Path:
    source = tmp_path / "news.txt"
    source.write_text("Rebels shelled Aleppo on Friday.\n\nTroops left Homs.\n", encoding="utf-8")
    assert main(["assign", str(source), "--annotators", "alice,bob", "--out", str(tmp_path / "team")]) == 0
    return tmp_path / "team"


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["serve", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no link printed
    return captured.err


def test_a_missing_team_folder_says_how_to_make_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["--team", str(tmp_path / "nope")], capsys)
    assert f"{tmp_path / 'nope'}: no such folder. Make a team folder first: annotator assign" in err


def test_a_folder_without_queues_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["--team", str(tmp_path)], capsys)
    assert "holds no assignment.json, so there are no queues to serve" in err
    assert not (tmp_path / "links.txt").exists()


def test_a_port_in_use_is_refused_before_any_link_is_written(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("textual_serve", reason="needs the serve extra")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        err = refused(["--team", str(team), "--port", str(port)], capsys)
    finally:
        taken.close()
    assert f"port {port} on 127.0.0.1 is in use" in err and "--port 0" in err
    assert not (team / "links.txt").exists()


@pytest.mark.parametrize("name", ["al\x1bice", "bob\x07", "x\u202eevil"])
def test_an_annotator_name_with_control_characters_is_refused(name: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "news.txt"
    source.write_text("Rebels shelled Aleppo.\n", encoding="utf-8")
    err = refused([str(source), "--out", str(tmp_path / "a.jsonl"), "--annotator", name], capsys)
    assert "is not a usable annotator name" in err and "control characters" in err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err  # shown escaped, never sent to the terminal


def test_serve_needs_a_team_or_one_named_annotator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "news.txt"
    source.write_text("Rebels shelled Aleppo.\n", encoding="utf-8")
    assert "serve needs --team DIR" in refused([str(source)], capsys)
    assert "serve needs --team DIR" in refused([str(source), "--out", str(tmp_path / "a.jsonl")], capsys)
    assert f"{tmp_path / 'missing.txt'}: no such file or folder" in refused(
        [str(tmp_path / "missing.txt"), "--out", str(tmp_path / "a.jsonl"), "--annotator", "alice"], capsys)


def test_team_options_that_contradict_are_refused(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "give no SOURCE with it" in refused([str(team / "alice.queue.jsonl"), "--team", str(team)], capsys)
    assert "drop --out and --annotator" in refused(["--team", str(team), "--annotator", "alice"], capsys)
    assert "is also one of the stores to review" in refused(
        ["--team", str(team), "--review", "--out", str(team / "bob.jsonl")], capsys)
    assert not (team / "links.txt").exists() and not (team / "review-links.txt").exists()


def test_a_broken_schema_and_a_bad_public_url_are_refused(team: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text("labels: [\n", encoding="utf-8")
    assert str(schema) in refused(["--team", str(team), "--schema", str(schema)], capsys)
    assert "--public-url 'annotate.example.org'" in refused(["--team", str(team), "--public-url", "annotate.example.org"], capsys)


def test_without_the_serve_extra_it_says_what_to_install(team: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import annotator.serve

    monkeypatch.delitem(sys.modules, "annotator.serve.server", raising=False)
    monkeypatch.delattr(annotator.serve, "server", raising=False)
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    assert "pip install 'annotator[serve]'" in refused(["--team", str(team)], capsys)
