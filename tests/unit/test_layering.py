"""The core and the team workflow are pure Python: importing any of it must not load Textual.

The rest of the rooms' contracts (docs/ARCHITECTURE.md) are checked by `lint-imports`; these
tests check what import-linter cannot see: what a fresh interpreter actually loads.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import annotator.core
import annotator.team

CORE_MODULES = sorted(f"annotator.core.{m.name}" for m in pkgutil.iter_modules(annotator.core.__path__))
TEAM_MODULES = sorted(f"annotator.team.{m.name}" for m in pkgutil.iter_modules(annotator.team.__path__))
LOADS_TEXTUAL = "any(m == 'textual' or m.startswith('textual.') for m in sys.modules)"


@pytest.mark.parametrize("module", CORE_MODULES + TEAM_MODULES)
def test_core_module_imports_no_textual(module: str) -> None:
    code = f"import sys, {module}; sys.exit(1 if {LOADS_TEXTUAL} else 0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} loads textual (or failed: {result.stderr.strip()[-300:]})"


def test_the_core_has_modules_to_check() -> None:
    assert {"annotator.core.store", "annotator.core.session", "annotator.core.spans"} <= set(CORE_MODULES)


def test_help_runs_in_a_fresh_interpreter_and_loads_no_textual() -> None:
    """`annotator --help` is the first thing a new user types: it works and does not pay for the screens."""
    code = (
        "import sys\n"
        "from annotator.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as stop:\n    code = stop.code\n"
        f"sys.exit(3 if {LOADS_TEXTUAL} else code)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
    for command in ("annotate", "export", "import", "schema", "assign", "agree", "review", "stats", "merge", "serve"):
        assert command in result.stdout
    module_run = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True)
    assert module_run.returncode == 0 and module_run.stdout == result.stdout
