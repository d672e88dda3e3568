"""Inter-annotator agreement on spans: F1 over spans, kappa and alpha over tokens.

What is compared (docs/TEAMS.md says the same for users):

- Records are keyed by `(annotator, id)` (see `merge.read_team`). By default only decided
  records count: `accept` and `reject` are compared by their spans (a rejected paragraph
  usually has none, which is a real disagreement with someone who tagged it); `ignore` means
  the annotator skipped it, so it counts as not done. `include_undecided` adds work in progress.
- Paragraphs are matched by id. A paragraph whose text differs between annotators (the source
  changed) is left out with a warning: offsets would not line up.
- Span F1, exact: spans equal in start, end and label. F1 = 2 * matches / (|A| + |B|).
- Span F1, partial: same label and overlapping characters, matched one to one, greedily: the
  candidate pairs are taken in order of overlap ratio (shared characters / characters of
  either), then shared characters, then position; a span is matched at most once.
- Token categories: every token that is not whitespace gets the label of the span covering it
  (sharing at least one character); where spans nest or overlap, the shortest span wins
  (then the earliest, then the label name); no span gives `O`.
- Cohen's kappa per pair on token categories; `token_kappa` overall is the mean of the pairs
  (Light's kappa). Fleiss' kappa over the paragraphs that every annotator did (three or more
  annotators). Krippendorff's alpha (nominal) over every token done by at least two
  annotators, so an annotator who skipped a paragraph is a missing value, not a disagreement.
- Figures that are undefined (no spans on either side, or chance agreement of 1) are `None`.
- Averages over pairs are plain means of the pairs' defined figures.
- Disagreements: per shared paragraph, the share of its tokens whose categories are not all
  the same, worst first (paragraphs in full agreement are not listed): where to look first.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from operator import itemgetter
from typing import Any, TypeVar

from annotator.core.store import without_cycle_collection
from annotator.team.merge import Latest, TeamRecords

OUTSIDE = "O"
_WHITESPACE = re.compile(r"\s")  # what `str.isspace` calls whitespace, character for character
Category = TypeVar("Category", bound=Hashable)
SpanKey = tuple[str, int, int, str]  # paragraph id, start, end, label
ParagraphSpan = tuple[int, int, str]  # start, end, label: a span within one paragraph (`Latest.span_keys`)


def f1(matches: int, first: int, second: int) -> float | None:
    total = first + second
    return 2 * matches / total if total else None


def mean(values: Iterable[float | None]) -> float | None:
    defined = [value for value in values if value is not None]
    return sum(defined) / len(defined) if defined else None


# --- span matching ------------------------------------------------------------------------

def exact_matches(first: Sequence[SpanKey], second: Sequence[SpanKey]) -> int:
    """Spans equal in paragraph, start, end and label (each counted once)."""
    return sum(_exact(first, second).values())


def _exact(first: Sequence[SpanKey] | Sequence[ParagraphSpan],
           second: Sequence[SpanKey] | Sequence[ParagraphSpan]) -> Counter[Any]:
    return Counter(first) & Counter(second)


def partial_matches(first: Sequence[SpanKey], second: Sequence[SpanKey]) -> int:
    """Same paragraph and label, overlapping characters; matched one to one, best overlap first."""
    by_paragraph: dict[str, tuple[list[ParagraphSpan], list[ParagraphSpan]]] = {}
    for side, keys in enumerate((first, second)):
        for pid, start, end, label in keys:
            by_paragraph.setdefault(pid, ([], []))[side].append((start, end, label))
    return sum(len(_partial(mine, theirs)) for mine, theirs in by_paragraph.values())


def _partial(first: Sequence[ParagraphSpan], second: Sequence[ParagraphSpan]) -> set[int]:
    """The spans of `first` that `partial_matches` matches (their indices), spans of one paragraph.

    A candidate pair shares paragraph and label, so the matching of each label is the matching
    of that label's spans alone: the matched spans' labels count the matches per label.
    """
    second_by_label: dict[str, list[tuple[int, int, int]]] = {}
    for j, (start, end, label) in enumerate(second):
        second_by_label.setdefault(label, []).append((j, start, end))
    candidates = []
    for i, (start_a, end_a, label) in enumerate(first):
        for j, start_b, end_b in second_by_label.get(label, ()):
            shared = min(end_a, end_b) - max(start_a, start_b)
            if shared <= 0:
                continue
            either = max(end_a, end_b) - min(start_a, start_b)
            candidates.append((-shared / either, -shared, start_a, start_b, i, j))
    candidates.sort()
    used_first: set[int] = set()
    used_second: set[int] = set()
    for *_, i, j in candidates:
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
    return used_first


# --- token categories ---------------------------------------------------------------------

def token_categories(record: Mapping[str, Any], units: Sequence[tuple[int, int]], labels: frozenset[str] | None) -> list[str]:
    """The category of each unit (token offsets, in text order): the shortest span covering it, or `O`."""
    categories = [OUTSIDE] * len(units)
    for index, label in painted_units(record, [start for start, _ in units], [end for _, end in units], labels).items():
        categories[index] = label
    return categories


def word_units(text: str, starts: list[int], ends: list[int]) -> tuple[list[int], list[int]]:
    """The starts and ends of the tokens (`starts`, `ends`) that are not whitespace: the units compared.

    A whitespace token starts on whitespace; a paragraph where no token does (the usual case)
    is taken whole without looking at each token.
    """
    if not starts:
        return starts, ends
    if max(starts) < len(text):
        firsts = text[starts[0]] if len(starts) == 1 else "".join(itemgetter(*starts)(text))
        if _WHITESPACE.search(firsts) is None:
            return starts, ends
    words = [(start, end) for start, end in zip(starts, ends) if not text[start:end].isspace()]
    return [start for start, _ in words], [end for _, end in words]


def painted_units(
    record: Mapping[str, Any], starts: Sequence[int], ends: Sequence[int], labels: frozenset[str] | None
) -> dict[int, str]:
    """unit index -> category of the units a span of `record` covers (`token_categories`; every other unit is `O`).

    `starts` and `ends` are the units' offsets, in text order.
    """
    spans = [(span["start"], span["end"], span["label"]) for span in record.get("spans") or ()]
    return _painted(_of_labels(spans, labels), starts, ends)


def _painted(spans: Iterable[ParagraphSpan], starts: Sequence[int], ends: Sequence[int]) -> dict[int, str]:
    """`painted_units` of these spans: each paints the units it shares a character with, the spans that lose
    (longest, then latest, then label) first, so the winner paints last. Only the units under a span are
    looked at: most of a paragraph is `O`."""
    painted: dict[int, str] = {}
    for _, span_start, label, span_end in sorted([(end - start, start, label, end) for start, end, label in spans],
                                                 reverse=True):
        painted.update(dict.fromkeys(range(bisect_right(ends, span_start), bisect_left(starts, span_end)), label))
    return painted


def _of_labels(spans: list[ParagraphSpan], labels: frozenset[str] | None) -> list[ParagraphSpan]:
    """The spans with one of `labels` (all of them for None)."""
    return spans if labels is None else [span for span in spans if span[2] in labels]


# --- chance-corrected coefficients -------------------------------------------------------

def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two aligned label sequences; None when chance agreement is 1 (or no data)."""
    return kappa_of_table(Counter(zip(first, second)))


def kappa_of_table(table: Mapping[tuple[Category, Category], int]) -> float | None:
    """Cohen's kappa from a table of (first's label, second's label) -> count of items; None as `cohen_kappa`."""
    n = sum(table.values())
    if n == 0:
        return None
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    count_a: Counter[Category] = Counter()
    count_b: Counter[Category] = Counter()
    for (a, b), count in table.items():
        count_a[a] += count
        count_b[b] += count
    expected = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


class FleissTally:
    """Fleiss' kappa built up from units (every unit rated by the same number, at least two, of raters).

    The figure depends on each unit's ratings only, so equal units are counted, not kept.
    """

    def __init__(self) -> None:
        self.units: Counter[tuple[str, ...]] = Counter()

    def add(self, units: Mapping[tuple[str, ...], int]) -> None:
        """Take in units, counted (unit -> how many times)."""
        self.units.update(units)

    def kappa(self) -> float | None:
        if not self.units:
            return None
        raters = len(next(iter(self.units)))
        if raters < 2 or any(len(unit) != raters for unit in self.units):
            raise ValueError("Fleiss' kappa needs the same number (>= 2) of ratings per unit")
        totals: Counter[str] = Counter()
        agreement = 0.0
        for unit, times in self.units.items():
            counts = Counter(unit)
            for category, count in counts.items():
                totals[category] += count * times
            agreement += times * (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
        units = sum(self.units.values())
        observed = agreement / units
        ratings = units * raters
        expected = sum((c / ratings) ** 2 for c in totals.values())
        if expected >= 1.0:
            return None
        return (observed - expected) / (1 - expected)


def fleiss_kappa(units: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa: every unit rated by the same number (at least two) of raters."""
    tally = FleissTally()
    tally.add(Counter(map(tuple, units)))
    return tally.kappa()


class AlphaTally:
    """Krippendorff's alpha (nominal) built up from units; `None` in a unit is a missing value.

    Units with fewer than two values cannot be paired and are left out. Through the
    coincidence matrix: alpha = 1 - (n - 1) * D_o / D_e, with D_o the off-diagonal
    coincidences and D_e the sum over pairs of distinct values of n_c * n_k. Equal units
    are counted, not kept.
    """

    def __init__(self) -> None:
        self.units: Counter[tuple[str | None, ...]] = Counter()

    def add(self, units: Mapping[tuple[str | None, ...], int] | Mapping[tuple[str, ...], int]) -> None:
        """Take in units, counted (unit -> how many times)."""
        self.units.update(units)

    def alpha(self) -> float | None:
        coincidences: defaultdict[tuple[str, str], float] = defaultdict(float)
        for unit, times in self.units.items():
            values = [value for value in unit if value is not None]
            m = len(values)
            if m < 2:
                continue
            counts = Counter(values)
            for c, n_c in counts.items():
                for k, n_k in counts.items():
                    pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                    if pairs:
                        coincidences[(c, k)] += times * pairs / (m - 1)
        marginals: defaultdict[str, float] = defaultdict(float)
        for (c, _), value in coincidences.items():
            marginals[c] += value
        n = sum(marginals.values())
        disagreement = sum(value for (c, k), value in coincidences.items() if c != k)
        expected = sum(marginals[c] * marginals[k] for c in marginals for k in marginals if c != k)
        if n <= 1 or expected == 0:
            return None
        return 1 - (n - 1) * disagreement / expected


def krippendorff_alpha(units: Iterable[Sequence[str | None]]) -> float | None:
    """Krippendorff's alpha, nominal, of `units` (see `AlphaTally`)."""
    tally = AlphaTally()
    tally.add(Counter(map(tuple, units)))
    return tally.alpha()


# --- the whole comparison -----------------------------------------------------------------

@dataclass(slots=True)
class LabelFigures:
    span_f1_exact: float | None
    span_f1_partial: float | None
    token_kappa: float | None  # this label against everything else
    spans: dict[str, int]  # annotator -> spans with this label (compared paragraphs)


@dataclass(slots=True)
class PairFigures:
    first: str
    second: str
    paragraphs: int
    tokens: int
    span_f1_exact: float | None
    span_f1_partial: float | None
    token_kappa: float | None
    per_label: dict[str, LabelFigures]
    confusion: Counter[tuple[str, str]]  # (first's category, second's) -> tokens


@dataclass(slots=True)
class AnnotatorCounts:
    done: int  # paragraphs this annotator did (decided and not ignored, unless asked)
    paragraphs: int  # of those, paragraphs someone else did too (the ones compared)
    spans: int
    answers: dict[str, int]
    per_label: dict[str, int]


@dataclass(slots=True)
class Agreement:
    annotators: list[str]
    labels: list[str]
    shared_paragraphs: int  # done by at least two annotators
    all_paragraphs: int  # done by every annotator
    pairs: list[PairFigures]
    fleiss_kappa: float | None
    alpha: float | None
    counts: dict[str, AnnotatorCounts]
    disagreements: list[tuple[str, float]] = field(default_factory=list)  # (id, share of tokens), worst first
    warnings: list[str] = field(default_factory=list)

    @property
    def span_f1_exact(self) -> float | None:
        return mean(pair.span_f1_exact for pair in self.pairs)

    @property
    def span_f1_partial(self) -> float | None:
        return mean(pair.span_f1_partial for pair in self.pairs)

    @property
    def token_kappa(self) -> float | None:
        return mean(pair.token_kappa for pair in self.pairs)

    def label_figures(self, label: str) -> dict[str, float | None]:
        return {
            "span_f1_exact": mean(pair.per_label[label].span_f1_exact for pair in self.pairs),
            "span_f1_partial": mean(pair.per_label[label].span_f1_partial for pair in self.pairs),
            "token_kappa": mean(pair.per_label[label].token_kappa for pair in self.pairs),
        }

    def confusion(self) -> Counter[tuple[str, str]]:
        """Token confusion summed over pairs (rows: the first of each pair in name order)."""
        total: Counter[tuple[str, str]] = Counter()
        for pair in self.pairs:
            total.update(pair.confusion)
        return total

    def to_json(self) -> dict[str, Any]:
        categories = [*self.labels, OUTSIDE]

        def matrix(confusion: Counter[tuple[str, str]]) -> dict[str, Any]:
            return {"labels": categories, "rows": [[confusion[(r, c)] for c in categories] for r in categories]}

        return {
            "annotators": self.annotators,
            "labels": self.labels,
            "paragraphs": {"shared": self.shared_paragraphs, "all_annotators": self.all_paragraphs},
            "overall": {
                "span_f1_exact": self.span_f1_exact,
                "span_f1_partial": self.span_f1_partial,
                "token_kappa": self.token_kappa,
                "fleiss_kappa": self.fleiss_kappa,
                "alpha": self.alpha,
            },
            "per_label": {label: self.label_figures(label) for label in self.labels},
            "pairs": [
                {
                    "annotators": [pair.first, pair.second],
                    "paragraphs": pair.paragraphs,
                    "tokens": pair.tokens,
                    "span_f1_exact": pair.span_f1_exact,
                    "span_f1_partial": pair.span_f1_partial,
                    "token_kappa": pair.token_kappa,
                    "per_label": {
                        label: {"span_f1_exact": figures.span_f1_exact, "span_f1_partial": figures.span_f1_partial,
                                "token_kappa": figures.token_kappa, "spans": figures.spans}
                        for label, figures in pair.per_label.items()
                    },
                    "confusion": matrix(pair.confusion),
                }
                for pair in self.pairs
            ],
            "confusion": matrix(self.confusion()),
            "annotator_counts": {
                name: {"done": c.done, "paragraphs": c.paragraphs, "spans": c.spans, "answers": c.answers, "per_label": c.per_label}
                for name, c in self.counts.items()
            },
            "disagreements": [{"id": pid, "tokens_disputed": share} for pid, share in self.disagreements],
            "warnings": self.warnings,
        }


def counts_as_done(record: Mapping[str, Any] | Latest, include_undecided: bool) -> bool:
    """Accept and reject count; ignore is a skip; work in progress only if asked (also what review compares)."""
    answer = record.answer if isinstance(record, Latest) else record.get("answer")
    if answer == "ignore":
        return False
    return answer is not None or include_undecided


@dataclass(slots=True)
class _SpanTally:
    """Span matches between two annotators per label, summed paragraph by paragraph (matches never cross paragraphs)."""

    exact: Counter[str] = field(default_factory=Counter)
    partial: Counter[str] = field(default_factory=Counter)
    first: Counter[str] = field(default_factory=Counter)
    second: Counter[str] = field(default_factory=Counter)

    def add(self, first: Sequence[ParagraphSpan], second: Sequence[ParagraphSpan]) -> None:
        """Take in the spans two annotators gave one paragraph.

        Counted label by label: a paragraph has a few spans, for which `Counter.update`'s own
        steps cost more than the counting.
        """
        exact, partial = self.exact, self.partial
        if first == second:  # the same spans (each longer than nothing): every one matches, exactly and partly
            for _, _, label in first:
                exact[label] += 1
                partial[label] += 1
        elif first and second:
            for key, count in _exact(first, second).items():
                exact[key[2]] += count
            for i in _partial(first, second):
                partial[first[i][2]] += 1
        _count_labels(self.first, first)
        _count_labels(self.second, second)

    def f1_exact(self, label: str | None = None) -> float | None:
        return self._f1(self.exact, label)

    def f1_partial(self, label: str | None = None) -> float | None:
        return self._f1(self.partial, label)

    def spans(self, label: str | None = None) -> tuple[int, int]:
        """Spans of the first and of the second annotator (with `label`, or all)."""
        if label is None:
            return sum(self.first.values()), sum(self.second.values())
        return self.first[label], self.second[label]

    def _f1(self, matches: Counter[str], label: str | None) -> float | None:
        matched = sum(matches.values()) if label is None else matches[label]
        return f1(matched, *self.spans(label))


def _count_labels(counts: Counter[str], spans: Iterable[ParagraphSpan]) -> None:
    """Add the labels of `spans` to `counts` (`_SpanTally.add`)."""
    for _, _, label in spans:
        counts[label] += 1


@dataclass(slots=True)
class _PairTally:
    paragraphs: int = 0
    spans: _SpanTally = field(default_factory=_SpanTally)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)


def _label_kappa(confusion: Mapping[tuple[str, str], int], label: str) -> float | None:
    """Kappa of one label against everything else, from the pair's token confusion."""
    table: Counter[tuple[bool, bool]] = Counter()
    for (a, b), count in confusion.items():
        table[(a == label, b == label)] += count
    return kappa_of_table(table)


def compare(
    team: TeamRecords,
    *,
    labels: Sequence[str] | None = None,
    include_undecided: bool = False,
) -> Agreement:
    """Every figure for the annotators in `team` on the paragraphs they share.

    Which paragraphs are done and shared, and their spans, come from what `read_team` kept of
    each latest line; of each shared paragraph only the line holding its tokens is read again
    (for the token offsets), and every figure is tallied as it goes, so memory follows the
    number of paragraphs, not of their tokens.
    """
    label_filter = frozenset(labels) if labels else None
    done: dict[str, dict[str, Latest]] = {
        name: {pid: facts for pid, facts in team.facts[name].items() if counts_as_done(facts, include_undecided)}
        for name in team.annotators
    }
    annotators = [name for name, records in done.items() if records]
    warnings = [
        f"{name} has no {'records' if include_undecided else 'decided records'}; left out."
        for name, records in done.items() if not records
    ]

    # Paragraphs done by two or more, in order of first appearance; drop those whose text differs.
    done_by: dict[str, list[str]] = {}
    for name in annotators:
        for pid in done[name]:
            done_by.setdefault(pid, []).append(name)
    shared: dict[str, list[str]] = {}
    for pid, names in done_by.items():
        if len(names) < 2:
            continue
        if len({done[name][pid].text_hash for name in names}) > 1:
            warnings.append(f"{pid}: the text differs between {', '.join(names)} (the source changed?); left out.")
            continue
        shared[pid] = names

    spans_seen = sorted({label for pid, names in shared.items() for name in names for label in done[name][pid].labels})
    label_list = list(labels) if labels else spans_seen

    pairs = {pair: _PairTally() for pair in combinations(annotators, 2)}
    fleiss, alpha = FleissTally(), AlphaTally()
    everyone = 0
    disagreements = []
    labels_of: dict[str, Counter[str]] = {name: Counter() for name in annotators}  # spans per label, compared
    with without_cycle_collection(), team.reading(with_tokens=False) as read:
        for pid, names in shared.items():
            text, token_starts, token_ends = read.text_and_token_offsets(names[0], pid)  # the same for every name
            starts, ends = word_units(text, token_starts, token_ends)
            keys = {name: _of_labels(done[name][pid].span_keys(), label_filter) for name in names}
            painted = [_painted(keys[name], starts, ends) for name in names]
            # Per unit, its category by each of `names`, counted: every figure depends on these only.
            # Units no span covers are (O, O, ...), counted without being looked at.
            covered = set().union(*painted)
            rows = Counter([tuple([categories.get(index, OUTSIDE) for categories in painted]) for index in covered])
            if len(starts) > len(covered):
                rows[(OUTSIDE,) * len(names)] += len(starts) - len(covered)
            for name in names:
                _count_labels(labels_of[name], keys[name])
            # names are in annotator order, as the pairs
            for (first_at, first), (second_at, second) in combinations(enumerate(names), 2):
                tally = pairs[(first, second)]
                tally.paragraphs += 1
                tally.spans.add(keys[first], keys[second])
                confusion = tally.confusion
                for row, count in rows.items():
                    confusion[(row[first_at], row[second_at])] += count
            if len(names) == len(annotators):
                everyone += 1
                if len(annotators) >= 3:
                    fleiss.add(rows)
            alpha.add(rows)  # an annotator without the paragraph is a missing value: left out of the unit
            if starts:
                disputed = sum(count for row, count in rows.items() if row.count(row[0]) != len(row))
                if disputed:
                    disagreements.append((pid, disputed / len(starts)))
    disagreements.sort(key=lambda item: -item[1])

    figures = []
    for (first, second), tally in pairs.items():
        if not tally.paragraphs:
            continue
        tokens = sum(tally.confusion.values())
        per_label = {}
        for label in label_list:
            spans_first, spans_second = tally.spans.spans(label)
            per_label[label] = LabelFigures(
                span_f1_exact=tally.spans.f1_exact(label),
                span_f1_partial=tally.spans.f1_partial(label),
                token_kappa=_label_kappa(tally.confusion, label) if tokens else None,
                spans={first: spans_first, second: spans_second},
            )
        figures.append(PairFigures(
            first=first,
            second=second,
            paragraphs=tally.paragraphs,
            tokens=tokens,
            span_f1_exact=tally.spans.f1_exact(),
            span_f1_partial=tally.spans.f1_partial(),
            token_kappa=kappa_of_table(tally.confusion),
            per_label=per_label,
            confusion=tally.confusion,
        ))

    counts = {}
    for name in annotators:
        mine = [done[name][pid] for pid, names in shared.items() if name in names]
        counts[name] = AnnotatorCounts(
            done=len(done[name]),
            paragraphs=len(mine),
            spans=sum(labels_of[name].values()),
            answers=dict(Counter(str(facts.answer or "undecided") for facts in mine)),
            per_label={label: labels_of[name][label] for label in label_list},
        )

    return Agreement(
        annotators=annotators,
        labels=label_list,
        shared_paragraphs=len(shared),
        all_paragraphs=everyone,
        pairs=figures,
        fleiss_kappa=fleiss.kappa() if len(annotators) >= 3 and everyone else None,
        alpha=alpha.alpha(),
        counts=counts,
        disagreements=disagreements,
        warnings=warnings,
    )

