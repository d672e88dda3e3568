"""What one browser connection runs: `annotator ARGS...`, and if it refuses to start, why, in the page.

textual-serve starts this with the page's websocket on stdin and stdout. The command itself
runs as a child on the same stdin and stdout, so the screen is the ordinary annotate (or
review) screen. A refusal (exit status 2: bad input, or the store locked because the same link
is open in another tab) happens before any screen is drawn and its message goes to stderr,
which a browser never shows; this process then draws that message itself.

The session leaves the terminal's process group: Ctrl+C there reaches only the server, which
tells every app to quit. If the server dies without doing so, the session ends itself (and its
app, letting go of the store) once nobody reads its output any more.

Run as `python -m annotator.serve.session ARGS...`.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import threading
from collections.abc import Sequence

from annotator.core.config import SHARED_CONFIG_ENV

REFUSED = 2  # the exit status of an InputError (annotator/cli.py)
ORPHANED = 1


def _end_when_orphaned(child: subprocess.Popen[bytes]) -> None:
    """Wait until stdout's reader (the server) has gone, then end the app and this process."""
    watcher = select.poll()
    watcher.register(sys.stdout.fileno(), select.POLLERR)  # a pipe whose reader closed reports POLLERR
    while not watcher.poll(1000):
        pass
    child.terminate()  # every change is already on disk
    os._exit(ORPHANED)


def main(argv: Sequence[str]) -> int:
    with contextlib.suppress(OSError):
        os.setsid()
    child = subprocess.Popen([sys.executable, "-m", "annotator", *argv], stderr=subprocess.PIPE,
                             env={**os.environ, SHARED_CONFIG_ENV: "1"})  # one browser's theme is not everybody's
    threading.Thread(target=_end_when_orphaned, args=(child,), daemon=True).start()
    _, said = child.communicate()
    stderr = said.decode("utf-8", "replace")
    if child.returncode != 0:  # textual-serve copies this to the server's output: a refusal or a crash, for the lead
        sys.stderr.write(stderr)
    if child.returncode == REFUSED:
        from annotator.serve.refusal import RefusalApp, refusal_text  # Textual only when there is something to say

        RefusalApp(refusal_text(stderr)).run()
    return child.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
