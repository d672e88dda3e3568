"""Properties of the paragraph display: every character has exactly one place, nothing raw reaches
the terminal, and lines fit the width (pure functions, no app)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from annotator.core.display import display_text, visible_at
from annotator.core.phrases import phrase_around
from annotator.core.spans import span_over_tokens
from annotator.core.tokens import tokenize
from annotator.tui.widgets.layout import layout_paragraph, shown, tag_text

PIECES = st.sampled_from(["word", "Iraq", "16,000", " ", "  ", "\n", "\r\n", "\t", "\x1b[31m", "\x07", "北京",
                          "👩‍👩‍👧", "قال", "é", "e\u0301", "\u200b", "\u202e", ".", ",", "-",
                          "averyveryveryverylongtokenwithoutanybreak"])
TEXTS = st.lists(PIECES, min_size=1, max_size=60).map("".join).filter(lambda text: bool(text.strip()))


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.integers(min_value=8, max_value=50), st.data())
def test_every_character_is_laid_out_once_in_order_and_lines_fit(text: str, width: int, data) -> None:
    tokens = tokenize(text)
    words = [t for t in tokens if not t.text.isspace()]
    spans = []
    if words:
        for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
            first = data.draw(st.sampled_from(words))
            last = data.draw(st.sampled_from([w for w in words if w.id >= first.id]))
            spans.append(span_over_tokens(tokens, first.id, last.id, "ACTOR"))
    layout = layout_paragraph(text, tokens, spans, width)
    covered = [i for line in layout.lines for f in line.fragments if f.tag is None for i in range(f.start, f.end)]
    assert covered == list(range(len(text)))
    tags = [f.tag for line in layout.lines for f in line.fragments if f.tag is not None]
    assert sorted(map(id, tags)) == sorted(map(id, spans))  # one tag per span
    for line in layout.lines:
        if len(line.fragments) < 2:
            continue  # a lone fragment wider than the line (a long tag) cannot be helped
        cells = sum(cell_len(tag_text(f.tag)) if f.tag else cell_len(shown(text, f.start, f.end)) for f in line.fragments)
        last = line.fragments[-1]
        tail = text[last.start:last.end] if last.tag is None else ""
        hanging = cell_len(shown(tail, len(tail.rstrip()), len(tail)))  # trailing whitespace may hang
        assert cells - hanging <= width
    for token in tokens:
        line = layout.lines[layout.token_lines[token.id]]
        assert line.start <= token.start


@given(TEXTS)
def test_no_control_character_reaches_the_screen(text: str) -> None:
    for char in display_text(text):
        assert unicodedata.category(char) != "Cc"
        assert char not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_placeholders_for_escape_tab_and_line_breaks() -> None:
    assert display_text("a\x1b[0m\tb\r\nc\rd\x07") == "a␛[0m→b↵c↵d␇"
    assert visible_at("\r\n", 0) == "" and visible_at("\r\n", 1) == "↵"


def test_a_hard_line_break_starts_a_new_display_line() -> None:
    text = "first line\r\nsecond line"
    layout = layout_paragraph(text, tokenize(text), [], 80)
    assert [text[line.start:line.start + 6] for line in layout.lines] == ["first ", "second"]


def test_phrases_of_news_names_and_figures() -> None:
    text = "In Syria, the Islamic Revolutionary Guard Corps said at least 18 died in Deir el-Zour and 16,000 fled."
    tokens = tokenize(text)

    def phrase(word: str) -> str:
        index = next(t.id for t in tokens if t.text == word)
        first, last = phrase_around(tokens, index)
        return text[tokens[first].start:tokens[last].end]

    assert phrase("Guard") == "Islamic Revolutionary Guard Corps"
    assert phrase("at") == phrase("18") == "at least 18"
    assert phrase("Deir") == "Deir el-Zour"
    assert phrase("16,000") == "16,000"
    assert phrase("Syria") == "Syria"  # "In" starts the sentence, not the name
    assert phrase("died") == "died"


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.integers(min_value=8, max_value=40), st.data())
def test_wrapping_again_from_a_change_gives_the_same_lines_as_from_scratch(text: str, width: int, data) -> None:
    tokens = tokenize(text)
    words = [t for t in tokens if not t.text.isspace()]
    if not words:
        return

    def some_spans() -> list:
        chosen = data.draw(st.lists(st.sampled_from(words), max_size=4, unique=True))  # a paragraph never holds the same span twice
        return [span_over_tokens(tokens, w.id, min(w.id + 1, words[-1].id), "ACTOR") for w in chosen]

    before, after = some_spans(), some_spans()
    changed = set(before) ^ set(after)
    changed_from = min((s.start for s in changed), default=0)
    changed_to = max((s.end for s in changed), default=0)
    previous = layout_paragraph(text, tokens, before, width)
    resumed = layout_paragraph(text, tokens, after, width, previous=previous, changed_from=changed_from)
    carried_on = layout_paragraph(text, tokens, after, width, previous=previous, changed_from=changed_from,
                                  changed_to=changed_to)
    fresh = layout_paragraph(text, tokens, after, width)

    def shape(layout):
        return [[(f.start, f.end, f.tag) for f in line.fragments] for line in layout.lines]

    for layout in (resumed, carried_on):
        assert shape(layout) == shape(fresh)
        assert layout.token_lines == fresh.token_lines
        assert layout.line_starts == fresh.line_starts
    if carried_on.resumed_at is not None:  # the lines carried over are the previous layout's own, shifted
        assert carried_on.lines[carried_on.resumed_at:] == previous.lines[carried_on.resumed_at - carried_on.shift:]
        assert len(carried_on.lines) == len(previous.lines) + carried_on.shift


def test_punctuation_never_starts_a_line() -> None:
    text = "Officials said, according to (AP) reports, that 18 people died."
    tokens = tokenize(text)
    for width in range(12, len(text)):  # from the width of the longest word with its punctuation
        layout = layout_paragraph(text, tokens, [], width)
        for line in layout.lines[1:]:
            assert text[line.start] not in ",.)", (width, text[line.start:])
            assert text[line.start - 1].isspace()  # lines break after whitespace only


def test_a_no_break_space_keeps_a_figure_with_its_unit() -> None:
    text = "The convoy was hit 18\u00a0km north of the town."
    layout = layout_paragraph(text, tokenize(text), [], 20)
    assert all(text[line.start:line.start + 2] != "km" for line in layout.lines)
