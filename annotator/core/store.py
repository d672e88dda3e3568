"""The crash-safe JSONL store (DESIGN.md, "The store"): append-only, fsynced, one writer.

Each change appends the paragraph's full new state; the latest line for an `id` wins. Every
line also carries its place in the history (`_seq`, `_action`, `_reverts`), so undo and redo
survive a restart. A line cut off by a crash is reported and skipped but stays on disk: the
next append first ends it and writes a marker line naming it, so later reads know it is a known
fragment rather than corruption.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotator.core.errors import InputError
from annotator.core.records import RecordError, check_record

Action = Literal["edit", "undo", "redo"]
FRAGMENT_MARKER = "_crash_fragment"


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
        """The record of one line, read from disk."""
        line = self.lines[index]
        with open(self.path, "rb") as handle:
            handle.seek(line.offset)
            return json.loads(handle.read(line.length))

    def get(self, record_id: str) -> dict[str, Any] | None:
        index = self.latest_line.get(record_id)
        return None if index is None else self.read(index)

    def iter_latest(self) -> Iterator[dict[str, Any]]:
        """The latest record per id, one at a time, in order of each id's first appearance."""
        with open(self.path, "rb") as handle:
            for index in self.latest_line.values():
                line = self.lines[index]
                handle.seek(line.offset)
                yield json.loads(handle.read(line.length))

    def ids(self) -> list[str]:
        """Every paragraph id the store holds, in order of first appearance."""
        return list(self.latest_line)

    def iter_latest_of(self, record_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The latest record of each of `record_ids` (ids the store holds), in the order given."""
        with open(self.path, "rb") as handle:
            for record_id in record_ids:
                line = self.lines[self.latest_line[record_id]]
                handle.seek(line.offset)
                yield json.loads(handle.read(line.length))

    @property
    def latest(self) -> dict[str, dict[str, Any]]:
        """Every id's latest record, parsed: convenient for small stores."""
        return {record["id"]: record for record in self.iter_latest()}

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record line in file order (the whole history), parsed."""
        with open(self.path, "rb") as handle:
            data = handle.read()
        return [json.loads(data[line.offset : line.offset + line.length]) for line in self.lines]


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

    @property
    def warnings(self) -> list[str]:
        return self.contents.warnings

    def append(self, record: dict[str, Any], *, action: Action = "edit", reverts: int | None = None) -> int:
        """Check, append, flush and fsync one record; return its `_seq`. Refuses a bad record."""
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
        return seq

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
