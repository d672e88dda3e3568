"""Searching the corpus for text a piece at a time, so that a screen can hand a long search to a thread.

The order is the one `n` promises (docs/KEYS.md): the rest of the open paragraph after the
cursor, the rest of its article, the articles after it, round from the first article, and
last the open article up to the cursor. Matching is case-insensitive (`str.casefold`, with
offsets in the original text even where folding changes a character's length). A record of a
JSONL source whose line shows it cannot hold the text is skipped unparsed
(`Corpus.may_hold`), so a search of a large corpus costs a read and a byte search for most
articles.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from annotator.core.corpus import Article, Corpus
from annotator.core.session import Position


@dataclass(frozen=True, slots=True)
class Match:
    position: Position
    start: int  # offsets in the paragraph's text
    end: int


def find_folded(text: str, folded: str, after: int = 0) -> tuple[int, int] | None:
    """Where `folded` (casefolded) first occurs in `text` casefolded, at or after `after`, as offsets of `text`."""
    lowered = text.casefold()
    if len(lowered) == len(text):
        at = lowered.find(folded, after)
        return None if at < 0 else (at, at + len(folded))
    begins = list(accumulate((len(character.casefold()) for character in text), initial=0))
    at = lowered.find(folded, begins[after])
    if at < 0:
        return None
    last = at + len(folded) - 1
    return bisect.bisect_right(begins, at) - 1, bisect.bisect_right(begins, last)


def _never() -> bool:
    return False


class TextSearch:
    """One search, resumable: `run` goes on for a number of articles (or to the end) and can be cancelled.

    `scanned` (articles looked at) and `total` may be read from another thread while it runs.
    """

    def __init__(self, corpus: Corpus, query: str, start: Position, after: int) -> None:
        self.corpus = corpus
        self.query = query
        self.folded = query.casefold()
        self.start = start
        self.after = after
        self.scanned = 0
        self.finished = False
        self.found: Match | None = None
        self._upcoming: int | None = None  # the article the next step reads
        self._steps = self._scan()

    @property
    def total(self) -> int:
        return self.corpus.article_count

    def run(self, articles: int | None = None, *, known_only: bool = False,
            cancelled: Callable[[], bool] = _never) -> bool:
        """Search on through at most `articles` articles (None: to the end); True once finished.

        `known_only`: stop (unfinished) rather than wait for an article the corpus index has not
        reached yet, so that a caller on the screen's thread never waits for the indexer.
        """
        while not self.finished:
            upcoming = self._upcoming
            if upcoming is not None:
                if cancelled() or articles == 0:
                    return False
                if known_only and upcoming >= self.corpus.article_count and not self.corpus.indexing_done:
                    return False
            try:
                self._upcoming = next(self._steps)
            except StopIteration:
                self.finished = True
                return True
            if articles is not None and upcoming is not None:
                articles -= 1
        return True

    def _scan(self) -> Iterator[int]:
        """Sets `found` and ends, or ends having found nothing; yields each article index before reading it."""
        start, corpus = self.start, self.corpus
        home = corpus.article(start.article)
        if self._look(home, start.article, range(start.paragraph, len(home.paragraphs)), self.after):
            return
        self.scanned += 1
        number = start.article + 1
        wrapped = False
        while not (wrapped and number >= start.article):
            yield number
            if not corpus.may_hold(number, self.folded):
                self.scanned += 1
                number += 1
                continue
            try:
                article = corpus.article(number)
            except IndexError:
                wrapped, number = True, 0
                continue
            self.scanned += 1
            if self._look(article, number, range(len(article.paragraphs)), 0):
                return
            number += 1
        self._look(home, start.article, range(start.paragraph + 1), 0)

    def _look(self, article: Article, number: int, paragraphs: range, after: int) -> bool:
        """Whether one of `paragraphs` of `article` has the text (from `after` in the first of them)."""
        for index in paragraphs:
            found = find_folded(article.paragraphs[index].text, self.folded, after if index == paragraphs.start else 0)
            if found is not None:
                self.found = Match(Position(number, index), *found)
                return True
        return False
