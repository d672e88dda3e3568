"""What `annotate --order uncertain` costs per 1,000 paragraphs: a trained NER's `nlp.pipe` alone,
against the same with its beam search scored (`paragraph_uncertainties`, a batch at a time).

Run: python benchmarks/uncertainty.py (needs the `spacy` extra)

The pipeline is trained here on a few sentences (a blank English `ner`, as `annotator train`
makes), so nothing is downloaded; the texts are generated sentences of about 25 words.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import spacy
from spacy.training import Example

from annotator.suggest.pipelines import model_pipeline
from annotator.suggest.uncertainty import BATCH_SIZE, paragraph_uncertainties

PLACES = ["Homs", "Aleppo", "Raqqa", "Idlib", "Deir el-Zour", "Tyre"]


def main() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("LOCATION")
    examples = [Example.from_dict(nlp.make_doc(f"Shelling hit {place} today, officials said."),
                                  {"entities": [(13, 13 + len(place), "LOCATION")]}) for place in PLACES]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(10):
        nlp.update(examples, sgd=optimizer)
    texts = [f"Report {n}: troops moved along the river road near {PLACES[n % len(PLACES)]} at dawn while "
             "residents of the town watched, officials said on Tuesday." for n in range(1000)]
    with tempfile.TemporaryDirectory() as folder:
        nlp.to_disk(Path(folder) / "ner")
        pipeline = model_pipeline(str(Path(folder) / "ner"))
        started = time.perf_counter()
        list(pipeline.nlp.pipe(texts, batch_size=BATCH_SIZE))
        alone = time.perf_counter() - started
        started = time.perf_counter()
        for first in range(0, len(texts), BATCH_SIZE):
            paragraph_uncertainties(pipeline, texts[first : first + BATCH_SIZE])
        scored = time.perf_counter() - started
    print(f"nlp.pipe alone: {alone:.2f} s per 1,000 paragraphs; scored for --order uncertain: {scored:.2f} s "
          f"(x{scored / alone:.2f})")


if __name__ == "__main__":
    main()
