"""An edit repaints only what changed: the screen it leaves is the screen drawn afresh.

The paragraph is wrapped again only where an edit moves its lines, the drawn lines and span
list rows that look the same are kept, and the label bar and status line are redrawn only
when their text changes. Each test edits through the keys, then compares the screen with the
one drawn from nothing (a change of theme and back draws every part again) and the wrapped
lines with those wrapping from nothing gives, and reads the store back.
"""

from __future__ import annotations

from rich.color import Color as RichColor
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBarRender
from textual.visual import RichVisual, Visual

from annotator.core.spans import Annotation, add_span, span_over_tokens
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.layout import crossing, layout_paragraph
from annotator.tui.widgets.panels import LabelBar, SpanList, TextLine
from annotator.tui.widgets.paragraph_view import ParagraphView
from annotator.tui.widgets.sizing import StripScrollBarRender

SIZE = (100, 40)  # the 140-word paragraph fits in its box (as tall as its text, up to 80% of the height)
JUST_FITS = (120, 32)  # the 140-word paragraph fills its box's room to within a line or two
WORDS = ("the", "militia", "said", "at", "least", "18", "people", "were", "killed", "in", "Deir", "el-Zour",
         "Islamic", "Revolutionary", "Guard", "Corps", "16,000", "fled", "according", "to", "officials")


def paragraph(words: int) -> str:
    return " ".join(WORDS[(5 * index) % len(WORDS)] + ("." if index % 13 == 12 else "") for index in range(words))


def unique_paragraph(words: int) -> str:
    """Words made unique by a number: the wrapping after an edit seldom falls back into step with the old."""
    return " ".join(f"{WORDS[(5 * index) % len(WORDS)]}{index}" for index in range(words))


def with_spans(space, every: int) -> int:
    """A span on every `every`-th word of the open paragraph, some nested; how many.

    Tagging here must change only the spans it makes, so occurrence suggestions (which a tag
    adds at the text's other places, tested in test_suggestions_screen.py) are off.
    """
    session = space.session
    session.suggests_occurrences = False
    words = [token.id for token in session.tokens if not token.text.isspace()]
    annotation = Annotation()
    for number, first in enumerate(words[::every]):
        if first + 1 >= len(session.tokens):
            break
        if number % 5 == 0:
            annotation = add_span(annotation, span_over_tokens(session.tokens, first, first + 2, "ATTRIBUTION"))
        annotation = add_span(annotation, span_over_tokens(session.tokens, first, first, "ACTOR"))
    session.replace(annotation)
    return len(annotation.spans)


async def drawn_afresh(app: AnnotatorApp, pilot) -> str:
    """The screen as drawing every part again gives it: a change of theme and back drops every drawn line."""
    theme = app.theme
    app.theme = "textual-light" if theme != "textual-light" else "textual-dark"
    await pilot.pause()
    app.theme = theme
    await pilot.pause()
    return app.export_screenshot()


def assert_wrapped_as_from_scratch(app: AnnotatorApp) -> None:
    """The lines an edit left are those wrapping the paragraph from nothing gives."""
    screen = app.screen
    view = screen.query_one(ParagraphView)
    session = screen.session
    spans = session.annotation.spans
    fresh = layout_paragraph(session.paragraph.text, session.tokens, spans, view.scrollable_content_region.width,
                             opened=crossing(spans))
    assert [line.fragments for line in view.layout_lines.lines] == [line.fragments for line in fresh.lines]


def free_words(space) -> tuple[list[int], list[int]]:
    """The movable tokens no span covers, and all movable tokens, in order."""
    session = space.session
    covered = {index for span in session.annotation.spans for index in range(span.token_start, span.token_end + 1)}
    movable = [token.id for token in session.tokens if not token.text.isspace()]
    return [index for index in movable if index not in covered], movable


async def edit_and_compare(app: AnnotatorApp, pilot, steps: list[list[str]]) -> None:
    for keys in steps:
        await pilot.press(*keys)
        await pilot.pause()
        assert_wrapped_as_from_scratch(app)
        drawn = app.export_screenshot()
        assert drawn == await drawn_afresh(app, pilot), f"after {keys[:3]} the screen differs from a fresh drawing"


# Tag a word no span covers, relabel it, delete it, tag it again and undo that: each step changes the
# wrapping after the word (a tag is inserted, gets longer or shorter, goes), the span list and the counts.
CYCLE = [["2"], ["3"], ["backspace"], ["4"], ["ctrl+z"]]


async def test_edits_anywhere_in_a_paragraph_leave_the_screen_a_fresh_drawing_shows(workspace) -> None:
    space = workspace({"long": [paragraph(140)]})
    spans = with_spans(space, 4)
    free, movable = free_words(space)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        assert len(view.layout_lines.lines) > 15 and view.max_scroll_y == 0  # many lines, all in view
        steps: list[list[str]] = []
        for word in (free[0], free[len(free) // 3], free[2 * len(free) // 3], free[-1]):  # top, middle, end
            steps += [["home"], ["right"] * movable.index(word), *CYCLE]
        steps += [["tab"], ["2"], ["ctrl+z"], ["ctrl+y"], ["ctrl+z"]]  # relabel a span, undo, redo, undo
        # An attribution over a dozen words and the actors in them: it tints lines that hold no tag of it.
        steps += [["home"], ["right"] * 5, ["shift+right"] * 12, ["4"], ["ctrl+z"]]
        await edit_and_compare(app, pilot, steps)
    saved = space.saved()["long#0"]
    assert len(saved["spans"]) == spans  # every step was taken back by the one after it
    assert all(saved["text"][span["start"]:span["end"]] == span["text"] for span in saved["spans"])


async def test_edits_in_a_scrolled_paragraph_and_a_scrolled_span_list(workspace) -> None:
    space = workspace({"long": [paragraph(700)]})
    spans = with_spans(space, 3)
    free, movable = free_words(space)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("end", *["left"] * (len(movable) - 1 - movable.index(free[-3])))
        await pilot.pause()
        assert app.screen.query_one(ParagraphView).scroll_offset.y > 0
        await edit_and_compare(app, pilot, CYCLE)
    assert len(space.saved()["long#0"]["spans"]) == spans


async def test_a_paragraph_that_fits_has_no_scrollbar_after_the_terminal_narrows_and_widens(workspace) -> None:
    space = workspace({"long": [paragraph(140)]})
    with_spans(space, 4)
    free, movable = free_words(space)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=JUST_FITS) as pilot:
        await pilot.press("home", *["right"] * movable.index(free[len(free) // 3]), "2")
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        assert not view.show_vertical_scrollbar
        await pilot.resize_terminal(JUST_FITS[0] - 7, JUST_FITS[1])
        await pilot.pause()
        assert view.show_vertical_scrollbar  # narrower, it needs more lines than there are rows
        await pilot.resize_terminal(*JUST_FITS)
        await pilot.pause()
        assert not view.show_vertical_scrollbar
        assert len(view.layout_lines.lines) <= view.scrollable_content_region.height
        assert_wrapped_as_from_scratch(app)


def line_adding_word(app: AnnotatorApp, free: list[int]) -> int:
    """A word near the top of the paragraph whose tag makes the wrapped paragraph a line longer."""
    session = app.screen.session
    width = app.screen.query_one(ParagraphView).scrollable_content_region.width

    def line_count(annotation: Annotation) -> int:
        spans = annotation.spans
        return len(layout_paragraph(session.paragraph.text, session.tokens, spans, width, opened=crossing(spans)).lines)

    lines = line_count(session.annotation)
    return next(word for word in free[:40] if line_count(
        add_span(session.annotation, span_over_tokens(session.tokens, word, word, "LOCATION"))) != lines)


async def test_an_edit_repaints_no_row_outside_the_parts_it_changes(workspace) -> None:
    """Lines of the paragraph scrolled out below its box are not repainted (Textual would repaint the rows
    under the box instead), and one span more moves the span list's thumb by a cell or two, not the bar."""
    space = workspace({"long": [unique_paragraph(700)]})
    spans = with_spans(space, 3)
    free, movable = free_words(space)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        view, span_list = screen.query_one(ParagraphView), screen.query_one(SpanList)
        assert view.max_scroll_y > 0 and span_list.max_scroll_y > 0
        repainted: list[list[Region]] = []
        render_update = screen._compositor.render_update

        def recording_render_update(*args, **kwargs):  # the rows the frame repaints, before it clears them
            repainted.append(list(screen._compositor._dirty_regions))
            return render_update(*args, **kwargs)

        screen._compositor.render_update = recording_render_update
        bar = span_list.vertical_scrollbar.region
        await pilot.press(*["right"] * movable.index(line_adding_word(app, free)))
        await pilot.pause()
        for key in ("2", "backspace", "2", "ctrl+z"):  # the wrapping moves every line below the word
            repainted.clear()
            lines = len(view.layout_lines.lines)
            await pilot.press(key)
            await pilot.pause()
            assert len(view.layout_lines.lines) != lines, f"{key} should move the lines below it"
            parts = [view.region, span_list.region, screen.query_one(LabelBar).region,
                     screen.query_one("#status", TextLine).region]
            for region in (region for frame in repainted for region in frame):
                assert any(part.contains_region(region) for part in parts), f"{key} repainted {region}"
                if bar.contains_region(region):
                    assert region.height <= 2, f"{key} repainted {region.height} cells of the span list's bar"
        assert span_list.scroll_offset.y == 0  # the list did not scroll: its bar's thumb only grew or shrank
        assert_wrapped_as_from_scratch(app)
        assert app.export_screenshot() == await drawn_afresh(app, pilot)
    assert len(space.saved()["long#0"]["spans"]) == spans


async def test_a_scrollbar_draws_the_cells_textual_draws_for_it(workspace) -> None:
    """StripScrollBarRender skips Rich's console; each cell must still be Textual's own, glyph, colours and
    click target (the segments' meta) alike, at every length, window and position of the thumb."""
    space = workspace({"long": [paragraph(600)]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(ParagraphView).vertical_scrollbar
        style = bar.visual_style
        colors = Style.from_color(RichColor.parse("#aa3355"), RichColor.parse("#102030"))
        cases = [(virtual, window, position, vertical, thickness)  # the states a ScrollBar asks for
                 for virtual in (35, 97, 500) for window in (0, 5, 34)
                 for position in (0, 0.4, 7.3, virtual - window) for vertical, thickness in ((True, 2), (False, 1))]
        for virtual, window, position, vertical, thickness in cases:
            arguments = dict(virtual_size=virtual, window_size=window, position=position, thickness=thickness,
                             vertical=vertical, style=colors)
            width, height = (thickness, 34) if vertical else (40, thickness)
            ours = Visual.to_strips(bar, StripScrollBarRender(**arguments), width, height, style)
            textuals = Visual.to_strips(bar, RichVisual(bar, ScrollBarRender(**arguments)), width, height, style)
            assert [list(strip) for strip in ours] == [list(strip) for strip in textuals], arguments
            assert [strip.cell_length for strip in ours] == [strip.cell_length for strip in textuals]
