"""What the app does once its screen is first drawn: the collector, paused for the start, runs again."""

from __future__ import annotations

import gc

from annotator.tui.app import AnnotatorApp

SIZE = (100, 32)


async def test_the_collector_paused_for_the_start_runs_again_once_the_screen_is_drawn(workspace) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    gc.disable()  # as `annotator annotate` does from its start
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # what the start made is out of the full collections' way
            await pilot.press("right", "2")
    finally:
        gc.enable()
    assert [span["text"] for span in space.saved()["a-strikes#0"]["spans"]] == ["Syria"]
