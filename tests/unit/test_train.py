"""`annotator train`: a tiny NER run on accepted records, scored on the held-out split, saved so that
`suggest --model` uses it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("spacy")

from annotator.cli import main
from annotator.core.corpus import Paragraph
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.spans import Annotation, Span, span_over_chars
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize
from annotator.suggest.training import accepted_records, held_out

PLACES = ["Marsa Kebir", "Tower 22", "Deir el-Zour", "Al-Mayadeen", "Jordan", "Syria", "Iraq", "Aleppo"]


def write_gold(path: Path, count: int, *, answer: str = "accept") -> Path:
    schema = load_schema(default_schema_path())
    with Store(path) as store:
        for number in range(count):
            place = PLACES[number % len(PLACES)]
            text = f"Shelling hit {place} on day {number}, officials said."
            tokens = tokenize(text)
            start = text.index(place)
            spans = (span_over_chars(tokens, start, start + len(place), "LOCATION", text, id="s1"),
                     span_over_chars(tokens, start, start + len(place.split()[0]), "ACTOR", text, id="s2"),  # overlaps
                     span_over_chars(tokens, text.index("officials"), len(text) - 1, "ATTRIBUTION", text, id="s3"))
            paragraph = Paragraph(f"g{number}", 0, text, 0, "gold.txt")
            store.append(to_record(paragraph, tokens, Annotation(spans=spans, answer=answer), schema_ref=schema.ref, annotator="alice"))
    return path


def test_train_scores_the_held_out_split_and_suggest_uses_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", 30)
    model = tmp_path / "ner-v1"
    assert main(["train", str(gold), "--out", str(model), "--epochs", "8", "--labels", "LOCATION,ATTRIBUTION", "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    held = sum(held_out(f"g{number}#0") for number in range(30))
    assert 0 < held < 30
    assert f"trained on {30 - held} paragraph(s), scored on {held} held out" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert set(rows) == {"ATTRIBUTION", "LOCATION", "overall"}
    assert rows["overall"][3] == str(2 * held)  # the held-out gold spans, ACTOR not trained
    assert 0.0 <= float(rows["overall"][2]) <= 1.0
    assert "epoch 8/8" in err and "overlapping" not in err  # ACTOR is not trained, so nothing overlaps
    assert (model / "meta.json").exists() and (model / "ner").is_dir()

    corpus = tmp_path / "new.txt"
    corpus.write_text("Shelling hit Syria on day 99, officials said.\n", encoding="utf-8")
    store = tmp_path / "suggested.jsonl"
    assert main(["suggest", str(corpus), "--out", str(store), "--model", str(model), "--annotator", "bob", "--quiet"]) == 0
    record = read_store(store).get("new#0")
    assert record is not None, "the trained model suggests nothing on text like its training data"
    text = record["text"]
    assert all(span["source"] == "model:ner-v1" and span["suggested"] and text[span["start"]:span["end"]] == span["text"]
               for span in record["spans"])
    assert {span["label"] for span in record["spans"]} <= {"LOCATION", "ATTRIBUTION"}


def test_overlaps_are_dropped_and_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", 6)
    assert main(["train", str(gold), "--out", str(tmp_path / "m"), "--epochs", "1", "--quiet"]) == 0
    assert "6 overlapping span(s) left out" in capsys.readouterr().err


def test_only_accepted_records_and_no_suggestions_train(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rejected = write_gold(tmp_path / "rejected.jsonl", 5, answer="reject")
    assert accepted_records([rejected]) == []
    assert main(["train", str(rejected), "--out", str(tmp_path / "m"), "--quiet"]) == 2
    assert "nothing to train on" in capsys.readouterr().err
    schema = load_schema(default_schema_path())
    suggested_only = tmp_path / "suggested.jsonl"
    text = "Shelling hit Syria."
    with Store(suggested_only) as store:
        store.append(to_record(Paragraph("s", 0, text, 0, "s.txt"), tokenize(text),
                               Annotation(spans=(Span(13, 18, "LOCATION", 2, 2, suggested=True),), answer="accept"),
                               schema_ref=schema.ref, annotator="alice"))
    assert main(["train", str(suggested_only), "--out", str(tmp_path / "m"), "--quiet"]) == 2
    assert "nothing to train on" in capsys.readouterr().err


def test_unknown_labels_and_missing_spacy(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", 3)
    assert main(["train", str(gold), "--out", str(tmp_path / "m"), "--labels", "WEAPON"]) == 2
    assert "WEAPON not in the schema" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "spacy", None)
    assert main(["train", str(gold), "--out", str(tmp_path / "m")]) == 2
    assert "pip install 'annotator[spacy]'" in capsys.readouterr().err
