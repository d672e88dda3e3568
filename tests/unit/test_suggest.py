"""`annotator suggest`: patterns, pipelines built here (saved with `to_disk`) and stores pre-annotate a
corpus with exact offsets; it resumes, shards, maps and skips labels, and leaves decided paragraphs alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

spacy = pytest.importorskip("spacy")
from spacy.language import Language  # noqa: E402

from annotator.cli import main  # noqa: E402
from annotator.core.corpus import Paragraph  # noqa: E402
from annotator.core.records import to_record  # noqa: E402
from annotator.core.schema import default_schema_path, load_schema  # noqa: E402
from annotator.core.spans import Annotation, Span  # noqa: E402
from annotator.core.store import Store, read_store  # noqa: E402
from annotator.core.tokens import tokenize  # noqa: E402
from annotator.suggest.shards import Shard, parse_shard  # noqa: E402

ARTICLES = {
    "a1": "Three people were killed in Marsa Kebir, US officials said.\n\n"
          "At least 12 people died, according to the ministry.",
    "a2": "Kyiv-based monitors counted at least seven people dead.\n\nNothing happened in Tower 22.",
}
PATTERNS = [
    {"label": "ACTOR", "pattern": "US officials", "id": "us-officials"},
    {"label": "ATTRIBUTION", "pattern": [{"LOWER": "according"}, {"LOWER": "to"}, {"LOWER": "the"}, {"LOWER": "ministry"}]},
    {"label": "CASUALTY", "pattern": [{"LIKE_NUM": True}, {"LOWER": "people"}]},
    {"label": "CASUALTY", "pattern": [{"LOWER": "at"}, {"LOWER": "least"}, {"LIKE_NUM": True}, {"LOWER": "people"}]},
    {"label": "LOCATION", "pattern": "Kyiv"},
    {"label": "WEAPON", "pattern": "monitors"},
]


def write_corpus(path: Path, articles: dict[str, str] = ARTICLES) -> Path:
    path.write_text("".join(json.dumps({"id": key, "text": text}) + "\n" for key, text in articles.items()), encoding="utf-8")
    return path


def write_patterns(path: Path, patterns: list[dict[str, Any]] = PATTERNS) -> Path:
    path.write_text("".join(json.dumps(pattern) + "\n" for pattern in patterns), encoding="utf-8")
    return path


def suggest(*args: str | Path) -> int:
    return main(["suggest", *map(str, args), "--annotator", "tester", "--quiet"])


def spans_by_id(store: Path) -> dict[str, list[dict[str, Any]]]:
    return {record["id"]: record["spans"] for record in read_store(store).iter_latest()}


def test_patterns_suggest_exact_spans_with_their_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, store = write_corpus(tmp_path / "wire.jsonl"), tmp_path / "out.jsonl"
    assert suggest(corpus, "--out", store, "--patterns", write_patterns(tmp_path / "p.jsonl")) == 0
    found = spans_by_id(store)
    text = ARTICLES["a1"]
    assert [(s["start"], s["end"], s["label"], s["text"]) for s in found["a1#0"]] == [
        (0, 12, "CASUALTY", "Three people"), (41, 53, "ACTOR", "US officials")]
    assert text[41:53] == "US officials"
    assert [(s["text"], s["label"]) for s in found["a1#1"]] == [("At least 12 people", "CASUALTY"), ("according to the ministry", "ATTRIBUTION")]
    assert all(s["suggested"] is True and s["source"] == "patterns:p.jsonl" and "score" not in s
               for spans in found.values() for s in spans)
    assert "a2#1" not in found  # nothing to suggest: no record
    err = capsys.readouterr().err
    assert "WEAPON (1)" in err and "skipped" in err  # a label outside the schema is named, with its count
    assert not any(s["label"] == "WEAPON" for spans in found.values() for s in spans)


def test_a_span_off_our_token_edges_keeps_its_offsets_and_is_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--patterns", write_patterns(tmp_path / "p.jsonl")) == 0
    record = read_store(store).get("a2#0")
    assert record is not None
    kyiv = next(s for s in record["spans"] if s["label"] == "LOCATION")
    assert (kyiv["start"], kyiv["end"], kyiv["text"]) == (0, 4, "Kyiv")
    assert record["tokens"][kyiv["token_start"]]["text"] == "Kyiv-based" == record["tokens"][kyiv["token_end"]]["text"]
    assert "1 span(s) do not start and end on a word edge" in capsys.readouterr().err


def test_running_twice_adds_nothing(tmp_path: Path) -> None:
    corpus, store, patterns = write_corpus(tmp_path / "wire.jsonl"), tmp_path / "out.jsonl", write_patterns(tmp_path / "p.jsonl")
    assert suggest(corpus, "--out", store, "--patterns", patterns) == 0
    lines = store.read_bytes()
    assert suggest(corpus, "--out", store, "--patterns", patterns) == 0
    assert store.read_bytes() == lines


def test_decided_and_rejected_are_left_alone(tmp_path: Path) -> None:
    corpus, store = write_corpus(tmp_path / "wire.jsonl"), tmp_path / "out.jsonl"
    schema = load_schema(default_schema_path())
    decided = Paragraph("a1", 0, ARTICLES["a1"].split("\n\n")[0], 0, str(corpus))
    second_text = ARTICLES["a1"].split("\n\n")[1]
    in_progress = Paragraph("a1", 1, second_text, len(decided.text) + 2, str(corpus))
    with Store(store) as writer:
        writer.append(to_record(decided, tokenize(decided.text), Annotation(answer="accept"), schema_ref=schema.ref, annotator="alice"))
        record = to_record(in_progress, tokenize(second_text), Annotation(spans=(Span(0, 2, "ACTOR", 0, 0, id="s1"),)),
                           schema_ref=schema.ref, annotator="alice")
        record["meta"]["rejected_spans"] = [{"start": 0, "end": 18, "label": "CASUALTY", "text": second_text[:18],
                                             "source": "patterns:p.jsonl"}]
        writer.append(record)
    assert suggest(corpus, "--out", store, "--patterns", write_patterns(tmp_path / "p.jsonl")) == 0
    contents = read_store(store)
    assert [line.id for line in contents.lines].count("a1#0") == 1  # the decided paragraph: not a line more
    latest = contents.get("a1#1")
    assert latest is not None and latest["_annotator_id"] == "alice"  # the record stays its annotator's
    assert [(s["text"], s["source"], s.get("suggested", False)) for s in latest["spans"]] == [
        ("At", "manual", False), ("according to the ministry", "patterns:p.jsonl", True)]  # the rejected one not again
    assert latest["meta"]["rejected_spans"][0]["end"] == 18


def save_ruler_model(path: Path, patterns: list[dict[str, Any]], *, scored: bool = False) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    if scored:
        nlp.add_pipe("test_scored_spans")
    nlp.to_disk(path)
    return path


@Language.component("test_scored_spans")
def _scored_spans(doc: Any) -> Any:
    """What a spancat leaves: every entity again under doc.spans["sc"], with a score each."""
    doc.spans["sc"] = list(doc.ents)
    doc.spans["sc"].attrs["scores"] = [0.25 + 0.5 * number for number in range(len(doc.ents))]
    return doc


def test_a_model_folder_with_a_label_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = save_ruler_model(tmp_path / "ner-v1", [{"label": "GPE", "pattern": "Marsa Kebir"}, {"label": "NORP", "pattern": "US"},
                                                   {"label": "FAC", "pattern": "Tower 22"}])
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--model", model, "--label-map", "GPE=LOCATION",
                   "--label-map", "FAC=LOCATION") == 0
    found = spans_by_id(store)
    assert [(s["start"], s["end"], s["label"], s["source"]) for s in found["a1#0"]] == [(28, 39, "LOCATION", "model:ner-v1")]
    assert [(s["text"], s["label"]) for s in found["a2#1"]] == [("Tower 22", "LOCATION")]
    assert "NORP (1)" in capsys.readouterr().err


def test_spancat_scores_are_kept(tmp_path: Path) -> None:
    model = save_ruler_model(tmp_path / "scored", [{"label": "LOCATION", "pattern": "Marsa Kebir"},
                                                   {"label": "ACTOR", "pattern": "US officials"}], scored=True)
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--model", model) == 0
    assert [(s["text"], s["score"]) for s in spans_by_id(store)["a1#0"]] == [("Marsa Kebir", 0.25), ("US officials", 0.75)]


def test_patterns_and_model_together_each_under_its_source(tmp_path: Path) -> None:
    model = save_ruler_model(tmp_path / "m", [{"label": "LOCATION", "pattern": "Marsa Kebir"}])
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--model", model,
                   "--patterns", write_patterns(tmp_path / "p.jsonl")) == 0
    assert [(s["text"], s["source"]) for s in spans_by_id(store)["a1#0"]] == [
        ("Three people", "patterns:p.jsonl"), ("Marsa Kebir", "model:m"), ("US officials", "patterns:p.jsonl")]


def test_accepted_spans_of_a_store_become_patterns(tmp_path: Path) -> None:
    schema = load_schema(default_schema_path())
    gold = tmp_path / "gold.jsonl"
    text = "Militias near Tower 22 fired."
    paragraph = Paragraph("old", 0, text, 0, "old.txt")
    tokens = tokenize(text)
    spans = (Span(14, 22, "LOCATION", 2, 3, id="s1"), Span(0, 8, "ACTOR", 0, 0, id="s2", suggested=True))
    with Store(gold) as writer:
        writer.append(to_record(paragraph, tokens, Annotation(spans=spans, answer="accept"), schema_ref=schema.ref, annotator="alice"))
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--from-store", gold) == 0
    assert {key: [(s["text"], s["label"], s["source"]) for s in spans] for key, spans in spans_by_id(store).items()} == {
        "a2#1": [("Tower 22", "LOCATION", "patterns:gold.jsonl")]}  # a suggestion in the store is not learnt from


def test_store_spans_under_a_renamed_label_become_patterns_of_its_current_name(tmp_path: Path) -> None:
    """`LOCATION: renamed_from: [PLACE]`: alice tagged Tower 22 PLACE before the rename, bob LOCATION after,
    carol ACTOR. As agree, stats and merge do, the store's old name counts as the current one: two LOCATION
    to one ACTOR (without it, PLACE, LOCATION and ACTOR tied, and ACTOR won the tie)."""
    from annotator.suggest.patterns import patterns_from_stores

    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(default_schema_path().read_text(encoding="utf-8").replace(
        "  - name: LOCATION\n", "  - name: LOCATION\n    renamed_from: [PLACE]\n", 1), encoding="utf-8")
    schema = load_schema(renamed)
    gold = tmp_path / "gold.jsonl"
    text = "Militias near Tower 22 fired."
    with Store(gold) as writer:
        for index, label in enumerate(["PLACE", "LOCATION", "ACTOR"]):
            annotation = Annotation(spans=(Span(14, 22, label, 2, 3, id="s1"),), answer="accept")
            writer.append(to_record(Paragraph("old", index, text, 0, "old.txt"), tokenize(text), annotation,
                                    schema_ref=schema.ref, annotator="alice"))
    (learnt,) = patterns_from_stores([gold], schema)
    assert learnt.patterns == ({"label": "LOCATION", "pattern": "Tower 22"},)
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--from-store", gold, "--schema", renamed) == 0
    assert {key: [(s["text"], s["label"]) for s in spans] for key, spans in spans_by_id(store).items()} == {
        "a2#1": [("Tower 22", "LOCATION")]}


def many_articles(count: int) -> dict[str, str]:
    return {f"n{number}": f"Report {number}: three people died, US officials said.\n\nAt least {number} people fled."
            for number in range(count)}


def test_shards_are_disjoint_and_cover_the_whole(tmp_path: Path) -> None:
    corpus, patterns = write_corpus(tmp_path / "wire.jsonl", many_articles(15)), write_patterns(tmp_path / "p.jsonl")
    whole = tmp_path / "whole.jsonl"
    assert suggest(corpus, "--out", whole, "--patterns", patterns) == 0
    parts = []
    for number in (1, 2, 3):
        part = tmp_path / f"part{number}.jsonl"
        assert suggest(corpus, "--out", part, "--patterns", patterns, "--shard", f"{number}/3") == 0
        parts.append(set(spans_by_id(part)))
    assert all(parts) and sum(len(part) for part in parts) == len(set().union(*parts))
    assert set().union(*parts) == set(spans_by_id(whole)) and len(spans_by_id(whole)) == 30
    merged = tmp_path / "merged.jsonl"
    assert main(["merge", *(str(tmp_path / f"part{number}.jsonl") for number in (1, 2, 3)), "--out", str(merged)]) == 0
    assert spans_by_id(merged) == spans_by_id(whole)


def test_shard_is_checked() -> None:
    assert parse_shard("2/5") == Shard(2, 5)
    assert Shard(1, 1).holds("anything")
    for bad in ("0/3", "4/3", "3", "a/b"):
        with pytest.raises(Exception, match="K/N"):
            parse_shard(bad)


def test_processes_and_batches_give_the_same_store(tmp_path: Path) -> None:
    corpus, patterns = write_corpus(tmp_path / "wire.jsonl", many_articles(6)), write_patterns(tmp_path / "p.jsonl")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert suggest(corpus, "--out", one, "--patterns", patterns) == 0
    assert suggest(corpus, "--out", two, "--patterns", patterns, "--n-process", "2", "--batch-size", "2") == 0
    assert spans_by_id(one) == spans_by_id(two)


@pytest.mark.parametrize(("line", "problem"), [
    ("{not json", "not valid JSON"),
    ('{"label": "ACTOR"}', '"pattern" must be a phrase'),
    ('{"label": "ACTOR", "pattern": [{"LOWR": "x"}]}', "not a valid token pattern"),
    ('{"pattern": "x"}', '"label" must be a non-empty string'),
    ('{"label": "ACTOR", "pattern": "x", "colour": "red"}', "unknown field(s) colour"),
])
def test_a_bad_patterns_file_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, problem: str) -> None:
    patterns = tmp_path / "p.jsonl"
    patterns.write_text(json.dumps(PATTERNS[0]) + "\n\n" + line + "\n", encoding="utf-8")
    store = tmp_path / "out.jsonl"
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", store, "--patterns", patterns) == 2
    err = capsys.readouterr().err
    assert f"{patterns}:3: " in err and problem in err and "Traceback" not in err
    assert not store.exists()


def test_without_spacy_it_says_how_to_install(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` now raises ImportError
    assert suggest(write_corpus(tmp_path / "wire.jsonl"), "--out", tmp_path / "out.jsonl", "--patterns", tmp_path / "p.jsonl") == 2
    assert "pip install 'annotator[spacy]'" in capsys.readouterr().err


def test_nothing_to_suggest_from_and_a_bad_label_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path / "wire.jsonl")
    assert suggest(corpus, "--out", tmp_path / "out.jsonl") == 2
    assert "--patterns FILE, --model" in capsys.readouterr().err
    assert suggest(corpus, "--out", tmp_path / "out.jsonl", "--patterns", write_patterns(tmp_path / "p.jsonl"), "--label-map", "GPE") == 2
    assert "MODEL_LABEL=SCHEMA_LABEL" in capsys.readouterr().err
    assert suggest(corpus, "--out", tmp_path / "out.jsonl", "--model", tmp_path / "no-such-model") == 2
    assert "spaCy cannot load it" in capsys.readouterr().err


def test_the_starter_patterns_find_figures_and_attributions(tmp_path: Path) -> None:
    """Made-up sentences in the guidelines' shapes, not taken from any sample article."""
    starter = default_schema_path().with_name("news-conflict.patterns.jsonl")
    assert (Path(__file__).parents[2] / "schemas" / starter.name).exists()  # `schemas/` shows it
    text = ("At least 14 civilians were killed and dozens of fighters wounded, according to the local health ministry. "
            "Rebel commanders said two of their members were abducted. Between 10 and 15 aid workers are missing, "
            "a spokesman reportedly told reporters. A group claimed responsibility.")
    corpus = tmp_path / "made-up.txt"
    corpus.write_text(text, encoding="utf-8")
    store = tmp_path / "out.jsonl"
    assert suggest(corpus, "--out", store, "--patterns", starter) == 0
    found = {(s["label"], s["text"]) for s in spans_by_id(store)["made-up#0"]}
    assert {("CASUALTY", "At least 14 civilians"), ("CASUALTY", "dozens of fighters"), ("CASUALTY", "two of their members"),
            ("CASUALTY", "Between 10 and 15 aid workers"), ("ATTRIBUTION", "according to the local health ministry"),
            ("ATTRIBUTION", "Rebel commanders said"), ("ATTRIBUTION", "reportedly")} <= found
    assert all(s["source"] == "patterns:news-conflict.patterns.jsonl" for s in spans_by_id(store)["made-up#0"])
