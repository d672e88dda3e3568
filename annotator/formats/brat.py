"""`brat`: a folder with `<article>.txt` + `<article>.ann` per article, `annotation.conf` and `visual.conf`.

brat works on whole documents, so this format always writes one pair per article (at
`--level paragraph`, one per paragraph, named `<article>#<n>` with `#` as `_`). The .txt is the
article text rebuilt as `--level article` describes, written byte for byte (`newline=""`), so
brat's character offsets equal ours; CRLF never shifts them.

- `T` lines: spans (`T3<TAB>ACTOR 12 27<TAB>US officials`).
- `A` lines: choice attributes as multi-valued attributes (`A1<TAB>type T3 state_forces`),
  boolean attributes as binary ones (written only when true).
- `#` notes: integer and text attributes, which brat cannot type, as
  `#1<TAB>AnnotatorNotes T3<TAB>count=16; qualifier_note="about"` (values in JSON).
- `R` lines: relations (`R1<TAB>source Arg1:T4 Arg2:T3`).
Paragraph notes and flags have no place in brat and are not written (they stay in `jsonl`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.files import NewFolder, write_folder_atomically
from annotator.core.schema import Schema
from annotator.formats import Format
from annotator.formats.documents import Document, attribute_types
from annotator.formats.export import ExportOptions
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.reading import split_article

NOTE_TYPE = "AnnotatorNotes"
ANNOTATION_CONF = "annotation.conf"
VISUAL_CONF = "visual.conf"


def file_stem(document_id: str) -> str:
    return re.sub(r"[^\w.\-]", "_", document_id)


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    seen_labels: list[str] = []
    seen_relations: dict[str, tuple[set[str], set[str]]] = {}
    seen_choices: dict[str, dict[str, list[str]]] = {}  # attribute -> label -> values
    binaries: dict[str, set[str]] = {}
    kinds = attribute_types(options.schema)

    def fill(folder: NewFolder) -> None:
        used_names: set[str] = set()
        for document in documents:
            stem = file_stem(document.id)
            if stem in used_names:
                raise InputError(f"{document.id}: two documents map to the file name {stem}.txt. "
                                 "Rename one of the articles.")
            used_names.add(stem)
            folder.write(f"{stem}.txt", document.text)
            folder.write(f"{stem}.ann", _annotations(document, kinds, seen_labels, seen_relations, seen_choices, binaries))
        folder.write(ANNOTATION_CONF, _annotation_conf(options.schema, seen_labels, seen_relations, seen_choices, binaries))
        folder.write(VISUAL_CONF, _visual_conf(options.schema, seen_labels))

    write_folder_atomically(out, fill)


def _annotations(document: Document, kinds: dict[tuple[str, str], str], seen_labels: list[str],
                 seen_relations: dict[str, tuple[set[str], set[str]]],
                 seen_choices: dict[str, dict[str, list[str]]], binaries: dict[str, set[str]]) -> str:
    lines: list[str] = []
    t_ids: dict[str, str] = {}
    labels: dict[str, str] = {}
    attribute_count = note_count = 0
    for number, span in enumerate(document.spans, start=1):
        t_id = f"T{number}"
        t_ids[span.span_id] = t_id
        labels[span.span_id] = span.label
        if span.label not in seen_labels:
            seen_labels.append(span.label)
        # brat's .ann is line-based: a newline inside a span's text is shown as a space.
        shown = span.text.replace("\r", " ").replace("\n", " ")
        lines.append(f"{t_id}\t{span.label} {span.start} {span.end}\t{shown}")
        noted: list[str] = []
        for name, value in sorted(span.attributes.items()):
            kind = kinds.get((span.label, name)) or _kind_of(value)
            if kind == "choice":
                attribute_count += 1
                lines.append(f"A{attribute_count}\t{name} {t_id} {value}")
                values = seen_choices.setdefault(name, {}).setdefault(span.label, [])
                if str(value) not in values:
                    values.append(str(value))
            elif kind == "boolean":
                binaries.setdefault(name, set()).add(span.label)
                if value is True:
                    attribute_count += 1
                    lines.append(f"A{attribute_count}\t{name} {t_id}")
            else:
                noted.append(f"{name}={json.dumps(value, ensure_ascii=False)}")
        if noted:
            note_count += 1
            lines.append(f"#{note_count}\t{NOTE_TYPE} {t_id}\t{'; '.join(noted)}")
    for number, relation in enumerate(document.relations, start=1):
        lines.append(f"R{number}\t{relation.label} Arg1:{t_ids[relation.head]} Arg2:{t_ids[relation.child]}")
        heads, children = seen_relations.setdefault(relation.label, (set(), set()))
        heads.add(labels[relation.head])
        children.add(labels[relation.child])
    return "".join(line + "\n" for line in lines)


def _kind_of(value: Any) -> str:
    """The brat treatment of an attribute the schema does not describe (an orphan's)."""
    if isinstance(value, bool):
        return "boolean"
    return "choice" if isinstance(value, str) and re.fullmatch(r"[\w\-]+", value) else "note"


def _annotation_conf(schema: Schema | None, seen_labels: list[str],
                     seen_relations: dict[str, tuple[set[str], set[str]]],
                     seen_choices: dict[str, dict[str, list[str]]], binaries: dict[str, set[str]]) -> str:
    labels = [label.name for label in schema.labels] if schema is not None else []
    labels += [label for label in seen_labels if label not in labels]
    relations: dict[str, tuple[list[str], list[str]]] = {}
    if schema is not None:
        relations = {r.name: (list(r.heads), list(r.children)) for r in schema.relations}
    for name, (heads, children) in seen_relations.items():
        known = relations.setdefault(name, ([], []))
        known[0].extend(sorted(heads - set(known[0])))
        known[1].extend(sorted(children - set(known[1])))
    choices: dict[str, dict[str, list[str]]] = {}
    binary: dict[str, list[str]] = {}
    if schema is not None:
        for label in schema.labels:
            for spec in label.attributes:
                if spec.type == "choice":
                    choices.setdefault(spec.name, {})[label.name] = [c.value for c in spec.choices]
                elif spec.type == "boolean":
                    binary.setdefault(spec.name, []).append(label.name)
    for name, per_label in seen_choices.items():
        for label_name, seen_values in per_label.items():
            known_values = choices.setdefault(name, {}).setdefault(label_name, [])
            known_values.extend(v for v in seen_values if v not in known_values)
    for name, owners in binaries.items():
        binary.setdefault(name, []).extend(sorted(owners - set(binary.get(name, []))))
    out = ["# Generated by annotator export --format brat from the label schema.", "[entities]", *labels, "",
           "[relations]"]
    out += [f"{name}\tArg1:{'|'.join(heads)}, Arg2:{'|'.join(children)}" for name, (heads, children) in relations.items()]
    out += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "", "[attributes]"]
    for name, per_label in choices.items():
        values: list[str] = []
        for label_values in per_label.values():
            values.extend(v for v in label_values if v not in values)
        out.append(f"{name}\tArg:{'|'.join(per_label)}, Value:{'|'.join(values)}")
    out += [f"{name}\tArg:{'|'.join(owners)}" for name, owners in binary.items() if name not in choices]
    return "\n".join(out) + "\n"


def _visual_conf(schema: Schema | None, seen_labels: list[str]) -> str:
    out = ["[labels]"]
    labels = [label.name for label in schema.labels] if schema is not None else []
    out += [f"{name} | {name}" for name in labels + [label for label in seen_labels if label not in labels]]
    out += ["", "[drawing]", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
            "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5"]
    if schema is not None:
        out += [f"{label.name}\tbgColor:{label.color}, borderColor:darken" for label in schema.labels]
        out += [f"{relation.name}\tcolor:black" for relation in schema.relations]
    return "\n".join(out) + "\n"


_T_LINE = re.compile(r"(?P<label>\S+) (?P<ranges>\d+ \d+(?:;\d+ \d+)*)$")


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """Every `<name>.ann` in the folder with its `<name>.txt`; the article id is the file stem."""
    if not path.is_dir():
        raise InputError(f"{path}: brat import takes a folder of .txt and .ann files.")
    anns = sorted(path.glob("*.ann"))
    if not anns:
        raise InputError(f"{path}: no .ann files in this folder.")
    for ann in anns:
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise InputError(f"{ann}: no {txt.name} beside it; brat needs the text of every document.")
        text = txt.read_bytes().decode("utf-8")
        spans, relations = _read_ann(ann, text, options)
        yield from split_article(ann.stem, text, str(txt), spans, relations, str(ann))


def _read_ann(ann: Path, text: str, options: ImportOptions) -> tuple[list[ImportedSpan], list[tuple[str, str, str]]]:
    spans: dict[str, ImportedSpan] = {}
    relations: list[tuple[str, str, str]] = []
    with open(ann, encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            where = f"{ann}:{number}"
            fields = line.split("\t")
            ident = fields[0]
            body = fields[1] if len(fields) > 1 else ""
            if ident.startswith("T"):
                match = _T_LINE.match(body)
                if match is None:
                    raise InputError(f"{where}: cannot read this text-bound annotation: {line!r}.")
                ranges = [tuple(map(int, part.split())) for part in match["ranges"].split(";")]
                start, end = ranges[0][0], ranges[-1][1]
                if len(ranges) > 1:
                    options.notes.append(f"{where}: discontinuous span {match['ranges']} imported as one "
                                         f"span {start} {end}, gaps included.")
                if not 0 <= start < end <= len(text):
                    raise InputError(f"{where}: offsets {start} {end} are outside the text ({len(text)} characters).")
                spans[ident] = ImportedSpan(start, end, match["label"], key=ident)
            elif ident.startswith(("A", "M")):
                parts = body.split()
                if len(parts) < 2 or parts[1] not in spans:
                    raise InputError(f"{where}: attribute names no known T annotation: {line!r}.")
                spans[parts[1]].attributes[parts[0]] = parts[2] if len(parts) > 2 else True
            elif ident.startswith("R"):
                match = re.fullmatch(r"(\S+) Arg1:(\S+) Arg2:(\S+)", body)
                if match is None:
                    raise InputError(f"{where}: cannot read this relation: {line!r}.")
                relations.append((match[1], match[2], match[3]))
            elif ident.startswith("#"):
                note = body.split()
                if len(note) == 2 and note[0] == NOTE_TYPE and note[1] in spans and len(fields) > 2:
                    spans[note[1]].attributes.update(_parse_note(fields[2]))
    return list(spans.values()), relations


def _parse_note(note: str) -> dict[str, Any]:
    """`count=16; quote="a; b"` -> {"count": 16, "quote": "a; b"}; a free-text note gives nothing."""
    decoder = json.JSONDecoder()
    out: dict[str, Any] = {}
    position = 0
    while position < len(note):
        match = re.compile(r"\s*([A-Za-z_][\w\-]*)=").match(note, position)
        if match is None:
            return out
        try:
            value, position = decoder.raw_decode(note, match.end())
        except json.JSONDecodeError:
            return out
        out[match[1]] = value
        separator = re.compile(r"\s*;\s*").match(note, position)
        position = separator.end() if separator else len(note)
    return out


FORMAT = Format(name="brat", suffix="-brat", export=export, read=read, level="article",
                folder_holds=("*.txt", "*.ann", ANNOTATION_CONF, VISUAL_CONF))
