"""How unsure a model is of each paragraph, for `annotate --order uncertain --model MODEL_DIR`.

A paragraph is as uncertain as the span the model is least sure of: `1 - |2p - 1|` for a span
it gives probability `p` (1 at p = 0.5, 0 at p = 0 or 1). The probabilities are a spancat's
scores (`doc.spans[key].attrs["scores"]`, as `suggest` keeps them) and, for each entity
recognizer (what `annotator train` makes, which scores nothing itself), the share of a beam
search's probability held by the parses that have the entity (spaCy's `beam_parse` and
`scored_ents`, on the recognizer as trained). A paragraph with nothing scored is sure (0).

The corpus is scored a batch at a time (`UncertainOrder.scan`), in a thread once the screen is
up, so that a large corpus never holds up the start: the screen opens the least sure paragraph
scored so far, and the order grows more complete as the scan goes on. Only paragraphs with some
uncertainty are kept (a float and a position each).
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from typing import Any

from annotator.core.corpus import Corpus, Paragraph
from annotator.core.session import Position
from annotator.suggest.pipelines import Pipeline

BEAM_WIDTH = 8
BATCH_SIZE = 32  # paragraphs scored at a time: also what `scan` does between two looks at `cancelled`


def uncertainty(probability: float) -> float:
    return 1.0 - abs(2.0 * probability - 1.0)


def _recognizers(nlp: Any) -> list[Any]:
    """The pipeline's entity recognizers that can search a beam (spaCy's `ner`, `beam_ner`)."""
    return [pipe for _, pipe in nlp.pipeline if hasattr(pipe, "beam_parse") and hasattr(pipe, "scored_ents")]


def paragraph_uncertainties(pipeline: Pipeline, texts: Sequence[str]) -> list[float]:
    """The uncertainty of each text (see the module's docstring), in order."""
    nlp = pipeline.nlp
    zone = getattr(nlp, "memory_zone", None)  # spaCy 3.8: the batch's strings are freed after it
    with zone() if zone is not None else nullcontext():
        docs = list(nlp.pipe(texts, batch_size=len(texts) or 1))
        probabilities: list[list[float]] = [[] for _ in docs]
        for found, doc in zip(probabilities, docs):
            for key in doc.spans:
                found.extend(float(score) for score in doc.spans[key].attrs.get("scores") or ())
        for recognizer in _recognizers(nlp):
            beams = recognizer.beam_parse(docs, beam_width=BEAM_WIDTH)
            for found, scored in zip(probabilities, recognizer.scored_ents(beams)):
                found.extend(float(probability) for probability in scored.values())
    return [max(map(uncertainty, found), default=0.0) for found in probabilities]


def _never() -> bool:
    return False


class UncertainOrder:
    """The corpus's paragraphs, least sure first, as far as they have been scored.

    `scan` scores (in one thread at a time); `next_position` is asked on the screen's thread;
    the ranking between them is guarded by a lock. `skip` (paragraph id -> decided?) spares the
    model the paragraphs already decided.
    """

    def __init__(self, corpus: Corpus, pipeline: Pipeline, *, skip: Callable[[str], bool] = lambda _: False,
                 batch_size: int = BATCH_SIZE) -> None:
        self.corpus = corpus
        self.pipeline = pipeline
        self.skip = skip
        self.batch_size = batch_size
        self.scored = 0  # paragraphs scored so far
        self.done = False
        self._ranked: list[tuple[float, int, int, str]] = []  # (-uncertainty, article, paragraph, id): a heap
        self._lock = threading.Lock()
        self._batches = self._pending()

    @property
    def source(self) -> str:
        return self.pipeline.sources[0]

    def scan(self, paragraphs: int | None = None, *, cancelled: Callable[[], bool] = _never) -> None:
        """Score on, a batch at a time, for about `paragraphs` paragraphs (None: to the end of the corpus)."""
        while not self.done and (paragraphs is None or paragraphs > 0) and not cancelled():
            batch = next(self._batches, None)
            if batch is None:
                self.done = True
                return
            values = paragraph_uncertainties(self.pipeline, [paragraph.text for _, paragraph in batch])
            with self._lock:
                for (position, paragraph), value in zip(batch, values):
                    if value > 0:
                        heapq.heappush(self._ranked, (-value, position.article, position.paragraph, paragraph.id))
            self.scored += len(batch)
            if paragraphs is not None:
                paragraphs -= len(batch)

    def _pending(self) -> Iterator[list[tuple[Position, Paragraph]]]:
        """The undecided paragraphs in corpus order, a batch at a time (waiting for the corpus index as needed)."""
        batch: list[tuple[Position, Paragraph]] = []
        for number, article in enumerate(self.corpus):
            for index, paragraph in enumerate(article.paragraphs):
                if not self.skip(paragraph.id):
                    batch.append((Position(number, index), paragraph))
                if len(batch) >= self.batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def next_position(self, decided: Callable[[str], bool], current: str | None = None) -> Position | None:
        """The least sure paragraph scored so far that is not decided (nor `current`), or None."""
        with self._lock:
            kept: list[tuple[float, int, int, str]] = []
            found: Position | None = None
            while self._ranked:
                entry = self._ranked[0]
                if decided(entry[3]):
                    heapq.heappop(self._ranked)  # decided for good: never offered again
                elif entry[3] == current:
                    kept.append(heapq.heappop(self._ranked))
                else:
                    found = Position(entry[1], entry[2])
                    break
            for entry in kept:
                heapq.heappush(self._ranked, entry)
            return found
