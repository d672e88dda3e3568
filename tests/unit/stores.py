"""Test helper shared by the team tests: a store file holding given records, written through the real Store."""

from __future__ import annotations

from pathlib import Path

from annotator.core.store import Store


def write_store(path: Path, records: list[dict]) -> Path:
    with Store(path) as store:
        for rec in records:
            store.append(rec)
    return path
