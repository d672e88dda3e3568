"""`spacy`: a `.spacy` DocBin for `spacy train`.

Each Doc is built from our tokens (words and `ws` flags, whitespace tokens included), so
`doc.text` is exactly the record's text and every span that sits on token edges aligns.
Every span goes into `doc.spans["sc"]` (span categorizer); the non-overlapping ones (longest,
then earliest) also into `doc.ents` (NER). A span spaCy cannot align is named on stderr with
its offsets, never dropped silently. Our ids, span attributes and relations travel in
`doc.user_data["annotator"]` (the DocBin keeps user data).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.core.files import write_atomically
from annotator.formats import Extra, Format
from annotator.formats.documents import Document
from annotator.formats.export import ExportOptions
from annotator.formats.tags import non_overlapping

SPAN_KEY = "sc"
SPACY = Extra(module="spacy", title="spaCy", extra="spacy")


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    spacy = SPACY.load(needed_by="spacy")
    from spacy.tokens import DocBin

    vocab = spacy.blank("xx").vocab
    doc_bin = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    for document in documents:
        doc_bin.add(to_doc(vocab, document, options))
    write_atomically(out, doc_bin.to_bytes())


def to_doc(vocab: Any, document: Document, options: ExportOptions) -> Any:
    from spacy.tokens import Doc

    words = [token["text"] for token in document.tokens]
    spaces = [bool(token["ws"]) for token in document.tokens]
    doc = Doc(vocab, words=words, spaces=spaces)
    aligned = []
    for span in document.spans:
        spacy_span = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if spacy_span is None:
            options.report.unaligned.append(f"{span.ref} [{span.start}, {span.end}) {span.text!r}")
            continue
        aligned.append((span, spacy_span))
    doc.spans[SPAN_KEY] = [spacy_span for _, spacy_span in aligned]
    by_ref = {span.ref: spacy_span for span, spacy_span in aligned}
    entity_spans = non_overlapping([span for span, _ in aligned], None)
    doc.ents = [by_ref[span.ref] for span in entity_spans]
    doc.user_data["annotator"] = {
        "id": document.id,
        "article_id": document.article_id,
        "spans": [{"id": span.span_id, "start": span.start, "end": span.end, "label": span.label,
                   "attributes": span.attributes} for span, _ in aligned],
        "relations": [{"label": r.label, "head_id": r.head, "child_id": r.child} for r in document.relations],
    }
    return doc


FORMAT = Format(name="spacy", suffix=".spacy", export=export, needs=SPACY)
