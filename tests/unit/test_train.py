"""`annotator train`: a tiny NER run on accepted records, scored on the held-out split, saved so that
`suggest --model` uses it."""

from __future__ import annotations

import re
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


# News repeats its names: a handful of actors and places, in paragraphs worded differently.
ACTORS = ["Northern Shield Brigade", "Popular Mobilization Forces", "Hezbollah"]
TOWNS = ["Qasr al-Hadid", "Tell Ahmar", "Marsa Kebir"]
WORDINGS = ["Fighters of the {actor} shelled {town} overnight, residents said.",
            "The {actor} withdrew from {town} on Tuesday after two days of clashes.",
            "In {town}, the {actor} set up checkpoints along the main road.",
            "Officials accused the {actor} of firing rockets at {town}."]


def write_news(path: Path, count: int) -> Path:
    """`count` accepted paragraphs, each with one ACTOR and one LOCATION, none overlapping."""
    schema = load_schema(default_schema_path())
    with Store(path) as store:
        for number in range(count):
            actor, town = ACTORS[number % len(ACTORS)], TOWNS[number // len(ACTORS) % len(TOWNS)]
            text = WORDINGS[number % len(WORDINGS)].format(actor=actor, town=town)
            tokens = tokenize(text)
            spans = (span_over_chars(tokens, text.index(actor), text.index(actor) + len(actor), "ACTOR", text, id="s1"),
                     span_over_chars(tokens, text.index(town), text.index(town) + len(town), "LOCATION", text, id="s2"))
            paragraph = Paragraph(f"news{number}", 0, text, 0, "news.txt")
            store.append(to_record(paragraph, tokens, Annotation(spans=spans, answer="accept"), schema_ref=schema.ref,
                                   annotator="alice"))
    return path


def test_a_model_from_a_small_store_suggests_its_names_in_new_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Eight accepted paragraphs: too few to hold some out, so all train, and the command says the F1 cannot be
    measured; the model still finds the names in sentences it has never seen, at their exact offsets."""
    gold = write_news(tmp_path / "gold.jsonl", 8)
    model = tmp_path / "lead-v1"
    assert main(["train", str(gold), "--out", str(model), "--epochs", "40"]) == 0
    out, err = capsys.readouterr()
    assert "trained on all 8 paragraph(s) (40 pass(es)" in out
    assert "the F1 cannot be measured: 8 accepted paragraph(s) leave none to hold out" in err
    assert "epoch 40/40:" in err and "held-out F1" not in err

    corpus = tmp_path / "new.txt"
    corpus.write_text("Aid workers reached Tell Ahmar yesterday.\n\n"
                      "A convoy of the Northern Shield Brigade was seen near the border.\n", encoding="utf-8")
    store = tmp_path / "suggested.jsonl"
    assert main(["suggest", str(corpus), "--out", str(store), "--model", str(model), "--annotator", "bob", "--quiet"]) == 0
    found = set()
    for paragraph_id in ("new#0", "new#1"):
        record = read_store(store).get(paragraph_id)
        assert record is not None, f"the model trained from the store suggests nothing in {paragraph_id}"
        for span in record["spans"]:
            assert span["suggested"] and span["source"] == "model:lead-v1"
            assert record["text"][span["start"]:span["end"]] == span["text"]
            found.add((span["text"], span["label"], span["start"]))
    assert ("Tell Ahmar", "LOCATION", 20) in found
    assert ("Northern Shield Brigade", "ACTOR", 16) in found


def test_an_f1_of_0_says_the_model_learnt_nothing_usable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_news(tmp_path / "gold.jsonl", 20)
    assert main(["train", str(gold), "--out", str(tmp_path / "m"), "--epochs", "1"]) == 0
    out, err = capsys.readouterr()
    held = sum(held_out(f"news{number}#0") for number in range(20))
    assert f"trained on {20 - held} paragraph(s), scored on {held} held out; best pass 1 of 1 pass(es)" in out
    assert out.splitlines()[-1].split()[:4] == ["overall", "0.00", "0.00", "0.00"]
    assert re.search(r"epoch 1/1: \d+ updates, loss [0-9.]+, held-out F1 0.00 \(best so far\)", err)
    assert "the model learnt nothing usable yet: annotate more paragraphs" in err
    assert re.search(r"--epochs 1 stopped training after \d+ updates, short of the 300 it makes by itself", err)


def test_the_best_pass_is_the_one_saved(tmp_path: Path) -> None:
    """After every pass the held-out F1 is measured; of the passes past the fewest updates, the one that scored best
    (the later of equals) is the one saved, and training stops `patience` passes after the last one that bettered it.
    Here (seed 0) the F1 rises, then falls for two passes: the run stops there and saves the pass before."""
    spacy = pytest.importorskip("spacy")
    from spacy.training import Example

    from annotator.suggest.training import Epoch, train

    gold = write_news(tmp_path / "gold.jsonl", 20)
    passes: list[Epoch] = []
    summary = train([gold], tmp_path / "m", schema=load_schema(default_schema_path()), epochs=30, seed=0,
                    min_updates=24, patience=2, epoch_done=passes.append)
    assert all(epoch.f1 is not None for epoch in passes) and len(passes) == summary.epochs < 30
    assert passes[-1].updates == summary.updates >= 24
    assert not any(epoch.best for epoch in passes if epoch.updates < 24), "an undertrained pass was kept"
    keepable = [(epoch.number, epoch.f1 or 0.0) for epoch in passes if epoch.updates >= 24]
    best = max(score for _, score in keepable)
    assert summary.best_epoch == max(number for number, score in keepable if score == best) < summary.epochs
    assert [epoch.number for epoch in passes if epoch.best] == [
        number for number, score in keepable if score == max(earlier for other, earlier in keepable if other <= number)]
    assert all(score < best for _, score in keepable[-2:]) and summary.epochs - summary.best_epoch == 2
    assert summary.overall is not None and summary.overall.f1 == best

    nlp = spacy.load(tmp_path / "m")
    examples = [Example.from_dict(nlp.make_doc(record["text"]),
                                  {"entities": [(span["start"], span["end"], span["label"]) for span in record["spans"]]})
                for record in accepted_records([gold]) if held_out(record["id"])]
    assert nlp.evaluate(examples)["ents_f"] == best, "the saved pipeline is not the best pass's"
