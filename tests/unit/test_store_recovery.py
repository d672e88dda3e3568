"""The store survives its own failures: a write cut short (disk full, I/O error) and a last line without
its line end are ended, never glued onto and never rewritten, and every command still reads the store."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.core.corpus import Corpus
from annotator.core.errors import InputError
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.store import FRAGMENT_MARKER, Store, StoreContents, read_store

TEXT = "Iraq said so."


def record(record_id: str, label: str = "ACTOR", answer: str | None = "accept") -> dict:
    rec = {
        "id": record_id,
        "text": TEXT,
        "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": label, "text": "Iraq"}],
        "_annotator_id": "alice",
        "_timestamp": 1_700_000_000,
    }
    if answer:
        rec["answer"] = answer
    return rec


@contextmanager
def writes_failing(monkeypatch: pytest.MonkeyPatch, written: int, code: int = errno.ENOSPC) -> Iterator[list[bytes]]:
    """Every os.write meanwhile writes only its first `written` bytes, then fails with `code`; yields what was tried."""
    real = os.write
    tried: list[bytes] = []

    def write(fd: int, data: bytes) -> int:
        tried.append(bytes(data))
        if written:
            real(fd, bytes(data)[:written])
        raise OSError(code, os.strerror(code))

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", write)
        yield tried


def every_command_reads(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run stats, export, agree and merge on the store; all succeed. Returns what they said on stderr."""
    said = []
    for argv in (["stats", str(path)], ["export", str(path), "--format", "jsonl", "--out", str(path.with_name("x.jsonl"))],
                 ["agree", str(path), str(path), "--by-store"], ["merge", str(path), "--out", str(path.with_name("m.jsonl"))]):
        assert main(argv) == 0, argv
        said.append(capsys.readouterr().err)
    return "".join(said)


def ids(path: Path) -> list[str]:
    return [line.id for line in read_store(path).lines]


@pytest.mark.parametrize("written", [0, 1, 7, 40])
def test_a_write_cut_short_is_ended_by_the_next_append_never_glued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], written: int
) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))
        before = path.read_bytes()
        with writes_failing(monkeypatch, written) as tried, pytest.raises(OSError, match="No space left"):
            store.append(record("a#1"))
        assert path.read_bytes() == before + tried[0][:written]
        if written:  # readable while the broken line is the last: reported, not fatal
            assert "a#1" not in read_store(path).latest_line and "cut off" in read_store(path).warnings[0]
        store.append(record("a#2"))
    data = path.read_bytes()
    assert data.startswith(before)  # nothing rewritten
    assert ids(path) == ["a#0", "a#2"]
    assert [line.seq for line in read_store(path).lines] == [1, 2]
    if written:
        assert data[len(before):].startswith(tried[0][:written] + f'\n{{"{FRAGMENT_MARKER}": 2}}\n'.encode())
        assert "earlier crash" in every_command_reads(path, capsys)
    else:
        every_command_reads(path, capsys)
    with Store(path) as store:  # and it reopens for annotating
        store.append(record("a#3"))
    assert ids(path) == ["a#0", "a#2", "a#3"]


def test_failures_in_a_row_cut_anywhere_leave_a_store_every_reader_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two failed appends in a row, each cut at any point of what it tried (the ending of the line before
    included), then one that succeeds: the earlier bytes stay as they were, and the store reads."""
    for first in (1, 2, 10, 25):
        for second in (0, 1, 2, 5, 20, 30):
            path = tmp_path / f"s-{first}-{second}.jsonl"
            with Store(path) as store:
                store.append(record("a#0"))
                with writes_failing(monkeypatch, first), pytest.raises(OSError):
                    store.append(record("a#1"))
                with writes_failing(monkeypatch, second), pytest.raises(OSError):
                    store.append(record("a#2"))
                kept = path.read_bytes()
                store.append(record("a#3"))
                assert store.contents.latest_line.keys() == {"a#0", "a#3"}
            assert path.read_bytes().startswith(kept)
            contents = read_store(path)
            assert [line.id for line in contents.lines] == ["a#0", "a#3"], (first, second)
            assert contents.get("a#3") is not None
            with Store(path) as store:
                assert [line.id for line in store.contents.lines] == ["a#0", "a#3"]


def test_a_line_written_whole_before_fsync_failed_is_read_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))

        def failing_fsync(_fd: int) -> None:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", failing_fsync)
            with pytest.raises(OSError, match="Input/output"):
                store.append(record("a#1"))
        assert store.contents.latest_line.keys() == {"a#0", "a#1"}  # as any reader of the file finds it
        assert store.append(record("a#2")) == 3
    assert [line.seq for line in read_store(path).lines] == [1, 2, 3]


def test_a_last_line_of_valid_json_without_its_line_end_is_kept_reported_and_not_glued(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))
    with open(path, "ab") as handle:
        handle.write(json.dumps(record("a#1")).encode())  # by hand, or another tool: no line end
    contents = read_store(path)
    assert list(contents.latest_line) == ["a#0", "a#1"]
    assert any(":2: the last line has no line end" in warning for warning in contents.warnings)
    assert "no line end" in every_command_reads(path, capsys)
    with Store(path) as store:
        store.append(record("a#2"))
    assert path.read_bytes().count(b"\n") == 3
    assert [line.id for line in read_store(path).lines] == ["a#0", "a#1", "a#2"]


def test_a_broken_last_line_that_has_its_line_end_is_reported_and_ended_with_the_marker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))
    with open(path, "ab") as handle:
        handle.write(b'{"id": "a#1", "text": "Ira\n')  # a crash while the line after it was being ended
    assert "cut off" in every_command_reads(path, capsys)
    with Store(path) as store:
        store.append(record("a#2"))
    assert b'"Ira\n{"' + FRAGMENT_MARKER.encode() + b'": 2}\n{"id":"a#2"' in path.read_bytes()
    assert [line.id for line in read_store(path).lines] == ["a#0", "a#2"]


def test_a_bad_line_in_the_middle_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    good = json.dumps(record("a#0"))
    path.write_text(f"{good}\nnot json\nalso not\n{good}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"{path}:2: not valid JSON"):
        read_store(path)


# --- the session: a change the store could not write waits, and is written first -------------------

ARTICLE = "US officials said three soldiers were killed in Jordan.\n\nIran denied any involvement.\n"


def open_session(tmp_path: Path) -> Session:
    source = tmp_path / "strikes.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    return Session(Corpus([source]), load_schema(default_schema_path()), Store(tmp_path / "s.jsonl"), "alice")


def tag(session: Session, word: str, label: str) -> None:
    index = next(token.id for token in session.tokens if token.text == word)
    session.tag_tokens(index, index, label)


def test_changes_the_store_refused_wait_build_on_each_other_and_are_written_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path)
    tag(session, "US", "ACTOR")
    with writes_failing(monkeypatch, 12):
        with pytest.raises(OSError):
            tag(session, "Jordan", "LOCATION")
        with pytest.raises(OSError):
            session.decide("accept")
        with pytest.raises(OSError):
            session.undo()  # the history waits for the changes before it
        with pytest.raises(OSError):
            session.save_unsaved()
        assert len(session.unsaved) == 2
        assert [span.label for span in session.annotation.spans] == ["ACTOR"]  # what the store holds
        assert not session.is_decided("strikes#0")
    session.next_paragraph()  # moving on meanwhile: the changes wait for any paragraph
    session.save_unsaved()
    assert session.unsaved == []
    contents = read_store(tmp_path / "s.jsonl")
    states = [(len(record["spans"]), record.get("answer")) for record in contents.records]
    assert states == [(1, None), (2, None), (2, "accept")]
    assert any("cut off" in warning for warning in contents.warnings)
    session.previous_paragraph()
    assert session.annotation.answer == "accept"
    assert session.undo() and session.annotation.answer is None  # the history holds them, in order
    session.store.close()


def test_with_nothing_waiting_an_edit_costs_no_more_than_its_append(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = open_session(tmp_path)
    appends: list[str] = []
    real = session.store.append

    def counted(record: dict, **options: object) -> int:
        appends.append(record["id"])
        return real(record, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(session.store, "append", counted)
    tag(session, "US", "ACTOR")
    session.decide("accept")
    session.decide("accept")  # no change: nothing written
    assert appends == ["strikes#0", "strikes#0"]
    session.store.close()


def test_a_cut_off_line_that_looks_whole_is_not_taken_for_a_record(tmp_path: Path) -> None:
    """A write cut right after a "}" (a token's end) leaves a line that starts like a record and ends like one;
    ended by a failed attempt to end it, it is still known for a fragment, not indexed as a record."""
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append({**record("a#0"), "tokens": [{"text": "Iraq", "start": 0, "end": 4, "id": 0, "ws": True}]})
    line = path.read_bytes().splitlines()[0]
    looks_whole = line[: line.index(b"}") + 1]  # up to the end of the first token
    with open(path, "ab") as handle:
        handle.write(looks_whole.replace(b'"a#0","_seq":1', b'"a#1","_seq":2') + b"\n" + b'{"_crash_fr')
    contents = read_store(path)
    assert list(contents.latest_line) == ["a#0"] and "the last 2 lines are cut off" in contents.warnings[0]
    with Store(path) as store:
        store.append(record("a#2"))
    contents = read_store(path)
    assert [record["id"] for record in contents.records] == ["a#0", "a#2"]
    assert sum("earlier crash" in warning for warning in contents.warnings) == 2


def test_a_write_that_fails_after_a_last_line_without_its_end_keeps_that_line_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(json.dumps(record("a#0")).encode())  # no line end
    with Store(path) as store:
        for written in (1, 9):
            with writes_failing(monkeypatch, written), pytest.raises(OSError):
                store.append(record("a#1"))
        store.append(record("a#2"))
    assert [line.id for line in read_store(path).lines] == ["a#0", "a#2"]
    assert path.read_bytes().startswith(json.dumps(record("a#0")).encode() + b"\n")


# --- any sequence of failed and successful writes --------------------------------------------------

Outcome = tuple[str, float]  # ("ok" | "write" | "fsync", where a failed write stops, as a share of its bytes)
outcomes = st.lists(st.tuples(st.sampled_from(["ok", "write", "write", "fsync"]), st.floats(0, 0.999)), max_size=12)


def index_facts(contents: StoreContents) -> tuple:
    """What a writer and a reader must agree on: the lines, where they are, the line count, the fragments."""
    lines = [(line.seq, line.id, line.offset, line.length, line.action) for line in contents.lines]
    return lines, contents._number, contents._fragments, contents._open_end, contents._broken


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcomes)
def test_any_run_of_failed_writes_leaves_a_store_a_reader_sees_as_its_writer_does(
    tmp_path_factory: pytest.TempPathFactory, run: list[Outcome]
) -> None:
    path = tmp_path_factory.mktemp("run") / "s.jsonl"
    real_write = os.write
    in_file: list[str] = []  # ids a reader must find: appends that returned, and lines written whole before fsync failed
    with Store(path) as store:
        for number, (outcome, share) in enumerate(run):
            before = path.read_bytes()

            whole: list[bool] = []  # whether the failed write put the whole record down, all but its line end

            def write(fd: int, data: bytes, share: float = share, whole: list[bool] = whole) -> int:
                written = int(share * len(data))
                real_write(fd, bytes(data)[:written])
                whole.append(written >= len(data) - 1)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def fsync(_fd: int) -> None:
                raise OSError(errno.EIO, os.strerror(errno.EIO))

            with pytest.MonkeyPatch.context() as patch:
                if outcome == "write":
                    patch.setattr(os, "write", write)
                elif outcome == "fsync":
                    patch.setattr(os, "fsync", fsync)
                try:
                    store.append(record(f"a#{number}", answer=None))
                except OSError:
                    assert outcome != "ok"
                else:
                    assert outcome == "ok"
            if outcome in ("ok", "fsync") or whole == [True]:
                in_file.append(f"a#{number}")
            assert path.read_bytes().startswith(before)  # never a byte rewritten
            reader = read_store(path)
            assert [line.id for line in reader.lines] == in_file
            assert index_facts(reader) == index_facts(store.contents)
            if any("no line end" in warning for warning in reader.warnings):  # said only of a record
                assert "id" in json.loads(path.read_bytes().rsplit(b"\n", 1)[-1])
    with Store(path) as store:
        store.append(record("last", answer=None))
    assert [line.id for line in read_store(path).lines] == [*in_file, "last"]



@pytest.mark.parametrize("written", [1, 7, 40])
def test_a_batch_after_a_failed_write_ends_the_cut_off_line_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], written: int
) -> None:
    """`append_many` (imports) ends what a failed `append` left, as `append` does, and its own failed batch leaves nothing."""
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))
        before = path.read_bytes()
        with writes_failing(monkeypatch, written) as tried, pytest.raises(OSError):
            store.append(record("a#1"))
        with writes_failing(monkeypatch, 0), pytest.raises(OSError):
            store.append_many([record("b#0"), record("b#1")])
        assert path.read_bytes() == before + tried[0][:written]  # the failed batch wrote nothing more
        assert store.append_many([record("b#0"), record("b#1")]) == 2
    data = path.read_bytes()
    assert data.startswith(before + tried[0][:written] + f'\n{{"{FRAGMENT_MARKER}": 2}}\n'.encode())
    assert ids(path) == ["a#0", "b#0", "b#1"]
    assert "earlier crash" in every_command_reads(path, capsys)
