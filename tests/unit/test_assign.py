"""Assignment: deterministic, honours the overlap, balanced, and queues keep original paragraph ids."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.corpus import Article, Paragraph
from annotator.core.errors import InputError
from annotator.team.assign import parse_annotators, plan, split, write_plan

NAMES = ["alice", "bob", "carol", "dan", "erin"]

paragraph_ids = st.lists(
    st.builds(lambda article, index: f"{article}#{index}", st.text("abcxyz-", min_size=1, max_size=6), st.integers(0, 30)),
    min_size=1, max_size=120, unique=True,
)


@settings(max_examples=60, deadline=None)
@given(
    ids=paragraph_ids,
    team=st.integers(2, 5),
    overlap=st.floats(0.0, 1.0),
    per_item=st.integers(2, 5),
    seed=st.text(max_size=8),
)
def test_split_is_deterministic_exact_and_balanced(ids: list[str], team: int, overlap: float, per_item: int, seed: str) -> None:
    names = NAMES[:team]
    per_item = min(per_item, team)
    result = split(ids, names, overlap=overlap, per_item=per_item, seed=seed)

    # Same inputs, in any order, give the same split.
    assert split(list(reversed(ids)), list(reversed(names)), overlap=overlap, per_item=per_item, seed=seed) == result
    assert list(result) == ids
    # Exactly the asked fraction (rounded) goes to per_item distinct annotators, the rest to one.
    sizes = Counter(len(who) for who in result.values())
    shared = int(overlap * len(ids) + 0.5)
    assert sizes[per_item] == shared
    assert sizes[1] == len(ids) - shared
    assert all(len(set(who)) == len(who) and set(who) <= set(names) for who in result.values())
    # Loads differ by at most one paragraph.
    load = Counter(name for who in result.values() for name in who)
    assert max(load[n] for n in names) - min(load[n] for n in names) <= 1


def test_another_seed_gives_another_split() -> None:
    ids = [f"art{a}#{p}" for a in range(40) for p in range(5)]
    assert split(ids, ["alice", "bob"], overlap=0.2, seed="2") != split(ids, ["alice", "bob"], overlap=0.2, seed="1")


def test_every_pair_of_annotators_shares_paragraphs_evenly() -> None:
    ids = [f"art{a}#{p}" for a in range(200) for p in range(5)]
    result = split(ids, ["alice", "bob", "carol", "dan"], overlap=0.3, per_item=2, seed="0")
    pairs = Counter(pair for who in result.values() for pair in combinations(who, 2))
    assert set(pairs.values()) == {50}  # 300 shared paragraphs over 6 pairs


@pytest.mark.parametrize(
    ("names", "overlap", "per_item", "message"),
    [
        (["alice"], 0.2, 2, "--per-item 2"),
        (["alice", "bob"], 0.2, 3, "--per-item 3"),
        (["alice", "bob"], 1.5, 2, "--overlap 1.5"),
        (["alice", "bob"], -0.1, 2, "--overlap -0.1"),
    ],
)
def test_impossible_splits_are_refused_plainly(names: list[str], overlap: float, per_item: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        split(["a#0", "a#1"], names, overlap=overlap, per_item=per_item)


def test_one_annotator_without_overlap_gets_everything() -> None:
    assert split(["a#0", "a#1"], ["alice"], overlap=0.0) == {"a#0": ("alice",), "a#1": ("alice",)}


@pytest.mark.parametrize("text", ["", " , ", "alice,alice", "al ice,bob", "alice,../bob", ".hidden"])
def test_bad_annotator_lists_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="--annotators"):
        parse_annotators(text)


def articles() -> list[Article]:
    """Two articles; paragraph offsets as a reader of 'para\\n\\npara' sources would give them."""
    out = []
    for name, texts in (("strikes", ["Strikes hit Deir el-Zour.", "Sixteen died.", "Iraq protested."]),
                        ("talks", ["Talks resumed in Doha.", "No deal yet."])):
        paragraphs, offset = [], 0
        for index, text in enumerate(texts):
            paragraphs.append(Paragraph(name, index, text, offset, f"news/{name}.txt"))
            offset += len(text) + 2
        out.append(Article(name, "\n\n".join(texts), f"news/{name}.txt", {}, tuple(paragraphs)))
    return out


def test_queues_keep_original_ids_and_offsets_and_cover_the_assignment() -> None:
    assignment = plan(articles(), ["alice", "bob", "carol"], overlap=0.4, per_item=2, seed="s", sources=["news"])
    manifest = assignment.manifest
    by_id = {p.id: p for a in articles() for p in a.paragraphs}
    seen: Counter[str] = Counter()
    for name in ["alice", "bob", "carol"]:
        lines = [json.loads(line) for line in assignment.files[f"{name}.queue.jsonl"].splitlines()]
        assert [line["id"] for line in lines] == [pid for pid, who in manifest["assignment"].items() if name in who]
        for line in lines:
            paragraph = by_id[line["id"]]
            assert line["text"] == paragraph.text
            assert line["meta"] == {"article_id": paragraph.article_id, "paragraph": paragraph.index,
                                    "char_offset": paragraph.char_offset, "source": paragraph.source}
            seen[line["id"]] += 1
        assert manifest["annotators"][name]["paragraphs"] == len(lines)
        assert manifest["annotators"][name]["store"] == f"{name}.jsonl"
    assert set(seen) == set(by_id)
    assert manifest["shared_paragraphs"] == 2 == sum(1 for n in seen.values() if n == 2)
    assert sum(manifest["pairs"].values()) == 2


def test_writing_twice_is_harmless_and_a_different_assignment_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    first = plan(articles(), ["alice", "bob"], overlap=0.4, per_item=2, seed="s", sources=["news"])
    written = write_plan(first, folder)
    assert sorted(written) == ["alice.jsonl", "alice.queue.jsonl", "assignment.json", "bob.jsonl", "bob.queue.jsonl"]
    assert (folder / "alice.jsonl").read_text() == ""
    (folder / "alice.jsonl").write_text("work in progress\n")  # an annotator started: never touched again
    assert write_plan(first, folder) == []
    assert (folder / "alice.jsonl").read_text() == "work in progress\n"

    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    other = plan(articles(), ["alice", "bob"], overlap=0.4, per_item=2, seed="another", sources=["news"])
    with pytest.raises(InputError, match="already holds a different assignment"):
        write_plan(other, folder)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_no_paragraphs_is_an_error() -> None:
    with pytest.raises(InputError, match="no paragraphs"):
        plan([], ["alice", "bob"], overlap=0.2, per_item=2, seed="0", sources=["empty"])
