"""The store under a hostile user: writers killed with SIGKILL mid-write, round after round, and a disk that
fills up mid-session. After each, every command reads the store and every change acknowledged is in it.

The writer is a real Session in its own process, acknowledging on stdout each change once the call
returned (that is, once it was fsynced), the way the screen says "saved ✓". The commands are the
installed `annotator` (skipped when it is missing). The full disk is a small tmpfs mounted in a
mount namespace of its own (`unshare -rm`, or a plain mount as root): skipped where neither works.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from annotator.core.store import Store, read_store

ANNOTATOR = shutil.which("annotator") or shutil.which("annotator", path=str(Path(sys.executable).parent))
TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(ANNOTATOR is None, reason="needs the installed annotator")

ARTICLE = (
    "US officials said three American service members were killed in Jordan.\n\n"
    "In Iraq, the Popular Mobilization Forces reported 16 deaths near Mosul.\n\n"
    "Iran denied any involvement, a spokesman in Tehran said on Monday.\n"
)
ROUNDS = 24
LONG_PARAGRAPH = " ".join(f"Town{n} was shelled." for n in range(80)) + "\n"

WRITER = textwrap.dedent(
    """
    import json, random, sys
    from annotator.core.corpus import Corpus
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.session import EditRefused, Position, Session
    from annotator.core.store import Store

    source, store_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    session = Session(Corpus([source]), load_schema(default_schema_path()), Store(store_path), "alice")
    labels = ["ACTOR", "LOCATION", "CASUALTY"]
    while True:
        words = [token.id for token in session.tokens if not token.text.isspace()]
        roll = rng.random()
        try:
            if roll < 0.6:
                first = rng.choice(words)
                session.tag_tokens(first, min(first + rng.randrange(2), words[-1]), rng.choice(labels))
            elif roll < 0.7 and session.annotation.spans:
                session.remove(rng.choice(session.annotation.spans).id)
            elif roll < 0.8:
                session.undo()
            elif roll < 0.9:
                session.decide(rng.choice(["accept", "reject"]))
            else:
                session.next_paragraph() or session.open(Position(0, 0))
                continue
        except EditRefused:
            continue
        contents = session.store.contents
        line = contents.latest_line.get(session.paragraph.id)
        if line is not None:  # saved: fsynced before the call returned
            spans = sorted([span.start, span.end, span.label] for span in session.annotation.spans)
            print(json.dumps({"seq": contents.line(line).seq, "id": session.paragraph.id, "spans": spans,
                              "answer": session.annotation.answer}), flush=True)
    """
)


def run_annotator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ANNOTATOR, *args], capture_output=True, text=True, cwd=cwd, timeout=120)  # type: ignore[list-item]


def every_command_reads(store: Path, out: Path) -> str:
    """stats, export, agree and merge on `store`, as the installed command: each exits 0 (agree: or says that
    nothing is decided yet). What they said on stderr."""
    out.mkdir(exist_ok=True)
    said = []
    for args in (["stats", str(store)],
                 ["export", str(store), "--format", "jsonl", "--include", "unfinished,rejected", "--out",
                  str(out / "export.jsonl"), "--quiet"],
                 ["agree", str(store), str(store), "--by-store"],
                 ["merge", str(store), "--out", str(out / f"merged-{len(list(out.iterdir()))}.jsonl")]):
        done = run_annotator(*args, cwd=out)
        undecided = args[0] == "agree" and "needs two annotators with decided paragraphs" in done.stderr  # read, no figures
        assert (done.returncode == 0 or undecided) and "Traceback" not in done.stderr, (args, done.stderr)
        said.append(done.stderr)
    return "".join(said)


def acknowledged_changes_are_in(store: Path, acknowledged: list[dict]) -> None:
    contents = read_store(store)
    at_seq = {line.seq: index for index, line in enumerate(contents.lines)}
    for change in acknowledged:
        record = contents.read(at_seq[change["seq"]])
        spans = sorted([span["start"], span["end"], span["label"]] for span in record["spans"])
        assert (record["id"], spans, record.get("answer")) == (change["id"], change["spans"], change["answer"])


def test_sigkill_while_writing_round_after_round_loses_nothing_acknowledged(tmp_path: Path) -> None:
    source = tmp_path / "strikes.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    store = tmp_path / "alice.jsonl"
    rng = random.Random(10)
    acknowledged: list[dict] = []
    for round_number in range(ROUNDS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(source), str(store), str(round_number)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        first = writer.stdout.readline()  # writing has begun
        assert first, writer.stderr.read() if writer.stderr else ""
        time.sleep(rng.uniform(0, 0.4))
        os.kill(writer.pid, signal.SIGKILL)
        rest, errors = writer.communicate()
        assert "Traceback" not in errors, errors
        lines = (first + rest).split("\n")
        acknowledged += [json.loads(line) for line in lines[:-1]]  # the last may be cut off: never acknowledged
        acknowledged_changes_are_in(store, acknowledged)
        if round_number % 6 == 5 or round_number == ROUNDS - 1:  # the commands: a second each, so not every round
            every_command_reads(store, tmp_path / "out")
    saved = {change["seq"] for change in acknowledged}  # an edit that changed nothing acknowledges the line before
    assert len(saved) > ROUNDS
    with Store(store) as reopened:  # annotate resumes it: the writer's lock died with it
        assert saved <= {line.seq for line in reopened.contents.lines}
    if TMUX is not None:
        resume_in_a_terminal(source, store, tmp_path)


def resume_in_a_terminal(source: Path, store: Path, tmp_path: Path) -> None:
    """The installed `annotator annotate` opens the store the kills left, and quits cleanly."""
    name = f"annotator-kill-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color"}
    command = f"{ANNOTATOR} annotate {source} --out {store} --annotator alice; echo EXITED $?; sleep 60"
    subprocess.run([TMUX, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command],  # type: ignore[list-item]
                   check=True, env=env)
    try:
        wait_for(name, "done")
        subprocess.run([TMUX, "send-keys", "-t", name, "q"], check=True)  # type: ignore[list-item]
        assert "EXITED 0" in wait_for(name, "EXITED")
    finally:
        subprocess.run([TMUX, "kill-session", "-t", name], capture_output=True)  # type: ignore[list-item]


def wait_for(session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = subprocess.run([TMUX, "capture-pane", "-p", "-t", session],  # type: ignore[list-item]
                               capture_output=True, text=True).stdout
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


# --- a full disk ----------------------------------------------------------------------------------

DISK_FULL = textwrap.dedent(
    """
    import errno, json, os, shutil, subprocess, sys
    from annotator.core.corpus import Corpus
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.session import Session
    from annotator.core.store import Store

    disk, source, outside, annotator = (sys.argv[1:5])
    store_path = os.path.join(disk, "alice.jsonl")
    session = Session(Corpus([source]), load_schema(default_schema_path()), Store(store_path), "alice")
    words = [token.id for token in session.tokens if token.text.startswith("Town")]
    said = {"failures": [], "while_full": []}

    def tag(n):
        session.tag_tokens(words[n], words[n], "LOCATION")

    for n in range(3):
        tag(n)
    filler = os.open(os.path.join(disk, "filler"), os.O_WRONLY | os.O_CREAT)  # fill the disk
    try:
        while True:
            os.write(filler, b"x" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    os.close(filler)
    n = 3
    while len(said["failures"]) < 3:  # keep working: the first change past the store's last page fails, and waits
        try:
            tag(n)
        except OSError as error:
            said["failures"].append([n, error.errno, len(session.unsaved)])
        n += 1
    for args in (["stats", store_path], ["export", store_path, "--format", "jsonl", "--include", "unfinished",
                                         "--out", os.path.join(outside, "while-full.jsonl"), "--quiet"]):
        done = subprocess.run([annotator, *args], capture_output=True, text=True)
        said["while_full"].append([done.returncode, done.stderr])
    os.unlink(os.path.join(disk, "filler"))  # free space
    tag(n)  # the next change writes those waiting first
    said["tagged"] = n + 1
    session.decide("accept")
    said["unsaved_after"] = len(session.unsaved)
    session.store.close()
    shutil.copy(store_path, os.path.join(outside, "alice.jsonl"))
    print(json.dumps(said))
    """
)


def mounted_small_disk(tmp_path: Path, script: list[str]) -> subprocess.CompletedProcess[str] | None:
    """Run `script` (no argument holding a quote) with a 256 KiB tmpfs mounted at tmp_path/disk; None when this
    machine allows no mount."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = f"mount -t tmpfs -o size=256k tmpfs {disk}"
    quoted = " ".join(f"'{arg}'" for arg in script)
    unshare = shutil.which("unshare")
    if unshare is not None:
        done = subprocess.run([unshare, "-rm", "sh", "-c", f"{mount} && exec {quoted}"],
                              capture_output=True, text=True, timeout=300)
        if "mount" not in done.stderr and "unshare" not in done.stderr:
            return done
    if os.geteuid() == 0 and subprocess.run(mount.split(), capture_output=True).returncode == 0:
        try:
            return subprocess.run(script, capture_output=True, text=True, timeout=300)
        finally:
            subprocess.run(["umount", str(disk)], capture_output=True)
    return None


def test_a_disk_that_fills_up_mid_session_loses_nothing_once_space_is_freed(tmp_path: Path) -> None:
    source = tmp_path / "towns.txt"
    source.write_text(LONG_PARAGRAPH, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    script = tmp_path / "disk_full.py"
    script.write_text(DISK_FULL, encoding="utf-8")
    done = mounted_small_disk(tmp_path, [sys.executable, str(script), str(tmp_path / "disk"), str(source),
                                         str(outside), str(ANNOTATOR)])
    if done is None:
        pytest.skip("no small tmpfs can be mounted here (neither `unshare -rm` nor root may mount)")
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert [failure[1] for failure in said["failures"]] == [28, 28, 28]  # ENOSPC, each change waiting
    assert [failure[2] for failure in said["failures"]] == [1, 2, 3]
    for returncode, stderr in said["while_full"]:  # the store is read while its last line is cut off
        assert returncode == 0 and "Traceback" not in stderr, stderr
    assert said["unsaved_after"] == 0
    store = outside / "alice.jsonl"
    contents = read_store(store)
    per_line = [len(record["spans"]) for record in contents.records]
    assert per_line == [*range(1, said["tagged"] + 1), said["tagged"]]  # every change, in order, none twice
    assert "agreement needs" not in every_command_reads(store, tmp_path / "out")
    assert any("cut off" in warning for warning in contents.warnings)  # what the full disk cut: reported, kept
    with Store(store) as reopened:
        assert len(reopened.contents.lines) == said["tagged"] + 1
