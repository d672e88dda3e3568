"""Review: several annotators' versions of the same paragraphs turned into one gold store.

Pure logic, no Textual. `plan_review` reads a team (`merge.read_team`) and lists, for each
paragraph that two or more annotators did, their versions and the *candidate* spans: every
distinct (start, end, label) anyone proposed, with who proposed it. Spans that every version
has are unanimous and pre-accepted; the others are the disagreements the reviewer settles.

A gold record is the canonical record of the paragraph (`records.to_record`) written by the
reviewer, with provenance: each span carries `agreed_by` (the annotators who proposed it),
each relation too, and the record carries `_review.versions` (annotator -> the `_seq` of the
line reviewed in their store, or its `_timestamp` where a line has no `_seq`). Its `meta` keeps
what every version's has alike besides the paragraph (an import's `source_id`, `source_meta`...:
`shared_meta`), and the rejected suggestions every version has (`meta.rejected_spans`). `GoldReview`
writes through `Store.append` (append-only, fsynced, locked), undoes through the store's own
`History` (the same rules as `session.Session`), and skips on resume what the gold store has
decided.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from annotator.core.corpus import Paragraph
from annotator.core.records import (
    annotation_from_record,
    check_record,
    kept_meta,
    stable_hash,
    to_record,
    tokens_of,
)
from annotator.core.schema import Schema, migrate_record_labels
from annotator.core.spans import Annotation, Answer, RejectedSpan, Relation, Span, snap_to_tokens
from annotator.core.store import Store, without_cycle_collection
from annotator.core.tokens import Token
from annotator.team.agreement import counts_as_done
from annotator.team.merge import SavedLine, TeamRecords

SpanKey = tuple[int, int, str]  # start, end, label: what "the same span" means here (as exact F1)
AGREED_BY = "agreed_by"
REVIEW = "_review"


def span_key(span: Span) -> SpanKey:
    return (span.start, span.end, span.label)


@dataclass(frozen=True, slots=True)
class Version:
    """One annotator's latest version of a paragraph: its annotation, and where its record is.

    The record (and its tokens) are read from the store when asked for: a review holds a
    version per annotator of every paragraph it covers, so it keeps only what it shows.
    """

    annotator: str
    annotation: Annotation
    stamp: int | float | None  # which line was reviewed: its `_seq` in its store, else its `_timestamp`
    line: SavedLine = field(compare=False)  # where it is, not what it is

    @property
    def record(self) -> dict[str, Any]:
        """The whole record, read from its store."""
        return self.line.record()

    @property
    def tokens(self) -> tuple[Token, ...]:
        """The saved tokens (the spans' token indices refer to them)."""
        return _tokens_at(self.line)

    @property
    def answer(self) -> Answer | None:
        return self.annotation.answer

    @property
    def keys(self) -> frozenset[SpanKey]:
        return frozenset(span_key(span) for span in self.annotation.spans)



@dataclass(frozen=True, slots=True)
class Candidate:
    """A distinct span some annotator proposed, with who did."""

    span: Span  # as the first proposer (in name order) drew it
    proposers: tuple[str, ...]
    unanimous: bool  # every version of the paragraph has it
    attributes_differ: bool  # proposers gave it different attributes

    @property
    def key(self) -> SpanKey:
        return span_key(self.span)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One paragraph to review: its versions (name order) and candidate spans (text order)."""

    id: str
    text: str
    versions: tuple[Version, ...]
    candidates: tuple[Candidate, ...]

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(version.annotator for version in self.versions)

    @property
    def agreed(self) -> frozenset[SpanKey]:
        """The unanimous spans: pre-accepted into gold."""
        return frozenset(c.key for c in self.candidates if c.unanimous)

    @property
    def disputed(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if not c.unanimous)

    @property
    def tokens(self) -> tuple[Token, ...]:
        """The saved tokens (the spans' token indices refer to them)."""
        return self.versions[0].tokens

    @property
    def unanimous(self) -> Answer | None:
        """The answer everyone gave when every version is the same (same answer, same spans), else None."""
        answers = {version.answer for version in self.versions}
        if self.disputed or len(answers) != 1:
            return None
        answer = answers.pop()
        return answer if answer in ("accept", "reject") else None

    def version(self, annotator: str) -> Version | None:
        return next((v for v in self.versions if v.annotator == annotator), None)

    def candidate(self, key: SpanKey) -> Candidate | None:
        return next((c for c in self.candidates if c.key == key), None)


@dataclass(slots=True)
class ReviewPlan:
    annotators: list[str]  # everyone with a version of some item, name order
    items: list[ReviewItem]
    warnings: list[str] = field(default_factory=list)
    schema: Schema | None = None  # the team's (`read_team`): gold read back has its labels under their current names


def _reading_order(record: Mapping[str, Any]) -> tuple[str, str, int, str]:
    meta = record.get("meta") or {}
    paragraph = meta.get("paragraph")
    return (str(meta.get("source") or ""), str(meta.get("article_id") or ""),
            paragraph if isinstance(paragraph, int) else 0, str(record["id"]))


def _candidates(versions: Sequence[Version]) -> tuple[Candidate, ...]:
    """Every distinct span of `versions` (one per annotator, in name order), in text order, with who proposed it.

    A review plans every shared paragraph: each span is looked at once, and an annotator who drew the same
    span twice is known by being the last proposer so far (their spans come one after another).
    """
    proposed: dict[SpanKey, tuple[list[Span], list[str]]] = {}
    for version in versions:
        name = version.annotator
        for span in version.annotation.spans:
            key = (span.start, span.end, span.label)
            found = proposed.get(key)
            if found is None:
                proposed[key] = ([span], [name])
            elif found[1][-1] != name:
                found[0].append(span)
                found[1].append(name)
    everyone = len(versions)
    return tuple(
        Candidate(
            span=replace(spans[0], suggested=False) if spans[0].suggested else spans[0],
            proposers=tuple(names),
            unanimous=len(names) == everyone,
            attributes_differ=len(spans) > 1 and len({span.attributes for span in spans}) > 1,
        )
        for _, (spans, names) in sorted(proposed.items(), key=_text_order)
    )


def _text_order(item: tuple[SpanKey, Any]) -> tuple[int, int, str]:
    """Spans by start, the longer first, then by label."""
    (start, end, label), _ = item
    return start, -end, label


@lru_cache(maxsize=8)
def _tokens_at(line: SavedLine) -> tuple[Token, ...]:
    """A version's tokens, read once for the few paragraphs on screen, not for every call."""
    return tokens_of({"tokens": line.tokens()})


def plan_review(team: TeamRecords, *, include_undecided: bool = False) -> ReviewPlan:
    """Every paragraph done by two or more annotators, in reading order (source, article, paragraph).

    Only the records of paragraphs two or more annotators did are read, and without their
    tokens (each version reads them when they are needed). The plan is some dozens of objects a
    paragraph, none in a cycle: the cycle collector is paused meanwhile, as it would only walk
    them again and again (half the plan's time at 10,000 paragraphs).
    """
    with without_cycle_collection():
        return _plan(team, include_undecided)


def _plan(team: TeamRecords, include_undecided: bool) -> ReviewPlan:
    done_by: dict[str, list[str]] = {}
    for name in team.annotators:
        for pid, facts in team.facts[name].items():
            if counts_as_done(facts, include_undecided):
                done_by.setdefault(pid, []).append(name)
    shared = {pid: names for pid, names in done_by.items() if len(names) >= 2}
    versions_of: dict[str, list[Version]] = {pid: [] for pid in shared}
    order: dict[str, tuple[str, str, int, str]] = {}  # pid -> its place in reading order
    texts: dict[str, set[str]] = {pid: set() for pid in shared}
    for name in team.annotators:
        mine = [pid for pid, names in shared.items() if name in names]
        for pid, record in zip(mine, team.iter_records(name, mine, with_tokens=False)):
            seq = record.get("_seq")
            versions_of[pid].append(Version(name, annotation_from_record(record),
                                            seq if isinstance(seq, int) else record.get("_timestamp"),
                                            team.saved_line(name, pid)))
            order.setdefault(pid, _reading_order(record))
            texts[pid].add(str(record["text"]))
    plan = ReviewPlan(annotators=[], items=[], schema=team.schema)
    reviewed: set[str] = set()
    for pid in sorted(versions_of, key=order.__getitem__):
        versions = versions_of[pid]
        if len(texts[pid]) > 1:
            names = ", ".join(version.annotator for version in versions)
            plan.warnings.append(f"{pid}: the text differs between {names} (the source changed?); left out.")
            continue
        plan.items.append(ReviewItem(pid, texts[pid].pop(), tuple(versions), _candidates(versions)))
        reviewed.update(version.annotator for version in versions)
    plan.annotators = sorted(reviewed)
    return plan


# --- the gold record ----------------------------------------------------------------------

def _paragraph_of(record: Mapping[str, Any]) -> Paragraph:
    meta = record.get("meta") or {}
    article_id, _, index = str(record["id"]).rpartition("#")
    paragraph = meta.get("paragraph")
    return Paragraph(
        article_id=str(meta.get("article_id") or article_id or record["id"]),
        index=paragraph if isinstance(paragraph, int) else int(index) if index.isdigit() else 0,
        text=str(record["text"]),
        char_offset=int(meta.get("char_offset") or 0),
        source=str(meta.get("source") or ""),
    )


def shared_meta(versions: Sequence[Version]) -> dict[str, Any]:
    """The `meta` every version's record holds alike, besides the paragraph and the annotation (an import's
    `source_id`, `source_meta`, `ignored_spans`...): gold is the same paragraph, so it keeps what they agree on
    and leaves out what is one annotator's own (a Label Studio `annotation_id`)."""
    first, *others = [kept_meta(version.record) for version in versions]
    return {key: value for key, value in first.items() if all(key in other and other[key] == value for other in others)}


def _shared_rejections(versions: Sequence[Version]) -> tuple[RejectedSpan, ...]:
    """The suggestions every annotator rejected (an import's ner.teach rejections): gold's too, so none comes back."""
    common = set.intersection(*(set(version.annotation.rejected) for version in versions))
    return tuple(entry for entry in versions[0].annotation.rejected if entry in common)


def _representative(item: ReviewItem, key: SpanKey, preferred: str | None) -> Span:
    """The span as `preferred` drew it (their attributes) when they have it, else the first proposer's."""
    version = item.version(preferred) if preferred else None
    if version is not None:
        mine = next((s for s in version.annotation.spans if span_key(s) == key), None)
        if mine is not None:
            return replace(mine, suggested=False)
    candidate = item.candidate(key)
    if candidate is None:
        raise ValueError(f"{item.id}: no annotator proposed the span {key}")
    return candidate.span


def _relations(item: ReviewItem, chosen: frozenset[SpanKey]) -> dict[tuple[str, SpanKey, SpanKey], list[str]]:
    """Relations (label, head key, child key) whose two ends are chosen, with who drew each."""
    found: dict[tuple[str, SpanKey, SpanKey], list[str]] = {}
    for version in item.versions:
        keys = {span.id: span_key(span) for span in version.annotation.spans}
        for relation in version.annotation.relations:
            head, child = keys.get(relation.head), keys.get(relation.child)
            if head in chosen and child in chosen:
                names = found.setdefault((relation.label, head, child), [])
                if version.annotator not in names:
                    names.append(version.annotator)
    return found


def gold_record(
    item: ReviewItem,
    chosen: Iterable[SpanKey],
    answer: Answer | None,
    *,
    reviewer: str,
    schema_ref: Mapping[str, str],
    preferred: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """The canonical record of the reviewer's decision, with `agreed_by` and `_review` provenance.

    A rejected paragraph keeps no spans: reject says the paragraph is unusable, so its spans
    would only mislead a consumer. `preferred` is the annotator whose attributes a span takes
    when proposers differ (the version last taken whole).
    """
    chosen = frozenset(chosen) if answer != "reject" else frozenset()
    base = item.version(preferred) if preferred else None
    record_source = (base or item.versions[0]).record
    tokens = (base or item.versions[0]).tokens
    spans: list[Span] = []
    for number, key in enumerate(sorted(chosen, key=lambda k: (k[0], -k[1], k[2])), start=1):
        span = _representative(item, key, preferred)
        snapped = snap_to_tokens(tokens, span.start, span.end)
        first, last = snapped if snapped is not None else (span.token_start, span.token_end)
        spans.append(replace(span, id=f"s{number}", token_start=first, token_end=last))
    id_of = {span_key(span): span.id for span in spans}
    relations = _relations(item, chosen)
    annotation = Annotation(
        spans=tuple(spans),
        relations=tuple(Relation(label, id_of[head], id_of[child]) for label, head, child in relations),
        answer=answer,
        rejected=_shared_rejections(item.versions),
    )
    record = to_record(_paragraph_of(record_source), tokens, annotation, schema_ref=schema_ref,
                       annotator=reviewer, timestamp=timestamp, meta=shared_meta(item.versions))
    if record["id"] != item.id:  # keep the id the annotators saved, even where it is not article#index
        record["id"] = item.id
        record["_task_hash"] = stable_hash(str(record["_input_hash"]), item.id)
    for span_dict, span in zip(record["spans"], spans):
        candidate = item.candidate(span_key(span))
        span_dict[AGREED_BY] = list(candidate.proposers) if candidate else []
    for relation_dict, names in zip(record["relations"], relations.values()):
        relation_dict[AGREED_BY] = list(names)
    record[REVIEW] = {"versions": {version.annotator: version.stamp for version in item.versions}}
    check_record(record)
    return record


def chosen_in(record: Mapping[str, Any]) -> frozenset[SpanKey]:
    """The span keys a (gold) record holds."""
    return frozenset((int(s["start"]), int(s["end"]), str(s["label"])) for s in record.get("spans") or ())


def take_version(item: ReviewItem, annotator: str) -> frozenset[SpanKey]:
    """Gold becomes exactly this annotator's spans."""
    version = item.version(annotator)
    if version is None:
        raise ValueError(f"{annotator} did not annotate {item.id}")
    return version.keys


def toggle(chosen: frozenset[SpanKey], key: SpanKey) -> frozenset[SpanKey]:
    return chosen - {key} if key in chosen else chosen | {key}


# --- the gold store -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UnanimousShare:
    """How many candidate spans were unanimous, over some paragraphs (not `agreement.Agreement`'s figures)."""

    unanimous: int
    candidates: int

    @property
    def share(self) -> float | None:
        return self.unanimous / self.candidates if self.candidates else None


class GoldReview:
    """The reviewer's pass over a plan, writing gold records into one locked store."""

    def __init__(
        self,
        plan: ReviewPlan,
        store: Store,
        reviewer: str,
        schema_ref: Mapping[str, str],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.plan = plan
        self.items = plan.items
        self.store = store
        self.reviewer = reviewer
        self.schema_ref = dict(schema_ref)
        self._clock = clock
        self._index = {item.id: number for number, item in enumerate(self.items)}

    # --- reading ------------------------------------------------------------------------

    def index_of(self, paragraph_id: str) -> int | None:
        return self._index.get(paragraph_id)

    def gold(self, item: ReviewItem) -> dict[str, Any] | None:
        record = self.store.contents.get(item.id)
        return None if record is None else migrate_record_labels(self.plan.schema, record)

    def is_done(self, item: ReviewItem) -> bool:
        return self.store.contents.is_decided(item.id)

    def done_count(self) -> int:
        return sum(1 for item in self.items if self.is_done(item))

    def first_open(self, start: int = 0) -> int | None:
        """The first paragraph from `start` on (wrapping) that gold has not decided."""
        count = len(self.items)
        for step in range(count):
            number = (start + step) % count
            if not self.is_done(self.items[number]):
                return number
        return None

    def chosen(self, item: ReviewItem) -> frozenset[SpanKey]:
        """What to show as gold: what gold holds, else the unanimous spans."""
        record = self.gold(item)
        return chosen_in(record) if record is not None else item.agreed

    def agreement(self) -> UnanimousShare:
        """Unanimous candidate spans over the paragraphs reviewed so far."""
        done = [item for item in self.items if self.is_done(item)]
        return UnanimousShare(sum(len(item.agreed) for item in done), sum(len(item.candidates) for item in done))

    # --- writing ------------------------------------------------------------------------

    def save(self, item: ReviewItem, chosen: Iterable[SpanKey], answer: Answer, *, preferred: str | None = None) -> int:
        """Append the gold record (fsynced before returning); return its `_seq`."""
        record = gold_record(item, chosen, answer, reviewer=self.reviewer, schema_ref=self.schema_ref,
                             preferred=preferred, timestamp=int(self._clock()))
        return self.store.append(record)

    def save_unanimous(self) -> list[ReviewItem]:
        """Save every paragraph gold lacks on which all versions are the same; return them.

        Each is its own gold line, so `undo` takes them back one at a time, latest first.
        """
        saved = []
        for item in self.items:
            answer = item.unanimous
            if answer is not None and not self.is_done(item):
                self.save(item, item.agreed, answer)
                saved.append(item)
        return saved

    def undo(self) -> ReviewItem | None:
        """Undo the latest gold write: append the paragraph's previous state. None when nothing is left.

        A paragraph that had no gold line before goes back to undecided with the unanimous
        spans (the store is append-only, so "no record" cannot be written back). Gold lines of
        paragraphs not in this review (other stores given this time) are passed over.
        """
        step = self.store.history.undo(lambda paragraph_id: paragraph_id in self._index)
        if step is None:
            return None
        item = self.items[self._index[step.edit.id]]
        if step.state is None:
            state = gold_record(item, item.agreed, None, reviewer=self.reviewer, schema_ref=self.schema_ref)
        else:
            state = self.store.contents.read(step.state)
        self.store.append_step(step, state, annotator=self.reviewer, timestamp=int(self._clock()))
        return item
