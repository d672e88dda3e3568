"""Reading a schema file: its YAML composed into a node tree (which keeps positions) and checked.

Imported only when a schema is read from its file, not when it comes from the cache
(`annotator.core.schema_cache`): PyYAML and the checking cost a start-up some 20 ms.
Every problem is reported at once, each as `FILE:LINE:COLUMN: message`.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.core.display import terminal_safe, unsafe_characters
from annotator.core.files import kind_of
from annotator.core.keys import canonical_key, screen_keys
from annotator.core.schema import AttributeSpec, Choice, Label, RelationSpec, Schema, SchemaProblem

ATTRIBUTE_TYPES: tuple[str, ...] = ("choice", "integer", "boolean", "text")
SNAP_MODES: tuple[str, ...] = ("token", "char")

#: Colour names a schema may use instead of `#rrggbb`: the Okabe–Ito palette (colour-blind
#: safe) under its own names, and the common CSS names. Stored as hex so every renderer agrees.
NAMED_COLORS: dict[str, str] = {
    "okabe_orange": "#e69f00",
    "sky_blue": "#56b4e9",
    "bluish_green": "#009e73",
    "okabe_yellow": "#f0e442",
    "okabe_blue": "#0072b2",
    "vermillion": "#d55e00",
    "reddish_purple": "#cc79a7",
    "black": "#000000",
    "white": "#ffffff",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#c0c0c0",
    "red": "#ff0000",
    "maroon": "#800000",
    "orange": "#ffa500",
    "gold": "#ffd700",
    "yellow": "#ffff00",
    "olive": "#808000",
    "lime": "#00ff00",
    "green": "#008000",
    "teal": "#008080",
    "cyan": "#00ffff",
    "aqua": "#00ffff",
    "blue": "#0000ff",
    "navy": "#000080",
    "purple": "#800080",
    "magenta": "#ff00ff",
    "fuchsia": "#ff00ff",
    "pink": "#ffc0cb",
    "brown": "#a52a2a",
    "crimson": "#dc143c",
    "coral": "#ff7f50",
    "salmon": "#fa8072",
    "tomato": "#ff6347",
    "khaki": "#f0e68c",
    "turquoise": "#40e0d0",
    "indigo": "#4b0082",
    "violet": "#ee82ee",
    "orchid": "#da70d6",
    "plum": "#dda0dd",
    "steelblue": "#4682b4",
    "royalblue": "#4169e1",
    "skyblue": "#87ceeb",
    "seagreen": "#2e8b57",
    "forestgreen": "#228b22",
    "darkorange": "#ff8c00",
    "chocolate": "#d2691e",
    "sienna": "#a0522d",
    "tan": "#d2b48c",
}

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")

TOP_FIELDS = ("name", "version", "description", "labels", "relations")
LABEL_FIELDS = ("name", "key", "color", "description", "examples", "counter_examples", "attributes",
                "snap", "overlaps", "renamed_from")
ATTRIBUTE_FIELDS = ("name", "type", "description", "key", "required", "default", "values", "min", "max")
CHOICE_FIELDS = ("value", "key", "description")
RELATION_FIELDS = ("name", "key", "from", "to", "description")


# libyaml's parser, where installed, composes several times faster than the pure-Python one
# and keeps the same marks; the schema is read on every start of the tool.
_PositionedLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_schema(path: Path, keymap: Mapping[str, str], *,
                data: bytes | None = None) -> tuple[Schema | None, list[SchemaProblem]]:
    """The schema in the file at `path` (None if it has problems), and every problem, in file order.

    `data`: the file's bytes, read already (the schema cache hashed them: the schema kept is
    exactly theirs).
    """
    name = str(path)
    try:
        mode = os.stat(path).st_mode if data is None else stat.S_IFREG
        if not stat.S_ISREG(mode):  # a folder; or a pipe or device, which would block or never end
            return None, [SchemaProblem(name, 1, 1, f"is {kind_of(mode)}, not a schema file. "
                                        "Give the path of a .yaml file.")]
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        return None, [SchemaProblem(name, 1, 1, "no such file. Check the path, or run "
                                    "`annotator schema init` to write a starter schema.")]
    except OSError as error:
        return None, [SchemaProblem(name, 1, 1, f"cannot be read ({error.strerror}).")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1  # characters, not bytes
        return None, [SchemaProblem(name, line, column, f"byte 0x{data[error.start]:02x} is not UTF-8. "
                                    "Save the schema as UTF-8.")]
    text = text.removeprefix("\ufeff")
    tabs = [SchemaProblem(name, number, line.index("\t") + 1, "tab in the indentation: indent with spaces, not tabs.")
            for number, line in enumerate(text.splitlines(), 1)
            if "\t" in line[: len(line) - len(line.lstrip(" \t"))]]
    if tabs:
        return None, tabs
    try:
        root = yaml.compose(text, Loader=_PositionedLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = error.problem or "cannot be parsed"
        if error.context and error.problem:
            start = error.context_mark
            where = f" (line {start.line + 1}, column {start.column + 1})" if start is not None else ""
            what = f"{error.context}{where}, {error.problem}"
        return None, [SchemaProblem(name, line, column, f"YAML syntax error: {what}. Check quotes, "
                                    "colons and indentation there or just before.")]
    except yaml.YAMLError as error:
        return None, [SchemaProblem(name, 1, 1, f"YAML syntax error: {error}.")]
    except RecursionError:
        return None, [SchemaProblem(name, 1, 1, "is nested too deeply to be a schema.")]
    tagged = _unsafe_tags(name, root)
    if tagged:
        return None, tagged
    checker = _Checker(name, keymap)
    schema = checker.schema(root)
    problems = sorted(checker.problems, key=lambda p: (p.line, p.column))
    return (None if problems else schema), problems


#: the tags a schema's values may have: what plain YAML resolves text, numbers, dates, lists and mappings to
_SAFE_TAGS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in
                       ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge"))


def _unsafe_tags(file: str, root: Node | None) -> list[SchemaProblem]:
    """A problem at each node tagged other than `_SAFE_TAGS` (`!!python/object`, `!!binary`, `!custom`).

    A schema is plain data: a tag asks a YAML library to build an object, which the schema has no
    use for, and which the unsafe loaders would run.
    """
    problems: list[SchemaProblem] = []
    stack = [root] if root is not None else []
    seen: set[int] = set()  # an alias repeats a node: walk it once
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            problems.append(SchemaProblem(file, node.start_mark.line + 1, node.start_mark.column + 1,
                                          f"the YAML tag {terminal_safe(node.tag)!r} is not allowed: a schema holds "
                                          "plain text, numbers, true/false, lists and mappings. Remove the tag."))
        if isinstance(node, MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return sorted(problems, key=lambda p: (p.line, p.column))


def _suggest(word: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else f" Known fields: {', '.join(known)}."


class _Checker:
    """Walks the node tree, collecting problems and building the dataclasses as it goes."""

    def __init__(self, file: str, keymap: Mapping[str, str]) -> None:
        self.file = file
        self.keymap = keymap
        self.annotate_keys = screen_keys("annotate", keymap)  # where label keys are pressed
        self.problems: list[SchemaProblem] = []
        self.attribute_keys: list[tuple[str, Node]] = []  # (what, key node), checked against label keys

    def report(self, node: Node, message: str) -> None:
        self.problems.append(SchemaProblem(self.file, node.start_mark.line + 1, node.start_mark.column + 1, message))

    @staticmethod
    def where(node: Node) -> str:
        return f"line {node.start_mark.line + 1}"

    # -- generic shapes --

    def mapping(self, node: Node, what: str, known: tuple[str, ...]) -> dict[str, tuple[Node, Node]]:
        """A mapping's fields by name (key node, value node); reports duplicates and unknown fields."""
        if not isinstance(node, MappingNode):
            self.report(node, f"{what} must be a mapping of fields ({', '.join(known[:3])}, ...), "
                              f"not {_kind(node)}.")
            return {}
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, f"{what} has a field name that is not plain text.")
                continue
            field = key_node.value
            if field in fields:
                self.report(key_node, f"duplicate field '{field}' in {what} (first at "
                                      f"{self.where(fields[field][0])}). Keep one.")
                continue
            fields[field] = (key_node, value_node)
            if field not in known:
                self.report(key_node, f"unknown field '{field}' in {what}.{_suggest(field, known)}")
        return fields

    def text(self, fields: dict[str, tuple[Node, Node]], field: str, what: str, *,
             required: bool = False, default: str = "") -> str:
        """A plain scalar, read as written (so `version: 1.0` stays "1.0")."""
        if field not in fields:
            return default
        key_node, node = fields[field]
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            if required or not (isinstance(node, ScalarNode)):
                self.report(node if isinstance(node, ScalarNode) else key_node,
                            f"'{field}' of {what} must be text, not {_kind(node)}.")
            return default
        return str(node.value)

    def texts(self, fields: dict[str, tuple[Node, Node]], field: str, what: str) -> tuple[str, ...] | None:
        """A list of plain scalars; None when the field is absent."""
        if field not in fields:
            return None
        key_node, node = fields[field]
        if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            self.report(node, f"'{field}' of {what} must be a list, e.g. [{node.value}].")
            return (node.value,)
        if not isinstance(node, SequenceNode):
            self.report(key_node, f"'{field}' of {what} must be a list, not {_kind(node)}.")
            return ()
        out: list[str] = []
        for item in node.value:
            if isinstance(item, ScalarNode) and item.tag != "tag:yaml.org,2002:null":
                out.append(item.value)
            else:
                self.report(item, f"each entry of '{field}' in {what} must be text, not {_kind(item)}.")
        return tuple(out)

    def plain(self, fields: dict[str, tuple[Node, Node]], field: str, value: str, what: str) -> None:
        """Report a name holding control characters: names are printed, and a terminal obeys an escape sequence."""
        unsafe = unsafe_characters(value)
        if unsafe and field in fields:
            self.report(fields[field][1], f"'{field}' of {what} holds control characters ({', '.join(unsafe)}). "
                                          "Remove them.")

    def key(self, node: Node, value: str, what: str) -> None:
        """A key of one visible character; reports otherwise.

        Attribute and relation keys are pressed in their own dialog, which binds no character, so
        this is all they need; a label's key is pressed on the annotate screen (`label_key`).
        """
        if len(value) != 1:
            self.report(node, f"key '{value}' of {what} must be one character, e.g. '5'.")
        elif value.isspace() or not value.isprintable():
            self.report(node, f"key of {what} must be a visible character.")

    def label_key(self, node: Node, value: str, what: str) -> None:
        """A label's key: one visible character that the annotate screen (as the user remapped it) leaves free."""
        owner = self.annotate_keys.get(canonical_key(value))
        if owner is None:
            self.key(node, value, what)
            return
        remapped = bool(self.keymap.get(owner.binding_id))
        moved = f", which your [keys] settings put on '{value}'" if remapped else ""
        remedy = f"Choose another key, or remap {owner.binding_id}." if remapped else "Choose another key."
        self.report(node, f"{what} has key '{value}', reserved by the annotate screen for "
                          f"\"{_lower_first(owner.tooltip)}\" (binding id {owner.binding_id}{moved}). {remedy}")

    # -- the schema --

    def schema(self, root: Node | None) -> Schema | None:
        if root is None:
            self.problems.append(SchemaProblem(self.file, 1, 1, "the schema is empty. It needs at least "
                                                                "'name' and 'labels'."))
            return None
        fields = self.mapping(root, "the schema", TOP_FIELDS)
        if not fields:
            if isinstance(root, MappingNode):
                self.report(root, "the schema needs 'name' and 'labels'.")
            return None
        for field in ("name", "labels"):
            if field not in fields:
                self.report(root, f"the schema has no '{field}'. Add '{field}:' at the top level.")
        name = self.text(fields, "name", "the schema", required=True)
        version = self.text(fields, "version", "the schema", default="1")
        self.plain(fields, "name", name, "the schema")
        self.plain(fields, "version", version, "the schema")
        description = self.text(fields, "description", "the schema")
        labels = self.labels(fields.get("labels"))
        relations = self.relations(fields.get("relations"), labels)
        self.cross_checks(labels, relations)
        return Schema(name=name, version=version, labels=tuple(label for label, _ in labels),
                      relations=tuple(relation for relation, _ in relations),
                      description=description, path=self.file)

    def labels(self, entry: tuple[Node, Node] | None) -> list[tuple[Label, dict[str, tuple[Node, Node]]]]:
        if entry is None:
            return []
        key_node, node = entry
        if not isinstance(node, SequenceNode):
            self.report(key_node if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null" else node,
                        "'labels' must be a list of labels, each starting with '- name:'.")
            return []
        if not node.value:
            self.report(node, "the schema has no labels. Add at least one under 'labels:'.")
        out: list[tuple[Label, dict[str, tuple[Node, Node]]]] = []
        seen_names: dict[str, Node] = {}
        for item in node.value:
            label, fields = self.label(item)
            if label is None:
                continue
            if label.name in seen_names:
                first = seen_names[label.name]
                self.report(fields["name"][1], f"duplicate label '{label.name}' (first at {self.where(first)}). "
                                               "Label names must be unique.")
                continue
            seen_names[label.name] = fields["name"][1]
            out.append((label, fields))
        return out

    def label(self, node: Node) -> tuple[Label | None, dict[str, tuple[Node, Node]]]:
        fields = self.mapping(node, "a label", LABEL_FIELDS)
        if not fields:
            return None, fields
        name = self.text(fields, "name", "a label", required=True)
        what = f"label '{name}'" if name else "a label"
        if "name" not in fields:
            self.report(node, "a label has no 'name'. Add 'name: SOMETHING'.")
        elif name and not _LABEL_NAME.fullmatch(name):
            self.report(fields["name"][1], f"label name '{name}' must start with a letter and hold only letters, "
                                           "digits, '_' or '-' (exports use it as a tag, e.g. B-ACTOR).")
        key = self.text(fields, "key", what, required=True)
        if "key" not in fields:
            self.report(node, f"{what} has no 'key'. Add 'key: \"5\"' (one character).")
        elif isinstance(fields["key"][1], ScalarNode) and fields["key"][1].tag != "tag:yaml.org,2002:null":
            self.label_key(fields["key"][1], key, what)  # also reports key: ""
        color = self.color(fields, what)
        snap = self.text(fields, "snap", what, default="token")
        if snap not in SNAP_MODES:
            self.report(fields["snap"][1], f"snap of {what} must be 'token' or 'char', not '{snap}'.")
            snap = "token"
        attributes = self.attributes(fields.get("attributes"), what)
        label = Label(
            name=name,
            key=key,
            color=color,
            description=self.text(fields, "description", what),
            examples=self.texts(fields, "examples", what) or (),
            counter_examples=self.texts(fields, "counter_examples", what) or (),
            attributes=attributes,
            snap=snap,  # type: ignore[arg-type]
            overlaps=self.texts(fields, "overlaps", what),
            renamed_from=self.texts(fields, "renamed_from", what) or (),
        )
        return (label if name else None), fields

    def color(self, fields: dict[str, tuple[Node, Node]], what: str) -> str:
        value = self.text(fields, "color", what, required=True)
        if "color" not in fields:
            return "#808080"  # optional: a neutral grey that reads on dark and light
        if _HEX_COLOR.fullmatch(value):
            return value.lower()
        named = NAMED_COLORS.get(value.lower().replace(" ", "_").replace("-", "_"))
        if named:
            return named
        close = difflib.get_close_matches(value.lower(), NAMED_COLORS, n=1, cutoff=0.7)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        self.report(fields["color"][1], f"color '{value}' of {what} is not '#rrggbb' or a known colour name."
                                        f"{hint} See docs/SCHEMA.md for the names.")
        return "#808080"

    def attributes(self, entry: tuple[Node, Node] | None, what: str) -> tuple[AttributeSpec, ...]:
        if entry is None:
            return ()
        key_node, node = entry
        if not isinstance(node, SequenceNode):
            self.report(key_node, f"'attributes' of {what} must be a list, each starting with '- name:'.")
            return ()
        out: list[AttributeSpec] = []
        seen: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        for item in node.value:
            spec, fields = self.attribute(item, what)
            if spec is None:
                continue
            if spec.name in seen:
                self.report(fields["name"][1], f"duplicate attribute '{spec.name}' in {what} "
                                               f"(first at {self.where(seen[spec.name])}).")
                continue
            seen[spec.name] = fields["name"][1]
            if spec.key:
                if spec.key in keys:
                    self.report(fields["key"][1], f"attribute '{spec.name}' of {what} uses key '{spec.key}', "
                                                  f"already used by another attribute ({self.where(keys[spec.key])}).")
                else:
                    keys[spec.key] = fields["key"][1]
            out.append(spec)
        return tuple(out)

    def attribute(self, node: Node, owner: str) -> tuple[AttributeSpec | None, dict[str, tuple[Node, Node]]]:
        fields = self.mapping(node, f"an attribute of {owner}", ATTRIBUTE_FIELDS)
        if not fields:
            return None, fields
        name = self.text(fields, "name", "an attribute", required=True)
        if "name" not in fields:
            self.report(node, f"an attribute of {owner} has no 'name'.")
            return None, fields
        what = f"attribute '{terminal_safe(name)}' of {owner}"
        self.plain(fields, "name", name, f"an attribute of {owner}")
        kind = self.text(fields, "type", what, required=True)
        if "type" not in fields:
            self.report(node, f"{what} has no 'type'. Use one of: {', '.join(ATTRIBUTE_TYPES)}.")
            kind = "text"
        elif kind not in ATTRIBUTE_TYPES:
            close = difflib.get_close_matches(kind, ATTRIBUTE_TYPES, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            self.report(fields["type"][1], f"unknown type '{kind}' for {what}. Use one of: "
                                           f"{', '.join(ATTRIBUTE_TYPES)}.{hint}")
            kind = "text"
        key = self.text(fields, "key", what)
        if key:
            self.key(fields["key"][1], key, what)
            self.attribute_keys.append((what, fields["key"][1]))
        choices = self.choices(fields, what) if kind == "choice" else ()
        if kind != "choice" and "values" in fields:
            self.report(fields["values"][0], f"{what} is {kind}; only a choice attribute has 'values'.")
        minimum = self.integer(fields, "min", what)
        maximum = self.integer(fields, "max", what)
        if kind != "integer":
            for bound in ("min", "max"):
                if bound in fields:
                    self.report(fields[bound][0], f"{what} is {kind}; only an integer attribute has '{bound}'.")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.report(fields["min"][1], f"min {minimum} of {what} is greater than its max {maximum}.")
        required = self.boolean(fields, "required", what)
        spec = AttributeSpec(name=name, type=kind, choices=choices, minimum=minimum,  # type: ignore[arg-type]
                             maximum=maximum, required=required,
                             description=self.text(fields, "description", what), key=key)
        if "default" in fields:
            default_node = fields["default"][1]
            default = _scalar(default_node)
            if kind in ("choice", "text") and isinstance(default_node, ScalarNode):
                default = default_node.value  # choice values and text are compared as written
            if default is not None and not spec.allows(default):
                self.report(default_node, f"default {default_node.value if isinstance(default_node, ScalarNode) else '?'!s} "
                                          f"is not allowed for {what}{_allowed(spec)}.")
            else:
                spec = AttributeSpec(name=spec.name, type=spec.type, choices=spec.choices, minimum=spec.minimum,
                                     maximum=spec.maximum, required=spec.required, default=default,
                                     description=spec.description, key=spec.key)
        return spec, fields

    def choices(self, fields: dict[str, tuple[Node, Node]], what: str) -> tuple[Choice, ...]:
        if "values" not in fields:
            anchor = next(iter(fields.values()))[0]
            self.report(anchor, f"{what} is a choice but has no 'values'. List them under 'values:'.")
            return ()
        key_node, node = fields["values"]
        if not isinstance(node, SequenceNode) or not node.value:
            self.report(key_node, f"'values' of {what} must be a non-empty list.")
            return ()
        out: list[Choice] = []
        seen: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        for item in node.value:
            value_node: Node
            if isinstance(item, ScalarNode) and item.tag != "tag:yaml.org,2002:null":
                choice, value_node, key_at = Choice(item.value), item, None
            else:
                sub = self.mapping(item, f"a value of {what}", CHOICE_FIELDS)
                if not sub:
                    continue
                if "value" not in sub:
                    self.report(item, f"a value of {what} has no 'value'.")
                    continue
                choice = Choice(self.text(sub, "value", what), self.text(sub, "key", what),
                                self.text(sub, "description", what))
                value_node, key_at = sub["value"][1], sub.get("key", (None, None))[1]
            if unsafe_characters(choice.value):
                self.report(value_node, f"a value of {what} holds control characters "
                                        f"({', '.join(unsafe_characters(choice.value))}). Remove them.")
                continue
            if choice.value in seen:
                self.report(value_node, f"duplicate value '{choice.value}' in {what} "
                                        f"(first at {self.where(seen[choice.value])}).")
                continue
            seen[choice.value] = value_node
            if choice.key and key_at is not None:
                if len(choice.key) != 1:
                    self.report(key_at, f"key '{choice.key}' of value '{choice.value}' must be one character.")
                elif choice.key in keys:
                    self.report(key_at, f"key '{choice.key}' of value '{choice.value}' in {what} is already "
                                        f"used ({self.where(keys[choice.key])}).")
                else:
                    keys[choice.key] = key_at
            out.append(choice)
        return tuple(out)

    def integer(self, fields: dict[str, tuple[Node, Node]], field: str, what: str) -> int | None:
        if field not in fields:
            return None
        value = _scalar(fields[field][1])
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(fields[field][1], f"'{field}' of {what} must be a whole number, not {_kind(fields[field][1])}.")
            return None
        return value

    def boolean(self, fields: dict[str, tuple[Node, Node]], field: str, what: str) -> bool:
        if field not in fields:
            return False
        value = _scalar(fields[field][1])
        if not isinstance(value, bool):
            self.report(fields[field][1], f"'{field}' of {what} must be true or false.")
            return False
        return value

    def relations(self, entry: tuple[Node, Node] | None,
                  labels: list[tuple[Label, dict[str, tuple[Node, Node]]]]
                  ) -> list[tuple[RelationSpec, dict[str, tuple[Node, Node]]]]:
        if entry is None:
            return []
        key_node, node = entry
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, SequenceNode):
            self.report(key_node, "'relations' must be a list, each starting with '- name:'.")
            return []
        names = {label.name for label, _ in labels}
        out: list[tuple[RelationSpec, dict[str, tuple[Node, Node]]]] = []
        seen: dict[str, Node] = {}
        for item in node.value:
            fields = self.mapping(item, "a relation", RELATION_FIELDS)
            if not fields:
                continue
            name = self.text(fields, "name", "a relation", required=True)
            if "name" not in fields:
                self.report(item, "a relation has no 'name'.")
                continue
            what = f"relation '{terminal_safe(name)}'"
            self.plain(fields, "name", name, "a relation")
            if name in seen:
                self.report(fields["name"][1], f"duplicate relation '{name}' (first at {self.where(seen[name])}).")
                continue
            seen[name] = fields["name"][1]
            ends: dict[str, tuple[str, ...]] = {}
            for end in ("from", "to"):
                if end not in fields:
                    self.report(item, f"{what} has no '{end}'. List the labels it may "
                                      f"{'start at' if end == 'from' else 'point to'}.")
                    ends[end] = ()
                    continue
                ends[end] = self.texts(fields, end, what) or ()
                if not ends[end]:
                    self.report(fields[end][1], f"'{end}' of {what} names no label.")
                self.known_labels(fields[end][1], ends[end], names, f"'{end}' of {what}")
            key = self.text(fields, "key", what)
            if key:
                self.key(fields["key"][1], key, what)
            out.append((RelationSpec(name=name, heads=ends["from"], children=ends["to"], key=key,
                                     description=self.text(fields, "description", what)), fields))
        return out

    def known_labels(self, node: Node, named: tuple[str, ...], known: set[str], what: str) -> None:
        """Report each of `named` that is not a label, at its own entry where it has one."""
        items = node.value if isinstance(node, SequenceNode) else [node]
        for item in items:
            if isinstance(item, ScalarNode) and item.value in named and item.value not in known:
                close = difflib.get_close_matches(item.value, sorted(known), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else f" Labels: {', '.join(sorted(known))}."
                self.report(item, f"{what} names '{item.value}', which is not a label.{hint}")

    def cross_checks(self, labels: list[tuple[Label, dict[str, tuple[Node, Node]]]],
                     relations: list[tuple[RelationSpec, dict[str, tuple[Node, Node]]]]) -> None:
        """What needs all labels at once: shared keys, overlaps, renamed_from."""
        names = {label.name for label, _ in labels}
        global_keys: dict[str, tuple[str, Node]] = {}
        for owner, fields in [(f"label '{label.name}'", fields) for label, fields in labels] + \
                             [(f"relation '{relation.name}'", fields) for relation, fields in relations]:
            if "key" not in fields or not isinstance(fields["key"][1], ScalarNode):
                continue
            key_node = fields["key"][1]
            if key_node.value in global_keys:
                first_owner, first = global_keys[key_node.value]
                self.report(key_node, f"{owner} and {first_owner} ({self.where(first)}) both use key "
                                      f"'{key_node.value}'. Give each its own key.")
            elif key_node.value:
                global_keys[key_node.value] = (owner, key_node)
        for what, attribute_key in self.attribute_keys:
            if attribute_key.value in global_keys:
                owner, first = global_keys[attribute_key.value]
                self.report(attribute_key, f"{what} uses key '{attribute_key.value}', already the key of {owner} "
                                           f"({self.where(first)}).")
        for label, fields in labels:
            if label.overlaps is not None:
                self.known_labels(fields["overlaps"][1], label.overlaps, names, f"'overlaps' of label '{label.name}'")
        claimed: dict[str, tuple[str, Node]] = {}
        for label, fields in labels:
            if "renamed_from" not in fields or not isinstance(fields["renamed_from"][1], SequenceNode):
                continue
            for item in fields["renamed_from"][1].value:
                if not isinstance(item, ScalarNode):
                    continue
                old = item.value
                if old == label.name:
                    self.report(item, f"label '{label.name}' lists itself in renamed_from.")
                elif old in names:
                    self.report(item, f"label '{label.name}' says it was renamed from '{old}', but '{old}' is "
                                      "still a label. Remove one of them.")
                elif old in claimed:
                    other, first = claimed[old]
                    self.report(item, f"labels '{label.name}' and '{other}' ({self.where(first)}) both claim "
                                      f"to be renamed from '{old}'. Old spans can go to only one.")
                else:
                    claimed[old] = (label.name, item)


_CONSTRUCTOR = yaml.SafeLoader("")


def _scalar(node: Node) -> Any:
    """The Python value of a scalar node as YAML reads it (int, bool, str, None); None otherwise."""
    if not isinstance(node, ScalarNode):
        return None
    try:
        return _CONSTRUCTOR.construct_object(node)
    except (ValueError, yaml.YAMLError):  # 2024-02-30, an integer past 4,300 digits: as written, which no check takes
        return node.value


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "empty"
    return f"'{node.value}'"


def _allowed(spec: AttributeSpec) -> str:
    if spec.type == "choice":
        return f" (values: {', '.join(c.value for c in spec.choices)})"
    if spec.type == "integer":
        low = "" if spec.minimum is None else f"{spec.minimum} <= "
        high = "" if spec.maximum is None else f" <= {spec.maximum}"
        return f" (a whole number{' ' + low + 'n' + high if low or high else ''})"
    if spec.type == "boolean":
        return " (true or false)"
    return " (text)"

