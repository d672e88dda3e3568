"""Snapshots of the annotate screen at a pinned size (update with `pytest --snapshot-update`).

They catch what assertions miss: a tint that swallows its text, a tag that wraps badly, a
panel that collapses. The store path shown is a fixed name so the picture does not depend
on the tmp folder.
"""

from __future__ import annotations

from dataclasses import replace

from annotator.core.spans import Annotation, add_span, span_over_tokens
from annotator.tui.app import AnnotatorApp

SIZE = (100, 32)


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
