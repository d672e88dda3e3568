"""Live reload: a schema edited on disk during a session is taken up at once, or refused with the validator's words."""

from __future__ import annotations

from pathlib import Path

from annotator.core.schema import default_schema_path, load_schema
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen

SIZE = (100, 32)


def schema_copy(tmp_path: Path) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_text(default_schema_path().read_text(encoding="utf-8"), encoding="utf-8")
    return path


def renamed_location(path: Path) -> None:
    """LOCATION becomes PLACE (renamed_from carries its spans over) on the same key."""
    text = path.read_text(encoding="utf-8")
    assert "- name: LOCATION\n" in text
    text = text.replace("LOCATION", "PLACE").replace("- name: PLACE\n", "- name: PLACE\n    renamed_from: [LOCATION]\n", 1)
    path.write_text(text, encoding="utf-8")


async def test_a_renamed_label_is_used_at_once_and_saved_spans_follow(workspace, notifications, tmp_path: Path) -> None:
    space = workspace()
    path = schema_copy(tmp_path)
    space.session.reload_schema(load_schema(path))
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", schema_path=path)
    sent = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):  # "In" "Syria"
            await pilot.press("right")
        await pilot.press("2")
        assert [s.label for s in space.session.annotation.spans] == ["LOCATION"]
        renamed_location(path)
        app.check_schema()
        await pilot.pause()
        assert [s.label for s in space.session.annotation.spans] == ["PLACE"], sent
        await pilot.press("right", "2")  # the key now tags PLACE
        assert "Schema reloaded" in [n.title for n in sent]
    labels = [s["label"] for s in space.saved()["a-strikes#0"]["spans"]]
    assert labels == ["PLACE", "PLACE"]


async def test_every_reload_puts_a_new_annotate_screen_on_top_and_drops_the_one_it_replaces(
        workspace, tmp_path: Path) -> None:
    """The annotate screen is the app's first screen (the stack's base, which stays below): each reload shows a new one."""
    space = workspace()
    path = schema_copy(tmp_path)
    space.session.reload_schema(load_schema(path))
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", schema_path=path)
    async with app.run_test(size=SIZE) as pilot:
        first = app.screen
        assert isinstance(first, AnnotateScreen) and len(app.screen_stack) == 1
        renamed_location(path)
        app.check_schema()
        await pilot.pause()
        second = app.screen
        path.write_text(path.read_text(encoding="utf-8").replace("PLACE", "SITE"), encoding="utf-8")
        app.check_schema()
        await pilot.pause()
        third = app.screen
        assert isinstance(third, AnnotateScreen) and len({id(first), id(second), id(third)}) == 3
        assert app.screen_stack == [first, third]
        assert not second.is_attached  # replaced, gone: only the first stays, below, as the stack's base
        await pilot.press("right", "right", "2")  # the key tags the label as the last schema names it
    assert [s["label"] for s in space.saved()["a-strikes#0"]["spans"]] == ["SITE"]


async def test_a_broken_schema_is_refused_with_its_line_and_the_last_good_one_kept(
        workspace, notifications, tmp_path: Path) -> None:
    space = workspace()
    path = schema_copy(tmp_path)
    space.session.reload_schema(load_schema(path))
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", schema_path=path)
    sent = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        path.write_text(path.read_text(encoding="utf-8").replace('key: "2"', 'key: "1"', 1), encoding="utf-8")
        app.check_schema()
        await pilot.pause()
        refused = [n for n in sent if n.title == "Schema not reloaded"]
        assert refused and f"{path}:" in refused[0].message and "last good schema" in refused[0].message
        await pilot.press("right", "right", "2")
    assert [s["label"] for s in space.saved()["a-strikes#0"]["spans"]] == ["LOCATION"]


async def test_a_span_whose_label_left_the_schema_is_kept_and_marked(workspace, tmp_path: Path) -> None:
    space = workspace()
    path = schema_copy(tmp_path)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl", schema_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right", "2")  # LOCATION on "Syria"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("LOCATION", "PLACE"), encoding="utf-8")  # no renamed_from: LOCATION is gone
        app.check_schema()
        await pilot.pause()
        span_list = app.screen.query_one("SpanList")
        assert "LOCATION (not in schema)" in "".join(s.text for s in span_list.render_line(0))
        await pilot.press("right", "1")  # other work goes on; the orphan stays in every save
    labels = sorted(s["label"] for s in space.saved()["a-strikes#0"]["spans"])
    assert labels == ["ACTOR", "LOCATION"]
