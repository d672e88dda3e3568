"""`train`: a spaCy NER pipeline learnt from the accepted records of stores, for `suggest --model`.

The records are the latest of each paragraph whose answer is `accept` (a paragraph in several
stores is taken from the first store that accepted it, so give the gold store first); their
spans, suggestions left out, are the training data. NER cannot hold overlapping spans, so of
those that overlap the longest (then the first) is kept and the others are counted, as are
spans not on spaCy's token edges (spaCy's tokenizer is the one the pipeline will predict
with). The configuration is made in code: a blank English pipeline with spaCy's default
`ner`, trained on the CPU with `nlp.update`.

Small stores are the usual case (a lead trains after a few dozen paragraphs), so training
counts updates, not passes, as `spacy train` does: it goes on for at least `MIN_UPDATES`
updates (`--epochs` stays the most passes it makes), in batches of about 100 words growing
slowly to 1,000 (spaCy's default batcher), with spaCy's default dropout. One paragraph in
`HELD_OUT_EVERY` (chosen by a hash of its id, so the split is the same every run and grows with
the store) is held out and scored after every pass; of the passes made after the first
`MIN_UPDATES` updates, the one that scores best is saved, and training stops once `PATIENCE`
passes have not bettered it. With fewer than
`MIN_FOR_HELD_OUT` accepted paragraphs (or no gold span among those held out) every paragraph
trains and the F1 cannot be measured: the summary says so instead of giving a score.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.records import stable_hash
from annotator.core.schema import Schema
from annotator.core.store import read_store
from annotator.suggest.spacy_extra import load_spacy

HELD_OUT_EVERY = 5
#: below this many accepted paragraphs, all of them train and the F1 is not measured
MIN_FOR_HELD_OUT = 10
#: the fewest updates a run makes (unless `--epochs` passes come first): a pass over 20 paragraphs is a few
MIN_UPDATES = 300
#: passes without a better held-out F1 after which training stops (once `MIN_UPDATES` are made)
PATIENCE = 10
#: spaCy's default batcher: batches of `start` words, growing by `compound` a batch up to `stop`
BATCH_WORDS = (100.0, 1000.0, 1.001)
DROPOUT = 0.1  # spaCy's default


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    gold: int  # spans of the label in the held-out paragraphs


@dataclass(frozen=True, slots=True)
class Epoch:
    """One pass over the training paragraphs, as reported to `epoch_done`."""

    number: int
    updates: int  # made so far, this pass's included
    loss: float  # summed over this pass's updates
    f1: float | None  # on the held-out paragraphs; None when none are held out
    best: bool  # the best pass so far (of those past the fewest updates): saved unless a later one betters it


EpochDone = Callable[[Epoch], object]


@dataclass(slots=True)
class TrainSummary:
    trained: int = 0  # paragraphs
    held_out: int = 0
    labels: tuple[str, ...] = ()
    overlapping: int = 0  # spans dropped because another overlaps them
    unaligned: int = 0  # spans not on spaCy's token edges, dropped
    epochs: int = 0  # passes made
    updates: int = 0
    best_epoch: int = 0  # the pass whose pipeline was saved
    scores: dict[str, Score] = field(default_factory=dict)  # by label, on the held-out paragraphs
    overall: Score | None = None  # None: nothing held out, the F1 cannot be measured


def accepted_records(stores: Iterable[Path]) -> list[dict[str, Any]]:
    """The latest accepted record of each paragraph, from the first store that has one."""
    records: dict[str, dict[str, Any]] = {}
    for path in stores:
        for record in read_store(path).iter_latest():
            if record.get("answer") == "accept":
                records.setdefault(record["id"], record)
    return list(records.values())


def held_out(record_id: str) -> bool:
    return stable_hash("held-out", record_id) % HELD_OUT_EVERY == 0


def train(stores: Sequence[Path], out: Path, *, schema: Schema, labels: Sequence[str] = (), epochs: int = 100,
          seed: int = 0, min_updates: int = MIN_UPDATES, patience: int = PATIENCE,
          epoch_done: EpochDone | None = None) -> TrainSummary:
    """Train on the stores' accepted records, keep the pass that scores best on the held-out ones, save it to `out`."""
    spacy = load_spacy("train")
    from spacy.training import Example
    from spacy.training.batchers import minibatch_by_words
    from thinc.api import compounding

    unknown = [label for label in labels if schema.label(label) is None]
    if unknown:
        raise InputError(f"--labels: {', '.join(unknown)} not in the schema {schema.name} "
                         f"(it has {', '.join(label.name for label in schema.labels)}).")
    records = accepted_records(stores)
    wanted = set(labels) if labels else {label.name for label in schema.labels}
    present = sorted({span["label"] for record in records for span in _gold_spans(record) if span["label"] in wanted})
    if not present:
        raise InputError(f"{', '.join(map(str, stores))}: no accepted paragraph has a span of "
                         f"{', '.join(sorted(wanted))}: nothing to train on.")
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in present:
        ner.add_label(label)
    summary = TrainSummary(labels=tuple(present))
    training: list[Any] = []
    testing: list[Any] = []
    for record in records:
        doc = nlp.make_doc(record["text"])
        aligned = []
        for span in _gold_spans(record):
            if span["label"] in wanted:
                made = doc.char_span(span["start"], span["end"], label=span["label"])
                summary.unaligned += made is None
                if made is not None:
                    aligned.append(made)
        kept = spacy.util.filter_spans(aligned)
        summary.overlapping += len(aligned) - len(kept)
        example = Example.from_dict(doc, {"entities": [(s.start_char, s.end_char, s.label_) for s in kept]})
        (testing if held_out(record["id"]) else training).append(example)
    if len(records) < MIN_FOR_HELD_OUT or not training or not any(example.reference.ents for example in testing):
        training, testing = training + testing, []
    summary.trained, summary.held_out = len(training), len(testing)
    optimizer = nlp.initialize(lambda: training)
    order = random.Random(seed)
    batch_words: Any = compounding(*BATCH_WORDS)  # a schedule, which minibatch_by_words takes though its hint says not
    best_f1: float | None = None
    best_pipeline = b""
    improved = 0  # the last pass that bettered the held-out F1
    for number in range(1, epochs + 1):
        order.shuffle(training)
        losses: dict[str, float] = {}
        for batch in minibatch_by_words(training, size=batch_words):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
            summary.updates += 1
        summary.epochs = number
        f1 = _overall_f1(nlp, testing) if testing else None
        # A pass short of the fewest updates is not kept (unless it is the last): on a few held-out
        # paragraphs an undertrained pass can score best by luck and do worse on new text.
        keepable = summary.updates >= min_updates or number == epochs
        if keepable and f1 is None:  # nothing to score on: the last pass is saved
            summary.best_epoch = number
        elif keepable and f1 is not None and (best_f1 is None or f1 >= best_f1):  # a tie keeps the later, more trained
            improved = number if best_f1 is None or f1 > best_f1 else improved
            best_f1, summary.best_epoch, best_pipeline = f1, number, nlp.to_bytes()
        if epoch_done is not None:
            epoch_done(Epoch(number, summary.updates, losses.get("ner", 0.0), f1, summary.best_epoch == number))
        if keepable and (f1 is None or number - improved >= patience):
            break
    if summary.best_epoch != summary.epochs:
        nlp.from_bytes(best_pipeline)
    if testing:
        _score(nlp, testing, summary)
    nlp.meta.update({"name": "annotator_ner", "description": f"NER trained by annotator train on {len(training)} "
                     f"accepted paragraph(s) of {', '.join(path.name for path in stores)}"})
    try:
        nlp.to_disk(out)
    except OSError as error:
        raise InputError(f"{out}: cannot save the pipeline there ({error.strerror}).") from None
    return summary


def _gold_spans(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [span for span in record.get("spans") or () if not span.get("suggested")]


def _overall_f1(nlp: Any, testing: list[Any]) -> float:
    return float(nlp.evaluate(testing).get("ents_f") or 0.0)


def _score(nlp: Any, testing: list[Any], summary: TrainSummary) -> None:
    scores = nlp.evaluate(testing)
    gold = Counter(span.label_ for example in testing for span in example.reference.ents)
    per_type = scores.get("ents_per_type") or {}
    for label in summary.labels:
        found = per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        summary.scores[label] = Score(found["p"], found["r"], found["f"], gold[label])
    summary.overall = Score(scores.get("ents_p") or 0.0, scores.get("ents_r") or 0.0, scores.get("ents_f") or 0.0,
                            sum(gold.values()))
