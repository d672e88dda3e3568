"""Merge keeps every version of every annotator and never overwrites a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.store import Store, read_store
from annotator.team.merge import MERGED_FROM, TeamRecords, merge_stores, read_team

TEXT = "Iraq said so."
T0 = 1_700_000_000


def record(pid: str, annotator: str, t: int, label: str = "LOCATION", answer: str | None = "accept") -> dict:
    rec = {
        "id": pid, "text": TEXT,
        "tokens": [{"text": "Iraq", "start": 0, "end": 4, "id": 0, "ws": True}],
        "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": label, "text": "Iraq"}],
        "_annotator_id": annotator, "_timestamp": T0 + t,
    }
    if answer:
        rec["answer"] = answer
    return rec


@pytest.fixture
def stores(tmp_path: Path) -> list[Path]:
    alice, bob = tmp_path / "alice.jsonl", tmp_path / "bob.jsonl"
    with Store(alice) as s:
        s.append(record("a#0", "alice", 0, "ACTOR"))
        s.append(record("a#0", "alice", 30, "LOCATION"))  # she changed her mind
        s.append(record("a#0", "alice", 40, "ACTOR"), action="undo", reverts=2)  # and undid it
        s.append(record("a#1", "alice", 50))
    with Store(bob) as s:
        s.append(record("a#0", "bob", 10, "LOCATION"))
        s.append(record("a#2", "bob", 20))
    return [alice, bob]


def versions(path: Path) -> list[tuple[str, str, int, str]]:
    return sorted((r["_annotator_id"], r["id"], r["_timestamp"], r["spans"][0]["label"]) for r in read_store(path).records)


def test_every_version_of_every_annotator_is_kept(stores: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "merged.jsonl"
    summary = merge_stores(stores, out)
    assert summary.lines == 6 and summary.annotators == ("alice", "bob") and summary.paragraphs == 3
    assert versions(out) == sorted(versions(stores[0]) + versions(stores[1]))
    # Interleaved by time; each line says where it came from.
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["_timestamp"] - T0 for line in lines] == [0, 10, 20, 30, 40, 50]
    assert [line["_seq"] for line in lines] == [1, 2, 3, 4, 5, 6]
    assert lines[1][MERGED_FROM] == {"store": "bob.jsonl", "seq": 1}
    # alice's undo still points at the edit it reverted (now line 4 of the merged store).
    undo = next(line for line in lines if line.get("_action") == "undo")
    assert undo["_reverts"] == 4 and lines[3]["spans"][0]["label"] == "LOCATION"


def test_a_merged_store_reads_back_per_annotator(stores: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "merged.jsonl"
    merge_stores(stores, out)
    merged, separate = read_team([out]), read_team(stores)

    def content(team: TeamRecords) -> dict:  # what was annotated, without the place in a file
        return {name: {pid: {k: v for k, v in r.items() if k not in ("_seq", "_reverts", MERGED_FROM)}
                       for pid, r in records.items()} for name, records in team.latest.items()}

    assert content(merged) == content(separate)
    assert merged.latest["alice"]["a#0"]["spans"][0]["label"] == "ACTOR"  # after her undo
    assert merged.latest["bob"]["a#0"]["spans"][0]["label"] == "LOCATION"


def test_merging_again_with_an_input_adds_nothing(stores: list[Path], tmp_path: Path) -> None:
    first, second = tmp_path / "m1.jsonl", tmp_path / "m2.jsonl"
    merge_stores(stores, first)
    summary = merge_stores([first, stores[0]], second)
    assert summary.lines == 6 and summary.duplicates == 4
    assert versions(second) == versions(first)


def test_an_existing_output_is_never_overwritten(stores: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "merged.jsonl"
    out.write_text('{"id": "keep me"}\n')
    with pytest.raises(InputError, match="already exists and is not empty"):
        merge_stores(stores, out)
    assert out.read_text() == '{"id": "keep me"}\n'
    with pytest.raises(InputError, match="also one of the stores"):
        merge_stores(stores, stores[0])


def test_an_empty_output_file_may_be_filled(stores: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "merged.jsonl"
    out.touch()
    assert merge_stores(stores, out).lines == 6
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_broken_input_stops_the_merge_before_anything_is_written(stores: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a#0"\n{"id": "a#1", "text": "x"}\n')
    out = tmp_path / "merged.jsonl"
    with pytest.raises(InputError, match=r"broken\.jsonl:1"):
        merge_stores([*stores, broken], out)
    assert not out.exists()


def test_the_same_annotator_in_two_stores_keeps_the_later_version(tmp_path: Path) -> None:
    laptop, desktop = tmp_path / "laptop.jsonl", tmp_path / "desktop.jsonl"
    with Store(laptop) as s:
        s.append(record("a#0", "alice", 100, "ACTOR"))
    with Store(desktop) as s:
        s.append(record("a#0", "alice", 50, "LOCATION"))
    team = read_team([laptop, desktop])
    assert team.latest["alice"]["a#0"]["spans"][0]["label"] == "ACTOR"
    assert len(team.history["alice"]) == 2


@pytest.mark.parametrize(("desktop_times", "label"), [
    ((50, 150, 60), "DATE"),  # 150 is later than the laptop's line: from then on the desktop's lines win
    ((50, 60), "ACTOR"),  # every desktop line is earlier: the laptop's stays
    ((150, 50), "DATE"),
])
def test_a_run_of_lines_in_the_second_store_wins_once_one_of_them_is_later(
        tmp_path: Path, desktop_times: tuple[int, ...], label: str) -> None:
    laptop, desktop = tmp_path / "laptop.jsonl", tmp_path / "desktop.jsonl"
    with Store(laptop) as s:
        s.append(record("a#0", "alice", 100, "ACTOR"))
    with Store(desktop) as s:
        for t in desktop_times[:-1]:
            s.append(record("a#0", "alice", t, "LOCATION"))
        s.append(record("a#0", "alice", desktop_times[-1], "DATE"))
    team = read_team([laptop, desktop])
    assert team.latest["alice"]["a#0"]["spans"][0]["label"] == label
    assert team.facts["alice"]["a#0"].labels == (label,)


def test_each_version_keeps_its_own_tokens_and_the_merged_store_holds_them_once_each(tmp_path: Path) -> None:
    from annotator.core.records import token_dicts
    from annotator.core.tokens import tokenize

    alice, bob = tmp_path / "alice.jsonl", tmp_path / "bob.jsonl"
    whole = token_dicts(tokenize(TEXT))  # bob's tokens: the text tokenized; alice's: one token (an older tokenizer)
    with Store(alice) as s:
        for t in (0, 20, 40):
            s.append(record("a#0", "alice", t))
    with Store(bob) as s:
        for t in (10, 30, 50):
            s.append({**record("a#0", "bob", t), "tokens": whole})
    out = tmp_path / "merged.jsonl"
    merge_stores([alice, bob], out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(line["_merged_from"]["store"] in ("alice.jsonl", "bob.jsonl") for line in lines)
    assert ["tokens" in line for line in lines] == [True] * 6  # the tokens switch at every line
    team = read_team([out])
    assert team.latest["alice"]["a#0"]["tokens"] == record("a#0", "alice", 0)["tokens"]
    assert team.latest["bob"]["a#0"]["tokens"] == whole
    one = record("a#0", "alice", 0)["tokens"]
    assert [r["tokens"] for r in read_store(out).records] == [one, whole, one, whole, one, whole]


def test_tokens_the_inputs_share_are_written_once_per_paragraph(stores: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "merged.jsonl"
    merge_stores(stores, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["id"] for line in lines if "tokens" in line) == ["a#0", "a#1", "a#2"]
    assert all(r["tokens"] == record("a#0", "alice", 0)["tokens"] for r in read_store(out).records)
