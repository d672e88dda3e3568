"""Who is annotating: the name written as `_annotator_id` on every record.

The name comes from `--annotator`, else `annotator = "..."` in the user config file
(`$XDG_CONFIG_HOME/annotator/config.toml`), else the login name. Agreement, stats and merge
tell annotators apart by this name, and `assign` uses it in file names, so it must be a
single word that is safe in a path.
"""

from __future__ import annotations

import getpass
import re
import unicodedata

from annotator.core.config import UserConfig, load_user_config
from annotator.core.errors import InputError

__all__ = ["annotator_name", "check_name", "load_user_config"]

_NAME = re.compile(r"[^\s/\\:]{1,64}")


def check_name(name: str, where: str) -> str:
    """Return `name` if it is usable as an annotator name; `where` says where it came from."""
    control = any(unicodedata.category(char).startswith("C") for char in name)  # escapes, bidi overrides
    if control or not _NAME.fullmatch(name) or name in (".", "..") or name.startswith("."):
        raise InputError(
            f"{where}: {name!r} is not a usable annotator name. Use one word of up to 64 "
            "characters without spaces, slashes, colons or control characters, not starting with a dot, e.g. alice."
        )
    return name


def annotator_name(explicit: str | None, config: UserConfig | None = None) -> str:
    """The annotator's name: `--annotator`, else the config file's `annotator`, else the login."""
    if explicit is not None:
        return check_name(explicit, "--annotator")
    config = load_user_config() if config is None else config
    if config.annotator is not None:
        return check_name(config.annotator, f"{config.path}: annotator")
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container with an unknown uid)
        raise InputError(
            "cannot tell who you are (no login name). Pass --annotator NAME, "
            'or put annotator = "NAME" in the config file.'
        ) from None
    return check_name(login, "login name")
