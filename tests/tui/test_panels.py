"""The span list beside the paragraph: its scrollbar follows the number of spans, appearing and going."""

from __future__ import annotations

from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.panels import SpanList

SIZE = (100, 20)
WORDS = [f"word{i}" for i in range(40)]


async def test_the_span_list_scrollbar_follows_the_spans_and_goes_when_they_fit(workspace) -> None:
    space = workspace({"many": [" ".join(WORDS) + "."]})
    session = space.session
    words = [token.id for token in session.tokens if not token.text.isspace()]
    for token in words[:30]:
        session.tag_tokens(token, token, "ACTOR")
    app = AnnotatorApp(session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        span_list = app.screen.query_one(SpanList)
        window = span_list.scrollable_content_region.height
        assert 0 < window < 29
        count = 30
        while count > window:
            assert span_list.show_vertical_scrollbar
            assert span_list.virtual_size.height == count
            assert span_list.vertical_scrollbar.window_virtual_size == count  # the thumb's length follows
            await pilot.press("backspace", "right")  # delete the span under the cursor, go to the next word
            count -= 1
            assert len(session.annotation.spans) == count
        await pilot.pause()
        assert span_list.virtual_size.height == window and not span_list.show_vertical_scrollbar
        await pilot.press("end", "1")  # one more span than the window holds: the scrollbar is back
        await pilot.pause()
        assert span_list.virtual_size.height == window + 1 and span_list.show_vertical_scrollbar
        assert span_list.vertical_scrollbar.window_virtual_size == window + 1
