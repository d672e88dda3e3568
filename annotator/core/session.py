"""The annotation state machine: which paragraph is open, edits to it, decisions, undo and redo.

INTERFACE DRAFT: the types and signatures below are what the TUI relies on. Every edit is
persisted to the store before the method returns, so what the screen shows is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.core.corpus import Article, Corpus, Paragraph
from annotator.core.schema import Schema
from annotator.core.spans import Annotation, Answer, Relation, Span
from annotator.core.store import Store
from annotator.core.tokens import Token


@dataclass(frozen=True, slots=True)
class Progress:
    done: int             # paragraphs with a decision (accept/reject/ignore)
    total: int            # paragraphs known so far
    complete: bool        # False while a large corpus is still being indexed


@dataclass(frozen=True, slots=True)
class Position:
    article: int          # index of the article in the corpus
    paragraph: int        # index of the paragraph in the article


class Session:
    def __init__(self, corpus: Corpus, schema: Schema, store: Store, annotator: str) -> None: ...

    # --- what is open -----------------------------------------------------------------
    position: Position
    article: Article
    paragraph: Paragraph
    tokens: tuple[Token, ...]
    annotation: Annotation

    def annotation_of(self, paragraph: Paragraph) -> Annotation:
        """The saved state of any paragraph (for dimmed context above and below)."""
        ...

    def progress(self) -> Progress: ...

    # --- moving -----------------------------------------------------------------------
    def open(self, position: Position) -> None: ...
    def next_paragraph(self) -> bool: ...          # False at the end of the corpus
    def previous_paragraph(self) -> bool: ...
    def next_unfinished(self) -> bool: ...         # False when everything is decided
    def find(self, paragraph_id: str) -> Position | None: ...

    # --- editing the open paragraph (each persists, returns the new annotation) --------
    def tag_tokens(self, first: int, last: int, label: str) -> Annotation: ...
    def tag_chars(self, start: int, end: int, label: str) -> Annotation: ...
    def relabel(self, span_id: str, label: str) -> Annotation: ...
    def remove(self, span_id: str) -> Annotation: ...
    def set_attribute(self, span_id: str, name: str, value: Any) -> Annotation: ...
    def relate(self, relation: Relation) -> Annotation: ...
    def decide(self, answer: Answer) -> Annotation: ...
    def flag(self, flagged: bool, note: str = "") -> Annotation: ...

    # --- history (reaches across paragraphs and restarts) -----------------------------
    def undo(self) -> bool: ...                    # may open another paragraph
    def redo(self) -> bool: ...
