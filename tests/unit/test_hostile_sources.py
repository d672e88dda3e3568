"""Sources tried as a hostile or careless user would give them: lone surrogates, one paragraph id with two
texts, a huge one-line file; and progress that counts only the paragraphs of the corpus that is open."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.corpus import MAX_PARAGRAPH_CHARS, Corpus, Paragraph
from annotator.core.errors import InputError
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import Annotation
from annotator.core.store import Store
from annotator.core.tokens import tokenize


@pytest.fixture(autouse=True)
def no_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every annotate here must stop before its screen: opening one would wait for keys."""
    from annotator.tui.app import AnnotatorApp

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise AssertionError("the screen opened")
    monkeypatch.setattr(AnnotatorApp, "run", refuse)


@pytest.fixture
def opened() -> Iterator[list[Corpus]]:
    corpora: list[Corpus] = []
    yield corpora
    for corpus in corpora:
        corpus.close()


def test_a_lone_surrogate_in_a_jsonl_source_is_refused_before_the_screen(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "wire.jsonl"
    source.write_text('{"id": "a", "text": "Fine."}\n{"id": "b", "text": "Broken \\ud800 text."}\n', encoding="utf-8")
    store = tmp_path / "s.jsonl"
    assert main(["annotate", str(source), "--out", str(store), "--annotator", "t"]) == 2
    err = capsys.readouterr().err
    assert f"{source}:2: text: holds a lone surrogate" in err and "Traceback" not in err
    assert not store.exists()


def test_a_lone_surrogate_in_a_large_source_skips_its_record(tmp_path: Path, opened: list[Corpus]) -> None:
    source = tmp_path / "big.jsonl"
    lines = [json.dumps({"id": f"r{n}", "text": f"Record {n}."}) for n in range(50)]
    lines[7] = '{"id": "r7", "meta": {"title": "\\udc00"}, "text": "Record 7."}'
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = Corpus([source], full_check_bytes=16)
    opened.append(corpus)
    assert [article.id for article in corpus][6:8] == ["r6", "r8"]
    assert corpus.problems == [f"{source}:8: meta.title: holds a lone surrogate (a \\ud800-\\udfff escape without "
                               "its pair), which is not Unicode text. Fix the line or remove it. The record is skipped."]


def _queue_line(article_id: str, index: int, text: str, offset: int) -> str:
    return json.dumps({"id": f"{article_id}#{index}", "text": text,
                       "meta": {"article_id": article_id, "paragraph": index, "char_offset": offset, "source": "x"}})


def test_one_paragraph_id_with_two_texts_is_refused_naming_both_files(tmp_path: Path, opened: list[Corpus]) -> None:
    article = tmp_path / "strikes.txt"
    article.write_text("Strikes hit Homs.\n\nNobody was hurt.\n", encoding="utf-8")
    queue = tmp_path / "alice.queue.jsonl"
    queue.write_text(_queue_line("strikes", 1, "Three people were hurt.", 19) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        Corpus([article, queue])
    message = str(refused.value)
    assert message.startswith(f"{queue}:1: paragraph 'strikes#1' holds other text than paragraph 1 of article 'strikes'")
    assert f"at {article}." in message
    queue.write_text(_queue_line("strikes", 1, "Nobody was hurt.", 19) + "\n", encoding="utf-8")
    same = Corpus([article, queue])  # the same paragraph twice: a queue beside its articles
    opened.append(same)
    assert [p.id for a in same for p in a.paragraphs] == ["strikes#0", "strikes#1", "strikes#1"]


def test_a_paragraph_past_the_maximum_is_refused_with_file_and_line(tmp_path: Path, opened: list[Corpus],
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text("Intro.\n\n" + "word " * (MAX_PARAGRAPH_CHARS // 5) + "x\n", encoding="utf-8")
    assert main(["annotate", str(huge), "--out", str(tmp_path / "s.jsonl"), "--annotator", "t"]) == 2
    err = capsys.readouterr().err
    assert f"{huge}:3: paragraph 2 is 1,000,001 characters long; annotator opens paragraphs of up to 1,000,000." in err
    assert not (tmp_path / "s.jsonl").exists()
    line = tmp_path / "huge.jsonl"
    line.write_text(json.dumps({"id": "a", "text": "a" * (MAX_PARAGRAPH_CHARS + 1)}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{line}:1: paragraph 1 is 1,000,001 characters long"):
        Corpus([line])
    fits = tmp_path / "fits.txt"
    fits.write_text("a" * MAX_PARAGRAPH_CHARS, encoding="utf-8")
    corpus = Corpus([fits])
    opened.append(corpus)
    assert len(corpus.article(0).paragraphs[0].text) == MAX_PARAGRAPH_CHARS


def _decided(store: Store, paragraph: Paragraph) -> None:
    store.append(to_record(paragraph, tokenize(paragraph.text), Annotation(answer="accept"),
                           schema_ref={"name": "x", "version": "1"}, annotator="t", timestamp=1))


def test_progress_counts_only_the_records_of_the_open_corpus(tmp_path: Path, opened: list[Corpus]) -> None:
    article = tmp_path / "strikes.txt"
    article.write_text("Strikes hit Homs.\n\nNobody was hurt.\n", encoding="utf-8")
    corpus = Corpus([article])
    opened.append(corpus)
    with Store(tmp_path / "s.jsonl") as store:
        _decided(store, corpus.article(0).paragraphs[0])
        for other in ("elsewhere#0", "elsewhere#1", "strikes#7"):  # another corpus's work in the same store
            article_id, _, index = other.partition("#")
            _decided(store, Paragraph(article_id, int(index), "Other text.", 0, "other.txt"))
        session = Session(corpus, load_schema(default_schema_path()), store, "t")
        progress = session.progress()
        assert (progress.done, progress.total, progress.exact) == (1, 2, True)
        session.decide("accept")  # the second paragraph, the first unfinished
        assert session.progress().done == 2
        assert session.undo() and session.progress().done == 1


def test_progress_of_a_large_source_is_an_estimate_of_paragraphs_until_it_is_read(
        tmp_path: Path, opened: list[Corpus]) -> None:
    """The issue saw "0/400001" for 800,000 paragraphs: each article not yet read counted as one paragraph."""
    source = tmp_path / "big.jsonl"
    count = 2_000
    source.write_text("".join(json.dumps({"id": f"r{n}", "text": f"Record {n}.\n\nIts end."}) + "\n" for n in range(count)),
                      encoding="utf-8")
    corpus = Corpus([source], full_check_bytes=1024, index_later=True)
    opened.append(corpus)
    with Store(tmp_path / "s.jsonl") as store:
        _decided(store, corpus.article(0).paragraphs[0])
        session = Session(corpus, load_schema(default_schema_path()), store, "t")
        early = session.progress()
        assert not early.exact and early.done == 1
        assert abs(early.total - 2 * count) <= count // 10, early  # paragraphs, not articles
        assert corpus.wait_until_indexed(timeout=120)
        for article in corpus:
            assert len(article.paragraphs) == 2
        done = session.progress()
        assert (done.done, done.total, done.exact, done.complete) == (1, 2 * count, True, True)


@pytest.mark.parametrize("how", ["the same path", "a link", "inside a folder given"])
def test_annotate_refuses_an_out_that_is_one_of_its_sources(how: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "articles" / "c.jsonl"
    corpus.parent.mkdir()
    corpus.write_text('{"id": "a", "text": "Strikes hit Homs."}\n', encoding="utf-8")
    before = corpus.read_bytes()
    out, source = {"the same path": (corpus, corpus), "a link": (tmp_path / "link.jsonl", corpus),
                   "inside a folder given": (corpus, corpus.parent)}[how]
    if how == "a link":
        out.symlink_to(corpus)
    assert main(["annotate", str(source), "--out", str(out), "--annotator", "t"]) == 2
    assert f"{out}: is also a source ({corpus})" in capsys.readouterr().err
    assert corpus.read_bytes() == before


@pytest.mark.parametrize("bad_id, named", [
    ("a\x1b]52;c;aGk=\x07", "U+001B, U+0007"), ("two\nlines", "U+000A"), ("tab\there", "U+0009"),
    ("c1\x85", "U+0085"), ("bidi\u202eevil", "U+202E"), ("zero\u200bwidth", "U+200B"),
])
@pytest.mark.parametrize("command", ["annotate", "assign", "suggest"])
def test_a_source_id_with_control_characters_is_refused_by_every_command_that_reads_sources(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_id: str, named: str, command: str) -> None:
    """Ids are the ML team's stable keys: altering one is worse than refusing it, with the line and what to do."""
    if command == "suggest":
        pytest.importorskip("spacy")
    source = tmp_path / "wire.jsonl"
    source.write_text(json.dumps({"id": "fine", "text": "Strikes hit Homs."}) + "\n"
                      + json.dumps({"id": bad_id, "text": "Nobody was hurt."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = {"annotate": ["annotate", str(source), "--out", str(out), "--annotator", "t"],
            "assign": ["assign", str(source), "--annotators", "a,b", "--overlap", "0", "--out", str(out)],
            "suggest": ["suggest", str(source), "--out", str(out), "--from-store", str(_decided_store(tmp_path))]}
    assert main(argv[command]) == 2
    err = capsys.readouterr().err
    assert f"{source}:2: the id " in err and f"holds control characters ({named}). Remove them from the id" in err
    assert "\x1b" not in err and "\x85" not in err and "\u202e" not in err and "Traceback" not in err
    assert not out.exists()


def _decided_store(tmp_path: Path) -> Path:
    store_path = tmp_path / "gold.jsonl"
    with Store(store_path) as store:
        _decided(store, Paragraph("g", 0, "Homs.", 0, "g.txt"))
    return store_path


def test_ids_with_spaces_are_kept_and_a_txt_source_named_with_an_escape_is_refused(tmp_path: Path,
                                                                                  opened: list[Corpus]) -> None:
    spaced = tmp_path / "wire.jsonl"
    spaced.write_text(json.dumps({"id": "wire 3\u00a0b", "text": "Strikes hit Homs."}) + "\n", encoding="utf-8")
    corpus = Corpus([spaced])
    opened.append(corpus)
    assert corpus.article(0).paragraphs[0].id == "wire 3\u00a0b#0"
    named = tmp_path / "strikes\x1b[2J.txt"
    named.write_text("Strikes hit Homs.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds control characters \(U\+001B\)\. Rename the file"):
        Corpus([named])
    line_id = tmp_path / "wire\x1b.jsonl"  # no "id": the id is made from the file name
    line_id.write_text(json.dumps({"text": "Strikes hit Homs."}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{re.escape(str(line_id))}:1: the id .* Rename the file"):
        Corpus([line_id])


def test_a_control_character_in_an_id_of_a_large_source_skips_its_record(tmp_path: Path, opened: list[Corpus]) -> None:
    source = tmp_path / "big.jsonl"
    lines = [json.dumps({"id": f"r{n}", "text": f"Record {n}."}) for n in range(50)]
    lines[7] = json.dumps({"id": "r7\x1b[31m", "text": "Record 7."})
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = Corpus([source], full_check_bytes=16)
    opened.append(corpus)
    assert [article.id for article in corpus][6:8] == ["r6", "r8"]
    (problem,) = corpus.problems
    assert problem.startswith(f"{source}:8: the id 'r7␛[31m' holds control characters (U+001B).")
    assert problem.endswith("The record is skipped.")


def _articles_file(path: Path, count: int, **texts: str) -> Path:
    """A JSONL source of `count` articles `a0`, `a1`...: two paragraphs each, unless `texts` gives one its text."""
    lines = [json.dumps({"id": f"a{n}", "text": texts.get(f"a{n}", f"Strikes hit town {n}.\n\nNobody was hurt.")})
             for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _queue_file(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


CONFLICT_FIX = "Give each source its own ids, or open only one of them (the queue or the articles)."


def test_a_queued_paragraph_read_from_a_large_source_is_checked_against_the_articles(tmp_path: Path,
                                                                                    opened: list[Corpus]) -> None:
    """The check at open covers sources read in full; a large queue is checked line by line as it is read."""
    articles = tmp_path / "strikes.txt"
    articles.write_text("Strikes hit Homs.\n\nNobody was hurt.\n", encoding="utf-8")
    queue = _queue_file(tmp_path / "alice.queue.jsonl", _queue_line("strikes", 0, "Strikes hit Homs.", 0),
                        _queue_line("strikes", 1, "Three people were hurt.", 19))
    corpus = Corpus([articles, queue], full_check_bytes=queue.stat().st_size)  # the .txt is read in full, the queue not
    opened.append(corpus)
    assert [p.id for a in corpus for p in a.paragraphs] == ["strikes#0", "strikes#1", "strikes#0"]
    assert corpus.problems == [f"{queue}:2: paragraph 'strikes#1' holds other text than paragraph 1 of article "
                               f"'strikes' at {articles}. {CONFLICT_FIX} The record is skipped."]


def test_an_article_read_from_a_large_source_is_checked_against_the_queued_paragraphs(tmp_path: Path,
                                                                                     opened: list[Corpus]) -> None:
    queue = _queue_file(tmp_path / "alice.queue.jsonl", _queue_line("a3", 1, "Three people were hurt.", 20))
    articles = _articles_file(tmp_path / "wire.jsonl", 40)
    corpus = Corpus([queue, articles], full_check_bytes=queue.stat().st_size + 1)  # the queue read in full
    opened.append(corpus)
    assert "a3" not in [article.id for article in corpus]
    assert corpus.problems == [f"{articles}:4: paragraph 1 of article 'a3' holds other text than the queued paragraph "
                               f"'a3#1' at {queue}:1. {CONFLICT_FIX} The record is skipped."]


@pytest.mark.parametrize("queue_first", [True, False])
def test_two_large_sources_are_checked_whichever_comes_first(tmp_path: Path, opened: list[Corpus],
                                                             queue_first: bool) -> None:
    """Reading a queue's line looks its article up in the other large source's index (one record read, not
    the file): the queue's line is refused, whichever source comes first."""
    queue = _queue_file(tmp_path / "alice.queue.jsonl", _queue_line("a3", 1, "Three people were hurt.", 20),
                        _queue_line("a5", 1, "Nobody was hurt.", 20))  # a5's is its article's text: fine
    articles = _articles_file(tmp_path / "wire.jsonl", 40)
    corpus = Corpus([queue, articles] if queue_first else [articles, queue], full_check_bytes=16)
    opened.append(corpus)
    ids = [article.id for article in corpus]
    assert "a3#1" not in ids and "a5#1" in ids and [f"a{n}" for n in range(40)] == [i for i in ids if "#" not in i]
    assert corpus.problems == [f"{queue}:1: paragraph 'a3#1' holds other text than paragraph 1 of article "
                               f"'a3' at {articles}:4. {CONFLICT_FIX} The record is skipped."]


def test_the_same_queued_paragraph_with_two_texts_in_large_sources_is_refused(tmp_path: Path,
                                                                            opened: list[Corpus]) -> None:
    alice = _queue_file(tmp_path / "alice.queue.jsonl", _queue_line("a3", 1, "Three people were hurt.", 20))
    bob = _queue_file(tmp_path / "bob.queue.jsonl", _queue_line("a3", 1, "Four people were hurt.", 20))
    corpus = Corpus([alice, bob], full_check_bytes=16)
    opened.append(corpus)
    assert [article.id for article in corpus] == ["a3#1"]
    assert corpus.problems == [f"{bob}:1: paragraph 'a3#1' holds other text than the same paragraph at {alice}:1. "
                               f"{CONFLICT_FIX} The record is skipped."]
