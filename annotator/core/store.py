"""The crash-safe JSONL store: append-only, fsynced, one writer; its reading and its undo history.

The line format is in docs/FORMAT.md ("The store's history fields"); how an edit reaches it,
in docs/ARCHITECTURE.md ("A key press, from binding to disk and back"). Each change appends
the paragraph's full new state; the latest line for an `id` wins. Every line also carries its
place in the history (`_seq`, `_action`, `_reverts`), so undo and redo survive a restart:
`History` holds the one set of rules that turns those lines into what undo and redo reach.
A line cut off by a crash is reported and skipped but stays on disk: the next append first
ends it and writes a marker line naming it, so later reads know it is a known fragment rather
than corruption.

Everything that reads a store goes through `read_store` (or a `Store`'s `contents`): nothing
else opens a store file.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotator.core.errors import InputError
from annotator.core.records import RecordError, check_record

Action = Literal["edit", "undo", "redo"]
StepAction = Literal["undo", "redo"]
FRAGMENT_MARKER = "_crash_fragment"


def _parsed(raw: bytes) -> dict[str, Any]:
    """A record line already checked by `_scan` (so a JSON object)."""
    record: dict[str, Any] = json.loads(raw)
    return record


@dataclass(frozen=True, slots=True)
class StoreLine:
    """Where one record sits in the file and what it did; `previous` indexes the line it replaced."""

    seq: int
    id: str
    action: Action
    reverts: int | None
    offset: int
    length: int
    previous: int | None
    decided: bool = False
    flagged: bool = False


@dataclass(slots=True)
class StoreContents:
    """What a store holds, indexed by byte offsets so that a large store is never all in memory."""

    path: Path
    lines: list[StoreLine] = field(default_factory=list)
    latest_line: dict[str, int] = field(default_factory=dict)  # id -> index in `lines`
    warnings: list[str] = field(default_factory=list)
    cut_off_line: int | None = None  # number of a last line cut off by a crash

    def read(self, index: int) -> dict[str, Any]:
        """The record of line `index`, read from disk."""
        return next(self._read_lines((index,)))

    def _read_lines(self, indices: Iterable[int]) -> Iterator[dict[str, Any]]:
        with open(self.path, "rb") as handle:
            for index in indices:
                line = self.lines[index]
                handle.seek(line.offset)
                yield _parsed(handle.read(line.length))

    def get(self, record_id: str) -> dict[str, Any] | None:
        """The latest record of `record_id`, or None when the store has none."""
        index = self.latest_line.get(record_id)
        return None if index is None else self.read(index)

    def is_decided(self, record_id: str) -> bool:
        """Whether the latest record of `record_id` has an answer (without reading it from disk)."""
        index = self.latest_line.get(record_id)
        return index is not None and self.lines[index].decided

    def is_flagged(self, record_id: str) -> bool:
        index = self.latest_line.get(record_id)
        return index is not None and self.lines[index].flagged

    def decided_count(self) -> int:
        """How many ids have an answer in their latest record."""
        return sum(1 for index in self.latest_line.values() if self.lines[index].decided)

    def iter_latest(self) -> Iterator[dict[str, Any]]:
        """The latest record per id, one at a time, in order of each id's first appearance."""
        return self._read_lines(self.latest_line.values())

    def ids(self) -> list[str]:
        """Every paragraph id the store holds, in order of first appearance."""
        return list(self.latest_line)

    def iter_latest_of(self, record_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The latest record of each of `record_ids` (ids the store holds), in the order given."""
        return self._read_lines(self.latest_line[record_id] for record_id in record_ids)

    @property
    def latest(self) -> dict[str, dict[str, Any]]:
        """Every id's latest record, parsed: convenient for small stores."""
        return {record["id"]: record for record in self.iter_latest()}

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record line in file order (the whole history), parsed."""
        with open(self.path, "rb") as handle:
            data = handle.read()
        return [_parsed(data[line.offset : line.offset + line.length]) for line in self.lines]


@dataclass(frozen=True, slots=True)
class Step:
    """One undo or redo to write: the edit it takes back or makes again, and the state it leaves.

    The state is the record of line `state`, or blank when that is None (the paragraph had no
    record before the edit). `Store.append_step` writes it as an `_action` = `action` line whose
    `_reverts` is `edit.seq`.
    """

    action: StepAction
    edit: StoreLine
    state: int | None  # index in the store's lines of the record to write back


def _anywhere(_record_id: str) -> bool:
    return True


class History:
    """What undo and redo reach, from a store's lines: the one set of rules, on opening and on every append.

    An `edit` line can be undone and ends what redo could reach; an `undo` line moves the edit
    its `_reverts` names from the undo stack to the redo stack, a `redo` line moves it back; a
    line naming an edit that is not on the stack it comes from changes nothing. Each stack is a
    dict of line indices in stack order (a dict keeps insertion order), so a step costs the
    same however long the history is.
    """

    def __init__(self, lines: Sequence[StoreLine]) -> None:
        self._lines = lines
        self._index_of_seq: dict[int, int] = {}
        self._undoable: dict[int, None] = {}
        self._redoable: dict[int, None] = {}
        for index in range(len(lines)):
            self.add(index)

    def add(self, index: int) -> None:
        """Take line `index` into account: `Store.append` calls this for every line it writes."""
        line = self._lines[index]
        self._index_of_seq[line.seq] = index
        if line.action == "edit":
            self._undoable[index] = None
            self._redoable.clear()
            return
        target = None if line.reverts is None else self._index_of_seq.get(line.reverts)
        source, destination = (self._undoable, self._redoable) if line.action == "undo" else (self._redoable, self._undoable)
        if target is not None and target in source:
            del source[target]
            destination[target] = None

    def undo(self, reachable: Callable[[str], bool] = _anywhere) -> Step | None:
        """The latest edit left to undo whose paragraph `reachable(id)` accepts; None when there is none.

        Edits of paragraphs it refuses (not in this corpus, not in this review) are passed over
        and forgotten until the store is opened again. Nothing changes until the step's line
        is appended.
        """
        index = self._latest(self._undoable, reachable)
        if index is None:
            return None
        edit = self._lines[index]
        return Step("undo", edit, edit.previous)

    def redo(self, reachable: Callable[[str], bool] = _anywhere) -> Step | None:
        """The latest undone edit whose paragraph `reachable(id)` accepts (see `undo`); None when there is none."""
        index = self._latest(self._redoable, reachable)
        return None if index is None else Step("redo", self._lines[index], index)

    def _latest(self, stack: dict[int, None], reachable: Callable[[str], bool]) -> int | None:
        while stack:
            index = next(reversed(stack))
            if reachable(self._lines[index].id):
                return index
            del stack[index]
        return None


def _malformed(path: Path, number: int, why: str) -> InputError:
    return InputError(
        f"{path}:{number}: {why}. The store is append-only and was left as it is; "
        "repair that line by hand or pass another --out."
    )


def _scan(path: Path, data: bytes) -> StoreContents:
    contents = StoreContents(path)
    pending_bad: tuple[int, str] | None = None  # a bad line that may be named by the next marker
    offset = 0
    number = 0
    while offset < len(data):
        newline = data.find(b"\n", offset)
        end = len(data) if newline < 0 else newline
        number += 1
        raw = data[offset:end]
        line_offset, offset = offset, end + 1
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            record, why = None, f"not valid JSON ({error.msg if isinstance(error, json.JSONDecodeError) else 'not UTF-8'})"
        else:
            why = "not a JSON object" if not isinstance(record, dict) else ""
        if pending_bad is not None:
            bad_number, bad_why = pending_bad
            if not (isinstance(record, dict) and record.get(FRAGMENT_MARKER) == bad_number):
                raise _malformed(path, bad_number, bad_why)
            pending_bad = None
            contents.warnings.append(f"{path}:{bad_number}: a line cut off by an earlier crash is skipped (it stays in the file).")
            continue
        if record is None or why:
            if newline < 0:  # the very last bytes, with no line end: a write cut off by a crash
                contents.cut_off_line = number
                contents.warnings.append(
                    f"{path}:{number}: the last line is cut off (a crash while writing?); "
                    "it is skipped and left in the file."
                )
                break
            pending_bad = (number, why)
            continue
        if FRAGMENT_MARKER in record:
            continue
        try:
            check_record(record)
        except RecordError as error:
            raise _malformed(path, number, str(error)) from None
        record_id = record["id"]
        action = record.get("_action", "edit")
        if action not in ("edit", "undo", "redo"):
            raise _malformed(path, number, f"unknown _action {action!r}")
        seq = record.get("_seq")
        contents.lines.append(StoreLine(
            seq=seq if isinstance(seq, int) else len(contents.lines) + 1,
            id=record_id,
            action=action,
            reverts=record.get("_reverts"),
            offset=line_offset,
            length=len(raw),
            previous=contents.latest_line.get(record_id),
            decided=record.get("answer") is not None,
            flagged=bool(record.get("flagged")),
        ))
        contents.latest_line[record_id] = len(contents.lines) - 1
    if pending_bad is not None:
        raise _malformed(path, *pending_bad)
    return contents


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise InputError(f"{path}: is a folder. Give a .jsonl file for the store, e.g. {path / 'annotations.jsonl'}.")
    if path.suffix.lower() != ".jsonl":
        raise InputError(f"{path}: a store must be a .jsonl file. Choose a name ending in .jsonl.")


def read_store(path: Path) -> StoreContents:
    """Read a store without locking it (for export, agreement, stats). Raises InputError when broken."""
    path = Path(path)
    _check_path(path)
    if not path.exists():
        raise InputError(f"{path}: no such store. Check the path (stores are written by `annotator annotate --out`).")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}).") from None
    return _scan(path, data)


class Store:
    """The one writer of a store file: holds an exclusive OS lock from open to close."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _check_path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:
            raise InputError(f"{self.path}: cannot be opened for writing ({error.strerror}).") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise InputError(
                f"{self.path}: another annotator process is writing to this store. "
                "Close it first, or pass another --out."
            ) from None
        try:
            size = os.fstat(self._fd).st_size
            self.contents = _scan(self.path, os.pread(self._fd, size, 0) if size else b"")
        except BaseException:
            self.close()
            raise
        self._size = size
        self._next_seq = max((line.seq for line in self.contents.lines), default=0) + 1
        # Built now, not at the first ctrl+z: a key press should not pay for the whole history.
        self.history = History(self.contents.lines)

    @property
    def warnings(self) -> list[str]:
        return self.contents.warnings

    def append(self, record: dict[str, Any], *, action: Action = "edit", reverts: int | None = None) -> int:
        """Check, append, flush and fsync one record, and take it into the history; return its `_seq`.

        Refuses a bad record (`RecordError`) before writing anything.
        """
        check_record(record)
        seq = self._next_seq
        line = {key: value for key, value in record.items() if key not in ("_seq", "_action", "_reverts")}
        line["_seq"] = seq
        line["_action"] = action
        if reverts is not None:
            line["_reverts"] = reverts
        payload = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        prefix = b""
        if self.contents.cut_off_line is not None:
            # End the cut-off line and name it, so that no record is glued onto it.
            prefix = b"\n" + json.dumps({FRAGMENT_MARKER: self.contents.cut_off_line}).encode() + b"\n"
        data = prefix + payload + b"\n"
        self._write_all(data)
        os.fsync(self._fd)
        offset = self._size + len(prefix)
        self._size += len(data)
        self._next_seq += 1
        self.contents.cut_off_line = None
        self.contents.lines.append(StoreLine(
            seq, line["id"], action, reverts, offset, len(payload), self.contents.latest_line.get(line["id"]),
            decided=line.get("answer") is not None, flagged=bool(line.get("flagged")),
        ))
        self.contents.latest_line[line["id"]] = len(self.contents.lines) - 1
        self.history.add(len(self.contents.lines) - 1)
        return seq

    def append_step(self, step: Step, state: dict[str, Any], *, annotator: str, timestamp: int) -> dict[str, Any]:
        """Append the line that carries out an undo or redo: `state` (the record the step leaves,
        `contents.read(step.state)` or a blank one), stamped with who and when; return that record."""
        record = {**state, "_timestamp": timestamp, "_annotator_id": annotator}
        self.append(record, action=step.action, reverts=step.edit.seq)
        return record

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def close(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
