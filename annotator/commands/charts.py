"""Plain-text bar charts and tables for the terminal reports (agree, stats), 80 columns wide.

No Textual here: these reports are printed once and often piped into a file or a ticket, so
they are plain lines. Bars use Unicode eighth blocks for precision, or `#` where the output
cannot encode them (e.g. `LANG=C` over ssh).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

WIDTH = 80
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def unicode_ok(stream: object = None) -> bool:
    """Whether the output can show block characters."""
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None) or "ascii"
    try:
        "█▏".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def bar(fraction: float, width: int, *, ascii_only: bool = False) -> str:
    """A bar `width` cells long filled to `fraction` (clamped to 0..1), padded with spaces."""
    fraction = min(max(fraction, 0.0), 1.0)
    if ascii_only:
        filled = round(fraction * width)
        return "#" * filled + " " * (width - filled)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text + " " * (width - len(text))


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, marking a cut with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def bar_chart(
    rows: Sequence[tuple[str, float | None, str]],
    *,
    maximum: float | None = None,
    width: int = WIDTH,
    indent: int = 2,
    ascii_only: bool = False,
) -> list[str]:
    """One line per `(name, value, shown_value)`: name, bar scaled to `maximum`, shown value.

    A `None` value has no bar (an undefined figure); `maximum` defaults to the largest value.
    Names are clipped so that every line fits `width`.
    """
    if not rows:
        return []
    values = [value for _, value, _ in rows if value is not None]
    top = maximum if maximum is not None else max([v for v in values if v > 0], default=1.0)
    name_width = min(max(len(name) for name, _, _ in rows), 24)
    shown_width = max(len(shown) for _, _, shown in rows)
    bar_width = max(width - indent - name_width - shown_width - 4, 5)
    lines = []
    for name, value, shown in rows:
        cells = bar((value or 0.0) / top if value is not None and top else 0.0, bar_width, ascii_only=ascii_only)
        lines.append(f"{' ' * indent}{clip(name, name_width):<{name_width}}  {cells}  {shown:>{shown_width}}".rstrip())
    return lines


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, indent: int = 2) -> list[str]:
    """Columns aligned: the first left-aligned, the others right-aligned (they hold figures)."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [f"{cells[0]:<{widths[0]}}"] + [f"{cell:>{w}}" for cell, w in zip(cells[1:], widths[1:])]
        return (" " * indent + "  ".join(parts)).rstrip()

    return [line(header)] + [line(row) for row in rows]


def render(lines: Sequence[str], *, ascii_only: bool = False) -> str:
    """The report as one string; on an output that cannot show Unicode, others become `?`."""
    text = "\n".join(lines)
    return text.encode("ascii", "replace").decode("ascii") if ascii_only else text


def heading(title: str, *, ascii_only: bool = False) -> list[str]:
    """A blank line, the title and a rule under it."""
    rule = "-" if ascii_only else "─"
    return ["", title, rule * min(len(title), WIDTH)]
