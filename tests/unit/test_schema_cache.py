"""The schema cache: a schema read without problems comes back exactly, without YAML, until anything
that decided it changes; a stale, damaged or foreign entry is never used; an unwritable cache is no error."""

from __future__ import annotations

import os
import pickle
import string
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core import schema_cache
from annotator.core.keys import canonical_key, screen_bindings
from annotator.core.schema import Schema, SchemaError, default_schema_path, load_schema, validate_schema
from annotator.core.schema_cache import cache_entry

SCHEMA = """\
name: cached
version: "2.0"
labels:
  - name: CASUALTY
    key: "1"
    color: okabe_orange
    renamed_from: [VICTIM]
    attributes:
      - {name: count, type: integer, min: 0, default: 12345678901234567890}
      - {name: confirmed, type: boolean, default: true}
      - {name: note, type: text, default: "2024-01-01"}
      - {name: status, type: choice, values: [killed, injured], default: "injured"}
  - name: PLACE
    key: "2"
    color: "#56b4e9"
relations:
  - {name: at, key: a, from: [CASUALTY], to: [PLACE]}
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def entry_file(path: Path) -> Path:
    entry = cache_entry(path, {})
    assert entry is not None
    return entry.file


def test_a_schema_comes_back_from_the_cache_exactly_and_without_yaml(tmp_path: Path, own_cache: Path) -> None:
    path = write(tmp_path / "schema.yaml", SCHEMA)
    first = load_schema(path)
    assert entry_file(path).is_relative_to(own_cache / "annotator" / "schemas") and entry_file(path).exists()
    again = load_schema(path)
    assert again == first and again is not first
    assert dict(again.renames) == {"VICTIM": "CASUALTY"}
    defaults = [(spec.default, type(spec.default)) for spec in again.labels[0].attributes]
    assert defaults == [(12345678901234567890, int), (True, bool), ("2024-01-01", str), ("injured", str)]
    script = ("import sys\nfrom pathlib import Path\nfrom annotator.core.schema import load_schema\n"
              f"schema = load_schema(Path({str(path)!r}))\n"
              "print(schema.name, len(schema.labels), 'yaml' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "XDG_CACHE_HOME": str(own_cache)}).stdout.split()
    assert shown == ["cached", "2", "False"]


def test_a_change_of_the_bytes_is_seen_even_with_the_same_size_and_time(tmp_path: Path) -> None:
    path = write(tmp_path / "schema.yaml", SCHEMA)
    load_schema(path)
    status = path.stat()
    write(path, SCHEMA.replace("okabe_orange", "okabe_yellow"))  # as long
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns
    assert load_schema(path).labels[0].color == "#f0e442"


def test_problems_are_reported_exactly_as_without_a_cache_and_never_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "schema.yaml", SCHEMA)
    load_schema(path)
    kept = entry_file(path).read_bytes()
    write(path, SCHEMA.replace('key: "2"', 'key: "1"'))
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert str(caught.value) == "\n".join(str(problem) for problem in validate_schema(path))
    assert str(caught.value).startswith(f"{path}:14:10: label 'PLACE' and label 'CASUALTY' (line 5) both use key")
    assert entry_file(path).read_bytes() == kept  # the good schema's entry stays; it is not this file's


def test_the_users_keymap_is_part_of_what_decides(tmp_path: Path) -> None:
    taken = {canonical_key(key) for binding in screen_bindings("annotate") for key in binding.keys}
    free = next(letter for letter in string.ascii_lowercase if letter not in taken)
    path = write(tmp_path / "schema.yaml", SCHEMA.replace('key: "2"', f'key: "{free}"'))
    assert load_schema(path).labels[1].key == free  # kept for the default keys
    remapped = {screen_bindings("annotate")[0].binding_id: free}
    with pytest.raises(SchemaError, match=f"has key '{free}', reserved by the annotate screen"):
        load_schema(path, keymap=remapped)


def test_a_damaged_or_foreign_entry_is_never_used_and_is_written_again(tmp_path: Path) -> None:
    path = write(tmp_path / "schema.yaml", SCHEMA)
    expected = load_schema(path)
    file = entry_file(path)
    good = file.read_bytes()
    head = len(good) - len(pickle.dumps(expected, protocol=pickle.HIGHEST_PROTOCOL)) - 32  # magic and key
    marker = write(tmp_path / "marker", "still here")

    class Removes:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.remove, (str(marker),)

    foreign = pickle.dumps(Removes())
    damaged = [b"", good[:-7], good[:-1] + bytes([good[-1] ^ 1]), b"x" * len(good),
               good[:head] + schema_cache._digest(foreign) + foreign]  # right key and digest, a payload not a schema
    for entry in damaged:
        file.write_bytes(entry)
        assert load_schema(path) == expected
        assert file.read_bytes() == good  # written again, as it was
    assert marker.read_text(encoding="utf-8") == "still here"


def test_an_entry_that_cannot_be_written_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = write(tmp_path / "not-a-folder", "a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert load_schema(default_schema_path()) == load_schema(default_schema_path())
    assert isinstance(load_schema(default_schema_path()), Schema)


def test_the_folder_follows_xdg_cache_home_or_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert schema_cache.cache_folder() == tmp_path / "xdg" / "annotator" / "schemas"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert schema_cache.cache_folder() == tmp_path / "home" / ".cache" / "annotator" / "schemas"
