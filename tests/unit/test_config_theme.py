"""The theme remembered in the config file: written without touching the rest, read back at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.config import SHARED_CONFIG_ENV, load_user_config, save_theme, theme_file
from annotator.core.errors import InputError

WRITTEN = '''# my settings
annotator = "alice"

[keys]
"annotator.undo" = "ctrl+u"  # theme = "not this one"
'''


def test_the_theme_is_added_before_the_first_table_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(WRITTEN, encoding="utf-8")
    save_theme("textual-light", path)
    assert path.read_text(encoding="utf-8") == 'theme = "textual-light"\n' + WRITTEN
    save_theme("nord", path)
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\n' + WRITTEN
    config = load_user_config(path)
    assert (config.theme, config.annotator, config.keys) == ("nord", "alice", {"annotator.undo": "ctrl+u"})


def test_a_missing_file_is_made_with_the_theme_alone(tmp_path: Path) -> None:
    path = tmp_path / "annotator" / "config.toml"
    save_theme("gruvbox", path)
    assert load_user_config(path).theme == "gruvbox"


def test_a_broken_file_is_left_alone_and_a_wrong_theme_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("annotator = \n", encoding="utf-8")
    with pytest.raises(InputError, match="the theme is not saved"):
        save_theme("nord", path)
    assert path.read_text(encoding="utf-8") == "annotator = \n"
    path.write_text("theme = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="'theme' must be a string"):
        load_user_config(path)


def test_a_shared_config_file_never_gets_a_theme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_user_config(tmp_path / "none.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert theme_file(config) == tmp_path / "annotator" / "config.toml"
    monkeypatch.setenv(SHARED_CONFIG_ENV, "1")  # as `annotator serve` runs the screens
    assert theme_file(config) is None
