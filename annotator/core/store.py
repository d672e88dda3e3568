"""The crash-safe JSONL store: append-only, fsynced, one writer; its reading, its index and its undo history.

The line format is in docs/FORMAT.md ("The store"); how an edit reaches it, in
docs/ARCHITECTURE.md ("A key press, from binding to disk and back"). Each change appends the
paragraph's new state; the latest line for an `id` wins. A line leaves out the paragraph's
tokens when an earlier line of the same paragraph and text holds them, and names the tokenizer
version, so a line read alone can be tokenized again. Every line starts with a header in a
fixed order (`id`, `_seq`, `_action`, `_reverts`, `answer`, `flagged`, `_tokenizer`), so
indexing a store reads each line's header, never the whole line; the header also gives the
line's place in the history, so undo and redo survive a restart: `History` holds the one set
of rules that turns those lines into what undo and redo reach.

A line cut off by a crash or by a write that failed part-way (disk full, I/O error) is
reported and skipped but stays on disk: the next append first ends it and writes a marker line
naming it, so later reads know it is a known fragment rather than corruption; a last line
without its line end that is a whole record is kept as one, and the next append ends it. The
writer learns how the file ends when it opens it and from the outcome of each of its writes
(after a failure, by indexing again what the write left), so a clean append costs nothing more.

A writer keeps an index of a large store beside it (`.NAME.index`, a cache rebuilt whenever it
is missing or does not match the store), so reopening does not read the store again.

Everything that reads a store goes through `read_store` (or a `Store`'s `contents`): nothing
else opens a store file. Records handed out are complete (tokens included) unless a method
says otherwise.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import sys
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

from annotator.core.checked import RecordError, check_fields, checked_json, tokens_right
from annotator.core.errors import InputError
from annotator.core.files import check_readable
from annotator.core.records import check_record, to_json, token_dicts
from annotator.core.spans import ANSWERS
from annotator.core.tokens import TOKENIZER_VERSION, Token, tokenize

Action = Literal["edit", "undo", "redo"]
StepAction = Literal["undo", "redo"]
FRAGMENT_MARKER = "_crash_fragment"
TOKENIZER_FIELD = "_tokenizer"
HISTORY_FIELDS = ("_seq", "_action", "_reverts")
INDEX_MIN_BYTES = 4 << 20  # a smaller store is scanned in a few milliseconds: no index beside it

_ACTIONS: tuple[Action, ...] = ("edit", "undo", "redo")
# One byte of flags a line: the action's number, then one bit each.
_ACTION_BITS = 0b11
_OWN_TOKENS = 0b100  # the line holds a "tokens" field
_TOKENIZER_NAMED = 0b1000  # the line names its tokenizer version (written by this format)
_DECIDED = 0b10000
_FLAGGED = 0b100000

_JSON_STRING = rb'"([^"\\]*+(?:\\.[^"\\]*+)*+)"'  # a JSON string, its contents captured (no step a character)
_HEADER = re.compile(
    rb'\{"id":' + _JSON_STRING + rb',"_seq":(\d{1,18}),"_action":"(edit|undo|redo)"(?:,"_reverts":(-?\d{1,18}))?'
    rb'(?:,"answer":"(accept|reject|ignore)")?(,"flagged":true)?,"_tokenizer":' + _JSON_STRING + rb'(,"tokens":)?'
)
# A line's last members as `RecordBuilder` writes them (and a merge adds), annotator and timestamp captured:
# read from the line's end, the line not parsed (`StoreContents.iter_marks`).
_ANY_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'  # the same, not captured
_MARKS = re.compile(
    rb',"_annotator_id":"([^"\\\x00-\x1f]*)","_session_id":' + _ANY_STRING + rb',"_timestamp":(-?(?:0|[1-9]\d{0,17})),'
    rb'"_schema":\{(?:' + _ANY_STRING + b":" + _ANY_STRING + rb'(?:,' + _ANY_STRING + b":" + _ANY_STRING + rb')*)?\},'
    rb'"_status":' + _ANY_STRING + rb'(?:,"_merged_from":\{"store":' + _ANY_STRING + rb',"seq":(?:-?\d{1,18}|null)\})?\}\Z'
)
_TOKENS_END = b'}],"'  # a token is a flat object, so its array ends where this first appears
_TOKEN_OFFSETS = re.compile(rb'","start":(\d{1,18},"end":\d{1,18}),"id":')
_TEXT_AFTER_TOKENS = re.compile(rb',"text":"([^"\\]*+(?:\\.[^"\\]*+)*+)"')  # a long string: no step a character
_CHECKED_FIELDS, _CHECKED_WHOLE = 0b1, 0b10  # a line's record found right without its tokens, with them
_MARKER_START = b'{"' + FRAGMENT_MARKER.encode() + b'"'
_LINE_START = b'{"id":'  # how every line this format writes begins
_CHUNK = 8 << 20
_INDEX_MAGIC = b"annotator store index 1\n"
_APPENDED_IDS_KEPT = 4096  # ids of lines a writer appended that `id_at` answers without reading the file
_CHECKED_TAIL = 1 << 20  # bytes before the end of what an index covers that must still be the same

Reader = Callable[[int, int], bytes]  # (offset, size) -> bytes of the store file


def _loads(raw: bytes) -> Any:
    """A line parsed: UTF-8, not json's guess, and checked (`checked_json`: a ValueError saying what is wrong)."""
    return checked_json(_unmarked(raw))


def _unmarked(raw: bytes) -> bytes:
    """A line without the byte-order mark a store's first line may start with: the JSON text `_loads` parses."""
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw


def _string(raw: bytes) -> str:
    """A JSON string's contents (between the quotes) as text (a ValueError for a lone surrogate)."""
    if b"\\" not in raw:
        return raw.decode("utf-8")
    text: str = checked_json(b'"' + raw + b'"')
    return text


def encode_line(
    record: Mapping[str, Any], *, seq: int, action: Action, reverts: int | None, tokens: list[Any] | None,
    encoded: Mapping[str, str] | None = None,
) -> bytes:
    """One store line for `record` (without its line end): the header, `tokens` when given, then the rest.

    Everything a store writes goes through here, so every line has the header that opening a
    store reads. `encoded` holds the JSON of some fields, already made (`RecordBuilder`), and
    must be what `to_json` gives for them. Tokens that could be mistaken for the end of their
    array (a token holding a list of objects) make a line in plain record order, which readers
    parse in full.
    """
    head: dict[str, Any] = {"id": record["id"], "_seq": seq, "_action": action}
    if reverts is not None:
        head["_reverts"] = reverts
    if record.get("answer") in ANSWERS:
        head["answer"] = record["answer"]
    if record.get("flagged") is True:
        head["flagged"] = True
    head[TOKENIZER_FIELD] = TOKENIZER_VERSION
    body = {key: value for key, value in record.items()
            if key not in head and key != "tokens" and key not in HISTORY_FIELDS}
    encoded_tokens = None if tokens is None else to_json(tokens)
    if encoded_tokens is not None and encoded_tokens != "[]" and (
        (encoded_tokens + ',"').find(_TOKENS_END.decode()) != len(encoded_tokens) - 2
    ):
        plain = {"id": record["id"], **body, "tokens": tokens, **{k: v for k, v in head.items() if k != "id"}}
        return to_json(plain).encode("utf-8")
    parts = [to_json(head)[:-1]]
    if encoded_tokens is not None:
        parts.append(',"tokens":' + encoded_tokens)
    if body:
        parts.append("," + _members(body, encoded or {}))
    parts.append("}")
    return "".join(parts).encode("utf-8")


def _members(fields: Mapping[str, Any], encoded: Mapping[str, str]) -> str:
    """The members of a JSON object (no braces), taking the JSON of the fields in `encoded` as it is."""
    parts: list[str] = []
    run: dict[str, Any] = {}
    for key, value in fields.items():
        if key in encoded:
            if run:
                parts.append(to_json(run)[1:-1])
                run = {}
            parts.append(to_json(key) + ":" + encoded[key])
        else:
            run[key] = value
    if run:
        parts.append(to_json(run)[1:-1])
    return ",".join(parts)


def relocated_line(raw: bytes, *, seq: int, reverts: int | None, tokens: bytes | None, extra: bytes) -> bytes | None:
    """Line `raw` with another `_seq` and `_reverts`, the tokens JSON `tokens` (None: no tokens) and the
    JSON members `extra` (`"name":value,...`, or nothing) added at its end; the rest of the line is
    copied as it is, not encoded again.

    None for a line without this format's header (encode it with `encode_line`). For a merge.
    """
    match = _HEADER.match(raw)
    if match is None or not raw.endswith(b"}"):
        return None
    action_end = match.end(3) + 1  # past the action's closing quote
    parts = [raw[: match.start(2)], b"%d" % seq, raw[match.end(2) : action_end]]
    if reverts is not None:
        parts.append(b',"_reverts":%d' % reverts)
    # the answer, the flag and the tokenizer's version, then the body: slices of the line, copied
    parts.append(raw[action_end if match[4] is None else match.end(4) : match.start(8) if match[8] else match.end()])
    if tokens is not None:
        parts += [b',"tokens":', tokens]
    parts.append(raw[_tokens_range(raw, match)[1] if match[8] else match.end() : -1])
    if extra:
        parts += [b",", extra]
    parts.append(b"}")
    return b"".join(parts)


def _tokens_range(raw: bytes, match: re.Match[bytes]) -> tuple[int, int]:
    """Where the tokens' JSON array is in a line whose header says it holds them."""
    start = match.end()
    end = start + 2 if raw.startswith(b"[]", start) else raw.find(_TOKENS_END, start) + 2
    if end < start + 2:
        raise json.JSONDecodeError("the tokens do not end", raw.decode("utf-8", "replace"), start)
    return start, end


def _decode(raw: bytes) -> tuple[dict[str, Any], tuple[int, int] | None, bytes]:
    """A line's fields, leaving its tokens unparsed where the header says where they are (their byte range),
    and the JSON text the fields were parsed from (for `check_fields`)."""
    match = _HEADER.match(raw)
    if match is None or match[8] is None:
        return _loads(raw), None, _unmarked(raw)
    start, end = _tokens_range(raw, match)
    text = raw[: match.start(8)] + raw[end:]
    return _loads(text), (start, end), text


def _without_tokens(fields: dict[str, Any]) -> dict[str, Any]:
    """A line's fields without its tokens or the tokenizer's version, in the line's order (`fields` changed)."""
    fields.pop("tokens", None)
    fields.pop(TOKENIZER_FIELD, None)
    return fields


def _with_tokens(fields: dict[str, Any]) -> dict[str, Any]:
    """A line of the older format as written, given its text's tokens after the text when it holds none
    (a record made by hand or another tool), so that every reader gets tokens.

    Its spans' token indices could refer to no tokens the record has: they are those of the
    tokens each span overlaps.
    """
    text = fields.get("text")
    if fields.get("tokens") or not isinstance(text, str) or not isinstance(fields.get("id"), str):
        return fields
    tokens = tokenize(text)
    items = [(key, value) for key, value in fields.items() if key != "tokens"]
    at = next((place + 1 for place, (key, _) in enumerate(items) if key == "text"), len(items))
    items.insert(at, ("tokens", token_dicts(tokens)))
    record = dict(items)
    if isinstance(record.get("spans"), list):
        record["spans"] = [_on_tokens(span, tokens) for span in record["spans"]]
    return record


def _on_tokens(span: Any, tokens: tuple[Token, ...]) -> Any:
    """`span` with the indices of the tokens it overlaps (as it is when its offsets are not usable: checked later)."""
    if not isinstance(span, dict):
        return span
    start, end = span.get("start"), span.get("end")
    if type(start) is not int or type(end) is not int:
        return span
    covered = [token.id for token in tokens if token.start < end and start < token.end]
    return {**span, "token_start": covered[0], "token_end": covered[-1]} if covered else span


def _ordered(fields: dict[str, Any], tokens: list[Any] | None) -> dict[str, Any]:
    """A line's fields as a record in `to_record`'s order: the header's fields back in place, `tokens` after the text.

    The line's body is already in that order; `answer` and `flagged` go back after
    `relations` (or `spans`), the history fields to the end. `fields` is used up.
    """
    history = [(key, fields.pop(key)) for key in HISTORY_FIELDS if key in fields]
    decision = [(key, fields.pop(key)) for key in ("answer", "flagged") if key in fields]
    fields.pop(TOKENIZER_FIELD, None)
    items = list(fields.items())
    if tokens is not None:
        items.insert(2 if len(items) > 1 and items[1][0] == "text" else len(items), ("tokens", tokens))
    if decision:
        keys = [key for key, _ in items]
        after = "relations" if "relations" in fields else "spans" if "spans" in fields else keys[-1]
        at = keys.index(after) + 1
        items[at:at] = decision
    record = dict(items)
    record.update(history)
    return record


class _SavedTokens(NamedTuple):
    """The tokens line `line` holds for its text `text`; `right`: found right by `tokens_right` as they were read."""

    line: int
    text: str
    tokens: list[Any]
    right: bool


@dataclass(slots=True)
class _Broken:
    """Bad lines in a row, which only the marker naming the first of them excuses (or the store's end)."""

    numbers: list[int]  # the lines' numbers, from 1
    offset: int  # where the first starts in the file
    why: str  # what is wrong with the first


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


class StoreLines:
    """The store's record lines in file order, each made into a `StoreLine` when asked for."""

    def __init__(self, contents: StoreContents) -> None:
        self.contents = contents

    def __len__(self) -> int:
        return len(self.contents._offsets)

    def __getitem__(self, index: int) -> StoreLine:
        return self.contents.line(index)

    def __iter__(self) -> Iterator[StoreLine]:
        return (self.contents.line(index) for index in range(len(self)))


class StoreContents:
    """What a store holds, indexed by byte offsets so that a large store is never all in memory.

    Per line it keeps a few numbers in arrays (offset, length, `_seq`, the line it replaced,
    the line whose tokens it uses, one byte of flags), per paragraph id its latest line: no
    record stays in memory.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []
        self._broken: _Broken | None = None  # the store's last lines, cut off by a crash (no marker names them yet)
        self._tail_warning: str | None = None  # what the warnings say about the store's last line
        self.latest_line: dict[str, int] = {}  # id -> index of its latest line, in order of first appearance
        self._offsets = array("q")
        self._lengths = array("I")
        self._seqs = array("q")
        self._previous = array("i")  # the line of the same id before, or -1
        self._token_source = array("i")  # the line whose tokens this line has, or -1 (none saved)
        self._flags = bytearray()
        # The undo and redo lines (indices, ascending) and the _seq each names.
        self._reverting, self._reverted = array("i"), array("q")
        self._fragments: list[int] = []  # numbers of lines known to be cut off by an earlier crash
        self._decided = 0
        self._seqs_increasing = True
        self._lines_of_seq: dict[int, list[int]] | None = None  # only for stores whose _seq go back
        self._size = 0  # bytes indexed
        self._number = 0  # physical lines indexed (for messages naming a line)
        self._open_end = False  # the store's last line has no line end yet
        self._token_cache: _SavedTokens | None = None  # the tokens last read
        self._appended_ids: dict[int, str] = {}  # line -> id of the latest lines this process appended (undo asks)
        self._checked_lines = bytearray()  # per line: _CHECKED_FIELDS, _CHECKED_WHOLE once its record was found right
        self._index_current = False  # the index beside the store describes all of it
        # The stacks of the history as the index saved them (undo, redo, where each line is), if it did.
        self.saved_history: tuple[array[int], array[int], bytearray] | None = None

    # --- reading the file ---------------------------------------------------------------

    def load(self, read: Reader, size: int) -> None:
        """Index the store's `size` bytes: from the index beside it where that still matches, then the rest."""
        loaded = size >= INDEX_MIN_BYTES and self._load_index(read, size)
        self._scan(read, size)
        self._index_current = loaded and self._size == size

    def _scan(self, read: Reader, end: int) -> None:
        """Index the lines between what is indexed so far and `end`, reading a chunk at a time."""
        broken: _Broken | None = None  # bad lines that may be named by the next marker
        start = self._size  # the file offset of data[0]
        position = start  # the next byte to read
        data = b""
        while True:
            if position < end:
                chunk = read(position, min(_CHUNK, end - position))
                position += len(chunk)
                end = end if chunk else position  # the file got shorter while being read
                data += chunk
            finished = position >= end
            at = 0
            while True:
                newline = data.find(b"\n", at)
                if newline < 0 or (not finished and newline + len(_LINE_START) >= len(data)):
                    break  # the line's end, or enough of the next line to see how it begins, is in the next chunk
                # A line followed by anything but a line of this format (a marker, the end, a line cut off)
                # may be a fragment that only looks whole (cut right after a "}"): it is parsed in full.
                in_full = not data.startswith(_LINE_START, newline + 1)
                broken = self._take(data[at:newline], start + at, broken, complete=True, in_full=in_full)
                at = newline + 1
            self._size = start + at
            data, start = data[at:], start + at
            if finished:
                break
        self._open_end = bool(data)
        if data:
            records = len(self._offsets)
            broken = self._take(data, start, broken, complete=False, in_full=True)
            self._size = start + len(data)
            if len(self._offsets) > records:  # a whole record (not blanks, not a marker) without its line end
                self._tail_warning = (f"{self.path}:{self._number}: the last line has no line end; it is read as a "
                                      "record and kept, and the next change starts a line of its own after it.")
                self.warnings.append(self._tail_warning)
        if broken is not None:  # the store ends in bad lines no marker names: cut off by a crash or a failed write
            self._broken, self._size = broken, broken.offset
            count = len(broken.numbers)
            what = "the last line is cut off" if count == 1 else f"the last {count} lines are cut off"
            self._tail_warning = (f"{self.path}:{broken.numbers[0]}: {what} (a crash, or a write that failed?); "
                                  f"{'it is' if count == 1 else 'they are'} skipped and left in the file.")
            self.warnings.append(self._tail_warning)

    def reindex_tail(self, read: Reader, end: int) -> None:
        """Index again, from the last line known whole, the store's bytes up to `end`: for a writer whose
        append failed part-way, so that what it knows is what any reader of the file now finds."""
        if self._tail_warning is not None:
            self.warnings.remove(self._tail_warning)
            self._tail_warning = None
        if self._broken is not None:
            self._number = self._broken.numbers[0] - 1
            self._broken = None
        elif self._open_end and read(self._size, 1) == b"\n":
            self._size += 1  # the line without an end got one: it was counted already
        self._open_end = False
        self._index_current = False
        self._scan(read, end)

    def _take(
        self, raw: bytes, offset: int, broken: _Broken | None, *, complete: bool, in_full: bool
    ) -> _Broken | None:
        """Index one physical line; return the bad lines (this one among them) still waiting for the marker
        that would excuse them."""
        self._number += 1
        number = self._number
        match = _HEADER.match(raw) if complete and not in_full and broken is None else None
        if match is not None and raw.endswith(b"}"):
            reverts = match[4]
            try:
                record_id = _string(match[1])
            except ValueError as error:
                raise _malformed(self.path, number, f"id: {error}") from None
            self._add(
                offset, len(raw), int(match[2]), record_id, _ACTIONS.index(match[3].decode()),
                None if reverts is None else int(reverts),
                _TOKENIZER_NAMED | (_OWN_TOKENS if match[8] else 0) | (_DECIDED if match[5] else 0)
                | (_FLAGGED if match[6] else 0),
            )
            return None
        if not raw.strip():
            return broken
        refused = ""  # valid JSON that no record may hold: never taken for a line cut off by a crash
        try:
            record = _loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            record, why = None, f"not valid JSON ({error.msg if isinstance(error, json.JSONDecodeError) else 'not UTF-8'})"
        except ValueError as error:
            record, why = None, str(error)
            refused = why
        else:  # valid JSON that is not an object: no write cut short leaves that (every line starts with "{")
            why = refused = "" if isinstance(record, dict) else "the line is not a JSON object"
        if refused:
            raise _malformed(self.path, number, refused)
        if record is None or why:
            if broken is None:
                return _Broken([number], offset, why)
            broken.numbers.append(number)  # a write that failed while ending the line before
            return broken
        if broken is not None:
            if record.get(FRAGMENT_MARKER) != broken.numbers[0]:
                raise _malformed(self.path, broken.numbers[0], broken.why)
            self._fragments.extend(broken.numbers)
            self.warnings.extend(_fragment_warning(self.path, bad) for bad in broken.numbers)
            return None
        if FRAGMENT_MARKER in record:
            return None
        try:
            check_fields(record, _unmarked(raw))
            check_record(record)
        except RecordError as error:
            raise _malformed(self.path, number, str(error)) from None
        action = record.get("_action", "edit")
        if action not in _ACTIONS:
            raise _malformed(self.path, number, f"unknown _action {action!r}")
        seq = record.get("_seq")
        reverts = record.get("_reverts")
        self._add(
            offset, len(raw), seq if isinstance(seq, int) else len(self._offsets) + 1, record["id"],
            _ACTIONS.index(action), reverts if isinstance(reverts, int) else None,
            (_TOKENIZER_NAMED if TOKENIZER_FIELD in record else 0) | (_OWN_TOKENS if "tokens" in record else 0)
            | (_DECIDED if record.get("answer") is not None else 0) | (_FLAGGED if record.get("flagged") else 0),
        )
        return None

    def _add(self, offset: int, length: int, seq: int, record_id: str, action: int, reverts: int | None, flags: int) -> int:
        """Take one record line into the index; return its index."""
        index = len(self._offsets)
        previous = self.latest_line.get(record_id, -1)
        if self._seqs and seq <= self._seqs[-1]:
            self._seqs_increasing = False
            self._lines_of_seq = None
        self._offsets.append(offset)
        self._lengths.append(length)
        self._seqs.append(seq)
        self._previous.append(previous)
        if flags & _OWN_TOKENS:
            self._token_source.append(index)
        else:
            self._token_source.append(self._token_source[previous] if previous >= 0 and flags & _TOKENIZER_NAMED else -1)
        self._flags.append(flags | action)
        if reverts is not None:
            self._reverting.append(index)
            self._reverted.append(reverts)
        if previous >= 0 and self._flags[previous] & _DECIDED:
            self._decided -= 1
        if flags & _DECIDED:
            self._decided += 1
        self.latest_line[record_id] = index
        return index

    def _raw(self, handle: BinaryIO, index: int) -> bytes:
        handle.seek(self._offsets[index])
        return handle.read(self._lengths[index])

    def _fields(self, handle: BinaryIO, index: int) -> tuple[bytes, dict[str, Any], tuple[int, int] | None, bytes]:
        """Line `index` as bytes, then as `_decode` gives it."""
        raw = self._raw(handle, index)
        return (raw, *self._decoded(handle, raw, index))

    def _decoded(self, handle: BinaryIO, raw: bytes, index: int) -> tuple[dict[str, Any], tuple[int, int] | None, bytes]:
        """`_decode` of line `index`, whose bytes are `raw`; a line of this format without tokens (most lines)
        is parsed as it is, its header not looked at (nothing to cut out; past the first line, no byte-order mark)."""
        try:
            if self._offsets[index] and self._flags[index] & (_OWN_TOKENS | _TOKENIZER_NAMED) == _TOKENIZER_NAMED:
                return checked_json(raw), None, raw
            return _decode(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise self._changed(handle, index) from None
        except ValueError as error:  # checked_json's refusals
            raise _malformed(self.path, self._line_number(handle, index), str(error)) from None

    def _changed(self, handle: BinaryIO, index: int) -> InputError:
        return InputError(f"{self.path}:{self._line_number(handle, index)}: the line with _seq {self._seqs[index]} "
                          "is no longer valid JSON (the store was changed by hand since it was opened?). "
                          "Restore it from a copy.")

    def _checked(self, handle: BinaryIO, index: int, record: dict[str, Any], text: bytes | None) -> dict[str, Any]:
        """`record`, read from line `index`, once its fields and spans are checked (an InputError with FILE:LINE).

        `text`: the JSON `record` was parsed from, as `check_fields` takes it (None: `record` holds
        fields from elsewhere not known right). A line found right is not checked again (a record
        with its tokens and one without are different checks): team commands read each line more
        than once.
        """
        done = _CHECKED_WHOLE if "tokens" in record else _CHECKED_FIELDS
        checked = self._checked_lines
        if index < len(checked) and checked[index] & done:
            return record
        try:
            if not isinstance(record, dict):
                raise RecordError("the line is not a JSON object")
            check_fields(record, text)
            check_record(record)
        except RecordError as error:
            raise _malformed(self.path, self._line_number(handle, index), str(error)) from None
        if index >= len(checked):
            checked.extend(bytes(len(self._offsets) - len(checked)))
        checked[index] |= done | _CHECKED_FIELDS  # a whole record right has its fields right
        return record

    def _line_number(self, handle: BinaryIO, index: int) -> int:
        """The physical line number of line `index` (counted only for a message: it reads the file up to there)."""
        handle.seek(0)
        before, newlines = self._offsets[index], 0
        while before > 0:
            chunk = handle.read(min(_CHUNK, before))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            before -= len(chunk)
        return newlines + 1

    def _record(self, handle: BinaryIO, index: int, *, with_tokens: bool = True) -> dict[str, Any]:
        """Line `index`'s record: as written for a line of the older format, else in `to_record`'s order.

        Without tokens, the fields are as `iter_states` gives them (in the line's order).
        """
        raw, fields, own, text = self._fields(handle, index)
        if not with_tokens:
            return self._checked(handle, index, _without_tokens(fields), text)
        if not self._flags[index] & _TOKENIZER_NAMED:  # tokens it lacks are made right (`_with_tokens`)
            return self._checked(handle, index, _with_tokens(fields), text)
        right = True
        if own is not None:
            right = tokens_right(raw, *own)
            tokens: Any = self._parsed(handle, index, raw[own[0] : own[1]])
            self._token_cache = _SavedTokens(index, str(fields.get("text")), tokens, right)
            tokens = list(tokens)
        elif "tokens" in fields:
            tokens = fields["tokens"]
        else:
            tokens, right = self._inherited(handle, index, fields)
        return self._checked(handle, index, _ordered(fields, tokens), text if right else None)

    def _parsed(self, handle: BinaryIO, index: int, raw: bytes) -> Any:
        """Part of line `index` (its tokens) parsed and checked as `_loads` does, or an InputError with FILE:LINE."""
        try:
            return checked_json(raw)
        except ValueError as error:
            raise _malformed(self.path, self._line_number(handle, index), f"tokens: {error}") from None

    def _inherited(self, handle: BinaryIO, index: int, fields: Mapping[str, Any]) -> tuple[list[Any], bool]:
        """The tokens of a line that holds none: its paragraph's saved ones, else its text tokenized again;
        and whether they are known right (`tokens_right` of the saved ones; made ones are)."""
        text = fields.get("text")
        saved = self._saved_at(self._token_source[index], text, handle)
        if saved is not None:
            return list(saved.tokens), saved.right
        version = fields.get(TOKENIZER_FIELD)
        if version != TOKENIZER_VERSION or not isinstance(text, str):
            raise InputError(
                f"{self.path}: the line with _seq {self._seqs[index]} ({fields.get('id')}) keeps no tokens, the store "
                f"holds no earlier line of that paragraph with them, and it was tokenized by version {version} "
                f"(this is {TOKENIZER_VERSION}). Restore the lines cut from the store, or re-annotate the paragraph."
            )
        return token_dicts(tokenize(text)), True

    def _saved_at(self, source: int, text: Any, handle: BinaryIO | None = None) -> _SavedTokens | None:
        """The tokens line `source` holds, when its text is `text`; None otherwise (or for no line).

        The last line asked about is remembered, so the edits of one paragraph read its tokens once.
        """
        if source < 0:
            return None
        cached = self._token_cache
        if cached is not None and cached.line == source:
            return cached if cached.text == text else None
        if handle is None:
            with open(self.path, "rb") as opened:
                return self._saved_at(source, text, opened)
        raw, fields, own, _ = self._fields(handle, source)
        tokens = self._parsed(handle, source, raw[own[0] : own[1]]) if own is not None else fields.get("tokens")
        if not isinstance(tokens, list):
            return None
        self._token_cache = _SavedTokens(source, str(fields.get("text")), tokens,
                                         own is not None and tokens_right(raw, *own))
        return self._token_cache if fields.get("text") == text else None

    @staticmethod
    def _written_text(raw: bytes) -> tuple[str, tuple[int, int]] | None:
        """The text of a line holding its tokens as this store writes them (right after them), and where the
        tokens are; None for any other line (or a text that is no Unicode: the line is then read whole)."""
        match = _HEADER.match(raw)
        if match is None or not match[8]:
            return None
        try:
            start, end = _tokens_range(raw, match)
            found = _TEXT_AFTER_TOKENS.match(raw, end)
            return None if found is None else (_string(found[1]), (start, end))
        except ValueError:  # tokens that do not end, a text that is not UTF-8 or holds a lone surrogate
            return None

    def saved_tokens(self, record_id: str, text: str) -> tuple[int, list[Any]] | None:
        """The line holding the tokens a new line of `record_id` with `text` would leave out, and those tokens.

        None when no line of that paragraph holds tokens for that text: the new line must hold them.
        """
        latest = self.latest_line.get(record_id)
        if latest is None:
            return None
        source = self._token_source[latest]
        saved = self._saved_at(source, text)
        return None if saved is None else (source, saved.tokens)

    # --- what readers ask ---------------------------------------------------------------

    @property
    def lines(self) -> StoreLines:
        return StoreLines(self)

    def line(self, index: int) -> StoreLine:
        flags = self._flags[index]
        previous = self._previous[index]
        return StoreLine(
            seq=self._seqs[index], id=self.id_at(index), action=_ACTIONS[flags & _ACTION_BITS],
            reverts=self.reverts_of(index), offset=self._offsets[index], length=self._lengths[index],
            previous=None if previous < 0 else previous, decided=bool(flags & _DECIDED), flagged=bool(flags & _FLAGGED),
        )

    def id_at(self, index: int) -> str:
        """The paragraph id of line `index` (read from its header, unless this process appended it lately)."""
        known = self._appended_ids.get(index)
        if known is not None:
            return known
        with open(self.path, "rb") as handle:
            handle.seek(self._offsets[index])
            raw = handle.read(self._lengths[index])
        match = _HEADER.match(raw)
        return _string(match[1]) if match is not None else str(_loads(raw)["id"])

    def read(self, index: int) -> dict[str, Any]:
        """The record of line `index`, read from disk."""
        with open(self.path, "rb") as handle:
            return self._record(handle, index)

    def tokens(self, index: int) -> list[Any]:
        """The tokens of line `index`'s record (held by it, by an earlier line, or computed again)."""
        return list(self.read(index).get("tokens") or [])

    def tokens_json(self, index: int, raw: bytes | None = None) -> bytes:
        """The JSON of line `index`'s tokens, copied from the line that holds them where it can be.

        `raw`: that line's bytes, when the caller has them already.
        """
        source = self._token_source[index]
        if source >= 0 and self._flags[source] & _TOKENIZER_NAMED:
            if raw is None:
                with open(self.path, "rb") as handle:
                    raw = self._raw(handle, source)
            match = _HEADER.match(raw)
            if match is not None and match[8]:
                start, end = _tokens_range(raw, match)
                return raw[start:end]
        return to_json(self.tokens(index)).encode("utf-8")

    def token_offsets(self, index: int, text: str) -> tuple[list[int], list[int]]:
        """The starts and the ends of line `index`'s tokens, in order, read without making the token dicts.

        `text` is that line's text. Tokens as this store writes them (`text`, `start`, `end`,
        `id` in that order: each object of the array found so), in a line holding the same
        text, are read by a pattern; any others are found as `tokens` finds them.
        """
        with open(self.path, "rb") as handle:
            return self._token_offsets(handle, index, text)

    def _token_offsets(self, handle: BinaryIO, index: int, text: str) -> tuple[list[int], list[int]]:
        saved = self._saved_offsets(handle, index)
        if saved is not None and saved[0] == text:
            return saved[1], saved[2]
        tokens = self._record(handle, index).get("tokens") or []
        return [token["start"] for token in tokens], [token["end"] for token in tokens]

    def _saved_offsets(self, handle: BinaryIO, index: int) -> tuple[str, list[int], list[int]] | None:
        """The text of the line holding line `index`'s tokens (this store's format: the text right after the
        tokens) and the tokens' starts and ends, read by a pattern; None where they are not so written."""
        source = self._token_source[index]
        if source < 0 or not self._flags[source] & _TOKENIZER_NAMED:
            return None
        raw = self._raw(handle, source)
        written = self._written_text(raw)
        if written is None:
            return None
        text, (start, end) = written
        found = _TOKEN_OFFSETS.findall(raw, start, end)
        if len(found) != raw.count(b'{"text":', start, end):
            return None
        # `start,"end":end` of each token made one JSON array of numbers, which json's C parser turns into ints
        offsets: list[int] = json.loads(b"[%s]" % b",".join(found).replace(b'"end":', b""))
        return text, offsets[0::2], offsets[1::2]

    def token_line(self, index: int) -> int | None:
        """The line whose saved tokens line `index` has (itself when it holds them); None when none does."""
        source = self._token_source[index]
        return None if source < 0 else source

    @contextmanager
    def reading(self, *, with_tokens: bool = True) -> Iterator[LineReader]:
        """A reader of lines in any order, with the file kept open meanwhile (for many reads).

        Its buffer holds a few dozen lines, so lines read near each other (a paragraph's latest
        lines and the one holding its tokens) are read from the disk once.
        """
        with open(self.path, "rb", buffering=1 << 16) as handle:
            yield LineReader(self, handle, with_tokens)

    def _read_lines(self, indices: Iterable[int], *, with_tokens: bool = True) -> Iterator[dict[str, Any]]:
        with open(self.path, "rb", buffering=1 << 16) as handle:  # lines in any order: a small buffer
            for index in indices:
                yield self._record(handle, index, with_tokens=with_tokens)

    def get(self, record_id: str) -> dict[str, Any] | None:
        """The latest record of `record_id`, or None when the store has none."""
        index = self.latest_line.get(record_id)
        return None if index is None else self.read(index)

    def is_decided(self, record_id: str) -> bool:
        """Whether the latest record of `record_id` has an answer (without reading it from disk)."""
        index = self.latest_line.get(record_id)
        return index is not None and bool(self._flags[index] & _DECIDED)

    def is_flagged(self, record_id: str) -> bool:
        index = self.latest_line.get(record_id)
        return index is not None and bool(self._flags[index] & _FLAGGED)

    def decided_count(self) -> int:
        """How many ids have an answer in their latest record (kept up to date line by line)."""
        return self._decided

    def decided_ids(self) -> list[str]:
        """The ids whose latest record has an answer (from the index: no line is read)."""
        flags = self._flags
        return [record_id for record_id, index in self.latest_line.items() if flags[index] & _DECIDED]

    def iter_latest(self) -> Iterator[dict[str, Any]]:
        """The latest record per id, one at a time, in order of each id's first appearance."""
        return self._read_lines(self.latest_line.values())

    def ids(self) -> list[str]:
        """Every paragraph id the store holds, in order of first appearance."""
        return list(self.latest_line)

    def iter_latest_of(self, record_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The latest record of each of `record_ids` (ids the store holds), in the order given."""
        return self._read_lines(self.latest_line[record_id] for record_id in record_ids)

    def iter_states(self, indices: Iterable[int] | None = None) -> Iterator[tuple[int, dict[str, Any], bytes]]:
        """Every line in file order (or those of `indices`, ascending), in one pass over the file, for what
        streams through a store.

        For each: its index, its record without its tokens (`tokens(index)` has them) or the
        tokenizer's version, the fields in the order the line has them, and the line's bytes.
        """
        with open(self.path, "rb", buffering=0) as handle:
            for index, raw in self._raw_lines(handle, range(len(self._offsets)) if indices is None else indices):
                yield index, self._state(handle, index, raw), raw

    def iter_marks(self) -> Iterator[tuple[int, str, Any, Any, bool]]:
        """(index, id, `_annotator_id`, `_timestamp`, whether it has an answer) of every line in file order:
        what the team commands need of each line of a history, whose latest lines alone they read whole.

        A line as this store writes it is not parsed: its id and answer are in the index, its
        annotator and timestamp in its last members (`_MARKS`), which are found from its end.
        Such a line is not checked either, as opening a store does not check it: whatever it
        holds besides those never reaches a command's figures. Any other line (another order,
        a timestamp that is not a whole number, an annotator with escapes) is read whole and
        checked, as `iter_states` reads it, and its fields are taken from its record.
        """
        ids = self._line_ids()
        flags = self._flags
        find = _MARKS.match
        intern = sys.intern
        with open(self.path, "rb", buffering=0) as handle:
            for index, raw in self._raw_lines(handle, range(len(ids))):
                at = raw.rfind(b',"_annotator_id":') if flags[index] & _TOKENIZER_NAMED else -1
                found = find(raw, at) if at > 0 else None
                if found is not None:
                    try:
                        annotator: Any = intern(found[1].decode("utf-8"))
                    except UnicodeDecodeError:
                        found = None
                if found is None:
                    record = self._state(handle, index, raw)
                    yield index, ids[index], record.get("_annotator_id"), record.get("_timestamp"), bool(
                        flags[index] & _DECIDED)
                    continue
                yield index, ids[index], annotator, int(found[2]), bool(flags[index] & _DECIDED)

    def _line_ids(self) -> list[str]:
        """The paragraph id of every line, from the index alone (each id's latest line, then the lines it replaced)."""
        ids: list[str] = [""] * len(self._offsets)
        previous = self._previous
        for record_id, index in self.latest_line.items():
            while index >= 0:
                ids[index] = record_id
                index = previous[index]
        return ids

    def _raw_lines(self, handle: BinaryIO, indices: Iterable[int]) -> Iterator[tuple[int, bytes]]:
        """(index, bytes) of the lines `indices` (ascending), the file read a chunk at a time and each line cut from it."""
        offsets, lengths = self._offsets, self._lengths
        chunk, chunk_start = b"", 0
        for index in indices:
            offset, length = offsets[index], lengths[index]
            at = offset - chunk_start
            if at < 0 or at + length > len(chunk):
                handle.seek(offset)
                chunk, chunk_start, at = handle.read(max(_CHUNK, length)), offset, 0
            yield index, chunk[at : at + length]

    def _state(self, handle: BinaryIO, index: int, raw: bytes) -> dict[str, Any]:
        """Line `index` (bytes `raw`) as `iter_states` gives it, checked."""
        fields, own, text = self._decoded(handle, raw, index)
        record = self._checked(handle, index, _without_tokens(fields), text)
        if own is not None and not tokens_right(raw, *own):  # tokens not as this store writes them
            self._checked(handle, index, {**record, "tokens": self._parsed(handle, index, raw[own[0] : own[1]])}, None)
        return record

    @property
    def latest(self) -> dict[str, dict[str, Any]]:
        """Every id's latest record, parsed: convenient for small stores."""
        return {record["id"]: record for record in self.iter_latest()}

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record line in file order (the whole history), parsed: convenient for small stores."""
        return list(self._read_lines(range(len(self._offsets))))

    # --- the history's view of the lines -------------------------------------------------

    def reverts_of(self, index: int) -> int | None:
        """The `_seq` that line `index` undoes or redoes (None for an edit)."""
        position = bisect_left(self._reverting, index)
        found = position < len(self._reverting) and self._reverting[position] == index
        return self._reverted[position] if found else None

    def index_of_seq(self, seq: int, before: int) -> int | None:
        """The latest line before line `before` whose `_seq` is `seq`."""
        if self._seqs_increasing:
            index = bisect_left(self._seqs, seq, 0, before)
            return index if index < before and self._seqs[index] == seq else None
        if self._lines_of_seq is None:
            self._lines_of_seq = {}
            for index, line_seq in enumerate(self._seqs):
                self._lines_of_seq.setdefault(line_seq, []).append(index)
        found = self._lines_of_seq.get(seq, [])
        position = bisect_left(found, before)
        return found[position - 1] if position > 0 else None

    # --- the index file ------------------------------------------------------------------

    def _tail_check(self, read: Reader, size: int) -> str:
        import hashlib  # here: a small store, as most are, has no index (start-up time)

        start = max(0, size - _CHECKED_TAIL)
        return hashlib.blake2b(read(start, size - start), digest_size=16).hexdigest()

    def save_index(self, read: Reader, history: History | None = None) -> None:
        """Write the index beside a large store, with `history`'s stacks (a cache: a failure to write it changes nothing).

        Nothing is written when the index there is still the store's, or when the store ends in
        a line that a later append will change (one cut off, or without its line end).
        """
        if self._size < INDEX_MIN_BYTES or self._open_end or self._broken is not None or self._index_current:
            return
        arrays: list[array[int]] = [
            self._offsets, self._lengths, self._seqs, self._previous, self._token_source,
            array("i", self.latest_line.values()), self._reverting, self._reverted,
            array("B", self._flags),
        ]
        if history is not None:
            arrays += [history._undoable, history._redoable, array("B", history._stack)]
        header = {
            "size": self._size, "number": self._number, "check": self._tail_check(read, self._size),
            "byteorder": sys.byteorder, "typecodes": "".join(item.typecode for item in arrays),
            "itemsizes": [item.itemsize for item in arrays], "lengths": [len(item) for item in arrays],
            "ids": list(self.latest_line), "fragments": self._fragments, "seqs_increasing": self._seqs_increasing,
        }
        target = _index_path(self.path)
        written = None
        try:
            with tempfile.NamedTemporaryFile("wb", dir=target.parent, prefix=f"{target.name}.", suffix=".tmp",
                                             delete=False) as handle:
                written = handle.name
                handle.write(_INDEX_MAGIC + to_json(header).encode("utf-8") + b"\n")
                for item in arrays:
                    handle.write(item.tobytes())
            os.replace(written, target)
        except OSError:
            if written is not None:
                Path(written).unlink(missing_ok=True)

    def _load_index(self, read: Reader, size: int) -> bool:
        """Take the index beside the store when it describes the store's first bytes; False otherwise."""
        try:
            with open(_index_path(self.path), "rb") as handle:
                if handle.readline() != _INDEX_MAGIC:
                    return False
                header = json.loads(handle.readline())
                covered = header["size"]
                if header["byteorder"] != sys.byteorder or not INDEX_MIN_BYTES <= covered <= size:
                    return False
                if header["check"] != self._tail_check(read, covered):
                    return False
                arrays = [array(code) for code in header["typecodes"]]
                if [item.itemsize for item in arrays] != header["itemsizes"] or len(arrays) not in (9, 12):
                    return False
                for item, length in zip(arrays, header["lengths"]):
                    item.fromfile(handle, length)
                if handle.read(1):
                    return False
            offsets, lengths, seqs, previous, sources, latest, reverting, reverted, flags = arrays[:9]
            ids = header["ids"]
            count = len(offsets)
            if not (len(flags) == len(lengths) == len(seqs) == len(previous) == len(sources) == count
                    and len(ids) == len(latest) and len(reverting) == len(reverted)
                    and (len(arrays) == 9 or len(arrays[11]) == count)):
                return False
        except (OSError, EOFError, ValueError, KeyError, TypeError, RecursionError):  # a cache: any doubt, rebuild it
            return False
        self._offsets, self._lengths, self._seqs, self._previous = offsets, lengths, seqs, previous
        self._token_source, self._flags = sources, bytearray(flags)
        self.latest_line = dict(zip(ids, latest))
        self._reverting, self._reverted = reverting, reverted
        self._decided = sum(1 for index in latest if flags[index] & _DECIDED)
        self._seqs_increasing = bool(header["seqs_increasing"])
        self._fragments = list(header["fragments"])
        self.warnings = [_fragment_warning(self.path, number) for number in self._fragments]
        self._size, self._number = covered, header["number"]
        if len(arrays) == 12:
            self.saved_history = (arrays[9], arrays[10], bytearray(arrays[11]))
        return True


class LineReader:
    """`StoreContents.reading`'s reader: records and token offsets of lines, from one open file."""

    def __init__(self, contents: StoreContents, handle: BinaryIO, with_tokens: bool) -> None:
        self._contents, self._handle, self._with_tokens = contents, handle, with_tokens

    def record(self, index: int) -> dict[str, Any]:
        """Line `index`'s record (without tokens if the reader was opened so)."""
        return self._contents._record(self._handle, index, with_tokens=self._with_tokens)

    def token_offsets(self, index: int, text: str) -> tuple[list[int], list[int]]:
        """As `StoreContents.token_offsets`."""
        return self._contents._token_offsets(self._handle, index, text)

    def saved_offsets(self, index: int) -> tuple[str, list[int], list[int]] | None:
        """The text and the token starts and ends saved with line `index`'s tokens, without reading line `index`
        (the caller checks that text is the record's); None where they are not written as this store writes them."""
        return self._contents._saved_offsets(self._handle, index)


def _index_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.index")


def _fragment_warning(path: Path, number: int) -> str:
    return f"{path}:{number}: a line cut off by an earlier crash is skipped (it stays in the file)."


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


_OFF, _UNDOABLE, _REDOABLE = 0, 1, 2


class History:
    """What undo and redo reach, from a store's lines: the one set of rules, on opening and on every append.

    An `edit` line can be undone and ends what redo could reach; an `undo` line moves the edit
    its `_reverts` names from the undo stack to the redo stack, a `redo` line moves it back; a
    line naming an edit that is not on the stack it comes from changes nothing. `_reverts` is
    found by sequence number in the store's index. Each stack is an array of line indices;
    where a line is (`_stack`, one byte a line) decides whether an entry still counts, so
    taking an edit off a stack is marking it, and entries that no longer count are dropped when
    they reach the top: a step costs the same however long the history is. The stacks follow
    the lines alone (what this session passed over is kept apart), so the index beside a large
    store saves them and opening it replays only the lines after.
    """

    def __init__(self, lines: StoreLines) -> None:
        contents = self._contents = lines.contents
        saved = contents.saved_history
        if saved is not None and len(saved[2]) <= len(lines):
            self._undoable, self._redoable, self._stack = saved
            contents.saved_history = None
        else:
            self._undoable, self._redoable, self._stack = array("i"), array("i"), bytearray()
        self._passed_over: set[int] = set()  # edits of paragraphs out of reach, in this session
        start = len(self._stack)
        self._stack.extend(bytes(len(lines) - start))
        flags, stack, push = contents._flags, self._stack, self._undoable.append
        for index in range(start, len(lines)):
            if flags[index] & _ACTION_BITS == 0 and not self._redoable:  # the common case, inlined
                push(index)
                stack[index] = _UNDOABLE
            else:
                self._take(index)

    def add(self, index: int) -> None:
        """Take line `index` into account: `Store.append` calls this for every line it writes."""
        self._stack.append(_OFF)
        self._take(index)

    def _take(self, index: int) -> None:
        contents, stack = self._contents, self._stack
        action = contents._flags[index] & _ACTION_BITS
        if action == 0:
            self._undoable.append(index)
            stack[index] = _UNDOABLE
            for entry in self._redoable:
                if stack[entry] == _REDOABLE:
                    stack[entry] = _OFF
            del self._redoable[:]
            return
        reverts = contents.reverts_of(index)
        target = None if reverts is None else contents.index_of_seq(reverts, index)
        source, destination = (_UNDOABLE, _REDOABLE) if action == 1 else (_REDOABLE, _UNDOABLE)
        if target is not None and stack[target] == source:
            stack[target] = destination
            (self._redoable if destination == _REDOABLE else self._undoable).append(target)

    def undo(self, reachable: Callable[[str], bool] = _anywhere) -> Step | None:
        """The latest edit left to undo whose paragraph `reachable(id)` accepts; None when there is none.

        Edits of paragraphs it refuses (not in this corpus, not in this review) are passed over
        and forgotten until the store is opened again. Nothing changes until the step's line
        is appended.
        """
        index = self._latest(self._undoable, _UNDOABLE, reachable)
        if index is None:
            return None
        edit = self._contents.line(index)
        return Step("undo", edit, edit.previous)

    def redo(self, reachable: Callable[[str], bool] = _anywhere) -> Step | None:
        """The latest undone edit whose paragraph `reachable(id)` accepts (see `undo`); None when there is none."""
        index = self._latest(self._redoable, _REDOABLE, reachable)
        return None if index is None else Step("redo", self._contents.line(index), index)

    def _latest(self, entries: array[int], kind: int, reachable: Callable[[str], bool]) -> int | None:
        position = len(entries) - 1
        while position >= 0:
            index = entries[position]
            if self._stack[index] != kind:  # an entry that no longer counts
                if position == len(entries) - 1:
                    entries.pop()
            elif index not in self._passed_over:
                if reachable is _anywhere or reachable(self._contents.id_at(index)):
                    return index
                self._passed_over.add(index)
            position -= 1
        return None


def _malformed(path: Path, number: int, why: str) -> InputError:
    return InputError(
        f"{path}:{number}: {why}. The store is append-only and was left as it is; "
        "repair that line by hand or pass another --out."
    )


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise InputError(f"{path}: is a folder. Give a .jsonl file for the store, e.g. {path / 'annotations.jsonl'}.")
    if path.suffix.lower() != ".jsonl":
        raise InputError(f"{path}: a store must be a .jsonl file. Choose a name ending in .jsonl.")
    if os.path.lexists(path):  # a named pipe or a device would hang the reader (or the writer)
        check_readable(path, missing="no such store (a link to nothing). Check the path.")


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for a pass over whole stores (the team commands, an export).

    Such a pass makes millions of short-lived dicts and keeps a fact per paragraph (or nothing),
    none of them in a reference cycle; the collector would only walk what is kept, again and again
    (about a sixth of the time on a million lines). Reference counting frees the rest as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_store(path: Path) -> StoreContents:
    """Read a store without locking it (for export, agreement, stats). Raises InputError when broken."""
    path = Path(path)
    _check_path(path)
    if not path.exists():
        raise InputError(f"{path}: no such store. Check the path (stores are written by `annotator annotate --out`).")
    contents = StoreContents(path)
    try:
        with open(path, "rb") as handle:
            descriptor = handle.fileno()
            contents.load(lambda offset, size: os.pread(descriptor, size, offset), os.fstat(descriptor).st_size)
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}).") from None
    contents.saved_history = None  # only a writer undoes
    return contents


class _Line(NamedTuple):
    """A line `Store.append` or `append_many` has made and not yet written, and what the index takes of it."""

    payload: bytes
    id: str
    text: str
    seq: int
    action: int  # its index in _ACTIONS
    reverts: int | None
    flags: int
    written: list[Any] | None  # the tokens the line holds
    source_tokens: tuple[int, list[Any]] | None  # the line holding the tokens it leaves out, and those


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
            self._size = os.fstat(self._fd).st_size
            self.contents = StoreContents(self.path)
            self.contents.load(self._read, self._size)
        except BaseException:
            self.close()
            raise
        seqs = self.contents._seqs
        self._next_seq = (seqs[-1] if self.contents._seqs_increasing else max(seqs)) + 1 if seqs else 1
        # Built now, not at the first ctrl+z: a key press should not pay for the whole history.
        self.history = History(self.contents.lines)
        self._end_known = True  # what the file ends with is what `contents` says (false after a failed write)
        # The span dicts of the last record checked, by `id` (kept, so no other object takes the id), which
        # its paragraph's next record need not have checked again: an edit shares all its spans but one
        # with the record before (`RecordBuilder`), and records are not changed once handed to the store.
        self._checked_spans: tuple[str, str, dict[int, Any]] | None = None
        self._opened = True

    def _read(self, offset: int, size: int) -> bytes:
        return os.pread(self._fd, size, offset)

    @property
    def warnings(self) -> list[str]:
        return self.contents.warnings

    def append(
        self, record: Mapping[str, Any], *, action: Action = "edit", reverts: int | None = None,
        encoded: Mapping[str, str] | None = None,
    ) -> int:
        """Check, append, flush and fsync one record, and take it into the history; return its `_seq`.

        The line holds the record's tokens only when no earlier line of the paragraph holds the
        same ones for the same text; a record without tokens gets those, or its text tokenized
        when none are saved (its spans are checked against its text, as a record without tokens
        always was, not against tokens it did not come with). `encoded`: see `encode_line`.
        Refuses a bad record (`RecordError`) before writing anything; span dicts it shares (the
        same objects) with the paragraph's record checked just before are taken as checked then, so
        a record is not to be changed once appended. A write or fsync that fails
        raises its OSError; whatever part of the line it left is ended by the next append, which
        never writes onto it.
        """
        if not self._end_known:
            self._learn_end()
        line = self._line(record, self._next_seq, action=action, reverts=reverts, encoded=encoded)
        self._write_lines([line], cut_back=False)
        return line.seq

    def append_step(
        self, step: Step, state: Mapping[str, Any], *, annotator: str, timestamp: int,
        encoded: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Append the line that carries out an undo or redo: `state` (the record the step leaves,
        `contents.read(step.state)` or a blank one), stamped with who and when; return that record."""
        record = {**state, "_timestamp": timestamp, "_annotator_id": annotator}
        self.append(record, action=step.action, reverts=step.edit.seq, encoded=encoded)
        return record

    def _learn_end(self) -> None:
        """After a failed write: index what it left at the end of the file (nothing, part of a line, or the
        whole line), so that the next append ends it as a reader of the file would find it."""
        size = os.fstat(self._fd).st_size
        contents = self.contents
        known = len(contents._offsets)
        if size != self._size:
            contents.reindex_tail(self._read, size)
            self._size = size
            for index in range(known, len(contents._offsets)):  # a line the write finished before it failed
                self.history.add(index)
                self._next_seq = max(self._next_seq, contents._seqs[index] + 1)
        self._end_known = True

    def append_many(
        self, records: Iterable[Mapping[str, Any]], *, batch_lines: int = 1000, batch_bytes: int = 8 << 20,
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Append `records` as edits, a batch of lines at a time with one write and one fsync; return how many.

        For a bulk of new records (an import), where `append`'s fsync of every line would be most
        of the time. Each record is checked and its line made as `append` makes it, so each line
        is readable alone after a crash. A record of a paragraph that already has a line in the
        batch being made starts a new batch, so every line finds the tokens it leaves out in lines
        already on disk. Nothing of a batch counts until its fsync returns: a refused record
        (`RecordError`) writes the batch before it, then is raised; a failed write or fsync
        (`OSError`) cuts the file back to its end before the batch and is raised. `progress(saved)`
        is called after each batch. What was saved before stays saved either way.
        """
        if not self._end_known:
            self._learn_end()
        batch: list[_Line] = []
        ids: set[str] = set()
        size = saved = 0
        for record in records:
            record_id = record.get("id")
            if batch and ((isinstance(record_id, str) and record_id in ids)
                          or len(batch) >= batch_lines or size >= batch_bytes):
                saved += self._write_batch(batch, progress, saved)
                batch, size = [], 0
                ids.clear()
            try:
                line = self._line(record, self._next_seq + len(batch))
            except RecordError:
                self._write_batch(batch, progress, saved)
                raise
            batch.append(line)
            ids.add(line.id)
            size += len(line.payload)
        return saved + self._write_batch(batch, progress, saved)

    def _line(
        self, record: Mapping[str, Any], seq: int, *, action: Action = "edit", reverts: int | None = None,
        encoded: Mapping[str, str] | None = None,
    ) -> _Line:
        """The checked line of `record` with `_seq` `seq`, not yet written (`append`, `append_many`)."""
        record_id, text = record.get("id"), record.get("text")
        if not isinstance(record_id, str) or not isinstance(text, str):
            raise RecordError("a record needs a string 'id' and a string 'text'")
        given = record.get("tokens")
        saved = self.contents.saved_tokens(record_id, text)
        tokens = saved[1] if saved is not None and given is not None and given == saved[1] else None
        spans = record.get("spans")
        by_id = dict(zip(map(id, spans), spans)) if isinstance(spans, list) else None
        checked = self._checked_spans
        if by_id is not None and tokens is None and not given and checked is not None and checked[0] == record_id \
                and checked[1] == text:
            fresh = by_id.keys() - checked[2].keys()  # an edit's one or two spans (in text order when more)
            check_record({**record, "spans": [by_id[key] for key in fresh] if len(fresh) < 2
                          else [span for key, span in by_id.items() if key in fresh]})
        else:
            check_record(record, tokens)
        if by_id is not None:
            self._checked_spans = (record_id, text, by_id)
        if saved is not None and (given is None or given == saved[1]):
            written, source_tokens = None, saved
        else:
            written, source_tokens = list(given) if given is not None else token_dicts(tokenize(text)), None
        flags = (_TOKENIZER_NAMED | (_OWN_TOKENS if written is not None else 0)
                 | (_DECIDED if record.get("answer") is not None else 0)
                 | (_FLAGGED if record.get("flagged") is True else 0))
        payload = encode_line(record, seq=seq, action=action, reverts=reverts, tokens=written, encoded=encoded)
        return _Line(payload, record_id, text, seq, _ACTIONS.index(action), reverts, flags, written, source_tokens)

    def _write_batch(self, batch: list[_Line], progress: Callable[[int], object] | None, before: int) -> int:
        """Write and fsync `batch` (`append_many`), cutting the file back if that fails; return its length."""
        if not batch:
            return 0
        self._write_lines(batch, cut_back=True)
        if progress is not None:
            progress(before + len(batch))
        return len(batch)

    def _write_lines(self, lines: list[_Line], *, cut_back: bool) -> None:
        """Write `lines` in one write and one fsync, then take them into the index and the history.

        A last line without its line end is ended first, and cut-off lines named, so that no
        record is glued onto them. If the write or fsync fails, `cut_back` takes the file back
        to its size before (none of the lines count), else what the write left is learnt now or
        at the next append, and ended then.
        """
        contents = self.contents
        prefix = b"\n" if contents._open_end else b""
        if contents._broken is not None:
            prefix += json.dumps({FRAGMENT_MARKER: contents._broken.numbers[0]}).encode() + b"\n"
        data = prefix + b"\n".join(line.payload for line in lines) + b"\n"
        try:
            self._write_all(data)
            os.fsync(self._fd)
        except OSError:
            self._end_known = False
            with suppress(OSError):
                if cut_back:
                    os.ftruncate(self._fd, self._size)
                self._learn_end()  # else at the next append
            raise
        offset = self._size + len(prefix)
        self._size += len(data)
        self._next_seq += len(lines)
        if contents._broken is not None:
            contents._fragments.extend(contents._broken.numbers)
            contents._number += 1  # the marker (the lines it names, now ended, were counted when they were read)
            contents._broken = None
        contents._open_end = False
        contents._index_current = False
        contents._size = self._size
        for line in lines:
            contents._number += 1
            index = contents._add(offset, len(line.payload), line.seq, line.id, line.action, line.reverts, line.flags)
            offset += len(line.payload) + 1
            contents._appended_ids[index] = line.id
            if len(contents._appended_ids) > _APPENDED_IDS_KEPT:
                del contents._appended_ids[next(iter(contents._appended_ids))]
            if line.written is not None:
                contents._token_cache = _SavedTokens(index, line.text, line.written, False)
            elif line.source_tokens is not None:
                contents._token_cache = _SavedTokens(line.source_tokens[0], line.text, line.source_tokens[1], False)
            self.history.add(index)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def close(self) -> None:
        if self._fd >= 0:
            if getattr(self, "_opened", False) and self._end_known:
                self.contents.save_index(self._read, self.history)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
