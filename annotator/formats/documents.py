"""What an exporter is given: `Document`s built from store records, in an order planned from ids.

An exporter never sees the store. A document is one paragraph record, or one article rebuilt
from its paragraph records at their `char_offset`s; spans and relations come with it, their
offsets into the document's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotator.core.errors import InputError
from annotator.core.schema import Schema

Level = Literal["paragraph", "article"]
LEVELS: tuple[Level, ...] = ("paragraph", "article")


@dataclass(slots=True)
class ExportSpan:
    """A span of a document; offsets are into `Document.text`; tokens index `Document.tokens`."""

    start: int
    end: int
    label: str
    token_start: int
    token_end: int
    text: str
    ref: str  # "<record id>/<span id>": what messages name
    span_id: str  # unique within the document
    attributes: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    suggested: bool = False
    source: str = "manual"


@dataclass(slots=True)
class ExportRelation:
    label: str
    head: str  # ExportSpan.span_id
    child: str


@dataclass(slots=True)
class Document:
    """One unit of output: a paragraph record, or an article rebuilt from its paragraph records."""

    id: str
    article_id: str
    text: str
    tokens: list[dict[str, Any]]
    spans: list[ExportSpan]
    relations: list[ExportRelation]
    records: list[dict[str, Any]]  # the canonical records it was built from, in paragraph order


def attribute_types(schema: Schema | None) -> dict[tuple[str, str], str]:
    """The schema's type of each span attribute, by (label, attribute): how a format writes its values."""
    if schema is None:
        return {}
    return {(label.name, spec.name): spec.type for label in schema.labels for spec in label.attributes}


# --- ordering by id ----------------------------------------------------------------------------


def split_id(record_id: str) -> tuple[str, int]:
    """`article#3` -> ("article", 3). The id contract (docs/FORMAT.md, "The record") lets order be planned from ids alone."""
    article, sep, index = record_id.rpartition("#")
    if sep and index.isdigit():
        return article, int(index)
    return record_id, 0


def plan_order(record_ids: Iterable[str]) -> list[list[str]]:
    """Ids grouped by article (in order of each article's first appearance), paragraphs by index."""
    articles: dict[str, list[tuple[int, str]]] = {}
    for record_id in record_ids:
        article, index = split_id(record_id)
        articles.setdefault(article, []).append((index, record_id))
    return [[record_id for _, record_id in sorted(paragraphs)] for paragraphs in articles.values()]


# --- documents ---------------------------------------------------------------------------------


def paragraph_document(record: dict[str, Any]) -> Document:
    text = record["text"]
    spans = [_export_span(span, record["id"], span.get("id") or f"s{n}", 0, 0)
             for n, span in enumerate(record.get("spans") or (), start=1)]
    relations = [ExportRelation(r["label"], r["head_id"], r["child_id"])
                 for r in record.get("relations") or () if "head_id" in r and "child_id" in r]
    return Document(record["id"], _article_of(record), text, list(record.get("tokens") or ()), spans, relations, [record])


def _export_span(span: Mapping[str, Any], record_id: str, span_id: str, char_shift: int, token_shift: int) -> ExportSpan:
    return ExportSpan(
        start=span["start"] + char_shift, end=span["end"] + char_shift, label=span["label"],
        token_start=span["token_start"] + token_shift, token_end=span["token_end"] + token_shift,
        text=span["text"], ref=f"{record_id}/{span.get('id') or '?'}", span_id=span_id,
        attributes=dict(span.get("attributes") or {}), score=span.get("score"),
        suggested=bool(span.get("suggested", False)), source=str(span.get("source") or "manual"),
    )


class SourceTexts:
    """The original article texts, where a record's `meta.source` is a readable .txt file.

    Used only to fill the gaps between paragraphs with the source's own characters; a source
    that is missing, or no longer matches the store, is not used (the gap becomes newlines).
    """

    def __init__(self, store_folder: Path | None = None) -> None:
        self._cache: dict[str, str | None] = {}
        self._store_folder = store_folder

    def article_text(self, source: str) -> str | None:
        """The source's text; a relative path is tried from here, then from the store's folder."""
        if source not in self._cache:
            path = Path(source)
            if not path.is_file() and not path.is_absolute() and self._store_folder is not None:
                path = self._store_folder / path
            text: str | None = None
            if path.suffix.lower() == ".txt" and path.is_file():
                try:
                    text = path.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    text = None
            self._cache[source] = text
        return self._cache[source]


#: the most characters an article export fills in between two paragraphs without the source's text
#: (a char_offset of 10**15 would otherwise ask for that many newlines)
MAX_GAP = 1 << 26


def article_document(records: Sequence[dict[str, Any]], sources: SourceTexts, notes: list[str]) -> Document:
    """One article from its paragraph records, each placed at its `meta.char_offset`.

    The characters between paragraphs are not in the store. They are copied from the original
    .txt source when it is readable and still matches every paragraph and the gap is only
    whitespace; otherwise each gap is filled with as many newlines as it is long, so that
    `char_offset + start` stays a valid offset into the rebuilt text either way. A gap that held
    text is said in `notes`.
    """
    first_meta = records[0].get("meta") or {}
    article_id = _article_of(records[0])
    source_text = sources.article_text(str(first_meta.get("source") or ""))
    if source_text is not None and not all(
        source_text[(r.get("meta") or {}).get("char_offset", 0):][: len(r["text"])] == r["text"] for r in records
    ):
        source_text = None
    pieces: list[str] = []
    tokens: list[dict[str, Any]] = []
    spans: list[ExportSpan] = []
    relations: list[ExportRelation] = []
    position = 0
    filled_text_gaps = 0
    for record in records:
        offset = int((record.get("meta") or {}).get("char_offset", position))
        if offset < position:
            raise InputError(f"{record['id']}: paragraph starts at {offset}, inside the paragraph before it "
                             f"(which ends at {position}); the store's char_offset values disagree.")
        if offset > position:
            if offset - position > MAX_GAP and (source_text is None or offset > len(source_text)):
                raise InputError(f"{record['id']}: meta.char_offset {offset} puts the paragraph {offset - position:,} "
                                 f"characters after the one before it, more than the {MAX_GAP:,} an article export "
                                 "fills in; export with --level paragraph, or correct the record's char_offset.")
            gap = source_text[position:offset] if source_text is not None else None
            if gap is None or not gap.isspace():
                filled_text_gaps += gap is not None
                gap = "\n" * (offset - position)
            pieces.append(gap)
            tokens.append({"text": gap, "start": position, "end": offset, "id": len(tokens), "ws": False})
        token_shift = len(tokens)
        for token in record.get("tokens") or ():
            tokens.append({**token, "start": token["start"] + offset, "end": token["end"] + offset,
                           "id": token["id"] + token_shift})
        paragraph = split_id(record["id"])[1]
        local: dict[str, str] = {}
        for n, span in enumerate(record.get("spans") or (), start=1):
            span_id = f"p{paragraph}-{span.get('id') or f's{n}'}"
            local[str(span.get("id"))] = span_id
            spans.append(_export_span(span, record["id"], span_id, offset, token_shift))
        relations.extend(ExportRelation(r["label"], local[r["head_id"]], local[r["child_id"]])
                         for r in record.get("relations") or ()
                         if r.get("head_id") in local and r.get("child_id") in local)
        pieces.append(record["text"])
        position = offset + len(record["text"])
    if filled_text_gaps:
        notes.append(f"article {article_id}: {filled_text_gaps} stretch(es) of the source between exported "
                     "paragraphs hold text that is not exported; they are filled with newlines.")
    return Document(article_id, article_id, "".join(pieces), tokens, spans, relations, list(records))


def iter_documents(records: Iterable[dict[str, Any]], level: Level, notes: list[str],
                   store_folder: Path | None = None) -> Iterator[Document]:
    """Documents in export order; `records` must come grouped by article (as `plan_order` gives)."""
    if level == "paragraph":
        for record in records:
            yield paragraph_document(record)
        return
    sources = SourceTexts(store_folder)
    group: list[dict[str, Any]] = []
    for record in records:
        if group and _article_of(record) != _article_of(group[0]):
            yield article_document(group, sources, notes)
            group = []
        group.append(record)
    if group:
        yield article_document(group, sources, notes)


def _article_of(record: Mapping[str, Any]) -> str:
    return str((record.get("meta") or {}).get("article_id") or split_id(record["id"])[0])


def paragraph_list(document: Document) -> list[dict[str, Any]]:
    """Where each exported paragraph sits in an article document, so an import gets its id back.

    An article document leaves out the paragraphs that were not exported (their place is filled
    with newlines), so cutting it at blank lines again would number the paragraphs anew.
    `reading.paragraph_indices` reads it back.
    """
    return [{"id": record["id"], "char_offset": (record.get("meta") or {}).get("char_offset", 0)}
            for record in document.records]
