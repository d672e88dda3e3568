"""The screens tried as a hostile user would: bad records met while working end the app with a plain message,
and text from files reaches the terminal only as something shown, never as an escape sequence obeyed."""

from __future__ import annotations

from pathlib import Path

from conftest import STORIES, write_articles

from annotator.core.corpus import Corpus, Paragraph
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import EMPTY
from annotator.core.store import Store, encode_line
from annotator.core.tokens import tokenize
from annotator.tui.app import AnnotatorApp

SIZE = (100, 32)


def _hostile_line(paragraph: Paragraph) -> bytes:
    record = to_record(paragraph, tokenize(paragraph.text), EMPTY, schema_ref={"name": "x", "version": "1"},
                       annotator="tester", timestamp=1)
    line = encode_line(record, seq=1, action="edit", reverts=None, tokens=record["tokens"])
    return line.replace(b'"spans":[]', b'"spans":5') + b"\n"


async def test_a_bad_record_met_on_the_screen_ends_the_app_with_its_message(tmp_path: Path) -> None:
    sources = write_articles(tmp_path / "articles", STORIES)
    corpus = Corpus([sources])
    second = corpus.article(0).paragraphs[1]
    store_path = tmp_path / "annotations.jsonl"
    store_path.write_bytes(_hostile_line(second))
    before = store_path.read_bytes()
    with Store(store_path) as store:
        session = Session(corpus, load_schema(default_schema_path()), store, "tester")
        app = AnnotatorApp(session, store_path=str(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("pagedown")
        assert app.return_code == 2
        assert app.refused is not None
        assert str(app.refused).startswith(f"{store_path}:1: spans: must be an array")
    assert store_path.read_bytes() == before
    corpus.close()
