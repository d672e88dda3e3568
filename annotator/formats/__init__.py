"""The export and import formats: one module per format, each declaring its `Format` as `FORMAT`.

The registry (`get`, `names`, `importable`) is all the commands use; it imports the format
modules when first asked. They are light: a library a format needs (spaCy; jsonlines, xml) is
imported inside the function that uses it, so `annotator --help`, which lists the formats,
loads none of those.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from annotator.core.errors import InputError

if TYPE_CHECKING:
    from annotator.formats.documents import Document, Level
    from annotator.formats.export import ExportOptions
    from annotator.formats.imported import Imported, ImportOptions

#: the format modules of this package, in the order the command line lists their formats
MODULES = ("jsonl", "spacy", "conll", "hf", "brat", "doccano", "label_studio")


@dataclass(frozen=True, slots=True)
class Extra:
    """An optional library a format needs, and the pip extra that installs it."""

    module: str  # what to import: "spacy"
    title: str  # as its authors write it, for messages: "spaCy"
    extra: str  # pip install 'annotator[EXTRA]'

    def load(self, needed_by: str) -> ModuleType:
        """The library, or an InputError saying how to install it (`needed_by`: the format's name)."""
        try:
            return importlib.import_module(self.module)
        except ImportError:
            raise InputError(f"the {needed_by} format needs {self.title}. "
                             f"Install it with: pip install 'annotator[{self.extra}]'.") from None


@dataclass(frozen=True, slots=True)
class Format:
    """Everything the export and import commands need to know about one format."""

    name: str  # on the command line
    suffix: str  # the default output, beside the store: STORE + suffix
    export: Callable[[Iterable[Document], Path, ExportOptions], None]
    read: Callable[[Path, ImportOptions], Iterator[Imported]] | None = None  # None: not importable
    #: a folder format writes a folder holding only files matching these; a file format: ()
    folder_holds: tuple[str, ...] = ()
    level: Level = "paragraph"  # the default --level
    needs: Extra | None = None  # an optional library the export cannot do without
    #: a file format that also writes a file beside its output (Label Studio's config): where, given the output
    companion: Callable[[Path], Path] | None = None

    @property
    def writes_folder(self) -> bool:
        return bool(self.folder_holds)

    def check_installed(self) -> None:
        """InputError, before any work, when the library this format needs is not installed."""
        if self.needs is not None:
            self.needs.load(needed_by=self.name)


@cache
def _registry() -> dict[str, Format]:
    entries: list[Format] = [importlib.import_module(f"{__name__}.{module}").FORMAT for module in MODULES]
    return {entry.name: entry for entry in entries}


def get(name: str) -> Format:
    """The format called `name` on the command line."""
    try:
        return _registry()[name]
    except KeyError:
        raise InputError(f"{name!r} is not a format; choose one of {', '.join(names())}.") from None


def names() -> list[str]:
    """Every format, for `export --format`."""
    return list(_registry())


def importable() -> list[str]:
    """The formats `annotator import` reads."""
    return [name for name, entry in _registry().items() if entry.read is not None]
