"""`Store.append_many`: the lines `append` writes, one write and one fsync a batch, each line readable alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.core.records import RecordError, token_dicts
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize

TEXTS = ["Iraq said so.", "Troops crossed the border at dawn.", "Nobody was hurt in Homs."]


def record(number: int, label: str = "LOCATION", *, with_tokens: bool = True) -> dict:
    text = TEXTS[number % len(TEXTS)]
    first = tokenize(text)[0]
    rec = {"id": f"a#{number}", "text": text,
           "spans": [{"start": first.start, "end": first.end, "token_start": 0, "token_end": 0, "label": label,
                      "text": first.text}],
           "_timestamp": 1_700_000_000 + number}
    if with_tokens:
        rec["tokens"] = token_dicts(tokenize(text))
    return rec


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counted(descriptor: int) -> None:
        calls.append(descriptor)
        real(descriptor)

    monkeypatch.setattr(os, "fsync", counted)
    return calls


def test_the_same_lines_as_append_with_one_fsync_a_batch(tmp_path: Path, fsyncs: list[int]) -> None:
    records = [record(n) for n in range(25)] + [record(3, "ACTOR", with_tokens=False)]  # a#3 again
    one_by_one, batched = tmp_path / "one.jsonl", tmp_path / "many.jsonl"
    with Store(one_by_one) as store:
        for rec in records:
            store.append(rec)
    appended = len(fsyncs)
    progress: list[int] = []
    with Store(batched) as store:
        assert store.append_many(iter(records), batch_lines=10, progress=progress.append) == 26
        assert store.contents.latest_line["a#3"] == 25 and store.contents.decided_count() == 0
        assert store.history.undo() is not None  # the lines are in the history at once
    assert appended == 26 and len(fsyncs) - appended == 3  # 10 + 10 + 6 lines
    assert progress == [10, 20, 26]
    assert batched.read_bytes() == one_by_one.read_bytes()
    contents = read_store(batched)
    assert contents.get("a#3")["spans"][0]["label"] == "ACTOR"
    assert contents.get("a#3")["tokens"] == token_dicts(tokenize(TEXTS[0]))  # from the first line of a#3


def test_a_paragraph_twice_in_a_batch_starts_a_new_one(tmp_path: Path, fsyncs: list[int]) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append_many([record(0), record(1), record(0, "ACTOR"), record(2)])
    assert len(fsyncs) == 2  # [a#0, a#1], then [a#0, a#2]
    lines = path.read_bytes().splitlines()
    assert b'"tokens":' in lines[0] and b'"tokens":' not in lines[2]  # the second a#0 line leaves its tokens out
    assert read_store(path).get("a#0")["tokens"] == token_dicts(tokenize(TEXTS[0]))


def test_a_refused_record_saves_the_records_before_it(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    bad = {**record(2), "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "X",
                                   "text": "Nope"}]}
    with Store(path) as store, pytest.raises(RecordError):
        store.append_many([record(0), record(1), bad, record(3)])
    assert list(read_store(path).latest) == ["a#0", "a#1"]
    with Store(path) as store:
        assert store.append(record(4)) == 3  # the sequence goes on from what was saved


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append_many([record(0), record(1)])
    before = path.read_bytes()
    real_write = os.write

    def disk_full_halfway(descriptor: int, data: bytes) -> int:
        real_write(descriptor, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    with Store(path) as store:
        monkeypatch.setattr(os, "write", disk_full_halfway)
        with pytest.raises(OSError):
            store.append_many([record(2), record(3)])
        monkeypatch.setattr(os, "write", real_write)
        assert path.read_bytes() == before  # half a batch is none of it
        assert store.append(record(4)) == 3
    assert list(read_store(path).latest) == ["a#0", "a#1", "a#4"]


def test_each_line_is_readable_alone_after_a_crash_in_the_middle_of_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append_many([record(n) for n in range(6)])
    data = path.read_bytes()
    cut = data.rindex(b"\n", 0, len(data) - 1) + 20
    path.write_bytes(data[:cut])  # the last line cut off, as a crash before the fsync could leave it
    contents = read_store(path)
    assert "cut off" in contents.warnings[0]
    assert list(contents.latest) == [f"a#{n}" for n in range(5)]
    assert all(rec["tokens"] for rec in contents.iter_latest())
    with Store(path) as store:  # the next batch ends the fragment and names it
        store.append_many([record(6), record(7)])
    contents = read_store(path)
    assert list(contents.latest)[-2:] == ["a#6", "a#7"] and any("skipped" in w for w in contents.warnings)
