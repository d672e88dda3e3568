"""The schema diff and the store tally as a library (the command's output is pinned in test_schema_cli.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stores import write_store

from annotator.core.schema import Schema, load_schema
from annotator.core.schema_diff import Change, diff_schemas, tally_store

OLD = """\
name: news
version: "1"
labels:
  - name: GROUP
    key: "1"
    color: "#0072B2"
  - name: PLACE
    key: "2"
    color: "#CC79A7"
    overlaps: [GROUP]
    attributes:
      - name: kind
        type: choice
        values: [city, region]
"""

NEW = """\
name: news
version: "2"
labels:
  - name: ACTOR
    key: "1"
    color: "#0072B2"
    renamed_from: [GROUP]
  - name: PLACE
    key: "2"
    color: "#CC79A7"
    overlaps: [ACTOR]
    attributes:
      - name: kind
        type: choice
        values: [city]
"""


def schema(tmp_path: Path, name: str, text: str) -> Schema:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_schema(path)


def test_a_rename_pairs_the_labels_and_without_a_store_nothing_is_counted(tmp_path: Path) -> None:
    changes = diff_schemas(schema(tmp_path, "old.yaml", OLD), schema(tmp_path, "new.yaml", NEW))
    # PLACE may overlap GROUP, now called ACTOR: no "may overlap" change
    assert changes == [Change("~", "label GROUP renamed to ACTOR"), Change("-", "value PLACE.kind=region")]


def test_the_tally_counts_latest_records_only_and_the_diff_reads_it(tmp_path: Path) -> None:
    text = "Rebels took Homs."
    rebels = {"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "GROUP", "text": "Rebels"}
    homs = {"start": 12, "end": 16, "token_start": 2, "token_end": 2, "label": "PLACE", "text": "Homs",
            "attributes": {"kind": "region"}}
    store = write_store(tmp_path / "s.jsonl", [
        {"id": "a#0", "text": text, "spans": [rebels, {**homs, "attributes": {"kind": "city"}}]},
        {"id": "a#0", "text": text, "spans": [rebels, homs]},
    ])
    tally = tally_store(store)
    assert (tally.records, dict(tally.spans)) == (1, {"GROUP": 1, "PLACE": 1})
    assert tally.values_of(["PLACE"], "kind") == 1 and tally.values_of(["PLACE"], "kind", lambda v: v == "city") == 0
    changes = diff_schemas(schema(tmp_path, "old.yaml", OLD), schema(tmp_path, "new.yaml", NEW), tally)
    assert [(change.text, change.touches) for change in changes] == [
        ("label GROUP renamed to ACTOR", "1 span"), ("value PLACE.kind=region", "1 saved value")]
