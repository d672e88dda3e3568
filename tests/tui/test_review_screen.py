"""The review screen driven by its real keys; what counts is the gold JSONL on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.schema import default_schema_path, load_schema
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize
from annotator.team.merge import read_team
from annotator.team.review import GoldReview, plan_review
from annotator.tui.app import ReviewApp
from annotator.tui.screens.review import CandidateList, ReviewScreen
from annotator.tui.widgets.panels import TextLine
from annotator.tui.widgets.paragraph_view import ParagraphView

SIZE = (110, 34)
FIRST = "Rebels shelled Aleppo and Homs on Friday, killing 16 people."
SECOND = "Troops crossed the border at dawn near Qamishli, residents said."
THIRD = "Nobody was hurt."
REBELS, ALEPPO, HOMS, ALEPPO_HOMS, DEAD = (
    (0, 6, "ACTOR"), (15, 21, "LOCATION"), (26, 30, "LOCATION"), (15, 30, "LOCATION"), (50, 59, "CASUALTY"))
TROOPS, QAMISHLI = (0, 6, "ACTOR"), (39, 47, "LOCATION")


def record(pid: str, text: str, spans: list[tuple[int, int, str]], annotator: str, answer: str = "accept") -> dict:
    tokens = tokenize(text)
    return {
        "id": pid, "text": text, "answer": answer, "_annotator_id": annotator, "_timestamp": 1_700_000_000,
        "tokens": [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws} for t in tokens],
        "spans": [{"start": s, "end": e, "label": label, "text": text[s:e], "id": f"s{n}",
                   "token_start": min(t.id for t in tokens if t.start < e and s < t.end),
                   "token_end": max(t.id for t in tokens if t.start < e and s < t.end)}
                  for n, (s, e, label) in enumerate(spans)],
        "meta": {"article_id": "a", "paragraph": int(pid.partition("#")[2]), "char_offset": 0, "source": "a.txt"},
    }


class Team:
    """Three stores of the same three paragraphs and a gold store path; the review is opened per test."""

    def __init__(self, root: Path) -> None:
        self.gold = root / "gold.jsonl"
        self.stores = []
        versions = {
            "alice": [[REBELS, ALEPPO, HOMS, DEAD], [TROOPS, QAMISHLI], []],
            "bob": [[REBELS, ALEPPO_HOMS, DEAD], [TROOPS], []],
            "carol": [[REBELS, ALEPPO, HOMS], [TROOPS, QAMISHLI], []],
        }
        for name, paragraphs in versions.items():
            path = root / f"{name}.jsonl"
            with Store(path) as store:
                for index, (text, spans) in enumerate(zip((FIRST, SECOND, THIRD), paragraphs)):
                    store.append(record(f"a#{index}", text, spans, name))
            self.stores.append(path)
        self.schema = load_schema(default_schema_path())
        self.store: Store | None = None

    def app(self) -> ReviewApp:
        self.store = Store(self.gold)
        review = GoldReview(plan_review(read_team(self.stores)), self.store, "dana", self.schema.ref)
        return ReviewApp(review, self.schema, gold_path=str(self.gold))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def latest(self) -> dict[str, dict]:
        return read_store(self.gold).latest if self.gold.exists() else {}

    def lines(self) -> list[dict]:
        return read_store(self.gold).records if self.gold.exists() else []


@pytest.fixture
def team(tmp_path: Path):
    made = Team(tmp_path)
    yield made
    made.close()


def keys_of(record: dict) -> set[tuple[int, int, str]]:
    return {(s["start"], s["end"], s["label"]) for s in record["spans"]}


def screen(app: ReviewApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_enter_saves_the_agreed_spans_with_provenance_and_opens_the_next(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        assert screen(app).item.id == "a#0"
        await pilot.press("enter")
        assert screen(app).item.id == "a#1"
    gold = team.latest()["a#0"]
    assert keys_of(gold) == {REBELS}  # the only span all three have
    assert gold["answer"] == "accept" and gold["_annotator_id"] == "dana"
    assert gold["spans"][0]["agreed_by"] == ["alice", "bob", "carol"]
    assert set(gold["_review"]["versions"]) == {"alice", "bob", "carol"}


async def test_a_number_takes_that_annotators_whole_version(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "enter")
    gold = team.latest()["a#0"]
    assert keys_of(gold) == {REBELS, ALEPPO_HOMS, DEAD}
    assert {s["text"]: s["agreed_by"] for s in gold["spans"]} == {
        "Rebels": ["alice", "bob", "carol"], "Aleppo and Homs": ["bob"], "16 people": ["alice", "bob"]}


async def test_arrows_and_space_toggle_candidate_spans(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        review_screen = screen(app)
        candidates = review_screen.item.candidates
        assert candidates[review_screen.highlighted].key == ALEPPO_HOMS  # the first disputed span
        await pilot.press("down", "space", "down", "space")  # Aleppo and Homs (alice, carol)
        assert review_screen.chosen == {REBELS, ALEPPO, HOMS}
        assert app.screen.query_one(CandidateList).chosen == review_screen.chosen
        await pilot.press("up", "space")  # Aleppo out again
        await pilot.press("enter")
    assert keys_of(team.latest()["a#0"]) == {REBELS, HOMS}


async def test_x_rejects_and_page_keys_move_without_saving(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "pagedown")
        assert screen(app).item.id == "a#1" and team.lines() == []
        await pilot.press("pageup")
        assert screen(app).chosen == {REBELS}  # the choice made before moving was not kept
        await pilot.press("x")
        assert screen(app).item.id == "a#1"
    gold = team.latest()["a#0"]
    assert gold["answer"] == "reject" and gold["spans"] == []


async def test_ctrl_z_undoes_the_last_gold_write_and_reopens_its_paragraph(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        assert screen(app).item.id == "a#2"
        await pilot.press("ctrl+z")
        assert screen(app).item.id == "a#1"
        assert "undone (a#1)" in str(app.screen.query_one("#status").render())
    lines = team.lines()
    assert [(line["id"], line["_action"]) for line in lines] == [("a#0", "edit"), ("a#1", "edit"), ("a#1", "undo")]
    assert "answer" not in lines[-1]  # back to undecided: a#1 is to review again
    assert team.latest()["a#0"]["answer"] == "accept"


async def test_resuming_opens_the_first_paragraph_gold_lacks(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
    team.close()
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        assert screen(app).item.id == "a#1"
        title = str(app.screen.query_one("#title").render())
        assert "paragraph 2 of 3 to review" in title and "1 in gold" in title
        assert "agreement so far 20% (1 of 5 spans unanimous)" in title
        await pilot.press("pageup")
        assert screen(app).chosen == {REBELS}  # what gold holds for a#0
        await pilot.press("q")
    assert len(team.lines()) == 1


async def test_agreed_and_disputed_spans_are_drawn_apart(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        drawn = "\n".join(view.render_line(y).text for y in range(3))
        assert "Rebels[ACTOR]" in drawn  # unanimous and in gold
        assert "[LOCATION 1/3?]" in drawn  # bob's Aleppo and Homs: one of three, left out
        assert "[CASUALTY 2/3?]" in drawn
        await pilot.press("3")
        drawn = "\n".join(view.render_line(y).text for y in range(3))
        assert "[LOCATION 2/3]" in drawn and "[CASUALTY 2/3?]" in drawn
        rows = [app.screen.query_one(CandidateList).render_line(y).text for y in range(5)]
        assert rows[0].startswith("■ ACTOR Rebels") and rows[0].rstrip().endswith("all")
        assert rows[1].startswith("□ LOCATION Aleppo and Homs") and rows[1].rstrip().endswith("bob")


async def test_help_lists_the_review_keys_and_the_guidelines_without_label_keys(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        rows = {row.binding_id: row.keys for row in help_screen.keys}
        assert rows["review.take_1"] == ["1"] and rows["review.toggle"] == ["space"]
        assert rows["review.undo"] == ["^z"] and "review.accept" in rows
        assert all(label.key == "" for label in help_screen.schema.labels)  # 1..9 take versions here
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_quitting_with_an_unsaved_choice_asks_for_a_second_q(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "q")
        assert app.is_running and "not saved" in str(app.screen.query_one("#status").render())
        await pilot.press("q")
        assert not app.is_running
    assert team.lines() == []


async def test_a_click_on_a_span_highlights_its_candidate(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        review_screen = screen(app)
        view = app.screen.query_one(ParagraphView)
        homs = next(t.id for t in review_screen.item.tokens if t.text == "Homs")
        view.post_message(ParagraphView.Pointed(view, homs, None, True))
        await pilot.pause()
        assert review_screen.highlighted_candidate.key == HOMS  # the innermost span there
        view.post_message(ParagraphView.Pointed(view, homs, None, True))
        await pilot.pause()
        assert review_screen.highlighted_candidate.key == ALEPPO_HOMS  # a second click: the next one out
        await pilot.press("space", "enter")
    assert keys_of(team.latest()["a#0"]) == {REBELS, ALEPPO_HOMS}


async def test_a_click_on_a_candidate_row_highlights_that_row_and_space_toggles_it(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        review_screen = screen(app)
        rows = review_screen.item.candidates
        wanted = next(index for index, candidate in enumerate(rows) if candidate.key == HOMS)
        await pilot.click(CandidateList, offset=(4, 1 + wanted))  # 1: the border's row
        assert review_screen.highlighted_candidate.key == HOMS  # it used to highlight the row below
        chosen = set(review_screen.chosen)
        assert HOMS not in chosen  # bob did not tag it
        await pilot.press("space", "enter")
    assert keys_of(team.latest()["a#0"]) == {*chosen, HOMS}


async def test_the_paragraph_border_says_when_the_choice_on_screen_is_not_saved(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ParagraphView)
        assert view.border_subtitle == "not in gold yet"
        await pilot.press("2")
        assert view.border_subtitle == "not in gold yet · choice changed, not saved"
        await pilot.press("enter", "pageup")
        assert view.border_subtitle == "gold: ✓ accepted"
        await pilot.press("1")
        assert view.border_subtitle == "gold: ✓ accepted · choice changed, not saved"
        await pilot.press("r")  # back to bob's version, which gold holds
        assert view.border_subtitle == "gold: ✓ accepted" and screen(app).chosen == {REBELS, ALEPPO_HOMS, DEAD}


async def test_shift_a_saves_every_paragraph_everyone_did_alike(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert screen(app).item.id == "a#0"  # a#0 and a#1 are disputed; a#2 (no spans anywhere) was saved
        assert "1 paragraph everyone agreed on saved" in str(app.screen.query_one("#status").render())
    assert {pid: r["answer"] for pid, r in team.latest().items()} == {"a#2": "accept"}


async def test_version_keys_stop_at_the_last_annotator_and_are_listed_by_name(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        before = screen(app).chosen
        await pilot.press("4", "9")  # three annotators: nothing to take
        assert screen(app).chosen == before and app.is_running
        rows = {row.binding_id: row for row in screen(app).key_list()}
        assert [rows[f"review.take_{n}"].title for n in (1, 2, 3)] == ["Take alice", "Take bob", "Take carol"]
        assert "review.take_4" not in rows and rows["review.toggle"].action == "toggle_candidate"
        await pilot.press("3")
        assert screen(app).preferred == "carol"


async def test_the_command_palette_lists_the_review_keys(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Take bob")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert screen(app).preferred == "bob"


async def test_at_80x24_the_candidates_sit_under_the_paragraph_with_whole_texts_and_names(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        candidates, view = app.screen.query_one(CandidateList), app.screen.query_one(ParagraphView)
        assert candidates.region.y >= view.region.bottom and candidates.region.width == 80
        rows = [candidates.render_line(y).text for y in range(len(screen(app).item.candidates))]
        assert any("LOCATION Aleppo and Homs" in row and row.rstrip().endswith("bob") for row in rows)
        assert any(row.rstrip().endswith("alice carol") for row in rows)  # whole names, not "ali car"
        legend = str(app.screen.query_one("#legend").render())
        assert len(legend) <= 78 and legend.endswith("2 of 3 proposed it")  # parts that do not fit are left out whole
        title = str(app.screen.query_one("#title").render())
        assert "paragraph 1 of 3 to review" in title and "nothing" not in title  # not "agreement so far: nothing"
        await pilot.press("down", "space", "enter")
    assert "a#0" in team.latest()


async def test_a_new_theme_recolours_the_title_and_status_lines(team: Team) -> None:
    app = team.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = screen(app).query_one("#status", TextLine)
        before = {segment.style.bgcolor for segment in status.render_line(0) if segment.style}
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = {segment.style.bgcolor for segment in status.render_line(0) if segment.style}
        assert after == {status.rich_style.bgcolor} and after != before
