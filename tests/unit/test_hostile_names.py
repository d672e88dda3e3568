"""Annotator names from `--annotator` and the config file refuse every control character."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.identity import annotator_name, check_name, load_user_config

CONTROLS = ["\x1b", "\x07", "\x00", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u200f", "\ufeff"]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_check_name_refuses_controls(control: str) -> None:
    with pytest.raises(InputError, match="control characters"):
        check_name(f"al{control}ice", "--annotator")


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_config_name_goes_through_check_name(control: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('annotator = "al' + f"\\u{ord(control):04x}" + 'ice"\n', encoding="utf-8")
    with pytest.raises(InputError, match=f"{config}: annotator"):
        annotator_name(None, load_user_config(config))
