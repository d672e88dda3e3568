"""The core is pure Python: importing any of it must not load Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import annotator.core

CORE_MODULES = sorted(f"annotator.core.{m.name}" for m in pkgutil.iter_modules(annotator.core.__path__))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_textual(module: str) -> None:
    code = f"import sys, {module}; sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} loads textual (or failed: {result.stderr.strip()[-300:]})"


def test_the_core_has_modules_to_check() -> None:
    assert {"annotator.core.store", "annotator.core.session", "annotator.core.spans"} <= set(CORE_MODULES)
