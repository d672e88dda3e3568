"""Stats on a hand-made store: progress, answers, labels, pace with breaks, flagged notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.store import Store
from annotator.team.merge import read_team
from annotator.team.stats import pace, team_stats

TEXT = "Iraq said so."
T0 = 1_700_000_000


def record(pid: str, t: int, annotator: str = "alice", *, answer: str | None = "accept", label: str | None = "LOCATION",
           flagged: bool = False, note: str = "") -> dict:
    rec: dict = {
        "id": pid, "text": TEXT,
        "tokens": [{"text": "Iraq", "start": 0, "end": 4, "id": 0, "ws": True}],
        "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": label, "text": "Iraq"}] if label else [],
        "_annotator_id": annotator, "_timestamp": T0 + t,
    }
    if answer:
        rec["answer"] = answer
    if flagged:
        rec["flagged"] = True
    if note:
        rec["note"] = note
    return rec


@pytest.fixture
def store(tmp_path: Path) -> Path:
    # alice decides a#0..a#4 at 0, 60, 180, (a break of an hour) 3780, 3810 seconds; she first
    # tags a#0 without deciding (in progress) and later re-decides a#1, which does not move its
    # first decision. a#5 stays in progress. Intervals counted: 60, 120, 30 -> median 60 s,
    # 210 s of work for 3 paragraphs = 3 * 3600 / 210 = 51.43 an hour; one break.
    path = tmp_path / "alice.jsonl"
    with Store(path) as s:
        s.append(record("a#0", -30, answer=None))
        s.append(record("a#0", 0))
        s.append(record("a#1", 60, answer="reject", label=None))
        s.append(record("a#2", 180, flagged=True, note="is this a place or a government?"))
        s.append(record("a#3", 3780, answer="ignore", label=None))
        s.append(record("a#4", 3810, label="ACTOR"))
        s.append(record("a#1", 4000, answer="accept"))
        s.append(record("a#5", 4100, answer=None))
    return path


def test_progress_answers_and_labels_come_from_the_latest_records(store: Path) -> None:
    stats = team_stats(read_team([store]))
    alice = stats.annotators["alice"]
    assert (alice.seen, alice.decided, alice.in_progress) == (6, 5, 1)
    assert alice.answers == {"accept": 4, "ignore": 1}  # a#1 was rejected, then accepted: latest wins
    assert alice.spans == {"ACTOR": 1, "LOCATION": 4}
    assert stats.paragraphs == 6 and stats.decided_by_anyone == 5


def test_pace_counts_the_first_decision_and_leaves_breaks_out(store: Path) -> None:
    alice = team_stats(read_team([store])).annotators["alice"]
    assert alice.pace.intervals == 3
    assert alice.pace.breaks == 1
    assert alice.pace.median_seconds == 60
    assert alice.pace.active_seconds == 210
    assert alice.pace.per_hour == pytest.approx(3 * 3600 / 210)


def test_a_longer_break_threshold_counts_the_hour_as_work(store: Path) -> None:
    alice = team_stats(read_team([store]), break_seconds=2 * 3600).annotators["alice"]
    assert alice.pace.intervals == 4 and alice.pace.breaks == 0


def test_flagged_paragraphs_are_listed_with_their_notes(store: Path) -> None:
    stats = team_stats(read_team([store]))
    assert [(f.id, f.annotator, f.note) for f in stats.flagged] == [("a#2", "alice", "is this a place or a government?")]
    assert stats.to_json()["flagged"][0]["text"] == TEXT


def test_pace_needs_two_decisions() -> None:
    single = pace([T0])
    assert single.per_hour is None and single.median_seconds is None


def test_annotators_in_one_store_are_counted_apart(tmp_path: Path) -> None:
    path = tmp_path / "team.jsonl"
    with Store(path) as s:
        s.append(record("a#0", 0, "alice"))
        s.append(record("a#0", 5, "bob", answer=None))
    stats = team_stats(read_team([path]))
    assert stats.annotators["alice"].decided == 1 and stats.annotators["bob"].in_progress == 1
    assert stats.totals()["decided"] == 1 and stats.paragraphs == 1
