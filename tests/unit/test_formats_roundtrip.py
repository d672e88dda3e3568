"""Each format gives back the spans it was given, offsets exact after emoji, Arabic and CRLF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.core.corpus import Paragraph
from annotator.core.records import to_record
from annotator.core.spans import EMPTY, Relation, add_relation, add_span, decide, span_over_chars
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize

SCHEMA_REF = {"name": "news-conflict", "version": "1"}
TEXTS = [
    "Iraq 🇮🇶 strikes: US officials said 16 fighters died in Deir el-Zour.",
    "قالت وزارة الدفاع إن 3 جنود قتلوا في بغداد.",
    "Line one 😀\r\nline two, in Syria.",
]
SPANS: list[list[tuple[str, str, dict[str, Any]]]] = [
    [("Iraq", "LOCATION", {"kind": "country"}), ("US officials said", "ATTRIBUTION", {"polarity": "asserts"}),
     ("US officials", "ACTOR", {"type": "state_forces"}),
     ("16 fighters", "CASUALTY", {"count": 16, "status": "killed"}), ("Deir el-Zour", "LOCATION", {})],
    [("وزارة الدفاع", "ACTOR", {}), ("3 جنود", "CASUALTY", {"count": 3, "status": "killed"}),
     ("بغداد", "LOCATION", {"kind": "city"})],
    [("one 😀\r\nline", "ACTOR", {}), ("Syria", "LOCATION", {})],
]
SEPARATOR = "\n\n"


def make_store(path: Path, answers: tuple[str | None, ...] = ("accept", "accept", "accept")) -> Path:
    """Article `mix`: three paragraphs separated by blank lines, with overlaps, attributes, a relation."""
    offset = 0
    with Store(path) as store:
        for index, (text, spans, answer) in enumerate(zip(TEXTS, SPANS, answers)):
            tokens = tokenize(text)
            annotation = EMPTY
            for piece, label, attributes in spans:
                start = text.index(piece)
                annotation = add_span(annotation, span_over_chars(
                    tokens, start, start + len(piece), label, text, attributes=tuple(sorted(attributes.items()))))
            if index == 0:
                ids = {span.label: span.id for span in annotation.spans}
                annotation = add_relation(annotation, Relation("source", ids["ATTRIBUTION"], ids["ACTOR"]))
            annotation = decide(annotation, answer)
            paragraph = Paragraph("mix", index, text, offset, str(path.parent / "mix.txt"))
            store.append(to_record(paragraph, tokens, annotation, schema_ref=SCHEMA_REF, annotator="t", timestamp=1))
            offset += len(text) + len(SEPARATOR)
    return path


def spans_of(store: Path, with_attributes: bool = False) -> set[tuple[Any, ...]]:
    out = set()
    for record in read_store(store).latest.values():
        for span in record["spans"]:
            key: tuple[Any, ...] = (record["id"], span["start"], span["end"], span["label"], span["text"])
            if with_attributes:
                key += (json.dumps(span.get("attributes") or {}, sort_keys=True),)
            out.add(key)
    return out


def relations_of(store: Path) -> set[tuple[str, str, str, str]]:
    out = set()
    for record in read_store(store).latest.values():
        by_id = {span["id"]: span["text"] for span in record["spans"]}
        out |= {(record["id"], r["label"], by_id[r["head_id"]], by_id[r["child_id"]]) for r in record["relations"]}
    return out


def run(*argv: str) -> None:
    assert main([str(arg) for arg in argv]) == 0


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store.jsonl")


@pytest.mark.parametrize("format_name, out_name", [
    ("jsonl", "out.jsonl"), ("doccano", "out.doccano.jsonl"), ("label-studio", "tasks.json"), ("brat", "brat"),
])
def test_round_trip_gives_back_the_same_spans_attributes_and_relations(
        tmp_path: Path, store: Path, format_name: str, out_name: str) -> None:
    out = tmp_path / out_name
    run("export", store, "--format", format_name, "--out", out)
    back = tmp_path / "back.jsonl"
    run("import", out, "--format", format_name, "--out", back, "--annotator", "importer")
    assert spans_of(back) == spans_of(store)
    assert relations_of(back) == relations_of(store)
    if format_name != "doccano":  # doccano has no span attributes
        assert spans_of(back, with_attributes=True) == spans_of(store, with_attributes=True)
    stored = read_store(store).latest
    for record in read_store(back).latest.values():
        if format_name == "jsonl":  # a Prodigy-style `answer` is the paragraph's decision, its spans the annotator's
            assert record["_status"] == "done" and record["answer"] == stored[record["id"]]["answer"]
            assert all(not span.get("suggested") and span["source"] == "import:jsonl" for span in record["spans"])
            continue
        assert record["_status"] == "in_progress" and "answer" not in record
        assert all(span["suggested"] and span["source"] == f"import:{format_name}" for span in record["spans"])


@pytest.mark.parametrize("unit", ["utf16", "codepoints"])
def test_doccano_offsets_count_utf16_units_by_default(tmp_path: Path, store: Path, unit: str) -> None:
    out = tmp_path / "out.jsonl"
    run("export", store, "--format", "doccano", "--out", out, *(["--offsets", unit] if unit == "codepoints" else []))
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    text = first["text"]
    syria_like = next(e for e in first["entities"] if e["label"] == "ACTOR")
    start, end = syria_like["start_offset"], syria_like["end_offset"]
    if unit == "utf16":  # the flag 🇮🇶 is two code points beyond U+FFFF: four UTF-16 units
        encoded = text.encode("utf-16-le")
        assert encoded[start * 2:end * 2].decode("utf-16-le") == "US officials"
    else:
        assert text[start:end] == "US officials"


def test_doccano_import_of_foreign_utf16_offsets(tmp_path: Path) -> None:
    text = "😀😀 Syria"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": text, "label": [[5, 10, "LOCATION"]]}) + "\n", encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", source, "--format", "doccano", "--out", back)
    (record,) = read_store(back).latest.values()
    assert [(s["text"], s["start"]) for s in record["spans"]] == [("Syria", 3)]


def test_conll_round_trip_keeps_labels_and_words(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out)
    back = tmp_path / "back.jsonl"
    run("import", out, "--format", "conll", "--out", back)
    expected = {(label, " ".join(piece.split())) for spans in SPANS for piece, label, _ in spans
                if label != "ATTRIBUTION"}  # the overlapping ATTRIBUTION loses to the longest... see below
    got = {(span[3], span[4]) for span in spans_of(back)}
    # "US officials said" is the longest of the overlapping pair, so it is the one kept.
    assert got == (expected - {("ACTOR", "US officials")}) | {("ATTRIBUTION", "US officials said")}


def test_conll_bilou_and_blocks(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out, "--scheme", "bilou")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "-DOCSTART- -X- O O"
    assert "Iraq U-LOCATION" in lines and "Deir B-LOCATION" in lines and "el-Zour L-LOCATION" in lines
    assert lines.count("") == 1 + len(TEXTS)  # after DOCSTART and after each paragraph
    assert not any("\r" in line or "\t" in line or line.startswith(" ") for line in lines)


def test_conll_columns_split_on_one_space_like_the_docstart_line(tmp_path: Path, store: Path) -> None:
    """Readers split every line on one separator (nltk's ConllCorpusReader, CoNLL-2003 scripts);
    a tab-separated body under the space-separated `-DOCSTART- -X- O O` gave nltk one column."""
    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out)
    rows = [line.split(" ") for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert rows[0] == ["-DOCSTART-", "-X-", "O", "O"]
    assert {len(row) for row in rows[1:]} == {2}
    assert ["said", "I-ATTRIBUTION"] in rows


def make_gapped_store(path: Path) -> Path:
    """Article `mix` with its middle paragraph rejected: an article export leaves a hole there."""
    return make_store(path, answers=("accept", "reject", "accept"))


@pytest.mark.parametrize("format_name", ["jsonl", "doccano", "label-studio"])
def test_article_level_import_gives_back_paragraph_ids(tmp_path: Path, format_name: str) -> None:
    """An article document read back is cut into its paragraphs again, with their own ids, even
    where a paragraph that was not exported left a gap (jsonl used to make one paragraph of the
    whole article; doccano and Label Studio numbered the paragraphs after the gap anew)."""
    store = make_gapped_store(tmp_path / "store.jsonl")
    out = tmp_path / "articles.json"
    run("export", store, "--format", format_name, "--level", "article", "--out", out)
    back = tmp_path / "back.jsonl"
    run("import", out, "--format", format_name, "--out", back)
    accepted = {key for key in spans_of(store) if key[0] != "mix#1"}
    assert spans_of(back) == accepted
    stored = read_store(store).latest
    for record_id, record in read_store(back).latest.items():
        assert record["text"] == stored[record_id]["text"]
        assert record["meta"]["char_offset"] == stored[record_id]["meta"]["char_offset"]


def test_prodigy_style_line_without_id_is_cut_into_paragraphs(tmp_path: Path) -> None:
    source = tmp_path / "wire.jsonl"
    text = "Shelling hit Aleppo.\n\nTwo died in Homs."
    source.write_text(json.dumps({"text": text, "spans": [{"start": 34, "end": 38, "label": "LOCATION"}]}) + "\n",
                      encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", source, "--format", "jsonl", "--out", back)
    latest = read_store(back).latest
    assert sorted(latest) == ["wire-1#0", "wire-1#1"]
    assert [(s["text"], s["start"]) for s in latest["wire-1#1"]["spans"]] == [("Homs", 12)]


def test_import_keeps_a_span_that_cuts_a_word_where_it_is_and_names_it(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11: imports never move a span. A span cutting "Homs" used to be widened to the word (a
    gold "bcr" and "abl" became one "bcr-abl"); it keeps its offsets, its tokens cover it, and it is named."""
    source = tmp_path / "pred.jsonl"
    source.write_text(json.dumps({"id": "w#0", "text": "Two died in Homs.", "spans": [
        {"start": 13, "end": 15, "label": "LOCATION"}]}) + "\n", encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", source, "--format", "jsonl", "--out", back)
    (record,) = read_store(back).latest.values()
    assert [(s["text"], s["start"], s["end"], s["token_start"], s["token_end"]) for s in record["spans"]] == [
        ("om", 13, 15, 3, 3)]
    err = capsys.readouterr().err
    assert "w#0 [13, 15)" in err and "kept exactly as they are" in err


def test_model_predictions_import_with_scores(tmp_path: Path) -> None:
    source = tmp_path / "predictions.jsonl"
    line = {"id": "wire#0", "text": "Shelling hit Aleppo.", "spans": [{"start": 13, "end": 19, "label": "LOCATION",
                                                                        "score": 0.87}]}
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", source, "--format", "jsonl", "--out", back, "--model", "ner-v3")
    (record,) = read_store(back).latest.values()
    (span,) = record["spans"]
    assert (span["text"], span["score"], span["source"], span["suggested"]) == ("Aleppo", 0.87, "model:ner-v3", True)


def test_import_refuses_existing_ids_unless_merge(tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "predictions.jsonl"
    source.write_text(json.dumps({"id": "mix#2", "text": TEXTS[2], "spans": [
        {"start": 0, "end": 4, "label": "ACTOR"}]}) + "\n", encoding="utf-8")
    before = store.read_bytes()
    assert main(["import", str(source), "--format", "jsonl", "--out", str(store)]) == 2
    assert "--merge" in capsys.readouterr().err
    assert store.read_bytes() == before
    run("import", source, "--format", "jsonl", "--out", store, "--merge")
    record = read_store(store).latest["mix#2"]
    assert record["answer"] == "accept"
    assert {span["text"] for span in record["spans"]} == {"Line", "one 😀\r\nline", "Syria"}


def test_bad_import_line_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "ok", "spans": []}\n{"text": 3}\n', encoding="utf-8")
    out = tmp_path / "store.jsonl"
    assert main(["import", str(source), "--format", "jsonl", "--out", str(out)]) == 2
    assert f"{source}:2:" in capsys.readouterr().err
    assert not out.exists() or out.read_bytes() == b""


def test_article_level_keeps_offsets_valid(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "articles.jsonl"
    run("export", store, "--format", "jsonl", "--level", "article", "--out", out)
    (article,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert article["text"] == SEPARATOR.join(TEXTS)
    for span in article["spans"]:
        assert article["text"][span["start"]:span["end"]] == span["text"]
        assert article["tokens"][span["token_start"]]["start"] <= span["start"]
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in article["tokens"]) == article["text"]


def test_article_level_copies_real_gaps_from_the_source(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store.jsonl")
    # the source separates paragraphs with CRLF blank lines: same length as "\n\n"? no: 4 characters
    (tmp_path / "mix.txt").write_bytes(SEPARATOR.join(TEXTS).replace("\n\n", " \n").encode("utf-8"))
    out = tmp_path / "articles.jsonl"
    run("export", store, "--format", "jsonl", "--level", "article", "--out", out)
    (article,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert article["text"] == SEPARATOR.join(TEXTS).replace("\n\n", " \n")


def test_exports_are_deterministic_and_only_accepted_by_default(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store.jsonl", answers=("accept", "reject", None))
    outputs = []
    for attempt in range(2):
        out = tmp_path / f"out{attempt}.jsonl"
        run("export", store, "--format", "jsonl", "--out", out)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert [json.loads(line)["id"] for line in outputs[0].splitlines()] == ["mix#0"]
    out = tmp_path / "all.jsonl"
    run("export", store, "--format", "jsonl", "--out", out, "--include", "rejected,unfinished")
    records = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert [r["id"] for r in records] == ["mix#0", "mix#1", "mix#2"]
    assert not any("_seq" in r or "_action" in r for r in records)


def test_brat_files_keep_offsets_with_crlf(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "brat"
    run("export", store, "--format", "brat", "--out", out)
    text = (out / "mix.txt").read_bytes().decode("utf-8")
    assert "\r\n" in text
    for line in (out / "mix.ann").read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            _, body, shown = line.split("\t")
            start, end = map(int, body.split()[1:])
            assert text[start:end].replace("\r", " ").replace("\n", " ") == shown
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]" in conf and "source\tArg1:ATTRIBUTION, Arg2:ACTOR" in conf
    assert "#1\tAnnotatorNotes" in (out / "mix.ann").read_text(encoding="utf-8")
    assert "bgColor:" in (out / "visual.conf").read_text(encoding="utf-8")


def test_label_studio_config_lists_labels_and_attributes(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "tasks.json"
    run("export", store, "--format", "label-studio", "--out", out)
    import xml.etree.ElementTree as ElementTree

    config = ElementTree.fromstring((tmp_path / "tasks.label_config.xml").read_text(encoding="utf-8"))
    assert [label.get("value") for label in config.iter("Label")][:4] == ["ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION"]
    assert any(element.get("name") == "CASUALTY_count" for element in config.iter("Number"))
    tasks = json.loads(out.read_text(encoding="utf-8"))
    for task in tasks:
        for result in task["annotations"][0]["result"]:
            if result["type"] == "labels":
                value = result["value"]
                assert task["data"]["text"][value["start"]:value["end"]] == value["text"]


def test_label_studio_import_converts_old_utf16_offsets(tmp_path: Path) -> None:
    text = "😀 Attack in Homs."
    task = {"id": 7, "data": {"text": text, "record_id": "wire#0"}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 13, "end": 17, "text": "Homs", "labels": ["LOCATION"]}},  # UTF-16: the emoji counts 2
        {"id": "a", "from_name": "LOCATION_kind", "to_name": "text", "type": "choices",
         "value": {"start": 13, "end": 17, "choices": ["city"]}},
    ]}]}
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps([task]), encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", source, "--format", "label-studio", "--out", back)
    (record,) = read_store(back).latest.values()
    assert [(s["text"], s["start"], s.get("attributes")) for s in record["spans"]] == [("Homs", 12, {"kind": "city"})]


def test_article_level_reads_a_relative_source_beside_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store.jsonl"
    offset = 0
    with Store(store) as writer:
        for index, text in enumerate(["First para.", "Second para."]):
            paragraph = Paragraph("rel", index, text, offset, "rel.txt")
            writer.append(to_record(paragraph, tokenize(text), decide(EMPTY, "accept"), schema_ref=SCHEMA_REF,
                                    annotator="t", timestamp=1))
            offset += len(text) + 4
    (tmp_path / "rel.txt").write_bytes(b"First para.\r\n\r\nSecond para.\r\n")
    monkeypatch.chdir(tmp_path.parent)
    out = tmp_path / "articles.jsonl"
    run("export", store, "--format", "jsonl", "--level", "article", "--out", out)
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == "First para.\r\n\r\nSecond para."


def test_foreign_brat_folder_with_notes_and_discontinuous_span(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    text = "Gunmen killed 5 villagers in Kano.\r\n\r\nPolice said 2 more died."
    (folder / "kano.txt").write_bytes(text.encode("utf-8"))
    (folder / "kano.ann").write_text(
        "T1\tCASUALTY 14 25\t5 villagers\n#1\tAnnotatorNotes T1\tcount=5; remark=\"a; b\"\nA1\tstatus T1 killed\n"
        "T2\tLOCATION 29 33\tKano\nT3\tACTOR 38 44;50 52\tPolice 2\nR1\tlocated_at Arg1:T1 Arg2:T2\n", encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", folder, "--format", "brat", "--out", back)
    latest = read_store(back).latest
    assert sorted(latest) == ["kano#0", "kano#1"]
    first = latest["kano#0"]
    assert [(s["text"], s.get("attributes")) for s in first["spans"]] == [
        ("5 villagers", {"count": 5, "remark": "a; b", "status": "killed"}), ("Kano", None)]
    assert [r["label"] for r in first["relations"]] == ["located_at"]
    # imports never move a span: the brat span ends on the space after "2" and keeps it (issue 11)
    assert latest["kano#1"]["spans"][0]["text"] == "Police said 2 " == text[38:52]
    err = capsys.readouterr().err
    assert "discontinuous span 38 44;50 52" in err and "kano#1 [0, 14) ACTOR" in err


@pytest.mark.parametrize("format_name", ["doccano", "label-studio"])
@pytest.mark.parametrize("unit", ["utf16", "codepoints"])
def test_either_offset_unit_round_trips(tmp_path: Path, store: Path, format_name: str, unit: str) -> None:
    out = tmp_path / "out.json"
    run("export", store, "--format", format_name, "--out", out, "--offsets", unit)
    back = tmp_path / "back.jsonl"
    run("import", out, "--format", format_name, "--out", back)
    assert spans_of(back) == spans_of(store)


def test_label_studio_predictions_keep_their_scores(tmp_path: Path) -> None:
    """A model's pre-annotations in Label Studio come as `predictions` with a score per region."""
    task = {"id": 3, "data": {"text": "Shelling hit Aleppo."}, "predictions": [{"model_version": "ner-v3", "result": [
        {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "score": 0.87,
         "value": {"start": 13, "end": 19, "text": "Aleppo", "labels": ["LOCATION"]}}]}]}
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps([task]), encoding="utf-8")
    back = tmp_path / "back.jsonl"
    run("import", source, "--format", "label-studio", "--out", back, "--model", "ner-v3")
    (record,) = read_store(back).latest.values()
    assert [(s["text"], s["score"], s["source"]) for s in record["spans"]] == [("Aleppo", 0.87, "model:ner-v3")]


#: a record tokenized by another tool (spaCy's merged entities, a tab kept inside a token, a lone
#: no-break space as a token): each token's whitespace must not reach a CoNLL line
FOREIGN_TEXT = "Troops left New York\tCity and\u00a0Deir ez-Zor."
FOREIGN_TOKENS = [("Troops", 0, 6), ("left", 7, 11), ("New York\tCity", 12, 25), ("and", 26, 29),
                  ("\u00a0", 29, 30), ("Deir ez-Zor", 30, 41), (".", 41, 42)]
FOREIGN_RECORD = {
    "id": "f#0", "text": FOREIGN_TEXT, "answer": "accept",
    "meta": {"article_id": "f", "paragraph": 0, "char_offset": 0, "source": "f.txt"},
    "tokens": [{"text": text, "start": start, "end": end, "id": n, "ws": FOREIGN_TEXT[end:end + 1] == " "}
               for n, (text, start, end) in enumerate(FOREIGN_TOKENS)],
    "spans": [{"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "ACTOR", "text": "Troops"},
              {"start": 12, "end": 25, "token_start": 2, "token_end": 2, "label": "LOCATION", "text": "New York\tCity"},
              {"start": 30, "end": 42, "token_start": 5, "token_end": 6, "label": "LOCATION", "text": "Deir ez-Zor."}],
}


@pytest.mark.parametrize("scheme", ["iob2", "bilou"])
def test_conll_writes_a_token_holding_whitespace_as_its_words_and_reads_the_spans_back(
        tmp_path: Path, scheme: str) -> None:
    store = tmp_path / "store.jsonl"
    store.write_text(json.dumps(FOREIGN_RECORD) + "\n", encoding="utf-8")
    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out, "--scheme", scheme)
    rows = [line.split(" ") for line in out.read_text(encoding="utf-8").splitlines()[2:] if line]
    last = "L" if scheme == "bilou" else "I"
    assert rows == [["Troops", "U-ACTOR" if scheme == "bilou" else "B-ACTOR"], ["left", "O"],
                    ["New", "B-LOCATION"], ["York", "I-LOCATION"], ["City", f"{last}-LOCATION"], ["and", "O"],
                    ["Deir", "B-LOCATION"], ["ez-Zor", "I-LOCATION"], [".", f"{last}-LOCATION"]]
    back = tmp_path / "back.jsonl"
    run("import", out, "--format", "conll", "--out", back)
    (record,) = read_store(back).latest.values()
    assert record["text"] == "Troops left New York City and Deir ez-Zor ."
    assert [(s["label"], s["text"]) for s in record["spans"]] == [
        ("ACTOR", "Troops"), ("LOCATION", "New York City"), ("LOCATION", "Deir ez-Zor .")]


def test_spacy_reads_a_token_holding_whitespace_as_one_entity(tmp_path: Path) -> None:
    """spaCy's own CoNLL reader (`spacy convert -c ner`) splits each line at whitespace, as every CoNLL reader does."""
    pytest.importorskip("spacy")
    from spacy.training.converters import conll_ner_to_docs

    store = tmp_path / "store.jsonl"
    store.write_text(json.dumps(FOREIGN_RECORD) + "\n", encoding="utf-8")
    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out)
    (doc,) = conll_ner_to_docs(out.read_text(encoding="utf-8"), n_sents=0, no_print=True)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("Troops", "ACTOR"), ("New York City", "LOCATION"), ("Deir ez-Zor .", "LOCATION")]
