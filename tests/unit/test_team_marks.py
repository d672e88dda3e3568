"""What the team commands take from each line of a history without parsing it (`StoreContents.iter_marks`),
against the same fields of the line parsed whole; and that `read_team` reads whole only the latest lines."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stores import write_store

from annotator.cli import main
from annotator.core.corpus import Paragraph
from annotator.core.records import to_record
from annotator.core.spans import Annotation, Span
from annotator.core.store import StoreContents, read_store
from annotator.core.tokens import tokenize
from annotator.team.merge import merge_stores, read_team

TEXT = "Strikes hit Homs on Monday."
REF = {"name": "news-conflict", "version": "1"}


def written_record(article: str, annotator: str, timestamp: int, *, answer: str | None = None,
                   meta: dict[str, Any] | None = None, spans: int = 1) -> dict[str, Any]:
    """A record of paragraph `article#0` as the annotate screen writes it (`RecordBuilder`'s order of fields)."""
    tokens = tokenize(TEXT)
    annotation = Annotation(spans=(Span(12, 16, "LOCATION", 2, 2, id="s1"),)[:spans], answer=answer)
    return to_record(Paragraph(article, 0, TEXT, 0, "news.txt"), tokens, annotation, schema_ref=REF,
                     annotator=annotator, timestamp=timestamp, meta=meta)


def whole_marks(contents: StoreContents) -> list[tuple[int, str, Any, Any, bool]]:
    """`iter_marks` as the lines parsed whole give it."""
    return [(index, record["id"], record.get("_annotator_id"), record.get("_timestamp"), record.get("answer") is not None)
            for index, record, _ in contents.iter_states()]


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6) | st.sampled_from(
    ["alice", 'a"b', "a\\b", "\x1b[2J", "ünï", "\U0001f600", ""])
stamps = st.integers(-(10**20), 10**20) | st.integers(0, 2_000_000_000)
lines = st.lists(st.tuples(st.sampled_from(["a", "b", 'c"']), names, stamps,
                           st.sampled_from([None, "accept", "reject", "ignore"]),
                           st.sampled_from([None, {"_annotator_id": "mallory", "_timestamp": 5}, {"_status": "x"}]),
                           st.booleans()),
                 min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(lines=lines, merged=st.booleans())
def test_the_marks_of_every_line_are_those_of_the_line_parsed_whole(lines: list[tuple[Any, ...]], merged: bool) -> None:
    """Names with quotes, escapes and control characters, timestamps past 64 bits, meta holding the same
    keys: each line gives what its record holds, whether its last members are read or the line parsed."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        records = []
        for article, annotator, stamp, answer, meta, by_hand in lines:
            record = written_record(article, annotator, stamp, answer=answer, meta=meta)
            if by_hand:  # another tool's order of fields: the history fields first
                record = {"_timestamp": record.pop("_timestamp"), **record}
            records.append(record)
        store = write_store(folder / "s.jsonl", records)
        if merged:
            merge_stores([store], folder / "m.jsonl")
            store = folder / "m.jsonl"
        contents = read_store(store)

        assert list(contents.iter_marks()) == whole_marks(contents)


def test_the_marks_of_lines_of_the_older_format_and_of_hand_made_records(tmp_path: Path) -> None:
    old = written_record("a", "alice", 1_700_000_000, answer="accept")
    store = tmp_path / "s.jsonl"
    store.write_text(json.dumps({**old, "_seq": 1, "_action": "edit"}, ensure_ascii=False) + "\n"
                     + json.dumps({"id": "b#0", "text": TEXT, "_timestamp": 5}) + "\n", encoding="utf-8")
    contents = read_store(store)

    assert list(contents.iter_marks()) == [(0, "a#0", "alice", 1_700_000_000, True), (1, "b#0", None, 5, False)]


def test_read_team_reads_whole_only_each_annotators_latest_line_of_a_paragraph(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [written_record(article, who, 1_700_000_000 + n, answer="accept" if n % 3 == 0 else None, spans=n % 2)
               for n, (article, who) in enumerate([("a", "alice"), ("a", "bob"), ("b", "alice"), ("a", "alice"),
                                                   ("b", "alice"), ("a", "bob"), ("c", "bob"), ("a", "alice")])]
    store = write_store(tmp_path / "team.jsonl", records)
    read_whole: list[int] = []
    state = StoreContents._state

    def counted(self: StoreContents, handle: Any, index: int, raw: bytes) -> dict[str, Any]:
        read_whole.append(index)
        return state(self, handle, index, raw)

    monkeypatch.setattr(StoreContents, "_state", counted)
    team = read_team([store])

    assert read_whole == [4, 5, 6, 7]  # alice's b#0, bob's a#0 and c#0, alice's a#0
    assert {name: {pid: (facts.line, facts.stamp, facts.answer, facts.labels) for pid, facts in mine.items()}
            for name, mine in team.facts.items()} == {
        "alice": {"a#0": (7, 1_700_000_007, None, ("LOCATION",)), "b#0": (4, 1_700_000_004, None, ())},
        "bob": {"a#0": (5, 1_700_000_005, None, ("LOCATION",)), "c#0": (6, 1_700_000_006, "accept", ())},
    }
    assert team.history["alice"].lines == 5 and team.history["bob"].lines == 3
    # the first line with an answer: alice's a#0 was decided again at line 3, bob's c#0 once
    assert team.history["alice"].first_decisions == {"a#0": 1_700_000_000}
    assert team.history["bob"].first_decisions == {"c#0": 1_700_000_006}
    assert (team.history["bob"].first_timestamp, team.history["bob"].last_timestamp) == (1_700_000_001, 1_700_000_006)


def test_between_stores_of_one_annotator_the_later_timestamp_wins_whatever_line_comes_last(tmp_path: Path) -> None:
    first = write_store(tmp_path / "laptop.jsonl", [written_record("a", "alice", 10, spans=0),
                                                    written_record("a", "alice", 30, spans=1)])
    second = write_store(tmp_path / "desktop.jsonl", [written_record("a", "alice", 20, spans=0),
                                                      written_record("a", "alice", 25, spans=0)])
    facts = read_team([first, second]).facts["alice"]["a#0"]

    assert (facts.store, facts.line, facts.labels) == (0, 1, ("LOCATION",))


def test_a_superseded_line_whose_timestamp_is_no_whole_number_is_refused_with_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A line not as the store writes it is read whole and checked, latest or not."""
    store = write_store(tmp_path / "alice.jsonl", [written_record("a", "alice", 10), written_record("a", "alice", 20)])
    lines = store.read_bytes().split(b"\n")
    lines[0] = lines[0].replace(b'"_timestamp":10', b'"_timestamp":1.5')
    store.write_bytes(b"\n".join(lines))

    assert main(["stats", str(store)]) == 2
    assert capsys.readouterr().err.startswith(f"annotator: {store}:1: _timestamp: must be a whole number")


def test_a_later_line_of_the_same_store_wins_however_it_names_its_annotator(tmp_path: Path) -> None:
    """alice.jsonl's second line names no annotator, so it is alice's too: once her first line there won
    against another store's older one, her later line wins, whatever its own `_timestamp`."""
    other = write_store(tmp_path / "laptop.jsonl", [written_record("a", "alice", 30, spans=0)])
    nameless = {key: value for key, value in written_record("a", "alice", 20, spans=1).items() if key != "_annotator_id"}
    store = write_store(tmp_path / "alice.jsonl", [written_record("a", "alice", 40, spans=0), nameless])
    team = read_team([other, store])

    facts = team.facts["alice"]["a#0"]
    assert (facts.store, facts.line, facts.labels) == (1, 1, ("LOCATION",))
    assert list(team.facts) == ["alice"] and team.history["alice"].lines == 3
