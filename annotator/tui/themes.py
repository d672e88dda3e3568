"""The theme an annotator chose, remembered in their config file and used at the next start.

Textual's theme is changed from the command palette (`ctrl+p`, "Change theme"); whatever
changes it, the new name is written as `theme = "..."` in the config file (core/config.py), so
both apps start in it the next time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from annotator.core.config import save_theme
from annotator.core.display import display_text
from annotator.core.errors import InputError


def keep_theme(app: App[Any], saved: str | None, config_file: Path | None) -> None:
    """Start in the saved theme (a name Textual does not know is said, not used) and, given the config
    file, write each theme chosen from now on into it."""
    if saved is not None:
        if saved in app.available_themes:
            app.theme = saved
        else:
            app.notify(f"theme = {display_text(saved)!r} in {config_file or 'the config file'} is not a theme; "
                       "ctrl+p, Change theme, lists them.", title="Theme", severity="warning", markup=False)
    if config_file is None:
        return

    def save(theme: str) -> None:
        try:
            save_theme(theme, config_file)
        except InputError as error:
            app.notify(str(error), title="Theme not saved", severity="warning", timeout=10, markup=False)

    app.watch(app, "theme", save, init=False)
