"""Stores tried as a hostile user would edit them: every command that reads one says `FILE:LINE: field: ...`,
exits 2 and changes nothing; no traceback, whatever a field holds."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.core.checked import RecordError, check_fields
from annotator.core.corpus import Paragraph
from annotator.core.records import to_record
from annotator.core.spans import Annotation, Span
from annotator.core.store import encode_line, read_store
from annotator.core.tokens import tokenize

TEXT = "Strikes hit Homs."
REF = {"name": "news-conflict", "version": "1"}


def good_record(folder: Path, annotator: str, *, answer: str | None = "accept") -> dict[str, Any]:
    tokens = tokenize(TEXT)
    annotation = Annotation(spans=(Span(12, 16, "LOCATION", 2, 2, id="s1"),), answer=answer)
    return to_record(Paragraph("news", 0, TEXT, 0, str(folder / "news.txt")), tokens, annotation,
                     schema_ref=REF, annotator=annotator, timestamp=1_700_000_000)


def _replace_first(pattern: str, by: str) -> Callable[[str], str]:
    def change(line: str) -> str:
        changed = re.sub(pattern, by, line, count=1)
        assert changed != line, pattern
        return changed
    return change


#: what a hand or a script may do to a store line's JSON text (in either line format)
HOSTILE = {
    "_timestamp: Infinity": _replace_first(r'"_timestamp":\d+', '"_timestamp":Infinity'),
    "_timestamp: NaN": _replace_first(r'"_timestamp":\d+', '"_timestamp":NaN'),
    "_timestamp: a float": _replace_first(r'"_timestamp":\d+', '"_timestamp":1.5'),
    "an integer of 5000 digits": _replace_first(r'"_timestamp":\d+', '"_timestamp":' + "9" * 5000),
    "deep nesting": _replace_first(r'"meta":\{', '"meta":{"x":' + "[" * 100_000 + "]" * 100_000 + ","),
    "a token start as a string": _replace_first(r'"start":0,', '"start":"0",'),
    "a span start as a string": _replace_first(r'"start":12,', '"start":"12",'),
    "spans: 5": _replace_first(r'"spans":\[.*?\],"relations"', '"spans":5,"relations"'),
    "a span without label": _replace_first(r'"label":"LOCATION",', ""),
    "meta as a string": _replace_first(r'"meta":\{.*?\}', '"meta":"x"'),
    "char_offset negative": _replace_first(r'"char_offset":0', '"char_offset":-1'),
    "a lone surrogate in the text": _replace_first(r'"text":"Strikes', '"text":"\\\\ud800Strikes'),
    "answer maybe": _replace_first(r'"answer":"accept"', '"answer":"maybe"'),
    "_seq past 64 bits": _replace_first(r'"_seq":1\b', '"_seq":99999999999999999999'),
    "tokens: an object": _replace_first(r'"tokens":\[.*?\],"', '"tokens":{},"'),
    "a token end past the text": _replace_first(r'"end":1\d\b', '"end":1000000'),
    "relations: 5": _replace_first(r'"relations":\[\]', '"relations":5'),
    "a line that is a list": lambda line: "[1, 2]",
}


def header_line(record: dict[str, Any]) -> str:
    """The line `Store.append` writes for `record` as a paragraph's first line (header, tokens, the rest)."""
    return encode_line(record, seq=1, action="edit", reverts=None, tokens=record["tokens"]).decode("utf-8")


def plain_line(record: dict[str, Any]) -> str:
    """The line of the older format: the record as it is, with its history fields."""
    return json.dumps({**record, "_seq": 1, "_action": "edit"}, ensure_ascii=False, separators=(",", ":"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _setup(folder: Path, hostile: Callable[[str], str], make_line: Callable[[dict[str, Any]], str],
           answer: str | None = "accept") -> tuple[Path, Path, Path]:
    (folder / "news.txt").write_text(TEXT + "\n", encoding="utf-8")
    bad = folder / "alice.jsonl"
    bad.write_text(hostile(make_line(good_record(folder, "alice", answer=answer))) + "\n", encoding="utf-8")
    good = folder / "bob.jsonl"
    good.write_text(header_line(good_record(folder, "bob")) + "\n", encoding="utf-8")
    return folder / "news.txt", bad, good


def _commands(source: Path, bad: Path, good: Path) -> dict[str, list[str]]:
    out = bad.parent / "out"
    return {
        "stats": ["stats", str(bad)],
        "agree": ["agree", str(bad), str(good), "--by-store"],
        "merge": ["merge", str(bad), str(good), "--out", str(out / "merged.jsonl")],
        "review": ["review", str(bad), str(good), "--out", str(out / "gold.jsonl"), "--by-store"],
        "export jsonl": ["export", str(bad), "--format", "jsonl", "--out", str(out / "e.jsonl"), "--quiet"],
        "export conll": ["export", str(bad), "--format", "conll", "--out", str(out / "e.conll"), "--quiet"],
        "export article": ["export", str(bad), "--format", "jsonl", "--level", "article", "--out", str(out / "a.jsonl"),
                           "--quiet"],
        "suggest --from-store": ["suggest", str(source), "--from-store", str(bad), "--out", str(out / "s.jsonl"),
                                 "--annotator", "carol", "--quiet"],
        "train": ["train", str(bad), "--out", str(out / "model"), "--quiet"],
    }


@pytest.fixture(autouse=True)
def no_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that got as far as opening a screen has let a bad record through: fail, never wait for keys."""
    from annotator.tui.app import AnnotatorApp, ReviewApp

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise AssertionError("the screen opened on a bad store")
    monkeypatch.setattr(AnnotatorApp, "run", refuse)
    monkeypatch.setattr(ReviewApp, "run", refuse)


#: a token whose offsets disagree with its text passes commands that read only token offsets, or none (their types are checked)
TOKENS_READ_ONLY_BY = {"a token end past the text": {"export jsonl", "export conll", "export article", "train"}}


@pytest.mark.parametrize("line_format", [header_line, plain_line], ids=["header", "plain"])
@pytest.mark.parametrize("name", HOSTILE)
def test_every_reader_refuses_a_hostile_line_with_file_and_line(
        name: str, line_format: Callable[[dict[str, Any]], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    source, bad, good = _setup(tmp_path, HOSTILE[name], line_format)
    before = _snapshot(tmp_path)
    for command, argv in _commands(source, bad, good).items():
        if command.split()[0] in ("train", "suggest") and find_spec("spacy") is None:
            continue  # they say spaCy is missing before reading anything: tested in test_suggest.py
        if command not in TOKENS_READ_ONLY_BY.get(name, {command}):
            continue
        assert main(argv) == 2, (command, capsys.readouterr())
        err = capsys.readouterr().err
        assert err.startswith(f"annotator: {bad}:1: "), (command, err)
        assert err.count("\n") == 1 and "Traceback" not in err, (command, err)
        assert _snapshot(tmp_path) == before, command


@pytest.mark.parametrize("name", ["a span start as a string", "spans: 5", "meta as a string", "_timestamp: Infinity",
                                  "a lone surrogate in the text"])
def test_annotate_refuses_a_hostile_record_before_the_screen(name: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Resuming: the record of the paragraph the screen would open is read, and refused, before it opens."""
    source, bad, _ = _setup(tmp_path, HOSTILE[name], header_line, answer=None)
    before = _snapshot(tmp_path)
    assert main(["annotate", str(source), "--out", str(bad), "--annotator", "alice"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1: " in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_a_hostile_line_is_named_by_its_own_line_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, bad, _ = _setup(tmp_path, lambda line: line, header_line)
    other = good_record(tmp_path, "alice")
    lines = [header_line(other), "", HOSTILE["spans: 5"](header_line({**other, "id": "news#1"}).replace('"_seq":1', '"_seq":2'))]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["stats", str(bad)]) == 2
    assert f"{bad}:3: spans: must be an array, not a whole number (5)." in capsys.readouterr().err


def test_an_article_export_refuses_a_char_offset_it_cannot_fill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """10**15 is a whole number, as the schema asks, but no article export can place a paragraph there."""
    _, bad, _ = _setup(tmp_path, _replace_first(r'"char_offset":0', '"char_offset":1000000000000000'), header_line)
    assert main(["stats", str(bad)]) == 0
    capsys.readouterr()
    out = tmp_path / "a.jsonl"
    assert main(["export", str(bad), "--format", "jsonl", "--level", "article", "--out", str(out), "--quiet"]) == 2
    assert "char_offset 1000000000000000" in capsys.readouterr().err
    assert not out.exists()


def test_check_fields_names_the_field_and_the_problem(tmp_path: Path) -> None:
    record = good_record(tmp_path, "alice")
    check_fields(record)
    cases = {
        "spans": ("spans: must be an array, not a whole number (5)", 5),
        "meta": ('meta: must be an object, not a string ("x")', "x"),
        "_timestamp": ("_timestamp: must be a whole number, not a number (1.5)", 1.5),
        "flagged": ('flagged: must be true or false, not a string ("yes")', "yes"),
    }
    for field, (message, value) in cases.items():
        with pytest.raises(RecordError, match=re.escape(message)):
            check_fields({**record, field: value})
    with pytest.raises(RecordError, match=r"spans\[0\]\.label: is missing"):
        check_fields({**record, "spans": [{k: v for k, v in record["spans"][0].items() if k != "label"}]})
    with pytest.raises(RecordError, match=r"tokens\[2\]\.start: must be a whole number, not a string"):
        check_fields({**record, "tokens": [*record["tokens"][:2], {**record["tokens"][2], "start": "12"}]})
    with pytest.raises(RecordError, match=r"tokens\[0\]\.ws: must be true or false, not a whole number \(1\)"):
        check_fields({**record, "tokens": [{**record["tokens"][0], "ws": 1}]})
    with pytest.raises(RecordError, match=r"spans\[0\]\.attributes\.kind: must be a string or a whole number or true"):
        check_fields({**record, "spans": [{**record["spans"][0], "attributes": {"kind": [1]}}]})


jsonschema = pytest.importorskip("jsonschema")


def _type_errors_by_jsonschema(record: dict[str, Any]) -> list[str]:
    """What the shipped schema refuses in `record`, less what readers are not asked (see `check_fields`)."""
    schema = json.loads((Path(__file__).resolve().parents[2] / "annotator" / "data" / "record.schema.json")
                        .read_text(encoding="utf-8"))
    whole = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(  # 12.0 is JSON Schema's integer, not Python's
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=whole)(schema)
    asked = {"type", "enum", "minimum", "maximum"}
    return [error.message for error in validator.iter_errors(record) if error.validator in asked
            or (error.validator == "const" and type(error.instance) is not type(error.validator_value))]


field_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4), st.sampled_from(["accept", "maybe", "done", "edit"]),
    st.lists(st.integers(-2, 30), max_size=2), st.dictionaries(st.sampled_from(["a", "name", "version"]), st.text(max_size=2),
                                                               max_size=2),
)
RECORD_FIELDS = ["id", "text", "tokens", "spans", "relations", "answer", "flagged", "note", "meta", "_input_hash",
                 "_task_hash", "_view_id", "_annotator_id", "_session_id", "_timestamp", "_schema", "_status", "_seq",
                 "_action", "_reverts"]
SPAN_FIELDS = ["start", "end", "token_start", "token_end", "label", "text", "id", "source", "attributes", "score",
               "suggested"]
TOKEN_FIELDS = ["text", "start", "end", "id", "ws"]
META_FIELDS = ["article_id", "paragraph", "char_offset", "source", "rejected_spans"]


@settings(max_examples=150, deadline=None)
@given(where=st.sampled_from(["record", "span", "token", "meta"]), data=st.data())
def test_check_fields_refuses_what_the_schema_refuses(where: str, data: st.DataObject) -> None:
    """For one field of a good record set to anything: `check_fields` refuses it exactly when the schema's
    type, enum and range rules do (as a record of every field present, `required` does not come in)."""
    record = good_record(Path("/tmp"), "alice")
    field = data.draw(st.sampled_from({"record": RECORD_FIELDS, "span": SPAN_FIELDS, "token": TOKEN_FIELDS,
                                       "meta": META_FIELDS}[where]))
    value = data.draw(field_values)
    target = {"record": record, "span": record["spans"][0], "token": record["tokens"][1], "meta": record["meta"]}[where]
    target[field] = value
    refused_by_schema = _type_errors_by_jsonschema(record)
    try:
        check_fields(record)
    except RecordError:
        assert refused_by_schema, (where, field, value)
    else:
        assert not refused_by_schema, (where, field, value, refused_by_schema)


hostile_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6), st.sampled_from(["ACTOR", "LOCATION", "\x1b[2J", "\x9b", "accept", "news#0", ""]),
)
hostile_values = st.recursive(hostile_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["start", "end", "label", "id", "token_start", "token_end", "score", "attributes", "text", "head_id",
         "child_id", "char_offset", "paragraph", "source", "ws", "article_id", "rejected_spans", "name"]),
        inner, max_size=5)), max_leaves=10)
#: spellings json.dumps cannot make: what a hand-edited file may still hold
raw_values = st.sampled_from(["NaN", "-Infinity", "9" * 4400, "[" * 3000 + "]" * 3000, '"\\udfff"', "1e999"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(RECORD_FIELDS), hostile_values, max_size=3),
       span_changes=st.dictionaries(st.sampled_from(SPAN_FIELDS), hostile_values, max_size=2),
       raw=st.one_of(st.none(), st.tuples(st.sampled_from(["_timestamp", "note", "meta", "score"]), raw_values)),
       header=st.booleans())
def test_hostile_fields_get_exit_0_or_2_and_change_nothing_on_2(
        changes: dict[str, Any], span_changes: dict[str, Any], raw: tuple[str, str] | None, header: bool,
        capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        record = good_record(folder, "alice")
        record["spans"] = [{**record["spans"][0], **span_changes}]
        record.update(changes)
        if raw is not None:
            record[raw[0]] = "RAW"
        try:
            line = header_line(record) if header and isinstance(record.get("id"), str) else plain_line(record)
        except (KeyError, TypeError, AttributeError):
            line = plain_line(record)
        if raw is not None:
            line = line.replace('"RAW"', raw[1], 1)
        store = folder / "s.jsonl"
        store.write_text(line + "\n", encoding="utf-8")
        before = _snapshot(folder)
        for argv in (["stats", str(store)], ["export", str(store), "--format", "jsonl", "--include", "unfinished,rejected,ignored",
                                              "--out", str(folder / "e.jsonl"), "--quiet"]):
            status = main(argv)
            err = capsys.readouterr().err
            assert status in (0, 2), argv
            if status == 2:
                assert f"{store}:1: " in err, err
                assert _snapshot(folder) == before
        if (folder / "e.jsonl").exists():
            assert read_store(store).records  # a store every command accepts reads whole


#: records of the older line format (no header), as a hand or another tool writes them
WITHOUT_TOKENS = {"id": "a#0", "text": TEXT, "answer": "accept", "meta": {"article_id": "a", "paragraph": 0,
                  "char_offset": 0, "source": "a.txt"},
                  "spans": [{"start": 12, "end": 16, "token_start": 2, "token_end": 2, "label": "LOCATION", "text": "Homs"}]}
OTHER_TOKENIZER = {**WITHOUT_TOKENS, "id": "b#0", "meta": {**WITHOUT_TOKENS["meta"], "article_id": "b"},
                   "tokens": [{"text": "Strikes hit", "start": 0, "end": 11, "id": 0, "ws": True},
                              {"text": "Homs.", "start": 12, "end": 17, "id": 1, "ws": False}],
                   "spans": [{**WITHOUT_TOKENS["spans"][0], "token_start": 1, "token_end": 1}]}


@pytest.mark.parametrize("format_name", ["conll", "hf", "spacy", "brat", "jsonl"])
def test_exports_of_records_without_tokens_or_with_another_tools_tokens(format_name: str, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A record without tokens is given our tokenizer's; tokens of another tool are exported as they are
    (spaCy: a span that does not fall on them is named, not a traceback)."""
    if format_name in ("spacy", "hf"):
        pytest.importorskip("spacy" if format_name == "spacy" else "datasets")
    store = tmp_path / "s.jsonl"
    store.write_text(json.dumps(WITHOUT_TOKENS) + "\n" + json.dumps(OTHER_TOKENIZER) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", str(store), "--format", format_name, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "exported 2 paragraph(s)" in err
    if format_name == "conll":
        assert "Homs B-LOCATION" in out.read_text(encoding="utf-8")
        assert "Homs. B-LOCATION" in out.read_text(encoding="utf-8")
    if format_name == "spacy":
        assert "could not be aligned" in err and "b#0" in err


def test_token_indices_of_a_record_without_tokens_follow_its_offsets(tmp_path: Path) -> None:
    """Without tokens, a span's token indices can refer to none: the tokens its offsets overlap are taken."""
    store = tmp_path / "s.jsonl"
    guessed = {**WITHOUT_TOKENS, "spans": [{**WITHOUT_TOKENS["spans"][0], "token_start": 7, "token_end": 9}]}
    store.write_text(json.dumps(guessed) + "\n", encoding="utf-8")
    (span,) = read_store(store).records[0]["spans"]
    assert (span["token_start"], span["token_end"]) == (2, 2)
    assert main(["export", str(store), "--format", "conll", "--out", str(tmp_path / "out.conll"), "--quiet"]) == 0
    assert "Homs B-LOCATION" in (tmp_path / "out.conll").read_text(encoding="utf-8")


def test_a_record_whose_tokens_do_not_hold_its_span_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.jsonl"
    broken = {**OTHER_TOKENIZER, "spans": [{**OTHER_TOKENIZER["spans"][0], "token_start": 0, "token_end": 0}]}
    store.write_text(json.dumps(broken) + "\n", encoding="utf-8")
    assert main(["export", str(store), "--format", "conll", "--out", str(tmp_path / "out.conll")]) == 2
    assert f"{store}:1: b#0: span [12, 16) is not within its tokens 0..0" in capsys.readouterr().err
    assert not (tmp_path / "out.conll").exists()
