"""`suggest`: a corpus streamed through the suggesting pipelines into a store, paragraph by paragraph.

A paragraph is suggested from a source unless it is decided (it has an answer) or its record
already holds a span from that source: so a second run adds nothing, and a run stopped
half-way resumes where it stopped. A suggestion the annotator rejected (in the record's
`meta.rejected_spans`) is not made again. Each paragraph and source with something to suggest
becomes one store line, built exactly as an import of predictions builds it
(`formats.imported.build`, merging into the paragraph's record): `suggested: true`, the
source, the score where the pipeline gives one, exact offsets, and a token range that covers a
span off our token edges (counted in a warning). Labels that are not in the schema after
`--label-map` are counted and skipped.

Memory stays flat however large the corpus: it is read lazily, a chunk of a few batches at a
time goes through `nlp.pipe` (inside spaCy's memory zone, so the words' strings are freed
after it) and its records are appended (and fsynced) before the next chunk is read; the
store's own index grows only with the lines written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from annotator.core.corpus import Corpus, Paragraph
from annotator.core.schema import Schema
from annotator.core.store import Store
from annotator.formats.imported import Imported, ImportedSpan, ImportReport, ImportSummary, build
from annotator.suggest.pipelines import Pipeline
from annotator.suggest.shards import WHOLE, Shard

#: batches of paragraphs read ahead and held at a time (with their Docs, freed after each chunk)
CHUNK_BATCHES = 8
Progress = Callable[[int, int | None], object]
#: what travels with a paragraph through the pipelines: what it still needs, and what was found
_Context = tuple[Paragraph, tuple[str, ...], dict[str, list[ImportedSpan]]]


@dataclass(frozen=True, slots=True)
class SuggestOptions:
    batch_size: int = 256
    n_process: int = 1
    shard: Shard = WHOLE
    label_map: Mapping[str, str] = field(default_factory=dict)  # the pipeline's label -> the schema's


@dataclass(slots=True)
class SuggestSummary:
    """What a run did, for the closing lines on stderr."""

    paragraphs: int = 0  # of this shard
    records: int = 0  # store lines written
    spans: int = 0
    decided: int = 0  # paragraphs left alone because they have an answer
    already: int = 0  # paragraphs every source had already suggested in
    unknown_labels: Counter[str] = field(default_factory=Counter)  # label (as mapped) -> spans skipped
    report: ImportReport = field(default_factory=ImportReport)

    def lines(self, schema_name: str) -> list[str]:
        """The warnings, one a line: labels skipped, spans off our token edges, forbidden overlaps."""
        out = ImportSummary(self.records, self.records, self.spans, 0, self.report).lines(schema_name)
        if self.unknown_labels:
            named = ", ".join(f"{label} ({count})" for label, count in sorted(self.unknown_labels.items()))
            out.append(f"labels not in the schema {schema_name}, skipped (map them with --label-map MODEL_LABEL=SCHEMA_LABEL): "
                       f"{named}.")
        return out


def suggest(corpus: Corpus, store: Store, pipelines: Sequence[Pipeline], *, schema: Schema, annotator: str,
            options: SuggestOptions | None = None, progress: Progress | None = None) -> SuggestSummary:
    """Suggest spans from every pipeline's sources in the paragraphs of `corpus` (of the shard) into `store`."""
    options = options or SuggestOptions()
    summary = SuggestSummary()
    sources = tuple(source for pipeline in pipelines for source in pipeline.sources)
    pending = _pending(corpus, store, sources, options.shard, summary, progress)
    chunk_size = options.batch_size * max(1, options.n_process) * CHUNK_BATCHES
    while chunk := list(islice(pending, chunk_size)):
        for paragraph, needed, found in _found(chunk, pipelines, options):
            _write(store, paragraph, needed, found, schema, annotator, options, summary)
    return summary


def _found(chunk: list[tuple[str, _Context]], pipelines: Sequence[Pipeline], options: SuggestOptions) -> list[_Context]:
    """Each paragraph of the chunk with what every pipeline found in it.

    Inside each pipeline's memory zone (spaCy 3.8), so the strings of the chunk's words are
    freed after it instead of piling up in the vocabulary over a whole corpus.
    """
    with ExitStack() as zones:
        for pipeline in pipelines:
            zone = getattr(pipeline.nlp, "memory_zone", None)
            if zone is not None:
                zones.enter_context(zone())
        stream: Iterator[tuple[str, _Context]] = iter(chunk)
        for pipeline in pipelines:
            stream = _through(pipeline, stream, options)
        return [context for _, context in stream]


def _write(store: Store, paragraph: Paragraph, needed: tuple[str, ...], found: dict[str, list[ImportedSpan]],
           schema: Schema, annotator: str, options: SuggestOptions, summary: SuggestSummary) -> None:
    """One store line per source with something (in the schema, not rejected before) to suggest."""
    current = store.contents.get(paragraph.id)
    who = str(current.get("_annotator_id") or annotator) if current else annotator  # the record stays its annotator's
    rejected = _rejected(current)
    for source in needed:
        spans = [span for span in (_mapped(span, options.label_map, schema, summary) for span in found.get(source, ()))
                 if span is not None and not _was_rejected(span, source, rejected)]
        if not spans:
            continue
        imported = Imported(paragraph.article_id, paragraph.index, paragraph.text, paragraph.char_offset,
                            paragraph.source, spans, where=f"{paragraph.source}: paragraph {paragraph.id}",
                            suggested=True)
        built = build(store, imported, source, schema, who, True, summary.report)
        store.append(built.record)
        summary.records += 1
        summary.spans += len(spans)


def _pending(corpus: Corpus, store: Store, sources: tuple[str, ...], shard: Shard, summary: SuggestSummary,
             progress: Progress | None) -> Iterator[tuple[str, _Context]]:
    """The paragraphs of the shard that some source has yet to suggest in, with those sources."""
    for number, article in enumerate(corpus, start=1):
        for paragraph in article.paragraphs:
            if not shard.holds(paragraph.id):
                continue
            summary.paragraphs += 1
            if store.contents.is_decided(paragraph.id):
                summary.decided += 1
                continue
            current = store.contents.get(paragraph.id)
            done = {span.get("source") for span in current.get("spans") or ()} if current else set()
            needed = tuple(source for source in sources if source not in done)
            if not needed:
                summary.already += 1
                continue
            yield paragraph.text, (paragraph, needed, {})
        if progress is not None:
            progress(number, corpus.article_count if corpus.indexing_done else None)


def _through(pipeline: Pipeline, stream: Iterator[tuple[str, _Context]],
             options: SuggestOptions) -> Iterator[tuple[str, _Context]]:
    """The stream with what `pipeline` found in each paragraph added to its context."""
    docs = pipeline.nlp.pipe(stream, as_tuples=True, batch_size=options.batch_size, n_process=options.n_process)
    for doc, (paragraph, needed, found) in docs:
        yield paragraph.text, (paragraph, needed, {**found, **pipeline.spans(doc)})


def _mapped(span: ImportedSpan, label_map: Mapping[str, str], schema: Schema, summary: SuggestSummary) -> ImportedSpan | None:
    """The span under its schema label, or None (counted) when the schema has no such label."""
    label = label_map.get(span.label, span.label)
    if schema.label(label) is None:
        summary.unknown_labels[label if label == span.label else f"{span.label}={label}"] += 1
        return None
    span.label = label
    return span


def _rejected(record: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    meta = (record or {}).get("meta") or {}
    return list(meta.get("rejected_spans") or ())


def _was_rejected(span: ImportedSpan, source: str, rejected: list[Mapping[str, Any]]) -> bool:
    """Whether the annotator rejected this span before (from this source, or from one not recorded)."""
    return any((entry.get("start"), entry.get("end"), entry.get("label")) == (span.start, span.end, span.label)
               and entry.get("source", source) == source for entry in rejected)
