"""The key registry: one entry per binding, the keys a keymap leaves, its warnings, and the docs' tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.core.keys import (
    KEY_BINDINGS,
    KeyBinding,
    ScreenName,
    canonical_key,
    keymap_problems,
    screen_bindings,
    screen_keys,
    split_keys,
)

DOCS_KEYS = Path(__file__).resolve().parents[2] / "docs" / "KEYS.md"
ANNOTATE = screen_bindings("annotate")
NAMESPACES = {"annotate": "annotator.", "review": "review.", "help": "help.", "prompt": "prompt.", "flag": "flag."}


def test_every_binding_has_a_unique_id_in_its_screens_namespace_and_says_what_it_does() -> None:
    ids = [binding.binding_id for binding in KEY_BINDINGS]
    assert len(ids) == len(set(ids))
    for binding in KEY_BINDINGS:
        assert binding.binding_id.startswith(NAMESPACES[binding.screen]), binding
        assert binding.keys and all(key == key.strip() and key for key in binding.keys), binding
        assert binding.action and binding.description and binding.tooltip, binding


@pytest.mark.parametrize("screen", sorted(NAMESPACES))
def test_no_two_bindings_of_a_screen_share_a_key(screen: ScreenName) -> None:
    keys = [canonical_key(key) for binding in screen_bindings(screen) for key in binding.keys]
    assert len(keys) == len(set(keys))


def test_canonical_key_reads_names_and_characters_alike() -> None:
    assert canonical_key("question_mark") == canonical_key("?") == "?"
    assert canonical_key("slash") == "/" and canonical_key("exclamation_mark") == "!"
    assert canonical_key("Enter") == "enter" and canonical_key("ctrl+z") == "ctrl+z"
    assert canonical_key("Q") == "Q" != canonical_key("q")
    assert canonical_key("delete") == "delete"  # a name that is also a control character's stays a name
    assert split_keys(" ctrl+f, slash ,") == ("ctrl+f", "slash")


def test_screen_keys_are_the_defaults_without_a_keymap() -> None:
    keys = screen_keys("annotate")
    assert keys["x"].binding_id == "annotator.reject"
    assert keys["?"].binding_id == "annotator.help" and keys["/"].binding_id == "annotator.search"
    assert keys["ctrl+f"].binding_id == "annotator.search"
    assert set(keys) == {canonical_key(key) for binding in ANNOTATE for key in binding.keys}


def test_a_remapped_binding_frees_its_default_keys_and_takes_its_new_ones() -> None:
    keys = screen_keys("annotate", {"annotator.reject": "X", "annotator.undo": "ctrl+u, i"})
    assert "x" not in keys and keys["X"].binding_id == "annotator.reject"
    assert "ctrl+z" not in keys and keys["ctrl+u"].binding_id == "annotator.undo"
    assert keys["i"].binding_id == "annotator.undo"  # taken from annotator.ignore
    assert screen_keys("annotate", {"annotator.reject": ""})["x"].binding_id == "annotator.reject"  # as Textual: empty is no remap
    assert screen_keys("annotate", {"review.reject": "z"}) == screen_keys("annotate")  # another screen's binding


@pytest.mark.parametrize("owner", ANNOTATE, ids=[binding.binding_id for binding in ANNOTATE])
def test_a_remapping_onto_any_screen_key_names_the_binding_it_takes_it_from(owner: KeyBinding) -> None:
    other = next(binding for binding in ANNOTATE if binding is not owner)
    key = owner.keys[0]
    assert keymap_problems({other.binding_id: key}, "annotate") == [
        f"{other.binding_id} = {key!r} takes {key} from {owner.binding_id}."]


def test_keymap_problems_name_unknown_ids_labels_and_double_remaps_but_not_swaps() -> None:
    assert keymap_problems({"annotator.nope": "z"}, "annotate") == [
        "'annotator.nope' is not a binding id (see docs/KEYS.md)."]
    assert keymap_problems({"review.toggle": "t", "help.close": "c"}, "annotate") == []  # other screens' ids
    assert keymap_problems({"annotator.next_token": "2"}, "annotate", {"2": "the LOCATION label"}) == [
        "annotator.next_token = '2' takes 2 from the LOCATION label."]
    assert keymap_problems({"annotator.reject": "i", "annotator.ignore": "x"}, "annotate") == []  # a swap
    assert keymap_problems({"annotator.reject": "z", "annotator.ignore": "z"}, "annotate") == [
        "annotator.ignore = 'z' takes z from annotator.reject."]
    assert keymap_problems({"annotator.help": "question_mark", "annotator.flag": "?"}, "annotate") == [
        "annotator.flag = '?' takes ? from annotator.help."]  # one key, two spellings


# --- the tables in docs/KEYS.md -----------------------------------------------------------------


def _expand(cell: str) -> list[list[str]]:
    """A table cell's backticked items: groups split by " / ", alternatives by " or ", `a`..`b` ranges expanded."""
    groups = []
    for group in cell.split(" / "):
        items: list[str] = []
        for low, high in re.findall(r"`([^`]+)`\.\.`([^`]+)`", group):
            head = low.rstrip("0123456789")
            items += [f"{head}{n}" for n in range(int(low[len(head):]), int(high[len(head):]) + 1)]
        items += re.findall(r"`([^`]+)`", re.sub(r"`[^`]+`\.\.`[^`]+`", "", group))
        groups.append(items)
    return groups


def documented_keys(prefix: str) -> dict[str, set[str]]:
    """Binding id -> canonical keys, from every docs/KEYS.md table row whose ids start with `prefix`."""
    found: dict[str, set[str]] = {}
    for line in DOCS_KEYS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1].startswith(f"`{prefix}"):
            continue
        ids = [group for groups in _expand(cells[1]) for group in groups]
        key_groups = _expand(cells[0])
        if len(key_groups) == 1 and len(key_groups[0]) == len(ids) > 1:  # `1`..`9` against take_1..take_9
            key_groups = [[key] for key in key_groups[0]]
        assert len(key_groups) == len(ids), line
        for binding_id, keys in zip(ids, key_groups):
            assert binding_id not in found, f"{binding_id} documented twice"
            found[binding_id] = {canonical_key(key) for key in keys}
    return found


@pytest.mark.parametrize(("screen", "prefix"), [("annotate", "annotator."), ("review", "review.")])
def test_the_key_tables_in_docs_keys_md_match_the_registry(screen: ScreenName, prefix: str) -> None:
    registry = {binding.binding_id: {canonical_key(key) for key in binding.keys}
                for binding in screen_bindings(screen)}
    documented = documented_keys(prefix)
    missing = [f"| {' / '.join(f'`{k}`' for k in registry[i])} | `{i}` | ... |" for i in registry if i not in documented]
    assert not missing, "docs/KEYS.md lacks rows:\n" + "\n".join(missing)
    assert documented == registry
