"""`spacy`: a `.spacy` DocBin for `spacy train`.

Each Doc is built from the record's tokens (words and `ws` flags, whitespace tokens included)
when they rebuild its text exactly, so `doc.text` is the record's text and every span that
sits on token edges aligns. A record whose tokens do not (written by another tool, or with
none) is tokenized again with annotator's tokenizer; either way no record is refused. Every
span goes into `doc.spans["sc"]` (span categorizer); the non-overlapping ones (longest, then
earliest) also into `doc.ents` (NER). A span spaCy cannot align (`Doc.char_span` in strict
mode gives None: it does not start and end on token edges) is named on stderr with its
offsets, never dropped silently. Our ids, span attributes and relations travel in
`doc.user_data["annotator"]` (the DocBin keeps user data).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.core.tokens import tokenize
from annotator.formats import Extra, Format
from annotator.formats.documents import Document, ExportSpan
from annotator.formats.export import ExportOptions, write_output

SPAN_KEY = "sc"
SPACY = Extra(module="spacy", title="spaCy", extra="spacy")


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    spacy = SPACY.load(needed_by="spacy")
    from spacy.tokens import DocBin

    vocab = spacy.blank("xx").vocab
    doc_bin = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    with _msgpack_encoders_looked_up_once():
        for document in documents:
            doc_bin.add(to_doc(vocab, document, options))
        data = doc_bin.to_bytes()
    write_output(out, data)


@contextmanager
def _msgpack_encoders_looked_up_once() -> Iterator[None]:
    """srsly makes a msgpack Packer for every `msgpack_dumps` (a DocBin calls it for each Doc's
    user data and span groups), and each Packer asks catalogue for the encoders registered as
    entry points, which scans every installed package's entry points: nine tenths of an
    export's time. The installed packages do not change during an export, so the encoders
    are looked up once here and handed back for the rest of it."""
    from srsly.msgpack import msgpack_encoders

    encoders = msgpack_encoders.get_all()
    msgpack_encoders.get_all = lambda: dict(encoders)  # an attribute of this instance, shadowing the method
    try:
        yield
    finally:
        del msgpack_encoders.get_all


def words_and_spaces(text: str, tokens: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[bool]]:
    """The Doc's words and spaces: the record's tokens when they rebuild `text` exactly, else our tokenizer's."""
    words = [str(token.get("text", "")) for token in tokens]
    spaces = [bool(token.get("ws")) for token in tokens]
    if not words or not all(words) or "".join(w + " " * s for w, s in zip(words, spaces)) != text:
        retokenized = tokenize(text)
        words = [token.text for token in retokenized]
        spaces = [token.ws for token in retokenized]
    return words, spaces


def to_doc(vocab: Any, document: Document, options: ExportOptions) -> Any:
    from spacy.tokens import Doc

    words, spaces = words_and_spaces(document.text, document.tokens)
    doc = Doc(vocab, words=words, spaces=spaces)
    aligned = []
    for span in document.spans:
        spacy_span = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if spacy_span is None:
            options.report.unaligned.append(f"{span.ref} [{span.start}, {span.end}) {span.text!r}")
            continue
        aligned.append((span, spacy_span))
    doc.spans[SPAN_KEY] = [spacy_span for _, spacy_span in aligned]
    doc.ents = entities(aligned)
    doc.user_data["annotator"] = {
        "id": document.id,
        "article_id": document.article_id,
        "spans": [{"id": span.span_id, "start": span.start, "end": span.end, "label": span.label,
                   "attributes": span.attributes} for span, _ in aligned],
        "relations": [{"label": r.label, "head_id": r.head, "child_id": r.child} for r in document.relations],
    }
    return doc


def entities(aligned: Sequence[tuple[ExportSpan, Any]]) -> list[Any]:
    """The spaCy spans that fit `doc.ents`: by the Doc's own tokens (which may not be the record's),
    the longest first, then the earliest, as `tags.non_overlapping` keeps them for CoNLL."""
    taken: set[int] = set()
    kept = []
    for _, spacy_span in sorted(aligned, key=lambda pair: (-len(pair[1]), pair[1].start, pair[0].start, pair[0].label)):
        covered = set(range(spacy_span.start, spacy_span.end))
        if not covered & taken:
            taken |= covered
            kept.append(spacy_span)
    return sorted(kept, key=lambda spacy_span: (spacy_span.start, spacy_span.end))


FORMAT = Format(name="spacy", suffix=".spacy", export=export, needs=SPACY)
