"""Tags and offset units, as properties: what goes out comes back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.formats.documents import ExportSpan
from annotator.formats.offsets import codepoint_offsets, utf16_offsets
from annotator.formats.tags import non_overlapping, spans_from_tags, token_tags

LABELS = ("ACTOR", "LOCATION", "CASUALTY")


@st.composite
def tokens_and_spans(draw: st.DrawFn) -> tuple[list[dict], list[ExportSpan]]:
    words = draw(st.lists(st.sampled_from(["a", "bb", "\n", "c"]), min_size=1, max_size=20))
    tokens = [{"text": word, "start": i, "end": i + 1, "id": i, "ws": False} for i, word in enumerate(words)]
    spans = []
    for n in range(draw(st.integers(0, 6))):
        first = draw(st.integers(0, len(words) - 1))
        last = draw(st.integers(first, len(words) - 1))
        if words[first].isspace() or words[last].isspace():
            continue
        spans.append(ExportSpan(first, last + 1, draw(st.sampled_from(LABELS)), first, last, "", f"r/s{n}", f"s{n}"))
    return tokens, spans


@given(tokens_and_spans(), st.sampled_from(["iob2", "bilou"]))
def test_tags_give_back_the_kept_spans(case: tuple[list[dict], list[ExportSpan]], scheme: str) -> None:
    tokens, spans = case
    dropped: list[str] = []
    tags = token_tags(tokens, spans, scheme, dropped)  # type: ignore[arg-type]
    words = [i for i, t in enumerate(tokens) if not t["text"].isspace()]
    decoded = spans_from_tags([tags[i] for i in words])
    kept = non_overlapping(spans, None)
    assert sorted((words[a], words[b], label) for a, b, label in decoded) == sorted(
        (s.token_start, s.token_end, s.label) for s in kept)
    assert len(kept) + len(dropped) == len(spans)
    assert all(tags[i] == "O" for i, t in enumerate(tokens) if t["text"].isspace())


@given(st.text(alphabet=st.sampled_from(["a", "é", "😀", "🇮", "\r", "\n", "ق"]), max_size=30))
def test_utf16_offsets_round_trip(text: str) -> None:
    units = utf16_offsets(text)
    encoded = text.encode("utf-16-le")
    back = codepoint_offsets(text)
    for start in range(len(text) + 1):
        assert back[units[start]] == start
        for end in range(start, len(text) + 1):
            assert encoded[units[start] * 2:units[end] * 2].decode("utf-16-le") == text[start:end]
