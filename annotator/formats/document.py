"""What every exporter and importer shares: documents built from store records, tags, offsets.

An exporter never sees the store: it gets `Document`s (one paragraph, or one article rebuilt
from its paragraphs) in a deterministic order, and an `ExportReport` to tell the user what it
could not represent. An importer yields `Imported` paragraphs; the import command turns them
into canonical records. Heavy libraries (spaCy, datasets) are imported only by the formats
that need them, inside the function that needs them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotator.core.errors import InputError
from annotator.core.schema import Schema

Level = Literal["paragraph", "article"]
Scheme = Literal["iob2", "bilou"]
OffsetUnit = Literal["utf16", "codepoints"]
#: `--include` words and the record states they let through, besides accepted records.
INCLUDE_CHOICES: dict[str, str] = {"unfinished": "in_progress", "rejected": "reject", "ignored": "ignore"}


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


@dataclass(slots=True)
class ExportReport:
    """What an export could not carry over exactly, said once at the end, with ids."""

    orphans: list[str] = field(default_factory=list)  # span refs whose label is not in the schema
    unaligned: list[str] = field(default_factory=list)
    dropped_overlaps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    other_schemas: list[str] = field(default_factory=list)
    documents: int = 0
    spans: int = 0

    def lines(self, format_name: str) -> list[str]:
        out: list[str] = []
        if self.orphans:
            out.append(f"{len(self.orphans)} span(s) have a label that is not in the schema; exported as they are: "
                       + _sample(self.orphans))
        if self.unaligned:
            out.append(f"{format_name}: {len(self.unaligned)} span(s) could not be aligned to tokens and are "
                       "missing from the output: " + _sample(self.unaligned))
        if self.dropped_overlaps:
            out.append(f"{format_name}: {len(self.dropped_overlaps)} overlapping span(s) cannot be represented "
                       "in one tag per token (kept the longest, then the earliest): " + _sample(self.dropped_overlaps))
        out.extend(self.notes)
        return out


def _sample(items: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --- choosing and ordering records -------------------------------------------------------------


def wanted(record: Mapping[str, Any], include: frozenset[str]) -> bool:
    """Whether a record goes into an export: accepted always; the rest as `--include` says."""
    answer = record.get("answer")
    if answer is None:
        return "in_progress" in include
    return answer == "accept" or answer in include


def split_id(record_id: str) -> tuple[str, int]:
    """`article#3` -> ("article", 3). The id contract (DESIGN.md) lets order be planned from ids alone."""
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
    meta = record.get("meta") or {}
    return Document(record["id"], str(meta.get("article_id") or split_id(record["id"])[0]), text,
                    list(record.get("tokens") or ()), spans, relations, [record])


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


def article_document(records: Sequence[dict[str, Any]], sources: SourceTexts, report: ExportReport) -> Document:
    """One article from its paragraph records, each placed at its `meta.char_offset`.

    The characters between paragraphs are not in the store. They are copied from the original
    .txt source when it is readable and still matches every paragraph and the gap is only
    whitespace; otherwise each gap is filled with as many newlines as it is long, so that
    `char_offset + start` stays a valid offset into the rebuilt text either way.
    """
    first_meta = records[0].get("meta") or {}
    article_id = str(first_meta.get("article_id") or split_id(records[0]["id"])[0])
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
        report.notes.append(f"article {article_id}: {filled_text_gaps} stretch(es) of the source between exported "
                            "paragraphs hold text that is not exported; they are filled with newlines.")
    return Document(article_id, article_id, "".join(pieces), tokens, spans, relations, list(records))


def iter_documents(records: Iterable[dict[str, Any]], level: Level, report: ExportReport,
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
            yield article_document(group, sources, report)
            group = []
        group.append(record)
    if group:
        yield article_document(group, sources, report)


def _article_of(record: Mapping[str, Any]) -> str:
    return str((record.get("meta") or {}).get("article_id") or split_id(record["id"])[0])


def check_orphans(document: Document, schema: Schema | None, report: ExportReport) -> None:
    """Count the document and name its spans whose label the schema does not have."""
    report.documents += 1
    report.spans += len(document.spans)
    if schema is None:
        return
    for record in document.records:
        used = (record.get("_schema") or {}).get("name")
        if used and used != schema.name and used not in report.other_schemas:
            report.other_schemas.append(used)
            report.notes.append(f"records were annotated with schema {used!r} but are checked against "
                                f"{schema.name!r}; pass that schema with --schema.")
    known = {label.name for label in schema.labels}
    report.orphans.extend(span.ref for span in document.spans if span.label not in known)


# --- tags --------------------------------------------------------------------------------------


def non_overlapping(spans: Sequence[ExportSpan], report: ExportReport | None) -> list[ExportSpan]:
    """The spans that fit one tag per token: longest first, then earliest; the rest reported."""
    kept: list[ExportSpan] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.token_end - s.token_start), s.token_start, s.start, s.label)):
        covered = set(range(span.token_start, span.token_end + 1))
        if covered & taken:
            if report is not None:
                report.dropped_overlaps.append(span.ref)
            continue
        taken |= covered
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


def token_tags(tokens: Sequence[Mapping[str, Any]], spans: Sequence[ExportSpan], scheme: Scheme,
               report: ExportReport | None) -> list[str]:
    """One tag per token (IOB2 or BILOU) from non-overlapping spans; whitespace tokens get O.

    Whitespace tokens never carry a span edge (spans are trimmed), so a span across a newline
    keeps I- tags on both sides; callers that drop whitespace tokens keep the words' tags.
    """
    tags = ["O"] * len(tokens)
    for span in non_overlapping(spans, report):
        words = [i for i in range(span.token_start, span.token_end + 1) if not tokens[i]["text"].isspace()]
        if not words:
            continue
        if scheme == "bilou" and len(words) == 1:
            tags[words[0]] = f"U-{span.label}"
            continue
        for position, index in enumerate(words):
            if position == 0:
                tags[index] = f"B-{span.label}"
            elif scheme == "bilou" and position == len(words) - 1:
                tags[index] = f"L-{span.label}"
            else:
                tags[index] = f"I-{span.label}"
    return tags


def tag_names(labels: Sequence[str], scheme: Scheme) -> list[str]:
    """Every tag in a fixed order: O, then per label B, I (and L, U for BILOU)."""
    prefixes = ("B", "I") if scheme == "iob2" else ("B", "I", "L", "U")
    return ["O"] + [f"{prefix}-{label}" for label in labels for prefix in prefixes]


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """`(first, last, label)` token ranges (inclusive) from IOB1, IOB2 or BILOU tags."""
    out: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for index, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if tag == "O" or not label:
            current = None
            continue
        continues = prefix in ("I", "L") and current is not None and current[2] == label
        if continues:
            current[1] = index
        else:
            current = [index, index, label]
            out.append(current)  # type: ignore[arg-type]
        if prefix in ("L", "U"):
            current = None
    return [(first, last, label) for first, last, label in out]


# --- offsets -----------------------------------------------------------------------------------


def utf16_offsets(text: str) -> list[int]:
    """`result[i]` is the UTF-16 offset of code point `i` (one entry more than the text is long)."""
    out = [0] * (len(text) + 1)
    units = 0
    for index, char in enumerate(text):
        out[index] = units
        units += 2 if ord(char) > 0xFFFF else 1
    out[len(text)] = units
    return out


def codepoint_offsets(text: str) -> dict[int, int]:
    """UTF-16 offset -> code point offset, for every offset that falls between code points."""
    return {units: index for index, units in enumerate(utf16_offsets(text))}


# --- writing files -----------------------------------------------------------------------------


@contextmanager
def replace_atomically(target: Path, *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it into place, else remove it.

    A reader never sees half an export, and a failed export leaves the old one untouched.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    if folder:
        temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    else:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        os.close(handle)
        temporary = Path(name)
    try:
        yield temporary
        if folder:
            os.chmod(temporary, 0o755)
            if target.is_dir():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
                os.replace(target, old / target.name)
                os.replace(temporary, target)
                _remove_tree(old)
            else:
                os.replace(temporary, target)
        else:
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
    except BaseException:
        if folder:
            _remove_tree(temporary)
        else:
            temporary.unlink(missing_ok=True)
        raise


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class Progress:
    """A plain progress line on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: int, what: str) -> None:
        self.total = max(total, 1)
        self.what = what
        self.enabled = sys.stderr.isatty()
        self._shown = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        percent = done * 100 // self.total
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\r{self.what} [{bar:<25}] {percent:3d}% ({done}/{self.total})")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self._shown >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()


# --- importing ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportedSpan:
    start: int  # code points into the paragraph text
    end: int
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    key: str = ""  # the id the source gave it, for relations


@dataclass(slots=True)
class Imported:
    """One paragraph read from another tool, before it becomes a canonical record."""

    article_id: str
    index: int
    text: str
    char_offset: int
    source: str
    spans: list[ImportedSpan] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (label, head key, child key)
    where: str = ""  # FILE:LINE for messages

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


def list_field(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """`data[key]` as a list (missing or null: empty), or an InputError naming the field."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: '{key}' must be a list, not {type(value).__name__}.")
    return value


def attribute_values(value: Any, where: str) -> dict[str, Any]:
    """Span attributes from a file: names to strings, whole numbers or booleans."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(v, (str, int, bool)) and not isinstance(v, float) for v in value.values()):
        raise InputError(f"{where}: 'attributes' must map names to text, whole numbers or true/false.")
    return {str(k): v for k, v in value.items()}


def whole_number(value: Any, where: str, what: str) -> int:
    """A non-negative integer from an imported file, or an InputError naming the field."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: {what} must be a whole number, not {value!r}.")
    return value


def imported_document(meta: Mapping[str, Any], fallback_id: str, text: str, source: str,
                      spans: list[ImportedSpan], relations: list[tuple[str, str, str]], where: str) -> list[Imported]:
    """A paragraph when `meta.id` names one (`article#3`, as our exports write), else an article to split."""
    record_id = meta.get("id")
    if isinstance(record_id, str) and split_id(record_id)[0] != record_id:
        article_id, index = split_id(record_id)
        return [Imported(str(meta.get("article_id") or article_id), index, text,
                         whole_number(meta.get("char_offset"), where, "char_offset"),
                         source, spans, relations, where)]
    article_id = record_id if isinstance(record_id, str) and record_id else fallback_id
    return split_article(article_id, text, source, spans, relations, where,
                         paragraph_indices(meta.get("paragraphs")))


def paragraph_list(document: Document) -> list[dict[str, Any]]:
    """Where each exported paragraph sits in an article document, so an import gets its id back.

    An article document leaves out the paragraphs that were not exported (their place is filled
    with newlines), so cutting it at blank lines again would number the paragraphs anew.
    """
    return [{"id": record["id"], "char_offset": (record.get("meta") or {}).get("char_offset", 0)}
            for record in document.records]


def paragraph_indices(listed: Any) -> dict[int, int]:
    """`char_offset -> paragraph index` from a `paragraph_list` read back; {} when absent or malformed."""
    if not isinstance(listed, list):
        return {}
    out: dict[int, int] = {}
    for entry in listed:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            return {}
        offset = entry.get("char_offset")
        article, index = split_id(entry["id"])
        if isinstance(offset, bool) or not isinstance(offset, int) or article == entry["id"]:
            return {}
        out[offset] = index
    return out


def split_article(article_id: str, text: str, source: str, spans: Sequence[ImportedSpan],
                  relations: Sequence[tuple[str, str, str]], where: str,
                  known_indices: Mapping[int, int] | None = None) -> list[Imported]:
    """Cut an article into our paragraphs (as `annotate` would) and move its spans into them.

    `known_indices` (char_offset -> index, from an article-level export) gives the paragraphs
    their original indices; it is used only when it names exactly the paragraphs found, so a
    text edited in the other tool falls back to numbering from 0.
    """
    from annotator.core.corpus import split_paragraphs

    paragraphs = split_paragraphs(article_id, text, source)
    if not known_indices or sorted(known_indices) != [p.char_offset for p in paragraphs]:
        known_indices = {p.char_offset: p.index for p in paragraphs}
    out: list[Imported] = []
    owner: dict[str, Imported] = {}
    for paragraph in paragraphs:
        out.append(Imported(article_id, known_indices[paragraph.char_offset], paragraph.text, paragraph.char_offset,
                            source, where=where))
    for span in spans:
        home = next((p for p in out if p.char_offset <= span.start and span.end <= p.char_offset + len(p.text)), None)
        if home is None:
            raise InputError(f"{where}: span [{span.start}, {span.end}) {span.label} crosses a paragraph break "
                             "(a blank line). Split it in the source tool, then import again.")
        home.spans.append(ImportedSpan(span.start - home.char_offset, span.end - home.char_offset, span.label,
                                       span.attributes, span.score, span.key))
        owner[span.key] = home
    for label, head, child in relations:
        if head in owner and owner[head] is owner.get(child):
            owner[head].relations.append((label, head, child))
        elif head in owner and child in owner:
            raise InputError(f"{where}: relation {label} links spans in different paragraphs; "
                             "relations stay within a paragraph here.")
        else:
            missing = head if head not in owner else child
            raise InputError(f"{where}: relation {label} names span {missing!r}, which is not in the file.")
    return out


@dataclass(slots=True)
class ExportOptions:
    """What the export command passes to every exporter."""

    schema: Schema | None
    report: ExportReport
    level: Level = "paragraph"
    scheme: Scheme = "iob2"
    offsets: OffsetUnit | None = None  # None: the format's own default


HISTORY_FIELDS = ("_seq", "_action", "_reverts")


def span_dict(span: ExportSpan) -> dict[str, Any]:
    """A canonical span (records.py's field order) for a document-level record."""
    out: dict[str, Any] = {"start": span.start, "end": span.end, "token_start": span.token_start,
                           "token_end": span.token_end, "label": span.label, "text": span.text,
                           "id": span.span_id, "source": span.source}
    if span.attributes:
        out["attributes"] = span.attributes
    if span.score is not None:
        out["score"] = span.score
    if span.suggested:
        out["suggested"] = True
    return out


def labels_in_order(schema: Schema | None) -> list[str]:
    return [label.name for label in schema.labels] if schema is not None else []


def json_lines(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Each non-blank line of a JSONL file to import: (line number, `FILE:LINE`, the object, which has a string `text`)."""
    with open(path, encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"{where}: not valid JSON ({error.msg}). Fix the line or remove it.") from None
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise InputError(f"{where}: each line must be an object with a string 'text'.")
            yield number, where, data
