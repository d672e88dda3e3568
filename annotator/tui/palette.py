"""Every action of the annotate screen in the command palette (ctrl+p), with its key.

Keys are fast once learnt; the palette is how they are found and how a rarely used action is
reached without remembering its key.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class AnnotatorCommands(Provider):
    """Commands built from the open screen's keys, so remapped keys show as remapped."""

    def _rows(self) -> list:  # list[KeyRow]; empty on screens without annotate keys
        key_list = getattr(self.screen, "key_list", None)
        return key_list() if key_list is not None else []

    async def discover(self) -> Hits:
        for row in self._rows():
            yield DiscoveryHit(row.title, partial(self.screen.run_action, row.action),
                               help=f"{' / '.join(row.keys)} · {row.tooltip}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for row in self._rows():
            score = matcher.match(f"{row.title} {row.tooltip}")
            if score > 0:
                yield Hit(score, matcher.highlight(row.title), partial(self.screen.run_action, row.action),
                          text=row.title, help=f"{' / '.join(row.keys)} · {row.tooltip}")
