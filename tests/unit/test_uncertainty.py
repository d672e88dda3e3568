"""`annotate --order uncertain --model MODEL_DIR`: paragraphs ranked by how unsure a model is of them.

The models are built here: `spacy.blank("en")` with an entity ruler and a component that scores
its entities as a spancat would, and a tiny trained NER (scored by a beam search); nothing is
downloaded.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

spacy = pytest.importorskip("spacy")
from spacy.language import Language  # noqa: E402

from annotator.cli import main  # noqa: E402
from annotator.core.corpus import Corpus  # noqa: E402
from annotator.core.session import Position  # noqa: E402
from annotator.suggest.pipelines import model_pipeline  # noqa: E402
from annotator.suggest.uncertainty import UncertainOrder, paragraph_uncertainties, uncertainty  # noqa: E402

#: how sure the test model is of each place it finds
SCORES = {"Homs": 0.97, "Aleppo": 0.55, "Raqqa": 0.2, "Idlib": 0.03}
PLACES = [{"label": "LOCATION", "pattern": place} for place in SCORES]


@Language.component("test_uncertain_scores")
def _uncertain_scores(doc: Any) -> Any:
    """What a spancat leaves: every entity under doc.spans["sc"] with a score, here looked up by its text."""
    doc.spans["sc"] = list(doc.ents)
    doc.spans["sc"].attrs["scores"] = [SCORES[span.text] for span in doc.ents]
    return doc


def scoring_model(path: Path) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(PLACES)
    nlp.add_pipe("test_uncertain_scores")
    nlp.to_disk(path)
    return path


def write_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text("Shelling in Homs.\n\nNothing found.\n\nRaqqa and Homs.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Troops near Aleppo.\n\nQuiet in Idlib.\n", encoding="utf-8")
    return folder


def test_the_least_sure_span_makes_the_paragraphs_uncertainty() -> None:
    assert uncertainty(0.5) == 1.0 and uncertainty(0.0) == uncertainty(1.0) == 0.0
    assert uncertainty(0.2) == pytest.approx(0.4) and uncertainty(0.8) == pytest.approx(0.4)


def test_paragraphs_come_least_sure_first_as_far_as_they_are_scored(tmp_path: Path) -> None:
    pipeline = model_pipeline(str(scoring_model(tmp_path / "m")))
    assert paragraph_uncertainties(pipeline, ["Aleppo", "Homs", "nothing", "Raqqa and Homs"]) == pytest.approx(
        [0.9, 0.06, 0.0, 0.4])
    corpus = Corpus([write_corpus(tmp_path / "articles")])
    decided = {"a#0"}
    order = UncertainOrder(corpus, pipeline, skip=decided.__contains__, batch_size=2)
    order.scan(2)  # the first batch: a#1 and a#2 (a#0 is decided)
    assert order.scored == 2 and not order.done
    assert order.next_position(decided.__contains__) == Position(0, 2)  # Raqqa: 0.4
    order.scan()
    assert order.done and order.scored == 4
    ranked = []
    while (position := order.next_position(decided.__contains__)) is not None:
        ranked.append(position)
        decided.add(corpus.article(position.article).paragraphs[position.paragraph].id)
    assert ranked == [Position(1, 0), Position(0, 2), Position(1, 1)]  # Aleppo 0.9, Raqqa 0.4, Idlib 0.06; none sure
    order = UncertainOrder(corpus, pipeline)
    order.scan()
    assert order.next_position(lambda _: False, current="b#0") == Position(0, 2)  # the open paragraph is passed over
    assert order.next_position(lambda _: False) == Position(1, 0)  # and still there


def test_a_trained_ner_is_scored_by_its_beam(tmp_path: Path) -> None:
    from spacy.training import Example

    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("LOCATION")
    examples = [Example.from_dict(nlp.make_doc(f"Shelling hit {place} today."),
                                  {"entities": [(13, 13 + len(place), "LOCATION")]}) for place in SCORES]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(tmp_path / "ner")
    values = paragraph_uncertainties(model_pipeline(str(tmp_path / "ner")), ["Shelling hit Palmyra today.", "."])
    assert len(values) == 2 and all(0.0 <= value <= 1.0 for value in values)
    assert values[0] > 0  # an unseen name after a seen context: the beam is split over it


def run_annotate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["annotate", *args])
    return status, capsys.readouterr().err


def test_order_and_model_go_together_and_without_spacy_it_says_how_to_install(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    articles, out = write_corpus(tmp_path / "articles"), tmp_path / "out.jsonl"
    status, err = run_annotate(capsys, str(articles), "--out", str(out), "--order", "uncertain")
    assert status == 2 and "--order uncertain needs --model MODEL_DIR" in err
    status, err = run_annotate(capsys, str(articles), "--out", str(out), "--model", str(tmp_path))
    assert status == 2 and "--model is for --order uncertain" in err
    status, err = run_annotate(capsys, str(articles), "--out", str(out), "--order", "uncertain",
                               "--model", str(tmp_path / "nowhere"))
    assert status == 2 and "spaCy cannot load it" in err and "Traceback" not in err
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` now raises ImportError
    status, err = run_annotate(capsys, str(articles), "--out", str(out), "--order", "uncertain",
                               "--model", str(tmp_path))
    assert status == 2 and "pip install 'annotator[spacy]'" in err
    assert not out.exists()  # nothing opened, nothing written


def test_annotate_opens_on_the_least_sure_paragraph_and_hands_the_order_to_the_screen(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.tui.app import AnnotatorApp

    opened: list[tuple[str, UncertainOrder | None]] = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda app: opened.append((app.session.paragraph.id, app.order)))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    articles, model = write_corpus(tmp_path / "articles"), scoring_model(tmp_path / "m")
    status, _ = run_annotate(capsys, str(articles), "--out", str(tmp_path / "out.jsonl"), "--order", "uncertain",
                             "--model", str(model))
    assert status == 0
    [(first, order)] = opened
    assert first == "b#0"  # Aleppo (0.55), the least sure of the first batch, the whole corpus here
    assert order is not None and order.scored == 5 and order.source == "model:m"
