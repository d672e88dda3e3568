"""Schema keys against the key registry: a label may not take a key the annotate screen uses (as the
user's `[keys]` leave it), reported at the key with the action that owns it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.keys import KeyBinding, canonical_key, screen_bindings
from annotator.core.schema import load_schema, validate_schema

SCREEN_KEYS = [(binding, key) for binding in screen_bindings("annotate") for key in binding.keys]
IDS = [f"{binding.binding_id}:{key}" for binding, key in SCREEN_KEYS]


def schema_text(label_key: str, relation_key: str = "l") -> str:
    """Two labels (the second on `label_key`, line 7 column 10) and a relation on `relation_key` (line 11 column 10)."""
    return (
        "name: keys\n"                            # 1
        "labels:\n"                               # 2
        "  - name: PLACE\n"                       # 3
        "    key: \"1\"\n"                        # 4
        "    color: red\n"                        # 5
        "  - name: VEHICLE\n"                     # 6
        f"    key: {json.dumps(label_key)}\n"     # 7
        "    color: blue\n"                       # 8
        "relations:\n"                            # 9
        "  - name: parked_at\n"                   # 10
        f"    key: {json.dumps(relation_key)}\n"  # 11
        "    from: [VEHICLE]\n"
        "    to: [PLACE]\n"
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("owner", "key"), SCREEN_KEYS, ids=IDS)
def test_each_screen_key_as_a_label_key_is_refused_at_the_key_naming_its_action(
        tmp_path: Path, owner: KeyBinding, key: str) -> None:
    path = write(tmp_path, schema_text(canonical_key(key)))
    [problem] = validate_schema(path)
    assert (problem.line, problem.column) == (7, 10), problem
    assert f"label 'VEHICLE' has key '{canonical_key(key)}', reserved by the annotate screen" in problem.message
    assert owner.tooltip[1:] in problem.message and f"(binding id {owner.binding_id})" in problem.message
    assert problem.message.endswith("Choose another key.")


@pytest.mark.parametrize(("owner", "key"), [(b, k) for b, k in SCREEN_KEYS if len(canonical_key(k)) == 1],
                         ids=[i for (_, k), i in zip(SCREEN_KEYS, IDS) if len(canonical_key(k)) == 1])
def test_relation_keys_are_pressed_in_the_relation_dialog_so_screen_characters_are_free(
        tmp_path: Path, owner: KeyBinding, key: str) -> None:
    schema = load_schema(write(tmp_path, schema_text("2", canonical_key(key))))
    assert [relation.key for relation in schema.relations] == [canonical_key(key)]


@pytest.mark.parametrize("key", ["enter", "ctrl+z", "12", " "])
def test_a_relation_key_must_still_be_one_visible_character(tmp_path: Path, key: str) -> None:
    [problem] = validate_schema(write(tmp_path, schema_text("2", key)))
    assert (problem.line, problem.column) == (11, 10)
    assert "relation 'parked_at'" in problem.message and ("one character" in problem.message
                                                         or "visible character" in problem.message)


def test_a_relation_key_still_may_not_be_a_labels(tmp_path: Path) -> None:
    [problem] = validate_schema(write(tmp_path, schema_text("2", "1")))
    assert (problem.line, problem.column) == (11, 10) and "both use key '1'" in problem.message


def test_a_remapping_that_frees_a_key_lets_a_label_have_it(tmp_path: Path) -> None:
    path = write(tmp_path, schema_text("x"))
    assert validate_schema(path)  # reject is on x by default
    schema = load_schema(path, keymap={"annotator.reject": "X"})
    assert [label.key for label in schema.labels] == ["1", "x"]


def test_a_remapping_onto_a_label_key_is_refused_at_the_label_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, schema_text("2"))
    assert validate_schema(path) == []
    [problem] = validate_schema(path, keymap={"annotator.undo": "ctrl+u,2"})
    assert (problem.line, problem.column) == (7, 10)
    assert "(binding id annotator.undo, which your [keys] settings put on '2')" in problem.message
    assert problem.message.endswith("Choose another key, or remap annotator.undo.")


def test_a_remapping_by_its_textual_name_is_the_same_key(tmp_path: Path) -> None:
    [problem] = validate_schema(write(tmp_path, schema_text("!")), keymap={"annotator.flag": "F",
                                                                        "annotator.help": "exclamation_mark"})
    assert "binding id annotator.help" in problem.message


def config_home(tmp_path: Path, keys: dict[str, str]) -> Path:
    home = tmp_path / "config"
    (home / "annotator").mkdir(parents=True)
    lines = ["[keys]"] + [f"{json.dumps(binding_id)} = {json.dumps(key)}" for binding_id, key in keys.items()]
    (home / "annotator" / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


def test_schema_validate_checks_the_default_keys_whatever_the_users_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home(tmp_path, {"annotator.reject": "X"})))
    path = write(tmp_path, schema_text("x"))
    assert main(["schema", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:7:10: label 'VEHICLE' has key 'x'" in err and "(binding id annotator.reject)" in err
