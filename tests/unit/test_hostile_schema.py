"""`schema validate`, tried as a hostile user would: every bad schema is FILE:LINE:COLUMN, exit 2, no traceback."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main

LABEL = "labels:\n  - name: ACTOR\n    key: '1'\n"
ATTRIBUTE = LABEL + "    attributes:\n      - name: n\n        type: {type}\n        {field}: {value}\n"

HOSTILE_SCHEMAS = {
    "a python tag": ("name: !!python/object/apply:os.system ['echo pwned']\n" + LABEL, "1:7", "YAML tag"),
    "a python name tag": ("name: !!python/name:os.system\n" + LABEL, "1:7", "YAML tag"),
    "a custom tag": ("name: x\nlabels:\n  - !thing {name: ACTOR, key: '1'}\n", "3:5", "YAML tag"),
    "a binary tag": ("name: !!binary aGVsbG8=\n" + LABEL, "1:7", "YAML tag"),
    "a tagged default": ("name: x\n" + ATTRIBUTE.format(type="integer", field="default", value="!!python/int 5"),
                         "8:18", "YAML tag"),
    "a date for min": ("name: x\n" + ATTRIBUTE.format(type="integer", field="min", value="2020-01-01"),
                       "8:14", "must be a whole number, not '2020-01-01'"),
    "a date that is not a day": ("name: x\n" + ATTRIBUTE.format(type="integer", field="min", value="2020-02-30"),
                                 "8:14", "whole number"),
    "a float for max": ("name: x\n" + ATTRIBUTE.format(type="integer", field="max", value="1.5"), "8:14", "whole number"),
    "a 5000-digit max": ("name: x\n" + ATTRIBUTE.format(type="integer", field="max", value="9" * 5000), "8:14",
                         "whole number"),
    "an escape in the name": ('name: "x\\e]0;pwn\\a"\n' + LABEL, "1:7", "control characters (U+001B, U+0007)"),
    "a C1 control in an attribute name": ("name: x\n" + LABEL + '    attributes:\n      - name: "n\\x9b"\n'
                                          "        type: text\n", "6:15", "U+009B"),
    "a bidi override in a choice": ("name: x\n" + ATTRIBUTE.format(type="choice", field="values", value='["a\\u202e"]'),
                                    "8:18", "U+202E"),
    "an escape in a relation name": ("name: x\n" + LABEL + 'relations:\n  - name: "R\\e[2J"\n    from: [ACTOR]\n'
                                     "    to: [ACTOR]\n", "6:11", "U+001B"),
    "a DEL in a label name": ('name: x\nlabels:\n  - name: "A\\x7f"\n    key: "1"\n', "3:11", "label name"),
    "a C1 control as a key": ('name: x\nlabels:\n  - name: A\n    key: "\\x9b"\n', "4:10", "visible character"),
    "deep nesting": ("name: " + "[" * 20000 + "]" * 20000 + "\n", "1:", "nesting"),
}


@pytest.mark.parametrize(("text", "at", "says"), HOSTILE_SCHEMAS.values(), ids=HOSTILE_SCHEMAS.keys())
def test_hostile_schema_is_refused_at_its_place(text: str, at: str, says: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["schema", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{at}" in err
    assert says in err
    assert not {"\x1b", "\x07", "\x9b", "\x7f", "\u202e"} & set(err)


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_schema_that_is_not_a_file_is_refused(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = {"fifo": tmp_path / "pipe", "device": Path(os.devnull), "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    assert main(["schema", "validate", str(path)]) == 2
    assert "not a schema file" in capsys.readouterr().err


#: pieces of YAML that a hand-edited or hostile schema may hold, in any order and nesting
pieces = st.sampled_from([
    "name: x", "name: !!python/object:os.system x", "labels:", "- name: ACTOR", "  key: '1'", "key: \"\\e\"",
    "  attributes:", "  - name: n", "    type: integer", "    min: 2020-01-01", "    max: 1.5", "    default: .nan",
    "    type: choice", "    values: [a, b, a]", "relations:", "- name: R", "  from: [ACTOR]", "  to: [NOPE]",
    "&a [1, *a]", "*undefined", "!custom {}", "? [a]", ": b", "'unterminated", "{{{", "- - -", "\t- tab",
    "version: 1e9999", "description: \"\\ud800\"", "snap: char", "color: '#zzzzzz'", "<<: *a", "---", "...",
    "overlaps: [ACTOR]", "renamed_from: [ACTOR]", "9" * 4400, "\x00", "\ufeffname: y", "\x85",
])
documents = st.lists(st.tuples(st.integers(0, 6), pieces), max_size=14).map(
    lambda lines: "\n".join(" " * indent + piece for indent, piece in lines))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=documents)
def test_validate_never_crashes(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        before = path.read_bytes()
        status = main(["schema", "validate", str(path)])
        err = capsys.readouterr().err
        assert status in (0, 2)
        assert "Traceback" not in err
        if status == 2:
            assert f"{path}:" in err
        assert path.read_bytes() == before
