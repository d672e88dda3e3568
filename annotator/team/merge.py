"""Stores of several annotators, read together and merged into one file.

A store's own rule is "the latest line per `id` wins" (one annotator per store). When stores of
a team are read together, or merged, records are keyed by `(annotator, id)` instead: the
annotator is the record's `_annotator_id` (the store's file name where a record has none), so
the same paragraph done by alice and by bob are two records, both kept. `agree`, `stats` and
`review` read stores this way, one store per annotator or merged ones alike.

Reading streams each store once for each line's annotator, timestamp and answer (a line as the
store writes it is not parsed for them), which settle each `(annotator, id)`'s latest line and
what pace needs (`AnnotatorHistory`); then only those latest lines are read whole, once, for a
few facts and where they are (`Latest`). The records themselves are read again only for what a
command compares, so memory follows the number of paragraphs, not the length of the history.

A merged store keeps every line of every input (the whole history, so no version is lost),
interleaved by `_timestamp` while keeping each input's own order. Its `_seq` numbers are
renumbered and `_reverts` follows them, so the undo history of each input stays meaningful;
`_merged_from` names the input file and the line's original `_seq`. A line of one input that
another input already holds (merging a merged store with one of its inputs again) is written
once; such lines always share their `_timestamp`, so only lines of the same second are
compared. A line with a span saved under a label's old name (the schema's `renamed_from`) is
encoded again with the current name; the others are copied. Tokens are written as a store writes them: on a paragraph's first line, and again
only where a line's tokens differ from the ones its paragraph's last line with tokens holds.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from annotator.core.errors import InputError
from annotator.core.files import write_atomically
from annotator.core.records import to_json
from annotator.core.schema import Schema, migrate_record_labels
from annotator.core.store import (
    LineReader,
    StoreContents,
    encode_line,
    read_store,
    relocated_line,
    without_cycle_collection,
)

MERGED_FROM = "_merged_from"
_PLACE_FIELDS = ("_seq", "_reverts", MERGED_FROM)


class Latest(NamedTuple):
    """What is known of an annotator's latest line of a paragraph without reading it again."""

    store: int  # number of the store in `TeamRecords.stores`
    line: int  # index of the line in that store
    stamp: float  # its `_timestamp` (0 when it has none)
    answer: str | None
    flagged: bool
    note: str
    text_hash: int  # `hash` of the text (this process only): equal texts, equal hashes
    labels: tuple[str, ...]  # the labels of its spans, in order
    offsets: bytes  # its spans' starts and ends, in order, as the bytes of an `array("q")` (`span_keys`)

    def span_keys(self) -> list[tuple[int, int, str]]:
        """(start, end, label) of each of its spans, in order: what agreement compares, without reading the line.

        Kept as bytes, 16 a span (a tuple of tuples would be some 120), since every team command
        keeps a `Latest` per annotator and paragraph.
        """
        offsets = array("q", self.offsets)
        return list(zip(offsets[0::2], offsets[1::2], self.labels))


@dataclass(slots=True)
class AnnotatorHistory:
    """What the team commands need from one annotator's lines, gathered as the lines stream past."""

    lines: int = 0
    first_timestamp: float | None = None
    last_timestamp: float | None = None
    first_decisions: dict[str, float] = field(default_factory=dict)  # id -> when first decided, in file order

    def __len__(self) -> int:
        return self.lines

    def take_line(self, record_id: str, stamp: Any, decided: bool) -> None:
        """One line of the annotator's: its paragraph, its `_timestamp` (as the record holds it) and whether it has an answer."""
        self.lines += 1
        if not isinstance(stamp, (int, float)):
            return
        if self.first_timestamp is None or stamp < self.first_timestamp:
            self.first_timestamp = stamp
        if self.last_timestamp is None or stamp > self.last_timestamp:
            self.last_timestamp = stamp
        if decided:
            self.first_decisions.setdefault(record_id, stamp)


class LatestRecords(Mapping[str, dict[str, Any]]):
    """One annotator's latest record per paragraph id, complete (tokens included), read from its store when asked for."""

    def __init__(self, team: TeamRecords, annotator: str) -> None:
        self._team = team
        self._annotator = annotator
        self._facts = team.facts[annotator]

    def __getitem__(self, record_id: str) -> dict[str, Any]:
        return next(self._team.iter_records(self._annotator, [record_id]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:  # type: ignore[override]
        """Every (id, record), reading each store once in a row rather than once a record."""
        return zip(self._facts, self._team.iter_records(self._annotator, self._facts))

    def values(self) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        return self._team.iter_records(self._annotator, self._facts)


@dataclass(slots=True)
class TeamRecords:
    """The records of one or more stores keyed by annotator, then paragraph id."""

    stores: list[Path]
    contents: list[StoreContents] = field(default_factory=list)
    facts: dict[str, dict[str, Latest]] = field(default_factory=dict)  # annotator -> id -> its latest line
    history: dict[str, AnnotatorHistory] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    schema: Schema | None = None  # labels saved under an old name (`renamed_from`) are read under the current one

    @property
    def annotators(self) -> list[str]:
        return sorted(self.facts)

    @property
    def latest(self) -> dict[str, LatestRecords]:
        """annotator -> id -> latest record (read when asked for)."""
        return {name: LatestRecords(self, name) for name in self.facts}

    def iter_records(
        self, annotator: str, record_ids: Iterable[str], *, with_tokens: bool = True
    ) -> Iterator[dict[str, Any]]:
        """The latest records of `annotator` for `record_ids` (ids they have), in the order given.

        Without tokens when `with_tokens` is False (`saved_line` finds them later).
        """
        with self.reading(with_tokens=with_tokens) as reader:
            for record_id in record_ids:
                yield reader.record(annotator, record_id)

    @contextmanager
    def reading(self, *, with_tokens: bool = True) -> Iterator[TeamReader]:
        """A reader of latest records and their token offsets, the stores kept open meanwhile."""
        with ExitStack() as stack:
            yield TeamReader(self, stack, with_tokens)

    def saved_line(self, annotator: str, record_id: str) -> SavedLine:
        """Where `annotator`'s latest record of `record_id` is."""
        where = self.facts[annotator][record_id]
        return SavedLine(self.contents[where.store], where.line)


class TeamReader:
    """`TeamRecords.reading`'s reader: each store opened once, when first read."""

    def __init__(self, team: TeamRecords, stack: ExitStack, with_tokens: bool) -> None:
        self._team, self._stack, self._with_tokens = team, stack, with_tokens
        self._readers: dict[int, LineReader] = {}

    def _at(self, annotator: str, record_id: str) -> tuple[LineReader, int]:
        where = self._team.facts[annotator][record_id]
        reader = self._readers.get(where.store)
        if reader is None:
            reader = self._readers[where.store] = self._stack.enter_context(
                self._team.contents[where.store].reading(with_tokens=self._with_tokens))
        return reader, where.line

    def record(self, annotator: str, record_id: str) -> dict[str, Any]:
        """`annotator`'s latest record of `record_id`."""
        reader, line = self._at(annotator, record_id)
        return migrate_record_labels(self._team.schema, reader.record(line))

    def token_offsets(self, annotator: str, record_id: str, text: str) -> tuple[list[int], list[int]]:
        """The starts and the ends of the tokens of that record, whose text is `text` (`StoreContents.token_offsets`)."""
        reader, line = self._at(annotator, record_id)
        return reader.token_offsets(line, text)

    def text_and_token_offsets(self, annotator: str, record_id: str) -> tuple[str, list[int], list[int]]:
        """The text of that record and its tokens' starts and ends, from the line holding its tokens alone
        when that line's text is the record's (by `Latest.text_hash`), else from the record too."""
        reader, line = self._at(annotator, record_id)
        saved = reader.saved_offsets(line)
        if saved is not None and hash(saved[0]) == self._team.facts[annotator][record_id].text_hash:
            return saved
        text = str(self.record(annotator, record_id)["text"])
        return (text, *reader.token_offsets(line, text))


@dataclass(frozen=True, slots=True, eq=False)
class SavedLine:
    """Where a record is, to read it (or its tokens) when needed rather than keep it in memory."""

    contents: StoreContents
    line: int

    def record(self) -> dict[str, Any]:
        return self.contents.read(self.line)

    def tokens(self) -> list[dict[str, Any]]:
        return self.contents.tokens(self.line)


def _unique_stems(paths: Sequence[Path]) -> list[str]:
    """A short distinct name per store (its file stem, numbered when two stems clash)."""
    names: list[str] = []
    for path in paths:
        name, number = path.stem, 2
        while name in names:
            name, number = f"{path.stem}-{number}", number + 1
        names.append(name)
    return names


def annotator_of(record: Mapping[str, Any], fallback: str) -> str:
    name = record.get("_annotator_id")
    return name if isinstance(name, str) and name else fallback


def read_team(paths: Sequence[Path], *, by_store: bool = False, schema: Schema | None = None) -> TeamRecords:
    """Read stores and key their records by `(annotator, id)`: each line once for its marks, the latest ones whole.

    The annotator is each record's `_annotator_id`, or with `by_store` the store's file stem
    (for stores whose records all carry the same login name). Within one store the later line
    wins; between stores holding the same annotator and id, the later `_timestamp` wins (the
    later store on a tie). With `schema`, every record read has its labels under their
    current names (`migrate_record_labels`).
    """
    if not paths:
        raise InputError("give at least one STORE (.jsonl written by `annotator annotate`).")
    team = TeamRecords(stores=[Path(p) for p in paths], schema=schema)
    with without_cycle_collection():
        for number, (path, stem) in enumerate(zip(team.stores, _unique_stems(team.stores))):
            _read_into(team, number, path, stem, by_store)
    return team


def _read_into(team: TeamRecords, number: int, path: Path, stem: str, by_store: bool) -> None:
    """Stream store `number` into `team` (see `read_team`).

    Every line gives its id, annotator, timestamp and whether it has an answer (`iter_marks`:
    a line as the store writes it is not parsed for them); which line is each annotator's
    latest of a paragraph is settled by those alone, and only those lines are then read whole
    and checked, for their facts (`Latest`). Ids, labels and answers repeat on every line;
    each is kept once (`sys.intern`), not once a line, so what is kept per paragraph stays small.
    """
    contents = read_store(path)
    team.contents.append(contents)
    team.warnings.extend(contents.warnings)
    names: dict[str, str] = {}  # `_annotator_id` -> the annotator (the store's with `by_store`, or where it names none)
    # annotator -> their history, their facts, and this store's latest line of each of their paragraphs
    places: dict[str, tuple[AnnotatorHistory, dict[str, Latest], dict[str, int]]] = {}
    chosen: dict[int, dict[str, Latest]] = {}  # line -> the facts it is the latest of its paragraph in
    for line, record_id, annotator_id, stamp, decided in contents.iter_marks():
        key = annotator_id if isinstance(annotator_id, str) else ""
        annotator = names.get(key)
        if annotator is None:
            annotator = names[key] = stem if by_store else annotator_of({"_annotator_id": key}, stem)
        place = places.get(annotator)
        if place is None:
            place = places[annotator] = (team.history.setdefault(annotator, AnnotatorHistory()),
                                         team.facts.setdefault(annotator, {}), {})
        history, mine, won = place
        history.take_line(record_id, stamp, decided)
        if record_id in won:  # a line of this store has won: its later lines do
            chosen.pop(won[record_id])
        else:
            current = mine.get(record_id)
            # against another store's line, the later `_timestamp` wins
            if current is not None and _stamp(stamp) < current.stamp:
                continue
        won[record_id] = line
        chosen[line] = mine
    schema = team.schema
    for line, record, _ in contents.iter_states(sorted(chosen)):
        _keep(chosen[line], record, number, line, schema)


# `Latest(...)` goes through a generated Python `__new__`; a pass over a million lines makes
# many, so they are made as that `__new__` makes them, without the call.
_new_latest = tuple.__new__


def _keep(mine: dict[str, Latest], record: dict[str, Any], number: int, line: int, schema: Schema | None) -> None:
    """Make the facts of `record`, line `line` of store `number`: its annotator's latest of its paragraph."""
    intern = sys.intern
    answer = record.get("answer")
    spans = (migrate_record_labels(schema, record) if schema is not None and schema.renames else record).get("spans") or ()
    mine[intern(record["id"])] = _new_latest(Latest, (
        number, line, _timestamp(record), intern(answer) if isinstance(answer, str) else answer,
        bool(record.get("flagged")), str(record.get("note") or ""), hash(record.get("text")),
        tuple([intern(str(span["label"])) for span in spans]),
        array("q", [offset for span in spans for offset in (span["start"], span["end"])]).tobytes()))


def _stamp(value: Any) -> float:
    """A `_timestamp` as the facts compare it (0 when it is not a number)."""
    return float(value) if isinstance(value, (int, float)) else 0.0


def _timestamp(record: Mapping[str, Any]) -> float:
    return _stamp(record.get("_timestamp"))


@dataclass(frozen=True, slots=True)
class MergeSummary:
    lines: int  # lines written
    duplicates: int  # lines left out because an identical version was already written
    annotators: tuple[str, ...]
    paragraphs: int  # distinct paragraph ids
    warnings: tuple[str, ...]


def _version(record: Mapping[str, Any]) -> dict[str, Any]:
    """What makes two lines the same version, whatever file and place they sit in."""
    return {key: value for key, value in record.items() if key not in _PLACE_FIELDS}


def _merged_lines(inputs: Sequence[StoreContents]) -> Iterator[tuple[float, int, int, dict[str, Any], bytes]]:
    """(`_timestamp`, input number, line index, record without tokens, bytes) of every line, interleaved by
    `_timestamp`, each input's order kept (by input number and line index on a tie, so that the records
    themselves are never compared)."""

    def lines_of(number: int, contents: StoreContents) -> Iterator[tuple[float, int, int, dict[str, Any], bytes]]:
        for line, record, raw in contents.iter_states():
            yield _timestamp(record), number, line, record, raw

    streams = [lines_of(number, contents) for number, contents in enumerate(inputs)]
    return streams[0] if len(streams) == 1 else heapq.merge(*streams)


#: merged lines written at a time (one write of some hundreds of KB, not one a line)
_LINES_A_WRITE = 256


class _TokensWriter:
    """Which merged lines hold their tokens: a store's rule, across inputs.

    The tokens of an input line are known by a digest of their JSON, made once per input line
    that holds them; a merged line leaves its tokens out when the merged store's last line with
    tokens for the paragraph had the same text and the same digest.
    """

    def __init__(self, inputs: Sequence[StoreContents]) -> None:
        self._inputs = inputs
        self._digests: dict[tuple[int, int], bytes] = {}  # (input, line holding tokens) -> digest of them
        self._written: dict[str, tuple[int, bytes]] = {}  # id -> (hash of text, digest) of its last merged token line

    def tokens_to_write(self, number: int, line: int, record: Mapping[str, Any], raw: bytes) -> bytes | None:
        """The JSON of the tokens line `line` (bytes `raw`) of input `number` must hold in the merged store, or None."""
        contents = self._inputs[number]
        source = contents.token_line(line)
        digest = None if source is None else self._digests.get((number, source))
        encoded = None
        if digest is None:
            encoded = contents.tokens_json(line, raw if source == line else None)
            digest = hashlib.blake2b(encoded, digest_size=16).digest()
            if source is not None:
                self._digests[(number, source)] = digest
        written = (hash(record.get("text")), digest)
        if self._written.get(record["id"]) == written:
            return None
        self._written[record["id"]] = written
        return encoded if encoded is not None else contents.tokens_json(line)


def merge_stores(paths: Sequence[Path], out: Path, *, schema: Schema | None = None) -> MergeSummary:
    """Write every version from `paths` into the new store `out` (temp file, then rename).

    With `schema`, spans saved under a label's old name (`renamed_from`) are written under the
    current one; every other line is copied as it is.
    """
    paths = [Path(p) for p in paths]
    out = Path(out)
    if not paths:
        raise InputError("merge needs at least one STORE to read.")
    if out.suffix.lower() != ".jsonl":
        raise InputError(f"{out}: a store must be a .jsonl file. Choose an --out ending in .jsonl.")
    resolved_out = out.resolve()
    if any(path.resolve() == resolved_out for path in paths):
        raise InputError(f"{out}: is also one of the stores to merge. Write the merge to a new file.")
    if out.exists() and (out.is_dir() or out.stat().st_size > 0):
        raise InputError(f"{out}: already exists and is not empty. Merge into a new file; nothing was written.")
    inputs = [read_store(path) for path in paths]
    warnings = [warning for contents in inputs for warning in contents.warnings]
    stems = dict(zip(paths, _unique_stems(paths)))
    merged_seq = [array("q", bytes(8 * len(contents.lines))) for contents in inputs]  # input line -> merged _seq
    annotators: set[str] = set()
    paragraphs: set[str] = set()
    counts = {"lines": 0, "duplicates": 0}

    def lines() -> Iterator[bytes]:
        tokens = _TokensWriter(inputs)
        same_second: list[tuple[int, dict[str, Any], int]] = []  # (input, record, merged _seq) at this _timestamp
        second: float | None = None
        several = len(inputs) > 1  # only lines of two inputs can be the same version
        origin_of = [to_json(path.name) for path in paths]
        stem_of = [stems[path] for path in paths]
        batch: list[bytes] = []
        seq = 0
        for stamp, number, line, record, raw in _merged_lines(inputs):
            if several:
                if stamp != second:
                    second, same_second = stamp, []
                twin = next((seq for other, seen, seq in same_second
                             if other != number and _version(seen) == _version(record)), None) if same_second else None
                if twin is not None:
                    merged_seq[number][line] = twin
                    counts["duplicates"] += 1
                    continue
            seq = counts["lines"] = seq + 1
            merged_seq[number][line] = seq
            if several:
                same_second.append((number, record, seq))
            reverts = record.get("_reverts")
            if isinstance(reverts, int):
                target = inputs[number].index_of_seq(reverts, line)
                reverts = merged_seq[number][target] if target is not None else reverts
            annotators.add(annotator_of(record, stem_of[number]))
            paragraphs.add(record["id"])
            reverts = reverts if isinstance(reverts, int) else None
            tokens_json = tokens.tokens_to_write(number, line, record, raw)
            old_seq = record.get("_seq")
            origin = "" if MERGED_FROM in record else (
                f'"{MERGED_FROM}":{{"store":{origin_of[number]},'
                f'"seq":{old_seq if type(old_seq) is int else to_json(old_seq)}}}')
            migrated = migrate_record_labels(schema, record)
            moved = None if migrated is not record else relocated_line(
                raw, seq=seq, reverts=reverts, tokens=tokens_json, extra=origin.encode("utf-8"))
            if moved is None:  # a line of the older format, or with labels renamed: encoded again
                merged = {key: value for key, value in migrated.items() if key not in _PLACE_FIELDS}
                merged[MERGED_FROM] = record.get(MERGED_FROM) or {"store": paths[number].name, "seq": record.get("_seq")}
                moved = encode_line(merged, seq=seq, action=record.get("_action", "edit"), reverts=reverts,
                                    tokens=None if tokens_json is None else json.loads(tokens_json))
            batch.append(moved)
            if len(batch) == _LINES_A_WRITE:
                yield b"\n".join(batch) + b"\n"
                batch = []
        if batch:
            yield b"\n".join(batch) + b"\n"

    with without_cycle_collection():
        write_atomically(out, lines())
    return MergeSummary(counts["lines"], counts["duplicates"], tuple(sorted(annotators)), len(paragraphs),
                        tuple(warnings))

