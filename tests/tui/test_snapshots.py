"""Snapshots of the annotate and review screens at pinned sizes (update with `pytest --snapshot-update`).

They catch what assertions miss: a tint that swallows its text, a tag that wraps badly, a
panel that collapses. The store path shown is a fixed name so the picture does not depend
on the tmp folder. Sizes: 80x24 (the span list under the paragraph) and 120x40 (beside it),
and 100x32; one picture as a 256-colour terminal shows it, one as a 16-colour one, one without
colours (NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from test_review_screen import Team
from textual.color import Color
from textual.filter import LineFilter

from annotator.core.spans import Annotation, add_span, span_over_tokens
from annotator.core.store import Store
from annotator.team.merge import read_team
from annotator.team.review import GoldReview, plan_review
from annotator.tui import app as app_module
from annotator.tui.app import AnnotatorApp, ReviewApp

SIZE = (100, 32)
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def words_at(tokens, *words: str) -> tuple[int, int]:
    """Token ids of the first run of tokens spelling `words`."""
    texts = [t.text for t in tokens]
    for index in range(len(texts)):
        if texts[index:index + len(words)] == list(words):
            return index, index + len(words) - 1
    raise AssertionError(f"{words} not in the paragraph")


def annotate_strikes(session) -> None:
    tokens = session.tokens
    annotation = Annotation()
    for words, label in (
        (("US", "officials", "said"), "ATTRIBUTION"),
        (("US", "officials"), "ACTOR"),
        (("16,000", "people"), "CASUALTY"),
        (("Al-Mayadeen",), "LOCATION"),
    ):
        annotation = add_span(annotation, span_over_tokens(tokens, *words_at(tokens, *words), label))
    suggestion = span_over_tokens(tokens, *words_at(tokens, "fighting"), "ACTOR", suggested=True, source="model:demo")
    annotation = add_span(annotation, suggestion)
    session.replace(annotation)


def test_main_screen(workspace, snap_compare):
    space = workspace()
    space.session.decide("accept")
    space.session.next_paragraph()
    annotate_strikes(space.session)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZE, press=["right", "right", "right", "shift+right"])


def test_help_screen(workspace, snap_compare):
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])


@pytest.mark.parametrize("size", SIZES)
def test_help_screen_fits_the_terminal(workspace, snap_compare, size):
    """One scrolling column over the whole of 80x24, keys under group headings; keys and labels side by side at 120."""
    space = workspace()
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZES[size], press=["question_mark"])


def test_long_paragraph_with_overlapping_spans(workspace, snap_compare):
    sentence = ("According to the ministry, militias backed by Iran's Islamic Revolutionary Guard Corps "
                "struck a base near Deir el-Zour, killing at least 18 fighters. ")
    space = workspace({"long": [sentence * 40]})
    session = space.session
    tokens = session.tokens
    words = [t for t in tokens if not t.text.isspace()]
    annotation = Annotation()
    per_sentence = len(words) // 40
    for number in range(40):
        base = words[number * per_sentence].id
        annotation = add_span(annotation, span_over_tokens(tokens, base, base + 3, "ATTRIBUTION"))
        annotation = add_span(annotation, span_over_tokens(tokens, base + 2, base + 3, "ACTOR"))
        first = base + 7
        annotation = add_span(annotation, span_over_tokens(tokens, first, first + 5, "ACTOR"))
        annotation = add_span(annotation, replace(span_over_tokens(tokens, first + 2, first + 5, "ACTOR"),
                                                  suggested=True))
    session.replace(annotation)
    app = AnnotatorApp(session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZE, press=["tab", "tab", "tab", "shift+right"])


@pytest.mark.parametrize("size", SIZES)
def test_nested_spans_on_a_short_paragraph(workspace, snap_compare, size):
    space = workspace()
    space.session.decide("accept")
    space.session.next_paragraph()
    annotate_strikes(space.session)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZES[size], press=["right", "right", "right", "shift+right"])


@pytest.mark.parametrize("size", SIZES)
def test_a_long_paragraph_scrolls_in_its_box(workspace, snap_compare, size):
    space = workspace({"long": ["The ministry said the strikes hit depots.",
                                " ".join(STORY * 12), "Nobody was hurt."]})
    session = space.session
    session.next_paragraph()
    tokens = session.tokens
    annotation = Annotation()
    for first, last, label in ((0, 2, "ACTOR"), (10, 16, "ATTRIBUTION"), (10, 12, "ACTOR"), (40, 44, "CASUALTY")):
        annotation = add_span(annotation, span_over_tokens(tokens, first, last, label))
    session.replace(annotation)
    app = AnnotatorApp(session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZES[size], press=["tab", "tab"])


@pytest.mark.parametrize("size", SIZES)
def test_review_screen(tmp_path, snap_compare, size):
    team = Team(tmp_path)
    team.store = Store(team.gold)
    try:
        review = GoldReview(plan_review(read_team(team.stores)), team.store, "dana", team.schema.ref)
        assert snap_compare(ReviewApp(review, team.schema, gold_path="gold.jsonl"), terminal_size=SIZES[size])
    finally:
        team.close()


def rounded_to(style: Style | None, system: ColorSystem) -> Style | None:
    """`style` with its colours as a terminal of `system` colours draws them (rich rounds them so)."""
    if style is None or (style.color is None and style.bgcolor is None):
        return style
    return style + Style(color=style.color.downgrade(system) if style.color else None,
                         bgcolor=style.bgcolor.downgrade(system) if style.bgcolor else None)


class Rounded(LineFilter):
    """Every colour rounded to the 256 of a terminal without COLORTERM (TERM=xterm-256color, over ssh),
    or to the 16 of an older one (TERM=xterm)."""

    def __init__(self, system: ColorSystem) -> None:
        super().__init__()
        self.system = system

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, rounded_to(style, self.system), control) for text, style, control in segments]


class App256(AnnotatorApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("annotator.tcss"))  # relative to the app's module, not this one
    SYSTEM = ColorSystem.EIGHT_BIT

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), Rounded(self.SYSTEM)]


class App16(App256):
    SYSTEM = ColorSystem.STANDARD


def test_nested_spans_in_256_colours(workspace, snap_compare):
    space = workspace()
    space.session.decide("accept")
    space.session.next_paragraph()
    annotate_strikes(space.session)
    app = App256(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZES["120x40"], press=["right", "right", "right", "shift+right"])


def test_nested_spans_in_16_colours(workspace, snap_compare):
    space = workspace()
    space.session.decide("accept")
    space.session.next_paragraph()
    annotate_strikes(space.session)
    app = App16(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZES["80x24"], press=["right", "right", "right", "shift+right"])


def test_nested_spans_without_colours(workspace, snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    space = workspace()
    space.session.decide("accept")
    space.session.next_paragraph()
    annotate_strikes(space.session)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    assert snap_compare(app, terminal_size=SIZES["80x24"], press=["right", "right", "right", "shift+right"])


STORY = ["According", "to", "the", "ministry,", "militias", "backed", "by", "Iran's", "Islamic", "Revolutionary",
         "Guard", "Corps", "struck", "a", "base", "near", "Deir", "el-Zour,", "killing", "at", "least", "18",
         "fighters."]
