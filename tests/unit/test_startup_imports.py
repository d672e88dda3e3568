"""What the annotate screen's start leaves unimported until a key or a paragraph needs it
(docs/PERFORMANCE.md, "Start-up"): the dialogs (opening them is checked by the Pilot tests), the
tokenizer's full rules with `regex`, PyYAML (a schema kept in the cache is not read again:
tests/unit/test_schema_cache.py), and the phrase and casualty rules (`e`, and the first tag).

Checked in a fresh interpreter, since this test session has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

DIALOGS = ("annotator.tui.screens.help", "annotator.tui.screens.prompt", "annotator.tui.screens.note",
           "annotator.tui.screens.attributes", "annotator.tui.screens.relations")


def loaded_after(code: str) -> set[str]:
    """The modules of `DIALOGS`, `regex` and `yaml` that a fresh interpreter has loaded after running `code`."""
    watched = [*DIALOGS, "regex", "yaml", "annotator.core.phrases", "annotator.core.casualty"]
    script = f"import json, sys\n{code}\nprint(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_app_and_a_plain_paragraph_load_no_dialog_no_regex_and_no_yaml() -> None:
    code = ("import annotator.tui.app\n"
            "from annotator.core.tokens import tokenize\n"
            "assert [t.text for t in tokenize('Gunmen killed two drivers, police said.')][-2:] == ['said', '.']")
    assert loaded_after(code) == set()


def test_the_full_rules_are_compiled_when_a_paragraph_needs_them() -> None:
    code = ("from annotator.core.tokens import tokenize\n"
            "assert [t.text for t in tokenize(\"Iran's U.S.-led talks\")] == ['Iran', \"'s\", 'U.S.-led', 'talks']")
    assert loaded_after(code) == {"regex"}

