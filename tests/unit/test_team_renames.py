"""A label renamed in the schema (`renamed_from`) is one label, under its new name, in every team command.

alice's store was written when LOCATION was called PLACE; bob's after the rename. The schema
says `LOCATION: renamed_from: [PLACE]`, so both annotated the same spans.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stores import write_store

from annotator.cli import main
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize
from annotator.team.merge import read_team
from annotator.team.review import GoldReview, plan_review
from annotator.tui.app import ReviewApp
from annotator.tui.screens.review import ReviewScreen

TEXT = "Rebels shelled Aleppo and Homs on Friday, killing 16 people."
T0 = 1_700_000_000


def record(pid: str, location_label: str, annotator: str, t: int) -> dict:
    tokens = tokenize(TEXT)
    spans = [(0, 6, "ACTOR"), (15, 21, location_label), (26, 30, location_label)]
    return {
        "id": pid, "text": TEXT,
        "tokens": [{"text": tok.text, "start": tok.start, "end": tok.end, "id": tok.id, "ws": tok.ws} for tok in tokens],
        "spans": [
            {"start": s, "end": e, "label": label, "text": TEXT[s:e], "id": f"s{n}",
             "token_start": min(tok.id for tok in tokens if tok.start < e and s < tok.end),
             "token_end": max(tok.id for tok in tokens if tok.start < e and s < tok.end)}
            for n, (s, e, label) in enumerate(spans, start=1)
        ],
        "answer": "accept", "_annotator_id": annotator, "_timestamp": T0 + t,
        "meta": {"article_id": "a", "paragraph": int(pid.partition("#")[2]), "char_offset": 0, "source": "a.txt"},
    }


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "renamed.yaml"
    path.write_text(default_schema_path().read_text(encoding="utf-8").replace(
        "  - name: LOCATION\n", "  - name: LOCATION\n    renamed_from: [PLACE]\n", 1), encoding="utf-8")
    return path


@pytest.fixture
def team(tmp_path: Path) -> list[Path]:
    return [
        write_store(tmp_path / "alice.jsonl", [record(f"a#{i}", "PLACE", "alice", 60 * i) for i in range(3)]),
        write_store(tmp_path / "bob.jsonl", [record(f"a#{i}", "LOCATION", "bob", 90 * i) for i in range(3)]),
    ]


def test_agree_counts_an_old_and_a_new_name_as_one_label(team: list[Path], schema: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", *map(str, team), "--json", "--schema", str(schema)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["labels"] == ["ACTOR", "LOCATION"]
    assert data["per_label"]["LOCATION"]["span_f1_exact"] == pytest.approx(1.0)
    assert data["overall"]["span_f1_exact"] == pytest.approx(1.0)
    assert data["annotator_counts"]["alice"]["per_label"] == {"ACTOR": 3, "LOCATION": 6}


def test_agree_without_the_renaming_schema_sees_two_labels(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled schema has no PLACE: the old name stays as saved (an orphan), never dropped."""
    assert main(["agree", *map(str, team), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["labels"] == ["ACTOR", "LOCATION", "PLACE"]
    assert data["per_label"]["LOCATION"]["span_f1_exact"] == pytest.approx(0.0)


def test_stats_lists_the_new_name(team: list[Path], schema: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", *map(str, team), "--json", "--schema", str(schema)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["spans"] == {"ACTOR": 6, "LOCATION": 12}
    assert data["annotators"]["alice"]["spans"] == {"ACTOR": 3, "LOCATION": 6}
    assert main(["stats", *map(str, team), "--schema", str(schema)]) == 0
    out = capsys.readouterr().out
    assert "LOCATION" in out and "PLACE" not in out


def test_merge_writes_the_new_name(team: list[Path], schema: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "merged.jsonl"
    assert main(["merge", *map(str, team), "--out", str(out), "--schema", str(schema)]) == 0
    assert "6 lines" in capsys.readouterr().err
    assert "PLACE" not in out.read_text(encoding="utf-8")
    records = read_store(out).records
    assert len(records) == 6
    assert all([s["label"] for s in rec["spans"]] == ["ACTOR", "LOCATION", "LOCATION"] for rec in records)
    assert all(len(rec["tokens"]) == len(tokenize(TEXT)) for rec in records)  # complete records, tokens included
    assert {rec["_merged_from"]["store"] for rec in records} == {"alice.jsonl", "bob.jsonl"}
    # The merged store reads as the two stores did: full agreement.
    assert main(["agree", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["span_f1_exact"] == pytest.approx(1.0)


def test_review_plan_has_one_unanimous_candidate_per_span(team: list[Path], schema: Path) -> None:
    plan = plan_review(read_team(team, schema=load_schema(schema)))
    item = plan.items[0]
    assert [(c.key, c.proposers) for c in item.candidates] == [
        ((0, 6, "ACTOR"), ("alice", "bob")), ((15, 21, "LOCATION"), ("alice", "bob")),
        ((26, 30, "LOCATION"), ("alice", "bob"))]
    assert item.disputed == () and item.unanimous == "accept"


def test_gold_saved_under_the_old_name_is_read_back_under_the_new_one(team: list[Path], schema: Path,
                                                                     tmp_path: Path) -> None:
    """A gold store written before the rename resumes with its spans chosen, not as other spans."""
    gold = tmp_path / "gold.jsonl"
    old = {**record("a#0", "PLACE", "dana", 0), "_review": {"versions": {}}}
    write_store(gold, [old])
    with Store(gold) as store:
        review = GoldReview(plan_review(read_team(team, schema=load_schema(schema))), store, "dana", {})
        assert review.chosen(review.items[0]) == review.items[0].agreed


async def test_review_screen_shows_and_saves_the_new_name(team: list[Path], schema: Path, tmp_path: Path) -> None:
    loaded = load_schema(schema)
    gold = tmp_path / "gold.jsonl"
    with Store(gold) as store:
        app = ReviewApp(GoldReview(plan_review(read_team(team, schema=loaded)), store, "dana", loaded.ref),
                        loaded, gold_path=str(gold))
        async with app.run_test(size=(110, 34)) as pilot:
            assert isinstance(app.screen, ReviewScreen)
            assert {c.span.label for c in app.screen.item.candidates} == {"ACTOR", "LOCATION"}
            await pilot.press("enter")
    saved = read_store(gold).latest["a#0"]
    assert [(s["label"], s["agreed_by"]) for s in saved["spans"]] == [
        ("ACTOR", ["alice", "bob"]), ("LOCATION", ["alice", "bob"]), ("LOCATION", ["alice", "bob"])]
