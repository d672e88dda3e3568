"""What the app does once its screen is first drawn: the cycle collector, paused for the start,
runs between keys from then on (`IdleCollector`), and as Python runs it once the app has gone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from annotator.tui.app import AnnotatorApp, IdleCollector

SIZE = (100, 32)


@pytest.fixture
def passes() -> Iterator[list[int]]:
    """The generation of each collector pass while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)
    gc.unfreeze()
    gc.enable()


async def test_after_the_first_paint_the_collector_waits_for_a_pause_and_is_back_once_the_app_has_gone(
        workspace, passes: list[int]) -> None:
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    gc.disable()  # as `annotator annotate` does from its start
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not gc.isenabled()  # no pass in the middle of a key
        assert gc.get_freeze_count() > 0  # what the start made is out of every pass's way
        before = app.collector.last_key
        await pilot.press("right", "2")
        assert app.collector.last_key > before  # a pause is counted from the last key
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert [span["text"] for span in space.saved()["a-strikes#0"]["spans"]] == ["Syria"]


def test_a_pass_runs_after_a_pause_with_enough_made_and_not_while_keys_come(passes: list[int]) -> None:
    collector = IdleCollector()
    collector.start()
    made = [[index] for index in range(IdleCollector.ENOUGH_MADE * 2)]  # objects the collector tracks
    collector.key_pressed()
    collector.tick()
    assert passes == []  # a key has just come
    collector.last_key -= IdleCollector.IDLE_SECONDS  # as if no key had come for that long
    collector.tick()
    assert passes == [2]  # one full pass
    collector.tick()
    assert passes == [2]  # nothing made since: no pass
    assert len(made) == IdleCollector.ENOUGH_MADE * 2


def test_keys_without_a_pause_still_get_a_pass_once_far_too_much_is_made(passes: list[int]) -> None:
    collector = IdleCollector()
    collector.start()
    made = [[index] for index in range(IdleCollector.TOO_MUCH_MADE + 1_000)]
    collector.key_pressed()
    collector.tick()
    assert passes == [2]
    assert len(made) == IdleCollector.TOO_MUCH_MADE + 1_000
