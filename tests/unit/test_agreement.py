"""Agreement figures: a small example worked out by hand, and reference libraries on random data."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stores import write_store

from annotator.core.tokens import tokenize
from annotator.team.agreement import (
    OUTSIDE,
    cohen_kappa,
    compare,
    fleiss_kappa,
    krippendorff_alpha,
    partial_matches,
)
from annotator.team.merge import read_team

TEXT = "Rebels shelled Aleppo and Homs"  # Rebels 0-6, shelled 7-14, Aleppo 15-21, and 22-25, Homs 26-30


def record(pid: str, text: str, spans: list[tuple[int, int, str]], annotator: str, *,
           answer: str | None = "accept", timestamp: int = 1_700_000_000) -> dict:
    """A valid record: token indices worked out from the character offsets."""
    tokens = tokenize(text)
    out = []
    for start, end, label in spans:
        covered = [t.id for t in tokens if t.start < end and start < t.end]
        out.append({"start": start, "end": end, "token_start": covered[0], "token_end": covered[-1],
                    "label": label, "text": text[start:end]})
    rec = {
        "id": pid, "text": text,
        "tokens": [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws} for t in tokens],
        "spans": out, "_annotator_id": annotator, "_timestamp": timestamp,
    }
    if answer is not None:
        rec["answer"] = answer
    return rec


def test_two_annotators_match_the_hand_computation(tmp_path: Path) -> None:
    # alice: ACTOR Rebels(0,6), LOCATION Aleppo(15,21), LOCATION Homs(26,30)
    # bob:   ACTOR Rebels(0,6), LOCATION "Aleppo and Homs"(15,30)
    #
    # Exact spans: only ACTOR(0,6) matches. F1 = 2*1 / (3+2) = 0.4.
    # Partial: ACTOR matches; bob's LOCATION overlaps Aleppo (ratio 6/15) and Homs (4/15); it is
    #   matched once, to Aleppo. F1 = 2*2 / 5 = 0.8.
    # Per label: ACTOR exact 2*1/2 = 1.0; LOCATION exact 0/(2+1) = 0.0, partial 2*1/3 = 2/3.
    # Tokens: alice [ACTOR, O, LOC, O, LOC], bob [ACTOR, O, LOC, LOC, LOC].
    #   Cohen: p_o = 4/5; marginals alice A1 O2 L2, bob A1 O1 L3:
    #   p_e = (1*1 + 2*1 + 2*3)/25 = 9/25; kappa = (0.8 - 0.36)/(1 - 0.36) = 0.6875.
    #   Alpha: coincidences o_AA=2, o_OO=2, o_LL=2+2=4, o_OL=o_LO=1; n_A=2, n_O=3, n_L=5, n=10;
    #   sum over c!=k of n_c*n_k = 10^2 - (4+9+25) = 62; alpha = 1 - (10-1)*2/62 = 22/31.
    alice = write_store(tmp_path / "alice.jsonl", [
        record("a#0", TEXT, [(0, 6, "ACTOR"), (15, 21, "LOCATION"), (26, 30, "LOCATION")], "alice")])
    bob = write_store(tmp_path / "bob.jsonl", [record("a#0", TEXT, [(0, 6, "ACTOR"), (15, 30, "LOCATION")], "bob")])

    result = compare(read_team([alice, bob]))

    assert result.annotators == ["alice", "bob"]
    assert result.shared_paragraphs == 1
    assert result.span_f1_exact == pytest.approx(0.4)
    assert result.span_f1_partial == pytest.approx(0.8)
    assert result.token_kappa == pytest.approx(0.6875)
    assert result.alpha == pytest.approx(22 / 31)
    assert result.fleiss_kappa is None  # two annotators: Cohen's kappa is the figure
    assert result.label_figures("ACTOR")["span_f1_exact"] == pytest.approx(1.0)
    assert result.label_figures("LOCATION")["span_f1_exact"] == pytest.approx(0.0)
    assert result.label_figures("LOCATION")["span_f1_partial"] == pytest.approx(2 / 3)
    confusion = result.confusion()
    assert confusion[("O", "LOCATION")] == 1 and confusion[("LOCATION", "LOCATION")] == 2
    assert result.counts["alice"].spans == 3 and result.counts["bob"].spans == 2
    assert result.to_json()["overall"]["span_f1_exact"] == pytest.approx(0.4)


def test_fleiss_kappa_for_three_annotators_matches_the_hand_computation(tmp_path: Path) -> None:
    # Tokens Rebels, shelled, Aleppo, today; categories per token (alice, bob, carol):
    #   Rebels (A, A, A): P = (9-3)/6 = 1;   shelled (A, A, O): P = (4+1-3)/6 = 1/3
    #   Aleppo (O, O, O): P = 1;             today (A, O, LOC): P = (1+1+1-3)/6 = 0
    # P_bar = (1 + 1/3 + 1 + 0)/4 = 7/12; totals A 6, O 5, LOC 1 of 12: P_e = (36+25+1)/144 = 31/72
    # kappa = (7/12 - 31/72) / (1 - 31/72) = (11/72)/(41/72) = 11/41.
    text = "Rebels shelled Aleppo today"
    stores = [
        write_store(tmp_path / "alice.jsonl", [record("a#0", text, [(0, 14, "ACTOR"), (22, 27, "ACTOR")], "alice")]),
        write_store(tmp_path / "bob.jsonl", [record("a#0", text, [(0, 14, "ACTOR")], "bob")]),
        write_store(tmp_path / "carol.jsonl", [record("a#0", text, [(0, 6, "ACTOR"), (22, 27, "LOCATION")], "carol")]),
    ]
    result = compare(read_team(stores))
    assert result.fleiss_kappa == pytest.approx(11 / 41)
    assert fleiss_kappa([["A", "A", "A"], ["A", "A", "O"], ["O", "O", "O"], ["A", "O", "L"]]) == pytest.approx(11 / 41)
    assert len(result.pairs) == 3


def test_cohen_kappa_equals_scikit_learn_on_random_labels() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(7)
    for _ in range(50):
        size = rng.randint(2, 300)
        first = [rng.choice("ABCO") for _ in range(size)]
        second = [a if rng.random() < rng.random() else rng.choice("ABCO") for a in first]
        ours = cohen_kappa(first, second)
        if ours is None:  # chance agreement 1: both used one and the same label throughout
            assert len(set(first) | set(second)) == 1
            continue
        assert ours == pytest.approx(sklearn_metrics.cohen_kappa_score(first, second))


def test_krippendorff_alpha_equals_the_reference_package_with_missing_values() -> None:
    krippendorff = pytest.importorskip("krippendorff")
    numpy = pytest.importorskip("numpy")
    codes = {"A": 0, "B": 1, "C": 2, OUTSIDE: 3}
    rng = random.Random(11)
    for _ in range(30):
        raters = rng.randint(2, 5)
        units = []
        for _ in range(rng.randint(5, 120)):
            truth = rng.choice(list(codes))
            units.append([None if rng.random() < 0.25 else (truth if rng.random() < 0.7 else rng.choice(list(codes)))
                          for _ in range(raters)])
        data = numpy.array([[numpy.nan if unit[r] is None else codes[unit[r]] for unit in units] for r in range(raters)])
        ours = krippendorff_alpha(units)
        if ours is None:
            continue
        assert ours == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_alpha_through_stores_treats_a_skipped_paragraph_as_missing(tmp_path: Path) -> None:
    """Random single-token spans in stores; carol skips some paragraphs; alpha equals the package's."""
    krippendorff = pytest.importorskip("krippendorff")
    numpy = pytest.importorskip("numpy")
    text = "one two three four five six"
    tokens = [(t.start, t.end) for t in tokenize(text) if not t.text.isspace()]
    labels = ["ACTOR", "LOCATION", None]
    rng = random.Random(3)
    names = ["alice", "bob", "carol"]
    per_annotator: dict[str, list[dict]] = {name: [] for name in names}
    matrix: dict[str, list[float]] = {name: [] for name in names}
    for paragraph in range(12):
        truth = [rng.choice(labels) for _ in tokens]
        for name in names:
            if name == "carol" and paragraph % 3 == 0:
                matrix[name].extend([numpy.nan] * len(tokens))
                continue
            chosen = [label if rng.random() < 0.75 else rng.choice(labels) for label in truth]
            spans = [(start, end, label) for (start, end), label in zip(tokens, chosen) if label]
            per_annotator[name].append(record(f"p#{paragraph}", text, spans, name))
            matrix[name].extend(labels.index(label) for label in chosen)
    stores = [write_store(tmp_path / f"{name}.jsonl", per_annotator[name]) for name in names]

    result = compare(read_team(stores))

    expected = krippendorff.alpha(reliability_data=numpy.array([matrix[n] for n in names]), level_of_measurement="nominal")
    assert result.alpha == pytest.approx(expected)
    assert result.all_paragraphs == 8 and result.shared_paragraphs == 12


def test_partial_matching_is_one_to_one() -> None:
    # One long span against two short ones inside it: one match, not two.
    long = [("p", 0, 30, "LOCATION")]
    short = [("p", 0, 6, "LOCATION"), ("p", 10, 30, "LOCATION")]
    assert partial_matches(long, short) == 1
    assert partial_matches(short, long) == 1
    assert partial_matches([("p", 0, 5, "ACTOR")], [("p", 0, 5, "LOCATION")]) == 0  # labels must agree
    assert partial_matches([("p", 0, 5, "ACTOR")], [("q", 0, 5, "ACTOR")]) == 0  # and paragraphs


def test_nested_spans_give_tokens_the_innermost_label(tmp_path: Path) -> None:
    # "Popular Mobilization Forces" (ACTOR) around "Mobilization" (a made-up inner label):
    # the inner token takes the shorter span's label, the others the outer one.
    text = "the Popular Mobilization Forces said"
    spans = [(4, 31, "ACTOR"), (12, 24, "UNIT")]
    a = write_store(tmp_path / "a.jsonl", [record("x#0", text, spans, "alice")])
    b = write_store(tmp_path / "b.jsonl", [record("x#0", text, spans, "bob")])
    result = compare(read_team([a, b]))
    confusion = result.confusion()
    assert confusion[("UNIT", "UNIT")] == 1
    assert confusion[("ACTOR", "ACTOR")] == 2
    assert confusion[(OUTSIDE, OUTSIDE)] == 2
    assert result.span_f1_exact == pytest.approx(1.0)


def test_whitespace_tokens_are_not_counted(tmp_path: Path) -> None:
    text = "Aleppo\n\nHoms  Idlib"  # whitespace tokens between the words
    a = write_store(tmp_path / "a.jsonl", [record("x#0", text, [(0, 6, "LOCATION")], "alice")])
    b = write_store(tmp_path / "b.jsonl", [record("x#0", text, [(8, 12, "LOCATION")], "bob")])
    result = compare(read_team([a, b]))
    assert result.pairs[0].tokens == 3


def test_only_decided_records_count_and_ignore_means_not_done(tmp_path: Path) -> None:
    a = write_store(tmp_path / "a.jsonl", [
        record("x#0", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("x#1", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("x#2", TEXT, [(0, 6, "ACTOR")], "alice"),
    ])
    b = write_store(tmp_path / "b.jsonl", [
        record("x#0", TEXT, [(0, 6, "ACTOR")], "bob"),
        record("x#1", TEXT, [], "bob", answer=None),  # still in progress
        record("x#2", TEXT, [], "bob", answer="ignore"),  # skipped
    ])
    team = read_team([a, b])
    assert compare(team).shared_paragraphs == 1
    with_open_work = compare(team, include_undecided=True)
    assert with_open_work.shared_paragraphs == 2
    assert with_open_work.span_f1_exact == pytest.approx(2 / 3)


def test_rejecting_a_paragraph_someone_tagged_is_disagreement(tmp_path: Path) -> None:
    a = write_store(tmp_path / "a.jsonl", [record("x#0", TEXT, [(0, 6, "ACTOR")], "alice")])
    b = write_store(tmp_path / "b.jsonl", [record("x#0", TEXT, [], "bob", answer="reject")])
    result = compare(read_team([a, b]))
    assert result.span_f1_exact == pytest.approx(0.0)
    assert result.counts["bob"].answers == {"reject": 1}


def test_a_paragraph_whose_text_changed_is_left_out_with_a_warning(tmp_path: Path) -> None:
    a = write_store(tmp_path / "a.jsonl", [record("x#0", TEXT, [], "alice"), record("x#1", TEXT, [], "alice")])
    b = write_store(tmp_path / "b.jsonl", [record("x#0", TEXT + ".", [], "bob"), record("x#1", TEXT, [], "bob")])
    result = compare(read_team([a, b]))
    assert result.shared_paragraphs == 1
    assert any("x#0" in warning and "text differs" in warning for warning in result.warnings)


def test_labels_option_restricts_every_figure(tmp_path: Path) -> None:
    a = write_store(tmp_path / "a.jsonl", [record("x#0", TEXT, [(0, 6, "ACTOR"), (15, 21, "LOCATION")], "alice")])
    b = write_store(tmp_path / "b.jsonl", [record("x#0", TEXT, [(0, 6, "ACTOR"), (26, 30, "LOCATION")], "bob")])
    result = compare(read_team([a, b]), labels=["ACTOR"])
    assert result.labels == ["ACTOR"]
    assert result.span_f1_exact == pytest.approx(1.0)
    assert result.token_kappa == pytest.approx(1.0)


def test_one_merged_store_is_split_by_annotator(tmp_path: Path) -> None:
    mixed = write_store(tmp_path / "mixed.jsonl", [
        record("x#0", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("x#0", TEXT, [(0, 6, "ACTOR")], "bob"),
    ])
    result = compare(read_team([mixed]))
    assert result.annotators == ["alice", "bob"]
    assert result.span_f1_exact == pytest.approx(1.0)


def test_undefined_figures_are_none_not_a_number(tmp_path: Path) -> None:
    # Nobody tagged anything and every token is O: F1 and kappa have no value.
    a = write_store(tmp_path / "a.jsonl", [record("x#0", TEXT, [], "alice")])
    b = write_store(tmp_path / "b.jsonl", [record("x#0", TEXT, [], "bob")])
    result = compare(read_team([a, b]))
    assert result.span_f1_exact is None and result.token_kappa is None and result.alpha is None


WORDS = [(t.start, t.end) for t in tokenize(TEXT)]


span_lists = st.lists(
    st.tuples(st.integers(0, len(WORDS) - 1), st.integers(0, 2), st.sampled_from(["ACTOR", "LOCATION"])),
    max_size=4,
).map(lambda picks: sorted({(WORDS[i][0], WORDS[min(i + extra, len(WORDS) - 1)][1], label) for i, extra, label in picks}))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=span_lists, second=span_lists)
def test_agreement_is_symmetric_and_perfect_with_oneself(tmp_path: Path, first: list, second: list) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    a = write_store(folder / "a.jsonl", [record("x#0", TEXT, first, "alice")])
    b = write_store(folder / "b.jsonl", [record("x#0", TEXT, second, "bob")])
    b_sorted_first = write_store(folder / "z.jsonl", [record("x#0", TEXT, second, "aaron")])  # pair order flips
    forward, backward = compare(read_team([a, b])), compare(read_team([a, b_sorted_first]))
    for name in ("span_f1_exact", "span_f1_partial", "token_kappa", "alpha"):
        there, back = getattr(forward, name), getattr(backward, name)
        assert (there is None and back is None) or there == pytest.approx(back)
    itself = compare(read_team([a, write_store(folder / "c.jsonl", [record("x#0", TEXT, first, "carl")])]))
    if first:
        assert itself.span_f1_exact == 1.0 and itself.span_f1_partial == 1.0
    assert itself.token_kappa in (1.0, None) and itself.alpha in (1.0, None)
    assert forward.span_f1_exact is None or forward.span_f1_exact <= forward.span_f1_partial


def test_disputed_paragraphs_are_listed_worst_first(tmp_path: Path) -> None:
    a = write_store(tmp_path / "a.jsonl", [
        record("x#0", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("x#1", TEXT, [(0, 6, "ACTOR")], "alice"),
        record("x#2", TEXT, [(0, 6, "ACTOR"), (15, 21, "LOCATION")], "alice"),
    ])
    b = write_store(tmp_path / "b.jsonl", [
        record("x#0", TEXT, [(0, 6, "ACTOR")], "bob"),  # full agreement: not listed
        record("x#1", TEXT, [(0, 6, "LOCATION")], "bob"),  # 1 token of 5
        record("x#2", TEXT, [(0, 6, "LOCATION")], "bob"),  # 2 tokens of 5
    ])
    result = compare(read_team([a, b]))
    assert result.disagreements == [("x#2", pytest.approx(0.4)), ("x#1", pytest.approx(0.2))]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(["ACTOR", "LOCATION", "DATE"])),
                max_size=8),
       st.lists(st.integers(1, 5), min_size=1, max_size=12))
def test_each_token_takes_the_shortest_covering_span_then_the_earliest_then_the_label(
    spans: list[tuple[int, int, str]], widths: list[int]
) -> None:
    from annotator.team.agreement import token_categories

    units, position = [], 0
    for width in widths:  # tokens in text order with a one-character gap, as words between spaces
        units.append((position, position + width))
        position += width + 1
    record = {"spans": [{"start": start, "end": start + length, "label": label} for start, length, label in spans]}
    by_rule = []
    for start, end in units:
        covering = sorted((s["end"] - s["start"], s["start"], s["label"]) for s in record["spans"]
                          if s["start"] < end and start < s["end"])
        by_rule.append(covering[0][2] if covering else OUTSIDE)
    assert token_categories(record, units, None) == by_rule


@pytest.mark.parametrize(("text", "tokens", "words"), [
    ("Aleppo and Homs", [(0, 6), (7, 10), (11, 15)], [(0, 6), (7, 10), (11, 15)]),
    ("Aleppo\n\nHoms  Idlib", [(0, 6), (6, 8), (8, 12), (13, 14), (14, 19)], [(0, 6), (8, 12), (14, 19)]),
    ("Aleppo Homs", [(0, 6), (6, 7), (7, 11)], [(0, 6), (7, 11)]),  # another tool's token for one space
    ("Aleppo \u00a0x", [(0, 6), (6, 8), (8, 9)], [(0, 6), (8, 9)]),
    (" Homs", [(0, 1), (1, 5)], [(1, 5)]),
    ("Homs", [(0, 4), (4, 4)], [(0, 4), (4, 4)]),  # an empty token at the end: no whitespace, a unit
    ("", [], []),
])
def test_word_units_leave_out_whitespace_tokens_only(text: str, tokens: list[tuple[int, int]],
                                                     words: list[tuple[int, int]]) -> None:
    from annotator.team.agreement import word_units

    starts, ends = word_units(text, [start for start, _ in tokens], [end for _, end in tokens])
    assert list(zip(starts, ends)) == words
    assert words == [(start, end) for start, end in tokens if not text[start:end].isspace()]
