"""The format registry: one entry per format, declared by its module, and light to list."""

from __future__ import annotations

import importlib
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store, run

from annotator import formats
from annotator.core.errors import InputError
from annotator.formats.reading import json_lines


def test_the_registry_lists_every_format_in_command_line_order() -> None:
    assert formats.names() == ["jsonl", "spacy", "conll", "hf", "brat", "doccano", "label-studio"]
    assert formats.importable() == ["jsonl", "conll", "brat", "doccano", "label-studio"]


def test_each_module_declares_its_own_entry() -> None:
    for module_name in formats.MODULES:
        module = importlib.import_module(f"annotator.formats.{module_name}")
        entry = module.FORMAT
        assert formats.get(entry.name) is entry
        assert entry.export is module.export
        assert entry.read is getattr(module, "read", None)


def test_entries_say_what_the_commands_need() -> None:
    assert formats.get("jsonl").suffix == ".export.jsonl" and not formats.get("jsonl").writes_folder
    assert formats.get("hf").writes_folder and formats.get("hf").folder_holds == ("data.jsonl", "label_names.json", "README.md")
    assert formats.get("brat").level == "article" and formats.get("conll").level == "paragraph"
    assert formats.get("spacy").needs is not None and formats.get("hf").needs is None


def test_an_unknown_name_is_a_plain_error() -> None:
    with pytest.raises(InputError, match="'csv' is not a format; choose one of jsonl, spacy"):
        formats.get("csv")


def test_a_missing_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(InputError, match=r"the spacy format needs spaCy\. Install it with: pip install 'annotator\[spacy\]'"):
        formats.get("spacy").check_installed()
    formats.get("jsonl").check_installed()  # needs nothing


@pytest.mark.parametrize("format_name", ["hf", "brat"])
def test_a_folder_export_writes_only_what_its_entry_declares(tmp_path: Path, format_name: str) -> None:
    """An existing folder is replaced only when it holds `folder_holds`: an export must match it."""
    store = make_store(tmp_path / "store.jsonl")
    out = tmp_path / "out"
    run("export", store, "--format", format_name, "--out", out)
    patterns = formats.get(format_name).folder_holds
    written = sorted(path.name for path in out.iterdir())
    assert written and all(any(fnmatch(name, pattern) for pattern in patterns) for name in written)


def test_listing_the_formats_loads_no_heavy_library() -> None:
    """`annotator --help` (and every command, which builds the same parser) stays fast."""
    code = ("import sys\nfrom annotator.cli import build_parser\nbuild_parser().format_help()\n"
            "print(sorted(m for m in ('spacy', 'datasets', 'jsonlines', 'xml.sax') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_json_lines_number_every_line_skip_blanks_and_byte_order_marks(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('\ufeff{"text": "a"}\n\n   \n{"text": "b"}\r\n', encoding="utf-8")
    assert [(number, where, data["text"]) for number, where, data in json_lines(source)] == [
        (1, f"{source}:1", "a"), (4, f"{source}:4", "b")]


@pytest.mark.parametrize(("content", "message"), [
    ('{"text": "a"}\n\n{"text": \n', ":3: not valid JSON (Expecting value). Fix the line or remove it."),
    ('{"text": "a"}\nnull\n', ":2: each line must be an object with a string 'text'."),
    ('[1, 2]\n', ":1: each line must be an object with a string 'text'."),
    ('{"text": 3}\n', ":1: each line must be an object with a string 'text'."),
])
def test_json_lines_name_the_line_of_a_bad_one(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        list(json_lines(source))
    assert str(error.value) == f"{source}{message}"
