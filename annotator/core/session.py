"""The annotation state machine: which paragraph is open, edits to it, decisions, undo and redo.

Every edit is appended to the store (flushed and fsynced) before the method returns, so what
the screen shows as done is on disk (docs/ARCHITECTURE.md, "A key press, from binding to disk
and back"). Undo and redo follow the store's own `History`, so they reach back across
paragraphs and across restarts.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from annotator.core.casualty import parse_casualty
from annotator.core.corpus import Article, Corpus, Paragraph
from annotator.core.records import RecordBuilder, annotation_from_record, to_record, tokens_of
from annotator.core.schema import Label, Schema, migrate_span_label
from annotator.core.spans import (
    EMPTY,
    OCCURRENCE,
    Annotation,
    Answer,
    Relation,
    Span,
    accept_suggestions,
    add_relation,
    add_span,
    decide,
    reject_suggestion,
    relabel_span,
    remove_relation,
    remove_span,
    set_attribute,
    set_flag,
    span_over_chars,
    span_over_tokens,
    update_span,
    was_rejected,
    whole_token_matches,
)
from annotator.core.store import Step, Store
from annotator.core.tokens import Token, tokenize

WRITTEN_KEPT = 256  # lines of the open paragraph whose annotation undo finds without reading the store


class EditRefused(Exception):
    """An edit the schema does not allow (e.g. an overlap it forbids); the message says why."""


@dataclass(frozen=True, slots=True)
class Progress:
    done: int  # paragraphs of the open corpus with a decision (accept, reject or ignore)
    total: int  # paragraphs of the corpus, estimated until a large source is all read (`exact`)
    complete: bool  # False while a large corpus is still being indexed
    exact: bool = True  # False: `total` is an estimate (and `done` may still grow as the index finds paragraphs)


@dataclass(frozen=True, slots=True)
class Position:
    article: int  # index of the article in the corpus
    paragraph: int  # index of the paragraph in the article


@lru_cache(maxsize=256)
def _tokenized(text: str) -> tuple[Token, ...]:
    return tokenize(text)


def _occurrence_count(annotation: Annotation) -> int:
    return sum(1 for span in annotation.spans if span.suggested and span.source == OCCURRENCE)


def _accepted_occurrences(annotation: Annotation) -> Annotation:
    """The occurrence suggestions of `annotation` made the annotator's own."""
    for span in annotation.spans:
        if span.suggested and span.source == OCCURRENCE:
            annotation = update_span(annotation, span.id, suggested=False)
    return annotation


class Session:
    """One annotator working through a corpus into one store."""

    def __init__(
        self,
        corpus: Corpus,
        schema: Schema,
        store: Store,
        annotator: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.corpus = corpus
        self.schema = schema
        self.store = store
        self.annotator = annotator
        self._clock = clock
        #: how many other occurrences the latest `tag_tokens` suggested its label at, for the screen to say
        self.occurrences_suggested = 0
        #: whether tagging suggests the label at the text's other occurrences (off: benchmarks/keys_per_span.py's baseline)
        self.suggests_occurrences = True
        # Decided paragraphs of the store that the corpus does not hold (as far as it is indexed): not done here.
        decided = store.contents.decided_ids()
        self._elsewhere = set(decided) - corpus.paragraphs_held(decided)
        self._elsewhere_final = corpus.indexing_done  # looked for again once a large source is indexed
        self.open(self._first_unfinished_from(Position(0, 0)) or Position(0, 0))

    # --- what is open -----------------------------------------------------------------

    def open(self, position: Position) -> None:
        """Open a paragraph; its tokens are the saved ones where a record exists (spans refer to them)."""
        self.position = position
        self.article: Article = self.corpus.article(position.article)
        self.paragraph: Paragraph = self.article.paragraphs[position.paragraph]
        self._builder = RecordBuilder(self.paragraph, schema_ref=self.schema.ref, annotator=self.annotator)
        self._written: dict[int, Annotation] = {}  # store line -> the annotation this session wrote there
        self._show_record(self.store.contents.get(self.paragraph.id))

    def _show_record(self, record: dict[str, Any] | None, *, same_tokens: bool = False) -> None:
        """The open paragraph's tokens and annotation as `record` (its latest saved one) has them.

        `same_tokens`: the record uses the tokens already open (an undo on this paragraph), which
        are then kept rather than built again.
        """
        if record is not None and record.get("tokens") and record.get("text") == self.paragraph.text:
            if not same_tokens:
                self.tokens: tuple[Token, ...] = tokens_of(record)
            self.annotation: Annotation = self._migrated(annotation_from_record(record))
            self._tokens_saved = True  # the store holds them: edits need not send them again
        else:
            self.tokens = _tokenized(self.paragraph.text)
            self.annotation = EMPTY
            self._tokens_saved = False

    def _state_of(self, paragraph: Paragraph, record: dict[str, Any] | None) -> tuple[tuple[Token, ...], Annotation]:
        """A paragraph's tokens and annotation as `record` (its latest saved one, or None) has them."""
        if record is not None and record.get("tokens") and record.get("text") == paragraph.text:
            return tokens_of(record), self._migrated(annotation_from_record(record))
        return _tokenized(paragraph.text), EMPTY

    def _migrated(self, annotation: Annotation) -> Annotation:
        """Spans of renamed labels under their new name; orphans (label gone) kept as saved."""
        for span in annotation.spans:
            current = migrate_span_label(self.schema, span.label)
            if current is not None and current != span.label:
                annotation = update_span(annotation, span.id, label=current)
        return annotation

    def reload_schema(self, schema: Schema) -> None:
        """Work on under a changed schema: the open paragraph is read again, renamed labels carried over."""
        self.schema = schema
        self.open(self.position)

    def is_decided(self, paragraph_id: str) -> bool:
        return self.store.contents.is_decided(paragraph_id)

    def is_flagged(self, paragraph_id: str) -> bool:
        return self.store.contents.is_flagged(paragraph_id)

    def progress(self) -> Progress:
        """Paragraphs decided and in all, counting only the store's records of paragraphs in this corpus.

        While a large source is being indexed, the records of paragraphs it has not reached yet
        are not counted (the total is an estimate then, `exact` False); they are looked for once,
        when the index is complete, rather than at every key as it grows.
        """
        corpus = self.corpus
        if not self._elsewhere_final and corpus.indexing_done:
            self._elsewhere -= corpus.paragraphs_held(self._elsewhere)
            self._elsewhere_final = True
        total, exact = corpus.paragraph_estimate()
        return Progress(self.store.contents.decided_count() - len(self._elsewhere), total, corpus.indexing_done, exact)

    # --- moving -----------------------------------------------------------------------

    def _positions_from(self, start: Position, step: int) -> Iterator[Position]:
        """Every paragraph position after `start` in direction `step` (+1 or -1), not wrapping."""
        article, paragraph = start.article, start.paragraph + step
        while 0 <= article < self.corpus.article_count:
            count = len(self.corpus.article(article).paragraphs)
            if paragraph < 0:
                article -= 1
                if article >= 0:
                    paragraph = len(self.corpus.article(article).paragraphs) - 1
                continue
            if paragraph >= count:
                article, paragraph = article + 1, 0
                continue
            yield Position(article, paragraph)
            paragraph += step

    def _paragraph_id(self, position: Position) -> str:
        return self.corpus.article(position.article).paragraphs[position.paragraph].id

    def _first_unfinished_from(self, start: Position, *, include_start: bool = True) -> Position | None:
        if include_start and not self.is_decided(self._paragraph_id(start)):
            return start
        for position in self._positions_from(start, +1):
            if not self.is_decided(self._paragraph_id(position)):
                return position
        return None

    def next_paragraph(self) -> bool:
        """Open the next paragraph; False at the end of the corpus."""
        position = next(self._positions_from(self.position, +1), None)
        if position is None:
            return False
        self.open(position)
        return True

    def previous_paragraph(self) -> bool:
        position = next(self._positions_from(self.position, -1), None)
        if position is None:
            return False
        self.open(position)
        return True

    def next_unfinished(self) -> bool:
        """Open the next undecided paragraph after this one, wrapping to the start; False when all are done."""
        position = self._first_unfinished_from(self.position, include_start=False)
        if position is None:
            start = Position(0, 0)
            position = self._first_unfinished_from(start)
            if position == self.position:
                position = None
        if position is None:
            return False
        self.open(position)
        return True

    def next_matching(self, wanted: Callable[[Paragraph], bool], step: int = +1) -> bool:
        """Open the next paragraph (in direction `step`) for which `wanted` is true."""
        for position in self._positions_from(self.position, step):
            paragraph = self.corpus.article(position.article).paragraphs[position.paragraph]
            if wanted(paragraph):
                self.open(position)
                return True
        return False

    def find(self, paragraph_id: str) -> Position | None:
        """Where a paragraph id (`article#index`) or an article id is in the corpus."""
        whole = self.corpus.article_index(paragraph_id)
        if whole is not None:  # an article id, or a queued paragraph (its article id is its paragraph id)
            return Position(whole, 0)
        article_id, _, index = paragraph_id.rpartition("#")
        if not article_id:
            article_id, index = paragraph_id, "0"
        article = self.corpus.article_index(article_id)
        if article is None or not index.isdigit():
            return None
        if int(index) >= len(self.corpus.article(article).paragraphs):
            return None
        return Position(article, int(index))

    # --- editing the open paragraph ---------------------------------------------------

    def _commit(self, annotation: Annotation) -> Annotation:
        if annotation == self.annotation:
            return annotation
        record, encoded = self._builder.build(
            annotation, None if self._tokens_saved else self.tokens, timestamp=int(self._clock()))
        self.store.append(record, encoded=encoded)
        self._saved(annotation)
        return annotation

    def _saved(self, annotation: Annotation) -> None:
        """`annotation` is the open paragraph's latest line: remember it, so that undo need not read it back."""
        self.annotation = annotation
        self._tokens_saved = True
        self._written[self.store.contents.latest_line[self.paragraph.id]] = annotation
        if len(self._written) > WRITTEN_KEPT:
            del self._written[next(iter(self._written))]

    def _check_overlaps(self, span: Span, among: Sequence[Span] | None = None) -> None:
        """Refuse `span` if the schema forbids its overlap with one of `among` (the open paragraph's spans)."""
        label = self.schema.label(span.label)
        for other in self.annotation.spans if among is None else among:
            if other.start >= span.end or span.start >= other.end:
                continue
            other_label = self.schema.label(other.label)
            for this, that in ((label, other.label), (other_label, span.label)):
                if this is not None and not this.may_overlap(that):
                    raise EditRefused(f"{this.name} may not overlap {that} (schema rule).")

    def _prefilled(self, label: Label, span: Span, text: str | None = None) -> tuple[tuple[str, Any], ...]:
        """A new span's attributes: the schema's defaults, and for a casualty figure (a label with an
        integer `count` and a choice `qualifier`) what its text says ("at least 18" -> 18, at_least),
        for the annotator to confirm or correct. `text` is the span's paragraph (default: the open one)."""
        values = {spec.name: spec.default for spec in label.attributes if spec.default is not None}
        count, qualifier = label.attribute("count"), label.attribute("qualifier")
        if count is not None and count.type == "integer" and qualifier is not None and qualifier.type == "choice":
            parsed = parse_casualty((self.paragraph.text if text is None else text)[span.start : span.end])
            for name, value in parsed.items():
                spec = label.attribute(name)
                if value is not None and spec is not None and spec.allows(value):
                    values[name] = value
        values.update(span.attrs)
        return tuple(sorted(values.items()))

    def tag_tokens(self, first: int, last: int, label: str) -> Annotation:
        """Tag tokens `first..last` (inclusive, either order) with `label`, and suggest it at the text's
        other occurrences in the article (`suggest_occurrences`; `occurrences_suggested` says how many).

        The other paragraphs are written first and the open one last, in one line with its own
        occurrences, so that `ctrl+z` takes back the tag (and this paragraph's suggestions) first.
        """
        try:
            span = span_over_tokens(self.tokens, first, last, label)
        except ValueError as error:
            raise EditRefused(str(error)) from None
        if self.schema.label(label) is None:
            raise EditRefused(f"{label} is not a label of schema {self.schema.name}.")
        self._check_overlaps(span)
        if any((s.start, s.end, s.label) == (span.start, span.end, label) for s in self.annotation.spans):
            self.occurrences_suggested = 0
            return self.annotation
        tagged = self._add_unsaved(self.annotation, span, self.paragraph.text)
        if not self.suggests_occurrences:
            self.occurrences_suggested = 0
            return self._commit(tagged)
        elsewhere = self.suggest_occurrences(span)
        here = self._with_occurrences(tagged, self.paragraph.text, self.tokens, span)
        self.occurrences_suggested = elsewhere + len(here.spans) - len(tagged.spans)
        return self._commit(here)

    def _add_unsaved(self, annotation: Annotation, span: Span, text: str) -> Annotation:
        """`annotation` with `span` added, its attributes pre-filled from `text` (its paragraph's)."""
        label = self.schema.label(span.label)
        assert label is not None  # callers checked it
        return add_span(annotation, dataclasses.replace(span, attributes=self._prefilled(label, span, text)))

    def _with_occurrences(self, annotation: Annotation, text: str, tokens: Sequence[Token], tagged: Span) -> Annotation:
        """`annotation` with `tagged`'s label suggested wherever the paragraph `text` has the tagged
        text on token edges, except where a span already is at those offsets, where the annotator
        rejected it before, or where the schema forbids the overlap."""
        phrase = self.paragraph.text[tagged.start : tagged.end]
        for start, end in whole_token_matches(text, tokens, phrase):
            if any((s.start, s.end) == (start, end) for s in annotation.spans):
                continue
            if was_rejected(annotation, start, end, tagged.label, OCCURRENCE):
                continue
            candidate = span_over_chars(tokens, start, end, tagged.label, text, source=OCCURRENCE, suggested=True)
            try:
                self._check_overlaps(candidate, annotation.spans)
            except EditRefused:
                continue
            annotation = self._add_unsaved(annotation, candidate, text)
        return annotation

    def suggest_occurrences(self, tagged: Span) -> int:
        """Suggest `tagged`'s label at every exact, whole-token occurrence of its text in the other
        undecided paragraphs of the open article, saving each changed paragraph at once (one line
        each). Returns how many suggestions were made."""
        phrase = self.paragraph.text[tagged.start : tagged.end]
        made = 0
        for paragraph in self.article.paragraphs:
            if paragraph.id == self.paragraph.id or phrase not in paragraph.text or self.is_decided(paragraph.id):
                continue
            tokens, annotation = self._state_of(paragraph, self.store.contents.get(paragraph.id))
            suggested = self._with_occurrences(annotation, paragraph.text, tokens, tagged)
            if suggested != annotation:
                self._save_other(paragraph, tokens, suggested)
                made += len(suggested.spans) - len(annotation.spans)
        return made

    def _save_other(self, paragraph: Paragraph, tokens: Sequence[Token], annotation: Annotation) -> None:
        """Append a state of a paragraph that is not the open one."""
        self.store.append(to_record(paragraph, tokens, annotation, schema_ref=self.schema.ref,
                                    annotator=self.annotator, timestamp=int(self._clock())))

    def accept_all_suggestions(self) -> Annotation:
        """Make every suggestion of the open paragraph the annotator's own, in one line."""
        return self._commit(accept_suggestions(self.annotation))

    def reject_suggestion(self, span_id: str) -> Annotation:
        """Take a suggestion out and keep it as rejected (`meta.rejected_spans`), so that its source
        never suggests it again; a span that is not a suggestion is left alone."""
        return self._commit(reject_suggestion(self.annotation, span_id))

    def accept_occurrences(self) -> int:
        """Accept every occurrence suggestion (`source` "occurrence") in the open article's undecided
        paragraphs: one line per paragraph, the open one last (so `ctrl+z` takes it back first).
        Returns how many spans were accepted."""
        accepted = 0
        for paragraph in self.article.paragraphs:
            if paragraph.id == self.paragraph.id or self.is_decided(paragraph.id):
                continue
            tokens, annotation = self._state_of(paragraph, self.store.contents.get(paragraph.id))
            done = _accepted_occurrences(annotation)
            if done != annotation:
                self._save_other(paragraph, tokens, done)
                accepted += _occurrence_count(annotation)
        if self.annotation.answer is None:
            accepted += _occurrence_count(self.annotation)
            self._commit(_accepted_occurrences(self.annotation))
        return accepted

    def relabel(self, span_id: str, label: str) -> Annotation:
        span = self.annotation.span(span_id)
        if span is None or span.label == label:
            return self.annotation
        if self.schema.label(label) is None:
            raise EditRefused(f"{label} is not a label of schema {self.schema.name}.")
        return self._commit(relabel_span(self.annotation, span_id, label))

    def remove(self, span_id: str) -> Annotation:
        return self._commit(remove_span(self.annotation, span_id))

    def accept_suggestion(self, span_id: str) -> Annotation:
        """Make a pre-annotated span the annotator's own (it keeps its `source`)."""
        return self._commit(update_span(self.annotation, span_id, suggested=False))

    def set_attribute(self, span_id: str, name: str, value: Any) -> Annotation:
        return self._commit(set_attribute(self.annotation, span_id, name, value))

    def relate(self, relation: Relation) -> Annotation:
        return self._commit(add_relation(self.annotation, relation))

    def unrelate(self, relation: Relation) -> Annotation:
        return self._commit(remove_relation(self.annotation, relation))

    def replace(self, annotation: Annotation) -> Annotation:
        """Save a whole new state for the open paragraph (e.g. from a pure edit function)."""
        return self._commit(annotation)

    def decide(self, answer: Answer) -> Annotation:
        return self._commit(decide(self.annotation, answer))

    def flag(self, flagged: bool, note: str = "") -> Annotation:
        return self._commit(set_flag(self.annotation, flagged, note))

    # --- history ----------------------------------------------------------------------

    def _in_corpus(self, paragraph_id: str) -> bool:
        return self.find(paragraph_id) is not None

    def undo(self) -> bool:
        """Undo the latest edit anywhere in the store, opening its paragraph. False when none is left.

        Edits of paragraphs no longer in this corpus are out of reach and passed over.
        """
        return self._carry_out(self.store.history.undo(self._in_corpus))

    def redo(self) -> bool:
        """Redo the latest undone edit, opening its paragraph. False when none is left."""
        return self._carry_out(self.store.history.redo(self._in_corpus))

    def _carry_out(self, step: Step | None) -> bool:
        """Open the step's paragraph and append the state it leaves."""
        if step is None:
            return False
        position = self.find(step.edit.id)
        assert position is not None  # the history only offers steps `_in_corpus` accepts
        if position != self.position:
            self.open(position)
        # The state to write back: blank when the paragraph had no record before, what this
        # session wrote when it did, else the line read from the store.
        known = EMPTY if step.state is None else self._written.get(step.state)
        if known is not None:
            state, encoded = self._builder.build(known, None if self._tokens_saved else self.tokens)
            self.store.append_step(step, state, annotator=self.annotator, timestamp=int(self._clock()), encoded=encoded)
            self._saved(known)
            return True
        assert step.state is not None
        contents = self.store.contents
        state = contents.read(step.state)
        latest = contents.latest_line.get(self.paragraph.id)
        same_tokens = (self._tokens_saved and latest is not None
                       and contents.token_line(step.state) == contents.token_line(latest))
        record = self.store.append_step(step, state, annotator=self.annotator, timestamp=int(self._clock()))
        self._show_record(record, same_tokens=same_tokens)  # what was just saved: no need to read it back
        if self._tokens_saved:
            self._written[contents.latest_line[self.paragraph.id]] = self.annotation
        return True

    def paragraphs_around(self, before: int, after: int) -> tuple[Sequence[Paragraph], Sequence[Paragraph]]:
        """Up to `before` / `after` neighbouring paragraphs of the open article, for context."""
        paragraphs = self.article.paragraphs
        index = self.position.paragraph
        return paragraphs[max(0, index - before) : index], paragraphs[index + 1 : index + 1 + after]
