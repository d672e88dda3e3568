"""The corpus: paragraphs with exact offsets, every bad input refused by name, large JSONL opened lazily."""

from __future__ import annotations

import json
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.corpus import Article, Corpus, split_paragraphs
from annotator.core.errors import InputError


@pytest.fixture
def opened() -> Iterator[list[Corpus]]:
    """Corpora opened by a test, closed after it (stops their index threads)."""
    corpora: list[Corpus] = []
    yield corpora
    for corpus in corpora:
        corpus.close()


def open_corpus(opened: list[Corpus], *sources: Path, **options: int) -> Corpus:
    corpus = Corpus(list(sources), **options)
    opened.append(corpus)
    return corpus


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def texts(article: Article) -> list[str]:
    return [paragraph.text for paragraph in article.paragraphs]


def assert_offsets_exact(article: Article) -> None:
    for paragraph in article.paragraphs:
        assert article.text[paragraph.char_offset:paragraph.char_offset + len(paragraph.text)] == paragraph.text


def refusal(tmp_path: Path, *sources: Path, **options: int) -> str:
    with pytest.raises(InputError) as caught:
        Corpus(list(sources), **options).close()
    return str(caught.value)


# --- splitting paragraphs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\n\nTwo.\n", ["One.", "Two."]),
        ("One.\r\n\r\nTwo.\r\n", ["One.", "Two."]),
        ("One.\r\nstill one.\r\n\r\nTwo.\nstill two.\n\r\nThree.", ["One.\r\nstill one.", "Two.\nstill two.", "Three."]),
        ("\n\n  \r\nOne.\n\n\n\nTwo.\n\n\n", ["One.", "Two."]),
        ("One.\n \t \nTwo.\n\u00a0\nThree.", ["One.", "Two.", "Three."]),
        ("   Indented.\n  second line\n\nNext.", ["   Indented.\n  second line", "Next."]),
        ("Trailing spaces kept.   \n\nNext.", ["Trailing spaces kept.   ", "Next."]),
        ("Fire 🔥 and a flag 🇸🇾.\n\nدير الزور في الشرق.\n", ["Fire 🔥 and a flag 🇸🇾.", "دير الزور في الشرق."]),
        ("No line end at all", ["No line end at all"]),
        ("Ends in CR\r", ["Ends in CR"]),
        ("", []),
        (" \n\r\n\t", []),
    ],
    ids=["lf", "crlf", "mixed", "leading-trailing-blank", "whitespace-separators", "indent", "trailing-spaces",
         "emoji-arabic", "one-line", "final-cr", "empty", "only-whitespace"],
)
def test_paragraphs_are_the_exact_characters_between_blank_lines(text: str, expected: list[str]) -> None:
    paragraphs = split_paragraphs("a", text, "a.txt")
    assert [p.text for p in paragraphs] == expected
    assert [p.index for p in paragraphs] == list(range(len(expected)))
    assert [p.id for p in paragraphs] == [f"a#{i}" for i in range(len(expected))]
    for paragraph in paragraphs:
        assert text[paragraph.char_offset:paragraph.char_offset + len(paragraph.text)] == paragraph.text


# Lines of a paragraph: at least one visible character, no line break inside, no CR at the end
# (a CR before the line break would be part of the terminator).
line_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=0, max_size=12
).flatmap(lambda padding: st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=8
).map(lambda visible: padding + visible))
paragraph_text = st.tuples(
    st.lists(line_text, min_size=1, max_size=4), st.lists(st.sampled_from(["\n", "\r\n"]), min_size=3, max_size=3)
).map(lambda parts: "".join(line + (parts[1][i] if i < len(parts[0]) - 1 else "") for i, line in enumerate(parts[0])))
blank_line = st.text(st.sampled_from([" ", "\t", "\u00a0", "\u3000"]), max_size=3)
line_end = st.sampled_from(["\n", "\r\n"])
separator = st.lists(st.tuples(blank_line, line_end), min_size=1, max_size=3).flatmap(
    lambda blanks: line_end.map(lambda first: first + "".join(spaces + end for spaces, end in blanks))
)
leading = st.lists(st.tuples(blank_line, line_end), max_size=2).map(lambda lines: "".join(a + b for a, b in lines))
trailing = st.one_of(st.just(""), st.tuples(line_end, leading, blank_line).map("".join))  # ends the last line first


@settings(max_examples=300, deadline=None)
@given(
    paragraphs=st.lists(paragraph_text, min_size=1, max_size=6),
    separators=st.lists(separator, min_size=6, max_size=6),
    before=leading,
    after=trailing,
)
def test_any_paragraphs_joined_by_blank_lines_come_back_exactly(
    paragraphs: list[str], separators: list[str], before: str, after: str
) -> None:
    text = before + "".join(p + (separators[i] if i < len(paragraphs) - 1 else "") for i, p in enumerate(paragraphs)) + after
    split = split_paragraphs("a", text, "a.txt")
    assert [p.text for p in split] == paragraphs
    for paragraph in split:
        assert text[paragraph.char_offset:paragraph.char_offset + len(paragraph.text)] == paragraph.text


# --- .txt files -----------------------------------------------------------------------------


def test_a_txt_file_is_one_article_named_after_its_stem(tmp_path: Path, opened: list[Corpus]) -> None:
    path = write_bytes(tmp_path / "strikes-0202.txt", "First.\r\n\r\nSecond 🔥,\r\nsame paragraph.\r\n".encode())
    corpus = open_corpus(opened, path)
    article = corpus.article(0)
    assert (corpus.article_count, corpus.paragraph_count, corpus.indexing_done) == (1, 2, True)
    assert article.id == "strikes-0202" and article.source == str(path) and article.title == "strikes-0202"
    assert texts(article) == ["First.", "Second 🔥,\r\nsame paragraph."]
    assert [p.source for p in article.paragraphs] == [str(path)] * 2
    assert_offsets_exact(article)


def test_a_bom_is_not_part_of_the_text_and_offsets_count_after_it(tmp_path: Path, opened: list[Corpus]) -> None:
    path = write_bytes(tmp_path / "bom.txt", b"\xef\xbb\xbfFirst.\n\nSecond.\n")
    article = open_corpus(opened, path).article(0)
    assert article.text == "First.\n\nSecond.\n"
    assert [(p.char_offset, p.text) for p in article.paragraphs] == [(0, "First."), (8, "Second.")]


def test_a_folder_gives_its_txt_and_jsonl_files_in_name_order(tmp_path: Path, opened: list[Corpus]) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "b.txt").write_text("B.\n", encoding="utf-8")
    (folder / "a.jsonl").write_text('{"id": "a1", "text": "A1."}\n{"text": "A2."}\n', encoding="utf-8")
    (folder / "c.txt").write_text("C.\n", encoding="utf-8")
    (folder / "README.md").write_text("not an article\n", encoding="utf-8")
    (folder / "nested").mkdir()
    (folder / "nested" / "d.txt").write_text("D.\n", encoding="utf-8")
    corpus = open_corpus(opened, folder)
    assert [article.id for article in corpus] == ["a1", "a-2", "b", "c"]
    assert corpus.article_index("b") == 2 and corpus.article_index("a-2") == 1 and corpus.article_index("d") is None


# --- .jsonl files ---------------------------------------------------------------------------


def test_jsonl_records_become_articles_with_ids_meta_and_exact_offsets(tmp_path: Path, opened: list[Corpus]) -> None:
    lines = [
        json.dumps({"id": "w1", "text": "Kirkuk.\n\nدير الزور 🔥.", "meta": {"title": "Convoy", "date": "2026-03-11"}}),
        "",
        "   ",
        json.dumps({"text": "No id here.\r\n\r\nSecond."}, ensure_ascii=False),
        json.dumps({"id": 42, "text": "Numbered id."}),
    ]
    path = write_bytes(tmp_path / "wire.jsonl", ("\r\n".join(lines) + "\n").encode())
    corpus = open_corpus(opened, path)
    articles = list(corpus)
    assert [a.id for a in articles] == ["w1", "wire-4", "42"]
    assert articles[0].title == "Convoy" and articles[0].meta["date"] == "2026-03-11"
    assert articles[1].title == "wire-4" and articles[1].meta == {}
    assert [texts(a) for a in articles] == [["Kirkuk.", "دير الزور 🔥."], ["No id here.", "Second."], ["Numbered id."]]
    for article in articles:
        assert_offsets_exact(article)
    assert (corpus.article_count, corpus.paragraph_count) == (3, 5)
    assert [corpus.article_index(i) for i in ("w1", "wire-4", "42", "wire-1", "nope")] == [0, 1, 2, None, None]


def test_a_queue_line_keeps_its_paragraph_id_and_offset(tmp_path: Path, opened: list[Corpus]) -> None:
    """`annotator assign` writes one paragraph a line; records made from it must match the article's."""
    record = {"id": "strikes#3", "text": "Iran denied it.",
              "meta": {"article_id": "strikes", "paragraph": 3, "char_offset": 812, "source": "samples/strikes.txt"}}
    path = write_bytes(tmp_path / "alice.jsonl", (json.dumps(record) + "\n").encode())
    article = open_corpus(opened, path).article(0)
    (paragraph,) = article.paragraphs
    assert (paragraph.id, paragraph.char_offset, paragraph.source, paragraph.text) == (
        "strikes#3", 812, "samples/strikes.txt", "Iran denied it.")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \r\n\n\t\n", "only whitespace"),
        ("blank.jsonl", b"\n  \n", "only blank lines"),
        ("binary.txt", b"PK\x03\x04\x00\x00text", "binary"),
        ("binary.jsonl", b'{"text": "a\x00"}\n', "binary"),
    ],
)
def test_files_with_nothing_to_annotate_are_refused_by_name(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    message = refusal(tmp_path, write_bytes(tmp_path / name, data))
    assert message.startswith(str(tmp_path / name)) and expected in message


def test_text_that_is_not_utf8_gives_line_byte_offset_and_how_to_convert(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "cp1252.txt", "First.\n\nHe said \u201chello\u201d.\n".encode("cp1252"))
    message = refusal(tmp_path, path)
    assert message.startswith(f"{path}:3:")
    assert "byte 0x93 at byte offset 16" in message and "iconv -f WINDOWS-1252 -t UTF-8" in message


def test_byte_offsets_of_bad_utf8_count_the_bom(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bom.jsonl", b'\xef\xbb\xbf{"text": "ok"}\n{"text": "caf\xe9"}\n')
    assert refusal(tmp_path, path).startswith(f"{path}:2: not UTF-8 (byte 0xE9 at byte offset 31)")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"text": "unterminated', "not valid JSON"),
        ('["a list"]', "is an array, not a JSON object"),
        ('"just a string"', "is a string, not a JSON object"),
        ('{"id": "x"}', 'has no "text"'),
        ('{"text": 12}', '"text" is a number, not a string'),
        ('{"text": null}', '"text" is null, not a string'),
        ('{"text": ""}', '"text" is empty'),
        ('{"text": " \\n\\n "}', '"text" is empty'),
        ('{"text": "ok", "meta": [1]}', '"meta" is an array, not an object'),
        ('{"text": "ok", "id": ""}', '"id" is empty'),
        ('{"text": "ok", "id": "  "}', '"id" is empty'),
        ('{"text": "ok", "id": ["x"]}', '"id" is an array'),
    ],
)
def test_each_broken_jsonl_record_is_refused_with_file_and_line(tmp_path: Path, line: str, expected: str) -> None:
    path = write_bytes(tmp_path / "bad.jsonl", ('{"text": "fine"}\n\n' + line + "\n").encode())
    message = refusal(tmp_path, path)
    assert message.startswith(f"{path}:3:") and expected in message


def test_a_missing_source_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path, tmp_path / "gone.txt") == f"{tmp_path / 'gone.txt'}: no such file or folder. Check the SOURCE path."
    assert "no such file" in refusal(tmp_path, tmp_path / "gone.jsonl")
    assert "no such file" in refusal(tmp_path, tmp_path / "gone")


def test_other_extensions_are_refused_naming_the_accepted_ones(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "article.docx", b"PK")
    message = refusal(tmp_path, path)
    assert message.startswith(str(path)) and ".txt" in message and ".jsonl" in message and "folder" in message


def test_a_folder_with_nothing_to_annotate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("hello", encoding="utf-8")
    message = refusal(tmp_path, tmp_path)
    assert message.startswith(str(tmp_path)) and "no .txt or .jsonl" in message


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    first = write_bytes(tmp_path / "strikes.txt", b"An article.\n")
    second = write_bytes(tmp_path / "wire.jsonl", b'{"id": "a", "text": "x"}\n{"id": "strikes", "text": "y"}\n')
    message = refusal(tmp_path, first, second)
    assert f"{second}:2:" in message and str(first) in message
    inside = write_bytes(tmp_path / "twice.jsonl", b'{"id": "a", "text": "x"}\n\n{"id": "a", "text": "y"}\n')
    message = refusal(tmp_path, inside)
    assert message.startswith(f"{inside}:3:") and f"{inside}:1" in message
    assert "is also used" in refusal(tmp_path, first, first)


def test_a_refused_corpus_changes_no_file(tmp_path: Path) -> None:
    good = write_bytes(tmp_path / "good.txt", b"Fine.\n")
    bad = write_bytes(tmp_path / "bad.jsonl", b'{"text": 1}\n')
    refusal(tmp_path, good, bad)
    assert good.read_bytes() == b"Fine.\n" and bad.read_bytes() == b'{"text": 1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "good.txt"]


# --- large JSONL, opened lazily ---------------------------------------------------------------


def write_records(path: Path, count: int, broken: dict[int, str] | None = None) -> Path:
    """`count` small records, one a line; `broken` replaces some (by 0-based record number)."""
    broken = broken or {}
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for number in range(count):
            line = broken.get(number) or json.dumps({"id": f"r{number}", "text": f"Record {number}.\n\nIts end."})
            handle.write(line + "\n")
    return path


def test_a_large_jsonl_opens_lazily_and_article_last_works_after_indexing(tmp_path: Path, opened: list[Corpus]) -> None:
    count = 200_000
    path = write_records(tmp_path / "big.jsonl", count)
    corpus = open_corpus(opened, path, full_check_bytes=1024)
    assert corpus.article_count > 0  # the first block is indexed at open
    first = corpus.article(0)
    assert corpus.article_index("r0") == 0  # an article just read is found without a scan
    assert first.id == "r0" and texts(first) == ["Record 0.", "Its end."]
    assert corpus.wait_until_indexed(timeout=120)
    assert corpus.indexing_done and corpus.article_count == count
    last = corpus.article(count - 1)
    assert last.id == f"r{count - 1}" and last.source == str(path)
    assert_offsets_exact(last)
    assert corpus.paragraph_count >= count  # a lower bound until every article has been read
    with pytest.raises(IndexError):
        corpus.article(count)
    assert corpus.article_index(f"r{count - 7}") == count - 7
    assert corpus.article_index("r-nowhere") is None
    assert corpus.problems == []


def test_article_past_the_index_so_far_waits_for_it(tmp_path: Path, opened: list[Corpus]) -> None:
    path = write_records(tmp_path / "big.jsonl", 50_000)
    corpus = open_corpus(opened, path, full_check_bytes=1024)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(corpus.article(49_999).id))
    reader.start()
    reader.join(timeout=120)
    assert got == ["r49999"]


def test_a_broken_record_in_a_large_file_is_skipped_and_reported(tmp_path: Path, opened: list[Corpus]) -> None:
    path = write_records(tmp_path / "big.jsonl", 1_000, broken={3: '{"text": "cut off', 500: '{"id": "x", "text": 7}'})
    corpus = open_corpus(opened, path, full_check_bytes=1024)
    corpus.wait_until_indexed(timeout=60)
    assert corpus.article_count == 1_000
    ids = [article.id for article in corpus]
    assert len(ids) == 998 and "r3" not in ids and "r500" not in ids and ids[3] == "r4"
    assert corpus.article_count == 998
    assert corpus.paragraph_count == 998 * 2  # exact once every article has been read
    assert corpus.article_index("r999") == 997 and corpus.article_index("r500") is None
    assert len(corpus.problems) == 2
    assert corpus.problems[0].startswith(f"{path}:4: not valid JSON") and "skipped" in corpus.problems[0]
    assert corpus.problems[1].startswith(f"{path}:501:") and '"text" is a number' in corpus.problems[1]


def test_a_large_file_sees_ids_without_one_and_duplicates_of_checked_sources(tmp_path: Path, opened: list[Corpus]) -> None:
    small = write_bytes(tmp_path / "a.txt", b"A checked article.\n")
    lines = [json.dumps({"text": f"No id {n}."}) for n in range(300)] + [json.dumps({"id": "a", "text": "Clash."})]
    big = write_bytes(tmp_path / "big.jsonl", ("\n".join(lines) + "\n\n").encode())
    corpus = open_corpus(opened, small, big, full_check_bytes=1024)
    assert corpus.article_index("big-200") == 200
    ids = [article.id for article in corpus]
    assert ids[:3] == ["a", "big-1", "big-2"] and len(ids) == 301
    assert len(corpus.problems) == 1 and corpus.problems[0].startswith(f"{big}:301:") and str(small) in corpus.problems[0]


def test_binary_data_in_a_large_file_is_refused_at_open(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "big.jsonl", b"\x00" * 4096)
    assert refusal(tmp_path, path, full_check_bytes=1024).startswith(f"{path}: binary data")


def test_articles_after_a_large_source_come_once_it_is_indexed(tmp_path: Path, opened: list[Corpus]) -> None:
    big = write_records(tmp_path / "big.jsonl", 20_000)
    after = write_bytes(tmp_path / "after.txt", b"Last.\n")
    corpus = open_corpus(opened, big, after, full_check_bytes=1024)
    assert corpus.article(20_000).id == "after"
    assert corpus.article_index("after") == 20_000 and corpus.article_count == 20_001


def test_a_large_file_finds_every_spelling_of_an_id_from_its_index(tmp_path: Path, opened: list[Corpus]) -> None:
    records = [json.dumps({"id": f"r{n}", "text": f"Record {n}."}) for n in range(5_000)]
    records[1_000] = '{"text": "Id last.", "id": "last"}'
    records[2_000] = '{"meta": {"id": "inner"}, "text": "Only a nested id."}'  # its id is big-2001
    records[3_000] = '{"id": "caf\\u00e9 \\"quoted\\"", "text": "Escapes."}'
    records[4_000] = '{ "id" : 4000, "text": "An integer id."}'
    records[4_500] = json.dumps({"id": "دير", "text": "Arabic id."}, ensure_ascii=False)
    big = write_bytes(tmp_path / "big.jsonl", ("\n".join(records) + "\n").encode())
    corpus = open_corpus(opened, big, full_check_bytes=1024)
    assert corpus.wait_until_indexed(timeout=60)
    found = {wanted: corpus.article_index(wanted) for wanted in
             ("r4999", "last", "big-2001", 'café "quoted"', "4000", "دير", "inner", "r1000", "nowhere")}
    assert found == {"r4999": 4_999, "last": 1_000, "big-2001": 2_000, 'café "quoted"': 3_000, "4000": 4_000,
                     "دير": 4_500, "inner": None, "r1000": None, "nowhere": None}
    assert [corpus.article(index).id for index in (1_000, 2_000, 3_000, 4_000)] == ["last", "big-2001",
                                                                                   'café "quoted"', "4000"]


def test_ids_made_from_line_numbers_count_blank_lines_and_skipped_records(tmp_path: Path, opened: list[Corpus]) -> None:
    broken = '{"text": broken'
    lines: list[str] = []
    for number in range(3_000):
        lines.append(json.dumps({"text": f"Record {number}."}) if number != 1_500 else broken)
        lines += [""] * (number % 7 == 0) + ["  "] * (number % 500 == 0)
    big = write_bytes(tmp_path / "big.jsonl", ("\n".join(lines) + "\n").encode())
    expected = [f"big-{line}" for line, text in enumerate(lines, start=1) if text.strip() and text != broken]
    corpus = open_corpus(opened, big, full_check_bytes=1024)
    assert [article.id for article in corpus] == expected
    assert len(corpus.problems) == 1 and corpus.problems[0].startswith(f"{big}:{lines.index(broken) + 1}:")
    assert [corpus.article_index(wanted) for wanted in (expected[0], expected[1_499], expected[1_500], expected[-1])] \
        == [0, 1_499, 1_500, len(expected) - 1]


def test_with_index_later_nothing_is_indexed_until_asked_for(tmp_path: Path, opened: list[Corpus]) -> None:
    path = write_records(tmp_path / "big.jsonl", 50_000)
    corpus = Corpus([path], full_check_bytes=1024, index_later=True)
    opened.append(corpus)
    first_block = corpus.article_count
    assert 0 < first_block < 50_000 and corpus.article(0).id == "r0"
    assert not corpus.wait_until_indexed(timeout=0) or corpus.article_count == 50_000  # waiting starts it
    assert corpus.article(49_999).id == "r49999" and corpus.article_count == 50_000
    later = Corpus([path], full_check_bytes=1024, index_later=True)
    opened.append(later)
    later.start_indexing()
    assert later.wait_until_indexed(timeout=60) and later.article_index("r45000") == 45_000


def test_the_index_of_a_large_file_costs_a_few_bytes_an_article(tmp_path: Path, opened: list[Corpus]) -> None:
    count = 200_000
    path = write_records(tmp_path / "big.jsonl", count)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        corpus = open_corpus(opened, path, full_check_bytes=1024)
        assert corpus.wait_until_indexed(timeout=120)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert corpus.article_count == count
    assert held / count < 6  # an id hash (4 bytes) and a sampled offset (half a byte); nothing else per record


def test_the_index_samples_one_start_in_a_stretch_of_records_or_of_bytes() -> None:
    """Starts are kept as 8-byte numbers (no file is too large), one per SAMPLE_RECORDS records or sooner."""
    from annotator.core.corpus import SAMPLE_BYTES, SAMPLE_RECORDS, _Offsets

    gib4 = 1 << 32
    offsets = _Offsets()
    offsets.extend([100 * n for n in range(SAMPLE_RECORDS * 2 + 1)])  # short records: one start in SAMPLE_RECORDS
    offsets.extend([3 * gib4 + SAMPLE_BYTES * n for n in range(3)])  # long ones (and past 4 GiB): each is sampled
    assert offsets.count == SAMPLE_RECORDS * 2 + 4
    two, last = SAMPLE_RECORDS * 2, SAMPLE_RECORDS * 2 + 3
    assert [offsets.sample_before(n) for n in (0, SAMPLE_RECORDS - 1, SAMPLE_RECORDS, two)] == \
        [(0, 0, SAMPLE_RECORDS), (0, 0, SAMPLE_RECORDS), (SAMPLE_RECORDS, 100 * SAMPLE_RECORDS, two),
         (two, 100 * two, two + 1)]
    assert offsets.sample_before(last) == (last, 3 * gib4 + 2 * SAMPLE_BYTES, last + 1)  # the next: the count


def test_records_between_samples_are_read_exactly_whatever_their_lines(tmp_path: Path, opened: list[Corpus]) -> None:
    """Records not sampled are found by reading lines from the sample before: blank lines of every kind,
    records starting with spaces, lines longer than a read, CRLF, and a last line without a newline."""
    from annotator.core.corpus import SAMPLE_BYTES, SCAN_BYTES

    lines: list[str] = []
    expected: list[str] = []
    for number in range(2_000):
        text = f"Record {number}." + (" long" * (SCAN_BYTES // 2) if number % 97 == 0 else "")
        line = json.dumps({"id": f"r{number}", "text": text})
        lines.append(("  \t" + line) if number % 13 == 0 else line)
        expected.append(f"r{number}")
        if number % 11 == 0:
            lines.append(["", "  ", "\t\r", " " * (SCAN_BYTES + 5), "\x0b\x0c"][number % 5])
    big = write_bytes(tmp_path / "big.jsonl", ("\r\n".join(lines[:1_000]) + "\n" + "\n".join(lines[1_000:])).encode())
    assert big.stat().st_size > 20 * SAMPLE_BYTES
    corpus = open_corpus(opened, big, full_check_bytes=1024)
    assert corpus.wait_until_indexed(timeout=60) and corpus.article_count == len(expected)
    backwards = [corpus.article(index).id for index in reversed(range(len(expected)))]
    assert backwards == expected[::-1]
    assert [article.id for article in corpus] == expected
    assert [corpus.article_index(wanted) for wanted in ("r0", "r13", "r97", "r1000", "r1999")] == [0, 13, 97, 1_000, 1_999]
    assert corpus.article(97).text.endswith(" long") and corpus.problems == []


def test_a_broken_record_that_is_a_sample_is_skipped_like_any_other(tmp_path: Path, opened: list[Corpus]) -> None:
    from annotator.core.corpus import SAMPLE_RECORDS

    broken = {0: "{broken", SAMPLE_RECORDS: "{broken", SAMPLE_RECORDS + 1: "{broken", 999: "{broken"}
    path = write_records(tmp_path / "big.jsonl", 1_000, broken=broken)
    corpus = open_corpus(opened, path, full_check_bytes=1024)
    assert corpus.wait_until_indexed(timeout=60)
    ids = [article.id for article in corpus]
    assert ids == [f"r{n}" for n in range(1_000) if n not in broken]
    assert corpus.article(SAMPLE_RECORDS - 1).id == f"r{SAMPLE_RECORDS + 2}"  # three skipped before it
    assert [problem.split(":")[1] for problem in corpus.problems] == ["1", str(SAMPLE_RECORDS + 1),
                                                                     str(SAMPLE_RECORDS + 2), "1000"]
    assert corpus.article_index("r998") == 995 and corpus.article_index(f"r{SAMPLE_RECORDS}") is None


def test_paragraphs_held_by_a_large_file_are_found_by_their_ids_hashes(tmp_path: Path, opened: list[Corpus]) -> None:
    path = write_records(tmp_path / "big.jsonl", 5_000, broken={4_000: '{"id": "r4000", "text": 4}'})
    corpus = open_corpus(opened, path, full_check_bytes=1024)
    assert corpus.wait_until_indexed(timeout=60)
    assert corpus.article(4_000).id == "r4001"  # r4000 read, refused and skipped
    wanted = ["r0#0", "r4999#1", "r4999#5", "r4000#0", "elsewhere#0", "r12#0"]
    assert corpus.paragraphs_held(wanted) == {"r0#0", "r4999#1", "r4999#5", "r12#0"}  # any index of an article not read
