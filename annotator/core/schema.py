"""The label schema (YAML), loaded and validated into frozen dataclasses.

Project leads write the schema by hand, so validation reports every problem at once, each as
`FILE:LINE:COLUMN: message`, rather than stopping at the first: the YAML is composed into a node
tree (which keeps positions) and walked, and nothing is built until the whole file is clean
(`annotator.core.schema_reading`). A schema read without problems is kept for the next start
(`annotator.core.schema_cache`), which then reads no YAML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError

AttributeType = Literal["choice", "integer", "boolean", "text"]

@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    key: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    name: str
    type: AttributeType
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False
    default: Any = None
    description: str = ""
    key: str = ""

    def allows(self, value: Any) -> bool:
        """Whether `value` is one this attribute can hold (a session checks edits with it)."""
        if self.type == "choice":
            return any(choice.value == value for choice in self.choices)
        if self.type == "integer":
            return (isinstance(value, int) and not isinstance(value, bool)
                    and (self.minimum is None or value >= self.minimum)
                    and (self.maximum is None or value <= self.maximum))
        if self.type == "boolean":
            return isinstance(value, bool)
        return isinstance(value, str)


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str
    color: str
    description: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    attributes: tuple[AttributeSpec, ...] = ()
    snap: Literal["token", "char"] = "token"
    overlaps: tuple[str, ...] | None = None  # labels it may overlap; None = any
    renamed_from: tuple[str, ...] = ()

    def attribute(self, name: str) -> AttributeSpec | None:
        return next((spec for spec in self.attributes if spec.name == name), None)

    def may_overlap(self, other: str) -> bool:
        return self.overlaps is None or other in self.overlaps


@dataclass(frozen=True, slots=True)
class RelationSpec:
    name: str
    heads: tuple[str, ...]  # `from` in the YAML: labels the relation may start at
    children: tuple[str, ...]  # `to` in the YAML: labels it may point to
    key: str = ""
    description: str = ""

    def connects(self, head_label: str, child_label: str) -> bool:
        return head_label in self.heads and child_label in self.children


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    version: str
    labels: tuple[Label, ...]
    relations: tuple[RelationSpec, ...] = ()
    description: str = ""
    path: str = ""
    # Old label name -> current name (every label's `renamed_from`), made once: readers of whole
    # stores look every span's label up in it.
    renames: Mapping[str, str] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        current = {label.name for label in self.labels}
        renames: dict[str, str] = {}
        for label in self.labels:
            for old in label.renamed_from:
                if old not in current:
                    renames.setdefault(old, label.name)
        object.__setattr__(self, "renames", MappingProxyType(renames))

    def __reduce__(self) -> tuple[type[Schema], tuple[Any, ...]]:
        """Pickled (`schema_cache`) by the fields given: `renames` is made again from the labels."""
        return type(self), (self.name, self.version, self.labels, self.relations, self.description, self.path)

    def label(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def relation(self, name: str) -> RelationSpec | None:
        return next((relation for relation in self.relations if relation.name == name), None)

    @property
    def ref(self) -> dict[str, str]:
        """What every record carries as `_schema`."""
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        """`FILE:LINE:COLUMN: message`, terminal-safe: the message may quote the file's own text."""
        return terminal_safe(f"{self.file}:{self.line}:{self.column}: {self.message}")


class SchemaError(InputError):
    """A schema that cannot be used; `problems` lists every one found, each with line and column."""

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def default_schema_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "schemas" / "news-conflict.yaml"


def load_schema(path: Path, *, keymap: Mapping[str, str] | None = None) -> Schema:
    """Load and validate a schema file; raise SchemaError listing every problem.

    `keymap` is the user's `[keys]` remapping: label keys are checked against the annotate
    screen's keys as it leaves them (None: the default keys).
    """
    from annotator.core.schema_cache import cache_entry

    path, keymap = Path(path), keymap or {}
    entry = cache_entry(path, keymap)
    if entry is not None:
        kept = entry.load()
        if kept is not None:
            return kept
    from annotator.core.schema_reading import read_schema  # here: PyYAML only when the file must be read

    schema, problems = read_schema(path, keymap, data=entry.data if entry is not None else None)
    if problems or schema is None:
        raise SchemaError(problems)
    if entry is not None:
        entry.keep(schema)
    return schema


def validate_schema(path: Path, *, keymap: Mapping[str, str] | None = None) -> list[SchemaProblem]:
    """Every problem in a schema file, in file order; empty when the schema is usable."""
    from annotator.core.schema_reading import read_schema

    return read_schema(Path(path), keymap or {})[1]


def migrate_span_label(schema: Schema, label: str) -> str | None:
    """The current name for a span's label, old or current; None when no label claims it.

    Callers keep a span whose label returns None (an orphan) exactly as saved: evolving a
    schema never drops annotators' work.
    """
    if schema.label(label) is not None:
        return label
    return schema.renames.get(label)


def migrate_record_labels(
    schema: Schema | None, record: dict[str, Any], counts: dict[tuple[str, str], int] | None = None,
) -> dict[str, Any]:
    """`record` with its spans (and its relations' ends) saved under a label's old name under the current one.

    The same dict when nothing is renamed (or no schema is given), else a new one: the record
    read is never changed. `counts` gets (old, new) -> spans renamed. Labels no schema entry
    claims stay as saved (see `migrate_span_label`). Every reader of saved spans that shows,
    compares or writes them calls this, so a renamed label is one label everywhere.
    """
    renames = schema.renames if schema is not None else None
    spans = record.get("spans")
    if not renames or not isinstance(spans, list) or not any(
            isinstance(span, dict) and span.get("label") in renames for span in spans):
        return record
    migrated = []
    for span in spans:
        label = span.get("label") if isinstance(span, dict) else None
        current = renames.get(label) if isinstance(label, str) else None
        if current is not None:
            if counts is not None:
                key = (str(label), current)
                counts[key] = counts.get(key, 0) + 1
            span = {**span, "label": current}
        migrated.append(span)
    result = {**record, "spans": migrated}
    relations = record.get("relations")
    if isinstance(relations, list):
        result["relations"] = [_relation_migrated(relation, renames) for relation in relations]
    return result


def _relation_migrated(relation: Any, renames: Mapping[str, str]) -> Any:
    """A relation with its `head_span`/`child_span` labels under their current names."""
    if not isinstance(relation, dict):
        return relation
    ends = {side: {**relation[side], "label": renames[relation[side]["label"]]}
            for side in ("head_span", "child_span")
            if isinstance(relation.get(side), dict) and relation[side].get("label") in renames}
    return {**relation, **ends} if ends else relation


