"""`conll`: one token per line, `token tag` (one space), IOB2 (default) or BILOU.

A blank line ends each paragraph and `-DOCSTART- -X- O O` starts each article, whatever
`--level` says. Columns are separated by a single space, as in CoNLL-2003 and on the
`-DOCSTART-` line itself: readers that split on one separator (nltk's ConllCorpusReader)
then see the same columns on every line, and spaCy's `convert` finds its document marker.
Whitespace tokens are skipped and words never hold whitespace, so the split is unambiguous.
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
from annotator.core.files import write_atomically
from annotator.formats import Format
from annotator.formats.documents import Document, paragraph_document
from annotator.formats.export import ExportOptions
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

    write_atomically(out, write)


def _paragraph_block(record: dict[str, Any], options: ExportOptions) -> str:
    paragraph = paragraph_document(record)
    tags = token_tags(paragraph.tokens, paragraph.spans, options.scheme, options.report.dropped_overlaps)
    lines = [f"{token['text']} {tag}\n" for token, tag in zip(paragraph.tokens, tags) if not token["text"].isspace()]
    return "".join(lines) + "\n" if lines else ""


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """Columns may be separated by tabs or spaces; the first is the token, the last the tag."""
    article_number = 0
    paragraph_index = 0
    char_offset = 0
    tokens: list[str] = []
    tags: list[str] = []
    start_line = 0

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
            if len(columns) < 2:
                raise InputError(f"{path}:{number}: expected a token and a tag separated by a tab, got {stripped!r}.")
            tag = columns[-1]
            if tag != "O" and (len(tag) < 3 or tag[1] != "-" or tag[0] not in "BILUES"):
                raise InputError(f"{path}:{number}: {tag!r} is not an IOB or BILOU tag (O, B-X, I-X, L-X, U-X).")
            if not tokens:
                start_line = number
            tokens.append(columns[0])
            tags.append({"E": "L", "S": "U"}.get(tag[0], tag[0]) + tag[1:] if tag != "O" else "O")
        yield from flush()


FORMAT = Format(name="conll", suffix=".conll", export=export, read=read)
