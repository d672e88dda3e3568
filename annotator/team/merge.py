"""Stores of several annotators, read together and merged into one file.

A store's own rule is "the latest line per `id` wins" (one annotator per store). When stores of
a team are read together, or merged, records are keyed by `(annotator, id)` instead: the
annotator is the record's `_annotator_id` (the store's file name where a record has none), so
the same paragraph done by alice and by bob are two records, both kept. `agree`, `stats` and
`review` read stores this way, one store per annotator or merged ones alike.

A merged store keeps every line of every input (the whole history, so no version is lost),
interleaved by `_timestamp` while keeping each input's own order. Its `_seq` numbers are
renumbered and `_reverts` follows them, so the undo history of each input stays meaningful;
`_merged_from` names the input file and the line's original `_seq`. Lines that are already
present (merging a merged store with one of its inputs again) are written once.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.files import write_atomically
from annotator.core.store import read_store

MERGED_FROM = "_merged_from"
_PLACE_FIELDS = ("_seq", "_reverts", MERGED_FROM)


@dataclass(slots=True)
class TeamRecords:
    """The records of one or more stores keyed by annotator, then paragraph id."""

    stores: list[Path]
    latest: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # annotator -> id -> record
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # annotator -> every line, in order
    warnings: list[str] = field(default_factory=list)

    @property
    def annotators(self) -> list[str]:
        return sorted(self.latest)


def _unique_stems(paths: Sequence[Path]) -> list[str]:
    """A short distinct name per store (its file stem, numbered when two stems clash)."""
    names: list[str] = []
    for path in paths:
        name, number = path.stem, 2
        while name in names:
            name, number = f"{path.stem}-{number}", number + 1
        names.append(name)
    return names


def annotator_of(record: dict[str, Any], fallback: str) -> str:
    name = record.get("_annotator_id")
    return name if isinstance(name, str) and name else fallback


def read_team(paths: Sequence[Path], *, by_store: bool = False) -> TeamRecords:
    """Read stores and key their records by `(annotator, id)`.

    The annotator is each record's `_annotator_id`, or with `by_store` the store's file stem
    (for stores whose records all carry the same login name). Within one store the later line
    wins; between stores holding the same annotator and id, the later `_timestamp` wins (the
    later store on a tie).
    """
    if not paths:
        raise InputError("give at least one STORE (.jsonl written by `annotator annotate`).")
    team = TeamRecords(stores=[Path(p) for p in paths])
    came_from: dict[tuple[str, str], int] = {}  # (annotator, id) -> number of the store of the latest
    for number, (path, stem) in enumerate(zip(team.stores, _unique_stems(team.stores))):
        contents = read_store(path)
        team.warnings.extend(contents.warnings)
        for record in contents.records:
            annotator = stem if by_store else annotator_of(record, stem)
            team.history.setdefault(annotator, []).append(record)
            mine = team.latest.setdefault(annotator, {})
            key = (annotator, record["id"])
            current = mine.get(record["id"])
            if current is not None and came_from[key] != number and _timestamp(record) < _timestamp(current):
                continue
            mine[record["id"]] = record
            came_from[key] = number
    return team


def _timestamp(record: dict[str, Any]) -> float:
    value = record.get("_timestamp")
    return float(value) if isinstance(value, (int, float)) else 0.0


def _identity(record: dict[str, Any]) -> str:
    """What makes two lines the same version, whatever file and place they sit in."""
    return json.dumps({k: v for k, v in record.items() if k not in _PLACE_FIELDS}, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class MergeSummary:
    lines: int  # lines written
    duplicates: int  # lines left out because an identical version was already written
    annotators: tuple[str, ...]
    paragraphs: int  # distinct paragraph ids
    warnings: tuple[str, ...]


def _merged_lines(paths: Sequence[Path], warnings: list[str]) -> Iterator[tuple[int, Path, dict[str, Any]]]:
    """Every line of every store, interleaved by `_timestamp`, each store's order kept."""

    def lines_of(number: int, path: Path) -> Iterable[tuple[float, int, Path, dict[str, Any]]]:
        contents = read_store(path)
        warnings.extend(contents.warnings)
        return [(_timestamp(record), number, path, record) for record in contents.records]

    streams = [lines_of(number, path) for number, path in enumerate(paths)]
    for _, number, path, record in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
        yield number, path, record


def merge_stores(paths: Sequence[Path], out: Path) -> MergeSummary:
    """Write every version from `paths` into the new store `out` (temp file, then rename)."""
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
    warnings: list[str] = []
    new_seq: dict[tuple[int, Any], int] = {}  # (input number, original _seq) -> merged _seq
    written: dict[str, int] = {}  # identity -> merged _seq
    lines: list[str] = []
    annotators: set[str] = set()
    paragraphs: set[str] = set()
    duplicates = 0
    stems = dict(zip(paths, _unique_stems(paths)))
    for number, path, record in _merged_lines(paths, warnings):
        identity = _identity(record)
        if identity in written:
            new_seq[(number, record.get("_seq"))] = written[identity]
            duplicates += 1
            continue
        seq = len(lines) + 1
        new_seq[(number, record.get("_seq"))] = seq
        written[identity] = seq
        line = {k: v for k, v in record.items() if k not in _PLACE_FIELDS}
        line["_seq"] = seq
        if record.get("_reverts") is not None:
            line["_reverts"] = new_seq.get((number, record["_reverts"]), record["_reverts"])
        line[MERGED_FROM] = record.get(MERGED_FROM) or {"store": path.name, "seq": record.get("_seq")}
        annotators.add(annotator_of(record, stems[path]))
        paragraphs.add(record["id"])
        lines.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    write_atomically(out, "".join(line + "\n" for line in lines))
    return MergeSummary(len(lines), duplicates, tuple(sorted(annotators)), len(paragraphs), tuple(warnings))
