"""What one browser connection runs: `annotator ARGS...`, and if it refuses to start, why, in the page.

textual-serve starts this with the page's websocket on stdin and stdout. The command itself
runs as a child on the same stdin and stdout, so the screen is the ordinary annotate (or
review) screen. A refusal (exit status 2: bad input, or the store locked because the same link
is open in another tab) happens before any screen is drawn and its message goes to stderr,
which a browser never shows; this process then draws that message itself.

Run as `python -m annotator.serve.session ARGS...`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

REFUSED = 2  # the exit status of an InputError (annotator/cli.py)


def main(argv: Sequence[str]) -> int:
    child = subprocess.run([sys.executable, "-m", "annotator", *argv], stderr=subprocess.PIPE, check=False)
    stderr = child.stderr.decode("utf-8", "replace")
    if child.returncode != 0:  # textual-serve copies this to the server's output: a refusal or a crash, for the lead
        sys.stderr.write(stderr)
    if child.returncode == REFUSED:
        from annotator.serve.refusal import RefusalApp, refusal_text  # Textual only when there is something to say

        RefusalApp(refusal_text(stderr)).run()
    return child.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
