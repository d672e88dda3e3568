"""No command destroys work, and no command prints a raw control character that came from its input."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store

from annotator.cli import main
from annotator.core.display import display_text, terminal_json, terminal_safe, visible_at

HOSTILE = "x\x1b]52;c;cHdu\x07\x9b2J\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _raw_free(text: str) -> bool:
    return not any(char in text for char in RAW)


def test_terminal_safe_keeps_line_breaks_and_shows_controls() -> None:
    assert terminal_safe("a\x1b[31m\nb\x9b") == "a␛[31m\nb¤"
    assert _raw_free(terminal_safe(HOSTILE))


@given(st.text(st.characters(codec=None, exclude_categories=())) | st.sampled_from([HOSTILE, "a\u2028b", "\u00ad\u200b\ufeff"]))
def test_display_text_of_a_printable_string_is_the_string_itself(text: str) -> None:
    # The shortcut for printable strings gives what the character-by-character mapping gives.
    assert display_text(text) == "".join(visible_at(text, index) for index in range(len(text)))
    assert _raw_free(display_text(text))


def test_terminal_json_escapes_what_json_leaves_raw() -> None:
    value = {"label": HOSTILE + "\x7f\ud800", "emoji": "👩\u200d💻"}
    text = terminal_json(value, indent=2)
    assert _raw_free(text) and "\x7f" not in text and "\ud800" not in text
    assert "👩\u200d💻" in text
    assert json.loads(text) == value


@pytest.mark.parametrize("victim", ["store", "schema", "source", "other store", "corpus", "text"])
def test_export_never_replaces_work(victim: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "s.jsonl")
    schema = tmp_path / "schema.yaml"
    schema.write_text(Path("annotator/data/schemas/news-conflict.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    source = tmp_path / "mix.txt"  # the records' meta.source
    source.write_text("the article\n", encoding="utf-8")
    other = make_store(tmp_path / "bob.jsonl")
    corpus = tmp_path / "queue.jsonl"
    corpus.write_text('{"id": "a", "text": "Some text.", "meta": {}}\n', encoding="utf-8")
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n", encoding="utf-8")
    out = {"store": store, "schema": schema, "source": source, "other store": other, "corpus": corpus,
           "text": text}[victim]
    before = out.read_bytes()
    assert main(["export", str(store), "--format", "conll", "--schema", str(schema), "--out", str(out), "--quiet"]) == 2
    assert out.read_bytes() == before
    assert str(out) in capsys.readouterr().err


@pytest.mark.parametrize("format_name", ["jsonl", "conll", "doccano", "label-studio"])
def test_export_replaces_its_own_earlier_output(format_name: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(tmp_path / "s.jsonl")
    out = tmp_path / "out.data"
    assert main(["export", str(store), "--format", format_name, "--out", str(out), "--quiet"]) == 0
    first = out.read_bytes()
    assert main(["export", str(store), "--format", format_name, "--out", str(out), "--quiet"]) == 0
    assert out.read_bytes() == first


def test_out_dev_stdout_writes_through_and_leaves_the_link(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.jsonl")
    before = os.readlink("/dev/stdout")
    command = [sys.executable, "-m", "annotator", "export", str(store), "--format", "conll", "--out", "/dev/stdout",
               "--quiet"]
    piped = subprocess.run(command, capture_output=True, text=True, check=False)
    assert piped.returncode == 0, piped.stderr
    assert "B-" in piped.stdout
    redirected = tmp_path / "redirected.conll"
    redirected.write_text("kept\n", encoding="utf-8")
    with open(redirected, "a", encoding="utf-8") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert redirected.read_text(encoding="utf-8").startswith("kept\n") and "B-" in redirected.read_text(encoding="utf-8")
    assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == before


def _hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / f"d{HOSTILE}"
    folder.mkdir()
    source = folder / "in.jsonl"  # its stem names the paragraphs, and ids with controls are refused
    source.write_text('{"text": "Strikes hit Homs.", "spans": [{"start": 12, "end": 16, "label": "LOCATION"}]}\n',
                      encoding="utf-8")
    return folder, source


def test_no_output_holds_a_raw_control_from_the_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, source = _hostile_folder(tmp_path)
    store = folder / f"s{HOSTILE}.jsonl"
    outputs = []
    assert main(["import", str(source), "--format", "jsonl", "--out", str(store), "--annotator", "t", "--quiet"]) == 0
    outputs.append(capsys.readouterr())
    assert main(["export", str(store), "--format", "jsonl", "--include", "unfinished", "--quiet",
                 "--out", str(folder / f"e{HOSTILE}.jsonl")]) == 0
    outputs.append(capsys.readouterr())
    schema = folder / f"schema{HOSTILE}.yaml"
    schema.write_text(f'name: "{json.dumps(HOSTILE)[1:-1]}"\nlabels:\n  - name: A\n    key: "1"\n', encoding="utf-8")
    assert main(["schema", "validate", str(schema)]) == 2  # its problems are printed by the command itself
    outputs.append(capsys.readouterr())
    schema.write_text(f'name: x\nlabels:\n  - name: A\n    key: "1"\n    description: "{json.dumps(HOSTILE)[1:-1]}"\n',
                      encoding="utf-8")
    assert main(["schema", "validate", str(schema)]) == 0
    outputs.append(capsys.readouterr())
    assert main(["schema", "show", str(schema)]) == 0
    outputs.append(capsys.readouterr())
    assert main(["schema", "diff", str(schema), str(schema), "--store", str(store)]) == 0
    outputs.append(capsys.readouterr())
    assert main(["assign", str(source), "--annotators", "alice,bob", "--out", str(folder / f"team{HOSTILE}")]) == 0
    outputs.append(capsys.readouterr())
    for captured in outputs:
        assert _raw_free(captured.out), captured.out
        assert _raw_free(captured.err), captured.err


def test_error_messages_hold_no_raw_control_from_the_inputs(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = _hostile_folder(tmp_path)[0]
    assert main(["import", str(folder / f"missing{HOSTILE}.jsonl"), "--format", "jsonl",
                 "--out", str(folder / "s.jsonl"), "--annotator", "t"]) == 2
    assert _raw_free(capsys.readouterr().err)


def test_team_commands_print_no_raw_control_from_store_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """stats, agree and merge name the stores they read; a file name holding an escape sequence is shown, not obeyed."""
    first = make_store(tmp_path / f"al{HOSTILE}.jsonl")
    second = make_store(tmp_path / "bob.jsonl")
    shown = terminal_safe(first.name)
    runs = [
        ["stats", str(first), str(second)],
        ["stats", str(first), str(second), "--json"],
        ["agree", str(first), str(second), "--by-store"],
        ["agree", str(first), str(second), "--by-store", "--json"],
        ["merge", str(first), str(second), "--out", str(tmp_path / "merged.jsonl")],
    ]
    for argv in runs:
        assert main(argv) == 0, argv
        out, err = capsys.readouterr()
        assert _raw_free(out) and _raw_free(err), argv
        if "--json" in argv:
            json.loads(out)
    assert main(["stats", str(tmp_path / f"missing{HOSTILE}.jsonl")]) == 2
    assert _raw_free(capsys.readouterr().err)
    assert shown != first.name


def test_merge_refuses_to_write_into_one_of_its_stores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = make_store(tmp_path / "alice.jsonl"), make_store(tmp_path / "bob.jsonl")
    before = first.read_bytes()
    assert main(["merge", str(first), str(second), "--out", str(first)]) == 2
    assert "is one of the stores to merge" in capsys.readouterr().err
    assert first.read_bytes() == before


def _hostile_records_store(path: Path, annotator: str) -> Path:
    """A store whose records hold control characters where no validation looks: the paragraph id (from a
    file name), a span label and source read back from the store, the annotator's name, a note."""
    from annotator.core.corpus import Paragraph
    from annotator.core.records import to_record
    from annotator.core.spans import Annotation, Span
    from annotator.core.store import Store
    from annotator.core.tokens import tokenize

    text = "Strikes hit Homs."
    spans = (Span(12, 16, f"L{HOSTILE}", 2, 2, id="s1", source=f"model:{HOSTILE}"), Span(0, 7, "ACTOR", 0, 0, id="s2"))
    with Store(path) as store:
        for index in range(2):
            paragraph = Paragraph(f"a{HOSTILE}", index, text, index * 19, str(path.parent / f"a{HOSTILE}.txt"))
            annotation = Annotation(spans=spans, answer="accept", flagged=True, note=f"see {HOSTILE}")
            store.append(to_record(paragraph, tokenize(text), annotation, schema_ref={"name": "x", "version": "1"},
                                   annotator=annotator, timestamp=1_700_000_000 + index))
    return path


def test_no_command_prints_a_raw_control_from_the_records(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Labels, ids, names and notes that came from records reach stdout and stderr only as placeholders."""
    from annotator.tui.app import AnnotatorApp, ReviewApp

    monkeypatch.setattr(AnnotatorApp, "run", lambda self, *args, **kwargs: None)  # the screen is tested in tests/tui
    monkeypatch.setattr(ReviewApp, "run", lambda self, *args, **kwargs: None)
    alice = _hostile_records_store(tmp_path / f"alice{HOSTILE}.jsonl", f"alice{HOSTILE}")
    bob = _hostile_records_store(tmp_path / "bob.jsonl", f"bob{HOSTILE}")
    source = tmp_path / f"a{HOSTILE}.txt"
    source.write_text("Strikes hit Homs.\n\nStrikes hit Homs.\n", encoding="utf-8")
    out = tmp_path / "out"
    runs = [
        ["stats", str(alice), str(bob)], ["stats", str(alice), "--json"],
        ["agree", str(alice), str(bob)], ["agree", str(alice), str(bob), "--json"],
        ["merge", str(alice), str(bob), "--out", str(out / "merged.jsonl")],
        ["schema", "diff", "annotator/data/schemas/news-conflict.yaml", "annotator/data/schemas/news-conflict.yaml",
         "--store", str(alice)],
        ["suggest", str(source), "--from-store", str(alice), "--out", str(out / f"s{HOSTILE}.jsonl"),
         "--annotator", "carol"],
        ["annotate", str(source), "--out", str(alice), "--annotator", "carol"],
        ["review", str(alice), str(bob), "--out", str(out / f"gold{HOSTILE}.jsonl")],
        ["import", str(alice), "--format", "jsonl", "--out", str(out / f"i{HOSTILE}.jsonl"), "--annotator", "carol"],
    ]
    for format_name in ("jsonl", "conll", "hf", "brat", "doccano", "label-studio", "spacy"):
        runs.append(["export", str(alice), "--format", format_name, "--out", str(out / f"e-{format_name}"),
                     "--level", "article"])
    if importlib.util.find_spec("spacy") is not None:
        runs.append(["train", str(alice), str(bob), "--out", str(out / f"model{HOSTILE}"), "--epochs", "1"])
    for argv in runs:
        status = main(argv)
        captured = capsys.readouterr()
        assert status in (0, 2), argv
        assert _raw_free(captured.out), (argv, captured.out)
        assert _raw_free(captured.err), (argv, captured.err)
        if "--json" in argv:
            json.loads(captured.out)
