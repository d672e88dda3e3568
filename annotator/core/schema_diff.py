"""What changed between two versions of a schema, and how much saved work each change touches.

`diff_schemas` lists every difference that matters to annotators or to saved data, labels
first, in schema order (docs/SCHEMA.md describes `annotator schema diff`). A label is the same
label in both versions when it has the same name, or when the new one lists the old name in
`renamed_from`. Given a `StoreTally` (one pass over a store's latest records, see
`tally_store`), each change also says what it touches: spans of a removed label, saved values
of a removed attribute or choice, relations a narrowed relation no longer allows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from annotator.core.schema import AttributeSpec, Label, RelationSpec, Schema
from annotator.core.store import read_store

Sign = Literal["+", "-", "~"]  # added, removed, changed
Touch = Callable[[int, str], str]  # (count, noun) -> what a change touches, "" without a store
ValueTest = Callable[[Any], bool]
RelationTest = Callable[[str, str], bool]  # (head label, child label), under the new names


def plural(count: int, noun: str) -> str:
    """`1 span`, `3 spans`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def value_text(value: Any) -> str:
    """A value as a schema writes it (`true`, not `True`)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def attribute_detail(spec: AttributeSpec) -> str:
    """What values an attribute takes, and its default: `official (o), expert (e); default other`."""
    default = "" if spec.default is None else f"; default {value_text(spec.default)}"
    if spec.type == "choice":
        return ", ".join(f"{c.value} ({c.key})" if c.key else c.value for c in spec.choices) + default
    if spec.type == "integer":
        if spec.minimum is None and spec.maximum is None:
            bounds = "any whole number"
        else:
            bounds = f"{'' if spec.minimum is None else spec.minimum}..{'' if spec.maximum is None else spec.maximum}"
        return bounds + default
    if spec.type == "boolean":
        return "true / false" + default
    return "free text" + default


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two schemas; `touches` says what saved work it affects ("" without a store)."""

    sign: Sign
    text: str
    touches: str = ""


@dataclass(slots=True)
class StoreTally:
    """What a store's latest records hold, counted in one pass so that a large store is never all in memory."""

    records: int = 0
    spans: Counter[str] = field(default_factory=Counter)  # label -> spans
    values: Counter[tuple[str, str, Any]] = field(default_factory=Counter)  # (label, attribute, value)
    relations: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (relation, head label, child label)

    def spans_of(self, names: Iterable[str]) -> int:
        return sum(self.spans[name] for name in set(names))

    def values_of(self, names: Iterable[str], attribute: str, keep: ValueTest | None = None) -> int:
        """Saved values of `attribute` on spans labelled any of `names`, filtered by `keep(value)`."""
        names = set(names)
        return sum(count for (label, name, value), count in self.values.items()
                   if label in names and name == attribute and (keep is None or keep(value)))


def tally_store(path: Path) -> StoreTally:
    """Count the spans, attribute values and relations of a store's latest records."""
    tally = StoreTally()
    for record in read_store(path).iter_latest():
        tally.records += 1
        for span in record.get("spans") or ():
            label = str(span.get("label"))
            tally.spans[label] += 1
            for name, value in (span.get("attributes") or {}).items():
                if value is not None:
                    tally.values[(label, name, value if isinstance(value, (str, int, float, bool)) else str(value))] += 1
        for relation in record.get("relations") or ():
            head = (relation.get("head_span") or {}).get("label", "")
            child = (relation.get("child_span") or {}).get("label", "")
            tally.relations[(str(relation.get("label")), str(head), str(child))] += 1
    return tally


def diff_schemas(old: Schema, new: Schema, tally: StoreTally | None = None) -> list[Change]:
    """Every difference that matters to annotators or saved data, labels first, in schema order."""
    changes: list[Change] = []

    def touch(count: int, what: str) -> str:
        return "" if tally is None else plural(count, what)

    pairs = _pair_labels(old, new)
    renamed = {before.name: after.name for before, after in pairs}
    paired_old = {before.name for before, _ in pairs}
    paired_new = {after.name for _, after in pairs}
    for before in old.labels:
        if before.name not in paired_old:
            count = tally.spans_of([before.name]) if tally else 0
            changes.append(Change("-", f"label {before.name}", touch(count, "span") + (" kept, orphaned" if tally else "")))
    for before, after in pairs:
        names = {before.name, after.name, *after.renamed_from}
        if before.name != after.name:
            changes.append(Change("~", f"label {before.name} renamed to {after.name}",
                                  touch(tally.spans_of([before.name]) if tally else 0, "span")))
        for setting, was, now in (("key", before.key, after.key), ("colour", before.color, after.color),
                                  ("snap", before.snap, after.snap),
                                  ("may overlap", _overlaps_text(before, renamed), _overlaps_text(after, {}))):
            if was != now:
                changes.append(Change("~", f"label {after.name}: {setting} {was} -> {now}"))
        changes += _attribute_changes(after.name, before, after, names, tally, touch)
    for after in new.labels:
        if after.name not in paired_new:
            changes.append(Change("+", f"label {after.name} (key {after.key})"))
    changes += _relation_changes(old, new, pairs, tally, touch)
    return changes


def _pair_labels(old: Schema, new: Schema) -> list[tuple[Label, Label]]:
    """Old and new versions of the same label: same name, or the new one lists the old in renamed_from."""
    pairs: list[tuple[Label, Label]] = []
    for after in new.labels:
        before = old.label(after.name) or next(
            (label for label in old.labels if label.name in after.renamed_from and new.label(label.name) is None), None)
        if before is not None:
            pairs.append((before, after))
    return pairs


def _overlaps_text(label: Label, renamed: dict[str, str]) -> str:
    """The labels `label` may overlap, old names read as their new ones so a rename is no change."""
    if label.overlaps is None:
        return "any"
    return "[" + ", ".join(renamed.get(name, name) for name in label.overlaps) + "]"


def _attribute_changes(owner: str, before: Label, after: Label, names: set[str],
                       tally: StoreTally | None, touch: Touch) -> list[Change]:
    changes: list[Change] = []
    for spec in before.attributes:
        if after.attribute(spec.name) is None:
            count = tally.values_of(names, spec.name) if tally else 0
            changes.append(Change("-", f"attribute {owner}.{spec.name}", touch(count, "saved value")))
    for spec in after.attributes:
        was = before.attribute(spec.name)
        if was is None:
            detail = f"{spec.type}{', required' if spec.required else ''}"
            missing = (tally.spans_of(names) if tally and spec.required and spec.default is None else None)
            changes.append(Change("+", f"attribute {owner}.{spec.name} ({detail})",
                                  "" if missing is None else f"{plural(missing, 'span')} need a value"))
            continue
        if was.type != spec.type:
            count = tally.values_of(names, spec.name) if tally else 0
            changes.append(Change("~", f"attribute {owner}.{spec.name}: type {was.type} -> {spec.type}",
                                  touch(count, "saved value")))
            continue
        if was.key != spec.key:
            changes.append(Change("~", f"attribute {owner}.{spec.name}: key {was.key or '-'} -> {spec.key or '-'}"))
        if was.required != spec.required:
            changes.append(Change("~", f"attribute {owner}.{spec.name}: "
                                       f"{'now required' if spec.required else 'no longer required'}"))
        if was.default != spec.default:
            changes.append(Change("~", f"attribute {owner}.{spec.name}: default {value_text(was.default)} -> "
                                       f"{value_text(spec.default)}"))
        if (was.minimum, was.maximum) != (spec.minimum, spec.maximum):
            count = tally.values_of(names, spec.name, _refused_by(spec)) if tally else 0
            changes.append(Change("~", f"attribute {owner}.{spec.name}: range {attribute_detail(_bare(was))} -> "
                                       f"{attribute_detail(_bare(spec))}",
                                  touch(count, "saved value") + (" now out of range" if tally else "")))
        old_values = [c.value for c in was.choices]
        new_values = [c.value for c in spec.choices]
        for value in old_values:
            if value not in new_values:
                count = tally.values_of(names, spec.name, _written_as(value)) if tally else 0
                changes.append(Change("-", f"value {owner}.{spec.name}={value}", touch(count, "saved value")))
        for value in new_values:
            if value not in old_values:
                changes.append(Change("+", f"value {owner}.{spec.name}={value}"))
    return changes


def _refused_by(spec: AttributeSpec) -> ValueTest:
    return lambda value: not spec.allows(value)


def _written_as(choice: str) -> ValueTest:
    return lambda value: str(value) == choice


def _end_outside(at_head: bool, allowed: Iterable[str]) -> RelationTest:
    """True for a relation whose head (or child) label is not one of `allowed`."""
    labels = frozenset(allowed)
    return lambda head, child: (head if at_head else child) not in labels


def _bare(spec: AttributeSpec) -> AttributeSpec:
    """The spec without its default, to describe its range alone."""
    return AttributeSpec(spec.name, spec.type, spec.choices, spec.minimum, spec.maximum)


def _relation_changes(old: Schema, new: Schema, pairs: list[tuple[Label, Label]],
                      tally: StoreTally | None, touch: Touch) -> list[Change]:
    renamed = {before.name: after.name for before, after in pairs}
    changes: list[Change] = []

    def saved(name: str, keep: RelationTest | None = None) -> int:
        if tally is None:
            return 0
        return sum(count for (label, head, child), count in tally.relations.items()
                   if label == name and (keep is None or keep(renamed.get(head, head), renamed.get(child, child))))

    for relation in old.relations:
        if new.relation(relation.name) is None:
            changes.append(Change("-", f"relation {relation.name}", touch(saved(relation.name), "saved relation")))
    for relation in new.relations:
        was = old.relation(relation.name)
        if was is None:
            changes.append(Change("+", f"relation {relation.name} ({_ends(relation)})"))
            continue
        for end, was_labels, now_labels in (("from", was.heads, relation.heads), ("to", was.children, relation.children)):
            was_labels = tuple(renamed.get(name, name) for name in was_labels)
            if set(was_labels) != set(now_labels):
                count = saved(relation.name, _end_outside(end == "from", now_labels))
                changes.append(Change("~", f"relation {relation.name}: {end} [{', '.join(was_labels)}] -> "
                                           f"[{', '.join(now_labels)}]",
                                      touch(count, "saved relation") + (" no longer allowed" if tally else "")))
        if was.key != relation.key:
            changes.append(Change("~", f"relation {relation.name}: key {was.key or '-'} -> {relation.key or '-'}"))
    return changes


def _ends(relation: RelationSpec) -> str:
    return f"[{', '.join(relation.heads)}] -> [{', '.join(relation.children)}]"
