"""Every action of the open screen in the command palette (ctrl+p), with its key.

Keys are fast once learnt; the palette is how they are found and how a rarely used action is
reached without remembering its key. The rows are the help sheet's (`key_list`), made from the
key registry (annotator/core/keys.py).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotator.core.display import display_text
from annotator.tui.bindings import KeyRow, ListsKeys


class AnnotatorCommands(Provider):
    """Commands built from the open screen's keys, so remapped keys show as remapped."""

    def _rows(self) -> list[KeyRow]:
        """The screen's key rows; none on a screen that lists no keys."""
        return self.screen.key_list() if isinstance(self.screen, ListsKeys) else []

    @staticmethod
    def _help(row: KeyRow) -> str:
        return display_text(f"{' / '.join(row.keys) or 'no key'} · {row.tooltip}")  # rows name schema labels

    async def discover(self) -> Hits:
        for row in self._rows():
            yield DiscoveryHit(display_text(row.title), partial(self.screen.run_action, row.action), help=self._help(row))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for row in self._rows():
            score = matcher.match(f"{row.title} {row.tooltip}")
            if score > 0:
                yield Hit(score, matcher.highlight(display_text(row.title)), partial(self.screen.run_action, row.action),
                          text=row.title, help=self._help(row))
