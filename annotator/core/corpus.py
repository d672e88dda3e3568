"""Sources of articles, read lazily, and their paragraphs with exact offsets.

Sources (as README.md, "Commands", promises them; queue lines as in docs/TEAMS.md):

- a `.txt` file is one article; its id is the file stem;
- a `.jsonl` file holds one article a line: `{"id"?: str, "text": str, "meta"?: object}` (an
  integer id is taken as its decimal string; one holding control characters is refused, as is
  a `.txt` name holding them). Blank lines are skipped. A record without an id is given `<file stem>-<line number>` (line numbers
  count from 1, blank lines included), e.g. `wire-3`, so the id stays the same however the
  records before it change. A line written by `annotator assign` (its `id` is
  `meta.article_id + "#" + meta.paragraph`) is one paragraph that keeps its original id,
  offset and source, so records made from a queue match records made from the article;
- a folder means every `.txt` and `.jsonl` file directly in it, sorted by name.

Text is decoded as UTF-8; a byte order mark at the start of a file is not part of the text,
so offsets count from the character after it. Offsets are `str` indices (code points).

A JSONL file under `full_check_bytes` (64 MB by default) is checked record by record when
the corpus opens, so a broken record is refused with its file and line before any work
starts. A bigger one opens at once: a background thread indexes where its lines begin (bytes
scanned for newlines in large blocks, no record parsed), `article_count` grows while it runs
and `indexing_done` turns true at the end; `article(i)` reads and parses only line `i`. With
`index_later`, the thread waits for `start_indexing()` (the annotate screen calls it once it
is on screen) or for the first look-up that needs it. A broken record in such a file is found
when it is first read: it is skipped (the articles after it move down by one), counted, and
described in `problems`. So is a record reusing an id of a checked source, and one giving a
paragraph id other text than another source does (a queue's line, `article#3`, against the
articles, or an article against the queued paragraphs known: `Corpus._check_read`); ids repeated
inside one large file are not looked for (that would mean parsing it all), and
`article_index` finds the first.

The index of a large file is compact: where one record in SAMPLE_RECORDS starts (sooner
where records are long; half a byte a record), the others found by reading on from there
(at most SAMPLE_BYTES), a 32-bit hash of each record's id taken from its line in the same
pass (4 bytes; the id's JSON text, found without parsing the record), and the line numbers
only where blank lines make them jump. So a million articles cost about 4.5 MB, and
`article_index` is a dict look-up in checked sources and, in a large one, a search of the
hashes in C followed by reading the record (rarely two) they point to: the file is never
scanned.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Any, Self

from annotator.core.checked import checked_json
from annotator.core.display import terminal_safe, unsafe_characters
from annotator.core.errors import InputError
from annotator.core.files import check_readable

FULL_CHECK_BYTES = 64 * 1024 * 1024
#: the longest paragraph opened (docs/FORMAT.md, "Sources"): tokens and their display cost some 60 times
#: the text's size in memory, so a 50 MB one-line file would take gigabytes before anything is shown
MAX_PARAGRAPH_CHARS = 1_000_000
SOURCE_SUFFIXES = (".txt", ".jsonl")
FIRST_BLOCK_BYTES = 64 * 1024  # the first articles of a large file come after scanning this much
BLOCK_BYTES = 128 * 1024  # blocks double up to this: few Python steps, little memory held or left fragmented
SAMPLE_RECORDS = 32  # the index keeps where one record in this many starts ...
SAMPLE_BYTES = 32 * 1024  # ... or sooner, so that reading a record reads at most this much before it
SCAN_BYTES = 16 * 1024  # read at a time from a sample to the record wanted
CACHE_ARTICLES = 128  # parsed articles kept per JSONL source
_HASH_MASK = 0xFFFFFFFF  # id hashes are kept in 32 bits
_PLAIN_ID_AT_START = re.compile(rb'[ \t\r]*\{[ \t\r]*"id"[ \t\r]*:[ \t\r]*("[^"\\]*")')
_ID_AT_START = re.compile(rb'[ \t\r]*\{[ \t\r]*"id"[ \t\r]*:[ \t\r]*("(?:[^"\\]|\\.)*"|-?[0-9]+)')
_ID_ANYWHERE = re.compile(rb'"id"[ \t\r]*:[ \t\r]*("(?:[^"\\]|\\.)*"|-?[0-9]+)')
_BOM = b"\xef\xbb\xbf"
_JSON_ESCAPED = frozenset('"\\/\b\f\n\r\t')  # what a JSON string may spell with a backslash and a letter
NEWLINE = b"\n"  # bytes literals with a backslash cannot go inside f-string braces before 3.12
_SNIFF_BYTES = 64 * 1024  # looked at for NUL bytes before a JSONL file is read
_BLANK_STARTS = frozenset({b"", b" ", b"\t", b"\r", b"\x0b", b"\x0c"})
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "true or false", type(None): "null"}
_EXAMPLE = '{"id": "a1", "text": "First paragraph.\\n\\nSecond paragraph."}'


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One unit of work. `text` is exactly the source's characters; `char_offset` places it in the article."""

    article_id: str
    index: int
    text: str
    char_offset: int
    source: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    source: str
    meta: dict[str, Any] = field(default_factory=dict)
    paragraphs: tuple[Paragraph, ...] = ()

    @property
    def title(self) -> str:
        """`meta["title"]` where the source gives one, else the id."""
        return str(self.meta.get("title") or self.id)


def split_paragraphs(article_id: str, text: str, source: str) -> tuple[Paragraph, ...]:
    """Paragraphs are runs of non-blank lines; blank lines (only whitespace) separate them.

    Lines end at LF; a CR right before it (CRLF) or at the very end of the text ends the line
    too. A paragraph runs from the start of its first line (leading spaces kept) to the end of
    its last line, without that line's terminator; the line breaks inside it are kept as they
    are, so `text[p.char_offset : p.char_offset + len(p.text)] == p.text` always holds.
    """
    paragraphs: list[Paragraph] = []
    start = -1  # where the paragraph being read begins; -1 between paragraphs
    end = 0  # where its last non-blank line ends, before the line terminator
    position = 0
    length = len(text)
    while position < length:
        newline = text.find("\n", position)
        line_end = length if newline < 0 else newline
        content_end = line_end - 1 if line_end > position and text[line_end - 1] == "\r" else line_end
        if text[position:content_end].strip():
            if start < 0:
                start = position
            end = content_end
        elif start >= 0:
            paragraphs.append(Paragraph(article_id, len(paragraphs), text[start:end], start, source))
            start = -1
        position = line_end + 1
    if start >= 0:
        paragraphs.append(Paragraph(article_id, len(paragraphs), text[start:end], start, source))
    return tuple(paragraphs)


def _decode(data: bytes, path: Path, line: int | None, byte_offset: int) -> str:
    """UTF-8 text without a leading BOM; binary data and other encodings are refused with a fix.

    `byte_offset` is where `data` begins in the file, so the message gives the file's own byte
    offset of the first bad byte.
    """
    where = f"{path}:{line}" if line is not None else str(path)
    _refuse_binary(data, where, byte_offset)
    skipped = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        bad = skipped + error.start
        if line is None:
            where = f"{path}:{data.count(NEWLINE, 0, bad) + 1}"
        raise InputError(
            f"{where}: not UTF-8 (byte 0x{data[bad]:02X} at byte offset {byte_offset + bad}). "
            f"Convert the file first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 {path.name} > utf8-{path.name}`."
        ) from None


def _refuse_binary(data: bytes, where: str, byte_offset: int) -> None:
    """Text files have no NUL bytes; one means a binary file given by mistake."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{where}: binary data (a NUL byte at byte offset {byte_offset + nul}), not text. "
                         "Give a UTF-8 text file (.txt or .jsonl).")


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _article_from_record(raw: bytes, path: Path, line: int, byte_offset: int) -> Article:
    """The article on one JSONL line (`raw`, without its newline), or an InputError naming FILE:LINE."""
    where = f"{path}:{line}"
    try:
        record = checked_json(_decode(raw, path, line, byte_offset))
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: not valid JSON ({error.msg} at column {error.colno}). "
                         f"Each line must be one JSON object, e.g. {_EXAMPLE}") from None
    except ValueError as error:  # checked_json's refusals: a lone surrogate, NaN, deep nesting, a huge number
        raise InputError(f"{where}: {error}. Fix the line or remove it.") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: the line is {_json_type(record)}, not a JSON object. "
                         f"Each line must be one JSON object, e.g. {_EXAMPLE}")
    if "text" not in record:
        raise InputError(f'{where}: the record has no "text". Give the article\'s text, e.g. {_EXAMPLE}')
    text = record["text"]
    if not isinstance(text, str):
        raise InputError(f'{where}: "text" is {_json_type(text)}, not a string. Give the article\'s text as a string.')
    if not text.strip():
        raise InputError(f'{where}: "text" is empty (or only whitespace): nothing to annotate. '
                         "Remove the line or give the article's text.")
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError(f'{where}: "meta" is {_json_type(meta)}, not an object. Give it as {{"key": value}} or leave it out.')
    record_id = record.get("id")
    if record_id is None:
        article_id = f"{path.stem}-{line}"
    elif isinstance(record_id, str) and record_id.strip():
        article_id = record_id
    elif isinstance(record_id, int) and not isinstance(record_id, bool):
        article_id = str(record_id)
    else:
        raise InputError(f'{where}: "id" is {"empty" if isinstance(record_id, str) else _json_type(record_id)}; '
                         "give a non-empty string, or leave it out for an id made from the file name and line.")
    _refuse_unsafe_id(article_id, where, "Remove them from the id" if record_id is not None else "Rename the file")
    queued = _queued_paragraph(article_id, text, meta, path, where)
    paragraphs = (queued,) if queued is not None else split_paragraphs(article_id, text, str(path))
    for paragraph in paragraphs:
        refuse_long_paragraph(paragraph, where)
    return Article(article_id, text, str(path), meta, paragraphs)


def _refuse_unsafe_id(article_id: str, where: str, fix: str) -> None:
    """InputError for an id holding control characters (an escape, a line break, a bidi override).

    Ids are the stable keys of the store and of every export, so one is refused rather than
    altered; and shown on a screen or in a message, a raw escape would be obeyed by the terminal.
    """
    if article_id.isprintable():  # the common case, in C; a space or a no-break space is no control
        return
    unsafe = unsafe_characters(article_id)
    if unsafe:
        raise InputError(f"{where}: the id {terminal_safe(article_id)!r} holds control characters ({', '.join(unsafe)}). "
                         f"{fix}: ids are the keys of the store and of every export, so annotator does not change them.")


def _queued_paragraph(article_id: str, text: str, meta: dict[str, Any], path: Path, where: str) -> Paragraph | None:
    """A line from an `annotator assign` queue is one paragraph keeping its original id and offset."""
    original, index, offset = meta.get("article_id"), meta.get("paragraph"), meta.get("char_offset")
    if not (isinstance(original, str) and type(index) is int and type(offset) is int
            and article_id == f"{original}#{index}"):
        return None
    if index < 0 or offset < 0:
        raise InputError(f"{where}: meta.{'paragraph' if index < 0 else 'char_offset'} must be at least 0, not "
                         f"{index if index < 0 else offset}. Make the queue again with `annotator assign`.")
    paragraphs = split_paragraphs(article_id, text, str(path))
    if len(paragraphs) != 1 or paragraphs[0].text != text:
        raise InputError(f"{where}: the queued paragraph {article_id} has blank lines or line breaks around it. "
                         "Make the queue again with `annotator assign`.")
    return Paragraph(original, index, text, offset, str(meta.get("source") or path))


def _open_file(path: Path) -> tuple[int, int]:
    """A read-only descriptor and the size of a source file, or an InputError saying why not (a pipe or a
    device, which would hang the reader, is refused before it is opened)."""
    check_readable(path, missing="no such file or folder. Check the SOURCE path.")
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or folder. Check the SOURCE path.") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}). Check the path and its permissions.") from None
    size = os.fstat(descriptor).st_size
    if size == 0:
        os.close(descriptor)
        raise InputError(f"{path}: the file is empty: nothing to annotate. Give a file with text in it.")
    return descriptor, size


class _TextSource:
    """A `.txt` file: one article, read and split at open."""

    full_check = True
    done = True

    def __init__(self, path: Path) -> None:
        self.problems: list[str] = []
        descriptor, size = _open_file(path)
        try:
            data = _read_all(descriptor, size)
        finally:
            os.close(descriptor)
        text = _decode(data, path, None, 0)
        if not text.strip():
            raise InputError(f"{path}: the file has only whitespace: nothing to annotate. Give a file with text in it.")
        _refuse_unsafe_id(path.stem, str(path), "Rename the file (its name is the article's id)")
        self.path = path
        self.article_value = Article(path.stem, text, str(path), {}, split_paragraphs(path.stem, text, str(path)))
        longest = max(self.article_value.paragraphs, key=lambda paragraph: len(paragraph.text))
        refuse_long_paragraph(longest, f"{path}:{text.count(chr(10), 0, longest.char_offset) + 1}")
        self.ids = {path.stem: (0, str(path))}
        self.queued: dict[str, tuple[int, str]] = {}

    @property
    def count(self) -> int:
        return 1

    @property
    def paragraph_count(self) -> int:
        return len(self.article_value.paragraphs)

    def paragraph_estimate(self) -> tuple[int, bool]:
        return len(self.article_value.paragraphs), True

    def paragraphs_held(self, wanted: Mapping[str, tuple[str, int]]) -> set[str]:
        return {paragraph.id for paragraph in self.article_value.paragraphs if paragraph.id in wanted}

    def article(self, local: int) -> Article | None:
        return self.article_value if local == 0 else None

    def local_index(self, article_id: str, *, wait: bool) -> int | None:
        return 0 if article_id == self.article_value.id and not wait else None

    def wait_until_done(self, timeout: float | None = None) -> bool:
        return True

    def may_hold(self, local: int, folded: str) -> bool:
        return True  # read already: the search looks at the text itself

    def where(self, local: int) -> str:
        """How messages name article `local`: the file (it is the only article)."""
        return str(self.path)

    def close(self) -> None:
        """Nothing is held open."""


def refuse_long_paragraph(paragraph: Paragraph, where: str) -> None:
    """InputError for a paragraph longer than MAX_PARAGRAPH_CHARS, before it is tokenized (sources and imports alike)."""
    if len(paragraph.text) > MAX_PARAGRAPH_CHARS:
        raise InputError(f"{where}: paragraph {paragraph.index + 1} is {len(paragraph.text):,} characters long; annotator "
                         f"opens paragraphs of up to {MAX_PARAGRAPH_CHARS:,}. Split it with blank lines "
                         "(paragraphs are separated by blank lines), or leave that text out.")


def _read_all(descriptor: int, size: int) -> bytes:
    chunks: list[bytes] = []
    position = 0
    while position < size:
        chunk = os.pread(descriptor, size - position, position)
        if not chunk:
            break
        chunks.append(chunk)
        position += len(chunk)
    return b"".join(chunks)


def _id_key(article_id: str) -> bytes:
    """How an id is keyed in a large file's id index: its JSON string, as written without escapes."""
    return json.dumps(article_id, ensure_ascii=False).encode("utf-8")


def _key_of_value(value: bytes) -> bytes:
    """The key of an id as a record's line spells it: a JSON string (escapes resolved) or an integer."""
    if value[:1] != b'"':
        return _id_key(str(int(value)))
    if b"\\" in value:
        try:
            return _id_key(json.loads(value))
        except ValueError:  # not a valid string: the record is refused when read
            return value
    return value


def _id_hash(key: bytes) -> int:
    return hash(key) & _HASH_MASK


class _Offsets:
    """Where records' lines start, kept for one record in SAMPLE_RECORDS (sooner where records are
    long, so that no sample is more than SAMPLE_BYTES before a record it stands for): the others
    are found by reading forward from the sample before them (`_JsonlSource._line_at`).

    Records are numbered by the file's non-blank lines, in order, and never renumbered (a
    broken record found later is skipped by `_JsonlSource`, not taken out). 16 bytes a
    sample, half a byte a record: a million records cost 0.5 MB instead of 4 MB.
    """

    def __init__(self) -> None:
        self._numbers = array("q")  # the records sampled ...
        self._starts = array("q")  # ... and where their lines start
        self.count = 0  # records added

    def extend(self, starts: Sequence[int]) -> None:
        """Records starting at `starts` (in order) come after those added so far."""
        numbers, sampled = self._numbers, self._starts
        number = self.count
        for start in starts:
            if not sampled or number - numbers[-1] >= SAMPLE_RECORDS or start - sampled[-1] >= SAMPLE_BYTES:
                numbers.append(number)
                sampled.append(start)
            number += 1
        self.count = number

    def sample_before(self, number: int) -> tuple[int, int, int]:
        """The last record sampled at or before record `number`, where its line starts, and the next record
        sampled (or the count of records, if none is yet)."""
        at = bisect.bisect_right(self._numbers, number)
        return self._numbers[at - 1], self._starts[at - 1], self._numbers[at] if at < len(self._numbers) else self.count


class _LineNumbers:
    """The line number (from 1) of each record of a file, kept only where it jumps.

    Record `i` is on line `i + 1 + skipped`, where `skipped` (the blank lines before it) changes
    only where blank lines are: a file without them costs nothing.
    """

    def __init__(self) -> None:
        self._starts = array("q")  # the record from which ...
        self._skipped = array("q")  # ... this many lines are skipped, up to the next start

    def _skipped_at(self, index: int) -> int:
        at = bisect.bisect_right(self._starts, index) - 1
        return self._skipped[at] if at >= 0 else 0

    def line(self, index: int) -> int:
        return index + 1 + self._skipped_at(index)

    def add(self, first: int, lines: Sequence[int]) -> None:
        """The line numbers of records `first`, `first + 1`, ... (appended after every record so far)."""
        skipped = self._skipped[-1] if self._skipped else 0
        if not lines or (lines[0] == first + 1 + skipped and lines[-1] == first + len(lines) + skipped):
            return  # no blank line among them (line numbers only grow, so none in between either)
        for offset, line in enumerate(lines):
            if line - first - offset - 1 != skipped:
                skipped = line - first - offset - 1
                self._starts.append(first + offset)
                self._skipped.append(skipped)


class _JsonlSource:
    """A `.jsonl` file of articles: an index of where each record's line starts, read on demand.

    The index (`_offsets`, `_line_numbers`, `_id_hashes`, `_more_ids`, `_dropped`) is shared
    with the background thread and guarded by `_changed`; records are read with `os.pread`, so
    reading never moves a shared file position. The index numbers records by the file's
    non-blank lines; `local` numbers (the articles) leave out the records found broken.
    """

    def __init__(self, path: Path, *, full_check: bool, known_ids: dict[str, tuple[int, str]]) -> None:
        self.path = path
        self.full_check = full_check
        self.problems: list[str] = []
        self.before_waiting: Callable[[], None] = _nothing  # what starts the index thread, before waiting for it
        self.on_read: Callable[[Article, str], None] = _accept  # the corpus's checks of a record read late, by FILE:LINE
        self._known_ids = known_ids  # ids of the fully checked sources, for duplicates found late
        self._offsets = _Offsets()  # where records' lines start
        self._group: tuple[int, list[int]] = (-1, [])  # a sampled record, and where it and those after it start
        self._line_numbers = _LineNumbers()
        self._id_hashes = bytearray()  # large files: a 32-bit hash of each record's id (the first its line names)
        self._more_ids: dict[int, list[int]] = {}  # id hash -> records naming it further on
        self._dropped: list[int] = []  # records found broken and skipped, in order (large files)
        self._indexed_end = 0  # every complete line before this byte offset is indexed
        self._done = False
        self._changed = threading.Condition()
        self._cache: OrderedDict[int, Article] = OrderedDict()  # by record, most recent last
        self._counted: set[int] = set()  # records whose paragraphs are counted (large files)
        self._paragraphs_of_read = 0
        self._paragraphs_of_checked = 0
        self._blocks: Iterator[tuple[list[tuple[int, int, bytes]], int]] = iter(())  # what the thread indexes
        self.ids: dict[str, tuple[int, str]] = {}  # article id -> (local index, FILE:LINE); checked files only
        self.queued: dict[str, tuple[int, str]] = {}  # queued paragraph id -> (hash of its text, FILE:LINE); checked files
        self._paragraphs_in: dict[str, int] = {}  # article id -> how many paragraphs it has; checked files
        self._descriptor, self.size = _open_file(path)
        try:
            _refuse_binary(os.pread(self._descriptor, min(_SNIFF_BYTES, self.size), 0), str(path), 0)
            if full_check:
                self._check_all()
            else:  # the first block now, so the first articles are there without waiting for the thread
                self._blocks = self._line_blocks()
                self._publish(*next(self._blocks))
        except OSError as error:
            os.close(self._descriptor)
            raise InputError(f"{path}: cannot be read ({error.strerror}). Check the file.") from None
        except BaseException:
            os.close(self._descriptor)
            raise

    # --- opening ------------------------------------------------------------------------

    def _check_all(self) -> None:
        """Parse every record now, so a broken one is refused before any work starts."""
        paragraphs = 0
        for lines, _ in self._line_blocks():
            self._line_numbers.add(self._offsets.count, [line_number for _, line_number, _ in lines])
            for offset, line_number, raw in lines:
                article = _article_from_record(raw, self.path, line_number, offset)
                where = f"{self.path}:{line_number}"
                if article.id in self.ids:
                    raise InputError(f"{where}: the id {article.id!r} is already used at {self.ids[article.id][1]}. "
                                     "Give every article its own id.")
                self.ids[article.id] = (len(self.ids), where)
                paragraphs += len(article.paragraphs)
                if article.paragraphs and article.paragraphs[0].id == article.id:  # a queue's line: one paragraph
                    self.queued[article.id] = (hash(article.paragraphs[0].text), where)
                else:
                    self._paragraphs_in[article.id] = len(article.paragraphs)
            self._offsets.extend([offset for offset, _, _ in lines])
        if not self._offsets.count:
            raise InputError(f"{self.path}: the file has only blank lines: nothing to annotate. "
                             f"Give one JSON object a line, e.g. {_EXAMPLE}")
        self._indexed_end = self.size
        self._done = True
        self._paragraphs_of_checked = paragraphs

    def index(self, stop: threading.Event) -> None:
        """Index every record's line start after the first block, publishing each block as it is scanned."""
        try:
            for lines, indexed_end in self._blocks:
                self._publish(lines, indexed_end)
                if stop.is_set():
                    return
            if not self._offsets.count:
                self.problems.append(f"{self.path}: the file has only blank lines: nothing to annotate.")
        except OSError as error:
            self.problems.append(f"{self.path}: reading stopped at an error ({error.strerror}); "
                                 "the articles before it are available.")
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()

    def _publish(self, lines: list[tuple[int, int, bytes]], indexed_end: int) -> None:
        """Add a block of lines to the index, with the hash of the id each line names (found without parsing it).

        A line beginning `{"id": ...` names its id first; any other is keyed by every `"id": ...`
        in it and by the id it gets without one (`<stem>-<line>`): the record, read when looked
        up, says which is right.
        """
        plain = _PLAIN_ID_AT_START.match  # the common case, in one comprehension: `{"id": "..."` without escapes
        keys = [found[1] if (found := plain(raw)) is not None else None for _, _, raw in lines]
        hashes = array("I", [hash(key) & _HASH_MASK if key is not None else 0 for key in keys])
        more: list[tuple[int, int]] = []
        first_number = self._offsets.count  # only this thread adds records
        for position in [position for position, key in enumerate(keys) if key is None]:
            _, line_number, raw = lines[position]
            first = _ID_AT_START.match(raw)
            if first is not None:
                hashes[position] = _id_hash(_key_of_value(first[1]))
                continue
            named = [_key_of_value(value) for value in _ID_ANYWHERE.findall(raw)]
            named.append(_id_key(f"{self.path.stem}-{line_number}"))
            hashes[position] = _id_hash(named[0])
            more += [(_id_hash(key), first_number + position) for key in named[1:]]
        with self._changed:
            self._line_numbers.add(first_number, [line_number for _, line_number, _ in lines])
            self._offsets.extend([offset for offset, _, _ in lines])
            self._id_hashes += hashes.tobytes()
            for key_hash, number in more:
                self._more_ids.setdefault(key_hash, []).append(number)
            self._indexed_end = indexed_end
            self._changed.notify_all()

    def _line_blocks(self) -> Iterator[tuple[list[tuple[int, int, bytes]], int]]:
        """The file's non-blank lines a block at a time, as (byte offset, line number, bytes without
        the newline), with the byte offset up to which every line has been yielded.

        Newlines are found by `bytes.split` on blocks of up to BLOCK_BYTES and offsets added up by
        `accumulate`, both in C: no per-line Python work beyond skipping blank lines.
        """
        position = 0  # file offset of the first byte not yet in a complete line
        line_number = 1
        block_bytes = FIRST_BLOCK_BYTES
        while position < self.size:
            block = os.pread(self._descriptor, min(block_bytes, self.size - position), position)
            block_bytes = min(block_bytes * 2, BLOCK_BYTES)
            if not block:
                return
            lines = block.split(NEWLINE)
            at_end = position + len(block) >= self.size
            if not at_end and len(lines) == 1:  # a line longer than a block: read on until it ends
                block = self._read_to_newline(position, block)
                lines = block.split(NEWLINE)
                at_end = position + len(block) >= self.size
            if not at_end:
                lines.pop()  # the unfinished last line starts the next block
            starts = accumulate(map((1).__add__, map(len, lines)), initial=position)
            kept = [(start, line_number + number, raw) for number, (start, raw) in enumerate(zip(starts, lines))
                    if raw[:1] not in _BLANK_STARTS or raw.strip()]
            position = self.size if at_end else position + sum(map(len, lines)) + len(lines)
            line_number += len(lines)
            del block, lines  # not held while the next block is read
            yield kept, position

    def _read_to_newline(self, position: int, block: bytes) -> bytes:
        """`block` extended until it holds a newline (or reaches the end of the file)."""
        parts = [block]
        end = position + len(block)
        while end < self.size:
            more = os.pread(self._descriptor, BLOCK_BYTES, end)
            if not more:
                break
            parts.append(more)
            end += len(more)
            if NEWLINE in more:
                break
        return b"".join(parts)

    # --- what is known ------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self._done

    @property
    def count(self) -> int:
        return self._offsets.count - len(self._dropped)

    @property
    def paragraph_count(self) -> int:
        """Exact for a checked file; else a lower bound: each article not read yet counts as one."""
        if self.full_check:
            return self._paragraphs_of_checked
        with self._changed:
            return self.count - len(self._counted) + self._paragraphs_of_read

    def paragraph_estimate(self) -> tuple[int, bool]:
        """(paragraphs, exact): exact once every article has been read (or the file was checked); until
        then the paragraphs of the articles read so far, and as many per article as they have on
        average for the others, the articles not yet indexed guessed from the bytes not yet scanned."""
        if self.full_check:
            return self._paragraphs_of_checked, True
        with self._changed:
            articles, read = self.count, len(self._counted)
            if self._done and read == articles:
                return self._paragraphs_of_read, True
            mean = self._paragraphs_of_read / read if read else 1.0
            expected = articles if self._done or not self._indexed_end else articles * self.size / self._indexed_end
            return round(self._paragraphs_of_read + max(expected - read, 0) * mean), False

    def paragraphs_held(self, wanted: Mapping[str, tuple[str, int]]) -> set[str]:
        """Which of `wanted` (paragraph id -> its article id and index) this file holds, as far as it is indexed.

        Exact in a checked file. In a large one, by the hash of the article's id (or of a queued
        paragraph's own id) among those indexed: an article is taken to hold any paragraph index,
        as its paragraphs are known only once it is read.
        """
        if not wanted:
            return set()
        if self.full_check:
            return {paragraph_id for paragraph_id, (article_id, index) in wanted.items()
                    if paragraph_id in self.queued or 0 <= index < self._paragraphs_in.get(article_id, 0)}
        hashed = {paragraph_id: (_id_hash(_id_key(article_id)), _id_hash(_id_key(paragraph_id)))
                  for paragraph_id, (article_id, _) in wanted.items()}
        looked_for = {key_hash for pair in hashed.values() for key_hash in pair}
        with self._changed, memoryview(self._id_hashes) as raw, raw.cast("I") as hashes:
            present = looked_for.intersection(hashes)  # one pass in C, holding only what is looked for
            present |= looked_for.intersection(self._more_ids)
        return {paragraph_id for paragraph_id, pair in hashed.items() if not present.isdisjoint(pair)}

    def wait_until_done(self, timeout: float | None = None) -> bool:
        self.before_waiting()
        with self._changed:
            return self._changed.wait_for(lambda: self._done, timeout)

    # --- reading ------------------------------------------------------------------------

    def article(self, local: int) -> Article | None:
        """Article `local` of this file, waiting for the index to reach it; None past the end.

        A broken record found here (in a large file) is skipped from then on and reported in
        `problems`, and the record after it is returned in its place.
        """
        while True:
            with self._changed:
                if local >= self.count and not self._done:
                    self.before_waiting()
                    self._changed.wait_for(lambda: local < self.count or self._done)
                if local >= self.count:
                    return None
                number = self._number(local)
                line = self._line_numbers.line(number)
                cached = self._cache.get(number)
                if cached is not None:
                    self._cache.move_to_end(number)
                    return cached
            offset, raw = self._line_at(number)
            try:
                article = _article_from_record(raw, self.path, line, offset)
                if not self.full_check:
                    if article.id in self._known_ids:
                        raise InputError(f"{self.path}:{line}: the id {article.id!r} is already used at "
                                         f"{self._known_ids[article.id][1]}. Give every article its own id.")
                    self.on_read(article, f"{self.path}:{line}")
            except InputError as problem:
                if self.full_check:
                    raise InputError(f"{self.path}: the file changed while open ({problem}). Open it again.") from None
                self._drop(number, str(problem))
                continue
            with self._changed:
                self._cache[number] = article
                if len(self._cache) > CACHE_ARTICLES:
                    self._cache.popitem(last=False)
                if not self.full_check and number not in self._counted:
                    self._counted.add(number)  # a large file's article's paragraphs are counted once read
                    self._paragraphs_of_read += len(article.paragraphs)
            return article

    def where(self, local: int) -> str:
        """How messages name article `local`: FILE:LINE."""
        with self._changed:
            return f"{self.path}:{self._line_numbers.line(self._number(local))}"

    def _number(self, local: int) -> int:
        """The record that is article `local`: the records skipped as broken are not articles (call with `_changed` held)."""
        number = local
        for dropped in self._dropped:
            if dropped > number:
                break
            number += 1
        return number

    def _line_at(self, number: int) -> tuple[int, bytes]:
        """Where record `number`'s line starts, and the line (without its newline).

        The index holds where the sample before it starts (`_Offsets`); the lines from there to the
        next sample are read (some SAMPLE_BYTES), and where their records start is kept for the
        next look-up, so records read in order cost one read of their stretch.
        """
        with self._changed:
            first, start, following = self._offsets.sample_before(number)
            group_first, known = self._group
            if group_first != first:
                known = [start]
            limit = self._indexed_end  # where the last record's line ends at the latest
            count = self._offsets.count
        last = number + 1 if number + 1 < count else number  # the last record whose start is needed
        if len(known) <= last - first:
            through = following if following < count else count - 1  # the stretch's records, and the start of the next
            known = known + self._starts_after(known[-1], through - first + 1 - len(known), limit)
            with self._changed:
                self._group = (first, known)
        if len(known) <= number - first:  # the file is shorter than when it was indexed: the record reads as empty
            return limit, b""
        start = known[number - first]
        end = known[last - first] if last > number and len(known) > last - first else limit
        return start, os.pread(self._descriptor, max(end - start, 0), start).split(NEWLINE, 1)[0]

    def _starts_after(self, start: int, wanted: int, limit: int) -> list[int]:
        """Where the `wanted` records after the one starting at byte `start` start (fewer where `limit`, the
        end of what is indexed, comes first): the lines between are read, blank ones skipped as
        `_line_blocks` skips them, a line longer than a read looked at a piece at a time."""
        starts: list[int] = []
        line = start  # where the line being looked at starts
        blank = False  # whether it holds only whitespace so far (the line at `start` is a record)
        data, base, at = b"", start, 0  # bytes read, where in the file they start, where in them the rest of the line does
        while len(starts) < wanted:
            if at >= len(data):
                base += len(data)
                data = os.pread(self._descriptor, min(SCAN_BYTES, limit - base), base) if base < limit else b""
                at = 0
                if not data:  # the file's last line, without a newline
                    if not blank and line != start:
                        starts.append(line)
                    break
            newline = data.find(NEWLINE, at)
            end = len(data) if newline < 0 else newline
            if blank and (data[at:min(at + 1, end)] not in _BLANK_STARTS or data[at:end].strip()):
                blank = False
            if newline < 0:
                at = len(data)
                continue
            if not blank and line != start:
                starts.append(line)
            at = newline + 1
            line, blank = base + at, True
            if line >= limit:
                break
        return starts

    def may_hold(self, local: int, folded: str) -> bool:
        """False only when article `local`'s text certainly lacks `folded` (casefolded text), seen from its
        line without parsing it: a search skips such records at the cost of a read and a byte search.

        An ASCII line without `\\u` escapes spells every character of its text as itself except the
        eight that JSON escapes with a backslash (`"`, `\\`, `/`, and five controls): text without
        those occurs in the line exactly as it occurs in the text.
        """
        if _JSON_ESCAPED.intersection(folded):
            return True
        with self._changed:
            if local >= self.count:
                return True
            number = self._number(local)
            if number in self._cache:
                return True
        raw = self._line_at(number)[1]
        if not raw.isascii() or b"\\u" in raw:
            return True
        return folded.isascii() and folded.encode("ascii") in raw.lower()  # an ASCII text folds to ASCII

    def _drop(self, number: int, problem: str) -> None:
        """Skip a broken record for good: the articles after it move down by one."""
        with self._changed:
            at = bisect.bisect_left(self._dropped, number)
            if at == len(self._dropped) or self._dropped[at] != number:  # not dropped already by another reader
                self._dropped.insert(at, number)
                self._id_hashes[4 * number : 4 * number + 4] = bytes(4)  # its id is not this file's any more
                self.problems.append(f"{problem} The record is skipped.")
                self._changed.notify_all()

    def local_index(self, article_id: str, *, wait: bool) -> int | None:
        """Where an article id is in this file, or None; `wait`: once the whole file is indexed.

        A dict look-up in a checked file. In a large one, the id's hash is searched for among
        those indexed (in C, over 4 bytes a record), and each record it points to is read to
        confirm it (two records with the same 32-bit hash are rare).
        """
        if self.full_check:
            found = self.ids.get(article_id)
            return None if found is None or wait else found[0]
        if wait:
            self.wait_until_done()
        wanted = _id_hash(_id_key(article_id))
        needle = array("I", [wanted]).tobytes()
        candidates: list[int] = []
        with self._changed:
            hashes = self._id_hashes
            found_at = hashes.find(needle)
            while found_at >= 0:
                if found_at % 4 == 0:
                    candidates.append(found_at // 4)
                    found_at = hashes.find(needle, found_at + 4)
                else:  # the bytes of two neighbouring hashes
                    found_at = hashes.find(needle, found_at + 1)
            candidates += self._more_ids.get(wanted, ())
            dropped = self._dropped
            locals_found = [number - bisect.bisect_left(dropped, number) for number in sorted(set(candidates))
                            if number not in dropped]
        for local in locals_found:
            article = self.article(local)
            if article is not None and article.id == article_id:
                return local
        return None

    def close(self) -> None:
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1


def _nothing() -> None:
    """The default `before_waiting`: the index thread is already running."""


def _accept(article: Article, where: str) -> None:
    """The default `on_read`: a source opened alone has nothing to compare its records with."""


_Source = _TextSource | _JsonlSource
_CONFLICT_FIX = "Give each source its own ids, or open only one of them (the queue or the articles)."


def source_files(path: Path) -> list[Path]:
    """The files a SOURCE argument stands for: itself, or the `.txt`/`.jsonl` files in a folder, by name."""
    if path.is_dir():
        files = sorted(
            (child for child in path.iterdir()
             if child.suffix.lower() in SOURCE_SUFFIXES and not child.name.startswith(".") and child.is_file()),
            key=lambda child: child.name,
        )
        if not files:
            raise InputError(f"{path}: the folder has no .txt or .jsonl files: nothing to annotate. "
                             "Put articles in it or give the files themselves.")
        return files
    if path.suffix.lower() not in SOURCE_SUFFIXES:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder. Check the SOURCE path.")
        raise InputError(f"{path}: {path.suffix or 'a file without an extension'} is not a source annotator reads. "
                         "Give a .txt file (one article), a .jsonl file (one article a line) or a folder of them.")
    return [path]


class Corpus:
    """The articles of one or more sources, in order. Large JSONL sources are indexed lazily.

    Thread-safe: one background thread indexes the large sources, in order; any thread may
    read. Call `close()` (or use `with`) to stop indexing and release the files. With
    `index_later`, the thread starts at `start_indexing()` or when something first waits for
    the index, so that it does not compete with the start of the program.
    """

    def __init__(self, sources: Sequence[Path | str], *, full_check_bytes: int = FULL_CHECK_BYTES,
                 index_later: bool = False) -> None:
        self._sources: list[_Source] = []
        self._stop = threading.Event()
        self._indexer: threading.Thread | None = None
        self._starting = threading.Lock()
        known_ids: dict[str, tuple[int, str]] = {}
        try:
            for given in sources:
                for path in source_files(Path(given)):
                    self._sources.append(self._open(path, full_check_bytes, known_ids))
        except BaseException:
            self.close()
            raise
        # queued paragraph id -> (hash of its text, FILE:LINE): the checked sources' now, a large source's as read
        self._queued = {paragraph_id: found for source in self._sources for paragraph_id, found in source.queued.items()}
        try:
            self._refuse_conflicting_paragraphs()
        except BaseException:
            self.close()
            raise
        self._lazy = [source for source in self._sources if isinstance(source, _JsonlSource) and not source.done]
        for source in self._lazy:
            source.before_waiting = self.start_indexing
            if len(self._sources) > 1:  # alone, a source has nothing to compare its records with
                source.on_read = partial(self._check_read, source)
        if not index_later:
            self.start_indexing()

    def start_indexing(self) -> None:
        """Start indexing the large sources in the background, unless it has started (or the corpus is closed)."""
        with self._starting:
            if self._indexer is not None or not self._lazy or self._stop.is_set():
                return
            self._indexer = threading.Thread(target=self._index, args=(self._lazy,), name="corpus-index", daemon=True)
            self._indexer.start()

    @staticmethod
    def _open(path: Path, full_check_bytes: int, known_ids: dict[str, tuple[int, str]]) -> _Source:
        """Open one file; ids of checked files go into `known_ids`, refusing one already there."""
        if path.suffix.lower() == ".txt":
            source: _Source = _TextSource(path)
        else:
            try:
                size = path.stat().st_size
            except OSError:
                size = 0  # _open_file says what is wrong
            source = _JsonlSource(path, full_check=size < full_check_bytes, known_ids=known_ids)
        for article_id, (_, where) in source.ids.items():
            if article_id in known_ids:
                source.close()
                raise InputError(f"{where}: the article id {article_id!r} is also used at {known_ids[article_id][1]}. "
                                 "Give every article its own id (rename one of the files or records).")
        known_ids.update(source.ids)
        return source

    def _refuse_conflicting_paragraphs(self) -> None:
        """Refuse a queued paragraph (`article#3`) whose text is not that of paragraph 3 of article `article`
        in another checked source: two texts under one paragraph id would mix in the store.

        The same text twice is fine: a queue opened beside the articles it was made from. A large
        source is checked as its records are read (`_check_read`), so it is never read twice.
        """
        for paragraph_id, (text_hash, where) in self._queued.items():
            self._refuse_other_article_text(paragraph_id, text_hash, where,
                                            [source for source in self._sources if source.full_check])

    def _refuse_other_article_text(self, paragraph_id: str, text_hash: int, where: str,
                                   sources: Sequence[_Source]) -> None:
        """InputError when an article of `sources` (as far as they are indexed) has other text as paragraph `paragraph_id`."""
        article_id, _, index = paragraph_id.rpartition("#")
        for source in sources:
            local = source.local_index(article_id, wait=False)
            article = source.article(local) if local is not None else None
            if local is None or article is None:
                continue
            found = next((p for p in article.paragraphs if p.id == paragraph_id), None)
            if found is not None and hash(found.text) != text_hash:
                raise InputError(f"{where}: paragraph {paragraph_id!r} holds other text than paragraph {index} "
                                 f"of article {article_id!r} at {source.where(local)}. {_CONFLICT_FIX}")

    def _check_read(self, reading: _JsonlSource, article: Article, where: str) -> None:
        """InputError when a record read from a large source (`reading`, at `where`) gives a paragraph id
        another text than a source has: a queue's line against the articles of the other sources, as far
        as they are indexed; an article's paragraphs against the queued paragraphs known (those of
        checked sources, and those read so far).

        A queue's line is refused when its article is indexed by the time it is read (the article is read
        to compare), an article when a queued paragraph read before it has other text: a large source
        skips the record refused, and the message names both places. An article costs a dict look-up per
        paragraph; a queue's line a search of each other large source's id hashes (4 bytes a record).
        """
        first = article.paragraphs[0] if article.paragraphs else None
        if first is not None and first.id == article.id:  # a queue's line: one paragraph, under its own id
            text_hash = hash(first.text)
            known = self._queued.get(first.id)
            if known is not None and known[0] != text_hash:
                raise InputError(f"{where}: paragraph {first.id!r} holds other text than the same paragraph "
                                 f"at {known[1]}. {_CONFLICT_FIX}")
            self._refuse_other_article_text(first.id, text_hash, where,
                                            [source for source in self._sources if source is not reading])
            self._queued.setdefault(first.id, (text_hash, where))  # only now: the article read above is not refused for it
            return
        for paragraph in article.paragraphs:
            known = self._queued.get(paragraph.id)
            if known is not None and known[0] != hash(paragraph.text):
                raise InputError(f"{where}: paragraph {paragraph.index} of article {article.id!r} holds other text "
                                 f"than the queued paragraph {paragraph.id!r} at {known[1]}. {_CONFLICT_FIX}")

    def _index(self, sources: list[_JsonlSource]) -> None:
        for source in sources:
            source.index(self._stop)

    # --- what is known ------------------------------------------------------------------

    @property
    def article_count(self) -> int:
        """Articles known so far (grows while a large source is being indexed).

        Counted up to the first source still being indexed: where later sources begin is not
        known until it is done. It drops by one when a broken record is found and skipped.
        """
        count = 0
        for source in self._sources:
            count += source.count
            if not source.done:
                break
        return count

    @property
    def paragraph_count(self) -> int:
        """Paragraphs known so far: exact for checked sources; in a large one each article not yet read counts as one."""
        count = 0
        for source in self._sources:
            count += source.paragraph_count
            if not source.done:
                break
        return count

    def paragraph_estimate(self) -> tuple[int, bool]:
        """(paragraphs, exact): every source's paragraphs, estimated in a large source until all of it is read
        (`_JsonlSource.paragraph_estimate`); for a total to show, where `paragraph_count` is a lower bound."""
        counted = [source.paragraph_estimate() for source in self._sources]
        return sum(count for count, _ in counted), all(exact for _, exact in counted)

    def paragraphs_held(self, paragraph_ids: Iterable[str]) -> set[str]:
        """Which of `paragraph_ids` are paragraphs of this corpus, as far as it is indexed (see `_JsonlSource.paragraphs_held`)."""
        wanted: dict[str, tuple[str, int]] = {}
        for paragraph_id in paragraph_ids:
            article_id, _, index = paragraph_id.rpartition("#")
            wanted[paragraph_id] = (article_id, int(index) if index.isascii() and index.isdigit() and len(index) < 19 else -1)
        held: set[str] = set()
        for source in self._sources:
            held |= source.paragraphs_held(wanted)
        return held

    @property
    def indexing_done(self) -> bool:
        return all(source.done for source in self._sources)

    @property
    def problems(self) -> list[str]:
        """`FILE:LINE: what is wrong.` for each broken record skipped in a large source, in the order found."""
        return [problem for source in self._sources for problem in source.problems]

    def wait_until_indexed(self, timeout: float | None = None) -> bool:
        """Block until every source is indexed (True), or the timeout passes (False)."""
        return all(source.wait_until_done(timeout) for source in self._sources)

    # --- reading ------------------------------------------------------------------------

    def article(self, index: int) -> Article:
        """Article `index` (from 0), waiting for the index to reach it; IndexError past the end."""
        if index < 0:
            raise IndexError(f"article {index}: indexes count from 0")
        local = index
        for source in self._sources:
            article = source.article(local)
            if article is not None:
                return article
            local -= source.count
        raise IndexError(f"article {index} is past the end of the corpus ({self.article_count} articles)")

    def may_hold(self, index: int, folded: str) -> bool:
        """False only when article `index`'s text certainly lacks `folded` (casefolded), known without
        parsing its record (see `_JsonlSource.may_hold`); True where only reading it can tell."""
        local = index
        for source in self._sources:
            if local < source.count:
                return source.may_hold(local, folded)
            if not source.done:
                return True
            local -= source.count
        return True

    def article_index(self, article_id: str) -> int | None:
        """Where the article with this id is, or None.

        Instant for ids of checked sources and of the part of a large source indexed so far;
        other ids wait for the whole index (see `_JsonlSource.local_index`), as does an article
        that comes after a large source.
        """
        for wait in (False, True):
            for number, source in enumerate(self._sources):
                local = source.local_index(article_id, wait=wait)
                if local is not None:
                    return self._first_index_of(number) + local
        return None

    def _first_index_of(self, number: int) -> int:
        """The corpus index of the first article of source `number` (its predecessors indexed first)."""
        before = 0
        for source in self._sources[:number]:
            source.wait_until_done()
            before += source.count
        return before

    def __iter__(self) -> Iterator[Article]:
        """Every article in order, waiting for the index where needed."""
        index = 0
        while True:
            try:
                article = self.article(index)
            except IndexError:
                return
            yield article
            index += 1

    def close(self) -> None:
        """Stop indexing and close the files; articles already read stay usable."""
        with self._starting:
            self._stop.set()
        if self._indexer is not None:
            self._indexer.join()
        for source in self._sources:
            source.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
