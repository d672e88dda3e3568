"""The starter patterns (`schemas/news-conflict.patterns.jsonl`) suggest spans exactly as the schema's
guidelines delimit them, one case per pattern family, and leave the schema's counter-examples alone.

Every sentence is made up here, in the shapes of wire reporting; none is taken from an article.
One `annotator suggest` run over a paragraph per family; each case checks everything suggested
in its paragraph: labels and exact character offsets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spacy")

from annotator.cli import main
from annotator.core.schema import default_schema_path
from annotator.core.store import read_store

STARTER = default_schema_path().with_name("news-conflict.patterns.jsonl")

# family: (paragraph, [(label, text)...] everything the starter patterns suggest in it, in order)
FAMILIES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "figure and the people it counts": (
        "Gunmen killed 12 police officers and three civilians on Sunday; 23 dead and 41 wounded people were counted.",
        [("CASUALTY", "12 police officers"), ("CASUALTY", "three civilians"), ("CASUALTY", "23 dead"),
         ("CASUALTY", "41 wounded people")]),
    "qualified figures": (
        "At least 40 people died, more than 20 others were hurt and more than a dozen worshippers were missing.",
        [("CASUALTY", "At least 40 people"), ("CASUALTY", "more than 20 others"),
         ("CASUALTY", "more than a dozen worshippers")]),
    "ranges": (
        "Between 10 and 15 fighters and 20-30 soldiers were taken hostage.",
        [("CASUALTY", "Between 10 and 15 fighters"), ("CASUALTY", "20-30 soldiers")]),
    "vague figures": (
        "Dozens of civilians were wounded and several aid workers were abducted.",
        [("CASUALTY", "Dozens of civilians"), ("CASUALTY", "several aid workers")]),
    "N of its members": (
        "The deaths of 16 of its members and two of the wounded were confirmed.",
        [("CASUALTY", "16 of its members"), ("CASUALTY", "two of the wounded")]),
    "one person": (
        "A soldier and a 12-year-old boy were killed near a militant hideout.",
        [("CASUALTY", "A soldier"), ("CASUALTY", "a 12-year-old boy")]),
    "counter-examples: attacks, sites, the verb": (
        "Rebels carried out more than 150 attacks on over 85 sites and dozens of sites, and killed three American "
        "service members.",
        [("CASUALTY", "three American service members")]),
    "source and cue": (
        "Fighting went on, the Defence Ministry said. Local health officials have said little. An army statement said more.",
        [("ATTRIBUTION", "the Defence Ministry said"), ("ATTRIBUTION", "Local health officials have said"),
         ("ATTRIBUTION", "An army statement said")]),
    "a named source": (
        "Iran officially denied any involvement. Governor Jane Doe said on Monday that the town was calm.",
        [("ATTRIBUTION", "Iran officially denied"), ("ATTRIBUTION", "Governor Jane Doe said")]),
    "a title and a name, told reporters": (
        "Provincial council member Ali Rahimi told reporters the road was closed.",
        [("ATTRIBUTION", "Provincial council member Ali Rahimi told reporters")]),
    "an apposition between source and cue": (
        "Its director, Col. Samir Haddad, told reporters the toll would rise. Nadia Karim, a spokeswoman for the Red "
        "Crescent, said aid was blocked.",
        [("ATTRIBUTION", "Its director, Col. Samir Haddad, told reporters"),
         ("ATTRIBUTION", "Nadia Karim, a spokeswoman for the Red Crescent, said")]),
    "a spokesman for": (
        "A spokesman for the Northern Shield Brigade denied the report.",
        [("ATTRIBUTION", "A spokesman for the Northern Shield Brigade denied")]),
    "according to": (
        "The bridge was hit, according to the provincial health ministry, and again, according to Amnesty International.",
        [("ATTRIBUTION", "according to the provincial health ministry"), ("ATTRIBUTION", "according to Amnesty International")]),
    "claimed responsibility": (
        "The Islamic State group claimed responsibility for the attack.",
        [("ATTRIBUTION", "The Islamic State group claimed responsibility")]),
    "cue before its source": (
        "\u201cWe heard the blasts all night,\u201d said one resident.",
        [("ATTRIBUTION", "said one resident")]),
    "a cue without a named source": (
        "The convoy was reportedly turned back, and it was reported that the road was mined.",
        [("ATTRIBUTION", "reportedly"), ("ATTRIBUTION", "it was reported")]),
    "counter-examples: pronouns, no source": (
        "He said the town was calm. It said troops had left. The US operation's stated aim was unclear, in a statement.",
        []),
    "forces, without the": (
        "Iranian-backed militias fired on US forces, and security forces and the Russian troops answered. An armed "
        "group fled.",
        [("ACTOR", "Iranian-backed militias"), ("ACTOR", "US forces"), ("ACTOR", "security forces"),
         ("ACTOR", "Russian troops"), ("ACTOR", "armed group")]),
}


@pytest.fixture(scope="module")
def suggested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """The spans the starter patterns suggest in each family's paragraph, by family."""
    folder = tmp_path_factory.mktemp("starter")
    article = folder / "families.txt"
    article.write_text("\n\n".join(text for text, _ in FAMILIES.values()), encoding="utf-8")
    store = folder / "out.jsonl"
    assert main(["suggest", str(article), "--out", str(store), "--patterns", str(STARTER), "--annotator", "tester",
                 "--quiet"]) == 0
    spans = {record["id"]: record["spans"] for record in read_store(store).iter_latest()}
    return {family: spans.get(f"families#{number}", []) for number, family in enumerate(FAMILIES)}


def expected_spans(text: str, wanted: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Each (label, phrase) as offsets: the phrase's first occurrence after the one before it."""
    spans, start = [], 0
    for label, phrase in wanted:
        start = text.index(phrase, start)
        spans.append((start, start + len(phrase), label))
        start += len(phrase)
    return spans


@pytest.mark.parametrize("family", FAMILIES)
def test_the_starter_patterns_suggest_exactly_the_guidelines_spans(
        family: str, suggested: dict[str, list[dict[str, Any]]]) -> None:
    text, wanted = FAMILIES[family]
    got = sorted((span["start"], span["end"], span["label"]) for span in suggested[family])
    assert got == expected_spans(text, wanted)
    for span in suggested[family]:
        assert span["suggested"] is True and span["source"] == "patterns:news-conflict.patterns.jsonl"
        assert span["text"] == text[span["start"]:span["end"]]


def test_the_starter_file_is_one_valid_pattern_a_line_with_an_id() -> None:
    """`schemas/` is the bundled folder itself, so the two copies cannot drift apart."""
    assert (Path(__file__).parents[2] / "schemas" / STARTER.name).resolve() == STARTER.resolve()
    entries = [json.loads(line) for line in STARTER.read_text(encoding="utf-8").splitlines()]
    assert entries and all(set(entry) == {"label", "pattern", "id"} for entry in entries)
    assert {entry["label"] for entry in entries} == {"ACTOR", "ATTRIBUTION", "CASUALTY"}
