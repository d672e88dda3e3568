"""A program run in a pseudo-terminal, timed from outside as a user would feel it.

Shared by `keys.py` and `startup.py`. The program gets a 120x40 (by default) pseudo-terminal
with `TERM=xterm-256color` and no `COLORTERM`; this side plays the terminal: it writes key
bytes and reads everything the program draws. A frame is over when no byte has come for
`quiet` seconds; its time is that of the last byte read, so the quiet window itself is never
counted. (Textual only brackets frames with the synchronized-output marks when the terminal
answers its query for them, which a plain xterm does not: so this terminal does not either.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

QUIET = 0.04  # seconds without output that end a key's frame (and any second frame it brings)
FIRST_PAINT_QUIET = 0.02  # Textual writes a frame in one go; its footer comes back some 40 ms later
KEYS = {  # what an xterm sends for each key
    "right": b"\x1b[C", "left": b"\x1b[D", "shift+right": b"\x1b[1;2C", "shift+left": b"\x1b[1;2D",
    "home": b"\x1b[H", "end": b"\x1b[F", "tab": b"\t", "shift+tab": b"\x1b[Z", "ctrl+z": b"\x1a",
    "ctrl+y": b"\x19", "backspace": b"\x7f", "enter": b"\r", "pagedown": b"\x1b[6~", "pageup": b"\x1b[5~",
}


@dataclass(frozen=True, slots=True)
class Frame:
    """What one key (or the start) drew: when its last byte came, and how many bytes it was."""

    seconds: float  # from the key's bytes (or the start of the process) to the frame's last byte
    size: int
    output: bytes


def installed_command(*arguments: str) -> list[str]:
    """The installed `annotator` next to this Python (a venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("annotator")
    return [str(beside) if beside.exists() else "annotator", *arguments]


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time the process's threads have had so far (the scheduler's own count, in nanoseconds).

    Less sensitive than elapsed time to other work on the machine: waiting for a core is not counted.
    """
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that has just ended
            total += int((task / "schedstat").read_text(encoding="ascii").split()[0])
    return total / 1e9


class Terminal:
    """One program in its own pseudo-terminal, started at once; `close()` ends it."""

    def __init__(self, argv: Sequence[str], *, columns: int = 120, rows: int = 40, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {**os.environ, **(env or {}), "TERM": "xterm-256color", "COLUMNS": str(columns),
                       "LINES": str(rows)}
        # A user's terminal: no truecolor claim, no Textual debugging; and Python keeps the bytecode
        # it compiles (as for any installed package), which this machine's environment turns off.
        for name in ("COLORTERM", "TEXTUAL", "TEXTUAL_DEBUG", "NO_COLOR", "TMUX", "PYTHONDONTWRITEBYTECODE"):
            environment.pop(name, None)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                        env=environment, start_new_session=True, close_fds=True)
        os.close(slave)
        self.received = bytearray()  # everything drawn so far

    def _read(self, timeout: float) -> tuple[bytes, float]:
        """The next bytes drawn within `timeout` seconds (b"" if none) and when they came."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b"", time.perf_counter()
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # the program has gone and the terminal is closed
            return b"", time.perf_counter()
        now = time.perf_counter()
        self.received += data
        return data, now

    def frame(self, since: float, *, until: bytes = b"", quiet: float = QUIET, timeout: float = 60.0,
              when_drawn: Callable[[], object] | None = None) -> Frame:
        """Read until `until` has been drawn (any output if empty) and then nothing comes for `quiet` seconds.

        `when_drawn` is called as soon as `until` has come (before the quiet wait).
        """
        output = bytearray()
        last = since
        deadline = since + timeout
        drawn = False
        while True:
            data, now = self._read(quiet if drawn else max(0.0, deadline - time.perf_counter()))
            if data:
                output += data
                last = now
                if not drawn and until in output:
                    drawn = True
                    if when_drawn is not None:
                        when_drawn()
            elif drawn:
                return Frame(last - since, len(output), bytes(output))
            elif now >= deadline:
                raise TimeoutError(f"nothing like {until!r} within {timeout} s; drawn last: {bytes(output[-400:])!r}")

    def settle(self, quiet: float, *, timeout: float = 600.0) -> None:
        """Read until nothing has come for `quiet` seconds (at once if nothing comes at all)."""
        deadline = time.perf_counter() + timeout
        while self._read(quiet)[0]:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"still drawing after {timeout} s")

    def first_paint(self, until: bytes, *, quiet: float = FIRST_PAINT_QUIET, when_drawn: Callable[[], object] | None = None) -> Frame:
        """The start-up: from starting the process to the last byte of the first screen showing `until`.

        Textual goes on refining what it drew (its footer composes its keys once the bindings
        are known) a few tens of milliseconds later; those frames are not part of the first paint.
        """
        return self.frame(self.started, until=until, quiet=quiet, when_drawn=when_drawn)

    def press(self, key: str, *, times: int = 1, quiet: float = QUIET) -> Frame:
        """Write one key's bytes (`times` times in one go) and time the frame it draws."""
        data = KEYS.get(key, key.encode()) * times
        self.drain()
        sent = time.perf_counter()
        os.write(self.master, data)
        return self.frame(sent, quiet=quiet, timeout=20.0)

    def drain(self) -> None:
        """Drop anything still arriving from an earlier frame."""
        while self._read(0)[0]:
            pass

    def close(self, quit_keys: bytes = b"q", *, timeout: float = 10.0) -> int:
        """Quit the program with `quit_keys` (killed if it does not go); its peak resident memory in KiB."""
        with contextlib.suppress(OSError):  # it may have gone already
            os.write(self.master, quit_keys)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            pid, _, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = 0
                os.close(self.master)
                return usage.ru_maxrss
            self._read(0.05)
        os.killpg(self.process.pid, signal.SIGKILL)
        _, _, usage = os.wait4(self.process.pid, 0)
        os.close(self.master)
        raise RuntimeError(f"{self.process.args} did not quit on {quit_keys!r}")
