"""`annotator schema validate|show|init|diff`: the tools a project lead needs to own a schema.

validate lists every problem at once; show prints what annotators will get; init writes a
commented starter; diff says what an edit changes and, given a store, how much saved work each
change touches, before anyone annotates with the new version (the diff and the tally are
`annotator/core/schema_diff.py`; this module parses and prints).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from pathlib import Path

from annotator.core.display import display_text, terminal_safe
from annotator.core.errors import InputError
from annotator.core.schema import Schema, load_schema, validate_schema
from annotator.core.schema_diff import attribute_detail, diff_schemas, plural, tally_store

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
    key: "1"              # one character, pressed to tag; not one the screen uses (see docs/KEYS.md)
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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
            print(problem, file=sys.stderr)  # terminal-safe: SchemaProblem's own str
        count = len(problems)
        print(f"{terminal_safe(str(args.file))}: {count} problem{'s' if count != 1 else ''}. Fix them and run this again.",
              file=sys.stderr)
        return PROBLEMS_EXIT
    schema = load_schema(args.file)
    print(f"{terminal_safe(str(args.file))}: ok ({plural(len(schema.labels), 'label')}, "
          f"{plural(len(schema.relations), 'relation')})")
    return 0


# --- show -------------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    schema = load_schema(args.file)
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((100, 24)).columns
    print("\n".join(show_lines(schema, colour=colour, width=width)))
    return 0


def show_lines(schema: Schema, *, colour: bool = False, width: int = 100) -> list[str]:
    """The schema as readable tables; `colour` adds a swatch of each label's colour."""
    lines = [terminal_safe(f"{schema.name}  version {schema.version}")]
    if schema.description:
        lines += textwrap.wrap(display_text(schema.description), width)
    lines += ["", "Labels"]
    lines += _table(["key", "label", "colour", "snap", "may overlap", "renamed from"], [
        [label.key, label.name, _swatch(label.color) + label.color if colour else label.color, label.snap,
         "any" if label.overlaps is None else (", ".join(label.overlaps) or "none"),
         ", ".join(label.renamed_from)]
        for label in schema.labels], width)
    attribute_rows = [[label.name, spec.name + (" *" if spec.required else ""), spec.key, spec.type,
                       attribute_detail(spec)]
                      for label in schema.labels for spec in label.attributes]
    if attribute_rows:
        lines += ["", "Attributes (* required: each span of the label needs a value before its paragraph is accepted)"]
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
    print(terminal_safe(f"wrote {path}. Edit it, then check it with `annotator schema validate {path}`."))
    return 0


# --- diff -------------------------------------------------------------------------------------


def run_diff(args: argparse.Namespace) -> int:
    old, new = load_schema(args.old), load_schema(args.new)
    tally = tally_store(args.store) if args.store else None
    changes = diff_schemas(old, new, tally)
    print(terminal_safe(f"{old.name} {old.version} ({args.old}) -> {new.name} {new.version} ({args.new})"))
    if tally is not None:
        print(f"store {terminal_safe(str(args.store))}: {plural(tally.records, 'record')}, "
              f"{plural(sum(tally.spans.values()), 'span')}, "
              f"{plural(sum(tally.relations.values()), 'relation')}")
    if not changes:
        print("no changes")
        return 0
    width = max(len(change.text) for change in changes)
    for change in changes:
        print(terminal_safe(f"  {change.sign} {change.text.ljust(width)}  {change.touches}".rstrip()))
    print(plural(len(changes), "change"))
    return 0
