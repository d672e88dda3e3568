"""Sources of articles, read lazily, and their paragraphs with exact offsets.

INTERFACE DRAFT: the types and signatures below are what the rest of the code relies on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One unit of work. `text` is exactly the source's characters; `char_offset` places it in the article."""

    article_id: str
    index: int
    text: str
    char_offset: int
    source: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    source: str
    meta: dict[str, Any] = field(default_factory=dict)
    paragraphs: tuple[Paragraph, ...] = ()

    @property
    def title(self) -> str:
        """`meta["title"]` where the source gives one, else the id."""
        return str(self.meta.get("title") or self.id)


def split_paragraphs(article_id: str, text: str, source: str) -> tuple[Paragraph, ...]:
    """Paragraphs are runs of non-blank lines; blank lines (only whitespace) separate them."""
    raise NotImplementedError


class Corpus:
    """The articles of one or more sources, in order. Large JSONL sources are indexed lazily."""

    def __init__(self, sources: list[Path]) -> None:
        raise NotImplementedError

    @property
    def article_count(self) -> int:
        """Articles known so far (grows while a large source is being indexed)."""
        raise NotImplementedError

    @property
    def indexing_done(self) -> bool:
        raise NotImplementedError

    def article(self, index: int) -> Article:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Article]:
        raise NotImplementedError
