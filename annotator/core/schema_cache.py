"""A schema once read and checked, kept so that the next start need not read its YAML again.

`annotator annotate` loads its schema on every start, and PyYAML's import, the parse and the
checks cost some 20 ms of a first paint. A schema read without problems is kept in
`$XDG_CACHE_HOME/annotator/schemas/` (default `~/.cache/annotator/schemas/`), one file per
schema file, and used only when everything that decided it is the same: the schema file (the
path as given, its size, modification time and a hash of its bytes), the user's `[keys]`
remapping, the code that read and checked it (this tool's schema, key, display and file
modules, and PyYAML's files) and the Python version. An entry that is stale, unreadable or
not exactly what was written is ignored and written again; one that cannot be written is
not kept, and the start goes on. A schema with problems is never kept: it is read, and its
problems reported, at every start. Deleting the folder is always safe.

An entry is a pickle, read (once its hash is checked) by an unpickler that builds nothing but
the schema's dataclasses: their values are text, whole numbers, true/false and None (the
checks let no other value through, an attribute's default included), and anything else an
entry names is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import sys
from collections.abc import Mapping
from importlib.machinery import PathFinder
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.files import write_atomically
from annotator.core.schema import Schema

CACHE_FORMAT = 1  # raised when what an entry holds changes
_MAGIC = b"annotator-schema\n"
_DIGEST_BYTES = 32
# what reads and checks a schema, beside this module: a change to any of them is a different reader
_CODE = ("schema.py", "schema_reading.py", "keys.py", "display.py", "files.py", "schema_cache.py")
# what an entry may build: the schema's dataclasses (their values are text, whole numbers, true/false and None)
_BUILT = frozenset(("annotator.core.schema", name) for name in ("Schema", "Label", "AttributeSpec", "Choice",
                                                                "RelationSpec"))


def cache_folder() -> Path:
    """Where schemas are kept: `$XDG_CACHE_HOME/annotator/schemas` (default `~/.cache/annotator/schemas`)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "annotator" / "schemas"


class CacheEntry:
    """The cache's entry for one schema file as read now: `data` is what the reader must check."""

    def __init__(self, path: Path, data: bytes, key: bytes) -> None:
        self.path = path
        self.data = data
        self.key = key
        self.file = cache_folder() / f"{_digest(os.path.abspath(path).encode('utf-8', 'surrogateescape'))[:16].hex()}.pickle"

    def load(self) -> Schema | None:
        """The schema kept for exactly this file, keymap and code; None when there is none, or it is not right."""
        try:
            kept = self.file.read_bytes()
        except OSError:
            return None
        head = len(_MAGIC) + 2 * _DIGEST_BYTES
        payload = kept[head:]
        if (kept[:len(_MAGIC)] != _MAGIC or kept[len(_MAGIC):len(_MAGIC) + _DIGEST_BYTES] != self.key
                or kept[len(_MAGIC) + _DIGEST_BYTES:head] != _digest(payload)):
            return None
        try:
            schema = _SchemaUnpickler(io.BytesIO(payload)).load()
        except Exception:  # whatever a damaged entry raises (it may be any bytes), it is only not used
            return None
        return schema if isinstance(schema, Schema) else None

    def keep(self, schema: Schema) -> None:
        """Keep `schema` (read from `data` without problems) for the next start; nothing if it cannot be written."""
        try:
            payload = pickle.dumps(schema, protocol=pickle.HIGHEST_PROTOCOL)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.file, _MAGIC + self.key + _digest(payload) + payload)
        except (OSError, InputError, pickle.PicklingError, RecursionError):  # read-only, full, refused: not kept
            return


def cache_entry(path: Path, keymap: Mapping[str, str]) -> CacheEntry | None:
    """The cache's entry for the schema file at `path`, with its bytes read once; None when it is not a
    regular file that can be read (the reader then says what is wrong)."""
    try:  # a named pipe or a device given as the schema is left to the reader's refusal: never opened, or
        if not stat.S_ISREG(os.stat(path).st_mode):  # if it becomes one meanwhile, not waited on
            return None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with open(descriptor, "rb") as handle:
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                return None
            data = handle.read()
        except OSError:
            return None
    key = _digest(repr((CACHE_FORMAT, sys.version, str(path), status.st_size, status.st_mtime_ns, _digest(data),
                        sorted(keymap.items()), _code_stamps())).encode("utf-8", "surrogateescape"))
    return CacheEntry(path, data, key)


def _code_stamps() -> list[tuple[str, int, int]]:
    """(file, size, modification time) of the code that reads and checks a schema, PyYAML's included."""
    here = Path(__file__).parent
    files = [here / name for name in _CODE]
    yaml = PathFinder.find_spec("yaml")  # found, not imported: that is what the cache saves
    if yaml is not None and yaml.submodule_search_locations:
        files += sorted(Path(folder, name) for folder in yaml.submodule_search_locations
                        for name in os.listdir(folder) if name.endswith((".py", ".so")))
    stamps = []
    for file in files:
        try:
            status = os.stat(file)
        except OSError:
            continue
        stamps.append((str(file), status.st_size, status.st_mtime_ns))
    return stamps


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST_BYTES).digest()


class _SchemaUnpickler(pickle.Unpickler):
    """Builds only the schema's own classes: an entry cannot name anything else (a function to call, a module)."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in _BUILT:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a schema")
        found: type = super().find_class(module, name)
        return found
