"""The checked reading's fast path (`checked.fields_right`, `tokens_right`: one pattern over a line's JSON)
against the field-by-field check it stands in for: it may only find right what `check_fields` accepts,
it finds right the lines this tool writes, and a store read with it gives the same records, or the
same refusal word for word, as one read without it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annotator.core.checked as checked_module
import annotator.core.store as store_module
from annotator.core.checked import RecordError, check_fields, checked_json, fields_right, tokens_right
from annotator.core.corpus import Paragraph
from annotator.core.errors import InputError
from annotator.core.records import to_json, to_record, token_dicts
from annotator.core.spans import Annotation, RejectedSpan, Relation, Span
from annotator.core.store import encode_line, read_store
from annotator.core.tokens import tokenize

TEXT = "Strikes hit Homs, officials said."


@pytest.fixture(autouse=True)
def patterns_from_the_first_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """`check_fields` uses the patterns from the first record with its text on (not after a few thousand)."""
    monkeypatch.setattr(checked_module, "PATTERNS_AFTER", 0)
REF = {"name": "news-conflict", "version": "1"}


def full_record(**meta: Any) -> dict[str, Any]:
    """A record with every kind of field this tool writes: attributes, a score, a suggestion, a relation,
    a note, a flag, rejected suggestions, and `meta` kept from an import."""
    tokens = tokenize(TEXT)
    spans = (Span(12, 16, "LOCATION", 2, 2, id="s1", attributes=(("kind", "city"), ("rank", 2), ("sure", True))),
             Span(18, 32, "ATTRIBUTION", 4, 5, id="s2", source="model:x", score=0.25, suggested=True))
    annotation = Annotation(spans=spans, relations=(Relation("SAID_OF", "s2", "s1"),), answer="accept",
                            flagged=True, note="check \u00e9", rejected=(RejectedSpan(0, 7, "ACTOR", "model:x"),))
    return to_record(Paragraph("news", 0, TEXT, 0, "news.txt"), tokens, annotation, schema_ref=REF,
                     annotator="alice", timestamp=1_700_000_000, meta=meta)


def header_text(record: dict[str, Any], *, seq: int = 1, tokens: bool = True) -> bytes:
    return encode_line(record, seq=seq, action="edit", reverts=None, tokens=record["tokens"] if tokens else None)


def plain_text(record: dict[str, Any]) -> bytes:
    return to_json({**record, "_seq": 1, "_action": "edit"}).encode("utf-8")


def refusal(record: Any, text: bytes | None = None) -> str | None:
    """What `check_fields` says of `record` (None: nothing wrong)."""
    try:
        check_fields(record, text)
    except RecordError as error:
        return str(error)
    return None


@pytest.mark.parametrize("make", [header_text, plain_text, lambda record: header_text(record, tokens=False)],
                         ids=["header", "plain", "header without tokens"])
@pytest.mark.parametrize("meta", [{}, {"source_id": 7, "source_meta": {"tags": ["a", "b"], "n": None, "by": {"x": 1}}}],
                         ids=["own meta", "imported meta"])
def test_the_lines_this_tool_writes_take_the_fast_path(make: Any, meta: dict[str, Any]) -> None:
    record = full_record(**meta)
    text = make(record)
    parsed = checked_json(text)
    assert fields_right(text, parsed)
    merged = text[:-1] + b',"_merged_from":{"store":"alice.jsonl","seq":3}}'  # what `merge` adds
    assert fields_right(merged, checked_json(merged))


def test_a_store_line_is_matched_in_its_own_order_and_a_record_of_another_order_in_any() -> None:
    """The pattern of a line as the store writes it finds it right by itself; a record whose members come in
    another order (the older format, a file made by hand) is found right by the pattern of any order."""
    record = full_record()
    written, _ = checked_module._record_patterns()
    line = header_text(record, tokens=False)
    assert written.fullmatch(checked_module._blanked(line))
    assert written.fullmatch(checked_module._blanked(line[:-1] + b',"_merged_from":{"store":"a.jsonl","seq":3}}'))
    members = list(json.loads(line).items())
    shuffled = to_json(dict([members[0], *reversed(members[1:])])).encode("utf-8")
    assert not written.fullmatch(checked_module._blanked(shuffled))
    assert fields_right(shuffled, checked_json(shuffled))
    older = plain_text(record)  # the older format: `_seq` and `_action` last
    assert not written.fullmatch(checked_module._blanked(older))
    assert fields_right(older, checked_json(older))


def test_tokens_as_the_store_writes_them_are_right_and_surrogates_are_not() -> None:
    tokens = to_json(token_dicts(tokenize(TEXT))).encode("utf-8")
    assert tokens_right(tokens, 0, len(tokens))
    assert tokens_right(b"[]", 0, 2)
    line = b'"tokens":' + tokens + b","
    assert tokens_right(line, 9, len(line) - 1)
    escaped = tokens.replace(b'"Strikes"', b'"\\ud800trikes"', 1)
    assert escaped != tokens and not tokens_right(escaped, 0, len(escaped))
    assert not tokens_right(tokens.replace(b'"end":7', b'"end":0', 1), 0, len(tokens))  # end is at least 1


def test_a_wrong_field_is_left_to_the_full_check() -> None:
    record = full_record()
    for wrong in ('"_timestamp":1.5', '"_timestamp":true', '"_seq":0', '"_seq":10000000000000000000',
                  '"meta":{"paragraph":-1}', '"answer":"maybe"', '"spans":[{"start":0}]', '"\\u0069d":5'):
        text = header_text(record)[:-1] + b"," + wrong.encode() + b"}"
        parsed = checked_json(text)
        assert not fields_right(text, parsed), wrong
        assert refusal(parsed, text) == refusal(parsed) is not None, wrong


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(-(10**20), 10**20),
    st.sampled_from([2**63 - 1, 2**63, 10**18 - 1, 10**18]),
    st.floats(allow_nan=False), st.text(max_size=4), st.sampled_from(["accept", "done", "edit", "\U0001f600", "a\"b\\"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["start", "end", "label", "text", "id", "token_start", "token_end", "name", "x"]),
                    inner, max_size=4)), max_leaves=8)
PLACES = {
    "record": ["id", "text", "tokens", "spans", "relations", "answer", "flagged", "note", "meta", "_input_hash",
               "_view_id", "_timestamp", "_schema", "_status", "_seq", "_action", "_reverts", "_other"],
    "span": ["start", "end", "token_start", "token_end", "label", "text", "id", "source", "attributes", "score",
             "suggested", "other"],
    "attributes": ["kind", "rank"],
    "token": ["text", "start", "end", "id", "ws", "other"],
    "relation": ["head", "child", "head_span", "label", "head_id", "other"],
    "meta": ["article_id", "paragraph", "char_offset", "source", "rejected_spans", "source_meta"],
    "rejected": ["start", "end", "label", "source"],
    "_schema": ["name", "version", "other"],
}


PATHS: dict[str, tuple[str | int, ...]] = {
    "record": (), "span": ("spans", 0), "attributes": ("spans", 0, "attributes"), "token": ("tokens", 1),
    "relation": ("relations", 0), "meta": ("meta",), "rejected": ("meta", "rejected_spans", 0), "_schema": ("_schema",),
}


#: keys whose JSON holds escapes next to a name the schema gives (the patterns blank `\\` and `\"`)
ESCAPED_KEYS = ['start"', "\\start", 'label\\', '"', "\\", "st\u00e4rt", "_seq\n"]


def _target(record: dict[str, Any], where: str) -> dict[str, Any]:
    """The object of `record` that `where` names."""
    found: Any = record
    for step in PATHS[where]:
        found = found[step]
    return found  # type: ignore[no-any-return]


@settings(max_examples=400, deadline=None)
@given(where=st.sampled_from(sorted(PLACES)), data=st.data(), delete=st.booleans(),
       spelling=st.sampled_from(["header", "plain", "ascii", "spaced"]))
def test_the_fast_path_finds_right_only_what_the_full_check_accepts(where: str, data: st.DataObject, delete: bool,
                                                                    spelling: str) -> None:
    """For a record with one field changed (or taken out), in any spelling of its JSON: what the pattern
    finds right the full check accepts, and `check_fields` with the text says exactly what it says without."""
    record = full_record(source_id=1)
    target = _target(record, where)
    field = data.draw(st.sampled_from([*PLACES[where], *ESCAPED_KEYS]))
    if delete:
        target.pop(field, None)
    else:
        target[field] = data.draw(values)
    if spelling == "header" and isinstance(record.get("id"), str) and isinstance(record.get("tokens"), list):
        text = header_text(record)
    elif spelling in ("header", "plain"):
        text = plain_text(record)
    else:  # escapes for everything past ASCII (surrogate pairs included), or json's spaces
        text = json.dumps(record, ensure_ascii=spelling == "ascii",
                          separators=None if spelling == "spaced" else (",", ":")).encode("utf-8")
    try:
        parsed = checked_json(text)
    except ValueError:
        return  # refused before any field is looked at
    expected = refusal(parsed)
    if fields_right(text, parsed):
        assert expected is None, (where, field, text)
    assert refusal(parsed, text) == expected


def _read_everything(path: Path) -> tuple[list[Any], list[Any]] | str:
    """A store read as the commands read it (every line streamed, then every record whole), or its refusal."""
    try:
        contents = read_store(path)
        return [record for _, record, _ in contents.iter_states()], contents.records
    except InputError as error:
        return str(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(sorted(PLACES)), data=st.data(), line=st.integers(0, 2))
def test_a_store_reads_the_same_with_the_fast_path_as_without(where: str, data: st.DataObject, line: int,
                                                              tmp_path_factory: pytest.TempPathFactory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Three lines of a paragraph (the first holding its tokens), one of them changed: the same records,
    or the same refusal with the same file, line and field, whether the patterns are used or not."""
    record = full_record()
    lines = [header_text(record, seq=1), header_text(record, seq=2, tokens=False), header_text(record, seq=3, tokens=False)]
    line = 0 if where == "token" else line  # only the first line holds tokens
    changed = checked_json(lines[line])
    target = _target(changed, where)
    target[data.draw(st.sampled_from([*PLACES[where], *ESCAPED_KEYS]))] = data.draw(values)
    try:
        lines[line] = encode_line(changed, seq=line + 1, action="edit", reverts=None,
                                  tokens=changed.pop("tokens", None) if line == 0 else None)
    except (KeyError, TypeError, AttributeError):
        lines[line] = to_json(changed).encode("utf-8")
    path = tmp_path_factory.mktemp("store") / "alice.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    fast = _read_everything(path)
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "tokens_right", lambda *_: False)
        patched.setattr(checked_module, "fields_right", lambda *_: False)
        slow = _read_everything(path)
    assert fast == slow
