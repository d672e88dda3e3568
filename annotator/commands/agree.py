"""`annotator agree STORE...`: how far annotators agree on the paragraphs they share.

Prints a report that fits 80 columns (bars, tables, a token confusion matrix), or with
`--json` one object for scripts. The measures are defined in `annotator/team/agreement.py`
and docs/TEAMS.md.
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
    from annotator.team.agreement import Agreement

MOST_DISPUTED = 5


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "agree",
        help="inter-annotator agreement (span F1, kappa, alpha)",
        description="Compare annotators on the paragraphs they share (matched by id): span F1 exact and "
        "partial, token-level Cohen's and Fleiss' kappa, Krippendorff's alpha, a label confusion matrix. "
        "Annotators are told apart by the records' _annotator_id.",
    )
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="stores (.jsonl), one per annotator or merged")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--labels", metavar="LABELS", help="compare only these labels, comma-separated (e.g. ACTOR,LOCATION)")
    parser.add_argument("--include-undecided", action="store_true", help="count records not yet accepted/rejected too")
    parser.add_argument("--schema", type=Path, metavar="FILE",
                        help="label schema (YAML) whose renamed_from labels are read under their new names; "
                        "default: the bundled news-conflict schema")
    parser.add_argument("--by-store", action="store_true",
                        help="one annotator per store, named after the file (when every record has the same login name)")
    parser.set_defaults(run=run)


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _bar_value(value: float | None) -> float | None:
    return None if value is None else max(value, 0.0)


def run(args: argparse.Namespace) -> int:
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.team.agreement import compare
    from annotator.team.merge import read_team

    labels = [label.strip() for label in args.labels.split(",") if label.strip()] if args.labels else None
    if args.labels is not None and not labels:
        raise InputError("--labels needs label names, e.g. --labels ACTOR,LOCATION.")
    schema = load_schema(args.schema or default_schema_path())
    team = read_team(args.stores, by_store=args.by_store, schema=schema)
    for warning in team.warnings:
        print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
    result = compare(team, labels=labels, include_undecided=args.include_undecided)
    for warning in result.warnings:
        print(f"annotator: {terminal_safe(warning)}", file=sys.stderr)
    for label in labels or ():
        if not any(counts.per_label.get(label) for counts in result.counts.values()):
            print(f"annotator: --labels {label}: nobody used this label in the paragraphs compared (a typo?).",
                  file=sys.stderr)
    if len(result.annotators) < 2:
        found = ", ".join(result.annotators) or "nobody"
        hint = (" Each store's records carry the same _annotator_id; if they are different people, "
                "pass --by-store." if len(args.stores) > 1 and not args.by_store else "")
        raise InputError(f"agreement needs two annotators with decided paragraphs; found {found}.{hint}")
    if result.shared_paragraphs == 0:
        raise InputError(
            f"{', '.join(result.annotators)} share no decided paragraph (matched by id), so there is "
            "nothing to compare. Give them overlapping work (annotator assign --overlap)."
        )
    if args.json:
        print(terminal_json(result.to_json(), indent=2))
        return 0
    ascii_only = not unicode_ok()
    print(terminal_safe(render(report(result, ascii_only=ascii_only), ascii_only=ascii_only)))
    return 0


def report(result: Agreement, *, ascii_only: bool = False) -> list[str]:
    """The terminal report, every line at most 80 columns."""
    lines = [
        clip(f"Agreement of {len(result.annotators)} annotators: {', '.join(result.annotators)}", WIDTH),
        f"  {result.shared_paragraphs} paragraphs done by two or more"
        + (f", {result.all_paragraphs} by all" if len(result.annotators) > 2 else ""),
    ]
    lines += heading("Overall (0 = chance, 1 = perfect; F1 and kappa are means of the pairs)", ascii_only=ascii_only)
    overall = [
        ("span F1, exact", result.span_f1_exact),
        ("span F1, partial", result.span_f1_partial),
        ("token kappa (Cohen)", result.token_kappa),
    ]
    if len(result.annotators) > 2:
        overall.append(("token kappa (Fleiss)", result.fleiss_kappa))
    overall.append(("Krippendorff's alpha", result.alpha))
    lines += bar_chart([(name, _bar_value(v), _figure(v)) for name, v in overall], maximum=1.0, ascii_only=ascii_only)

    if result.labels:
        lines += heading("Per label: span F1 exact (bar), partial, token kappa", ascii_only=ascii_only)
        lines.append(f"{'exact partial kappa':>{WIDTH}}")
        rows = []
        for label in result.labels:
            figures = result.label_figures(label)
            figures_text = f"{_figure(figures['span_f1_exact']):>5} {_figure(figures['span_f1_partial']):>7} {_figure(figures['token_kappa']):>5}"
            rows.append((label, _bar_value(figures["span_f1_exact"]), figures_text))
        lines += bar_chart(rows, maximum=1.0, ascii_only=ascii_only)

    lines += heading("Pairs", ascii_only=ascii_only)
    lines += table(
        ["pair", "paragraphs", "tokens", "F1 exact", "F1 partial", "kappa"],
        [
            [clip(f"{p.first} & {p.second}", 28), str(p.paragraphs), str(p.tokens), _figure(p.span_f1_exact),
             _figure(p.span_f1_partial), _figure(p.token_kappa)]
            for p in result.pairs
        ],
    )

    lines += _confusion(result, ascii_only)

    if result.disagreements:
        shown = result.disagreements[:MOST_DISPUTED]
        lines += heading(f"Most disputed paragraphs ({len(shown)} of {len(result.disagreements)}; "
                         "share of tokens labelled differently)", ascii_only=ascii_only)
        lines += bar_chart([(pid, share, f"{share:.0%}") for pid, share in shown], maximum=1.0, ascii_only=ascii_only)

    lines += heading("Annotators (paragraphs compared)", ascii_only=ascii_only)
    answers = sorted({answer for c in result.counts.values() for answer in c.answers})
    lines += table(
        ["annotator", "done", "compared", "spans", *answers],
        [
            [clip(name, 20), str(c.done), str(c.paragraphs), str(c.spans), *(str(c.answers.get(a, 0)) for a in answers)]
            for name, c in result.counts.items()
        ],
    )
    if result.labels:
        lines += heading("Spans per label (paragraphs compared)", ascii_only=ascii_only)
        names = [clip(name, 10) for name in result.counts]
        lines += table(
            ["label", *names],
            [[clip(label, 20), *(str(c.per_label[label]) for c in result.counts.values())] for label in result.labels],
        )
    return lines


def _confusion(result: Agreement, ascii_only: bool) -> list[str]:
    """The token confusion matrix, or a pointer to --json when it cannot fit 80 columns."""
    from annotator.team.agreement import OUTSIDE

    categories = [*result.labels, OUTSIDE]
    confusion = result.confusion()
    title = "Token confusion (rows: first of each pair, columns: second)"
    lines = heading(title, ascii_only=ascii_only)
    digits = max((len(str(v)) for v in confusion.values()), default=1)
    row_name = min(max(len(c) for c in categories), 14)
    fitting = [
        cell for cell in range(max(len(c) for c in categories), max(digits, 4) - 1, -1)
        if 2 + row_name + len(categories) * (cell + 1) <= WIDTH
    ]
    if not fitting:
        return [*lines, '  (too many labels for 80 columns: see --json, key "confusion")']
    cell = fitting[0]
    header = " " * (2 + row_name) + "".join(f" {clip(c, cell):>{cell}}" for c in categories)
    lines.append(header.rstrip())
    for row in categories:
        lines.append(
            f"  {clip(row, row_name):<{row_name}}" + "".join(f" {confusion[(row, col)]:>{cell}}" for col in categories)
        )
    return lines
