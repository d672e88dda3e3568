"""`annotator schema validate|show|init|diff`: the tools a project lead needs to own a schema.

validate lists every problem at once; show prints what annotators will get; init writes a
commented starter; diff says what an edit changes and, given a store, how much saved work each
change touches, before anyone annotates with the new version.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.schema import AttributeSpec, Label, RelationSpec, Schema, load_schema, validate_schema

PROBLEMS_EXIT = 2
DEFAULT_INIT_PATH = "schema.yaml"

STARTER_SCHEMA = """\
# A label schema for `annotator`. Check it with:  annotator schema validate {file}
# Every field is described in docs/SCHEMA.md. Descriptions, examples and counter-examples
# are shown to annotators on `?`: write them as guidelines that settle the hard cases.

name: my-project          # recorded in every saved record as _schema.name
version: "1"              # bump when you change labels; see `annotator schema diff`
description: What this project tags, in one or two sentences.

labels:
  - name: PERSON          # letters, digits, _ or -; exports use it as a tag (B-PERSON)
    key: "1"              # one character, pressed to tag; q ? / and the arrows are taken
    color: "#0072B2"      # #rrggbb or a name (sky_blue, vermillion, ...); Okabe-Ito is colour-blind safe
    description: A named person. Tag the full name without titles ("Ms", "Dr").
    examples: [Sara Harmouch, Nakissa Jahanbani]
    counter_examples: [experts (not a name), she (a pronoun)]
    snap: token           # token: spans snap to whole tokens; char: character-precise
    attributes:
      - name: role
        type: choice      # choice, integer, boolean or text
        key: r            # press to set this attribute on the selected span
        values:
          - value: official
            key: o
            description: Speaks for a government or an armed force.
          - value: expert
            key: e
          - value: other
            key: x
        default: other

  - name: PLACE
    key: "2"
    color: "#CC79A7"
    description: A named place. Leave prepositions out ("in Iraq" -> "Iraq").
    overlaps: []          # labels this one may overlap; leave the field out to allow any
    renamed_from: []      # old names of this label: spans saved under them are shown as PLACE

  - name: NUMBER
    key: "3"
    color: "#D55E00"
    description: A figure with the noun it counts ("at least 18 fighters").
    attributes:
      - name: value
        type: integer
        min: 0
      - name: approximate
        type: boolean
        default: false
      - name: note
        type: text

relations:
  - name: located_in
    key: l
    from: [PERSON]
    to: [PLACE]
    description: Where the person is.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schema", help="check, show, start or compare label schemas",
        description="Work with label schemas (YAML). See docs/SCHEMA.md for the language.")
    commands = parser.add_subparsers(dest="schema_command", metavar="ACTION", required=True,
                                     parser_class=type(parser))

    validate = commands.add_parser("validate", help="list every problem in a schema (exit 2 if any)")
    validate.add_argument("file", type=Path, metavar="FILE")
    validate.set_defaults(run=run_validate)

    show = commands.add_parser("show", help="labels, keys, colours, attributes and relations as tables")
    show.add_argument("file", type=Path, metavar="FILE")
    show.set_defaults(run=run_show)

    init = commands.add_parser("init", help="write a commented starter schema")
    init.add_argument("file", type=Path, metavar="FILE", nargs="?", default=Path(DEFAULT_INIT_PATH),
                      help=f"where to write it (default {DEFAULT_INIT_PATH}); never overwrites")
    init.set_defaults(run=run_init)

    diff = commands.add_parser("diff", help="what changed between two schemas, and what it touches in a store")
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    diff.add_argument("--store", type=Path, metavar="STORE",
                      help="count the saved spans, attribute values and relations each change touches")
    diff.set_defaults(run=run_diff)


# --- validate ---------------------------------------------------------------------------------


def run_validate(args: argparse.Namespace) -> int:
    problems = validate_schema(args.file)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        count = len(problems)
        print(f"{args.file}: {count} problem{'s' if count != 1 else ''}. Fix them and run this again.",
              file=sys.stderr)
        return PROBLEMS_EXIT
    schema = load_schema(args.file)
    print(f"{args.file}: ok ({_plural(len(schema.labels), 'label')}, "
          f"{_plural(len(schema.relations), 'relation')})")
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- show -------------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    schema = load_schema(args.file)
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((100, 24)).columns
    print("\n".join(show_lines(schema, colour=colour, width=width)))
    return 0


def show_lines(schema: Schema, *, colour: bool = False, width: int = 100) -> list[str]:
    """The schema as readable tables; `colour` adds a swatch of each label's colour."""
    lines = [f"{schema.name}  version {schema.version}"]
    if schema.description:
        lines += textwrap.wrap(schema.description, width)
    lines += ["", "Labels"]
    lines += _table(["key", "label", "colour", "snap", "may overlap", "renamed from"], [
        [label.key, label.name, _swatch(label.color) + label.color if colour else label.color, label.snap,
         "any" if label.overlaps is None else (", ".join(label.overlaps) or "none"),
         ", ".join(label.renamed_from)]
        for label in schema.labels], width)
    attribute_rows = [[label.name, spec.name + (" *" if spec.required else ""), spec.key, spec.type,
                       _attribute_detail(spec)]
                      for label in schema.labels for spec in label.attributes]
    if attribute_rows:
        lines += ["", "Attributes (* required)"]
        lines += _table(["label", "attribute", "key", "type", "values"], attribute_rows, width)
    if schema.relations:
        lines += ["", "Relations"]
        lines += _table(["key", "relation", "from", "to"], [
            [relation.key, relation.name, ", ".join(relation.heads), ", ".join(relation.children)]
            for relation in schema.relations], width)
    return lines


def _swatch(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"\x1b[48;2;{red};{green};{blue}m  \x1b[0m "


def _attribute_detail(spec: AttributeSpec) -> str:
    default = "" if spec.default is None else f"; default {_value_text(spec.default)}"
    if spec.type == "choice":
        return ", ".join(f"{c.value} ({c.key})" if c.key else c.value for c in spec.choices) + default
    if spec.type == "integer":
        if spec.minimum is None and spec.maximum is None:
            bounds = "any whole number"
        else:
            bounds = f"{'' if spec.minimum is None else spec.minimum}..{'' if spec.maximum is None else spec.maximum}"
        return bounds + default
    if spec.type == "boolean":
        return "true / false" + default
    return "free text" + default


def _value_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _table(headers: list[str], rows: list[list[str]], width: int) -> list[str]:
    """Left-aligned columns, two spaces apart; the last column wraps to the terminal width."""
    visible = [[_strip_ansi(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in visible)) if visible else len(h) for i, h in enumerate(headers)]
    lead = sum(widths[:-1]) + 2 * (len(widths) - 1) + 2
    last_width = max(30, width - lead)
    out = ["  " + "  ".join(h.ljust(w) for h, w in zip(headers[:-1], widths)) + "  " + headers[-1]]
    for row, plain in zip(rows, visible):
        cells = [cell + " " * (w - len(p)) for cell, p, w in zip(row[:-1], plain[:-1], widths)]
        wrapped = textwrap.wrap(row[-1], last_width) or [""]
        out.append(("  " + "  ".join(cells) + "  " + wrapped[0]).rstrip())
        out += [" " * lead + more for more in wrapped[1:]]
    return out


def _strip_ansi(cell: str) -> str:
    while "\x1b[" in cell:
        start = cell.index("\x1b[")
        cell = cell[:start] + cell[cell.index("m", start) + 1 :]
    return cell


# --- init -------------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(STARTER_SCHEMA.format(file=path))
    except FileExistsError:
        raise InputError(f"{path}: already exists; nothing written. Give another file name, "
                         f"e.g. `annotator schema init new-schema.yaml`.") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror}).") from None
    print(f"wrote {path}. Edit it, then check it with `annotator schema validate {path}`.")
    return 0


# --- diff -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two schemas; `touches` counts saved work it affects (None: no store)."""

    sign: str  # + added, - removed, ~ changed
    text: str
    touches: str = ""


@dataclass(slots=True)
class StoreTally:
    """What a store holds, counted in one pass so that a large store is never all in memory."""

    records: int = 0
    spans: Counter[str] = field(default_factory=Counter)  # label -> spans
    values: Counter[tuple[str, str, Any]] = field(default_factory=Counter)  # (label, attribute, value)
    relations: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (relation, head, child)

    def spans_of(self, names: Iterable[str]) -> int:
        return sum(self.spans[name] for name in set(names))

    def values_of(self, names: Iterable[str], attribute: str, keep: Any = None) -> int:
        """Saved values of `attribute` on spans labelled any of `names`, filtered by `keep(value)`."""
        names = set(names)
        return sum(count for (label, name, value), count in self.values.items()
                   if label in names and name == attribute and (keep is None or keep(value)))


def tally_store(path: Path) -> StoreTally:
    from annotator.core.store import read_store

    tally = StoreTally()
    for record in read_store(path).iter_latest():
        tally.records += 1
        for span in record.get("spans") or ():
            label = str(span.get("label"))
            tally.spans[label] += 1
            for name, value in (span.get("attributes") or {}).items():
                if value is not None:
                    tally.values[(label, name, value if isinstance(value, (str, int, float, bool)) else str(value))] += 1
        for relation in record.get("relations") or ():
            head = (relation.get("head_span") or {}).get("label", "")
            child = (relation.get("child_span") or {}).get("label", "")
            tally.relations[(str(relation.get("label")), str(head), str(child))] += 1
    return tally


def run_diff(args: argparse.Namespace) -> int:
    old, new = load_schema(args.old), load_schema(args.new)
    tally = tally_store(args.store) if args.store else None
    changes = diff_schemas(old, new, tally)
    print(f"{old.name} {old.version} ({args.old}) -> {new.name} {new.version} ({args.new})")
    if tally is not None:
        print(f"store {args.store}: {_plural(tally.records, 'record')}, "
              f"{_plural(sum(tally.spans.values()), 'span')}, "
              f"{_plural(sum(tally.relations.values()), 'relation')}")
    if not changes:
        print("no changes")
        return 0
    width = max(len(change.text) for change in changes)
    for change in changes:
        print(f"  {change.sign} {change.text.ljust(width)}  {change.touches}".rstrip())
    print(_plural(len(changes), "change"))
    return 0


def diff_schemas(old: Schema, new: Schema, tally: StoreTally | None = None) -> list[Change]:
    """Every difference that matters to annotators or saved data, labels first, in schema order."""
    changes: list[Change] = []

    def touch(count: int, what: str) -> str:
        return "" if tally is None else f"{_plural(count, what)}"

    pairs = _pair_labels(old, new)
    renamed = {before.name: after.name for before, after in pairs}
    paired_old = {before.name for before, _ in pairs}
    paired_new = {after.name for _, after in pairs}
    for before in old.labels:
        if before.name not in paired_old:
            count = tally.spans_of([before.name]) if tally else 0
            changes.append(Change("-", f"label {before.name}", touch(count, "span") + (" kept, orphaned" if tally else "")))
    for before, after in pairs:
        names = {before.name, after.name, *after.renamed_from}
        if before.name != after.name:
            changes.append(Change("~", f"label {before.name} renamed to {after.name}",
                                  touch(tally.spans_of([before.name]) if tally else 0, "span")))
        for setting, was, now in (("key", before.key, after.key), ("colour", before.color, after.color),
                                ("snap", before.snap, after.snap),
                                ("may overlap", _overlaps_text(before, renamed), _overlaps_text(after, {}))):
            if was != now:
                changes.append(Change("~", f"label {after.name}: {setting} {was} -> {now}"))
        changes += _attribute_changes(after.name, before, after, names, tally, touch)
    for after in new.labels:
        if after.name not in paired_new:
            changes.append(Change("+", f"label {after.name} (key {after.key})"))
    changes += _relation_changes(old, new, pairs, tally, touch)
    return changes


def _pair_labels(old: Schema, new: Schema) -> list[tuple[Label, Label]]:
    """Old and new versions of the same label: same name, or the new one lists the old in renamed_from."""
    pairs: list[tuple[Label, Label]] = []
    for after in new.labels:
        before = old.label(after.name) or next(
            (label for label in old.labels if label.name in after.renamed_from and new.label(label.name) is None), None)
        if before is not None:
            pairs.append((before, after))
    return pairs


def _overlaps_text(label: Label, renamed: dict[str, str]) -> str:
    """The labels `label` may overlap, old names read as their new ones so a rename is no change."""
    if label.overlaps is None:
        return "any"
    return "[" + ", ".join(renamed.get(name, name) for name in label.overlaps) + "]"


def _attribute_changes(owner: str, before: Label, after: Label, names: set[str],
                       tally: StoreTally | None, touch: Any) -> list[Change]:
    changes: list[Change] = []
    for spec in before.attributes:
        if after.attribute(spec.name) is None:
            count = tally.values_of(names, spec.name) if tally else 0
            changes.append(Change("-", f"attribute {owner}.{spec.name}", touch(count, "saved value")))
    for spec in after.attributes:
        was = before.attribute(spec.name)
        if was is None:
            detail = f"{spec.type}{', required' if spec.required else ''}"
            missing = (tally.spans_of(names) if tally and spec.required and spec.default is None else None)
            changes.append(Change("+", f"attribute {owner}.{spec.name} ({detail})",
                                  "" if missing is None else f"{_plural(missing, 'span')} need a value"))
            continue
        if was.type != spec.type:
            count = tally.values_of(names, spec.name) if tally else 0
            changes.append(Change("~", f"attribute {owner}.{spec.name}: type {was.type} -> {spec.type}",
                                  touch(count, "saved value")))
            continue
        if was.key != spec.key:
            changes.append(Change("~", f"attribute {owner}.{spec.name}: key {was.key or '-'} -> {spec.key or '-'}"))
        if was.required != spec.required:
            changes.append(Change("~", f"attribute {owner}.{spec.name}: "
                                       f"{'now required' if spec.required else 'no longer required'}"))
        if was.default != spec.default:
            changes.append(Change("~", f"attribute {owner}.{spec.name}: default {_value_text(was.default)} -> "
                                       f"{_value_text(spec.default)}"))
        if (was.minimum, was.maximum) != (spec.minimum, spec.maximum):
            count = tally.values_of(names, spec.name, lambda v, s=spec: not s.allows(v)) if tally else 0
            changes.append(Change("~", f"attribute {owner}.{spec.name}: range {_attribute_detail(_bare(was))} -> "
                                       f"{_attribute_detail(_bare(spec))}",
                                  touch(count, "saved value") + (" now out of range" if tally else "")))
        old_values = [c.value for c in was.choices]
        new_values = [c.value for c in spec.choices]
        for value in old_values:
            if value not in new_values:
                count = tally.values_of(names, spec.name, lambda v, gone=value: str(v) == gone) if tally else 0
                changes.append(Change("-", f"value {owner}.{spec.name}={value}", touch(count, "saved value")))
        for value in new_values:
            if value not in old_values:
                changes.append(Change("+", f"value {owner}.{spec.name}={value}"))
    return changes


def _bare(spec: AttributeSpec) -> AttributeSpec:
    """The spec without its default, to describe its range alone."""
    return AttributeSpec(spec.name, spec.type, spec.choices, spec.minimum, spec.maximum)


def _relation_changes(old: Schema, new: Schema, pairs: list[tuple[Label, Label]],
                      tally: StoreTally | None, touch: Any) -> list[Change]:
    renamed = {before.name: after.name for before, after in pairs}
    changes: list[Change] = []

    def saved(name: str, keep: Any = None) -> int:
        if tally is None:
            return 0
        return sum(count for (label, head, child), count in tally.relations.items()
                   if label == name and (keep is None or keep(renamed.get(head, head), renamed.get(child, child))))

    for relation in old.relations:
        if new.relation(relation.name) is None:
            changes.append(Change("-", f"relation {relation.name}", touch(saved(relation.name), "saved relation")))
    for relation in new.relations:
        was = old.relation(relation.name)
        if was is None:
            changes.append(Change("+", f"relation {relation.name} ({_ends(relation)})"))
            continue
        for end, was_labels, now_labels in (("from", was.heads, relation.heads), ("to", was.children, relation.children)):
            was_labels = tuple(renamed.get(name, name) for name in was_labels)
            if set(was_labels) != set(now_labels):
                at_head = end == "from"
                count = saved(relation.name, lambda head, child, allowed=now_labels, at_head=at_head:
                              (head if at_head else child) not in allowed)
                changes.append(Change("~", f"relation {relation.name}: {end} [{', '.join(was_labels)}] -> "
                                           f"[{', '.join(now_labels)}]",
                                      touch(count, "saved relation") + (" no longer allowed" if tally else "")))
        if was.key != relation.key:
            changes.append(Change("~", f"relation {relation.name}: key {was.key or '-'} -> {relation.key or '-'}"))
    return changes


def _ends(relation: RelationSpec) -> str:
    return f"[{', '.join(relation.heads)}] -> [{', '.join(relation.children)}]"
