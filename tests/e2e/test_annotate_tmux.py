"""The installed `annotator` command in a real terminal (tmux): tag a span, accept, quit, read the store.

Skipped when tmux or the installed command is missing. The screen is read with
`capture-pane`, so this also checks what a user actually sees. The tests run their own tmux
server (`-L`): a server already running would start the command with its own environment,
not the test's (the config folder, TERM), and other users' sessions stay out of the way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
# On PATH, or installed next to the interpreter running the tests (a venv not activated).
ANNOTATOR = shutil.which("annotator") or shutil.which("annotator", path=str(Path(sys.executable).parent))

SOCKET = f"annotator-e2e-{os.getpid()}"  # this run's own tmux server

pytestmark = pytest.mark.skipif(TMUX is None or ANNOTATOR is None, reason="needs tmux and the installed annotator")


def tmux(*args: str) -> str:
    return subprocess.run([TMUX, "-L", SOCKET, *args], check=True, capture_output=True, text=True).stdout  # type: ignore[list-item]


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


def settle(session: str, quiet: float = 1.0, timeout: float = 20) -> None:
    """Wait until the screen has not changed for `quiet` seconds: the first frame and what follows it are drawn."""
    deadline = time.monotonic() + timeout
    shown, since = "", time.monotonic()
    while time.monotonic() < deadline:
        now = tmux("capture-pane", "-p", "-e", "-t", session)
        if now != shown:
            shown, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError(f"the screen never settled:\n{screen(session)}")


def press(session: str, key: str, timeout: float = 20) -> None:
    """Send one key and wait until the screen (colours included) changes, so that no key is sent
    while the app is still busy with the one before (under load, keys sent at once were lost)."""
    before = tmux("capture-pane", "-p", "-e", "-t", session)
    tmux("send-keys", "-t", session, key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tmux("capture-pane", "-p", "-e", "-t", session) != before:
            return
        time.sleep(0.05)
    raise AssertionError(f"the screen did not change after {key!r}:\n{screen(session)}")


@pytest.fixture
def terminal(tmp_path: Path):
    name = f"annotator-e2e-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run([TMUX, "-L", SOCKET, "kill-session", "-t", name], capture_output=True)  # type: ignore[list-item]


def start_annotate(tmp_path: Path, terminal: str) -> Path:
    """Start the installed `annotator annotate` on a two-paragraph article in a 120x40 tmux pane; its store."""
    article = tmp_path / "strikes.txt"
    article.write_text("US bombers struck sites in Deir el-Zour on Friday.\n\nNobody was hurt.\n", encoding="utf-8")
    store = tmp_path / "out.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color"}
    command = f"{ANNOTATOR} annotate {article} --out {store} --annotator e2e; echo EXITED $?; sleep 60"
    subprocess.run([TMUX, "-L", SOCKET, "new-session", "-d", "-s", terminal, "-x", "120", "-y", "40", command],  # type: ignore[list-item]
                   check=True, env=env)
    return store


def latest_records(store: Path) -> dict[str, dict]:
    """The store's latest record per paragraph id, read as any JSONL reader would."""
    records = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {record["id"]: record for record in records}


def test_tag_accept_and_quit_in_a_real_terminal(tmp_path: Path, terminal: str) -> None:
    store = start_annotate(tmp_path, terminal)
    wait_for(terminal, "paragraph 1 of 2")
    settle(terminal)
    for _ in range(5):  # US bombers struck sites in -> Deir
        press(terminal, "Right")
    press(terminal, "e")
    tmux("send-keys", "-t", terminal, "2")
    shown = wait_for(terminal, "saved ✓")
    assert "[LOCATION]" in shown
    tmux("send-keys", "-t", terminal, "Enter")
    wait_for(terminal, "paragraph 2 of 2")
    tmux("send-keys", "-t", terminal, "q")
    wait_for(terminal, "EXITED 0")
    first = latest_records(store)["strikes#0"]
    assert first["answer"] == "accept"
    assert [(s["label"], s["text"]) for s in first["spans"]] == [("LOCATION", "Deir el-Zour")]
    assert first["text"][first["spans"][0]["start"]:first["spans"][0]["end"]] == "Deir el-Zour"
    assert first["_annotator_id"] == "e2e"


def test_keys_typed_while_the_screen_opens_act_in_the_order_typed(tmp_path: Path, terminal: str) -> None:
    """The earliest moment: the keys are typed at once as the command starts, before its first frame.

    They wait in the terminal and reach the app in one burst; a label key used to overtake the
    moves before it (the span landed on the word where the cursor started)."""
    store = start_annotate(tmp_path, terminal)
    for _ in range(5):  # US bombers struck sites in -> Deir
        tmux("send-keys", "-t", terminal, "Right")
    tmux("send-keys", "-t", terminal, "e")
    tmux("send-keys", "-t", terminal, "2")
    shown = wait_for(terminal, "saved ✓")
    assert "[LOCATION]" in shown
    tmux("send-keys", "-t", terminal, "q")
    wait_for(terminal, "EXITED 0")
    spans = latest_records(store)["strikes#0"]["spans"]
    assert [(span["label"], span["text"]) for span in spans] == [("LOCATION", "Deir el-Zour")]
