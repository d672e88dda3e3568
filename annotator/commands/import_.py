"""`annotator import FILE --format FORMAT --out STORE`: other tools' annotations as pre-annotations.

Every imported span is a suggestion (`suggested: true`, `source: "import:FORMAT"`, or
`"model:NAME"` with `--model NAME` for predictions) on an undecided paragraph, for an annotator
to review. The whole file is read and checked before the store is touched, so a bad line
changes nothing. A store that already holds any of the imported ids is refused unless
`--merge`, which adds the imported spans to those paragraphs and keeps everything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.formats import IMPORT_FORMATS

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="bring doccano, Label Studio, brat, CoNLL or JSONL annotations into a store as suggestions",
        description="Read annotations made elsewhere (or model predictions) into a store as suggested spans "
        "on undecided paragraphs. See docs/FORMAT.md.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the file (a folder for brat)")
    parser.add_argument("--format", required=True, choices=list(IMPORT_FORMATS), help="input format")
    parser.add_argument("--out", required=True, type=Path, metavar="STORE", help="the store (.jsonl) to append to")
    parser.add_argument("--schema", type=Path, help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--annotator", help="name on the imported records; default: the config file, else your login")
    parser.add_argument("--model", metavar="NAME", help="the spans are predictions of model NAME (source model:NAME)")
    parser.add_argument("--offsets", choices=("utf16", "codepoints"),
                        help="offset unit of doccano (default utf16) or Label Studio (default: checked per span) input")
    parser.add_argument("--merge", action="store_true",
                        help="add the spans to paragraphs the store already has, instead of refusing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from annotator.core.identity import annotator_name, load_user_config
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.store import Store
    from annotator.formats import format_module
    from annotator.formats.document import ExportOptions, ExportReport

    if not args.file.exists():
        raise InputError(f"{args.file}: no such file or folder.")
    if args.model is not None and not args.model.strip():
        raise InputError("--model needs a name, e.g. --model ner-v3.")
    schema = load_schema(args.schema or default_schema_path())
    name = annotator_name(args.annotator, load_user_config())
    source = f"model:{args.model}" if args.model else f"import:{args.format}"
    options = ExportOptions(schema=schema, report=ExportReport(), offsets=args.offsets)
    try:
        paragraphs = list(format_module(args.format).read(args.file, options))
    except UnicodeDecodeError:
        raise InputError(f"{args.file}: is not UTF-8 text. Save it as UTF-8 and import again.") from None
    widened: list[str] = []
    built = [_annotate(paragraph, source, schema, widened) for paragraph in paragraphs]
    seen: dict[str, str] = {}
    for paragraph, _, _ in built:
        if paragraph.id in seen:
            raise InputError(f"{paragraph.where}: paragraph {paragraph.id} appears twice "
                             f"(first at {seen[paragraph.id]}). Each paragraph may be imported once.")
        seen[paragraph.id] = paragraph.where
    known = {label.name for label in schema.labels}
    orphans = sorted({span.label for _, _, annotation in built for span in annotation.spans} - known)

    with Store(args.out) as store:
        existing = [p.id for p, _, _ in built if p.id in store.contents.latest_line]
        if existing and not args.merge:
            raise InputError(f"{args.out}: already has {len(existing)} of these paragraphs ({', '.join(existing[:5])}"
                             f"{', ...' if len(existing) > 5 else ''}). Pass --merge to add the imported spans to "
                             "them, or import into another store.")
        records = [_record(store, paragraph, tokens, annotation, schema.ref, name)
                   for paragraph, tokens, annotation in built]
        for record in records:
            store.append(record)
    for note in options.report.notes:
        print(f"annotator: {note}", file=sys.stderr)
    if widened:
        print(f"annotator: {len(widened)} span(s) cut a word and were widened to whole words (the schema's "
              f"snap: token): {', '.join(widened[:10])}{' ...' if len(widened) > 10 else ''}", file=sys.stderr)
    if orphans:
        print(f"annotator: labels not in the schema {schema.name}: {', '.join(orphans)} (imported as they are).",
              file=sys.stderr)
    span_count = sum(len(annotation.spans) for _, _, annotation in built)
    print(f"annotator: imported {len(records)} paragraph(s) with {span_count} suggested span(s) into {args.out}"
          f"{f' ({len(existing)} merged)' if existing else ''}", file=sys.stderr)
    return 0


def _annotate(paragraph: Any, source: str, schema: Any, widened: list[str]) -> tuple[Any, Any, Any]:
    """Our tokens and an annotation of suggested spans for one paragraph.

    A span of a `snap: token` label (and of a label the schema lacks) is widened to the whole
    words it touches, as the annotate screen would have made it: a span that cuts a word cannot
    be aligned by spaCy or tagged in CoNLL. `snap: char` labels keep their exact characters.
    Spans widened are appended to `widened` as `record id [start, end)` for the user.
    """
    from dataclasses import replace

    from annotator.core.spans import EMPTY, Relation, add_relation, add_span, span_over_chars
    from annotator.core.tokens import tokenize

    tokens = tokenize(paragraph.text)
    annotation = EMPTY
    ids: dict[str, str] = {}
    for span in paragraph.spans:
        if not 0 <= span.start < span.end <= len(paragraph.text):
            raise InputError(f"{paragraph.where}: span [{span.start}, {span.end}) {span.label} is outside the "
                             f"paragraph text ({len(paragraph.text)} characters).")
        try:
            made = span_over_chars(tokens, span.start, span.end, span.label, paragraph.text, source=source,
                                   suggested=True, score=span.score, attributes=tuple(sorted(span.attributes.items())))
        except ValueError:
            raise InputError(f"{paragraph.where}: span [{span.start}, {span.end}) {span.label} covers no word "
                             f"({paragraph.text[span.start:span.end]!r}).") from None
        label = schema.label(span.label)
        if label is None or label.snap == "token":
            start, end = tokens[made.token_start].start, tokens[made.token_end].end
            if (start, end) != (made.start, made.end):
                widened.append(f"{paragraph.id} [{span.start}, {span.end})")
                made = replace(made, start=start, end=end)
        before = {s.id for s in annotation.spans}
        annotation = add_span(annotation, made)
        added = [s.id for s in annotation.spans if s.id not in before]
        ids[span.key] = added[0] if added else next(
            s.id for s in annotation.spans if (s.start, s.end, s.label) == (made.start, made.end, made.label))
    for label, head, child in paragraph.relations:
        if head not in ids or child not in ids:
            raise InputError(f"{paragraph.where}: relation {label} names a span that is not in the paragraph.")
        annotation = add_relation(annotation, Relation(label, ids[head], ids[child]))
    return paragraph, tokens, annotation


def _record(store: Any, paragraph: Any, tokens: Any, annotation: Any, schema_ref: dict[str, str], name: str) -> dict[str, Any]:
    """The record to append; with --merge, the stored paragraph plus the imported spans."""
    from dataclasses import replace

    from annotator.core.corpus import Paragraph
    from annotator.core.records import annotation_from_record, to_record
    from annotator.core.spans import add_relation, add_span

    current = store.contents.get(paragraph.id)
    if current is not None:
        if current["text"] != paragraph.text:
            raise InputError(f"{paragraph.where}: paragraph {paragraph.id} has another text in {store.path}; "
                             "--merge only adds spans to the same text.")
        merged = annotation_from_record(current)
        renamed: dict[str, str] = {}
        for span in annotation.spans:
            before = {s.id for s in merged.spans}
            merged = add_span(merged, replace(span, id=""))
            added = [s.id for s in merged.spans if s.id not in before]
            renamed[span.id] = added[0] if added else next(
                s.id for s in merged.spans if (s.start, s.end, s.label) == (span.start, span.end, span.label))
        for relation in annotation.relations:
            merged = add_relation(merged, replace(relation, head=renamed[relation.head], child=renamed[relation.child]))
        annotation = merged
        meta = current.get("meta") or {}
        paragraph_obj = Paragraph(meta.get("article_id", paragraph.article_id), meta.get("paragraph", paragraph.index),
                                  paragraph.text, meta.get("char_offset", paragraph.char_offset),
                                  meta.get("source", paragraph.source))
    else:
        paragraph_obj = Paragraph(paragraph.article_id, paragraph.index, paragraph.text, paragraph.char_offset,
                                  paragraph.source)
    return to_record(paragraph_obj, tokens, annotation, schema_ref=schema_ref, annotator=name)
