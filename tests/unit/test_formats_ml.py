"""The ML formats load in the libraries they are for, and agree with spaCy's own tagging."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store, run

from annotator.core.store import read_store


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store.jsonl")


def test_every_span_aligns_with_spacy_char_span(tmp_path: Path, store: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    run("export", store, "--format", "spacy", "--out", out)
    nlp = spacy.blank("xx")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    records = list(read_store(store).latest.values())
    assert [doc.text for doc in docs] == [record["text"] for record in records]
    for doc, record in zip(docs, records):
        expected = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
        assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]} == expected
        for span in record["spans"]:
            assert doc.char_span(span["start"], span["end"]) is not None
        assert doc.user_data["annotator"]["id"] == record["id"]
        assert all(doc.ents)  # non-overlapping subset
    first = docs[0]
    assert {e.text for e in first.ents} >= {"US officials said", "Iraq"}  # the longer of the overlapping pair


def test_conll_equals_spacy_biluo_converted_to_iob(tmp_path: Path, store: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Doc
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out)
    blocks = [block for block in out.read_text(encoding="utf-8").split("\n\n") if block and not block.startswith("-DOCSTART-")]
    vocab = spacy.blank("xx").vocab
    for block, record in zip(blocks, read_store(store).latest.values()):
        doc = Doc(vocab, words=[t["text"] for t in record["tokens"]], spaces=[t["ws"] for t in record["tokens"]])
        spans = [s for s in record["spans"] if s["label"] != "ACTOR" or s["text"] != "US officials"]  # the overlap
        biluo = offsets_to_biluo_tags(doc, [(s["start"], s["end"], s["label"]) for s in spans])
        words = [(token.text, tag) for token, tag in zip(doc, biluo_to_iob(biluo)) if not token.is_space]
        assert [tuple(line.split(" ")) for line in block.strip("\n").split("\n")] == words


def test_hf_folder_loads_with_datasets(tmp_path: Path, store: Path) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "hf"
    run("export", store, "--format", "hf", "--out", out)
    names = json.loads((out / "label_names.json").read_text(encoding="utf-8"))
    for loaded in (datasets.load_dataset(str(out), split="train"),
                   datasets.load_dataset("json", data_files=str(out / "data.jsonl"), split="train")):
        assert loaded.num_rows == 3
        row = loaded[0]
        assert row["id"] == "mix#0"
        tags = [names[i] for i in row["ner_tags"]]
        assert tags[row["tokens"].index("Iraq")] == "B-LOCATION"
        for span in row["spans"]:
            assert row["text"][span["start"]:span["end"]] == span["text"]
            assert row["tokens"][span["token_start"]] == span["text"].split()[0]
    features = datasets.load_dataset(str(out), split="train").features
    assert features["ner_tags"].feature.names == names


def test_spacy_missing_gives_a_clear_error(tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.cli import main

    monkeypatch.setitem(sys.modules, "spacy", None)
    assert main(["export", str(store), "--format", "spacy", "--out", str(tmp_path / "x.spacy")]) == 2
    assert "annotator[spacy]" in capsys.readouterr().err
    assert not (tmp_path / "x.spacy").exists()
