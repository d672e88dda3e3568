"""`label-studio`: a tasks JSON file plus the labeling config it needs, `label_config.xml`, beside it.

Each document is a task `{"id", "data": {"text", "record_id", "article_id"}, "annotations":
[{"result": [...]}]}`. Spans are `labels` results (`value.start/end/text/labels`); span
attributes are per-region results under the region's id (`choices`, `number`, `textarea`,
named `<LABEL>_<attribute>` in the config); relations are `relation` results.

Offsets: Label Studio's Text tag has stored code-point offsets since its front end stopped
using JavaScript string lengths (label-studio-frontend PR #308, 2022); older versions used
UTF-16 code units, which shifts every span after an emoji. Code points are the default here,
`--offsets utf16` writes UTF-16 for those older versions. Import checks each result's
`value.text` against the text and converts UTF-16 offsets back when that is what matches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import InputError
from annotator.core.files import write_atomically
from annotator.core.schema import Schema
from annotator.formats import Format
from annotator.formats.documents import Document, attribute_types, paragraph_list
from annotator.formats.export import ExportOptions
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.offsets import OFFSET_UNITS, OffsetUnit, codepoint_offsets, utf16_offsets
from annotator.formats.reading import imported_document, list_field, object_field

CONFIG_FILE = "label_config.xml"
LABELS_NAME = "label"
TEXT_NAME = "text"


def config_path(out: Path) -> Path:
    return out.with_name(CONFIG_FILE)


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    unit = options.offsets or "codepoints"
    kinds = attribute_types(options.schema)
    seen_labels: list[str] = []
    unknown_attributes: dict[tuple[str, str], list[Any]] = {}  # attributes the schema does not describe

    def write(handle: TextIO) -> None:
        handle.write("[")
        for number, document in enumerate(documents, start=1):
            seen_labels.extend(sorted({s.label for s in document.spans} - set(seen_labels)))
            for span in document.spans:
                for name, value in span.attributes.items():
                    if (span.label, name) not in kinds:
                        values = unknown_attributes.setdefault((span.label, name), [])
                        if value not in values:
                            values.append(value)
            handle.write(",\n" if number > 1 else "\n")
            handle.write(json.dumps(_task(number, document, unit, kinds), ensure_ascii=False))
        handle.write("\n]\n")
        # renamed into place before the tasks are: a failure leaves no tasks without their config
        write_atomically(config_path(out), labeling_config(options.schema, seen_labels, unknown_attributes))

    write_atomically(out, write)


def _task(number: int, document: Document, unit: OffsetUnit, kinds: dict[tuple[str, str], str]) -> dict[str, Any]:
    convert = utf16_offsets(document.text) if unit == "utf16" else None

    def at(offset: int) -> int:
        return convert[offset] if convert is not None else offset

    result: list[dict[str, Any]] = []
    for span in document.spans:
        where = {"start": at(span.start), "end": at(span.end), "text": span.text}
        result.append({"id": span.span_id, "from_name": LABELS_NAME, "to_name": TEXT_NAME, "type": "labels",
                       "value": {**where, "labels": [span.label]}})
        for name, value in sorted(span.attributes.items()):
            kind = kinds.get((span.label, name)) or _inferred_kind(value)
            value_field: dict[str, Any]
            if kind == "integer":
                value_field, result_type = {"number": value}, "number"
            elif kind == "text":
                value_field, result_type = {"text": [value]}, "textarea"
            elif kind == "boolean":
                value_field, result_type = {"choices": ["true" if value else "false"]}, "choices"
            else:
                value_field, result_type = {"choices": [str(value)]}, "choices"
            result.append({"id": span.span_id, "from_name": f"{span.label}_{name}", "to_name": TEXT_NAME,
                           "type": result_type, "value": {**where, **value_field}})
    for relation in document.relations:
        result.append({"from_id": relation.head, "to_id": relation.child, "type": "relation", "direction": "right",
                       "labels": [relation.label]})
    first_meta = document.records[0].get("meta") or {}
    data = {"text": document.text, "record_id": document.id, "article_id": document.article_id,
            "char_offset": first_meta.get("char_offset", 0) if len(document.records) == 1 else 0, "offsets": unit}
    if len(document.records) > 1 or document.id != document.records[0]["id"]:
        data["paragraphs"] = paragraph_list(document)
    return {"id": number, "data": data, "annotations": [{"result": result}]}


def _inferred_kind(value: Any) -> str:
    """The schema type of an attribute the schema does not describe (an orphan label's)."""
    if isinstance(value, bool):
        return "boolean"
    return "integer" if isinstance(value, int) else "choice"


def labeling_config(schema: Schema | None, seen_labels: list[str],
                    unknown_attributes: dict[tuple[str, str], list[Any]] | None = None) -> str:
    """The `<View>` for the exported tasks: labels with colours, relations, per-region attributes.

    Attributes the schema does not describe (an orphan label's) get a control too, of the kind
    their values suggest: Label Studio refuses a result whose `from_name` is not in the config.
    """
    from xml.sax.saxutils import quoteattr
    known = [label.name for label in schema.labels] if schema is not None else []
    colours = {label.name: label.color for label in schema.labels} if schema is not None else {}
    lines = ["<View>", f'  <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}">']
    for name in known + [label for label in seen_labels if label not in known]:
        colour = f" background={quoteattr(colours[name])}" if name in colours else ""
        lines.append(f"    <Label value={quoteattr(name)}{colour}/>")
    lines += ["  </Labels>", f'  <Text name="{TEXT_NAME}" value="$text"/>']
    if schema is not None and schema.relations:
        lines.append("  <Relations>")
        lines += [f"    <Relation value={quoteattr(relation.name)}/>" for relation in schema.relations]
        lines.append("  </Relations>")
    for label in schema.labels if schema is not None else ():
        for spec in label.attributes:
            name = quoteattr(f"{label.name}_{spec.name}")
            lines.append(f'  <View visibleWhen="region-selected" whenLabelValue={quoteattr(label.name)}>')
            lines.append(f"    <Header value={quoteattr(f'{label.name}: {spec.name}')}/>")
            if spec.type == "choice":
                lines.append(f'    <Choices name={name} toName="{TEXT_NAME}" perRegion="true">')
                lines += [f"      <Choice value={quoteattr(choice.value)}/>" for choice in spec.choices]
                lines.append("    </Choices>")
            elif spec.type == "boolean":
                lines.append(f'    <Choices name={name} toName="{TEXT_NAME}" perRegion="true">')
                lines += ['      <Choice value="true"/>', '      <Choice value="false"/>', "    </Choices>"]
            elif spec.type == "integer":
                bounds = "".join(f' {key}="{value}"' for key, value in (("min", spec.minimum), ("max", spec.maximum))
                                 if value is not None)
                lines.append(f'    <Number name={name} toName="{TEXT_NAME}" perRegion="true"{bounds}/>')
            else:
                lines.append(f'    <TextArea name={name} toName="{TEXT_NAME}" perRegion="true"/>')
            lines.append("  </View>")
    for (label_name, attribute), values in (unknown_attributes or {}).items():
        name = quoteattr(f"{label_name}_{attribute}")
        kind = _inferred_kind(values[0])
        lines.append(f'  <View visibleWhen="region-selected" whenLabelValue={quoteattr(label_name)}>')
        lines.append(f"    <Header value={quoteattr(f'{label_name}: {attribute}')}/>")
        if kind == "integer":
            lines.append(f'    <Number name={name} toName="{TEXT_NAME}" perRegion="true"/>')
        else:
            choices = ["true", "false"] if kind == "boolean" else sorted({str(value) for value in values})
            lines.append(f'    <Choices name={name} toName="{TEXT_NAME}" perRegion="true">')
            lines += [f"      <Choice value={quoteattr(choice)}/>" for choice in choices]
            lines.append("    </Choices>")
        lines.append("  </View>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """A tasks JSON list; each task's first annotation (else its first prediction) is imported."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: not valid JSON ({error.msg}).") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise InputError(f"{path}: expected a JSON list of Label Studio tasks.")
    kinds = attribute_types(options.schema)
    for number, task in enumerate(tasks, start=1):
        where = f"{path}: task {number}"
        data = object_field(task, "data") if isinstance(task, dict) else {}
        text = data.get("text")
        if not isinstance(text, str):
            raise InputError(f"{where}: has no data.text. Export the project's tasks with their text.")
        chosen = (list_field(task, "annotations", where) or list_field(task, "predictions", where) or [{}])[0]
        if not isinstance(chosen, dict) or not isinstance(chosen.get("result") or [], list):
            raise InputError(f"{where}: its first annotation is not an object with a 'result' list.")
        declared: OffsetUnit | None = data["offsets"] if data.get("offsets") in OFFSET_UNITS else options.offsets
        spans, relations = _read_result(chosen.get("result") or [], text, declared, kinds, where)
        meta = {"id": data.get("record_id"), "article_id": data.get("article_id"), "char_offset": data.get("char_offset"),
                "paragraphs": data.get("paragraphs")}
        yield from imported_document(meta, f"{path.stem}-{task.get('id', number)}", text, str(path), spans,
                                     relations, where)


def _read_result(result: list[dict[str, Any]], text: str, declared: OffsetUnit | None, kinds: dict[tuple[str, str], str],
                 where: str) -> tuple[list[ImportedSpan], list[tuple[str, str, str]]]:
    to_index = codepoint_offsets(text)
    spans: dict[str, ImportedSpan] = {}
    relations: list[tuple[str, str, str]] = []
    for item in result:
        if not isinstance(item, dict):
            raise InputError(f"{where}: a result is not an object.")
        kind = item.get("type")
        if kind == "relation":
            labels = item.get("labels")
            # Label Studio allows a relation without a label; ours always have one.
            label = labels[0] if isinstance(labels, list) and labels else "related"
            relations.append((str(label), str(item.get("from_id")), str(item.get("to_id"))))
            continue
        value = item.get("value") or {}
        region = str(item.get("id"))
        if not isinstance(value, dict):
            raise InputError(f"{where}: a result's 'value' is not an object.")
        if kind == "labels":
            labels = value.get("labels")
            if not isinstance(labels, list) or not labels:
                raise InputError(f"{where}: a labels result has no 'labels' list.")
            start, end = _offsets(value, text, to_index, declared, where)
            score = item.get("score")  # a prediction's per-region confidence
            spans[region] = ImportedSpan(start, end, str(value["labels"][0]), key=region,
                                         score=float(score) if isinstance(score, (int, float)) and
                                         not isinstance(score, bool) else None)
        elif region in spans and kind in ("choices", "number", "textarea"):
            span = spans[region]
            attribute = str(item.get("from_name", "")).removeprefix(f"{span.label}_")
            if kind == "number":
                number = value.get("number")
                if isinstance(number, bool) or not isinstance(number, int):
                    raise InputError(f"{where}: {attribute} of region {region} must be a whole number, not {number!r}.")
                span.attributes[attribute] = number
                continue
            texts = value.get("text" if kind == "textarea" else "choices")
            if not isinstance(texts, list) or not texts or not isinstance(texts[0], str):
                raise InputError(f"{where}: {attribute} of region {region} has no text or choice.")
            if kind == "textarea":
                span.attributes[attribute] = texts[0]
            else:
                choice = texts[0]
                if kinds.get((span.label, attribute)) == "boolean":
                    span.attributes[attribute] = choice == "true"
                else:
                    span.attributes[attribute] = choice
    return list(spans.values()), relations


def _offsets(value: dict[str, Any], text: str, to_index: dict[int, int], declared: OffsetUnit | None, where: str) -> tuple[int, int]:
    start, end = value.get("start"), value.get("end")
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise InputError(f"{where}: a labels result has no integer start/end.")
    expected = value.get("text")
    as_codepoints = (start, end) if 0 <= start < end <= len(text) else None
    as_utf16 = (to_index[start], to_index[end]) if start in to_index and end in to_index else None
    if declared == "utf16":
        chosen = as_utf16
    elif declared == "codepoints":
        chosen = as_codepoints
    elif (expected is not None and as_codepoints is not None and text[as_codepoints[0]:as_codepoints[1]] != expected
          and as_utf16 is not None and text[as_utf16[0]:as_utf16[1]] == expected):
        chosen = as_utf16  # written by a Label Studio that counted UTF-16 units
    else:
        chosen = as_codepoints
    if chosen is None:
        raise InputError(f"{where}: span [{start}, {end}) is outside the text ({len(text)} characters).")
    return chosen


FORMAT = Format(name="label-studio", suffix=".label-studio.json", export=export, read=read)
