"""Suggestions on the annotate screen, driven by the real keys: `A`, `tab`, `backspace`, occurrences and `O`.

Each test presses keys and reads the store file back (issue 13, "In the screen").
"""

from __future__ import annotations

from dataclasses import replace

from test_annotate import SIZE, annotate, make_app, press_to, saved_spans

from annotator.core.spans import Annotation, Span, span_over_tokens
from annotator.core.store import read_store
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.panels import SpanList, short_source

ARTICLE = {
    "a-strikes": [
        "Hezbollah said the strike on Tyre killed three people.",
        "Residents of Tyre fled; Hezbollah denied it. Tyrell was not hit.",
        "Tyre was quiet by evening.",
    ],
}


def suggestion(session, word: str, label: str, source: str = "patterns:test.jsonl", score: float | None = None) -> Span:
    index = next(t.id for t in session.tokens if t.text == word)
    return replace(span_over_tokens(session.tokens, index, index, label), suggested=True, source=source, score=score)


def suggest_in_open_paragraph(space, *spans: Span) -> None:
    annotation = Annotation()
    for number, span in enumerate(spans, start=1):
        annotation = replace(annotation, spans=(*annotation.spans, replace(span, id=f"s{number}")))
    space.session.replace(annotation)


def suggested_flags(space, paragraph_id: str) -> list[tuple[str, str, bool]]:
    record = space.saved()[paragraph_id]
    return [(span["label"], span["text"], bool(span.get("suggested"))) for span in record["spans"]]


async def test_A_accepts_every_suggestion_of_the_paragraph_in_one_store_line(workspace):
    space = workspace(ARTICLE)
    session = space.session
    suggest_in_open_paragraph(space, suggestion(session, "Hezbollah", "ACTOR"), suggestion(session, "Tyre", "LOCATION"))
    lines = space.saved_lines()
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert "accepted 2 suggestion" in str(app.screen.query_one("#status").render())
    # one line for the paragraph's acceptance, written last; before it, the two other paragraphs got the
    # accepted texts suggested at their occurrences, as a tag's are
    assert space.saved_lines() == lines + 3
    written = read_store(space.store_path).lines
    assert [written[index].id for index in range(lines, lines + 3)] == ["a-strikes#1", "a-strikes#2", "a-strikes#0"]
    assert suggested_flags(space, "a-strikes#0") == [("ACTOR", "Hezbollah", False), ("LOCATION", "Tyre", False)]
    sources = [span["source"] for span in space.saved()["a-strikes#0"]["spans"]]
    assert sources == ["patterns:test.jsonl", "patterns:test.jsonl"]  # accepted, still saying where it came from


async def test_tab_stops_on_suggestions_first_and_on_every_span_once_none_is_left(workspace):
    space = workspace(ARTICLE)
    session = space.session
    killed = next(t.id for t in session.tokens if t.text == "killed")
    manual = span_over_tokens(session.tokens, killed, killed, "CASUALTY")
    suggest_in_open_paragraph(space, suggestion(session, "Hezbollah", "ACTOR"), manual,
                              suggestion(session, "people", "CASUALTY"))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        screen = annotate(app)
        await pilot.press("tab")
        assert screen.selected_span().suggested and screen.tokens[screen.cursor].text == "Hezbollah"
        await pilot.press("tab")
        assert screen.tokens[screen.cursor].text == "people"  # the manual span in between is passed over
        await pilot.press("tab")
        assert screen.tokens[screen.cursor].text == "Hezbollah"
        await pilot.press("shift+tab")
        assert screen.tokens[screen.cursor].text == "people"
        await pilot.press("A", "home", "tab", "tab")
        assert screen.tokens[screen.cursor].text == "killed"  # no suggestion left: every span again


async def test_backspace_rejects_a_suggestion_and_keeps_it_as_rejected_from_its_source(workspace):
    space = workspace(ARTICLE)
    session = space.session
    suggest_in_open_paragraph(space, suggestion(session, "Hezbollah", "ACTOR"),
                              suggestion(session, "Tyre", "LOCATION", source="model:ner-v1", score=0.42))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", "backspace")
        assert "rejected LOCATION" in str(app.screen.query_one("#status").render())
    record = space.saved()["a-strikes#0"]
    assert saved_spans(space, "a-strikes#0") == [("ACTOR", "Hezbollah")]
    tyre = record["text"].index("Tyre")
    assert record["meta"]["rejected_spans"] == [
        {"start": tyre, "end": tyre + 4, "label": "LOCATION", "text": "Tyre", "source": "model:ner-v1"}]


async def test_backspace_on_a_span_of_ones_own_still_deletes_it_without_a_rejection(workspace):
    space = workspace(ARTICLE)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "three")
        await pilot.press("3", "backspace")
    record = space.saved()["a-strikes#0"]
    assert record["spans"] == [] and "rejected_spans" not in record["meta"]


async def test_a_rejection_survives_a_later_edit_and_undo_brings_the_suggestion_back(workspace):
    space = workspace(ARTICLE)
    session = space.session
    suggest_in_open_paragraph(space, suggestion(session, "Tyre", "LOCATION"))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "backspace", "home")
        await press_to(pilot, app, "Hezbollah")
        await pilot.press("1")
        assert len(space.saved()["a-strikes#0"]["meta"]["rejected_spans"]) == 1
        # back through the tag, its occurrence suggestion in the next paragraph, and the rejection
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")
    record = space.saved()["a-strikes#0"]
    assert space.saved()["a-strikes#1"]["spans"] == []
    assert suggested_flags(space, "a-strikes#0") == [("LOCATION", "Tyre", True)]
    assert "rejected_spans" not in record["meta"]


async def test_the_span_list_shows_each_suggestions_source_and_score(workspace):
    space = workspace(ARTICLE)
    session = space.session
    suggest_in_open_paragraph(space, suggestion(session, "Hezbollah", "ACTOR", source="model:ner", score=0.873),
                              suggestion(session, "Tyre", "LOCATION"))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        span_list = app.screen.query_one(SpanList)
        rows = [span_list.render_line(row).text for row in range(2)]
    assert rows[0].startswith("■ ACTOR? 0.87 Hezbollah  model:ner")
    assert rows[1].startswith("■ LOCATION? Tyre  patterns:test")
    assert short_source("patterns:news-conflict.patterns.jsonl") == "patterns:news-conflict"
    assert short_source("occurrence") == "occurrence" and short_source("model:ner-v1") == "model:ner-v1"


async def test_tagging_suggests_the_label_at_every_other_whole_word_occurrence_saved_at_once(workspace):
    space = workspace(ARTICLE)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press("2")
        assert "2 more suggested: O tags all" in str(app.screen.query_one("#status").render())
    # On disk before any quit: the other paragraphs' records hold the suggestions ("Tyrell" is not "Tyre").
    saved = space.saved()
    assert suggested_flags(space, "a-strikes#1") == [("LOCATION", "Tyre", True)]
    assert suggested_flags(space, "a-strikes#2") == [("LOCATION", "Tyre", True)]
    assert saved["a-strikes#1"]["spans"][0]["source"] == "occurrence"
    assert "answer" not in saved["a-strikes#1"]
    assert suggested_flags(space, "a-strikes#0") == [("LOCATION", "Tyre", False)]


async def test_occurrences_skip_decided_paragraphs_and_forbidden_overlaps(workspace):
    space = workspace(ARTICLE)
    session = space.session
    session.next_paragraph()
    tyre = next(t.id for t in session.tokens if t.text == "Tyre")
    session.tag_tokens(tyre - 2, tyre, "ACTOR")  # "Residents of Tyre": LOCATION may not overlap an ACTOR
    session.next_paragraph()
    session.decide("accept")
    session.open(session.find("a-strikes#0"))
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press("2")
    assert saved_spans(space, "a-strikes#1") == [("ACTOR", "Residents of Tyre")]
    assert saved_spans(space, "a-strikes#2") == []


async def test_O_accepts_the_occurrence_suggestions_of_the_article_and_undo_takes_the_open_paragraph_first(workspace):
    space = workspace(ARTICLE)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Hezbollah")
        await pilot.press("1")
        await pilot.press("pagedown")
        await pilot.press("O")
        assert "accepted 1 occurrence" in str(app.screen.query_one("#status").render())
        assert suggested_flags(space, "a-strikes#1") == [("ACTOR", "Hezbollah", False)]
        await pilot.press("ctrl+z")
        assert annotate(app).session.paragraph.id == "a-strikes#1"
        assert suggested_flags(space, "a-strikes#1") == [("ACTOR", "Hezbollah", True)]


async def test_undo_right_after_a_tag_takes_back_the_tag_before_the_suggestions_elsewhere(workspace):
    space = workspace(ARTICLE)
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press("2", "ctrl+z")
        assert annotate(app).session.paragraph.id == "a-strikes#0"
    assert saved_spans(space, "a-strikes#0") == []
    history = [record["id"] for record in read_store(space.store_path).records]
    assert history == ["a-strikes#1", "a-strikes#2", "a-strikes#0", "a-strikes#0"]


async def test_a_rejected_occurrence_is_not_suggested_again_by_the_next_tag(workspace):
    space = workspace(ARTICLE)
    app: AnnotatorApp = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press("2", "pagedown", "tab", "backspace", "pageup")
        await press_to(pilot, app, "Tyre")
        await pilot.press("backspace", "2")  # untag it, then tag it again
        assert saved_spans(space, "a-strikes#0") == [("LOCATION", "Tyre")]
        assert suggested_flags(space, "a-strikes#2") == [("LOCATION", "Tyre", True)]
    assert saved_spans(space, "a-strikes#1") == []
    assert space.saved()["a-strikes#1"]["meta"]["rejected_spans"][0]["source"] == "occurrence"


async def test_with_occurrences_switched_off_a_tag_writes_only_its_own_paragraph(workspace):
    space = workspace(ARTICLE)
    space.session.suggests_occurrences = False
    app = make_app(space)
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "Tyre")
        await pilot.press("2")
    assert set(space.saved()) == {"a-strikes#0"}
