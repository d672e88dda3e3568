"""The team commands as a user runs them: reports that fit 80 columns, JSON, and plain errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stores import write_store

from annotator.cli import main
from annotator.core.errors import InputError
from annotator.core.identity import annotator_name
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize

TEXT = "Rebels shelled Aleppo and Homs on Friday, killing 16 people."
T0 = 1_700_000_000


def record(pid: str, spans: list[tuple[int, int, str]], annotator: str, t: int, **extra: object) -> dict:
    tokens = tokenize(TEXT)
    rec = {
        "id": pid, "text": TEXT,
        "tokens": [{"text": tok.text, "start": tok.start, "end": tok.end, "id": tok.id, "ws": tok.ws} for tok in tokens],
        "spans": [
            {"start": s, "end": e, "label": label, "text": TEXT[s:e],
             "token_start": min(tok.id for tok in tokens if tok.start < e and s < tok.end),
             "token_end": max(tok.id for tok in tokens if tok.start < e and s < tok.end)}
            for s, e, label in spans
        ],
        "answer": "accept", "_annotator_id": annotator, "_timestamp": T0 + t,
    }
    rec.update(extra)
    return rec


@pytest.fixture
def team(tmp_path: Path) -> list[Path]:
    actor, aleppo, homs, dead = (0, 6, "ACTOR"), (15, 21, "LOCATION"), (26, 30, "LOCATION"), (50, 59, "CASUALTY")
    return [
        write_store(tmp_path / "alice.jsonl", [record(f"a#{i}", [actor, aleppo, homs, dead], "alice", 60 * i,
                                                       flagged=(i == 1), note="16 or 17?" if i == 1 else "")
                                                for i in range(4)]),
        write_store(tmp_path / "bob.jsonl", [record(f"a#{i}", [actor, (15, 30, "LOCATION"), dead], "bob", 90 * i)
                                              for i in range(3)]),
        write_store(tmp_path / "carol.jsonl", [record(f"a#{i}", [actor, aleppo], "carol", 45 * i) for i in range(2, 4)]),
    ]


def test_agree_prints_a_report_that_fits_80_columns(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", *map(str, team)]) == 0
    out = capsys.readouterr().out
    assert "Agreement of 3 annotators: alice, bob, carol" in out
    assert "Krippendorff's alpha" in out and "token kappa (Fleiss)" in out
    assert "alice & bob" in out and "CASUALTY" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_agree_json_has_overall_per_label_and_pairs(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", *map(str, team), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["overall"]) >= {"span_f1_exact", "span_f1_partial", "token_kappa", "alpha"}
    assert data["per_label"]["ACTOR"]["span_f1_exact"] == pytest.approx(1.0)
    assert [pair["annotators"] for pair in data["pairs"]] == [["alice", "bob"], ["alice", "carol"], ["bob", "carol"]]
    # alice and bob share a#0..a#2: per paragraph 2 exact matches of 4 + 3 spans.
    assert data["pairs"][0]["span_f1_exact"] == pytest.approx(2 * 6 / 21)


def test_agree_labels_option(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", *map(str, team), "--json", "--labels", "ACTOR"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["per_label"]) == ["ACTOR"] and data["overall"]["span_f1_exact"] == pytest.approx(1.0)


def test_agree_with_one_annotator_says_so_and_exits_2(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", str(team[0])]) == 2
    err = capsys.readouterr().err
    assert "needs two annotators" in err and "alice" in err and "Traceback" not in err


def test_agree_suggests_by_store_when_every_store_has_the_same_login(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_store(tmp_path / "first.jsonl", [record("a#0", [(0, 6, "ACTOR")], "ubuntu", 0)])
    second = write_store(tmp_path / "second.jsonl", [record("a#0", [(0, 6, "ACTOR")], "ubuntu", 5)])
    assert main(["agree", str(first), str(second)]) == 2
    assert "--by-store" in capsys.readouterr().err
    assert main(["agree", str(first), str(second), "--by-store", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["annotators"] == ["first", "second"]


def test_agree_without_shared_paragraphs_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_store(tmp_path / "a.jsonl", [record("a#0", [], "alice", 0)])
    b = write_store(tmp_path / "b.jsonl", [record("a#1", [], "bob", 0)])
    assert main(["agree", str(a), str(b)]) == 2
    assert "share no decided paragraph" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["agree", "stats"])
def test_missing_and_broken_stores_exit_2_naming_the_file(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, str(tmp_path / "nowhere.jsonl")]) == 2
    assert "nowhere.jsonl: no such store" in capsys.readouterr().err
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not json\n{}\n")
    assert main([command, str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.jsonl:1" in err and "Traceback" not in err


def test_stats_report_and_json(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", *map(str, team)]) == 0
    out = capsys.readouterr().out
    assert "Flagged (1)" in out and "16 or 17?" in out
    assert "alice" in out and "60.0/h" in out  # a decision a minute
    assert all(len(line) <= 80 for line in out.splitlines())
    assert main(["stats", *map(str, team), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["annotators"]["bob"]["decided"] == 3
    assert data["annotators"]["bob"]["pace"]["median_seconds_per_paragraph"] == 90
    assert data["total"]["spans"]["ACTOR"] == 9


def test_stats_rejects_a_zero_break(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(team[0]), "--break-minutes", "0"]) == 2
    assert "--break-minutes" in capsys.readouterr().err


def test_merge_writes_a_store_that_agree_reads(team: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all.jsonl"
    assert main(["merge", *map(str, team), "--out", str(out)]) == 0
    assert "9 lines" in capsys.readouterr().err
    assert len(read_store(out).records) == 9
    assert main(["agree", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["annotators"] == ["alice", "bob", "carol"]


def test_merge_refuses_to_overwrite(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    before = team[1].read_bytes()
    out = team[1].parent / "elsewhere.jsonl"
    out.write_bytes(before)
    assert main(["merge", str(team[0]), str(team[2]), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_merge_wants_a_jsonl_out(team: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all.txt"
    assert main(["merge", *map(str, team), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "must be a .jsonl file" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--annotators", "alice,al ice"], "not a usable annotator name"),
        (["--annotators", "alice,bob", "--overlap", "2"], "--overlap 2"),
        (["--annotators", "alice", "--overlap", "0.5"], "--per-item 2"),
    ],
)
def test_assign_bad_options_exit_2_and_write_nothing(options: list[str], message: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "news.txt"
    source.write_text("One.\n\nTwo.\n")
    out = tmp_path / "team"
    assert main(["assign", str(source), *options, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_assign_missing_source_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assign", str(tmp_path / "nowhere.txt"), "--annotators", "a,b", "--out", str(tmp_path / "t")]) == 2
    assert "nowhere.txt" in capsys.readouterr().err


def test_assign_writes_queues_stores_and_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "news.txt"
    source.write_text("Strikes hit Deir el-Zour.\n\nSixteen died.\n\nIraq protested.\n\nTalks resumed.\n\nNo deal.\n")
    out = tmp_path / "team"
    args = ["assign", str(source), "--annotators", "alice,bob", "--overlap", "0.4", "--out", str(out), "--seed", "7"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"annotator annotate {out / 'alice.queue.jsonl'} --out {out / 'alice.jsonl'}" in printed
    manifest = json.loads((out / "assignment.json").read_text())
    assert manifest["shared_paragraphs"] == 2 and manifest["paragraphs"] == 5
    queued = [json.loads(line) for name in ("alice", "bob") for line in (out / f"{name}.queue.jsonl").read_text().splitlines()]
    assert len(queued) == 7
    assert {q["id"] for q in queued} == {f"news#{i}" for i in range(5)}
    assert all(source.read_text()[q["meta"]["char_offset"]:][: len(q["text"])] == q["text"] for q in queued)
    assert (out / "alice.jsonl").read_text() == "" and (out / "bob.jsonl").read_text() == ""
    assert main(args) == 0  # the same command again changes nothing
    assert "unchanged" in capsys.readouterr().err


def test_annotator_name_comes_from_the_flag_then_the_config_then_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    assert annotator_name(None) == "login-name"
    config = tmp_path / "annotator" / "config.toml"
    config.parent.mkdir()
    config.write_text('annotator = "alice"\n')
    assert annotator_name(None) == "alice"
    assert annotator_name("bob") == "bob"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('annotator = "al ice"\n', "not a usable annotator name"),
        ('annotator = "alice\n', "line 1"),  # broken TOML: the file and the line are named
    ],
)
def test_a_bad_name_in_the_config_file_is_reported_with_the_file(
    content: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config = tmp_path / "annotator" / "config.toml"
    config.parent.mkdir()
    config.write_text(content)
    with pytest.raises(InputError, match=message) as error:
        annotator_name(None)
    assert str(config) in str(error.value)


@pytest.mark.parametrize("name", ["a b", "a/b", "..", ".hidden", "", "x" * 65, "a:b"])
def test_unusable_names_on_the_command_line_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="--annotator"):
        annotator_name(name)


@pytest.mark.parametrize("command", ["agree", "stats"])
def test_reports_fall_back_to_ascii_where_the_terminal_cannot_show_blocks(
    command: str, team: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(f"annotator.commands.{command}.unicode_ok", lambda: False)
    assert main([command, *map(str, team)]) == 0
    out = capsys.readouterr().out
    assert out.isascii() and "#" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_stats_on_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "alice.jsonl"
    empty.touch()
    assert main(["stats", str(empty)]) == 0
    assert "No records yet" in capsys.readouterr().out


def test_stats_measures_progress_against_the_assignment(team: list[Path], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.core.corpus import Article, Paragraph
    from annotator.team.assign import plan, write_plan

    paragraphs = tuple(Paragraph("a", i, TEXT, i * (len(TEXT) + 2), "a.txt") for i in range(8))
    folder = tmp_path / "queues"
    write_plan(plan([Article("a", "", "a.txt", {}, paragraphs)], ["alice", "bob", "carol", "dan"],
                    overlap=0.5, per_item=2, seed="0", sources=["a.txt"]), folder)
    assert main(["stats", *map(str, team), "--assignment", str(folder / "assignment.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["annotators"]["alice"]["assigned"] == 3
    assert data["annotators"]["dan"] == {**data["annotators"]["dan"], "assigned": 3, "seen": 0, "decided": 0}
    other = tmp_path / "other.json"
    other.write_text('{"annotators": "alice"}')
    assert main(["stats", str(team[0]), "--assignment", str(other)]) == 2
    assert "not an assignment manifest" in capsys.readouterr().err
    assert main(["stats", str(team[0]), "--assignment", str(team[0])]) == 2
    assert "alice.jsonl:2: not valid JSON" in capsys.readouterr().err


def test_queues_annotated_separately_are_compared_by_original_paragraph_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """assign -> each annotator works through their queue -> agree matches the shared paragraphs."""
    from annotator.core.corpus import Corpus
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.session import Session

    source = tmp_path / "news.txt"
    source.write_text("Strikes hit Deir el-Zour.\n\nSixteen died in Iraq.\n\nIraq protested.\n\nTalks resumed.\n")
    out = tmp_path / "team"
    assert main(["assign", str(source), "--annotators", "alice,bob", "--overlap", "0.5", "--out", str(out)]) == 0
    schema = load_schema(default_schema_path())
    for name in ("alice", "bob"):
        with Store(out / f"{name}.jsonl") as store:
            session = Session(Corpus([out / f"{name}.queue.jsonl"]), schema, store, name)
            while True:
                session.tag_tokens(0, 0, "ACTOR")
                session.decide("accept")
                if not session.next_unfinished():
                    break
    shared = {pid for pid, who in json.loads((out / "assignment.json").read_text())["assignment"].items() if len(who) == 2}
    for name in ("alice", "bob"):
        records = read_store(out / f"{name}.jsonl").latest
        assert set(records) <= {f"news#{i}" for i in range(4)} and shared <= set(records)
        assert all(source.read_text()[r["meta"]["char_offset"]:].startswith(r["text"]) for r in records.values())
    capsys.readouterr()
    assert main(["agree", str(out / "alice.jsonl"), str(out / "bob.jsonl"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["paragraphs"]["shared"] == len(shared) == 2
    assert data["overall"]["span_f1_exact"] == 1.0


def test_agree_warns_about_a_label_nobody_used(team: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", *map(str, team), "--labels", "ACTOR,LOCATON"]) == 0
    assert "--labels LOCATON: nobody used this label" in capsys.readouterr().err
