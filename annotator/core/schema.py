"""The label schema (YAML), loaded and validated into frozen dataclasses.

INTERFACE DRAFT: the types and signatures below are what the rest of the code relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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


@dataclass(frozen=True, slots=True)
class RelationSpec:
    name: str
    heads: tuple[str, ...]
    children: tuple[str, ...]
    key: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    version: str
    labels: tuple[Label, ...]
    relations: tuple[RelationSpec, ...] = ()
    description: str = ""
    path: str = ""

    def label(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def label_for_key(self, key: str) -> Label | None:
        return next((label for label in self.labels if label.key == key), None)

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
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class SchemaError(InputError):
    """A schema that cannot be used; `problems` lists every one found, each with line and column."""

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def default_schema_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "schemas" / "news-conflict.yaml"


def load_schema(path: Path) -> Schema:
    """Load and validate a schema file; raise SchemaError listing every problem."""
    raise NotImplementedError
