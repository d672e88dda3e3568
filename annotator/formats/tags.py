"""One tag per token: IOB2 and BILOU tags from spans (conll, hf), and spans back from tags.

One tag per token cannot hold overlapping spans: the longest is kept, then the earliest; the
refs of the others are handed back so that the user is told.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from annotator.core.schema import Schema
from annotator.formats.documents import ExportSpan

Scheme = Literal["iob2", "bilou"]
SCHEMES: tuple[Scheme, ...] = ("iob2", "bilou")


def non_overlapping(spans: Sequence[ExportSpan], dropped: list[str] | None) -> list[ExportSpan]:
    """The spans that fit one tag per token: longest first, then earliest; the refs of the rest go to `dropped`."""
    kept: list[ExportSpan] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.token_end - s.token_start), s.token_start, s.start, s.label)):
        covered = set(range(span.token_start, span.token_end + 1))
        if covered & taken:
            if dropped is not None:
                dropped.append(span.ref)
            continue
        taken |= covered
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


def token_tags(tokens: Sequence[Mapping[str, Any]], spans: Sequence[ExportSpan], scheme: Scheme,
               dropped: list[str] | None) -> list[str]:
    """One tag per token (IOB2 or BILOU) from non-overlapping spans; whitespace tokens get O.

    Whitespace tokens never carry a span edge (spans are trimmed), so a span across a newline
    keeps I- tags on both sides; callers that drop whitespace tokens keep the words' tags.
    """
    tags = ["O"] * len(tokens)
    for span in non_overlapping(spans, dropped):
        words = [i for i in range(span.token_start, span.token_end + 1) if not tokens[i]["text"].isspace()]
        if not words:
            continue
        if scheme == "bilou" and len(words) == 1:
            tags[words[0]] = f"U-{span.label}"
            continue
        for position, index in enumerate(words):
            if position == 0:
                tags[index] = f"B-{span.label}"
            elif scheme == "bilou" and position == len(words) - 1:
                tags[index] = f"L-{span.label}"
            else:
                tags[index] = f"I-{span.label}"
    return tags


def tag_names(labels: Sequence[str], scheme: Scheme) -> list[str]:
    """Every tag in a fixed order: O, then per label B, I (and L, U for BILOU)."""
    prefixes = ("B", "I") if scheme == "iob2" else ("B", "I", "L", "U")
    return ["O"] + [f"{prefix}-{label}" for label in labels for prefix in prefixes]


def labels_in_order(schema: Schema | None) -> list[str]:
    """The schema's labels, in its order: the order of `tag_names`."""
    return [label.name for label in schema.labels] if schema is not None else []


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """`(first, last, label)` token ranges (inclusive) from IOB1, IOB2 or BILOU tags."""
    out: list[list[Any]] = []
    current: list[Any] | None = None
    for index, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if tag == "O" or not label:
            current = None
            continue
        if prefix in ("I", "L") and current is not None and current[2] == label:
            current[1] = index
        else:
            current = [index, index, label]
            out.append(current)
        if prefix in ("L", "U"):
            current = None
    return [(first, last, label) for first, last, label in out]
