"""The user's config file: their annotator name and key remappings.

`$XDG_CONFIG_HOME/annotator/config.toml` (default `~/.config/annotator/config.toml`):

    annotator = "alice"

    [keys]
    "annotator.undo" = "ctrl+u"
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import InputError


@dataclass(frozen=True, slots=True)
class UserConfig:
    annotator: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
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
    unknown = sorted(set(data) - {"annotator", "keys"})
    if unknown:
        raise InputError(f"{path}: unknown setting {unknown[0]!r}. Known settings: annotator, [keys].")
    name = data.get("annotator")
    if name is not None and not isinstance(name, str):
        raise InputError(f"{path}: 'annotator' must be a string, e.g. annotator = \"alice\".")
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise InputError(f"{path}: [keys] maps binding ids to keys, e.g. \"annotator.undo\" = \"ctrl+u\".")
    return UserConfig(annotator=name, keys=dict(keys), path=path)
