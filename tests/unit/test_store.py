"""The store contract: append-only, latest wins, checked writes, one writer, crash fragments survived."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotator.core.checked import RecordError
from annotator.core.errors import InputError
from annotator.core.store import History, Store, read_store


def record(record_id: str, label: str = "ACTOR", answer: str | None = None) -> dict:
    text = "Iraq said so."
    rec = {
        "id": record_id,
        "text": text,
        "tokens": [{"text": "Iraq", "start": 0, "end": 4, "id": 0, "ws": True}],
        "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": label, "text": "Iraq"}],
    }
    if answer:
        rec["answer"] = answer
    return rec


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_latest_line_per_id_wins_and_every_line_stays(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0", "ACTOR"))
        store.append(record("a#1", "ACTOR"))
        store.append(record("a#0", "LOCATION", answer="accept"))
    contents = read_store(path)
    assert [r["spans"][0]["label"] for r in contents.iter_latest()] == ["LOCATION", "ACTOR"]
    assert contents.get("a#0")["answer"] == "accept"
    assert len(lines_of(path)) == 3
    assert [json.loads(line)["_seq"] for line in lines_of(path)] == [1, 2, 3]


def test_sequence_numbers_continue_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))
    with Store(path) as store:
        assert store.append(record("a#0")) == 2


def test_a_span_that_does_not_match_its_text_is_refused_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    bad = record("a#0")
    bad["spans"][0]["text"] = "Iran"
    with Store(path) as store, pytest.raises(RecordError, match="Iran"):
        store.append(bad)
    assert path.read_bytes() == b""


def test_an_edit_sharing_its_spans_with_the_line_before_has_its_new_spans_checked(tmp_path: Path) -> None:
    """The spans a record shares (the same objects) with its paragraph's record just checked are not checked
    again; a new one is, and a record of another paragraph or text has all of its spans checked."""
    path = tmp_path / "s.jsonl"
    first = record("a#0")
    said = {"start": 5, "end": 9, "token_start": 0, "token_end": 0, "label": "ACTOR", "text": "said"}
    with Store(path) as store:
        store.append(first)
        store.append({**first, "tokens": [], "spans": [*first["spans"], said]})
        before = path.read_bytes()
        with pytest.raises(RecordError, match="sad"):
            store.append({**first, "tokens": [], "spans": [*first["spans"], {**said, "text": "sad"}]})
        moved = {**first, "id": "a#1", "text": "Ira said so.", "tokens": []}
        with pytest.raises(RecordError, match="Iraq"):
            store.append(moved)  # the same span objects, another paragraph and text: checked whole
        with pytest.raises(RecordError, match="Iraq"):
            store.append({**moved, "id": "a#0"})
    assert path.read_bytes() == before


def test_token_indices_out_of_range_are_refused(tmp_path: Path) -> None:
    bad = record("a#0")
    bad["spans"][0]["token_end"] = 5
    with Store(tmp_path / "s.jsonl") as store, pytest.raises(RecordError, match="token"):
        store.append(bad)


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path), pytest.raises(InputError, match="another annotator process"):
        Store(path)


def test_a_cut_off_last_line_is_reported_skipped_and_kept_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        store.append(record("a#0"))
    with open(path, "ab") as handle:
        handle.write(b'{"id": "a#1", "text": "Iraq sa')
    with Store(path) as store:
        assert "cut off" in store.warnings[0] and ":2:" in store.warnings[0]
        store.append(record("a#2"))
    text = path.read_text(encoding="utf-8")
    assert '{"id": "a#1", "text": "Iraq sa\n' in text  # the fragment is still there, ended, not glued
    contents = read_store(path)  # and it reads cleanly afterwards, with a warning
    assert list(contents.latest_line) == ["a#0", "a#2"]
    assert "earlier crash" in contents.warnings[0]
    with Store(path) as store:
        store.append(record("a#3"))
    assert list(read_store(path).latest_line) == ["a#0", "a#2", "a#3"]


def test_a_broken_line_before_the_last_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    good = json.dumps(record("a#0"))
    path.write_text(f"{good}\nnot json\n{good}\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError, match=rf"{path}:2: not valid JSON"):
        Store(path)
    with pytest.raises(InputError, match=r":2:"):
        read_store(path)
    assert path.read_bytes() == before


def test_a_saved_span_off_its_text_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    bad = record("a#0")
    bad["spans"][0]["end"] = 3
    path.write_text(json.dumps(record("a#1")) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r":2: a#0: span text"):
        read_store(path)


@pytest.mark.parametrize("name", ["folder", "notes.txt"])
def test_out_must_be_a_jsonl_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError):
        Store(tmp_path / name)


def test_reading_a_missing_store_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such store"):
        read_store(tmp_path / "missing.jsonl")


WRITER = textwrap.dedent(
    """
    import sys
    from annotator.core.store import Store
    text = "Iraq said so."
    store = Store(sys.argv[1])
    n = 0
    while True:
        n += 1
        seq = store.append({"id": f"a#{n % 7}", "text": text, "tokens": [],
                            "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0,
                                       "label": "ACTOR", "text": "Iraq"}], "n": n})
        print(seq, flush=True)  # the screen's "done": only after the append returned
    """
)


def test_sigkill_mid_session_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    acknowledged = 0
    assert writer.stdout is not None
    deadline = time.monotonic() + 30
    while acknowledged < 200 and time.monotonic() < deadline:
        acknowledged = int(writer.stdout.readline())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    with Store(path) as store:  # the lock died with the process; the store reopens
        seqs = [line.seq for line in store.contents.lines]
        assert seqs[: acknowledged] == list(range(1, acknowledged + 1))
        store.append(record("after#0"))
    assert read_store(path).get("after#0") is not None


# --- the history: what undo and redo reach -----------------------------------------------------


def test_history_undoes_latest_first_and_redo_follows_the_undo_lines(tmp_path: Path) -> None:
    with Store(tmp_path / "s.jsonl") as store:
        first = store.append(record("a#0", "ACTOR"))
        second = store.append(record("a#0", "LOCATION"))
        step = store.history.undo()
        assert step is not None and step.action == "undo" and step.edit.seq == second
        assert store.contents.read(step.state)["spans"][0]["label"] == "ACTOR"  # the state before the edit
        assert store.history.undo() == step  # asking changes nothing: only the appended line does
        store.append(store.contents.read(step.state), action="undo", reverts=second)
        before_first = store.history.undo()
        assert before_first is not None and before_first.edit.seq == first and before_first.state is None  # back to blank
        redo = store.history.redo()
        assert redo is not None and redo.action == "redo" and redo.edit.seq == second
        assert store.contents.read(redo.state)["spans"][0]["label"] == "LOCATION"
        store.append(store.contents.read(redo.state), action="redo", reverts=second)
        assert store.history.redo() is None
        again = store.history.undo()
        assert again is not None and again.edit.seq == second


def test_a_new_edit_ends_what_redo_could_reach(tmp_path: Path) -> None:
    with Store(tmp_path / "s.jsonl") as store:
        seq = store.append(record("a#0"))
        store.append(record("a#0", "LOCATION"), action="undo", reverts=seq)
        assert store.history.redo() is not None
        store.append(record("a#1"))
        assert store.history.redo() is None


def test_the_history_rebuilt_on_opening_matches_the_one_kept_while_writing(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        a = store.append(record("a#0"))
        b = store.append(record("a#1"))
        store.append(record("a#1", "LOCATION"), action="undo", reverts=b)
        store.append(record("a#0", "LOCATION"), action="undo", reverts=a)
        store.append(record("a#0"), action="redo", reverts=a)
        live = (store.history.undo(), store.history.redo())
    with Store(path) as store:
        assert (store.history.undo(), store.history.redo()) == live
        assert live[0] is not None and live[0].edit.seq == a and live[1] is not None and live[1].edit.seq == b


def test_undo_lines_naming_no_undoable_edit_change_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "s.jsonl") as store:
        seq = store.append(record("a#0"))
        store.append(record("a#0"), action="redo", reverts=seq)  # redo of an edit that was never undone
        store.append(record("a#0"), action="undo", reverts=99)  # no such line
        step = store.history.undo()
        assert step is not None and step.edit.seq == seq and store.history.redo() is None


def test_history_passes_over_paragraphs_out_of_reach(tmp_path: Path) -> None:
    with Store(tmp_path / "s.jsonl") as store:
        mine = store.append(record("a#0"))
        store.append(record("gone#0"))
        step = store.history.undo(lambda record_id: record_id != "gone#0")
        assert step is not None and step.edit.seq == mine
        assert store.history.undo() == step  # the unreachable edit is forgotten until the store is opened again


def test_a_long_history_of_undos_is_rebuilt_to_the_right_stacks(tmp_path: Path) -> None:
    """30,000 edits, all but one undone: the rebuilt stacks leave the first edit to undo and the second to redo.
    (How long rebuilding takes is measured by benchmarks/, never asserted in a test.)"""
    path = tmp_path / "s.jsonl"
    edits = 30_000
    base = record("a#0")
    lines = [json.dumps({**base, "id": f"a#{n}", "_seq": n, "_action": "edit"}) for n in range(1, edits + 1)]
    lines += [json.dumps({**base, "id": f"a#{n}", "_seq": 2 * edits + 1 - n, "_action": "undo", "_reverts": n})
              for n in range(edits, 1, -1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store_lines = read_store(path).lines
    history = History(store_lines)
    step, redo = history.undo(), history.redo()
    assert step is not None and step.edit.seq == 1
    assert redo is not None and redo.edit.seq == 2


# --- the index beside a large store -------------------------------------------------------------


def index_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.index")


@pytest.fixture
def small_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep an index beside stores of any size (the threshold only saves the file for tiny stores)."""
    from annotator.core import store as store_module

    monkeypatch.setattr(store_module, "INDEX_MIN_BYTES", 1)


def with_history(path: Path) -> None:
    with Store(path) as store:
        for n in range(30):
            seq = store.append(record(f"a#{n % 7}", answer="accept" if n % 3 else None))
            if n % 5 == 4:
                store.append(record(f"a#{n % 7}", "LOCATION"), action="undo", reverts=seq)
            if n % 10 == 9:
                store.append(record(f"a#{n % 7}"), action="redo", reverts=seq)
        store.append(record("cut#0"), action="undo", reverts=2)


def view(store: Store) -> tuple:
    """Everything opening gives, to compare two openings."""
    contents = store.contents
    return (list(contents.lines), dict(contents.latest_line), contents.warnings, contents.decided_count(),
            [contents.is_flagged(i) for i in contents.ids()], store.history.undo(), store.history.redo(),
            contents.records)


def test_a_large_store_keeps_an_index_that_reopening_reads_instead_of_the_lines(
    tmp_path: Path, small_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.jsonl"
    with_history(path)
    assert index_of(path).exists()
    index_of(path).rename(tmp_path / "kept")
    with Store(path) as store:
        scanned = view(store)
    (tmp_path / "kept").rename(index_of(path))
    before = index_of(path).read_bytes()

    from annotator.core.store import StoreContents

    def no_scanning(*_: object, **__: object) -> None:
        raise AssertionError("a line was read although the index covers the store")

    monkeypatch.setattr(StoreContents, "_take", no_scanning)
    with Store(path) as store:
        assert view(store) == scanned
    assert index_of(path).read_bytes() == before  # still the store's: not written again


def test_lines_appended_after_the_index_are_read_and_the_index_brought_up_to_date(tmp_path: Path, small_index: None) -> None:
    path = tmp_path / "s.jsonl"
    with_history(path)
    with open(path, "a", encoding="utf-8") as handle:  # written by another version, or before a crash
        handle.write(json.dumps({**record("late#0", answer="accept"), "_seq": 999, "_action": "edit"}) + "\n")
    with Store(path) as store:
        assert store.contents.get("late#0")["answer"] == "accept" and store.contents.is_decided("late#0")
        assert store.append(record("later#0")) == 1000
        indexed = view(store)
    index_of(path).unlink()
    with Store(path) as store:
        assert view(store) == indexed


@pytest.mark.parametrize("change", ["rewritten", "shorter", "garbage index", "index of another store"])
def test_an_index_that_does_not_describe_the_store_is_not_used(tmp_path: Path, small_index: None, change: str) -> None:
    path = tmp_path / "s.jsonl"
    with_history(path)
    if change == "rewritten":
        path.write_text(path.read_text(encoding="utf-8").replace('"ACTOR"', '"PLACE"') + "\n", encoding="utf-8")
    elif change == "shorter":
        path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:5]))
    elif change == "garbage index":
        index_of(path).write_bytes(b"annotator store index 1\n{not json")
    else:
        other = tmp_path / "other.jsonl"
        with Store(other) as store:
            store.append(record("z#0"))
        index_of(other).rename(index_of(path))
    with Store(path) as store:
        opened = view(store)
    index_of(path).unlink()
    with Store(path) as store:
        assert view(store) == opened


def test_reading_a_store_never_writes_an_index(tmp_path: Path, small_index: None) -> None:
    path = tmp_path / "s.jsonl"
    with_history(path)
    index_of(path).unlink()
    contents = read_store(path)
    assert contents.records and not index_of(path).exists()


def test_the_history_kept_in_the_index_undoes_as_the_lines_do(tmp_path: Path, small_index: None) -> None:
    """Undo every edit from the index's history and from the lines' alone: the same lines each time."""
    path = tmp_path / "s.jsonl"
    with_history(path)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(path.read_bytes())

    def undo_all(store_path: Path) -> list[tuple[int, int | None]]:
        steps = []
        with Store(store_path) as store:
            while (step := store.history.undo(lambda record_id: record_id != "a#3")) is not None:
                state = store.contents.read(step.state) if step.state is not None else record(step.edit.id)
                store.append_step(step, state, annotator="t", timestamp=1)
                steps.append((step.edit.seq, step.state))
        return steps

    assert index_of(path).exists() and not index_of(copy).exists()
    assert undo_all(path) == undo_all(copy)
    assert len(undo_all(path)) == 0  # nothing left: the passed-over a#3 edits come back only with a new session
    # ... and they do come back, from the index as from the lines.
    with Store(path) as store, Store(copy) as twin:
        assert store.history.undo() == twin.history.undo() is not None


def test_the_decided_count_follows_every_append(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    answers = [None, "accept", None, "reject", "ignore", None, "accept"]
    with Store(path) as store:
        for n, answer in enumerate(answers * 3):
            store.append(record(f"a#{n % 4}", answer=answer))
            recount = sum(1 for record_id in store.contents.ids() if store.contents.get(record_id).get("answer"))
            assert store.contents.decided_count() == recount
