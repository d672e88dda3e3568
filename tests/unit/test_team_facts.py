"""What `read_team` keeps of each latest line, and that `agree` compares from it without reading the versions again."""

from __future__ import annotations

from pathlib import Path

import pytest
from stores import write_store
from test_agreement import TEXT, record

from annotator.core.store import encode_line
from annotator.team.agreement import compare
from annotator.team.merge import TeamReader, read_team


def test_the_facts_keep_each_latest_lines_spans_in_order(tmp_path: Path) -> None:
    store = write_store(tmp_path / "alice.jsonl", [
        record("a#0", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("a#0", TEXT, [(0, 6, "ACTOR"), (15, 21, "LOCATION"), (26, 30, "LOCATION")], "alice"),
        record("a#1", TEXT, [], "alice"),
    ])

    facts = read_team([store]).facts["alice"]

    assert facts["a#0"].span_keys() == [(0, 6, "ACTOR"), (15, 21, "LOCATION"), (26, 30, "LOCATION")]
    assert facts["a#0"].labels == ("ACTOR", "LOCATION", "LOCATION")
    assert facts["a#1"].span_keys() == []


def test_agree_reads_only_the_lines_holding_the_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = write_store(tmp_path / "alice.jsonl", [
        record("a#0", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("a#0", TEXT, [(0, 6, "ACTOR"), (15, 21, "LOCATION")], "alice"),
    ])
    bob = write_store(tmp_path / "bob.jsonl", [record("a#0", TEXT, [(0, 6, "ACTOR"), (15, 30, "LOCATION")], "bob")])
    team = read_team([alice, bob])

    def refused(*_: object) -> None:
        raise AssertionError("a version was read again")

    monkeypatch.setattr(TeamReader, "record", refused)
    result = compare(team)

    assert result.shared_paragraphs == 1
    assert result.span_f1_exact == pytest.approx(2 * 1 / 4)
    assert result.span_f1_partial == pytest.approx(2 * 2 / 4)


def test_a_token_line_whose_text_is_not_the_records_is_not_taken(tmp_path: Path) -> None:
    """A line that keeps no tokens after a line holding them for another text (written by hand: the store
    writes tokens again when the text changes) is read itself, its tokens made from its own text."""
    other = "Rebels shelled Aleppo and Homs again"
    alice = write_store(tmp_path / "alice.jsonl", [record("a#0", TEXT, [(0, 6, "ACTOR")], "alice")])
    bob = write_store(tmp_path / "bob.jsonl", [record("a#0", other, [(0, 6, "ACTOR")], "bob")])
    edited = {key: value for key, value in record("a#0", TEXT, [(0, 6, "ACTOR")], "bob").items() if key != "tokens"}
    with bob.open("ab") as handle:
        handle.write(encode_line(edited, seq=2, action="edit", reverts=None, tokens=None) + b"\n")
    team = read_team([alice, bob])

    with team.reading(with_tokens=False) as reader:
        assert reader.text_and_token_offsets("bob", "a#0") == (TEXT, [0, 7, 15, 22, 26], [6, 14, 21, 25, 30])
    assert compare(team).span_f1_exact == pytest.approx(1.0)
