"""`annotator stats STORE...`: progress, answers, spans per label, pace and flagged paragraphs.

Reads only the stores (no sources needed), so a lead can run it on stores copied from the
annotators' machines. Definitions (pace, breaks) are in `annotator/team/stats.py`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.commands.charts import WIDTH, bar_chart, clip, heading, render, table, unicode_ok
from annotator.core.display import terminal_json, terminal_safe
from annotator.core.errors import InputError

if TYPE_CHECKING:
    from annotator.team.stats import TeamStats


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="progress, answers, labels, pace and flags of one or more stores",
        description="Summarise stores: paragraphs decided and in progress per annotator, answers, spans "
        "per label, pace (paragraphs an hour, median time per paragraph) and flagged paragraphs with notes.",
    )
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="stores (.jsonl)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--break-minutes", type=float, default=30.0, metavar="MINUTES",
                        help="a gap between two decisions longer than this is a break, not work (default 30)")
    parser.add_argument("--assignment", type=Path, metavar="FILE",
                        help="assignment.json from `annotator assign`: progress against each queue")
    parser.add_argument("--schema", type=Path, metavar="FILE",
                        help="label schema (YAML) whose renamed_from labels are read under their new names; "
                        "default: the bundled news-conflict schema")
    parser.add_argument("--by-store", action="store_true", help="one annotator per store, named after the file")
    parser.set_defaults(run=run)


def duration(seconds: float | None) -> str:
    """`75` -> `1m 15s`; `None` -> `n/a`."""
    if seconds is None:
        return "n/a"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def run(args: argparse.Namespace) -> int:
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.team.merge import read_team
    from annotator.team.stats import team_stats

    if args.break_minutes <= 0:
        raise InputError(f"--break-minutes {args.break_minutes:g}: give a number of minutes above 0, e.g. 30.")
    assigned = None
    if args.assignment is not None:
        from annotator.team.assign import read_manifest

        manifest = read_manifest(args.assignment)
        assigned = {name: int(entry.get("paragraphs", 0)) for name, entry in manifest["annotators"].items()}
    schema = load_schema(args.schema or default_schema_path())
    team = read_team(args.stores, by_store=args.by_store, schema=schema)
    stats = team_stats(team, break_seconds=args.break_minutes * 60, assigned=assigned)
    for warning in stats.warnings:
        print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
    if args.json:
        print(terminal_json(stats.to_json(), indent=2))
        return 0
    ascii_only = not unicode_ok()
    print(terminal_safe(render(report(stats, break_minutes=args.break_minutes, ascii_only=ascii_only), ascii_only=ascii_only)))
    return 0


def report(stats: TeamStats, *, break_minutes: float = 30.0, ascii_only: bool = False) -> list[str]:
    """The terminal report, every line at most 80 columns."""
    people = stats.annotators
    if not people:
        return ["No records yet: the stores are empty."]
    totals = stats.totals()
    lines = [
        clip(f"{len(people)} annotator{'s' if len(people) != 1 else ''}: {', '.join(people)}", WIDTH),
        f"  {stats.paragraphs} paragraphs seen, {stats.decided_by_anyone} decided by someone",
        f"  {totals['decided']} decisions, {totals['in_progress']} in progress",
    ]
    with_queues = any(s.assigned is not None for s in people.values())
    lines += heading("Progress (decided of assigned)" if with_queues else "Progress (decided of seen)", ascii_only=ascii_only)
    rows = []
    for name, s in people.items():
        total = s.assigned if s.assigned is not None else s.seen
        rows.append((name, s.decided / total if total else 0.0, f"{s.decided}/{total} decided, {s.in_progress} open"))
    lines += bar_chart(rows, maximum=1.0, ascii_only=ascii_only)
    if totals["answers"]:
        lines += heading("Answers", ascii_only=ascii_only)
        lines += bar_chart([(a, float(n), str(n)) for a, n in totals["answers"].items()], ascii_only=ascii_only)
    if totals["spans"]:
        lines += heading("Spans per label (latest version of each paragraph)", ascii_only=ascii_only)
        lines += bar_chart([(label, float(n), str(n)) for label, n in totals["spans"].items()], ascii_only=ascii_only)
    lines += heading(f"Pace (gaps over {break_minutes:g} min are breaks and not counted)", ascii_only=ascii_only)
    lines += bar_chart(
        [(name, s.pace.per_hour, f"{s.pace.per_hour:5.1f}/h, median {duration(s.pace.median_seconds)}"
          if s.pace.per_hour is not None else "not enough decisions")
         for name, s in people.items()],
        ascii_only=ascii_only,
    )
    lines += table(
        ["annotator", "timed", "breaks", "active"],
        [[clip(name, 20), str(s.pace.intervals), str(s.pace.breaks), duration(s.pace.active_seconds)]
         for name, s in people.items()],
    )
    lines += heading(f"Flagged ({len(stats.flagged)})", ascii_only=ascii_only)
    if not stats.flagged:
        lines.append("  none")
    for item in stats.flagged:
        note = " ".join(item.note.split()) or "(no note)"
        lines.append(clip(f"  {item.id}  {item.annotator}: {note}", WIDTH))
        lines.append(clip(f"      {' '.join(item.text.split())}", WIDTH))
    return lines
