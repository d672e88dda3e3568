"""Named pipes, devices and folders where a file is read: refused by name, exit 2, never a hang.

Each command runs in its own process with a timeout (the harness's guard only: a reader that
opened a named pipe would wait for a writer for ever).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import make_store

GUARD_SECONDS = 120  # far more than any of these takes; only a hang reaches it


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "annotator", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=GUARD_SECONDS, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text("Strikes hit Homs.\n", encoding="utf-8")
    make_store(tmp_path / "good.jsonl")
    os.mkfifo(tmp_path / "pipe.jsonl")
    os.mkfifo(tmp_path / "pipe.yaml")
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    (tmp_path / "folder.jsonl").mkdir()
    return tmp_path


CASES = {
    "a pipe as a source": (["annotate", "pipe.jsonl", "--out", "s.jsonl", "--annotator", "t"], "pipe.jsonl: is a named pipe"),
    "a device as a source": (["annotate", "zero.jsonl", "--out", "s.jsonl", "--annotator", "t"], "zero.jsonl: is a device"),
    "a pipe as the store": (["annotate", "a.txt", "--out", "pipe.jsonl", "--annotator", "t"], "pipe.jsonl: is a named pipe"),
    "a device as the store": (["annotate", "a.txt", "--out", "zero.jsonl", "--annotator", "t"], "zero.jsonl: is a device"),
    "a folder as the store": (["annotate", "a.txt", "--out", "folder.jsonl", "--annotator", "t"], "folder.jsonl: is a folder"),
    "a pipe as the schema": (["annotate", "a.txt", "--schema", "pipe.yaml", "--annotator", "t"], "pipe.yaml:1:1: is a named pipe"),
    "stats of a pipe": (["stats", "pipe.jsonl"], "pipe.jsonl: is a named pipe"),
    "agree with a device": (["agree", "zero.jsonl", "good.jsonl"], "zero.jsonl: is a device"),
    "merge of a pipe": (["merge", "pipe.jsonl", "good.jsonl", "--out", "m.jsonl"], "pipe.jsonl: is a named pipe"),
    "review of a pipe": (["review", "pipe.jsonl", "good.jsonl", "--out", "gold.jsonl"], "pipe.jsonl: is a named pipe"),
    "export of a pipe": (["export", "pipe.jsonl", "--format", "jsonl", "--out", "e.jsonl"], "pipe.jsonl: is a named pipe"),
    "export onto a pipe": (["export", "good.jsonl", "--format", "jsonl", "--out", "pipe.json"], "pipe.json: is a named pipe"),
    "suggest from a pipe": (["suggest", "a.txt", "--from-store", "pipe.jsonl", "--out", "s.jsonl", "--annotator", "t"],
                            "pipe.jsonl: is a named pipe"),
    "patterns in a pipe": (["suggest", "a.txt", "--patterns", "pipe.jsonl", "--out", "s.jsonl", "--annotator", "t"],
                           "pipe.jsonl: is a named pipe"),
    "train on a pipe": (["train", "pipe.jsonl", "--out", "model"], "pipe.jsonl: is a named pipe"),
    "assign a pipe": (["assign", "pipe.jsonl", "--annotators", "a,b", "--out", "team"], "pipe.jsonl: is a named pipe"),
    "an assignment in a pipe": (["stats", "good.jsonl", "--assignment", "pipe.json"], "pipe.json: is a named pipe"),
    "import a pipe": (["import", "pipe.jsonl", "--format", "jsonl", "--out", "s.jsonl", "--annotator", "t"],
                      "pipe.jsonl: is a named pipe"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_pipe_device_or_folder_is_refused_by_name(case: str, folder: Path) -> None:
    argv, expected = CASES[case]
    if argv[0] in ("train", "suggest"):
        pytest.importorskip("spacy")
    done = run(*argv, cwd=folder)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not (folder / "s.jsonl").exists() and not (folder / "m.jsonl").exists()
