"""What each link opens: the `annotator` command line run for every browser connection of it.

For a team (`--team DIR`, a folder written by `annotator assign`) each annotator's link runs
`annotator annotate DIR/NAME.queue.jsonl --out DIR/NAME.jsonl --annotator NAME`, exactly what
`assign` tells them to type, so a browser session is the same program with the same store,
lock and durability as one in a terminal. Everything is checked here, before the server
starts, so that a lead sees a bad folder at once rather than in every annotator's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.identity import check_name
from annotator.serve.access import Grant
from annotator.team.assign import MANIFEST, read_manifest

GOLD = "gold.jsonl"


@dataclass(frozen=True, slots=True)
class Member:
    """One annotator of an assignment, with their queue and store (absolute paths)."""

    name: str
    queue: Path
    store: Path


def _file_in(folder: Path, manifest: Path, name: str, entry: object, key: str) -> Path:
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value or Path(value).name != value:
        raise InputError(f"{manifest}: annotators.{name}.{key} should be a file name in {folder}. "
                         "Give the assignment.json that `annotator assign` wrote.")
    return folder / value


def team_members(folder: Path) -> list[Member]:
    """The annotators of the assignment in `folder`, each with a queue that exists."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        raise InputError(f"{folder}: {what}. Make a team folder first: "
                         f"annotator assign SOURCE... --annotators alice,bob --out {folder}")
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise InputError(f"{folder}: holds no {MANIFEST}, so there are no queues to serve. "
                         f"Write them with: annotator assign SOURCE... --annotators alice,bob --out {folder}")
    manifest = read_manifest(manifest_path)
    folder = folder.resolve()
    members = []
    for name, entry in manifest["annotators"].items():
        check_name(name, f"{manifest_path}: annotators")
        member = Member(name, _file_in(folder, manifest_path, name, entry, "queue"),
                        _file_in(folder, manifest_path, name, entry, "store"))
        if not member.queue.is_file():
            raise InputError(f"{member.queue}: {name}'s queue is missing. Run the same `annotator assign` again "
                             "to write it (it changes nothing else).")
        members.append(member)
    if not members:
        raise InputError(f"{manifest_path}: names no annotators, so there are no queues to serve.")
    return members


def annotate_grant(name: str, sources: Sequence[Path], store: Path, schema: Path) -> Grant:
    """A link to the annotate screen on `sources`, writing `store` as `name`."""
    return Grant(check_name(name, "--annotator"), (
        "annotate", *(str(source.resolve()) for source in sources),
        "--out", str(store.resolve()), "--annotator", name, "--schema", str(schema.resolve()),
    ))


def review_grant(name: str, stores: Sequence[Path], gold: Path, schema: Path) -> Grant:
    """A link to the review screen on `stores`, writing gold to `gold` as reviewer `name`."""
    return Grant(check_name(name, "--annotator"), (
        "review", *(str(store.resolve()) for store in stores),
        "--out", str(gold.resolve()), "--annotator", name, "--schema", str(schema.resolve()),
    ))


def check_sources(paths: Sequence[Path], what: str) -> None:
    """Every SOURCE (or STORE) exists: the server should not start on a typo."""
    if not paths:
        raise InputError(f"serve needs at least one {what}, or --team DIR. See `annotator serve --help`.")
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder. Check the {what} path.")
