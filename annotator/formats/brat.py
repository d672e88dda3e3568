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
_ARGUMENT = re.compile(r"(?P<role>[^:\s]+):(?P<target>\S+)")


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
        spans, relations = _read_ann(ann, text, options.notes)
        yield from split_article(ann.stem, text, str(txt), spans, relations, str(ann), options.notes)


def _read_ann(ann: Path, text: str, notes: list[str]) -> tuple[list[ImportedSpan], list[tuple[str, str, str]]]:
    """Spans and relations from a .ann file; what a record cannot hold is named in `notes` with its line.

    - `T`: a span (a discontinuous one over its whole extent, gaps included, with a note).
    - `E`: an event: its trigger span, plus one relation per argument, labelled with the role
      (`Theme2` as `Theme`) from the trigger to the argument; an argument that is an event is its trigger.
    - `A`, `M`: attributes of a span or event (the trigger's); binary ones are true.
    - `R`: relations; `*` equivalences (`Equiv T1 T2 T3`) as relations from the first to each other.
    - `N`: a normalization as the span's `normalization` attribute (`Wikipedia:534366`).
    - `#`: our `name=value` notes as attributes, any other note as the span's `note` attribute.
    """
    lines: list[tuple[str, str, list[str]]] = []
    with open(ann, encoding="utf-8", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if line.strip():
                lines.append((f"{ann}:{number}", line, line.split("\t")))
    spans: dict[str, ImportedSpan] = {}
    for where, line, fields in lines:
        if fields[0].startswith("T"):
            spans[fields[0]] = _text_bound(where, line, fields, text, notes)
    triggers = _events(lines, spans, notes)
    relations: list[tuple[str, str, str]] = []
    for where, line, fields in lines:
        ident, body = fields[0], fields[1] if len(fields) > 1 else ""
        if ident.startswith(("T", "E")):
            if ident.startswith("E"):
                relations.extend(_event_relations(where, body, spans, triggers, notes))
            continue
        if ident.startswith(("A", "M")):
            _attribute(where, line, body, spans, triggers, notes)
        elif ident.startswith("R"):
            arguments = _ARGUMENT.findall(body.partition(" ")[2])
            if len(arguments) != 2 or not body.partition(" ")[0]:
                raise InputError(f"{where}: cannot read this relation: {line!r}.")
            ends = [_target(where, target, spans, triggers) for _, target in arguments]
            relations.append((body.partition(" ")[0], ends[0], ends[1]))
        elif ident == "*":
            kind, *members = body.split()
            ends = [_target(where, member, spans, triggers) for member in members]
            relations.extend((kind, ends[0], other) for other in ends[1:])
            if len(ends) > 2:
                notes.append(f"{where}: {kind} of {len(ends)} spans kept as {len(ends) - 1} relations from "
                             f"{members[0]} to each of the others.")
        elif ident.startswith("N"):
            kind, target, reference = [*body.split(), "", "", ""][:3]
            span = spans.get(triggers.get(target, target))
            if span is None or not reference:
                raise InputError(f"{where}: cannot read this normalization: {line!r}.")
            if "normalization" in span.attributes:
                notes.append(f"{where}: {target} already has the normalization {span.attributes['normalization']}; "
                             f"a span holds one, so {kind} {reference} is not imported.")
            else:
                span.attributes["normalization"] = reference
        elif ident.startswith("#"):
            _note(where, body, fields, spans, triggers, notes)
        else:
            notes.append(f"{where}: {ident} is not a brat annotation annotator reads; line not imported.")
    return list(spans.values()), relations


def _text_bound(where: str, line: str, fields: list[str], text: str, notes: list[str]) -> ImportedSpan:
    match = _T_LINE.match(fields[1] if len(fields) > 1 else "")
    if match is None:
        raise InputError(f"{where}: cannot read this text-bound annotation: {line!r}.")
    ranges = [tuple(map(int, part.split())) for part in match["ranges"].split(";")]
    start, end = ranges[0][0], ranges[-1][1]
    if len(ranges) > 1:
        notes.append(f"{where}: discontinuous span {match['ranges']} imported as one span {start} {end}, gaps included.")
    if not 0 <= start < end <= len(text):
        raise InputError(f"{where}: offsets {start} {end} are outside the text ({len(text)} characters).")
    return ImportedSpan(start, end, match["label"], key=fields[0])


def _events(lines: list[tuple[str, str, list[str]]], spans: dict[str, ImportedSpan], notes: list[str]) -> dict[str, str]:
    """Event id -> its trigger's T id (an event's attributes, notes and role as an argument are its trigger's)."""
    triggers: dict[str, str] = {}
    by_trigger: dict[str, str] = {}
    for where, line, fields in lines:
        if not fields[0].startswith("E"):
            continue
        head = (fields[1] if len(fields) > 1 else "").split(" ")[0]
        match = _ARGUMENT.fullmatch(head)
        if match is None or match["target"] not in spans:
            raise InputError(f"{where}: cannot read this event (it needs TYPE:TRIGGER, a T annotation): {line!r}.")
        triggers[fields[0]] = match["target"]
        if match["target"] in by_trigger:
            notes.append(f"{where}: events {by_trigger[match['target']]} and {fields[0]} share the trigger "
                         f"{match['target']}; their arguments are relations of the one trigger span.")
        by_trigger.setdefault(match["target"], fields[0])
    return triggers


def _event_relations(where: str, body: str, spans: dict[str, ImportedSpan], triggers: dict[str, str],
                     notes: list[str]) -> Iterator[tuple[str, str, str]]:
    trigger, *arguments = body.split()
    trigger_id = trigger.partition(":")[2]
    if spans[trigger_id].label != trigger.partition(":")[0]:
        notes.append(f"{where}: event type {trigger.partition(':')[0]} differs from its trigger's label "
                     f"{spans[trigger_id].label}; the trigger span keeps {spans[trigger_id].label}.")
    for argument in arguments:
        match = _ARGUMENT.fullmatch(argument)
        if match is None:
            raise InputError(f"{where}: cannot read the event argument {argument!r} (ROLE:ID).")
        yield re.sub(r"\d+$", "", match["role"]) or match["role"], trigger_id, _target(where, match["target"], spans, triggers)


def _target(where: str, ident: str, spans: dict[str, ImportedSpan], triggers: dict[str, str]) -> str:
    """The T id an annotation points at (an event's trigger for an event), or an InputError."""
    target = triggers.get(ident, ident)
    if target not in spans:
        raise InputError(f"{where}: names {ident}, which is not a T or E annotation of this file.")
    return target


def _attribute(where: str, line: str, body: str, spans: dict[str, ImportedSpan], triggers: dict[str, str],
               notes: list[str]) -> None:
    parts = body.split()
    if len(parts) < 2:
        raise InputError(f"{where}: cannot read this attribute: {line!r}.")
    if parts[1].startswith(("R", "*")):
        notes.append(f"{where}: attribute {parts[0]} is on relation {parts[1]}; relations have no attributes "
                     "here, so it is not imported.")
        return
    spans[_target(where, parts[1], spans, triggers)].attributes[parts[0]] = parts[2] if len(parts) > 2 else True


def _note(where: str, body: str, fields: list[str], spans: dict[str, ImportedSpan], triggers: dict[str, str],
          notes: list[str]) -> None:
    kind, _, target = body.partition(" ")
    note = fields[2] if len(fields) > 2 else ""
    if target.startswith(("R", "*")) or (target not in spans and target not in triggers):
        notes.append(f"{where}: the note on {target or '?'} ({note!r}) is not imported: only spans and events hold notes here.")
        return
    span = spans[_target(where, target, spans, triggers)]
    parsed = _parse_note(note) if kind == NOTE_TYPE else {}
    if parsed:
        span.attributes.update(parsed)
    elif note:
        span.attributes["note"] = f"{span.attributes['note']}; {note}" if "note" in span.attributes else note


def _parse_note(note: str) -> dict[str, Any]:
    """`count=16; quote="a; b"` -> {"count": 16, "quote": "a; b"}; a note that is not all such pairs gives {}
    (and is kept whole as the span's `note`)."""
    decoder = json.JSONDecoder()
    out: dict[str, Any] = {}
    position = 0
    while position < len(note):
        match = _NOTE_NAME.match(note, position)
        if match is None:
            return {}
        try:
            value, position = decoder.raw_decode(note, match.end())
        except json.JSONDecodeError:
            return {}
        if not isinstance(value, (str, int, bool)) or isinstance(value, float):
            return {}
        out[match[1]] = value
        separator = _NOTE_SEPARATOR.match(note, position)
        if separator is None and position < len(note):
            return {}
        position = separator.end() if separator else len(note)
    return out


_NOTE_NAME = re.compile(r"\s*([A-Za-z_][\w\-]*)=")
_NOTE_SEPARATOR = re.compile(r"\s*;\s*")


FORMAT = Format(name="brat", suffix="-brat", export=export, read=read, level="article",
                folder_holds=("*.txt", "*.ann", ANNOTATION_CONF, VISUAL_CONF))
