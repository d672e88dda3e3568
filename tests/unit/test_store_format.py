"""The store's line format: a line holds the change's state, the tokens once per paragraph, and reads alone.

Stores written before this format (the whole record, tokens included, on every line) must open
and read exactly as before; docs/FORMAT.md ("The store") is the contract these tests hold.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.core.corpus import Corpus, Paragraph
from annotator.core.records import RecordBuilder, to_json, to_record, token_dicts
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import EMPTY, Annotation, add_span, decide, set_flag, span_over_tokens
from annotator.core.store import (
    _HEADER,
    HISTORY_FIELDS,
    TOKENIZER_FIELD,
    Store,
    encode_line,
    read_store,
    relocated_line,
)
from annotator.core.tokens import TOKENIZER_VERSION, tokenize

SCHEMA_REF = {"name": "news-conflict", "version": "1"}
ARTICLE = (
    "US officials said three American service members were killed in Jordan.\n"
    "\n"
    "In Iraq 🇮🇶, the Popular Mobilization Forces reported 16 deaths.\r\n"
    "\n"
    "Iran\u00a0denied any involvement.\n"
)


def raw_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def session_store(tmp_path: Path, name: str = "s.jsonl") -> Path:
    """A store written by sessions: tags, a relabel, undo and redo, a decision, a flag, a restart."""
    article = tmp_path / "strikes.txt"
    article.write_bytes(ARTICLE.encode("utf-8"))
    path = tmp_path / name
    schema = load_schema(default_schema_path())
    words = lambda session: [t.id for t in session.tokens if not t.text.isspace()]  # noqa: E731
    with Corpus([article]) as corpus:
        session = Session(corpus, schema, Store(path), "alice")
        free = words(session)
        session.tag_tokens(free[0], free[1], "ACTOR")
        session.tag_tokens(free[-1], free[-1], "LOCATION")
        session.relabel(session.annotation.spans[0].id, "ATTRIBUTION")
        session.undo()
        session.redo()
        session.decide("accept")
        session.next_paragraph()
        session.tag_tokens(words(session)[1], words(session)[1], "LOCATION")
        session.flag(True, "check the count")
        session.store.close()
        session = Session(corpus, schema, Store(path), "alice")  # a restart: tokens come from the store now
        session.find("strikes#1")
        session.open(session.find("strikes#1"))  # type: ignore[arg-type]
        session.tag_tokens(words(session)[0], words(session)[0], "ACTOR")
        session.undo()
        session.next_paragraph()
        session.decide("reject")
        session.store.close()
    return path


def test_a_new_store_holds_each_paragraphs_tokens_once(tmp_path: Path) -> None:
    path = session_store(tmp_path)
    lines = raw_lines(path)
    holding = [line["id"] for line in lines if "tokens" in line]
    assert sorted(holding) == sorted({line["id"] for line in lines})  # once per paragraph, on its first line
    assert all(line[TOKENIZER_FIELD] == TOKENIZER_VERSION for line in lines)
    first_of = {}
    for number, line in enumerate(lines):
        first_of.setdefault(line["id"], number)
    assert all(("tokens" in line) == (first_of[line["id"]] == number) for number, line in enumerate(lines))
    # What readers get is complete all the same.
    for record in read_store(path).records:
        assert record["tokens"] == token_dicts(tokenize(record["text"]))


def test_bytes_appended_per_edit_follow_the_spans_not_the_paragraph(tmp_path: Path) -> None:
    text = " ".join(["Militia fighters attacked the base near Deir el-Zour, officials said."] * 60)
    tokens = tokenize(text)
    paragraph = Paragraph("long", 0, text, 0, "long.txt")
    words = [t.id for t in tokens if not t.text.isspace()]
    sizes = []
    with Store(tmp_path / "s.jsonl") as store:
        annotation = EMPTY
        for n in range(40):
            annotation = add_span(annotation, span_over_tokens(tokens, words[n * 5], words[n * 5], "ACTOR"))
            before = store._size
            store.append(to_record(paragraph, tokens, annotation, schema_ref=SCHEMA_REF, annotator="a", timestamp=n))
            sizes.append(store._size - before)
    tokens_json = len(to_json(token_dicts(tokens)).encode())
    assert sizes[0] > tokens_json  # the first line holds the tokens
    assert all(size < tokens_json for size in sizes[1:])  # no later line does
    per_span = (sizes[-1] - sizes[1]) / 38
    assert all(abs(later - earlier - per_span) < 8 for earlier, later in pairwise(sizes[1:]))  # a span's worth


def test_a_line_alone_still_gives_its_whole_record(tmp_path: Path) -> None:
    path = session_store(tmp_path)
    contents = read_store(path)
    for index, raw in enumerate(line for line in path.read_bytes().splitlines() if line.strip()):
        alone = tmp_path / f"alone-{index}.jsonl"
        alone.write_bytes(raw + b"\n")
        (record,) = read_store(alone).records
        assert record == contents.read(index)


def test_a_crash_that_cut_the_last_line_leaves_every_other_line_whole(tmp_path: Path) -> None:
    path = session_store(tmp_path)
    before = read_store(path).records
    data = path.read_bytes()
    cut = data[: data.rstrip(b"\n").rfind(b"\n") + 1 + 40]  # the last line cut 40 bytes in
    path.write_bytes(cut)
    with Store(path) as store:
        assert "cut off" in store.warnings[0]
        assert store.contents.records == before[:-1]
        last = before[-1]
        store.append(last, action=last["_action"], reverts=last.get("_reverts"))
    assert read_store(path).records == before  # the same record again, its tokens found as before


def test_exported_records_hold_the_tokens_of_their_text(tmp_path: Path) -> None:
    path = session_store(tmp_path)
    out = tmp_path / "out.jsonl"
    assert main(["export", str(path), "--format", "jsonl", "--include", "unfinished,rejected,ignored",
                 "--out", str(out)]) == 0
    exported = raw_lines(out)
    assert len(exported) == 3
    for record in exported:
        assert record["tokens"] == token_dicts(tokenize(record["text"]))
        assert TOKENIZER_FIELD not in record and not set(HISTORY_FIELDS) & set(record)


# --- stores written before this format ---------------------------------------------------------


def old_records() -> list[tuple[dict[str, Any], str, int | None]]:
    """(record, action, reverts) as two annotators' sessions would have made them."""
    out: list[tuple[dict[str, Any], str, int | None]] = []
    texts = ARTICLE.split("\n\n")
    for annotator in ("alice", "bob"):
        for index, text in enumerate(texts):
            tokens = tokenize(text)
            words = [t.id for t in tokens if not t.text.isspace()]
            paragraph = Paragraph("strikes", index, text, 0, "strikes.txt")
            annotation = add_span(EMPTY, span_over_tokens(tokens, words[0], words[0], "ACTOR"))
            if annotator == "bob":
                annotation = add_span(annotation, span_over_tokens(tokens, words[-1], words[-1], "LOCATION"))
            first = to_record(paragraph, tokens, annotation, schema_ref=SCHEMA_REF, annotator=annotator, timestamp=10)
            out.append((first, "edit", None))
            decided = to_record(paragraph, tokens, decide(set_flag(annotation, index == 1, "a note" * (index == 1)),
                                                          "accept" if index else "reject"),
                                schema_ref=SCHEMA_REF, annotator=annotator, timestamp=20 + index)
            out.append((decided, "edit", None))
            if index == 2:
                out.append(({**first, "_timestamp": 40}, "undo", len(out)))
    return out


def write_older_format(path: Path, records: list[tuple[dict[str, Any], str, int | None]]) -> None:
    """Lines as the store wrote them before: the whole record, tokens included, then the history fields."""
    with open(path, "w", encoding="utf-8") as handle:
        for seq, (record, action, reverts) in enumerate(records, start=1):
            line = {**record, "_seq": seq, "_action": action, **({"_reverts": reverts} if reverts else {})}
            handle.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")


def test_a_store_of_the_older_format_reads_exactly_as_it_was_written(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    write_older_format(old, old_records())
    written = raw_lines(old)
    contents = read_store(old)
    assert contents.records == written
    assert [list(record) for record in contents.records] == [list(line) for line in written]  # field order too
    with Store(old) as store:
        step = store.history.undo()  # bob's undo took back his decision on strikes#2: next is the edit before it
        assert step is not None and step.edit.seq == len(written) - 2 and step.edit.id == "strikes#2"
        assert step.state is not None and store.contents.read(step.state) == written[6]  # alice's undo line


def test_every_command_reads_a_store_of_the_older_format_as_the_same_store_in_this_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    records = old_records()
    write_older_format(old, records)
    with Store(new) as store:
        for record, action, reverts in records:
            store.append(record, action=action, reverts=reverts)  # type: ignore[arg-type]
    assert len(new.read_bytes()) < len(old.read_bytes())
    assert read_store(old).records == read_store(new).records
    outputs = {}
    for path in (old, new):
        results = []
        for command in (["stats", "--json"], ["agree", "--json"]):
            assert main([command[0], str(path), *command[1:]]) == 0
            results.append(capsys.readouterr().out)
        for form, suffix in (("jsonl", ".jsonl"), ("conll", ".conll"), ("doccano", ".doccano.jsonl")):
            out = tmp_path / f"{path.stem}-export{suffix}"
            assert main(["export", str(path), "--format", form, "--include", "unfinished,rejected,ignored",
                         "--out", str(out)]) == 0
            results.append(out.read_text(encoding="utf-8"))
        merged = tmp_path / f"{path.stem}-merged.jsonl"
        assert main(["merge", str(path), "--out", str(merged)]) == 0
        results.append(json.dumps([{k: v for k, v in r.items() if k != "_merged_from"}
                                   for r in read_store(merged).records]))
        capsys.readouterr()
        outputs[path.stem] = results
    assert outputs["old"] == outputs["new"]


# --- the line itself ---------------------------------------------------------------------------


def test_a_line_is_its_record_with_the_header_first(tmp_path: Path) -> None:
    (record, _, _), (decided, _, _) = old_records()[2:4]
    tokens = record["tokens"]
    line = encode_line(decided, seq=7, action="redo", reverts=5, tokens=tokens)
    parsed = json.loads(line)
    assert list(parsed)[:8] == ["id", "_seq", "_action", "_reverts", "answer", "flagged", TOKENIZER_FIELD, "tokens"]
    assert parsed == {**decided, "_seq": 7, "_action": "redo", "_reverts": 5, TOKENIZER_FIELD: TOKENIZER_VERSION}
    without = json.loads(encode_line(decided, seq=7, action="edit", reverts=None, tokens=None))
    assert "tokens" not in without and "_reverts" not in without


def test_fields_encoded_ahead_give_the_same_line() -> None:
    text = "Rebels shelled Aleppo 😀 and\r\nHoms\u00a0on Friday."
    tokens = tokenize(text)
    words = [t.id for t in tokens if not t.text.isspace()]
    builder = RecordBuilder(Paragraph("a", 0, text, 0, "a.txt"), schema_ref=SCHEMA_REF, annotator="dana")
    annotation = EMPTY
    for word in words[::2]:
        annotation = add_span(annotation, span_over_tokens(tokens, word, word, "ACTOR"))
        record, encoded = builder.build(annotation, None, timestamp=3)
        assert encode_line(record, seq=1, action="edit", reverts=None, tokens=None, encoded=encoded) == \
            encode_line(record, seq=1, action="edit", reverts=None, tokens=None)
        assert record == to_record(Paragraph("a", 0, text, 0, "a.txt"), None, annotation, schema_ref=SCHEMA_REF,
                                   annotator="dana", timestamp=3)


def test_tokens_that_could_hide_their_end_make_a_plain_line_that_reads_back(tmp_path: Path) -> None:
    odd = [{"text": "Iraq", "start": 0, "end": 4, "id": 0, "ws": True, "parts": [{"a": 1}], "z": "}],\"x\":"}]
    record = {"id": "a#0", "text": "Iraq said so.", "tokens": odd, "spans": []}
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record)
        store.append({**record, "answer": "accept"})
    assert not path.read_text(encoding="utf-8").startswith('{"id":"a#0","_seq"')  # the plain layout
    assert [r["tokens"] for r in read_store(path).records] == [odd, odd]


def test_a_relocated_line_is_the_line_encoded_again_with_its_new_place() -> None:
    (record, _, _), (decided, _, _) = old_records()[2:4]
    tokens = record["tokens"]
    line = encode_line(decided, seq=3, action="undo", reverts=2, tokens=tokens)
    moved = relocated_line(line, seq=30, reverts=20, tokens=None, extra=b'"_merged_from":{"store":"a.jsonl","seq":3}')
    expected = {key: value for key, value in json.loads(line).items() if key != "tokens"}
    expected.update({"_seq": 30, "_reverts": 20, "_merged_from": {"store": "a.jsonl", "seq": 3}})
    assert moved is not None and json.loads(moved) == expected
    kept = relocated_line(line, seq=1, reverts=None, tokens=to_json(tokens).encode(), extra=b"")
    assert kept is not None
    assert json.loads(kept) == {**{key: value for key, value in json.loads(line).items() if key != "_reverts"}, "_seq": 1}
    assert relocated_line(json.dumps(decided).encode(), seq=1, reverts=None, tokens=None, extra=b"") is None


# --- any text, any spans: what goes in comes out ------------------------------------------------

PIECES = ["Iraq", "Deir el-Zour", "16,000", "U.S.", "🇮🇶", "😀", "👨‍👩‍👧", "\r\n", "\u00a0", "  ", "\t",
          "قالت", "北京", "said", ",", ".", " ", "Iran's", "e\u0301clat"]


@st.composite
def versions(draw: st.DrawFn) -> list[tuple[str, dict[str, Any], bool]]:
    """(how to append, record, with tokens) for a few paragraphs, several versions each."""
    out = []
    for number in range(draw(st.integers(1, 3))):
        text = "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=25)))
        tokens = tokenize(text)
        words = [t.id for t in tokens if not t.text.isspace()]
        paragraph = Paragraph("art", number, text, 0, "art.txt")
        annotation: Annotation = EMPTY
        for version in range(draw(st.integers(1, 4))):
            if words:
                first = draw(st.sampled_from(words))
                last = draw(st.sampled_from([w for w in words if w >= first]))
                annotation = add_span(annotation, span_over_tokens(tokens, first, last, draw(st.sampled_from(
                    ["ACTOR", "LOCATION", "CASUALTY"]))))
            annotation = decide(annotation, draw(st.sampled_from([None, "accept", "reject", "ignore"])))
            record = to_record(paragraph, tokens, annotation, schema_ref=SCHEMA_REF, annotator="h", timestamp=version)
            out.append((draw(st.sampled_from(["full", "state"])), record, version == 0))
    return draw(st.permutations(out)) if draw(st.booleans()) else out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions())
def test_records_come_back_as_they_went_in(tmp_path_factory: pytest.TempPathFactory,
                                           appended: list[tuple[str, dict[str, Any], bool]]) -> None:
    path = tmp_path_factory.mktemp("round") / "s.jsonl"
    expected = []
    with Store(path) as store:
        for seq, (how, record, _) in enumerate(appended, start=1):
            sent = record if how == "full" else {k: v for k, v in record.items() if k != "tokens"}
            store.append(sent)
            expected.append({**record, "_seq": seq, "_action": "edit"})
    assert read_store(path).records == expected
    assert [json.dumps(r) for r in read_store(path).records] == [json.dumps(r) for r in expected]  # field order
    with Store(path) as store:
        assert store.contents.records == expected
        assert [fields for _, fields, _ in store.contents.iter_states()] == \
            [{k: v for k, v in r.items() if k != "tokens"} for r in expected]
    for line in raw_lines(path):
        assert line[TOKENIZER_FIELD] == TOKENIZER_VERSION
    holding = [line["id"] for line in raw_lines(path) if "tokens" in line]
    assert len(holding) == len(set(holding))  # each paragraph's tokens once (one text, one tokenization each)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(['"', "\\", "\x00"]),
                            min_size=1, max_size=8), min_size=1, max_size=6))
def test_any_paragraph_id_is_read_back_from_the_header(tmp_path_factory: pytest.TempPathFactory, ids: list[str]) -> None:
    """Quotes, backslashes, escapes and control characters in an id: the header's pattern reads it as json would."""
    path = tmp_path_factory.mktemp("ids") / "s.jsonl"
    with Store(path) as store:
        for record_id in ids:
            store.append({"id": record_id, "text": "Iraq said so.", "spans": []})
    contents = read_store(path)
    assert contents.ids() == list(dict.fromkeys(ids))
    assert [contents.id_at(index) for index in range(len(ids))] == ids
    matches = [_HEADER.match(line) for line in path.read_bytes().splitlines()]
    assert [json.loads(b'"' + match[1] + b'"') for match in matches if match is not None] == ids  # every line's header read
