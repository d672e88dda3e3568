"""Import, tried as a hostile user would: every bad line is exit 2 with `FILE:LINE`, nothing changed."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.core import corpus
from annotator.core.checked import JSONRefused, checked_json
from annotator.core.corpus import MAX_PARAGRAPH_CHARS

GOOD = '{"text": "Strikes hit Homs.", "spans": [{"start": 12, "end": 16, "label": "LOCATION"}]}'

HOSTILE_LINES = {
    "deeply nested": '{"text": "a", "spans": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "a 5000-digit integer": '{"text": "a b", "spans": [{"start": ' + "9" * 5000 + ', "end": 1, "label": "ACTOR"}]}',
    "Infinity": '{"text": "a b", "_timestamp": Infinity}',
    "NaN score": '{"text": "a b", "spans": [{"start": 0, "end": 1, "label": "ACTOR", "score": NaN}]}',
    "spans: 5": '{"text": "a b", "spans": 5}',
    "a span without label": '{"text": "a b", "spans": [{"start": 0, "end": 1}]}',
    "meta as a string": '{"text": "a b", "meta": "x"}',
    "start as a string": '{"text": "a b", "spans": [{"start": "0", "end": 1, "label": "ACTOR"}]}',
    "a token start as a string": '{"text": "a b", "tokens": [{"start": "0", "end": 1}]}',
    "a lone surrogate in the text": '{"text": "a \\ud800 b"}',
    "a lone surrogate in a label": '{"text": "a b", "spans": [{"start": 0, "end": 1, "label": "\\udc00"}]}',
    "a negative start": '{"text": "a b", "spans": [{"start": -1, "end": 1, "label": "ACTOR"}]}',
    "an end far past the text": '{"text": "a b", "spans": [{"start": 0, "end": 10000000000000000, "label": "ACTOR"}]}',
    "an escape in a label": '{"text": "a b", "spans": [{"start": 0, "end": 1, "label": "X\\u001b]0;pwn\\u0007"}]}',
    "an escape in the id": '{"id": "a\\u001b[31m#0", "text": "a b"}',
    "a C1 control in the annotator": '{"text": "a b", "_annotator_id": "x\\u009b"}',
    "a bidi override in a relation": '{"text": "a b", "spans": [{"start": 0, "end": 1, "label": "ACTOR", "id": "s1"}, '
                                     '{"start": 2, "end": 3, "label": "ACTOR", "id": "s2"}], '
                                     '"relations": [{"label": "R\\u202e", "head_id": "s1", "child_id": "s2"}]}',
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_hostile_line_is_refused_with_its_line(line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + "\n" + line + "\n", encoding="utf-8")
    store = tmp_path / "store.jsonl"
    store.write_text("", encoding="utf-8")
    before = _snapshot(tmp_path)
    assert main(["import", str(source), "--format", "jsonl", "--out", str(store), "--annotator", "t", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{source}:2:" in err
    assert "\x1b" not in err and "\x07" not in err and "\x9b" not in err
    assert _snapshot(tmp_path) == before


def test_a_failed_import_leaves_no_new_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(HOSTILE_LINES["spans: 5"] + "\n", encoding="utf-8")
    assert main(["import", str(source), "--format", "jsonl", "--out", str(tmp_path / "new.jsonl"), "--annotator", "t"]) == 2
    assert not (tmp_path / "new.jsonl").exists()


def test_import_out_that_is_the_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + "\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    assert main(["import", str(source), "--format", "jsonl", "--out", str(link), "--annotator", "t"]) == 2
    assert "is the file being imported" in capsys.readouterr().err
    assert source.read_text(encoding="utf-8") == GOOD + "\n"


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_import_file_that_is_not_a_file_is_refused(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = {"fifo": tmp_path / "pipe", "device": Path(os.devnull), "folder": tmp_path / "folder"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    assert main(["import", str(path), "--format", "jsonl", "--out", str(tmp_path / "s.jsonl"), "--annotator", "t"]) == 2
    assert f"{path}: is a" in capsys.readouterr().err


def test_label_studio_tasks_are_checked_as_jsonl_lines_are(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "tasks.json"
    source.write_text('[{"data": {"text": "a \\ud800"}}]', encoding="utf-8")
    assert main(["import", str(source), "--format", "label-studio", "--out", str(tmp_path / "s.jsonl"),
                 "--annotator", "t"]) == 2
    assert "lone surrogate" in capsys.readouterr().err


def test_checked_json_keeps_valid_pairs_and_refuses_lone_halves() -> None:
    assert checked_json('{"t": "\\ud83d\\ude00"}') == {"t": "😀"}
    assert checked_json(json.dumps({"t": "\\ud800 is six characters"})) == {"t": "\\ud800 is six characters"}
    with pytest.raises(JSONRefused, match=r"t\[1\]: holds a lone surrogate"):
        checked_json('{"t": ["ok", "\\ud800"]}')


hostile_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6), st.sampled_from(["ACTOR", "LOCATION", "\x1b[2J", "\x9b", "\u202e", "a#0", "a#x", "-"]),
)
hostile_values = st.recursive(hostile_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["start", "end", "label", "id", "token_start", "token_end", "score", "attributes", "text", "head_id",
         "child_id", "value", "labels", "from_id", "to_id", "type", "char_offset", "paragraph", "source"]),
        inner, max_size=5)), max_leaves=10)
record_fields = st.fixed_dictionaries(
    {"text": st.one_of(st.sampled_from(["Strikes hit Homs.", "a\n\nb", ""]), hostile_values)},
    optional={key: hostile_values for key in ("id", "spans", "tokens", "relations", "meta", "answer", "_annotator_id",
                                              "label", "entities", "data", "annotations", "predictions", "_view_id")},
)
#: spellings json.dumps cannot make: what a hand-edited or hostile file may still hold
raw_lines = st.sampled_from(['{"text": "a", "x": NaN}', '{"text": "\\udfff"}', "[" * 3000, '{"text": 1e999}', "{", ""])


def _as_file(format_name: str, records: list[Any], raw: list[str]) -> str:
    lines = [json.dumps(record) for record in records] + raw
    if format_name == "label-studio":
        return "[" + ", ".join(line for line in lines if line) + "]"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("format_name", ["jsonl", "doccano", "label-studio"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(record_fields, min_size=1, max_size=3), raw=st.lists(raw_lines, max_size=1))
def test_import_of_hostile_fields_is_exit_0_or_2_and_changes_nothing_on_2(
        format_name: str, records: list[Any], raw: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "in.json"
        source.write_text(_as_file(format_name, records, raw), encoding="utf-8")
        store = folder / "store.jsonl"
        good = folder / "good.jsonl"
        good.write_text(GOOD + "\n", encoding="utf-8")
        assert main(["import", str(good), "--format", "jsonl", "--out", str(store), "--annotator", "t", "--quiet"]) == 0
        capsys.readouterr()
        before = _snapshot(folder)
        status = main(["import", str(source), "--format", format_name, "--out", str(store), "--annotator", "t",
                       "--quiet", "--merge"])
        err = capsys.readouterr().err
        assert status in (0, 2)
        assert "Traceback" not in err
        if status == 2:
            assert _snapshot(folder) == before
            assert f"{source}" in err


def test_an_imported_paragraph_past_the_maximum_is_refused_as_a_source_s_is(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Sources refuse a paragraph over 1,000,000 characters (its tokens would take gigabytes); so does import."""
    source = tmp_path / "in.jsonl"
    huge = "Intro.\n\n" + "word " * (MAX_PARAGRAPH_CHARS // 5) + "x"  # an article: cut into paragraphs as annotate does
    source.write_text(GOOD + "\n" + json.dumps({"text": huge}) + "\n", encoding="utf-8")
    store = tmp_path / "store.jsonl"
    store.write_text("", encoding="utf-8")
    before = _snapshot(tmp_path)
    assert main(["import", str(source), "--format", "jsonl", "--out", str(store), "--annotator", "t", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (f"{source}:2: paragraph 2 is 1,000,001 characters long; annotator opens paragraphs of up to 1,000,000. "
            "Split it with blank lines") in err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("format_name, content", [
    ("conll", "Strikes O\nhit O\nHoms B-LOCATION\n"),
    ("doccano", json.dumps({"text": "Strikes hit Homs", "label": [[12, 16, "LOCATION"]]}) + "\n"),
    ("label-studio", json.dumps([{"id": 1, "data": {"text": "Strikes hit Homs"}}])),
])
def test_every_format_s_import_has_the_same_limit(format_name: str, content: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The limit lowered to the paragraph's length: a paragraph that long imports, one character more is refused."""
    source = tmp_path / "in.txt"
    source.write_text(content, encoding="utf-8")
    monkeypatch.setattr(corpus, "MAX_PARAGRAPH_CHARS", len("Strikes hit Homs"))
    argv = ["import", str(source), "--format", format_name, "--annotator", "t", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "fits.jsonl")]) == 0
    monkeypatch.setattr(corpus, "MAX_PARAGRAPH_CHARS", len("Strikes hit Homs") - 1)
    assert main([*argv, "--out", str(tmp_path / "long.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{source}:" in err and "paragraph 1 is 16 characters long; annotator opens paragraphs of up to 15." in err
    assert not (tmp_path / "long.jsonl").exists()
