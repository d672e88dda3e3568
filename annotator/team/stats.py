"""Progress and pace of a team, from their stores alone (no sources needed).

- Progress counts paragraphs seen (with any record), decided (an answer) and in progress
  (a record but no answer yet), per annotator, from each `(annotator, id)`'s latest record
  (what `merge.read_team` kept of it: no record is held in memory).
- Spans per label and flagged paragraphs come from the latest records too.
- Pace: for each paragraph, the moment an annotator first decided it (the `_timestamp` of the
  first line of their history with an answer). Sorted, consecutive moments give the time spent
  on one paragraph; a gap longer than `break_seconds` (default 30 minutes) is a break and is
  not counted. Paragraphs an hour = intervals counted / their total time; the median interval
  is the typical time per paragraph. The first paragraph of each sitting has no interval
  (nothing marks when the annotator sat down).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from annotator.team.merge import AnnotatorHistory, TeamRecords

BREAK_SECONDS = 30 * 60


@dataclass(slots=True)
class Pace:
    intervals: int  # times between consecutive decisions that were counted
    breaks: int  # gaps longer than the break threshold, left out
    active_seconds: float
    median_seconds: float | None

    @property
    def per_hour(self) -> float | None:
        return self.intervals * 3600 / self.active_seconds if self.active_seconds > 0 else None


@dataclass(slots=True)
class Flagged:
    id: str
    annotator: str
    note: str
    text: str


@dataclass(slots=True)
class AnnotatorStats:
    seen: int
    decided: int
    in_progress: int
    answers: dict[str, int]
    spans: dict[str, int]  # label -> spans in the latest records
    pace: Pace
    assigned: int | None  # paragraphs in their queue, where an assignment was given
    first_timestamp: int | None
    last_timestamp: int | None


@dataclass(slots=True)
class TeamStats:
    annotators: dict[str, AnnotatorStats]
    paragraphs: int  # distinct paragraph ids seen by anyone
    decided_by_anyone: int
    flagged: list[Flagged] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        answers: Counter[str] = Counter()
        spans: Counter[str] = Counter()
        for stats in self.annotators.values():
            answers.update(stats.answers)
            spans.update(stats.spans)
        return {
            "seen": sum(s.seen for s in self.annotators.values()),
            "decided": sum(s.decided for s in self.annotators.values()),
            "in_progress": sum(s.in_progress for s in self.annotators.values()),
            "answers": dict(sorted(answers.items())),
            "spans": dict(sorted(spans.items())),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "paragraphs": {"distinct": self.paragraphs, "decided_by_anyone": self.decided_by_anyone},
            "total": self.totals(),
            "annotators": {
                name: {
                    "seen": s.seen,
                    "decided": s.decided,
                    "in_progress": s.in_progress,
                    "assigned": s.assigned,
                    "answers": s.answers,
                    "spans": s.spans,
                    "pace": {
                        "paragraphs_per_hour": s.pace.per_hour,
                        "median_seconds_per_paragraph": s.pace.median_seconds,
                        "intervals": s.pace.intervals,
                        "breaks": s.pace.breaks,
                        "active_seconds": s.pace.active_seconds,
                    },
                    "first_timestamp": s.first_timestamp,
                    "last_timestamp": s.last_timestamp,
                }
                for name, s in self.annotators.items()
            },
            "flagged": [{"id": f.id, "annotator": f.annotator, "note": f.note, "text": f.text} for f in self.flagged],
            "warnings": self.warnings,
        }


def pace(decision_times: list[float], break_seconds: float = BREAK_SECONDS) -> Pace:
    """Time per paragraph from the moments paragraphs were decided (see the module docstring)."""
    times = sorted(decision_times)
    gaps = [later - earlier for earlier, later in pairwise(times)]
    work = [gap for gap in gaps if gap <= break_seconds]
    return Pace(
        intervals=len(work),
        breaks=len(gaps) - len(work),
        active_seconds=float(sum(work)),
        median_seconds=float(statistics.median(work)) if work else None,
    )


def team_stats(
    team: TeamRecords, *, break_seconds: float = BREAK_SECONDS, assigned: dict[str, int] | None = None
) -> TeamStats:
    """Figures per annotator; `assigned` (name -> queue length) adds those who have not started.

    Counts come from what `read_team` kept of each latest line; only flagged paragraphs are
    read again (for their text).
    """
    assigned = assigned or {}
    annotators: dict[str, AnnotatorStats] = {}
    flagged: list[Flagged] = []
    decided_ids: set[str] = set()
    all_ids: set[str] = set()
    for name in sorted(set(team.annotators) | set(assigned)):
        latest = team.facts.get(name, {})
        answers: Counter[str] = Counter()
        spans: Counter[str] = Counter()
        flagged_ids = []
        for pid, facts in latest.items():
            all_ids.add(pid)
            if facts.answer is not None:
                answers[str(facts.answer)] += 1
                decided_ids.add(pid)
            spans.update(facts.labels)
            if facts.flagged:
                flagged_ids.append(pid)
        for pid, record in zip(flagged_ids, team.iter_records(name, flagged_ids)):
            flagged.append(Flagged(pid, name, latest[pid].note, record["text"]))
        history = team.history.get(name, AnnotatorHistory())
        decided = sum(answers.values())
        annotators[name] = AnnotatorStats(
            seen=len(latest),
            decided=decided,
            in_progress=len(latest) - decided,
            answers=dict(sorted(answers.items())),
            spans=dict(sorted(spans.items())),
            pace=pace(list(history.first_decisions.values()), break_seconds),
            assigned=assigned.get(name),
            first_timestamp=None if history.first_timestamp is None else int(history.first_timestamp),
            last_timestamp=None if history.last_timestamp is None else int(history.last_timestamp),
        )
    return TeamStats(annotators, len(all_ids), len(decided_ids), flagged, list(team.warnings))
