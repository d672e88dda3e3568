"""The user's config file: their annotator name, the screen's theme and key remappings.

`$XDG_CONFIG_HOME/annotator/config.toml` (default `~/.config/annotator/config.toml`):

    annotator = "alice"
    theme = "textual-light"

    [keys]
    "annotator.undo" = "ctrl+u"

The annotate and review screens write `theme` when the theme is changed (`save_theme`), and
change nothing else in the file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.files import write_atomically

#: set by `annotator serve` for the apps it runs: their config file is the host's, shared by every browser
SHARED_CONFIG_ENV = "ANNOTATOR_SHARED_CONFIG"
_THEME_LINE = re.compile(r"^[ \t]*theme[ \t]*=.*$", re.MULTILINE)
_FIRST_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class UserConfig:
    annotator: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    path: Path | None = None


def config_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "annotator" / "config.toml"


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read the config file; a missing one is an empty config, a broken one an InputError."""
    path = path or config_path()
    if not path.is_file():
        return UserConfig()
    import tomllib  # here: most users have no config file (start-up time)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text. Save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: {error}. Fix the TOML syntax there.") from None
    unknown = sorted(set(data) - {"annotator", "theme", "keys"})
    if unknown:
        raise InputError(f"{path}: unknown setting {unknown[0]!r}. Known settings: annotator, theme, [keys].")
    name = data.get("annotator")
    if name is not None and not isinstance(name, str):
        raise InputError(f"{path}: 'annotator' must be a string, e.g. annotator = \"alice\".")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise InputError(f"{path}: 'theme' must be a string, e.g. theme = \"textual-light\".")
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise InputError(f"{path}: [keys] maps binding ids to keys, e.g. \"annotator.undo\" = \"ctrl+u\".")
    return UserConfig(annotator=name, keys=dict(keys), theme=theme, path=path)


def theme_file(config: UserConfig) -> Path | None:
    """Where a theme chosen on screen is saved: the config file, unless it is shared (`serve`: never)."""
    return None if os.environ.get(SHARED_CONFIG_ENV) else config.path or config_path()


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the theme: the file's top-level `theme = ...` line replaced (or one added first), the
    rest kept as the user wrote it; the file is replaced whole or not at all.

    An InputError when the file cannot be read as TOML, or would not read back with this theme.
    """
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error}); the theme is not saved.") from None
    table = _FIRST_TABLE.search(text)
    head, rest = (text[: table.start()], text[table.start() :]) if table else (text, "")
    line = f"theme = {json.dumps(theme)}"  # a JSON string of a theme's name is a TOML basic string
    head = _THEME_LINE.sub(lambda _: line, head, count=1) if _THEME_LINE.search(head) else f"{line}\n{head}"
    changed = head + rest
    import tomllib  # here, as in load_user_config: start-up time

    try:
        saved = tomllib.loads(changed).get("theme")
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: {error}. Fix the TOML syntax there; the theme is not saved.") from None
    if saved != theme:
        raise InputError(f"{path}: the theme could not be written there (set theme = {json.dumps(theme)} by hand).")
    try:
        write_atomically(path, changed)
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror}); the theme is not saved.") from None
