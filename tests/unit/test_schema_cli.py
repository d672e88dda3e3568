"""`annotator schema validate|show|init|diff` as a project lead runs them."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.schema import default_schema_path, load_schema

OLD = """\
name: conflict
version: "1"
labels:
  - name: PERPETRATOR
    key: "1"
    color: "#0072B2"
    attributes:
      - name: type
        type: choice
        values: [state, rebel, militia]
  - name: PLACE
    key: "2"
    color: "#CC79A7"
  - name: CASUALTY
    key: "3"
    color: "#D55E00"
    attributes:
      - name: count
        type: integer
        min: 0
relations:
  - name: located_at
    from: [CASUALTY, PERPETRATOR]
    to: [PLACE]
  - name: source
    from: [CASUALTY]
    to: [PERPETRATOR]
"""

NEW = """\
name: conflict
version: "2"
labels:
  - name: ACTOR
    key: "1"
    color: "#0072B2"
    renamed_from: [PERPETRATOR]
    attributes:
      - name: type
        type: choice
        values: [state, rebel]
  - name: CASUALTY
    key: "5"
    color: "#D55E00"
    attributes:
      - name: count
        type: integer
        min: 1
      - name: status
        type: choice
        required: true
        values: [killed, injured]
  - name: WEAPON
    key: "6"
    color: "#009E73"
relations:
  - name: located_at
    from: [CASUALTY]
    to: [ACTOR]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def span(text: str, part: str, label: str, span_id: str, **attributes: object) -> dict[str, object]:
    start = text.index(part)
    out: dict[str, object] = {"start": start, "end": start + len(part), "token_start": 0, "token_end": 0,
                              "label": label, "text": part, "id": span_id}
    if attributes:
        out["attributes"] = attributes
    return out


def relation(label: str, head: dict[str, object], child: dict[str, object]) -> dict[str, object]:
    return {"label": label, "head_id": head["id"], "child_id": child["id"],
            "head_span": {"label": head["label"]}, "child_span": {"label": child["label"]}}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Two paragraphs; the first saved twice, so only its latest state may be counted."""
    text = "Militias killed 0 guards and 16 fighters in Deir el-Zour."
    militias = span(text, "Militias", "PERPETRATOR", "s1", type="militia")
    zero = span(text, "0 guards", "CASUALTY", "s2", count=0)
    sixteen = span(text, "16 fighters", "CASUALTY", "s3", count=16)
    place = span(text, "Deir el-Zour", "PLACE", "s4")
    first = {"id": "a#0", "text": text, "spans": [militias], "relations": []}
    latest = {"id": "a#0", "text": text, "spans": [militias, zero, sixteen, place],
              "relations": [relation("located_at", sixteen, place), relation("located_at", militias, place),
                            relation("source", zero, militias)]}
    other_text = "Rebels shelled Idlib."
    other = {"id": "b#0", "text": other_text,
             "spans": [span(other_text, "Rebels", "PERPETRATOR", "s1", type="rebel"),
                       span(other_text, "Idlib", "PLACE", "s2")], "relations": []}
    path = tmp_path / "store.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (first, latest, other)), encoding="utf-8")
    return path


# --- validate ---------------------------------------------------------------------------------


def test_validate_the_default_schema(capsys: pytest.CaptureFixture[str]) -> None:
    path = default_schema_path()
    assert main(["schema", "validate", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok (4 labels, 4 relations)\n"


def test_validate_lists_every_problem_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.yaml", """\
        name: x
        labels:
          - name: A
            key: q
            color: nope
          - name: B
            key: "1"
            colr: red
        """)
    assert main(["schema", "validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [f"{path}:4:10", f"{path}:5:12", f"{path}:8:5"]
    assert lines[-1] == f"{path}: 3 problems. Fix them and run this again."
    assert "Traceback" not in captured.err


def test_validate_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "validate", str(tmp_path / "nope.yaml")]) == 2
    assert f"{tmp_path / 'nope.yaml'}:1:1: no such file" in capsys.readouterr().err


# --- show -------------------------------------------------------------------------------------


def test_show_prints_labels_attributes_and_relations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "show", str(default_schema_path())]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out  # no colour codes when not on a terminal
    lines = out.splitlines()
    assert lines[0] == "news-conflict  version 1"
    assert "  key  label        colour   snap   may overlap  renamed from" in lines
    assert "  1    ACTOR        #0072b2  token  ATTRIBUTION" in lines
    assert "  3    CASUALTY     #d55e00  token  none" in lines
    assert any(line.startswith("  CASUALTY     status *     s    choice   killed (k), injured (i)") for line in lines)
    assert any(line.startswith("  CASUALTY     count        n    integer  0..") for line in lines)
    assert "  r    source       ATTRIBUTION      ACTOR" in lines
    assert "  l    located_at   CASUALTY, ACTOR  LOCATION" in lines


def test_show_a_broken_schema_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.yaml", "name: x\nlabels: []\n")
    assert main(["schema", "show", str(path)]) == 2
    assert f"{path}:2:9: the schema has no labels" in capsys.readouterr().err


# --- init -------------------------------------------------------------------------------------


def test_init_writes_a_starter_that_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "init"]) == 0
    written = tmp_path / "schema.yaml"
    assert "annotator schema validate schema.yaml" in capsys.readouterr().out
    text = written.read_text(encoding="utf-8")
    assert text.count("#") > 10  # commented for the lead who edits it
    schema = load_schema(written)
    assert {a.type for label in schema.labels for a in label.attributes} == {"choice", "integer", "boolean", "text"}
    assert schema.relations
    assert main(["schema", "validate", "schema.yaml"]) == 0


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("precious", encoding="utf-8")
    assert main(["schema", "init", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "precious"


# --- diff -------------------------------------------------------------------------------------


def test_diff_lists_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path / "old.yaml", OLD), write(tmp_path / "new.yaml", NEW)
    assert main(["schema", "diff", str(old), str(new)]) == 0
    lines = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == f"conflict 1 ({old}) -> conflict 2 ({new})"
    assert [line.strip() for line in lines[1:]] == [
        "- label PLACE",
        "~ label PERPETRATOR renamed to ACTOR",
        "- value ACTOR.type=militia",
        "~ label CASUALTY: key 3 -> 5",
        "~ attribute CASUALTY.count: range 0.. -> 1..",
        "+ attribute CASUALTY.status (choice, required)",
        "+ label WEAPON (key 6)",
        "- relation source",
        "~ relation located_at: from [CASUALTY, ACTOR] -> [CASUALTY]",
        "~ relation located_at: to [PLACE] -> [ACTOR]",
        "10 changes",
    ]


def test_diff_with_a_store_counts_the_saved_work_each_change_touches(
        tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path / "old.yaml", OLD), write(tmp_path / "new.yaml", NEW)
    assert main(["schema", "diff", str(old), str(new), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    touches = {line.split("  ")[1].strip(): line.rsplit("  ", 1)[-1].strip()
               for line in out.splitlines() if line.startswith("  ")}
    assert "store " + str(store) + ": 2 records, 6 spans, 3 relations" in out
    assert touches["- label PLACE"] == "2 spans kept, orphaned"
    assert touches["~ label PERPETRATOR renamed to ACTOR"] == "2 spans"
    assert touches["- value ACTOR.type=militia"] == "1 saved value"
    assert touches["~ attribute CASUALTY.count: range 0.. -> 1.."] == "1 saved value now out of range"
    assert touches["+ attribute CASUALTY.status (choice, required)"] == "2 spans need a value"
    assert touches["- relation source"] == "1 saved relation"
    assert touches["~ relation located_at: from [CASUALTY, ACTOR] -> [CASUALTY]"] == "1 saved relation no longer allowed"
    assert touches["~ relation located_at: to [PLACE] -> [ACTOR]"] == "2 saved relations no longer allowed"


def test_diff_of_a_schema_with_itself(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(default_schema_path())
    assert main(["schema", "diff", path, path]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "no changes"


def test_diff_with_a_broken_store_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a#0"\n{"id": "a#1", "text": "x"}\n', encoding="utf-8")
    path = str(default_schema_path())
    assert main(["schema", "diff", path, path, "--store", str(broken)]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "Traceback" not in err


def test_show_on_a_terminal_adds_a_swatch_of_each_colour() -> None:
    from annotator.commands.schema import show_lines

    lines = show_lines(load_schema(default_schema_path()), colour=True, width=100)
    actor = next(line for line in lines if " ACTOR " in line and "#0072b2" in line)
    assert "\x1b[48;2;0;114;178m" in actor
    header = next(i for i, line in enumerate(lines) if line.startswith("  key  label"))
    visible = re.sub(r"\x1b\[[0-9;]*m", "", lines[header + 1])
    assert visible.index("token") == lines[header].index("snap")  # swatches do not skew columns
