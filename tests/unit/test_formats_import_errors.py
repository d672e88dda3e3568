"""Whatever another tool's file holds, import either succeeds or says what is wrong: never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.sampled_from(["", "A#1", "LOCATION", "😀 x"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["text", "id", "label", "labels", "start", "end", "start_offset", "end_offset", "spans", "entities",
         "relations", "meta", "data", "annotations", "result", "value", "type", "from_id", "to_id", "head_id",
         "child_id", "score", "char_offset", "paragraph", "record_id", "offsets"]), inner, max_size=6)), max_leaves=12)
lines = st.one_of(
    st.fixed_dictionaries({"text": st.sampled_from(["Strikes hit Homs 😀.", "a\r\nb"]), "meta": values,
                           "spans": values, "label": values, "entities": values, "relations": values}),
    values,
)


@pytest.mark.parametrize("format_name", ["jsonl", "doccano", "label-studio", "conll"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.lists(lines, min_size=1, max_size=3))
def test_import_never_crashes(format_name: str, content: list, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.json"
        if format_name == "label-studio":
            source.write_text(json.dumps(content), encoding="utf-8")
        elif format_name == "conll":
            source.write_text("\n".join(" ".join(str(v) for v in (line if isinstance(line, list) else [line]))
                                        for line in content), encoding="utf-8")
        else:
            source.write_text("\n".join(json.dumps(line) for line in content), encoding="utf-8")
        store = Path(folder) / "store.jsonl"
        status = main(["import", str(source), "--format", format_name, "--out", str(store), "--annotator", "t"])
        assert status in (0, 2)
        err = capsys.readouterr().err
        if status == 2:
            assert err.startswith("annotator: ") and "Traceback" not in err
            assert not store.exists() or store.read_bytes() == b""
