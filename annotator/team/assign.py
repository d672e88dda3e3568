"""Splitting a corpus between annotators, with a share of paragraphs done twice for agreement.

The split is a pure function of the paragraph ids, the annotator names and the seed: each
paragraph's place comes from a hash of `seed` and its id, never from random state, so the same
inputs give the same split on any machine, whatever order the names are given in.

- Overlap: the `round(overlap * N)` paragraphs with the smallest hashes go to `per_item`
  annotators each; the rest go to one.
- Balance: paragraphs are handed out in hash order to the least-loaded annotators (ties broken
  by a hash of seed, id and name; for shared paragraphs, then by how few paragraphs the
  candidates already share), so loads differ by at most one and every pair of annotators
  shares about as many paragraphs as any other.

Queue files (docs/TEAMS.md): one JSONL line per assigned paragraph, in corpus order:
`{"id": "<article>#<index>", "text": <paragraph text>, "meta": {"article_id", "paragraph",
"char_offset", "source"}}` -- the same `meta` as a record, so the paragraph keeps its original
id and offsets and records from different annotators match by id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.corpus import Article
from annotator.core.errors import InputError
from annotator.core.files import check_readable, write_atomically
from annotator.core.identity import check_name

MANIFEST = "assignment.json"
MANIFEST_FORMAT = "annotator-assignment"


def _hash(*parts: str) -> int:
    """A 64-bit number from text, the same on every machine and run."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest(), "big")


def parse_annotators(text: str) -> list[str]:
    """`alice,bob,carol` -> checked, distinct names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise InputError("--annotators needs at least one name, e.g. --annotators alice,bob,carol.")
    for name in names:
        check_name(name, "--annotators")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"--annotators: {duplicates[0]} is named twice. Give each annotator once.")
    return names


def check_options(annotators: Sequence[str], overlap: float, per_item: int) -> None:
    """Refuse a split that cannot be made (checked before any source is read)."""
    if not 0.0 <= overlap <= 1.0:
        raise InputError(f"--overlap {overlap:g}: give a fraction from 0 to 1, e.g. 0.2 for a fifth done twice.")
    if overlap > 0 and not 2 <= per_item <= len(annotators):
        raise InputError(
            f"--per-item {per_item}: shared paragraphs need from 2 to {len(annotators)} annotators "
            f"(there are {len(annotators)}). Add annotators or lower --per-item."
        )


def split(
    paragraph_ids: Sequence[str],
    annotators: Sequence[str],
    *,
    overlap: float,
    per_item: int = 2,
    seed: str = "0",
) -> dict[str, tuple[str, ...]]:
    """Who does each paragraph: id -> names (sorted), in the order of `paragraph_ids`."""
    check_options(annotators, overlap, per_item)
    names = sorted(annotators)
    if len(set(paragraph_ids)) != len(paragraph_ids):
        raise InputError("two paragraphs have the same id (an article given twice?). Give each source once.")
    order = sorted(paragraph_ids, key=lambda pid: (_hash(seed, pid), pid))
    shared_count = int(overlap * len(order) + 0.5)
    load = {name: 0 for name in names}
    together: dict[tuple[str, str], int] = {}
    chosen: dict[str, tuple[str, ...]] = {}
    for position, pid in enumerate(order):
        wanted = per_item if position < shared_count else 1
        picked: list[str] = []
        for _ in range(wanted):
            candidates = [name for name in names if name not in picked]
            best = min(candidates, key=lambda name: (
                load[name],
                sum(together.get((min(name, other), max(name, other)), 0) for other in picked),
                _hash(seed, pid, name),
                name,
            ))
            picked.append(best)
        for name in picked:
            load[name] += 1
        for i, a in enumerate(sorted(picked)):
            for b in sorted(picked)[i + 1:]:
                together[(a, b)] = together.get((a, b), 0) + 1
        chosen[pid] = tuple(sorted(picked))
    return {pid: chosen[pid] for pid in paragraph_ids}


@dataclass(frozen=True, slots=True)
class AssignmentPlan:
    """Everything `assign` writes, built in memory first so that nothing is written on an error."""

    files: dict[str, str]  # file name in the output folder -> content
    stores: list[str]  # store file names to create empty where missing
    manifest: dict[str, Any]


def queue_line(article: Article, index: int) -> str:
    paragraph = article.paragraphs[index]
    meta: dict[str, Any] = {
        "article_id": paragraph.article_id,
        "paragraph": paragraph.index,
        "char_offset": paragraph.char_offset,
        "source": paragraph.source,
    }
    if article.meta.get("title"):
        meta["title"] = article.meta["title"]
    return json.dumps({"id": paragraph.id, "text": paragraph.text, "meta": meta}, ensure_ascii=False)


def plan(
    articles: Iterable[Article],
    annotators: Sequence[str],
    *,
    overlap: float,
    per_item: int,
    seed: str,
    sources: Sequence[str],
) -> AssignmentPlan:
    articles = list(articles)
    ids = [p.id for article in articles for p in article.paragraphs]
    if not ids:
        raise InputError("the sources hold no paragraphs to assign. Check the SOURCE paths.")
    who = split(ids, annotators, overlap=overlap, per_item=per_item, seed=seed)
    queues: dict[str, list[str]] = {name: [] for name in annotators}
    for article in articles:
        for index, paragraph in enumerate(article.paragraphs):
            for name in who[paragraph.id]:
                queues[name].append(queue_line(article, index))
    pairs: dict[str, int] = {}
    for names in who.values():
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                pairs[f"{a}+{b}"] = pairs.get(f"{a}+{b}", 0) + 1
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "sources": list(sources),
        "seed": seed,
        "overlap": overlap,
        "per_item": per_item,
        "paragraphs": len(ids),
        "shared_paragraphs": sum(1 for names in who.values() if len(names) > 1),
        "annotators": {
            name: {
                "queue": f"{name}.queue.jsonl",
                "store": f"{name}.jsonl",
                "paragraphs": len(queues[name]),
                "shared": sum(1 for names in who.values() if name in names and len(names) > 1),
                "command": f"annotator annotate {name}.queue.jsonl --out {name}.jsonl --annotator {name}",
            }
            for name in annotators
        },
        "pairs": dict(sorted(pairs.items())),
        "assignment": {pid: list(names) for pid, names in who.items()},
    }
    files = {f"{name}.queue.jsonl": "".join(line + "\n" for line in queues[name]) for name in annotators}
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    return AssignmentPlan(files, [f"{name}.jsonl" for name in annotators], manifest)


def read_manifest(path: Path) -> dict[str, Any]:
    """An `assignment.json` written by `assign`; InputError when it is not one."""
    check_readable(path, missing="no such file. Give the assignment.json that `annotator assign` wrote.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file. Give the assignment.json that `annotator assign` wrote.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error}).") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: not valid JSON ({error.msg}).") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("annotators"), dict):
        raise InputError(f"{path}: not an assignment manifest. Give the assignment.json that `annotator assign` wrote.")
    return data


def write_plan(assignment: AssignmentPlan, folder: Path) -> list[str]:
    """Write the queues and manifest (temp file + rename each) and create missing empty stores.

    Refuses, before writing anything, when a file there differs from what would be written:
    an earlier assignment is never overwritten. Identical files are left as they are, so
    running the same command twice is harmless. Returns the names of files written.
    """
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file. Give a folder for --out.")
    for name, content in assignment.files.items():
        path = folder / name
        if path.exists() and path.read_text(encoding="utf-8") != content:
            raise InputError(
                f"{path}: already holds a different assignment. Nothing was written; "
                "choose a new --out folder (or remove the old one yourself)."
            )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in assignment.files.items():
        path = folder / name
        if not path.exists():
            write_atomically(path, content)
            written.append(name)
    for name in assignment.stores:
        path = folder / name
        if not path.exists():
            path.touch()
            written.append(name)
    return written
