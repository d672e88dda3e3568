"""The schema language: what loads, and every problem reported with its line and column."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputError
from annotator.core.keys import canonical_key, screen_keys
from annotator.core.schema import (
    Schema,
    SchemaError,
    default_schema_path,
    load_schema,
    migrate_record_labels,
    migrate_span_label,
    validate_schema,
)

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}

GOOD = """\
name: demo
version: 1.0
description: A small schema.
labels:
  - name: ACTOR
    key: "1"
    color: "#0072B2"
    description: Who acts.
    examples: [US bombers]
    counter_examples: [its]
    overlaps: [QUOTE]
    renamed_from: [PERPETRATOR, AGENT]
    attributes:
      - name: type
        type: choice
        key: t
        default: state
        values:
          - value: state
            key: s
            description: A state's forces.
          - rebel
      - name: count
        type: integer
        min: 0
        max: 10
        default: 3
      - name: confirmed
        type: boolean
        required: true
      - name: note
        type: text
        default: none yet
  - name: QUOTE
    key: "2"
    color: vermillion
    snap: char
    overlaps: []
  - name: PLACE
    key: "3"
    color: sky_blue
relations:
  - name: source
    key: r
    from: [QUOTE]
    to: [ACTOR]
    description: Who says so.
"""


def write(tmp_path: Path, text: str, name: str = "schema.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.message) for p in validate_schema(write(tmp_path, text))]


def only_problem(tmp_path: Path, text: str) -> tuple[int, int, str]:
    found = problems_of(tmp_path, text)
    assert len(found) == 1, found
    return found[0]


# --- what a good schema becomes -----------------------------------------------------------------


def test_a_good_schema_becomes_dataclasses(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, GOOD))
    assert isinstance(schema, Schema)
    assert (schema.name, schema.version, schema.description) == ("demo", "1.0", "A small schema.")
    assert schema.ref == {"name": "demo", "version": "1.0"}
    actor = schema.label("ACTOR")
    assert actor is not None and [label for label in schema.labels if label.key == "1"] == [actor]
    assert actor.color == "#0072b2"
    assert actor.examples == ("US bombers",) and actor.counter_examples == ("its",)
    assert actor.overlaps == ("QUOTE",) and actor.renamed_from == ("PERPETRATOR", "AGENT")
    kind, count, confirmed, note = actor.attributes
    assert kind.type == "choice" and kind.key == "t" and kind.default == "state"
    assert [(c.value, c.key, c.description) for c in kind.choices] == [("state", "s", "A state's forces."),
                                                                       ("rebel", "", "")]
    assert (count.type, count.minimum, count.maximum, count.default) == ("integer", 0, 10, 3)
    assert count.allows(10) and not count.allows(11) and not count.allows(True)
    assert confirmed.required and confirmed.type == "boolean" and confirmed.default is None
    assert note.default == "none yet"
    quote = schema.label("QUOTE")
    assert quote is not None and quote.snap == "char" and quote.overlaps == () and quote.color == "#d55e00"
    place = schema.label("PLACE")
    assert place is not None and place.overlaps is None and place.may_overlap("ACTOR")
    assert all(label.key != "9" for label in schema.labels)
    (source,) = schema.relations
    assert (source.name, source.key, source.heads, source.children) == ("source", "r", ("QUOTE",), ("ACTOR",))
    assert schema.relation("source") is source and source.connects("QUOTE", "ACTOR")


def test_version_defaults_to_1_and_relations_are_optional(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, """\
        name: tiny
        labels:
          - {name: A, key: "1", color: red}
        """))
    assert schema.version == "1" and schema.relations == ()


def test_migrate_span_label_follows_renames_and_keeps_orphans_visible(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, GOOD))
    assert migrate_span_label(schema, "ACTOR") == "ACTOR"
    assert migrate_span_label(schema, "PERPETRATOR") == "ACTOR"
    assert migrate_span_label(schema, "AGENT") == "ACTOR"
    assert migrate_span_label(schema, "WEAPON") is None


def test_migrate_record_labels_renames_spans_and_relation_ends_and_counts(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, GOOD))
    record = {"id": "a#0", "text": "Rebels said",
              "spans": [{"start": 0, "end": 6, "label": "PERPETRATOR"}, {"start": 7, "end": 11, "label": "WEAPON"}],
              "relations": [{"label": "source", "head_span": {"start": 7, "end": 11, "label": "WEAPON"},
                             "child_span": {"start": 0, "end": 6, "label": "AGENT"}}]}
    counts: dict[tuple[str, str], int] = {}
    migrated = migrate_record_labels(schema, record, counts)
    assert [span["label"] for span in migrated["spans"]] == ["ACTOR", "WEAPON"]  # the orphan kept as saved
    assert migrated["relations"][0]["child_span"]["label"] == "ACTOR"
    assert migrated["relations"][0]["head_span"]["label"] == "WEAPON"
    assert counts == {("PERPETRATOR", "ACTOR"): 1}
    assert record["spans"][0]["label"] == "PERPETRATOR"  # the record read is left as it was
    unchanged = {"id": "a#1", "text": "x", "spans": [{"start": 0, "end": 1, "label": "ACTOR"}]}
    assert migrate_record_labels(schema, unchanged) is unchanged
    assert migrate_record_labels(None, record) is record


# --- the default schema -------------------------------------------------------------------------


def test_default_schema_loads_with_the_contract_keys() -> None:
    schema = load_schema(default_schema_path())
    assert schema.name == "news-conflict"
    assert {label.name: label.key for label in schema.labels} == {
        "ACTOR": "1", "LOCATION": "2", "CASUALTY": "3", "ATTRIBUTION": "4"}


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_default_colours_are_okabe_ito_and_read_on_dark_and_light() -> None:
    schema = load_schema(default_schema_path())
    colours = [label.color for label in schema.labels]
    assert len(set(colours)) == len(colours)
    for colour in colours:
        assert colour in OKABE_ITO
        luminance = _luminance(colour)
        on_black = (luminance + 0.05) / 0.05
        on_white = 1.05 / (luminance + 0.05)
        assert min(on_black, on_white) >= 3.0, colour  # WCAG 3:1 for UI components


def test_default_schema_is_written_as_guidelines() -> None:
    schema = load_schema(default_schema_path())
    for label in schema.labels:
        assert len(label.description) > 80, label.name
        assert label.examples and label.counter_examples, label.name
    actor, location, casualty, attribution = (schema.label(n) for n in ("ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION"))
    assert actor and location and casualty and attribution
    assert "Iranian-backed militias" in actor.examples
    assert "at least 18 militia group members" in casualty.examples
    assert "US officials said" in attribution.examples
    type_ = actor.attribute("type")
    assert type_ and {"state_forces", "rebel_group", "political_militia", "identity_militia", "civilians",
                      "external_forces", "other"} <= {c.value for c in type_.choices}
    kind = location.attribute("kind")
    assert kind and [c.value for c in kind.choices] == ["country", "region", "city", "site"]
    status, victims = casualty.attribute("status"), casualty.attribute("victims")
    assert status and [c.value for c in status.choices] == ["killed", "injured", "missing", "abducted"]
    assert victims and [c.value for c in victims.choices] == ["civilians", "combatants", "security_forces", "unknown"]
    ends = {r.name: (r.heads, r.children) for r in schema.relations}
    assert ends["source"] == (("ATTRIBUTION",), ("ACTOR",))
    assert ends["perpetrator"] == (("CASUALTY",), ("ACTOR",))
    assert "CASUALTY" in ends["located_at"][0] and ends["located_at"][1] == ("LOCATION",)


def test_reserved_keys_hold_the_screens_defaults() -> None:
    reserved = screen_keys("annotate")  # what label keys are checked against: the registry's annotate keys
    for key in ("left", "right", "home", "end", "enter", "backspace", "ctrl+z", "ctrl+y",
                "pageup", "pagedown", "q", "?", "/", "tab", "escape"):
        assert canonical_key(key) in reserved


# --- every problem, with line and column --------------------------------------------------------


LABEL = """\
name: x
labels:
  - name: A
    key: "1"
    color: red
"""

ERROR_CASES = [
    # (name, yaml, line, column, words in the message)
    ("syntax", 'name: x\nlabels:\n  - name: A\n    key: "1\n', 5, 1, ["YAML syntax error", "quoted scalar", "line 4, column 10"]),
    ("tabs", 'name: x\nlabels:\n  - name: A\n\t key: "1"\n', 4, 1, ["indent with spaces, not tabs"]),
    ("not a mapping", "- a\n- b\n", 1, 1, ["must be a mapping", "not a list"]),
    ("empty file", "", 1, 1, ["empty"]),
    ("no labels", "name: x\nlabels: []\n", 2, 9, ["no labels"]),
    ("labels not a list", "name: x\nlabels: ACTOR\n", 2, 9, ["'labels' must be a list"]),
    ("label not a mapping", "name: x\nlabels:\n  - ACTOR\n", 3, 5, ["a label must be a mapping"]),
    ("unknown top field", LABEL + "relatons: []\n", 6, 1, ["unknown field 'relatons'", "Did you mean 'relations'?"]),
    ("unknown label field", LABEL + "    colour: blue\n", 6, 5, ["unknown field 'colour'", "Did you mean 'color'?"]),
    ("duplicate yaml key", LABEL + "    key: \"2\"\n", 6, 5, ["duplicate field 'key'", "line 4"]),
    ("duplicate label", LABEL + '  - name: A\n    key: "2"\n    color: red\n', 6, 11, ["duplicate label 'A'", "line 3"]),
    ("shared key", LABEL + '  - name: B\n    key: "1"\n    color: red\n', 7, 10,
     ["label 'B' and label 'A' (line 4) both use key '1'"]),
    ("long key", 'name: x\nlabels:\n  - name: A\n    key: "12"\n    color: red\n', 4, 10, ["must be one character"]),
    ("reserved key", "name: x\nlabels:\n  - name: A\n    key: q\n    color: red\n", 4, 10, ["reserved", "quit"]),
    ("reserved named key", "name: x\nlabels:\n  - name: A\n    key: enter\n    color: red\n", 4, 10, ["reserved", "accept"]),
    ("missing key", "name: x\nlabels:\n  - name: A\n    color: red\n", 3, 5, ["has no 'key'"]),
    ("bad hex colour", 'name: x\nlabels:\n  - name: A\n    key: "1"\n    color: "#12345"\n', 5, 12, ["'#12345'", "#rrggbb"]),
    ("unknown colour name", 'name: x\nlabels:\n  - name: A\n    key: "1"\n    color: blu\n', 5, 12, ["Did you mean 'blue'?"]),
    ("bad label name", 'name: x\nlabels:\n  - name: "TWO WORDS"\n    key: "1"\n    color: red\n', 3, 11, ["B-ACTOR"]),
    ("bad snap", LABEL + "    snap: word\n", 6, 11, ["'token' or 'char'"]),
    ("overlaps unknown label", LABEL + "    overlaps: [B]\n", 6, 16, ["'B', which is not a label"]),
    ("unknown attribute type", LABEL + "    attributes:\n      - name: n\n        type: number\n", 8, 15,
     ["unknown type 'number'", "choice, integer, boolean, text"]),
    ("choice without values", LABEL + "    attributes:\n      - name: c\n        type: choice\n", 7, 9,
     ["no 'values'"]),
    ("duplicate choice value", LABEL + "    attributes:\n      - name: c\n        type: choice\n        values: [a, b, a]\n",
     9, 24, ["duplicate value 'a'"]),
    ("min above max", LABEL + "    attributes:\n      - name: n\n        type: integer\n        min: 5\n        max: 1\n",
     9, 14, ["min 5", "greater than its max 1"]),
    ("default not a value", LABEL + "    attributes:\n      - name: c\n        type: choice\n        values: [a, b]\n"
     "        default: z\n", 10, 18, ["default z is not allowed", "values: a, b"]),
    ("default out of range", LABEL + "    attributes:\n      - name: n\n        type: integer\n        max: 3\n"
     "        default: 4\n", 10, 18, ["default 4 is not allowed", "n <= 3"]),
    ("default of wrong type", LABEL + "    attributes:\n      - name: b\n        type: boolean\n        default: maybe\n",
     9, 18, ["default maybe is not allowed", "true or false"]),
    ("min on text", LABEL + "    attributes:\n      - name: t\n        type: text\n        min: 1\n", 9, 9,
     ["only an integer attribute has 'min'"]),
    ("duplicate attribute", LABEL + "    attributes:\n      - name: t\n        type: text\n      - name: t\n        type: text\n",
     9, 15, ["duplicate attribute 't'"]),
    ("attribute key on a label key", LABEL + "    attributes:\n      - name: t\n        type: text\n        key: \"1\"\n",
     9, 14, ["already the key of label 'A'"]),
    ("relation to unknown label", LABEL + "relations:\n  - name: r\n    from: [A]\n    to: [A, B]\n", 9, 13,
     ["'B', which is not a label"]),
    ("relation without to", LABEL + "relations:\n  - name: r\n    from: [A]\n", 7, 5, ["has no 'to'"]),
    ("renamed from a current label", LABEL + '    renamed_from: [B]\n  - name: B\n    key: "2"\n    color: red\n',
     6, 20, ["renamed from 'B', but 'B' is still a label"]),
    ("renamed_from claimed twice", LABEL + '    renamed_from: [OLD]\n  - name: B\n    key: "2"\n    color: red\n'
     "    renamed_from: [OLD]\n", 10, 20, ["both claim to be renamed from 'OLD'", "line 6"]),
    ("missing name", "labels:\n  - name: A\n    key: \"1\"\n    color: red\n", 1, 1, ["no 'name'"]),
    ("missing labels", "name: x\n", 1, 1, ["no 'labels'"]),
]


@pytest.mark.parametrize(("yaml_text", "line", "column", "words"),
                         [case[1:] for case in ERROR_CASES], ids=[case[0] for case in ERROR_CASES])
def test_each_problem_is_reported_at_its_line_and_column(
        tmp_path: Path, yaml_text: str, line: int, column: int, words: list[str]) -> None:
    found = problems_of(tmp_path, yaml_text)
    assert len(found) == 1, found
    assert found[0][:2] == (line, column), found
    for word in words:
        assert word in found[0][2], found


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        name: x
        lables: []
        labels:
          - name: A
            key: q
            color: nope
          - name: B
            key: "12"
            color: red
            attributes:
              - name: n
                type: integer
                min: 3
                max: 1
        relations:
          - name: r
            from: [C]
            to: [A]
        """)
    problems = validate_schema(path)
    assert [(p.line, p.column) for p in problems] == [(2, 1), (5, 10), (6, 12), (8, 10), (13, 14), (17, 12)]
    with pytest.raises(SchemaError) as raised:
        load_schema(path)
    assert raised.value.problems == problems
    assert isinstance(raised.value, InputError)
    assert str(raised.value).splitlines()[0] == f"{path}:2:1: {problems[0].message}"


def test_a_missing_file_is_a_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as raised:
        load_schema(tmp_path / "nope.yaml")
    (problem,) = raised.value.problems
    assert (problem.line, problem.column) == (1, 1) and "no such file" in problem.message


def test_a_folder_is_a_schema_error(tmp_path: Path) -> None:
    (problem,) = validate_schema(tmp_path)
    assert "folder" in problem.message


def test_non_utf8_names_the_byte_and_its_place(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\nlabels:\n  - name: CAF\u00c9\n".encode("latin-1"))
    (problem,) = validate_schema(path)
    assert (problem.line, problem.column) == (3, 14)
    assert "0xc9" in problem.message and "UTF-8" in problem.message


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + LABEL.encode())
    assert load_schema(path).name == "x"


def test_a_bad_entry_does_not_hide_problems_after_it(tmp_path: Path) -> None:
    found = problems_of(tmp_path, LABEL + '  - just text\n  - name: B\n    key: "1"\n    color: red\n')
    assert [(line, column) for line, column, _ in found] == [(6, 5), (8, 10)]


_YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["name", "key", "color", "labels", "attributes", "type", "values",
                                       "relations", "from", "to", "min", "max", "default", "overlaps",
                                       "renamed_from", "snap", "x"]), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_YAML_VALUES)
def test_any_yaml_gives_problems_or_a_schema_never_a_crash(tmp_path: Path, document: object) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    problems = validate_schema(path)
    if not problems:
        assert isinstance(load_schema(path), Schema)
    for problem in problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_gives_problems_never_a_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert all(isinstance(problem.line, int) for problem in validate_schema(path))


def test_upper_case_letters_are_free_though_their_lower_case_is_reserved(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, "name: x\nlabels:\n  - {name: A, key: Q, color: red}\n"))
    assert [label.key for label in schema.labels] == ["Q"]
    assert "reserved" in only_problem(tmp_path, "name: x\nlabels:\n  - {name: A, key: Enter, color: red}\n")[2]


def test_non_utf8_column_counts_characters_before_it(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_bytes("name: x\ndescription: caf\u00e9 ".encode("utf-8") + b"\xff\n")
    (problem,) = validate_schema(path)
    assert (problem.line, problem.column) == (2, 19)


def test_an_empty_label_key_is_reported(tmp_path: Path) -> None:
    line, column, message = only_problem(tmp_path, 'name: x\nlabels:\n  - name: A\n    key: ""\n    color: red\n')
    assert (line, column) == (4, 10) and "must be one character" in message
