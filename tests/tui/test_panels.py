"""The span list beside the paragraph: its scrollbar follows the number of spans, appearing and going;
its squares have the colours the label bar and the paragraph draw."""

from __future__ import annotations

import json

from rich.text import Text
from textual.color import Color

from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.panels import LabelBar, SpanList, TextLine
from annotator.tui.widgets.paragraph_view import ParagraphView

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


def colour_of(strips, text: str, *, background: bool) -> Color:
    """The colour (fore- or background) of the first drawn segment holding `text`."""
    for strip in strips:
        for segment in strip:
            if text in segment.text and segment.style is not None:
                color = segment.style.bgcolor if background else segment.style.color
                assert color is not None, (text, segment)
                return Color.from_rich_color(color)
    raise AssertionError(f"{text!r} not drawn")


async def test_a_label_has_one_colour_in_the_span_list_the_label_bar_and_the_paragraph(workspace) -> None:
    space = workspace({"one": ["Iran struck Tyre, killing seven, officials said."]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "right", "right", "2", "right", "right", "right", "3")  # ACTOR Iran, LOCATION Tyre, ...
        swatches = []
        for theme in (app.theme, "textual-light" if app.theme != "textual-light" else "textual-dark"):
            app.theme = theme  # a new theme: new tints, the same in the three places
            await pilot.pause()
            screen = app.screen
            span_list, bar, view = screen.query_one(SpanList), screen.query_one(LabelBar), screen.query_one(ParagraphView)
            squares = [span_list.render_line(y) for y in range(len(space.session.annotation.spans))]
            paragraph = [view.render_line(y) for y in range(view.scrollable_content_region.height)]
            labels = [bar.render_line(0)]
            first_theme = not swatches
            for (word, label), square in zip((("Iran", "ACTOR"), ("Tyre", "LOCATION"), ("seven", "CASUALTY")), squares,
                                             strict=True):
                schema_colour = Color.parse(next(lab.color for lab in space.session.schema.labels if lab.name == label))
                key = next(lab.key for lab in space.session.schema.labels if lab.name == label)
                shown = colour_of([square], "■", background=False)
                assert shown == colour_of(paragraph, word, background=True)  # the tint the span is drawn on
                assert shown == colour_of(labels, f" {key} ", background=True)  # the label bar's swatch
                if first_theme:  # the dark default (on a light theme a tint may be the colour itself)
                    assert shown != schema_colour  # not the schema's colour, which no other place draws
                swatches.append(shown)
        assert swatches[:3] != swatches[3:]  # the second theme's tints are its own


async def test_an_empty_span_list_shows_a_one_line_hint_and_leaves_the_rows_to_the_paragraph(workspace) -> None:
    space = workspace({"one": ["Iran struck Tyre, killing seven, officials said."]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        span_list = app.screen.query_one(SpanList)
        assert span_list.region.height == 3  # the border and the hint's one row
        hint = "".join(segment.text for segment in span_list.render_line(0)).strip()
        assert hint == "no spans yet · e selects a name · 1-4 tags"
        drawn = [segment for segment in span_list.render_line(0) if segment.text.strip()]
        assert drawn and all(segment.style and segment.style.dim and segment.style.italic for segment in drawn)
        await pilot.press("1")  # ACTOR Iran: the list grows for its rows
        await pilot.pause()
        assert span_list.region.height > 3
        assert "ACTOR Iran" in "".join(segment.text for segment in span_list.render_line(0))
        await pilot.press("backspace")
        await pilot.pause()
        assert span_list.region.height == 3 and not space.session.annotation.spans
    saved = [json.loads(line) for line in space.store_path.read_text().splitlines()]
    assert [len(line["spans"]) for line in saved[-2:]] == [1, 0]  # the tag and its deletion were both saved


async def test_a_line_too_long_for_its_width_ends_in_an_ellipsis_on_its_background(workspace) -> None:
    space = workspace({"one": ["Iran struck Tyre."]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=(60, 20)) as pilot:
        title = app.screen.query_one("#title", TextLine)
        title.show(Text("A headline far longer than sixty cells, about the strikes on Tyre and Sidon",
                        style="bold", no_wrap=True, overflow="ellipsis"))
        await pilot.pause()
        width = title.content_region.width
        line = title.render_line(0)
        assert line.cell_length == width
        assert "".join(segment.text for segment in line).endswith("…")
        assert all(segment.style and segment.style.bold for segment in line)  # the text's own style, not dropped
        title.show(Text("Short"))
        await pilot.pause()
        line = title.render_line(0)
        assert "".join(segment.text for segment in line) == "Short".ljust(width)
        assert {segment.style.bgcolor for segment in line if segment.style} == {title.rich_style.bgcolor}
