"""Real variants of other tools' files (issue 11): every span, answer and relation comes in at its
exact offsets or is named on stderr; exports load whole in the tools that read them.

The fixtures in tests/fixtures/interop are written for these tests, each in one tool's variant:
brat (events, event attributes, equivalences, normalizations, notes; spans inside one of our
words), doccano (sequence labeling with UTF-16 offsets and comments, relation projects, the 1.0
`annotations` export, text categories), Label Studio (1.x exports with several annotators, a
cancelled annotation, predictions, a multi-label region, a `value.text` that disagrees; 0.x
`completions`; JSON-MIN), Prodigy (ner.manual with answers and token-index spans, ner.teach's
binary answers, rel.manual, textcat) and CoNLL (CoNLL-2003 in IOB1, seqeval's gold and predicted
columns, BIOES with `#` comments, BILOU).
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_formats_roundtrip import SCHEMA_REF, make_store, run

from annotator.cli import main
from annotator.core.corpus import Paragraph
from annotator.core.records import to_record
from annotator.core.schema import default_schema_path
from annotator.core.spans import EMPTY, Relation, add_relation, add_span, decide, span_over_chars
from annotator.core.store import Store, read_store
from annotator.core.tokens import tokenize

FIXTURES = Path(__file__).parent.parent / "fixtures" / "interop"


def imported(tmp_path: Path, name: str, format_name: str, capsys: pytest.CaptureFixture[str],
             *options: str) -> tuple[list[dict[str, Any]], str]:
    """Import fixture `name`; every record line written (in order) and stderr."""
    back = tmp_path / f"{Path(name).stem}.jsonl"
    run("import", FIXTURES / name, "--format", format_name, "--out", back, "--annotator", "importer", *options)
    return read_store(back).records, capsys.readouterr().err


def spans(record: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    return [(s["start"], s["end"], s["label"], s["text"]) for s in record["spans"]]


def relations(record: dict[str, Any]) -> set[tuple[str, str, str]]:
    text = {s["id"]: s["text"] for s in record["spans"]}
    return {(r["label"], text[r["head_id"]], text[r["child_id"]]) for r in record["relations"]}


# --- brat ---------------------------------------------------------------------------------------


def test_brat_events_attributes_equivalences_normalizations_and_notes(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """brat's own news tutorial used to be refused (an attribute on an event); events, equivalences,
    normalizations and notes vanished without a word."""
    records, err = imported(tmp_path, "brat-events", "brat", capsys)
    text = (FIXTURES / "brat-events" / "kirkuk.txt").read_text(encoding="utf-8")
    by_id = {r["id"]: r for r in records}
    stored = {(s["start"] + by_id[r]["meta"]["char_offset"], s["end"] + by_id[r]["meta"]["char_offset"], s["label"])
              for r in by_id for s in by_id[r]["spans"]}
    in_file = set()
    for line in (FIXTURES / "brat-events" / "kirkuk.ann").read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            label, start, end = line.split("\t")[1].split()
            in_file.add((int(start), int(end), label))
            assert text[int(start):int(end)] == line.split("\t")[2]
    assert stored == in_file  # every T at its exact offsets
    first = by_id["kirkuk#0"]
    assert relations(first) == {("Attacker", "attacked", "Militants"), ("Place", "attacked", "Kirkuk"),
                                ("Victim", "killing", "three soldiers"), ("Cause", "killing", "attacked")}
    attributes = {s["text"]: s.get("attributes") for s in first["spans"]}
    assert attributes["killing"] == {"Negation": True}  # an attribute of event E2, on its trigger
    assert attributes["attacked"] == {"Certainty": "High", "note": "claimed by no group"}
    assert attributes["Kirkuk"] == {"normalization": "GeoNames:94787"}
    assert attributes["three soldiers"] == {"count": 3, "status": "killed"}
    assert relations(by_id["kirkuk#1"]) == {("source", "The Iraqi army", "the attackers")}
    for named in ("kirkuk.ann:16: attribute Confidence is on relation R1",
                  "kirkuk.ann:19: T3 already has the normalization GeoNames:94787",
                  "kirkuk.ann:22: the note on R1", "relation Equiv T7 -> T1 links spans in different paragraphs"):
        assert named in err


def test_brat_spans_inside_one_word_keep_their_offsets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A gold "bcr" and "abl" used to become one "bcr-abl" (labels not in the schema snapped to whole words)."""
    (record,), err = imported(tmp_path, "brat-adjacent", "brat", capsys)
    assert spans(record) == [(4, 7, "Gene", "bcr"), (8, 11, "Gene", "abl"), (51, 55, "LOCATION", "Qaim")]
    assert "3 span(s) do not start and end on a word edge" in err and "fusion#0 [4, 7) Gene" in err
    assert "labels not in the schema news-conflict: Gene" in err


def test_brat_event_without_its_trigger_is_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.txt").write_text("Shelling hit Homs.", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tLOCATION 13 17\tHoms\nE1\tAttack:T9 Place:T1\n", encoding="utf-8")
    store = tmp_path / "store.jsonl"
    assert main(["import", str(folder), "--format", "brat", "--out", str(store)]) == 2
    err = capsys.readouterr().err
    assert f"{folder / 'a.ann'}:2: cannot read this event" in err and "Traceback" not in err
    assert not store.exists() or store.read_bytes() == b""


# --- doccano ------------------------------------------------------------------------------------


def test_doccano_variants(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records, err = imported(tmp_path, "doccano-sequence.jsonl", "doccano", capsys)
    assert [spans(r) for r in records] == [
        [(13, 19, "LOCATION", "Aleppo"), (26, 31, "LOCATION", "Idlib")],  # UTF-16 offsets after the emoji
        [(0, 13, "CASUALTY", "Two civilians"), (22, 26, "LOCATION", "Homs")]]
    assert records[0]["note"] == "check the emoji offsets" and records[0]["meta"]["source_id"] == 11
    (record,), _ = imported(tmp_path, "doccano-relations.jsonl", "doccano", capsys)
    assert relations(record) == {("source", "Police said", "Police")}
    (record,), err = imported(tmp_path, "doccano-v1.jsonl", "doccano", capsys)
    assert spans(record) == [(0, 6, "4", "Gunmen"), (19, 23, "2", "Kano")]
    assert "label ids (doccano 1.0 export)" in err and record["meta"]["source_meta"] == {"batch": "b3"}
    (record,), err = imported(tmp_path, "doccano-categories.jsonl", "doccano", capsys)
    assert record["spans"] == [] and "doccano-categories.jsonl:1: text categor(ies) peaceful not imported" in err


def test_doccano_export_has_one_shape_per_file(tmp_path: Path) -> None:
    """A store where only some records have relations used to give a file of two shapes, and doccano
    read about half the spans whichever project type it was."""
    store = make_store(tmp_path / "store.jsonl")  # only mix#0 has a relation
    out = tmp_path / "out.jsonl"
    run("export", store, "--format", "doccano", "--out", out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(set(line) == {"text", "entities", "relations", "meta"} for line in lines)
    expected = [len(r["spans"]) for r in read_store(store).latest.values()]
    assert [len(line["entities"]) for line in lines] == expected
    run("export", store, "--format", "doccano", "--out", out, "--doccano-shape", "label")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(set(line) == {"text", "label", "meta"} for line in lines)
    assert [len(line["label"]) for line in lines] == expected
    plain = tmp_path / "plain.jsonl"
    with Store(plain) as writer:  # no relation anywhere: sequence labeling's shape
        text = "Shelling hit Homs."
        annotation = decide(add_span(EMPTY, span_over_chars(tokenize(text), 13, 17, "LOCATION", text)), "accept")
        writer.append(to_record(Paragraph("p", 0, text, 0, "p.txt"), tokenize(text), annotation, schema_ref=SCHEMA_REF,
                                annotator="t", timestamp=1))
    run("export", plain, "--format", "doccano", "--out", out)
    assert json.loads(out.read_text(encoding="utf-8"))["label"] == [[13, 17, "LOCATION"]]


# --- Label Studio -------------------------------------------------------------------------------


def test_label_studio_annotators_cancelled_predictions_multi_labels(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A cancelled annotation used to hide the task's other annotations and its predictions; a region
    with two labels kept one; a value.text that disagrees was taken silently."""
    records, err = imported(tmp_path, "label-studio-export.json", "label-studio", capsys)
    assert [(r["id"], r["_annotator_id"], r["meta"].get("annotation_id"))
            for r in records] == [("label-studio-export-101#0", "user-1", 1),
                                  ("label-studio-export-101#0", "carol@example.org", 3),
                                  ("label-studio-export-102#0", "importer", None)]
    first, carol, predicted = records
    assert spans(first) == [(0, 17, "ATTRIBUTION", "US officials said"), (0, 12, "ACTOR", "US officials"),
                            (18, 29, "CASUALTY", "16 fighters"), (38, 49, "ACTOR", "Deir ez-Zor"),
                            (38, 49, "LOCATION", "Deir ez-Zor")]
    assert first["spans"][1]["attributes"] == {"type": "state_forces"}
    assert relations(first) == {("source", "US officials said", "US officials")}
    assert first["meta"]["source_id"] == 101 and first["meta"]["source_meta"] == {"batch": "week-3"}
    assert spans(carol) == [(18, 29, "CASUALTY", "16 fighters")]
    assert [(s["text"], s["score"]) for s in predicted["spans"]] == [("Homs", 0.91)]
    for named in ("task 101: 1 cancelled annotation(s) skipped (id 2)", "task 102: 1 cancelled annotation(s) skipped",
                  "task 101: 1 prediction(s) not imported: the task has annotations",
                  "task 101, annotation 3, region c1: value.text '16 militants' differs",
                  "result relevance (choices) about the whole text is not imported",
                  "ACTOR [38, 49) overlaps LOCATION [38, 49)"):
        assert named in err


@pytest.mark.parametrize(("choice", "annotators"), [("first", ["user-1"]), ("latest", ["carol@example.org"])])
def test_label_studio_first_or_latest_annotation(tmp_path: Path, capsys: pytest.CaptureFixture[str], choice: str,
                                                 annotators: list[str]) -> None:
    records, err = imported(tmp_path, "label-studio-export.json", "label-studio", capsys, "--annotations", choice)
    assert [r["_annotator_id"] for r in records if r["id"].endswith("101#0")] == annotators
    assert f"1 other annotation(s) not imported (--annotations {choice})" in err


def test_label_studio_0x_completions_and_json_min(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 0.x `completions` key used to give 0 spans."""
    (record,), _ = imported(tmp_path, "label-studio-0x.json", "label-studio", capsys)
    assert spans(record) == [(16, 21, "LOCATION", "Erbil")]
    (record,), _ = imported(tmp_path, "label-studio-min.json", "label-studio", capsys)
    assert spans(record) == [(14, 19, "LOCATION", "Sanaa")]
    assert record["_annotator_id"] == "dana@example.org" and record["meta"]["annotation_id"] == 90


def test_label_studio_config_is_named_after_its_tasks_file(tmp_path: Path) -> None:
    """One fixed name meant a second export into the folder replaced the first one's config."""
    store = make_store(tmp_path / "store.jsonl")
    run("export", store, "--format", "label-studio", "--out", tmp_path / "week1.json")
    run("export", store, "--format", "label-studio", "--out", tmp_path / "week2.json", "--include", "rejected")
    assert (tmp_path / "week1.label_config.xml").is_file() and (tmp_path / "week2.label_config.xml").is_file()


def test_label_studio_export_converts_with_label_studio_converter(tmp_path: Path) -> None:
    """Label Studio's own converter reads our tasks with our config: every span comes out in CoNLL."""
    converter = pytest.importorskip("label_studio_converter")
    store = make_store(tmp_path / "store.jsonl")
    out = tmp_path / "tasks.json"
    run("export", store, "--format", "label-studio", "--out", out)
    convert = converter.Converter(str(tmp_path / "tasks.label_config.xml"), str(tmp_path), download_resources=False)
    convert.convert_to_json_min(str(out), str(tmp_path / "min"), is_dir=False)
    rows = json.loads(next((tmp_path / "min").glob("*.json")).read_text(encoding="utf-8"))
    records = list(read_store(store).latest.values())
    assert [sorted((r["start"], r["end"], r["labels"][0]) for r in row["label"]) for row in rows] == [
        sorted((s["start"], s["end"], s["label"]) for s in record["spans"]) for record in records]


# --- Prodigy ------------------------------------------------------------------------------------


def test_prodigy_answers_become_decisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records, _ = imported(tmp_path, "prodigy-ner-manual.jsonl", "jsonl", capsys)
    assert [(r["answer"], r["_status"], r["_annotator_id"]) for r in records] == [
        ("accept", "done", "news-ner-alice"), ("reject", "done", "news-ner-alice"), ("ignore", "done", "news-ner-alice")]
    assert spans(records[0]) == [(0, 14, "ACTOR", "Kurdish forces"), (22, 28, "LOCATION", "Sinjar"),
                                 (34, 38, "ACTOR", "ISIS")]  # the second given by token indices alone
    assert not any(span.get("suggested") for record in records for span in record["spans"])
    assert records[0]["meta"]["source"] == "wire-0412" and records[0]["meta"]["source_meta"]["_task_hash"] == 112


def test_prodigy_rejected_binary_spans_never_become_suggestions(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """1,291 spans an annotator rejected in an ner.teach dataset used to become suggestions, then training data."""
    records, err = imported(tmp_path, "prodigy-ner-teach.jsonl", "jsonl", capsys)
    first, second = records
    assert spans(first) == [(0, 12, "ACTOR", "Turkish jets"), (20, 26, "LOCATION", "Qandil")]
    assert not any(span.get("suggested") for span in first["spans"]) and "answer" not in first
    assert [(s["text"], s["label"]) for s in first["meta"]["rejected_spans"]] == [("Makhmour", "ACTOR"),
                                                                                 ("jets bombed", "ACTOR")]
    assert [(s["text"], s["label"]) for s in first["meta"]["ignored_spans"]] == [("Makhmour", "LOCATION")]
    assert first["meta"]["source_meta"] == {"_input_hash": 201, "_view_id": "ner"}
    assert second["spans"] == [] and second["meta"]["rejected_spans"][0]["text"] == "names"
    assert "6 binary answer(s)" in err and "2 accepted span(s) kept as spans, 3 rejected and 1 ignored" in err
    out = tmp_path / "train.jsonl"
    run("export", tmp_path / "prodigy-ner-teach.jsonl", "--format", "conll", "--out", out, "--include", "unfinished")
    assert "Makhmour O" in out.read_text(encoding="utf-8")


def test_prodigy_rel_manual_relations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """rel.manual relations (head/child with head_span/child_span) used to be refused."""
    (record,), err = imported(tmp_path, "prodigy-rel-manual.jsonl", "jsonl", capsys)
    assert relations(record) == {("source", "Officials said", "militias"), ("located_at", "militias", "Tal Afar")}
    assert (32, 40, "LOCATION", "Tal Afar") in spans(record)  # a relation's end that was not among the spans
    assert "relation 2: its head is a bare token (24-31) without a label" in err


def test_prodigy_text_categories_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (record,), err = imported(tmp_path, "prodigy-textcat.jsonl", "jsonl", capsys)
    assert record["spans"] == [] and "text category 'ECONOMY' (answer accept) is not imported" in err


# --- CoNLL --------------------------------------------------------------------------------------


def test_conll_iob1_bioes_bilou_and_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records, err = imported(tmp_path, "conll2003-iob1.txt", "conll", capsys)
    assert [spans(r) for r in records] == [
        [(0, 6, "ACTOR", "Gunmen"), (22, 26, "LOCATION", "Kano")],
        [(0, 6, "ACTOR", "Police"), (10, 16, "LOCATION", "Kaduna"), (17, 20, "LOCATION", "Jos")]]
    assert "as IOB1" in err
    records, err = imported(tmp_path, "conllu-bioes.conll", "conll", capsys)
    assert [spans(r) for r in records] == [[(0, 12, "ACTOR", "Israeli jets"), (20, 25, "LOCATION", "Rafah")],
                                           [(2, 7, "LOCATION", "#Gaza")]]  # "# O" is a token, "# sent_id" a comment
    assert "as BIOES" in err and "4 comment line(s) starting with # skipped" in err
    (record,), err = imported(tmp_path, "bilou.conll", "conll", capsys)
    assert spans(record) == [(0, 6, "ACTOR", "Troops"), (15, 28, "LOCATION", "New York City")] and "as BILOU" in err


def test_conll_tag_column_picks_gold_or_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A seqeval file with gold and prediction columns used to import the predictions."""
    gold, _ = imported(tmp_path, "seqeval-gold-pred.txt", "conll", capsys, "--tag-column", "2")
    assert [spans(r) for r in gold] == [[(0, 6, "ACTOR", "Rebels"), (14, 23, "LOCATION", "Al Qusayr")],
                                        [(0, 6, "ACTOR", "Troops")]]
    (tmp_path / "seqeval-gold-pred.jsonl").unlink()
    predicted, _ = imported(tmp_path, "seqeval-gold-pred.txt", "conll", capsys, "--tag-column", "-1")
    assert spans(predicted[0]) == [(0, 6, "ACTOR", "Rebels"), (14, 23, "ACTOR", "Al Qusayr"),
                                   (24, 29, "LOCATION", "today")]


def test_conll_bad_tag_names_the_schemes_and_the_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.conll"
    source.write_text("Troops NNS B-ACTOR\nleft VBD X-Y\n", encoding="utf-8")
    assert main(["import", str(source), "--format", "conll", "--out", str(tmp_path / "s.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{source}:2: 'X-Y' (column last) is not a tag of IOB1, IOB2, BIOES or BILOU" in err
    assert main(["import", str(source), "--format", "conll", "--out", str(tmp_path / "s.jsonl"), "--tag-column", "5"]) == 2
    assert f"{source}:1: has 3 columns, so there is no column 5" in capsys.readouterr().err
    assert not (tmp_path / "s.jsonl").exists() or (tmp_path / "s.jsonl").read_bytes() == b""


def test_conll_export_reads_in_seqeval_and_nltk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """seqeval finds the same entities in our tags as the spans we kept; nltk's reader sees every word."""
    seqeval = pytest.importorskip("seqeval.metrics.sequence_labeling")
    corpus = pytest.importorskip("nltk.corpus.reader")
    store = make_store(tmp_path / "store.jsonl")
    out = tmp_path / "out.conll"
    run("export", store, "--format", "conll", "--out", out)
    blocks = [b for b in out.read_text(encoding="utf-8").split("\n\n") if b.strip() and not b.startswith("-DOCSTART-")]
    for block, record in zip(blocks, read_store(store).latest.values()):
        words, tags = zip(*(line.split(" ") for line in block.strip("\n").split("\n")))
        found = {(label, " ".join(words[first:last + 1])) for label, first, last in seqeval.get_entities(list(tags))}
        kept = {(s["label"], " ".join(s["text"].split())) for s in record["spans"]}
        assert found <= kept and len(found) >= len(kept) - 1  # one of an overlapping pair is left out, and named
    import nltk

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path), *nltk.data.path])  # nltk reads only where it is told to
    reader = corpus.ConllCorpusReader(str(tmp_path), ["out.conll"], ("words", "pos"))
    assert list(reader.words()) == [line.split(" ")[0] for block in blocks for line in block.strip("\n").split("\n")]
    assert [tag for _, tag in reader.tagged_words()][:3] == ["B-LOCATION", "O", "O"]


# --- exports ------------------------------------------------------------------------------------


def test_renamed_labels_are_exported_under_their_new_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A label renamed with renamed_from used to be exported under its old name."""
    store = make_store(tmp_path / "store.jsonl")
    store.write_text(store.read_text(encoding="utf-8").replace('"label":"LOCATION"', '"label":"PLACE"'), encoding="utf-8")
    schema = tmp_path / "schema.yaml"
    schema.write_text(default_schema_path().read_text(encoding="utf-8").replace(
        "  - name: LOCATION\n", "  - name: LOCATION\n    renamed_from: [PLACE]\n", 1), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run("export", store, "--format", "jsonl", "--out", out, "--schema", schema)
    labels = {s["label"] for line in out.read_text(encoding="utf-8").splitlines() for s in json.loads(line)["spans"]}
    assert "PLACE" not in labels and "LOCATION" in labels
    err = capsys.readouterr().err
    assert "exported under its current name (the schema's renamed_from): PLACE -> LOCATION (4)" in err
    assert "not in the schema" not in err


def test_spacy_export_of_a_record_tokenized_by_another_tool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tokens that do not rebuild the text (another tool's) used to crash the export with a traceback."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    text = "Shelling hit Deir ez-Zor\ttoday."
    tokens = tokenize(text)
    annotation = add_span(EMPTY, span_over_chars(tokens, 13, 24, "LOCATION", text))
    annotation = add_span(annotation, span_over_chars(tokens, 0, 8, "ACTOR", text))
    annotation = decide(add_relation(annotation, Relation("located_at", "s2", "s1")), "accept")
    record = to_record(Paragraph("w", 0, text, 0, "w.txt"), tokens, annotation, schema_ref=SCHEMA_REF, annotator="t",
                       timestamp=1)
    # another tool's tokens: words only (no whitespace tokens), no `ws` flags, "ez-Zor" split in three
    words = [match for match in re.finditer(r"\w+|[^\w\s]", text)]
    record["tokens"] = [{"text": m.group(), "start": m.start(), "end": m.end(), "id": n} for n, m in enumerate(words)]
    for span in record["spans"]:
        span["token_start"] = next(n for n, m in enumerate(words) if m.start() == span["start"])
        span["token_end"] = next(n for n, m in enumerate(words) if m.end() == span["end"])
    store = tmp_path / "store.jsonl"
    store.write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out.spacy"
    assert main(["export", str(store), "--format", "spacy", "--out", str(out)]) == 0
    (doc,) = DocBin().from_disk(out).get_docs(spacy.blank("xx").vocab)
    assert doc.text == text
    assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]} == {(13, 24, "LOCATION"), (0, 8, "ACTOR")}
    assert "Traceback" not in capsys.readouterr().err


def test_stdin_import_and_stdout_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    line = json.dumps({"id": "w#0", "text": "Two died in Homs.", "spans": [{"start": 12, "end": 16, "label": "LOCATION"}]})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((line + "\n{bad\n").encode())))
    store = tmp_path / "store.jsonl"
    assert main(["import", "-", "--format", "jsonl", "--out", str(store)]) == 2
    assert "annotator: -:2: not valid JSON" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((line + "\n").encode())))
    assert main(["import", "-", "--format", "jsonl", "--out", str(store)]) == 0
    (record,) = read_store(store).latest.values()
    assert spans(record) == [(12, 16, "LOCATION", "Homs")] and record["meta"]["source"] == "-"
    capsys.readouterr()
    assert main(["export", str(store), "--format", "conll", "--out", "-", "--include", "unfinished"]) == 0
    captured = capsys.readouterr()
    assert "Homs B-LOCATION" in captured.out and "exported 1 paragraph(s)" in captured.err
    assert "annotator:" not in captured.out
    assert main(["export", str(store), "--format", "brat", "--out", "-"]) == 2
    assert "brat writes a folder" in capsys.readouterr().err


def test_quiet_draws_no_progress_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    store = make_store(tmp_path / "store.jsonl")
    for quiet, drawn in (([], True), (["--quiet"], False)):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["export", str(store), "--format", "jsonl", "--out", str(tmp_path / "a.jsonl"), *quiet]) == 0
        assert main(["import", str(tmp_path / "a.jsonl"), "--format", "jsonl", "--out",
                     str(tmp_path / f"b{len(quiet)}.jsonl"), *quiet]) == 0
        assert ("100% (3/3)" in terminal.getvalue()) is drawn
        assert ("import jsonl" in terminal.getvalue()) is drawn
