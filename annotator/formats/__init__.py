"""Exporters and importers, one module per format; each has `export(documents, out, options)`
and, where the format can be read back, `read(path, options)` yielding `Imported` paragraphs."""

from __future__ import annotations

import importlib
from types import ModuleType

#: format name on the command line -> module in this package
FORMATS: dict[str, str] = {
    "jsonl": "jsonl",
    "spacy": "spacy",
    "conll": "conll",
    "hf": "hf",
    "brat": "brat",
    "doccano": "doccano",
    "label-studio": "label_studio",
}
#: formats `annotator import` reads
IMPORT_FORMATS: tuple[str, ...] = ("jsonl", "conll", "brat", "doccano", "label-studio")
#: formats whose output is a folder rather than one file
FOLDER_FORMATS: frozenset[str] = frozenset({"hf", "brat"})
#: what a folder format writes; an existing --out folder holding anything else is not replaced
FOLDER_CONTENTS: dict[str, tuple[str, ...]] = {
    "hf": ("data.jsonl", "label_names.json", "README.md"),
    "brat": ("*.txt", "*.ann", "annotation.conf", "visual.conf"),
}
#: default output names, beside the store
DEFAULT_SUFFIX: dict[str, str] = {
    "jsonl": ".export.jsonl",
    "spacy": ".spacy",
    "conll": ".conll",
    "hf": "-hf",
    "brat": "-brat",
    "doccano": ".doccano.jsonl",
    "label-studio": ".label-studio.json",
}


def format_module(name: str) -> ModuleType:
    return importlib.import_module(f"annotator.formats.{FORMATS[name]}")
