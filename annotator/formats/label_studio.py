"""`label-studio`: a tasks JSON file plus the labeling config it needs beside it (`tasks.json` ->
`tasks.label_config.xml`).

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

from annotator.core.checked import checked_json
from annotator.core.errors import InputError
from annotator.core.files import write_atomically
from annotator.core.schema import Schema
from annotator.formats import Format
from annotator.formats.documents import Document, attribute_types, paragraph_list
from annotator.formats.export import ExportOptions
from annotator.formats.imported import Imported, ImportedSpan, ImportOptions
from annotator.formats.offsets import OFFSET_UNITS, OffsetUnit, codepoint_offsets, utf16_offsets
from annotator.formats.reading import imported_document, list_field, object_field, tool_meta

CONFIG_SUFFIX = ".label_config.xml"
LABELS_NAME = "label"
TEXT_NAME = "text"


def config_path(out: Path) -> Path:
    """The labeling config beside the tasks file, named after it (`tasks.json` -> `tasks.label_config.xml`),
    so two exports in one folder keep each its own."""
    return out.with_name(out.name.removesuffix(".json") + CONFIG_SUFFIX)


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


#: the keys of `data` our own export writes besides the text
OUR_DATA = ("text", "record_id", "article_id", "char_offset", "offsets", "paragraphs")


def read(path: Path, options: ImportOptions) -> Iterator[Imported]:
    """A tasks JSON list (Label Studio's JSON export, 0.x `completions` too, or JSON-MIN).

    Cancelled annotations are skipped and counted. Each other annotation becomes a record with
    its annotator's name (`options.annotations`: all, or only the first or latest of a task); a
    task without one gives its latest prediction, as model suggestions with their scores.
    """
    try:
        tasks = checked_json(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: not valid JSON ({error.msg}).") from None
    except ValueError as error:
        raise InputError(f"{path}: not valid JSON ({error}).") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise InputError(f"{path}: expected a JSON list of Label Studio tasks.")
    kinds = attribute_types(options.schema)
    for number, task in enumerate(tasks, start=1):
        if not isinstance(task, dict):
            raise InputError(f"{path}: task {number} is not an object.")
        task_id = task.get("id", number)
        where = f"{path}: task {task_id}"
        data = object_field(task, "data", where) if "data" in task else task  # JSON-MIN puts the data at the top
        text = _text_of(data, where)
        declared: OffsetUnit | None = data["offsets"] if data.get("offsets") in OFFSET_UNITS else options.offsets
        meta = {"id": data.get("record_id"), "article_id": data.get("article_id"), "char_offset": data.get("char_offset"),
                "paragraphs": data.get("paragraphs")}
        for chosen, details in _chosen(task, data, where, options):
            chosen_where = f"{where}, {details.pop('what')}"
            spans, relations = _read_result(chosen, text, declared, kinds, chosen_where, options.notes)
            yield from imported_document(meta, f"{path.stem}-{task_id}", text, str(path), spans, relations,
                                         chosen_where, options.notes, details)


def _text_of(data: dict[str, Any], where: str) -> str:
    """`data.text`, or the one text field of a task whose config names it otherwise (`$sentence`)."""
    text = data.get("text")
    if isinstance(text, str):
        return text
    texts = [value for key, value in data.items() if isinstance(value, str) and key not in OUR_DATA]
    if len(texts) == 1:
        return texts[0]
    raise InputError(f"{where}: has no data.text. Export the project's tasks with their text.")


def _chosen(task: dict[str, Any], data: dict[str, Any], where: str,
            options: ImportOptions) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """(result list, `Imported` details) for each annotation to import: who, which, the task's ids."""
    source_meta = {**object_field(task, "meta", where), **tool_meta(data, OUR_DATA)} if "data" in task else {}
    base: dict[str, Any] = {"source_id": task.get("id")} | ({"source_meta": source_meta} if source_meta else {})
    if "data" not in task:  # JSON-MIN: one annotation, its regions under the control's name
        regions = [{"id": f"r{n}", "type": "labels", "value": region}
                   for key, value in task.items() if isinstance(value, list)
                   for n, region in enumerate(value, start=1) if isinstance(region, dict) and "labels" in region]
        annotator = task.get("annotator")
        yield regions, {"what": "its regions", "annotator": str(annotator) if annotator else None,
                        "meta": {**base, "annotation_id": task.get("annotation_id")}}
        return
    key = "annotations" if "annotations" in task else "completions"  # completions: Label Studio 0.x
    annotations = list_field(task, key, where)
    if not all(isinstance(a, dict) and isinstance(a.get("result") or [], list) for a in annotations):
        raise InputError(f"{where}: each of its {key} must be an object with a 'result' list.")
    cancelled = [a for a in annotations if a.get("was_cancelled")]
    kept = [a for a in annotations if not a.get("was_cancelled")]
    if cancelled:
        options.notes.append(f"{where}: {len(cancelled)} cancelled annotation(s) skipped "
                             f"(id {', '.join(str(a.get('id', '?')) for a in cancelled)}).")
    if kept and options.annotations != "all" and len(kept) > 1:
        chosen = kept[0] if options.annotations == "first" else max(
            enumerate(kept), key=lambda pair: (str(pair[1].get("updated_at") or pair[1].get("created_at") or ""), pair[0]))[1]
        options.notes.append(f"{where}: {len(kept) - 1} other annotation(s) not imported (--annotations "
                             f"{options.annotations}).")
        kept = [chosen]
    predictions = list_field(task, "predictions", where)
    if kept:
        if predictions:
            options.notes.append(f"{where}: {len(predictions)} prediction(s) not imported: the task has annotations.")
        for annotation in kept:
            yield annotation.get("result") or [], {
                "what": f"annotation {annotation.get('id', '?')}", "annotator": _annotator(annotation),
                "meta": {**base, "annotation_id": annotation.get("id")}}
        return
    if predictions:
        prediction = predictions[-1]
        if not isinstance(prediction, dict) or not isinstance(prediction.get("result") or [], list):
            raise InputError(f"{where}: its prediction is not an object with a 'result' list.")
        if len(predictions) > 1:
            options.notes.append(f"{where}: {len(predictions) - 1} earlier prediction(s) not imported; the latest is.")
        model = prediction.get("model_version")
        yield prediction.get("result") or [], {"what": "its prediction", "meta": {**base, **(
            {"model_version": model} if model else {})}}
        return
    yield [], {"what": "no annotation", "meta": base}


def _annotator(annotation: dict[str, Any]) -> str | None:
    """Who made an annotation: `completed_by`'s e-mail or name, `created_username`, or `user-<id>`."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        for key in ("email", "username"):
            if who.get(key):
                return str(who[key])
        who = who.get("id")
    named = annotation.get("created_username")
    if isinstance(named, str) and named.strip(" ,"):
        return named.split(",")[0].strip()
    return f"user-{who}" if isinstance(who, (int, str)) and who != "" else None


def _read_result(result: list[Any], text: str, declared: OffsetUnit | None, kinds: dict[tuple[str, str], str],
                 where: str, notes: list[str]) -> tuple[list[ImportedSpan], list[tuple[str, str, str]]]:
    """Spans (one per label of each region), their per-region attributes, and relations.

    Results this record cannot hold (choices about the whole text, other region types) are
    named in `notes`; a region's `value.text` that differs from the text at its offsets too
    (the offsets are kept).
    """
    to_index = codepoint_offsets(text)
    spans: dict[str, list[ImportedSpan]] = {}
    if not all(isinstance(item, dict) for item in result):
        raise InputError(f"{where}: a result is not an object.")
    for item in result:
        value = item.get("value") or {}
        if not isinstance(value, dict):
            raise InputError(f"{where}: a result's 'value' is not an object.")
        if item.get("type") != "labels":
            continue
        region = str(item.get("id"))
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels or not all(isinstance(label, str) for label in labels):
            raise InputError(f"{where}: region {region} has no 'labels' list.")
        start, end = _offsets(value, text, to_index, declared, where)
        expected = value.get("text")
        if isinstance(expected, str) and text[start:end] != expected:
            notes.append(f"{where}, region {region}: value.text {expected!r} differs from the text at [{start}, {end}) "
                         f"{text[start:end]!r}; the offsets are kept.")
        score = item.get("score")  # a prediction's per-region confidence
        region_spans = spans.setdefault(region, [])
        for label in labels:
            region_spans.append(ImportedSpan(start, end, label, key=region if not region_spans else f"{region}:{label}",
                                             score=float(score) if isinstance(score, (int, float)) and
                                             not isinstance(score, bool) else None))
    relations: list[tuple[str, str, str]] = []
    for item in result:
        kind = item.get("type")
        region = str(item.get("id"))
        if kind == "labels":
            continue
        if kind == "relation":
            labels = item.get("labels")
            # Label Studio allows a relation without a label; ours always have one.
            label = labels[0] if isinstance(labels, list) and labels else "related"
            relations.append((str(label), str(item.get("from_id")), str(item.get("to_id"))))
            if isinstance(labels, list) and len(labels) > 1:
                notes.append(f"{where}: relation {item.get('from_id')} -> {item.get('to_id')} has labels "
                             f"{', '.join(map(str, labels))}; a relation holds one, {label} is kept.")
            continue
        if region in spans and kind in ("choices", "number", "textarea"):
            for span in spans[region]:
                _attribute(item, kind, span, kinds, where, notes)
            continue
        name = item.get("from_name", "?")
        about = f"region {region}" if region in spans else "the whole text"
        notes.append(f"{where}: result {name} ({kind}) about {about} is not imported: records hold spans, their "
                     "attributes and relations.")
    return [span for region_spans in spans.values() for span in region_spans], relations


def _attribute(item: dict[str, Any], kind: str, span: ImportedSpan, kinds: dict[tuple[str, str], str], where: str,
               notes: list[str]) -> None:
    """One per-region control's value as an attribute of the region's span."""
    value = item.get("value") or {}
    region = item.get("id")
    attribute = str(item.get("from_name", "")).removeprefix(f"{span.label}_")
    if kind == "number":
        number = value.get("number")
        if isinstance(number, bool) or not isinstance(number, int):
            raise InputError(f"{where}: {attribute} of region {region} must be a whole number, not {number!r}.")
        span.attributes[attribute] = number
        return
    texts = value.get("text" if kind == "textarea" else "choices")
    if not isinstance(texts, list) or not texts or not isinstance(texts[0], str):
        raise InputError(f"{where}: {attribute} of region {region} has no text or choice.")
    if len(texts) > 1:
        notes.append(f"{where}, region {region}: {attribute} has {len(texts)} values ({', '.join(map(str, texts))}); "
                     f"an attribute holds one, {texts[0]!r} is kept.")
    if kind == "textarea":
        span.attributes[attribute] = texts[0]
    elif kinds.get((span.label, attribute)) == "boolean":
        span.attributes[attribute] = texts[0] == "true"
    else:
        span.attributes[attribute] = texts[0]


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


FORMAT = Format(name="label-studio", suffix=".label-studio.json", export=export, read=read, companion=config_path)
