"""The spaCy pipelines that make suggestions, and the spans each finds in a Doc, by source.

Patterns run in one blank English pipeline with a `span_ruler` per source (so one tokenization
serves every patterns file, each file's spans are kept apart under its own `doc.spans` key,
and overlapping matches of one file are resolved as the `EntityRuler` does: the longest, then
the first). A model is any pipeline `spacy.load` opens; its spans come from `doc.ents` and every
`doc.spans[key]`, with the scores a spancat leaves in `doc.spans[key].attrs["scores"]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.formats.imported import ImportedSpan
from annotator.suggest.patterns import PatternSet
from annotator.suggest.spacy_extra import load_spacy

FIRST_LONGEST = {"@misc": "spacy.first_longest_spans_filter.v1"}


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A loaded spaCy pipeline and the sources its spans are given."""

    nlp: Any  # spacy.Language
    sources: tuple[str, ...]
    model: bool  # a model (every ents and spans key is its source) or rulers (one spans key per source)

    def spans(self, doc: Any) -> dict[str, list[ImportedSpan]]:
        """What this pipeline found in `doc`, by source, at the Doc's exact character offsets."""
        if not self.model:
            return {source: [_imported(span) for span in doc.spans.get(source, ())] for source in self.sources}
        found: list[ImportedSpan] = []
        for key in sorted(doc.spans):  # spans first: they may carry scores the same span in ents lacks
            group = doc.spans[key]
            scores = group.attrs.get("scores")
            for number, span in enumerate(group):
                found.append(_imported(span, None if scores is None else float(scores[number])))
        found.extend(_imported(span) for span in doc.ents)
        return {self.sources[0]: found}


def _imported(span: Any, score: float | None = None) -> ImportedSpan:
    return ImportedSpan(span.start_char, span.end_char, span.label_, score=score)


def patterns_pipeline(sets: Sequence[PatternSet]) -> Pipeline:
    """One blank English pipeline (its `LIKE_NUM` knows number words) with a span ruler per source."""
    spacy = load_spacy("suggest --patterns")
    nlp = spacy.blank("en")
    for number, pattern_set in enumerate(sets, start=1):
        ruler = nlp.add_pipe("span_ruler", name=f"patterns{number}",
                             config={"spans_key": pattern_set.source, "spans_filter": FIRST_LONGEST, "annotate_ents": False})
        ruler.add_patterns(list(pattern_set.patterns))
    return Pipeline(nlp, tuple(pattern_set.source for pattern_set in sets), model=False)


def model_pipeline(name_or_path: str) -> Pipeline:
    """An installed pipeline (by package name) or a folder written by `nlp.to_disk`; source `model:<name>`.

    The name is the package name as given, or the folder's name, so a second run over the same
    store recognises its own suggestions whatever the current directory.
    """
    spacy = load_spacy("suggest --model")
    path = Path(name_or_path)
    try:
        nlp = spacy.load(path if path.exists() else name_or_path)
    except (OSError, ValueError) as error:
        problem = " ".join(str(error).split())[:300]
        raise InputError(f"--model {name_or_path}: spaCy cannot load it ({problem}). Give an installed pipeline "
                         "(e.g. en_core_web_sm, after `python -m spacy download en_core_web_sm`) or a folder "
                         "written by nlp.to_disk, such as one `annotator train` made.") from None
    name = path.resolve().name if path.exists() else name_or_path
    return Pipeline(nlp, (f"model:{name}",), model=True)
