"""`annotate --order uncertain`: after each decision the screen opens the paragraph the model is least sure of.

The model is built here (`spacy.blank("en")`, an entity ruler, and a component scoring its entities
as a spancat would); nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

spacy = pytest.importorskip("spacy")
from spacy.language import Language  # noqa: E402

from annotator.suggest.pipelines import model_pipeline  # noqa: E402
from annotator.suggest.uncertainty import UncertainOrder  # noqa: E402
from annotator.tui.app import AnnotatorApp  # noqa: E402

SIZE = (100, 32)
SURE = {"Syria": 0.99, "Deir": 0.6, "Al-Mayadeen": 0.3, "border": 0.5}


@Language.component("test_uncertain_screen_scores")
def _scores(doc: Any) -> Any:
    doc.spans["sc"] = list(doc.ents)
    doc.spans["sc"].attrs["scores"] = [SURE[span.text] for span in doc.ents]
    return doc


def pipeline(path: Path) -> Any:
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "LOCATION", "pattern": word} for word in SURE])
    nlp.add_pipe("test_uncertain_screen_scores")
    nlp.to_disk(path)
    return model_pipeline(str(path))


async def test_decisions_go_on_to_the_least_sure_paragraph_then_in_corpus_order(workspace, tmp_path: Path):
    space = workspace()
    # uncertainty (1 - |2p - 1| of the least sure span): b-border#0 1.0 (border), a-strikes#0 0.8 (Deir),
    # a-strikes#1 0.6 (Al-Mayadeen); a-strikes#2 and b-border#1 have no span: sure
    session = space.session
    order = UncertainOrder(session.corpus, pipeline(tmp_path / "model"), skip=session.is_decided, batch_size=2)
    app = AnnotatorApp(session, store_path="annotations.jsonl", order=order)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the first paint, after which the order is scored behind the screen
        await app.workers.wait_for_complete()
        assert order.done and order.scored == 5
        assert session.paragraph.id == "a-strikes#0"
        await pilot.press("enter")
        assert session.paragraph.id == "b-border#0"  # the least sure
        assert "next: where model:model is least sure" in str(app.screen.query_one("#status").render())
        await pilot.press("x")
        assert session.paragraph.id == "a-strikes#1"  # a-strikes#0, less sure, is decided
        await pilot.press("enter")
        assert session.paragraph.id == "a-strikes#2"  # none left uncertain: the corpus's order again
    assert {pid: record["answer"] for pid, record in space.saved().items()} == {
        "a-strikes#0": "accept", "b-border#0": "reject", "a-strikes#1": "accept"}
