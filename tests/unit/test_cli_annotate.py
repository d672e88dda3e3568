"""Bad input to `annotator annotate`: exit status 2, one plain message naming the file, nothing changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.schema import default_schema_path
from annotator.tui.app import AnnotatorApp

GOOD_ARTICLE = "Iraq said so.\n\nSyria denied it.\n"
GOOD_RECORD = {"id": "a#0", "text": "Iraq said so.", "tokens": [], "spans": []}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["annotate", *args])
    return status, capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


SOURCES: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\n\t\n", "only whitespace"),
    "binary.txt": (b"PK\x03\x04\x00\x00binary", "binary"),
    "latin1.txt": ("Caf\u00e9 in Damascus".encode("cp1252"), "byte offset 3"),
    "broken.jsonl": (b'{"text": "ok"}\n{"text": oops}\n', ":2:"),
    "notext.jsonl": (b'{"id": "x", "body": "no text here"}\n', "no \"text\""),
    "number.jsonl": (b'{"id": "x", "text": 3}\n', "not a string"),
    "article.docx": (b"whatever", ".txt"),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_bad_sources_are_refused_with_file_and_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    content, expected = SOURCES[name]
    source = tmp_path / name
    source.write_bytes(content)
    before = snapshot(tmp_path)
    status, err = run_cli(capsys, str(source), "--out", str(tmp_path / "out.jsonl"))
    assert status == 2
    assert str(source) in err and expected in err
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before  # no store created, nothing changed


def test_missing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run_cli(capsys, str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out.jsonl"))
    assert status == 2 and "nope.txt" in err and not (tmp_path / "out.jsonl").exists()


def test_folder_with_nothing_to_annotate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("# notes\n")
    status, err = run_cli(capsys, str(tmp_path / "empty"), "--out", str(tmp_path / "out.jsonl"))
    assert status == 2 and "empty" in err


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_ARTICLE, encoding="utf-8")
    return path


def test_missing_schema(tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run_cli(capsys, str(article), "--schema", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o.jsonl"))
    assert status == 2 and "nope.yaml" in err and not (tmp_path / "o.jsonl").exists()


def test_broken_schema_names_line_and_column(tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = tmp_path / "s.yaml"
    schema.write_text("name: x\nversion: '1'\nlabels:\n  - name: A\n    key: '1'\n  - name: B\n    key: '1'\n")
    status, err = run_cli(capsys, str(article), "--schema", str(schema), "--out", str(tmp_path / "o.jsonl"))
    assert status == 2 and f"{schema}:7:" in err and not (tmp_path / "o.jsonl").exists()


def test_out_is_a_folder(tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run_cli(capsys, str(article), "--out", str(tmp_path))
    assert status == 2 and "folder" in err


def test_out_is_not_jsonl(tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run_cli(capsys, str(article), "--out", str(tmp_path / "out.csv"))
    assert status == 2 and ".jsonl" in err and not (tmp_path / "out.csv").exists()


def test_out_broken_before_its_last_line(tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "out.jsonl"
    store.write_text(json.dumps(GOOD_RECORD) + "\n{broken\n" + json.dumps(GOOD_RECORD) + "\n", encoding="utf-8")
    before = store.read_bytes()
    status, err = run_cli(capsys, str(article), "--out", str(store))
    assert status == 2 and f"{store}:2:" in err
    assert store.read_bytes() == before


def test_no_traceback_from_the_installed_entry_point(tmp_path: Path) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("Caf\u00e9".encode("cp1252"))
    result = subprocess.run([sys.executable, "-m", "annotator", "annotate", str(source), "--out", str(tmp_path / "o.jsonl")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("annotator: ") and "Traceback" not in result.stderr
    assert "iconv" in result.stderr


def test_version_and_help() -> None:
    result = subprocess.run([sys.executable, "-m", "annotator", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("annotator ")
    result = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("annotate", "export", "schema"):
        assert command in result.stdout


LABEL_ON_X = "name: x\nlabels:\n  - name: A\n    key: '1'\n  - name: VEHICLE\n    key: x\n"


def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: str) -> None:
    """A config file with this `[keys]` section, as the user's (XDG_CONFIG_HOME)."""
    folder = tmp_path / "config" / "annotator"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f"[keys]\n{keys}\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def opened_apps(monkeypatch: pytest.MonkeyPatch) -> list[AnnotatorApp]:
    """Instead of running the annotate screen, note each app `annotate` would run (with its session and keymap)."""
    opened: list[AnnotatorApp] = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda app: opened.append(app))
    return opened


def test_a_label_on_a_screen_key_is_refused_naming_the_action(tmp_path: Path, article: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    schema = tmp_path / "s.yaml"
    schema.write_text(LABEL_ON_X, encoding="utf-8")
    status, err = run_cli(capsys, str(article), "--schema", str(schema), "--out", str(tmp_path / "o.jsonl"))
    assert status == 2 and f"{schema}:6:10: label 'VEHICLE' has key 'x', reserved by the annotate screen" in err
    assert "(binding id annotator.reject)" in err and "Traceback" not in err
    assert not (tmp_path / "o.jsonl").exists()


def test_a_label_on_a_key_the_user_freed_opens_the_screen(tmp_path: Path, article: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    user_config(tmp_path, monkeypatch, '"annotator.reject" = "X"')
    opened = opened_apps(monkeypatch)
    schema = tmp_path / "s.yaml"
    schema.write_text(LABEL_ON_X, encoding="utf-8")
    status, err = run_cli(capsys, str(article), "--schema", str(schema), "--out", str(tmp_path / "o.jsonl"),
                          "--annotator", "alice")
    assert status == 0, err
    [app] = opened
    assert app.user_keymap == {"annotator.reject": "X"}
    assert [label.key for label in app.session.schema.labels] == ["1", "x"]


def test_a_remapping_onto_a_label_key_is_refused_at_the_label(tmp_path: Path, article: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    user_config(tmp_path, monkeypatch, '"annotator.undo" = "1"')
    opened = opened_apps(monkeypatch)
    status, err = run_cli(capsys, str(article), "--out", str(tmp_path / "o.jsonl"))
    line = default_schema_path().read_text(encoding="utf-8").splitlines().index('    key: "1"') + 1
    assert status == 2 and f"{default_schema_path()}:{line}:10: label 'ACTOR' has key '1'" in err
    assert "annotator.undo, which your [keys] settings put on '1'" in err
    assert opened == [] and not (tmp_path / "o.jsonl").exists()
