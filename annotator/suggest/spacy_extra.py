"""spaCy, imported only when a command needs it, with the fix when it is not installed."""

from __future__ import annotations

import importlib
from types import ModuleType

from annotator.core.errors import InputError

INSTALL = "pip install 'annotator[spacy]'"


def load_spacy(needed_by: str) -> ModuleType:
    """The spaCy module, or an InputError saying how to install it (`needed_by`: the command)."""
    try:
        return importlib.import_module("spacy")
    except ImportError:
        raise InputError(f"{needed_by} needs spaCy, which is not installed. Install it with: {INSTALL}") from None
