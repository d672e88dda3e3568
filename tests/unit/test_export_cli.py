"""`annotator export` from the user's side: bad input is a plain message and exit 2, outputs are whole."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store

from annotator.cli import main


def test_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "nope.jsonl"), "--format", "jsonl"]) == 2
    err = capsys.readouterr().err
    assert "nope.jsonl: no such store" in err and "Traceback" not in err


def test_broken_store_names_the_line_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    store.write_bytes(store.read_bytes() + b"{not json\n" + store.read_bytes().splitlines(keepends=True)[0])
    out = tmp_path / "out.conll"
    assert main(["export", str(store), "--format", "conll", "--out", str(out)]) == 2
    assert f"{store}:4:" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_format_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(store), "--format", "csv"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'csv'" in capsys.readouterr().err


def test_unknown_include_word(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    assert main(["export", str(store), "--format", "jsonl", "--include", "drafts"]) == 2
    assert "--include: drafts is not one of unfinished, rejected, ignored" in capsys.readouterr().err


def test_refuses_to_overwrite_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    before = store.read_bytes()
    assert main(["export", str(store), "--format", "jsonl", "--out", str(store)]) == 2
    assert "that is the store itself" in capsys.readouterr().err
    assert store.read_bytes() == before


def test_default_out_is_beside_the_store_and_replaces_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    assert main(["export", str(store), "--format", "conll"]) == 0
    assert (tmp_path / "store.conll").read_text(encoding="utf-8").startswith("-DOCSTART-")
    assert main(["export", str(store), "--format", "hf"]) == 0
    assert main(["export", str(store), "--format", "hf"]) == 0  # an existing folder is replaced whole
    assert sorted(p.name for p in (tmp_path / "store-hf").iterdir()) == ["README.md", "data.jsonl", "label_names.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind
    err = capsys.readouterr().err
    assert "exported 3 paragraph(s)" in err


def test_orphan_labels_are_exported_and_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    text = store.read_text(encoding="utf-8").replace('"label":"LOCATION","text":"Syria"',
                                                     '"label":"PLACE","text":"Syria"')
    store.write_text(text, encoding="utf-8")
    out = tmp_path / "out.conll"
    assert main(["export", str(store), "--format", "conll", "--out", str(out)]) == 0
    assert "Syria B-PLACE" in out.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert "1 span(s) have a label that is not in the schema" in err and "mix#2/s" in err
    assert "conll: 1 overlapping span(s)" in err


class _Terminal:
    """A stderr that says it is a terminal, so the progress bar is drawn."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_bar_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    assert main(["export", str(store), "--format", "jsonl", "--out", str(tmp_path / "a.jsonl")]) == 0
    assert "%" not in capsys.readouterr().err
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["export", str(store), "--format", "jsonl", "--out", str(tmp_path / "b.jsonl")]) == 0
    drawn = "".join(terminal.written)
    assert "100% (3/3)" in drawn and "\r" in drawn
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_unwritable_output_is_a_plain_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    assert main(["export", str(store), "--format", "conll", "--out", str(blocker / "out.conll")]) == 2
    assert "cannot be written" in capsys.readouterr().err
    assert main(["export", str(store), "--format", "hf", "--out", str(blocker)]) == 2
    assert "is a file; hf writes a folder" in capsys.readouterr().err
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


@pytest.mark.parametrize("format_name", ["hf", "brat"])
def test_a_folder_with_other_files_is_never_replaced(tmp_path: Path, format_name: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A folder export replaces its folder whole: `--out .` used to delete everything in it."""
    store = make_store(tmp_path / "store.jsonl")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"years of work")
    assert main(["export", str(store), "--format", format_name, "--out", str(folder)]) == 2
    assert "thesis.docx" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]
    (folder / "thesis.docx").unlink()
    assert main(["export", str(store), "--format", format_name, "--out", str(folder)]) == 0  # empty: fine
    assert main(["export", str(store), "--format", format_name, "--out", str(folder)]) == 0  # its own export: replaced


def test_label_studio_config_has_controls_for_orphan_attributes(tmp_path: Path) -> None:
    """Label Studio refuses a result whose from_name the config lacks (here PLACE_kind)."""
    import json
    import xml.etree.ElementTree as ElementTree

    store = make_store(tmp_path / "store.jsonl")
    store.write_text(store.read_text(encoding="utf-8").replace('"label":"LOCATION","text":"بغداد"',
                                                               '"label":"PLACE","text":"بغداد"'), encoding="utf-8")
    out = tmp_path / "tasks.json"
    assert main(["export", str(store), "--format", "label-studio", "--out", str(out)]) == 0
    config = ElementTree.fromstring((tmp_path / "tasks.label_config.xml").read_text(encoding="utf-8"))
    controls = {element.get("name") for element in config.iter() if element.get("toName")}
    used = {result["from_name"] for task in json.loads(out.read_text(encoding="utf-8"))
            for result in task["annotations"][0]["result"] if result["type"] != "relation"}
    assert "PLACE_kind" in used and used <= controls
    choices = next(e for e in config.iter("Choices") if e.get("name") == "PLACE_kind")
    assert [c.get("value") for c in choices.iter("Choice")] == ["city"]


def test_a_crash_fragment_at_the_end_is_reported_and_the_rest_exported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "store.jsonl")
    store.write_bytes(store.read_bytes() + b'{"id": "mix#3", "text": "cut o')
    before = store.read_bytes()
    out = tmp_path / "out.jsonl"
    assert main(["export", str(store), "--format", "jsonl", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{store}:4: the last line is cut off" in err and "exported 3 paragraph(s)" in err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert store.read_bytes() == before  # export only reads


def test_out_over_an_existing_file_replaces_it_whole(tmp_path: Path) -> None:
    """Documented: the new export is renamed over the old file, so a reader holding the old one
    keeps reading it whole and a failed export leaves it untouched."""
    store = make_store(tmp_path / "store.jsonl")
    out = tmp_path / "out.conll"
    out.write_text("an older export\n", encoding="utf-8")
    with open(out, encoding="utf-8") as old_reader:
        assert main(["export", str(store), "--format", "conll", "--out", str(out)]) == 0
        assert old_reader.read() == "an older export\n"
    assert out.read_text(encoding="utf-8").startswith("-DOCSTART-")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_out_that_is_not_a_regular_file_is_refused_and_left_alone(tmp_path: Path, kind: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Renaming over a named pipe or /dev/stdout (as root: the device node itself) would destroy it."""
    import os
    import stat

    store = make_store(tmp_path / "store.jsonl")
    out = tmp_path / "out.jsonl"
    if kind == "fifo":
        os.mkfifo(out)
    else:
        out.symlink_to(os.devnull)
    assert main(["export", str(store), "--format", "jsonl", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"annotator: {out}:" in err and "not a regular file" in err and "Traceback" not in err
    assert stat.S_ISFIFO(os.lstat(out).st_mode) if kind == "fifo" else os.readlink(out) == os.devnull
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_label_studio_tasks_are_not_written_when_their_config_cannot_be(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import os

    store = make_store(tmp_path / "store.jsonl")
    os.mkfifo(tmp_path / "tasks.label_config.xml")
    out = tmp_path / "tasks.json"
    assert main(["export", str(store), "--format", "label-studio", "--out", str(out)]) == 2
    assert "tasks.label_config.xml: is a named pipe (FIFO)" in capsys.readouterr().err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
