"""`casualty_status`: the status the words around a casualty figure give it, and None where unclear."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.casualty import _STATUS_TOKEN, _words_after, _words_before, casualty_status

# (sentence, the figure in it, status)
TABLE = [
    ("The blast killed five soldiers near the bridge.", "five soldiers", "killed"),
    ("Rockets hit the camp, killing two guards and wounding nine others.", "two guards", "killed"),
    ("Rockets hit the camp, killing two guards and wounding nine others.", "nine others", "injured"),
    ("Seven pilgrims were injured when the bus overturned.", "Seven pilgrims", "injured"),
    ("Three nurses and a driver have been reported missing since Monday.", "Three nurses", None),
    ("Three nurses had been missing since Monday.", "Three nurses", "missing"),
    ("Two engineers, both foreign nationals, were kidnapped on the highway.", "Two engineers", "abducted"),
    ("The strike led to the deaths of 12 of its fighters.", "12 of its fighters", "killed"),
    ("Medics pulled 14 wounded people from the rubble.", "14 wounded people", "injured"),
    ("Five farmers and two herders were killed in the raid.", "Five farmers", "killed"),
    ("Five farmers and two herders were killed in the raid.", "two herders", "killed"),
    ("Nine recruits died in hospital.", "Nine recruits", "killed"),
]
UNCLEAR = [
    ("Four policemen were killed or wounded in the ambush.", "Four policemen"),
    ("The shelling killed or wounded 30 villagers.", "30 villagers"),
    ("The hospital received 20 casualties overnight.", "20 casualties"),
    ("Dozens of families left the town. Six children were killed later.", "Dozens of families"),
    ("Six soldiers on patrol, the army said.", "Six soldiers"),
    ("Six soldiers and wounded others.", "Six soldiers"),
    ("The militia killed a farmer, and six villagers fled.", "six villagers"),
]


@pytest.mark.parametrize(("sentence", "figure", "status"), TABLE)
def test_the_words_around_a_figure_give_its_status(sentence: str, figure: str, status: str | None) -> None:
    start = sentence.index(figure)
    assert casualty_status(sentence, start, start + len(figure)) == status


@pytest.mark.parametrize(("sentence", "figure"), UNCLEAR)
def test_no_status_is_guessed_where_the_text_is_unclear(sentence: str, figure: str) -> None:
    start = sentence.index(figure)
    assert casualty_status(sentence, start, start + len(figure)) is None


pieces = st.sampled_from(["killed", "wounded", "or", "and", "were", ",", ".", "six", "İstanbul", "KİLLED", "  ", "\n",
                          "x" * 300, "—", "Ωmega", "12", '"', "had been", "killing", "ẞ", "ﬁve"])


@settings(max_examples=300, deadline=None)
@given(words=st.lists(pieces, min_size=1, max_size=120), data=st.data())
def test_the_words_read_are_those_of_the_whole_text_however_far_the_figure_is_from_its_ends(
        words: list[str], data: st.DataObject) -> None:
    """Only as much text as the nearest words need is read: the same words, cut from texts long and short."""
    text = " ".join(words)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _words_after(text, end, 16) == _STATUS_TOKEN.findall(text[end:].lower())[:16]
    assert _words_before(text, start, 8) == _STATUS_TOKEN.findall(text[:start].lower())[::-1][:8]
