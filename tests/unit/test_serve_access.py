"""`annotator serve`'s access rules: random tokens, the links file (0600, editable to revoke) and what a token opens."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.errors import InputError
from annotator.serve.access import Access, Grant, issue_links, link, new_token, parse_links
from annotator.serve.grants import annotate_grant, review_grant, team_members

BASE = "http://127.0.0.1:8000/"
ALICE = Grant("alice", ("annotate", "alice.queue.jsonl"))
BOB = Grant("bob", ("annotate", "bob.queue.jsonl"))


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(token) >= 32 and token.replace("-", "").replace("_", "").isalnum() for token in tokens)
    assert link(BASE, "abc") == "http://127.0.0.1:8000/abc/"


def test_issue_links_writes_a_file_only_the_owner_can_read_and_keeps_tokens_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    first, revoked = issue_links(path, ["alice", "bob"], BASE)
    assert revoked == set() and list(first) == ["alice", "bob"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token_of(first["alice"]) != token_of(first["bob"])
    text = path.read_text(encoding="utf-8")
    assert first["alice"] in text and first["bob"] in text

    again, _ = issue_links(path, ["alice", "bob", "carol"], "http://annotate.example.org/")
    assert token_of(again["alice"]) == token_of(first["alice"]) and token_of(again["bob"]) == token_of(first["bob"])
    assert again["alice"].startswith("http://annotate.example.org/") and "carol" in again
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_world_readable_links_file_is_rewritten_as_0600(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    issue_links(path, ["alice"], BASE)
    os.chmod(path, 0o644)
    issue_links(path, ["alice"], BASE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_revoked_line_stays_revoked_and_a_deleted_line_gets_a_new_link(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    links, _ = issue_links(path, ["alice", "bob"], BASE)
    path.write_text("alice revoked\n", encoding="utf-8")
    again, revoked = issue_links(path, ["alice", "bob"], BASE)
    assert revoked == {"alice"} and list(again) == ["bob"]
    assert token_of(again["bob"]) != token_of(links["bob"])  # bob's line was gone: a new link
    assert "alice revoked" in path.read_text(encoding="utf-8")


def test_a_broken_links_file_is_refused_with_its_line_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    path.write_text("# mine\nalice http://x/short/\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"links\.txt:2: the token of alice is not one the server made"):
        issue_links(path, ["alice"], BASE)
    assert path.read_text(encoding="utf-8") == "# mine\nalice http://x/short/\n"


def test_parse_links_reports_each_bad_line_and_grants_nothing_for_it(tmp_path: Path) -> None:
    good, twice = new_token(), new_token()
    text = (f"# comment\n\nalice {BASE}{good}/\nbob\nca:rol {BASE}{new_token()}/\n"
            f"dan {BASE}{twice}/\nerin {twice}\nfay revoked\nfay {BASE}{new_token()}/\n")
    parsed = parse_links(text, tmp_path / "links.txt")
    assert parsed.tokens == {good: "alice"}
    assert parsed.revoked == {"fay"}
    assert [problem.split(":")[1] for problem in parsed.problems] == ["4", "5", "7"]
    assert "the same token as line 6" in parsed.problems[2]


def test_access_opens_only_the_tokens_own_grant(tmp_path: Path) -> None:
    alice, bob = new_token(), new_token()
    access = Access([ALICE, BOB], tokens={alice: "alice", bob: "bob"})
    assert access.grant_for(alice) == ALICE
    assert access.grant_for(bob) == BOB
    assert access.grant_for("") is None
    assert access.grant_for(alice[:-1]) is None
    assert access.grant_for(alice + "x") is None
    assert access.grant_for("é" * 32) is None  # not ASCII: refused, not an error
    assert Access([ALICE], tokens={bob: "bob"}).grant_for(bob) is None  # a token of nobody being served


def test_rewriting_the_links_file_revokes_at_once(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    links, _ = issue_links(path, ["alice", "bob"], BASE)
    access = Access([ALICE, BOB], links_file=path)
    alice, bob = token_of(links["alice"]), token_of(links["bob"])
    assert access.grant_for(alice) == ALICE and access.grant_for(bob) == BOB

    path.write_text(f"bob {links['bob']}\n", encoding="utf-8")  # alice's line deleted
    assert access.grant_for(alice) is None and access.grant_for(bob) == BOB

    path.write_text(f"alice {links['alice']}\nbob revoked\n", encoding="utf-8")
    assert access.grant_for(alice) == ALICE and access.grant_for(bob) is None

    path.unlink()  # no file: nobody
    assert access.grant_for(alice) is None


def assign(tmp_path: Path, names: str = "alice,bob") -> Path:
    source = tmp_path / "news.txt"
    source.write_text("Rebels shelled Aleppo on Friday.\n\nTroops left Homs.\n\nNobody was hurt.\n", encoding="utf-8")
    assert main(["assign", str(source), "--annotators", names, "--out", str(tmp_path / "team")]) == 0
    return tmp_path / "team"


def test_team_members_are_the_assignments_queues_and_stores(tmp_path: Path) -> None:
    team = assign(tmp_path)
    members = team_members(team)
    assert [(m.name, m.queue.name, m.store.name) for m in members] == [
        ("alice", "alice.queue.jsonl", "alice.jsonl"), ("bob", "bob.queue.jsonl", "bob.jsonl")]
    assert all(m.queue.is_absolute() and m.queue.parent == team.resolve() for m in members)


def test_team_members_refuse_a_folder_without_an_assignment(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no such folder\. Make a team folder first: annotator assign"):
        team_members(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"holds no assignment\.json, so there are no queues to serve"):
        team_members(tmp_path / "empty")


def test_team_members_refuse_a_missing_queue_and_a_manifest_naming_nobody_or_a_path(tmp_path: Path) -> None:
    team = assign(tmp_path)
    (team / "bob.queue.jsonl").unlink()
    with pytest.raises(InputError, match="bob's queue is missing"):
        team_members(team)
    manifest = json.loads((team / "assignment.json").read_text(encoding="utf-8"))
    manifest["annotators"] = {"alice": {"queue": "../../etc/passwd", "store": "alice.jsonl"}}
    (team / "assignment.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError, match=r"annotators\.alice\.queue should be a file name in"):
        team_members(team)
    manifest["annotators"] = {}
    (team / "assignment.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError, match="names no annotators, so there are no queues to serve"):
        team_members(team)


def test_a_grant_runs_the_command_assign_prints_with_absolute_paths(tmp_path: Path) -> None:
    grant = annotate_grant("alice", [Path("team/alice.queue.jsonl")], Path("team/alice.jsonl"), Path("schema.yaml"))
    assert grant.name == "alice"
    command, queue, out, store, flag, name, schema_flag, schema = grant.argv
    assert (command, out, flag, name, schema_flag) == ("annotate", "--out", "--annotator", "alice", "--schema")
    assert Path(queue) == Path("team/alice.queue.jsonl").resolve() and Path(store) == Path("team/alice.jsonl").resolve()
    assert Path(schema).is_absolute()
    review = review_grant("dana", [Path("a.jsonl"), Path("b.jsonl")], Path("gold.jsonl"), Path("s.yaml"))
    assert review.argv[0] == "review" and review.argv[3:7] == ("--out", str(Path("gold.jsonl").resolve()), "--annotator", "dana")


@pytest.mark.parametrize("name", ["al\x1bice", "bob\x07", "eve\u202egnp", "tab\tbed", "a/b"])
def test_a_grant_refuses_a_name_with_control_characters(name: str) -> None:
    with pytest.raises(InputError, match="not a usable annotator name"):
        annotate_grant(name, [Path("q.jsonl")], Path("s.jsonl"), Path("schema.yaml"))
