"""`--shard K/N`: a deterministic split of a corpus by paragraph id, for job arrays.

Paragraph `id` goes to shard `stable_hash(id) mod N + 1` (`core.records.stable_hash`, the same
on every machine and run), so N jobs given 1/N .. N/N cover every paragraph exactly once
whatever order they run in, and their stores combine with `annotator merge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.core.errors import InputError
from annotator.core.records import stable_hash

_SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True, slots=True)
class Shard:
    number: int  # from 1
    count: int

    def holds(self, paragraph_id: str) -> bool:
        return stable_hash(paragraph_id) % self.count + 1 == self.number


WHOLE = Shard(1, 1)


def parse_shard(text: str) -> Shard:
    """`K/N` with 1 <= K <= N, else an InputError with an example."""
    match = _SHARD.fullmatch(text.strip())
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise InputError(f"--shard {text}: give K/N with 1 <= K <= N, e.g. --shard 3/8 for the third of eight jobs.")
    return Shard(int(match[1]), int(match[2]))
