"""The annotation state machine: which paragraph is open, edits to it, decisions, undo and redo.

Every edit is appended to the store (flushed and fsynced) before the method returns, so what
the screen shows as done is on disk (docs/ARCHITECTURE.md, "A key press, from binding to disk
and back"). Undo and redo follow the store's own `History`, so they reach back across
paragraphs and across restarts.

An edit the store cannot write (disk full, I/O error) raises the OSError but is not dropped:
it waits in `unsaved`, later edits build on it, and every change waiting is written first, in
order, at the next edit or `save_unsaved()`. `annotation` stays what the store holds.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from annotator.core.corpus import Article, Corpus, Paragraph
from annotator.core.display import display_text
from annotator.core.records import RecordBuilder, annotation_from_record, kept_meta, to_record, tokens_of
from annotator.core.schema import AttributeSpec, Label, Schema, migrate_span_label
from annotator.core.spans import (
    EMPTY,
    OCCURRENCE,
    SPAN_NOTE,
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
    set_note,
    snapped_span,
    span_over_chars,
    span_over_tokens,
    update_span,
    was_rejected,
    whole_token_matches,
)
from annotator.core.store import Step, Store
from annotator.core.tokens import Token, tokenize

WRITTEN_KEPT = 256  # lines of the open paragraph whose annotation undo finds without reading the store


@dataclass(frozen=True, slots=True)
class Unsaved:
    """A change the store could not write yet: the record to append and the state it gives its paragraph."""

    paragraph_id: str
    record: dict[str, Any]
    encoded: Mapping[str, str] | None
    tokens: tuple[Token, ...]
    annotation: Annotation


class EditRefused(Exception):
    """An edit the schema does not allow (e.g. an overlap it forbids); the message says why."""


class MissingValue(EditRefused):
    """Accepting a paragraph in which a span still lacks a value for a `required: true` attribute.

    Carries the span and the attribute so that a screen can open the attribute panel on them.
    """

    def __init__(self, span: Span, attribute: AttributeSpec, text: str) -> None:
        self.span = span
        self.attribute = attribute
        key = f" (key {attribute.key})" if attribute.key else ""
        super().__init__(f'{span.label} "{display_text(text)}" needs a value for {attribute.name}{key} before '
                         "the paragraph can be accepted")


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


# Words whose every occurrence would be suggested if a lone one were tagged, though the label belongs to one
# of them only ("between", "the", "of"): a tag of one of these alone, of punctuation or of a bare number is
# not suggested elsewhere (docs/KEYS.md, "Suggestions").
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "all", "both", "no",
    "another", "such", "what", "which", "whose", "of", "in", "on", "at", "to", "from", "by", "with", "for",
    "into", "onto", "upon", "over", "under", "above", "below", "between", "among", "amid", "across", "through",
    "throughout", "during", "before", "after", "since", "until", "till", "near", "around", "about", "against",
    "along", "beside", "besides", "beyond", "within", "without", "toward", "towards", "via", "per", "off",
    "out", "up", "down", "than", "as", "like", "unlike", "despite", "except", "and", "or", "but", "nor", "so",
    "yet", "if", "then", "else", "because", "although", "though", "while", "whereas", "whether", "when",
    "where", "how", "why", "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "he",
    "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs", "who", "whom", "here",
    "there", "not", "also", "only", "just", "even", "very", "too", "more", "most", "less", "least", "much",
    "many", "few", "other", "own", "same", "is", "are", "was", "were", "be", "been", "being", "am", "has",
    "have", "had", "having", "do", "does", "did", "done", "will", "would", "shall", "should", "can", "could",
    "may", "might", "must", "ought",
})
_BARE_NUMBER = re.compile(r"[\d.,:/\-–]+")  # "18", "16,000", "3.5", "10-15"


def suggested_elsewhere_if_tagged(phrase: str) -> bool:
    """Whether a span of this text is worth suggesting at the text's other occurrences: not a lone function
    word, punctuation or bare number (figure), whose other occurrences are nearly all something else."""
    word = phrase.strip()
    if not any(char.isalnum() for char in word) or _BARE_NUMBER.fullmatch(word):
        return False
    if not word.isalpha() or (word.isupper() and len(word) > 1):  # several words, or an acronym ("US" is no "us")
        return True
    return word.lower() not in _not_suggested_alone()


@lru_cache(maxsize=1)
def _not_suggested_alone() -> frozenset[str]:
    """The function words and the figures in words ("three", "dozens"), made at the first tag: the figures'
    words come with the casualty rules, which a start does not need before its first paint."""
    from annotator.core.phrases import NUMBER_WORDS

    return FUNCTION_WORDS | NUMBER_WORDS


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
        #: changes the store could not write yet, oldest first (see the module's docstring)
        self.unsaved: list[Unsaved] = []
        self._save_error: OSError | None = None  # why the first of them could not be written
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
            self._builder.meta = kept_meta(record)  # what an import or suggest put in meta stays
        else:
            self.tokens = _tokenized(self.paragraph.text)
            self.annotation = EMPTY
            self._tokens_saved = False
            self._builder.meta = {}

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
        """Save `annotation` as the open paragraph's new state (after any change still waiting); return it.

        Raises the OSError of a change that could not be written (this one, or one before it).
        """
        if annotation != self._current():
            record, encoded = self._builder.build(
                annotation, None if self._tokens_saved else self.tokens, timestamp=int(self._clock()))
            self._write(Unsaved(self.paragraph.id, record, encoded, self.tokens, annotation))
        elif self.unsaved:
            self._try_saving()
        self._raise_if_unsaved()
        return annotation

    def _current(self) -> Annotation:
        """The open paragraph's state an edit builds on: its latest change waiting, else what the store holds."""
        waiting = self._waiting(self.paragraph.id)
        return self.annotation if waiting is None else waiting.annotation

    def _waiting(self, paragraph_id: str) -> Unsaved | None:
        """The latest change of a paragraph still waiting to be written, if any (none, almost always)."""
        return next((change for change in reversed(self.unsaved) if change.paragraph_id == paragraph_id), None)

    def _write(self, change: Unsaved) -> None:
        """Queue `change` behind those waiting and write all it can; a write that fails keeps the rest waiting."""
        self.unsaved.append(change)
        self._try_saving()

    def _try_saving(self) -> None:
        """`save_unsaved`, its error kept in `_save_error`: the edit raises it once it has queued all it changes."""
        with suppress(OSError):
            self.save_unsaved()

    def save_unsaved(self) -> None:
        """Write the changes waiting, oldest first; raise the OSError of the first that still cannot be."""
        while self.unsaved:
            change = self.unsaved[0]
            try:
                self.store.append(change.record, encoded=change.encoded)
            except OSError as error:
                self._save_error = error
                raise
            except BaseException:
                self.unsaved.pop(0)  # a record the store refuses is a bug, not a full disk: never retried
                raise
            self.unsaved.pop(0)
            if change.paragraph_id == self.paragraph.id:
                self._saved(change.annotation)
        self._save_error = None

    def _raise_if_unsaved(self) -> None:
        if self.unsaved and self._save_error is not None:
            raise self._save_error

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
        for other in self._current().spans if among is None else among:
            if other.start >= span.end or span.start >= other.end:
                continue
            other_label = self.schema.label(other.label)
            for this, that in ((label, other.label), (other_label, span.label)):
                if this is not None and not this.may_overlap(that):
                    raise EditRefused(f"{this.name} may not overlap {that} (schema rule).")

    def _prefilled(self, label: Label, span: Span, text: str | None = None) -> tuple[tuple[str, Any], ...]:
        """A new span's attributes: the schema's defaults, and for a casualty figure (a label with an
        integer `count` and a choice `qualifier`) what its text says ("at least 18" -> 18, at_least) and
        the `status` the words around it give ("killing six people" -> killed, `casualty_status`),
        for the annotator to confirm or correct. `text` is the span's paragraph (default: the open one)."""
        values = {spec.name: spec.default for spec in label.attributes if spec.default is not None}
        count, qualifier = label.attribute("count"), label.attribute("qualifier")
        if count is not None and count.type == "integer" and qualifier is not None and qualifier.type == "choice":
            from annotator.core.casualty import casualty_status, parse_casualty  # the first figure tagged

            paragraph = self.paragraph.text if text is None else text
            parsed = parse_casualty(paragraph[span.start : span.end])
            parsed["status"] = casualty_status(paragraph, span.start, span.end)
            for name, value in parsed.items():
                spec = label.attribute(name)
                if value is not None and spec is not None and spec.allows(value):
                    values[name] = value
        values.update(span.attrs)
        return tuple(sorted(values.items()))

    def tag_tokens(self, first: int, last: int, label: str) -> Annotation:
        """Tag tokens `first..last` (inclusive, either order) with `label`, and suggest it at the text's
        other occurrences in the article (`_suggest_occurrences`; `occurrences_suggested` says how many).

        The other paragraphs are written first and the open one last, in one line with its own
        occurrences, so that `ctrl+z` takes back the tag (and this paragraph's suggestions) first.
        """
        try:
            span = span_over_tokens(self.tokens, first, last, label)
        except ValueError as error:
            raise EditRefused(str(error)) from None
        return self._tag(span)

    def tag_chars(self, start: int, end: int, label: str) -> Annotation:
        """Tag the characters `[start, end)` with `label` as its `snap` has it: exactly those for `char`,
        widened to whole tokens for `token` (the new span's offsets say which); otherwise as `tag_tokens`."""
        spec = self.schema.label(label)
        if spec is None:
            raise EditRefused(f"{label} is not a label of schema {self.schema.name}.")
        try:
            span = snapped_span(self.tokens, self.paragraph.text, start, end, label, spec.snap)
        except ValueError as error:
            raise EditRefused(str(error)) from None
        return self._tag(span)

    def _tag(self, span: Span) -> Annotation:
        """Add a new span the annotator made, with its occurrences (`tag_tokens`, `tag_chars`)."""
        label = span.label
        if self.schema.label(label) is None:
            raise EditRefused(f"{label} is not a label of schema {self.schema.name}.")
        current = self._current()
        self._check_overlaps(span, current.spans)
        tagged = self._add_unsaved(current, span, self.paragraph.text)
        if tagged is current:  # that span is there already
            self.occurrences_suggested = 0
            return self._commit(current)
        return self._commit(self._suggested_elsewhere(tagged, (span,)))

    def _suggested_elsewhere(self, annotation: Annotation, made: Sequence[Span]) -> Annotation:
        """`annotation` with the label of each span just `made` (tagged or accepted) suggested at the other
        occurrences of its text: the article's other paragraphs are saved now, this one's are returned to
        be saved with the edit. `occurrences_suggested` says how many in all."""
        if self.suggests_occurrences:
            made = [span for span in made if suggested_elsewhere_if_tagged(self.paragraph.text[span.start : span.end])]
        if not self.suggests_occurrences or not made:
            self.occurrences_suggested = 0
            return annotation
        elsewhere = self._suggest_occurrences(*made)
        here = annotation
        for span in made:
            here = self._with_occurrences(here, self.paragraph.text, self.tokens, span)
        self.occurrences_suggested = elsewhere + len(here.spans) - len(annotation.spans)
        return here

    def _add_unsaved(self, annotation: Annotation, span: Span, text: str) -> Annotation:
        """`annotation` with `span` added, its attributes pre-filled from `text` (its paragraph's)."""
        label = self.schema.label(span.label)
        assert label is not None  # callers checked it
        return add_span(annotation, dataclasses.replace(span, attributes=self._prefilled(label, span, text)))

    def _with_prefilled(self, annotation: Annotation, spans: Sequence[Span]) -> Annotation:
        """`annotation` with `spans` (suggested or relabelled ones, which no tag pre-filled) given the
        attributes a new span of their label gets (`_prefilled`), their own kept."""
        for span in spans:
            label = self.schema.label(span.label)
            if label is not None:
                attributes = self._prefilled(label, span, self.paragraph.text)
                annotation = update_span(annotation, span.id, attributes=attributes)
        return annotation

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

    def _suggest_occurrences(self, *tagged: Span) -> int:
        """Suggest each `tagged` span's label at every exact, whole-token occurrence of its text in the
        other undecided paragraphs of the open article, saving each changed paragraph at once (one
        line each). Returns how many suggestions were made."""
        phrases = [(span, self.paragraph.text[span.start : span.end]) for span in tagged]
        made = 0
        for paragraph in self.article.paragraphs:
            found = [span for span, phrase in phrases if phrase in paragraph.text]
            if paragraph.id == self.paragraph.id or not found or self.is_decided(paragraph.id):
                continue
            tokens, annotation, record = self._latest_state(paragraph)
            suggested = annotation
            for span in found:
                suggested = self._with_occurrences(suggested, paragraph.text, tokens, span)
            if suggested != annotation:
                self._save_other(paragraph, tokens, suggested, record)
                made += len(suggested.spans) - len(annotation.spans)
        return made

    def _latest_state(self, paragraph: Paragraph) -> tuple[tuple[Token, ...], Annotation, dict[str, Any] | None]:
        """Another paragraph's tokens, state and the record it comes from: its latest change waiting, else
        its latest saved record (None if it has none)."""
        waiting = self._waiting(paragraph.id)
        if waiting is not None:
            return waiting.tokens, waiting.annotation, waiting.record
        record = self.store.contents.get(paragraph.id)
        tokens, annotation = self._state_of(paragraph, record)
        return tokens, annotation, record

    def _save_other(self, paragraph: Paragraph, tokens: Sequence[Token], annotation: Annotation,
                    record: dict[str, Any] | None) -> None:
        """Append a state of a paragraph that is not the open one, after `record` (its latest, or None),
        queued behind any change waiting."""
        meta = kept_meta(record) if record is not None and record.get("text") == paragraph.text else None
        line = to_record(paragraph, tokens, annotation, schema_ref=self.schema.ref, annotator=self.annotator,
                         timestamp=int(self._clock()), meta=meta)
        self._write(Unsaved(paragraph.id, line, None, tuple(tokens), annotation))

    def accept_all_suggestions(self) -> Annotation:
        """Make every suggestion of the open paragraph the annotator's own, in one line, and suggest each
        at its text's other occurrences as tagging does (`occurrences_suggested`)."""
        made = [span for span in self._current().spans if span.suggested]
        accepted = self._with_prefilled(accept_suggestions(self._current()), made)
        return self._commit(self._suggested_elsewhere(accepted, made))

    def reject_suggestion(self, span_id: str) -> Annotation:
        """Take a suggestion out and keep it as rejected (`meta.rejected_spans`), so that its source
        never suggests it again; a span that is not a suggestion is left alone."""
        return self._commit(reject_suggestion(self._current(), span_id))

    def accept_occurrences(self) -> int:
        """Accept every occurrence suggestion (`source` "occurrence") in the open article's undecided
        paragraphs: one line per paragraph, the open one last (so `ctrl+z` takes it back first).
        Returns how many spans were accepted."""
        accepted = 0
        for paragraph in self.article.paragraphs:
            if paragraph.id == self.paragraph.id or self.is_decided(paragraph.id):
                continue
            tokens, annotation, record = self._latest_state(paragraph)
            done = _accepted_occurrences(annotation)
            if done != annotation:
                self._save_other(paragraph, tokens, done, record)
                accepted += _occurrence_count(annotation)
        current = self._current()
        if current.answer is None:
            accepted += _occurrence_count(current)
            current = _accepted_occurrences(current)
        self._commit(current)
        return accepted

    def relabel(self, span_id: str, label: str) -> Annotation:
        current = self._current()
        span = current.span(span_id)
        if span is None or span.label == label:
            return self._commit(current)
        if self.schema.label(label) is None:
            raise EditRefused(f"{label} is not a label of schema {self.schema.name}.")
        relabelled = relabel_span(current, span_id, label)
        return self._commit(self._with_prefilled(relabelled, [s for s in relabelled.spans if s.id == span_id]))

    def remove(self, span_id: str) -> Annotation:
        return self._commit(remove_span(self._current(), span_id))

    def accept_suggestion(self, span_id: str) -> Annotation:
        """Make a pre-annotated span the annotator's own (it keeps its `source`), and suggest it at its
        text's other occurrences as tagging does (`occurrences_suggested`)."""
        current = self._current()
        span = current.span(span_id)
        made = (span,) if span is not None and span.suggested else ()
        accepted = self._with_prefilled(update_span(current, span_id, suggested=False), made)
        return self._commit(self._suggested_elsewhere(accepted, made))

    def set_attribute(self, span_id: str, name: str, value: Any) -> Annotation:
        return self._commit(set_attribute(self._current(), span_id, name, value))

    def relate(self, relation: Relation) -> Annotation:
        return self._commit(add_relation(self._current(), relation))

    def unrelate(self, relation: Relation) -> Annotation:
        return self._commit(remove_relation(self._current(), relation))

    def replace(self, annotation: Annotation) -> Annotation:
        """Save a whole new state for the open paragraph (e.g. from a pure edit function)."""
        return self._commit(annotation)

    def decide(self, answer: Answer) -> Annotation:
        """Decide the open paragraph; accepting it is refused (`MissingValue`) while a span lacks a required value."""
        if answer == "accept":
            missing = self.missing_value()
            if missing is not None:
                span, attribute = missing
                raise MissingValue(span, attribute, self.paragraph.text[span.start : span.end])
        return self._commit(decide(self._current(), answer))

    def missing_value(self) -> tuple[Span, AttributeSpec] | None:
        """The first of the annotator's spans (in text order) with no value for a `required: true` attribute.

        Suggestions are not the annotator's yet, and a span whose label the schema no longer has
        is kept as saved: neither holds an accept back.
        """
        for span in self._current().spans:
            label = None if span.suggested else self.schema.label(span.label)
            if label is None:
                continue
            values = span.attrs
            for attribute in label.attributes:
                if attribute.required and values.get(attribute.name) is None:
                    return span, attribute
        return None

    def flag(self, flagged: bool, note: str = "") -> Annotation:
        return self._commit(set_flag(self._current(), flagged, note))

    def note(self, note: str, span_id: str | None = None) -> Annotation:
        """Leave (or with "" clear) a note on the paragraph, or on one of its spans (its `note` attribute),
        without flagging anything."""
        if span_id is None:
            return self._commit(set_note(self._current(), note))
        current = self._current()
        span = current.span(span_id)
        if span is None:
            return self._commit(current)
        label = self.schema.label(span.label)
        spec = label.attribute(SPAN_NOTE) if label is not None else None
        if label is not None and spec is not None and spec.type != "text":
            raise EditRefused(f"{label.name} has a {spec.type} attribute called {SPAN_NOTE} in this schema: "
                              "a span of it takes no free note (set the attribute with v).")
        return self._commit(set_attribute(current, span_id, SPAN_NOTE, note or None))

    # --- history ----------------------------------------------------------------------

    def _in_corpus(self, paragraph_id: str) -> bool:
        return self.find(paragraph_id) is not None

    def undo(self) -> bool:
        """Undo the latest edit anywhere in the store, opening its paragraph. False when none is left.

        Edits of paragraphs no longer in this corpus are out of reach and passed over. The
        changes waiting are written first (the OSError when they cannot be: nothing is undone).
        """
        self.save_unsaved()
        return self._carry_out(self.store.history.undo(self._in_corpus))

    def redo(self) -> bool:
        """Redo the latest undone edit, opening its paragraph (as `undo`, after the changes waiting). False when none is left."""
        self.save_unsaved()
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
