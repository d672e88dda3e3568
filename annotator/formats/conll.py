"""`conll`: one token per line, `token tag` (one space), IOB2 (default) or BILOU.

A blank line ends each paragraph and `-DOCSTART- -X- O O` starts each article, whatever
`--level` says. Columns are separated by a single space, as in CoNLL-2003 and on the
`-DOCSTART-` line itself: readers that split on one separator (nltk's ConllCorpusReader)
then see the same columns on every line, and spaCy's `convert` finds its document marker.
Whitespace tokens are skipped, and a token of another tool that holds whitespace ("New York")
is written as its words, one a line, tagged as the words of one span (`New B-LOC`, `York I-LOC`,
as CoNLL-2003 itself and spaCy's `conll_ner_to_docs` write a name): every CoNLL reader splits a
line at whitespace, so no line holds more than its two columns.
One tag per token cannot hold overlapping spans: the longest span is kept, then the
earliest; the others are counted and named on stderr.

Importing rebuilds each paragraph's text by joining its tokens with single spaces, and each
article's text by joining paragraphs with a blank line; the article id is `<file stem>-<n>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import InputError
from annotator.formats import Format
from annotator.formats.documents import Document, paragraph_document
from annotator.formats.export import ExportOptions, write_output
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.tags import spans_from_tags, token_tags

DOCSTART = "-DOCSTART- -X- O O"


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    def write(handle: TextIO) -> None:
        article = None
        for document in documents:
            if document.article_id != article:
                handle.write(f"{DOCSTART}\n\n")
                article = document.article_id
            for record in document.records:
                handle.write(_paragraph_block(record, options))

    write_output(out, write)


def _paragraph_block(record: dict[str, Any], options: ExportOptions) -> str:
    paragraph = paragraph_document(record)
    tags = token_tags(paragraph.tokens, paragraph.spans, options.scheme, options.report.dropped_overlaps)
    lines = [f"{word} {word_tag}\n" for token, tag in zip(paragraph.tokens, tags)
             for word, word_tag in _words(token["text"], tag)]
    return "".join(lines) + "\n" if lines else ""


def _words(token_text: str, tag: str) -> list[tuple[str, str]]:
    """A token's whitespace-free words with their tags: none for a whitespace token, several for "New York".

    The token's tag is spread over its words as over the words of one span: `B-` or `U-` starts
    it, `L-` or `U-` ends it, `I-` between, so a reader gets the same span back.
    """
    words = token_text.split()
    if len(words) < 2 or tag == "O":
        return [(word, tag) for word in words]
    prefix, label = tag[0], tag[2:]
    prefixes = ["B" if prefix in "BU" else "I", *["I"] * (len(words) - 2), "L" if prefix in "LU" else "I"]
    return [(word, f"{word_prefix}-{label}") for word, word_prefix in zip(words, prefixes)]


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """Columns may be separated by tabs or spaces; the first is the token, `options.tag_column` the tag.

    Lines starting with `#` are comments (CoNLL-U's `# sent_id = 1`) unless their tag column
    holds a tag (a token `#` or `#hashtag`). Tags may be IOB1, IOB2, BIOES or BILOU; which one the
    file used is said in a note.
    """
    article_number = 0
    paragraph_index = 0
    char_offset = 0
    tokens: list[str] = []
    tags: list[str] = []
    start_line = 0
    comments = 0
    prefixes: set[str] = set()
    chunk_starts_with_i = False

    def flush() -> Iterator[Imported]:
        nonlocal paragraph_index, char_offset, tokens, tags
        if not tokens:
            return
        starts: list[int] = []
        position = 0
        for token in tokens:
            starts.append(position)
            position += len(token) + 1
        text = " ".join(tokens)
        spans = [ImportedSpan(starts[first], starts[last] + len(tokens[last]), label, key=f"s{n}")
                 for n, (first, last, label) in enumerate(spans_from_tags(tags), start=1)]
        yield Imported(f"{path.stem}-{max(article_number, 1)}", paragraph_index, text, char_offset, str(path),
                       spans, [], f"{path}:{start_line}")
        paragraph_index += 1
        char_offset += len(text) + 2
        tokens, tags = [], []

    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.strip()
            if stripped.startswith("-DOCSTART-"):
                yield from flush()
                article_number += 1
                paragraph_index, char_offset = 0, 0
                continue
            if not stripped:
                yield from flush()
                continue
            columns = stripped.split("\t") if "\t" in stripped else stripped.split()
            tag = _tag_at(columns, options.tag_column)
            if stripped.startswith("#") and (tag is None or not _is_tag(tag)):
                comments += 1
                continue
            if len(columns) < 2:
                raise InputError(f"{path}:{number}: expected a token and a tag separated by a tab, got {stripped!r}.")
            if tag is None:
                raise InputError(f"{path}:{number}: has {len(columns)} columns, so there is no column "
                                 f"{options.tag_column} (--tag-column). Pick the column that holds the tags.")
            if not _is_tag(tag):
                raise InputError(f"{path}:{number}: {tag!r} (column {_shown_column(options.tag_column)}) is not a tag of "
                                 "IOB1, IOB2, BIOES or BILOU (O, or B-, I-, E-, S-, L-, U- and a label). "
                                 "If the tags are in another column, pick it with --tag-column.")
            if not tokens:
                start_line = number
            if tag != "O":
                prefixes.add(tag[0])
                previous = tags[-1] if tags else "O"
                chunk_starts_with_i |= tag[0] == "I" and (previous == "O" or previous[2:] != tag[2:])
            tokens.append(columns[0])
            tags.append({"E": "L", "S": "U"}.get(tag[0], tag[0]) + tag[1:] if tag != "O" else "O")
        yield from flush()
    if prefixes:
        options.notes.append(f"{path}: tags read from column {_shown_column(options.tag_column)} as "
                             f"{_scheme_name(prefixes, chunk_starts_with_i)}.")
    if comments:
        options.notes.append(f"{path}: {comments} comment line(s) starting with # skipped.")


def _tag_at(columns: list[str], tag_column: int) -> str | None:
    """The tag column (1-based, negative from the end; never the token column), or None when the line lacks it."""
    index = tag_column - 1 if tag_column > 0 else len(columns) + tag_column
    return columns[index] if 0 < index < len(columns) else None


def _is_tag(tag: str) -> bool:
    return tag == "O" or (len(tag) >= 3 and tag[1] == "-" and tag[0] in "BIESLU")


def _shown_column(tag_column: int) -> str:
    return "last" if tag_column == -1 else str(tag_column)


def _scheme_name(prefixes: set[str], chunk_starts_with_i: bool) -> str:
    """Which tag scheme the prefixes seen belong to, for the note: the user should know how tags were read."""
    if prefixes & {"E", "S"} and prefixes & {"L", "U"}:
        return "a mix of BIOES and BILOU (E- as L-, S- as U-)"
    if prefixes & {"E", "S"}:
        return "BIOES"
    if prefixes & {"L", "U"}:
        return "BILOU"
    return "IOB1 (a span may start with I-)" if chunk_starts_with_i else "IOB2"


FORMAT = Format(name="conll", suffix=".conll", export=export, read=read)
