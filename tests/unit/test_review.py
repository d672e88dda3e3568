"""Review: several annotators' versions merged into gold, with provenance, undo and resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from stores import write_store

from annotator.cli import main
from annotator.core.records import annotation_from_record, check_record
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize
from annotator.team.merge import read_team
from annotator.team.review import (
    GoldReview,
    ReviewItem,
    gold_record,
    plan_review,
    take_version,
    toggle,
)

TEXT = "Rebels shelled Aleppo and Homs on Friday, killing 16 people."
OTHER = "Nobody was hurt in Idlib."
T0 = 1_700_000_000
REBELS, ALEPPO, HOMS, ALEPPO_HOMS, DEAD = (
    (0, 6, "ACTOR"), (15, 21, "LOCATION"), (26, 30, "LOCATION"), (15, 30, "LOCATION"), (50, 59, "CASUALTY"))
SCHEMA_REF = {"name": "news-conflict", "version": "1"}


def record(pid: str, spans: list[tuple[int, int, str]], annotator: str, *, text: str = TEXT,
           answer: str | None = "accept", relations: list[tuple[str, int, int]] = (),
           attributes: dict[int, dict[str, object]] | None = None) -> dict:
    """A canonical record as `annotate` saves it; relations name spans by their index in `spans`."""
    tokens = tokenize(text)
    article, _, index = pid.partition("#")
    rec: dict = {
        "id": pid, "text": text,
        "tokens": [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws} for t in tokens],
        "spans": [
            {"start": s, "end": e, "label": label, "text": text[s:e], "id": f"{annotator[0]}{n}",
             "token_start": min(t.id for t in tokens if t.start < e and s < t.end),
             "token_end": max(t.id for t in tokens if t.start < e and s < t.end),
             **({"attributes": attributes[n]} if attributes and n in attributes else {})}
            for n, (s, e, label) in enumerate(spans)
        ],
        "relations": [{"label": label, "head_id": f"{annotator[0]}{h}", "child_id": f"{annotator[0]}{c}"}
                      for label, h, c in relations],
        "meta": {"article_id": article, "paragraph": int(index or 0), "char_offset": 0, "source": "news.txt"},
        "_annotator_id": annotator, "_timestamp": T0,
    }
    if answer is not None:
        rec["answer"] = answer
    return rec


@pytest.fixture
def team(tmp_path: Path) -> list[Path]:
    """alice and bob agree on Rebels and 16 people; they split Aleppo/Homs differently; carol did a#1 only."""
    return [
        write_store(tmp_path / "alice.jsonl", [record("a#0", [REBELS, ALEPPO, HOMS, DEAD], "alice"),
                                               record("a#1", [], "alice", text=OTHER)]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", [REBELS, ALEPPO_HOMS, DEAD], "bob")]),
        write_store(tmp_path / "carol.jsonl", [record("a#1", [(19, 24, "LOCATION")], "carol", text=OTHER),
                                               record("a#2", [], "carol")]),
    ]


def first_item(paths: list[Path]) -> ReviewItem:
    return plan_review(read_team(paths)).items[0]


# --- the plan -----------------------------------------------------------------------------

def test_spans_everyone_agrees_on_are_pre_accepted_and_the_rest_listed_with_who(team: list[Path]) -> None:
    plan = plan_review(read_team(team))
    assert [item.id for item in plan.items] == ["a#0", "a#1"]  # a#2: carol alone
    item = plan.items[0]
    assert item.annotators == ("alice", "bob")
    assert item.agreed == {REBELS, DEAD}
    assert {(c.key, c.proposers) for c in item.disputed} == {
        (ALEPPO, ("alice",)), (HOMS, ("alice",)), (ALEPPO_HOMS, ("bob",))}
    assert [c.key for c in item.candidates] == [REBELS, ALEPPO_HOMS, ALEPPO, HOMS, DEAD]  # text order, longer first


def test_undecided_and_ignored_records_are_left_out_unless_asked(tmp_path: Path) -> None:
    paths = [
        write_store(tmp_path / "alice.jsonl", [record("a#0", [REBELS], "alice", answer=None),
                                               record("a#1", [REBELS], "alice", answer="ignore")]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", [REBELS], "bob"), record("a#1", [REBELS], "bob")]),
    ]
    assert plan_review(read_team(paths)).items == []
    assert [item.id for item in plan_review(read_team(paths), include_undecided=True).items] == ["a#0"]


def test_a_paragraph_whose_text_differs_is_left_out_with_a_warning(tmp_path: Path) -> None:
    paths = [write_store(tmp_path / "alice.jsonl", [record("a#0", [], "alice")]),
             write_store(tmp_path / "bob.jsonl", [record("a#0", [], "bob", text=OTHER)])]
    plan = plan_review(read_team(paths))
    assert plan.items == [] and "a#0: the text differs between alice, bob" in plan.warnings[0]


# --- choosing -----------------------------------------------------------------------------

def test_taking_a_version_gives_exactly_its_spans_and_toggle_flips_one(team: list[Path]) -> None:
    item = first_item(team)
    chosen = take_version(item, "bob")
    assert chosen == {REBELS, ALEPPO_HOMS, DEAD}
    chosen = toggle(chosen, ALEPPO_HOMS)
    assert chosen == {REBELS, DEAD}
    assert toggle(chosen, HOMS) == {REBELS, DEAD, HOMS}
    with pytest.raises(ValueError):
        take_version(item, "carol")


# --- the gold record ----------------------------------------------------------------------

def test_gold_record_is_canonical_with_provenance_and_passes_the_store_check(team: list[Path]) -> None:
    item = first_item(team)
    gold = gold_record(item, {REBELS, ALEPPO, HOMS, DEAD}, "accept", reviewer="dana", schema_ref=SCHEMA_REF,
                       timestamp=T0 + 5)
    check_record(gold)
    assert gold["id"] == "a#0" and gold["answer"] == "accept" and gold["_annotator_id"] == "dana"
    assert gold["_status"] == "done" and gold["_schema"] == SCHEMA_REF and gold["_timestamp"] == T0 + 5
    assert gold["tokens"] == read_store(team[0]).get("a#0")["tokens"]  # the saved tokens, reused
    assert gold["meta"] == {"article_id": "a", "paragraph": 0, "char_offset": 0, "source": "news.txt"}
    assert [(s["text"], s["label"], s["agreed_by"]) for s in gold["spans"]] == [
        ("Rebels", "ACTOR", ["alice", "bob"]), ("Aleppo", "LOCATION", ["alice"]), ("Homs", "LOCATION", ["alice"]),
        ("16 people", "CASUALTY", ["alice", "bob"])]
    assert all(TEXT[s["start"]:s["end"]] == s["text"] for s in gold["spans"])
    assert gold["_review"] == {"versions": {"alice": 1, "bob": 1}}  # the _seq of each line reviewed
    # The provenance field does not disturb readers of the record.
    assert [s.label for s in annotation_from_record(gold).spans] == ["ACTOR", "LOCATION", "LOCATION", "CASUALTY"]


def _imported(annotator: str, **meta: object) -> dict:
    """A record as an import leaves it: the other tool's ids and metadata, and the spans judged one by one, in meta."""
    rec = record("a#0", [REBELS, DEAD], annotator)
    rec["meta"].update(meta)
    return rec


def test_gold_keeps_the_meta_every_annotator_s_record_holds_alike(tmp_path: Path) -> None:
    rejected_by_all = {"start": 7, "end": 14, "label": "ACTOR", "text": "shelled", "score": 0.31}
    shared = {"source_id": 102, "source_meta": {"project": "wire", "_view_id": "ner"},
              "ignored_spans": [{"start": 15, "end": 21, "label": "ACTOR", "text": "Aleppo", "score": 0.5}]}
    paths = [
        write_store(tmp_path / "alice.jsonl", [_imported(
            "alice", **shared, annotation_id=7, model_version="ner-v3",
            rejected_spans=[rejected_by_all, {"start": 26, "end": 30, "label": "ACTOR", "text": "Homs"}])]),
        write_store(tmp_path / "bob.jsonl", [_imported(
            "bob", **shared, annotation_id=8, rejected_spans=[rejected_by_all])]),
    ]
    gold_path = tmp_path / "gold.jsonl"
    review = open_review(paths, gold_path)
    review.save(review.items[0], review.items[0].agreed, "accept")
    review.store.close()
    gold = read_store(gold_path).latest["a#0"]
    check_record(gold)
    # the same in both: kept; each one's own annotation id, and alice's alone model_version: left out
    assert gold["meta"] == {"article_id": "a", "paragraph": 0, "char_offset": 0, "source": "news.txt", **shared,
                            "rejected_spans": [rejected_by_all]}
    undone = open_review(paths, gold_path)
    undone.undo()  # back to undecided: the state written back keeps it too
    undone.store.close()
    assert read_store(gold_path).latest["a#0"]["meta"] == gold["meta"]


def test_relations_are_kept_only_where_both_ends_are_chosen(tmp_path: Path) -> None:
    paths = [
        write_store(tmp_path / "alice.jsonl", [record("a#0", [REBELS, ALEPPO], "alice", relations=[("located_in", 0, 1)])]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", [REBELS, ALEPPO_HOMS], "bob", relations=[("located_in", 0, 1)])]),
    ]
    item = first_item(paths)
    gold = gold_record(item, {REBELS, ALEPPO}, "accept", reviewer="dana", schema_ref=SCHEMA_REF)
    ids = {s["text"]: s["id"] for s in gold["spans"]}
    assert [(r["label"], r["head_id"], r["child_id"], r["agreed_by"]) for r in gold["relations"]] == [
        ("located_in", ids["Rebels"], ids["Aleppo"], ["alice"])]
    assert gold_record(item, {REBELS}, "accept", reviewer="dana", schema_ref=SCHEMA_REF)["relations"] == []


def test_attributes_come_from_the_version_taken(tmp_path: Path) -> None:
    paths = [
        write_store(tmp_path / "alice.jsonl", [record("a#0", [DEAD], "alice", attributes={0: {"status": "killed"}})]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", [DEAD], "bob", attributes={0: {"status": "injured"}})]),
    ]
    item = first_item(paths)
    assert item.candidates[0].attributes_differ and item.candidates[0].unanimous
    as_bob = gold_record(item, take_version(item, "bob"), "accept", reviewer="dana", schema_ref=SCHEMA_REF,
                         preferred="bob")
    as_first = gold_record(item, item.agreed, "accept", reviewer="dana", schema_ref=SCHEMA_REF)
    assert as_bob["spans"][0]["attributes"] == {"status": "injured"}
    assert as_first["spans"][0]["attributes"] == {"status": "killed"}


def test_a_rejected_paragraph_keeps_no_spans(team: list[Path]) -> None:
    gold = gold_record(first_item(team), {REBELS}, "reject", reviewer="dana", schema_ref=SCHEMA_REF)
    assert gold["answer"] == "reject" and gold["spans"] == []


# --- the gold store -----------------------------------------------------------------------

def open_review(team: list[Path], gold: Path) -> GoldReview:
    return GoldReview(plan_review(read_team(team)), Store(gold), "dana", SCHEMA_REF, clock=lambda: T0 + 60)


def test_saving_appends_and_resuming_skips_what_gold_decided(team: list[Path], tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    review = open_review(team, gold)
    assert review.first_open() == 0
    review.save(review.items[0], take_version(review.items[0], "alice"), "accept", preferred="alice")
    review.store.close()
    latest = read_store(gold).latest
    assert list(latest) == ["a#0"] and latest["a#0"]["_annotator_id"] == "dana"

    resumed = open_review(team, gold)
    assert resumed.first_open() == 1 and resumed.done_count() == 1
    assert resumed.chosen(resumed.items[0]) == {REBELS, ALEPPO, HOMS, DEAD}  # what gold holds, not the agreed two
    assert resumed.chosen(resumed.items[1]) == frozenset()  # nothing agreed on a#1
    resumed.save(resumed.items[1], {(19, 24, "LOCATION")}, "accept")
    assert resumed.first_open() is None
    resumed.store.close()


def test_undo_writes_the_previous_state_back_even_after_a_restart(team: list[Path], tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    review = open_review(team, gold)
    item = review.items[0]
    review.save(item, {REBELS}, "accept")
    review.save(item, {REBELS, DEAD}, "reject")
    review.store.close()

    review = open_review(team, gold)
    assert review.undo() == item
    assert read_store(gold).get("a#0")["answer"] == "accept"
    assert review.undo() == item  # the first write had nothing before it: undecided, agreed spans shown
    lines = read_store(gold).records
    assert [(line["_action"], line.get("_reverts")) for line in lines] == [("edit", None), ("edit", None),
                                                                          ("undo", 2), ("undo", 1)]
    assert "answer" not in lines[-1] and {(s["start"], s["end"], s["label"]) for s in lines[-1]["spans"]} == item.agreed
    assert not review.is_done(item) and review.first_open() == 0
    assert review.undo() is None
    review.store.close()


def test_undo_passes_over_gold_lines_of_paragraphs_not_in_this_review(team: list[Path], tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    review = open_review(team, gold)
    item = review.items[0]
    review.save(item, {REBELS}, "accept")
    review.store.append(record("z#9", [], "dana", text=OTHER))  # gold from another review, sharing the file
    assert review.undo() == item
    assert [(line["id"], line["_action"], line.get("_reverts")) for line in read_store(gold).records][-1] == ("a#0", "undo", 1)
    assert review.undo() is None
    review.store.close()


def test_agreement_so_far_counts_unanimous_spans_of_reviewed_paragraphs(team: list[Path], tmp_path: Path) -> None:
    review = open_review(team, tmp_path / "gold.jsonl")
    assert review.agreement().share is None
    review.save(review.items[0], review.items[0].agreed, "accept")
    assert (review.agreement().unanimous, review.agreement().candidates) == (2, 5)
    review.store.close()


# --- the command: bad input is a plain message, exit 2, nothing written -------------------

@pytest.mark.parametrize("case", ["missing", "one annotator", "nothing shared", "out is an input", "out not jsonl"])
def test_bad_input_exits_2_and_writes_nothing(case: str, team: list[Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    stores = {
        "missing": [team[0], tmp_path / "nobody.jsonl"],
        "one annotator": [team[0]],
        "nothing shared": [team[1], team[2]],
        "out is an input": team,
        "out not jsonl": team,
    }[case]
    out = {"out is an input": team[0], "out not jsonl": tmp_path / "gold.txt"}.get(case, gold)
    before = {path: path.read_bytes() for path in team}
    assert main(["review", *map(str, stores), "--out", str(out), "--annotator", "dana"]) == 2
    message = capsys.readouterr().err
    expected = {
        "missing": "nobody.jsonl: no such store",
        "one annotator": "review needs two annotators",
        "nothing shared": "bob, carol share no paragraph",
        "out is an input": "is also one of the stores to review",
        "out not jsonl": "must be a .jsonl file",
    }[case]
    assert expected in message and "Traceback" not in message
    assert not gold.exists() and not (tmp_path / "gold.txt").exists()
    assert {path: path.read_bytes() for path in team} == before


def test_good_input_without_a_terminal_says_so_and_writes_nothing(team: list[Path], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    assert main(["review", *map(str, team), "--out", str(gold), "--annotator", "dana"]) == 2
    assert "needs a terminal" in capsys.readouterr().err
    assert not gold.exists()


def test_gold_records_validate_against_the_shipped_record_schema(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import json

    schema_path = Path(__file__).resolve().parents[2] / "annotator" / "data" / "record.schema.json"
    validator = jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    paths = [
        write_store(tmp_path / "alice.jsonl", [record("a#0", [REBELS, ALEPPO], "alice", relations=[("located_in", 0, 1)],
                                                      attributes={0: {"role": "attacker"}})]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", [REBELS, ALEPPO], "bob", relations=[("located_in", 0, 1)])]),
    ]
    item = first_item(paths)
    for answer in ("accept", "reject", None):
        gold = gold_record(item, item.agreed, answer, reviewer="dana", schema_ref=SCHEMA_REF)
        assert [error.message for error in validator.iter_errors(gold)] == []


def test_paragraphs_everyone_did_alike_are_saved_in_one_go_and_undone_one_by_one(tmp_path: Path) -> None:
    paths = [
        write_store(tmp_path / "alice.jsonl", [record("a#0", [REBELS], "alice"), record("a#1", [REBELS], "alice"),
                                               record("a#2", [], "alice", answer="reject"),
                                               record("a#3", [], "alice", answer="reject")]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", [REBELS], "bob"), record("a#1", [DEAD], "bob"),
                                             record("a#2", [], "bob", answer="reject"), record("a#3", [], "bob")]),
    ]
    review = open_review(paths, tmp_path / "gold.jsonl")
    assert [item.unanimous for item in review.items] == ["accept", None, "reject", None]
    assert [item.id for item in review.save_unanimous()] == ["a#0", "a#2"]
    latest = read_store(tmp_path / "gold.jsonl").latest
    assert {pid: (r["answer"], [s["agreed_by"] for s in r["spans"]]) for pid, r in latest.items()} == {
        "a#0": ("accept", [["alice", "bob"]]), "a#2": ("reject", [])}
    assert review.first_open() == 1 and review.save_unanimous() == []
    assert review.undo().id == "a#2" and review.first_open(2) == 2
    review.store.close()


def test_a_record_without_article_and_paragraph_keeps_its_own_id(tmp_path: Path) -> None:
    from annotator.core.records import stable_hash

    plain = []
    for name in ("alice", "bob"):
        rec = record("wire-3", [REBELS], name)
        del rec["meta"]
        plain.append(write_store(tmp_path / f"{name}.jsonl", [rec]))
    gold = gold_record(first_item(plain), {REBELS}, "accept", reviewer="dana", schema_ref=SCHEMA_REF)
    assert gold["id"] == "wire-3"
    assert gold["_task_hash"] == stable_hash(str(gold["_input_hash"]), "wire-3")


def test_stores_under_one_login_name_are_told_apart_by_store_when_asked(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    paths = [write_store(tmp_path / f"{name}.jsonl", [record("a#0", [REBELS], "ubuntu")]) for name in ("pc1", "pc2")]
    gold = tmp_path / "gold.jsonl"
    assert main(["review", *map(str, paths), "--out", str(gold), "--annotator", "dana"]) == 2
    assert "pass --by-store" in capsys.readouterr().err
    assert [item.annotators for item in plan_review(read_team(paths, by_store=True)).items] == [("pc1", "pc2")]
    assert main(["review", *map(str, paths), "--out", str(gold), "--annotator", "dana", "--by-store"]) == 2
    assert "needs a terminal" in capsys.readouterr().err  # the input was good: only the missing terminal stops it
    assert not gold.exists()
