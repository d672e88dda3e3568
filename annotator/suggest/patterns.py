"""Patterns in spaCy's `EntityRuler` JSONL (the file Prodigy's `--patterns` takes), and patterns
learnt from a team's stores.

One pattern a line: `{"label": "ACTOR", "pattern": "US officials"}` (a phrase, matched on the
exact characters of whole tokens) or `{"label": "CASUALTY", "pattern": [{"LIKE_NUM": true},
{"LOWER": "people"}]}` (spaCy token attributes), with an optional `"id"`. Blank lines are
skipped; anything else wrong is an InputError naming FILE:LINE, before any work starts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.checked import checked_json
from annotator.core.errors import InputError
from annotator.core.files import check_readable
from annotator.core.schema import Schema, migrate_record_labels
from annotator.core.store import read_store
from annotator.suggest.spacy_extra import load_spacy

_EXAMPLE = '{"label": "ACTOR", "pattern": "US officials"}'


@dataclass(frozen=True, slots=True)
class PatternSet:
    """The patterns of one file, and the `source` its suggestions carry (`patterns:<file name>`)."""

    source: str
    patterns: tuple[dict[str, Any], ...]


def read_patterns(path: Path) -> PatternSet:
    """The checked patterns of an `EntityRuler` JSONL file."""
    spacy = load_spacy("--patterns")
    from spacy.matcher import Matcher

    matcher = Matcher(spacy.blank("en").vocab, validate=True)
    check_readable(path, missing="no such patterns file.")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such patterns file.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text. Save it as UTF-8.") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}).") from None
    patterns = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            patterns.append(_checked(line, f"{path}:{number}", matcher))
    if not patterns:
        raise InputError(f"{path}: has no patterns. Give one a line, e.g. {_EXAMPLE}")
    return PatternSet(f"patterns:{path.name}", tuple(patterns))


def _checked(line: str, where: str, matcher: Any) -> dict[str, Any]:
    from spacy.errors import MatchPatternError

    try:
        entry = checked_json(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: not valid JSON ({error.msg} at column {error.colno}). "
                         f"Each line must be one pattern, e.g. {_EXAMPLE}") from None
    except ValueError as error:  # checked_json's refusals
        raise InputError(f"{where}: {error}. Each line must be one pattern, e.g. {_EXAMPLE}") from None
    if not isinstance(entry, dict):
        raise InputError(f"{where}: not a JSON object. Each line must be one pattern, e.g. {_EXAMPLE}")
    unknown = sorted(set(entry) - {"label", "pattern", "id"})
    if unknown:
        raise InputError(f"{where}: unknown field(s) {', '.join(unknown)}; a pattern has label, pattern and an optional id.")
    label, pattern = entry.get("label"), entry.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise InputError(f'{where}: "label" must be a non-empty string, e.g. {_EXAMPLE}')
    if "id" in entry and not isinstance(entry["id"], str):
        raise InputError(f'{where}: "id" must be a string.')
    if isinstance(pattern, str):
        if not pattern.strip():
            raise InputError(f'{where}: the phrase "pattern" is empty.')
        return entry
    if not isinstance(pattern, list) or not pattern or not all(isinstance(token, dict) for token in pattern):
        raise InputError(f'{where}: "pattern" must be a phrase (a string) or a list of token patterns '
                         '(objects such as {"LOWER": "said"}).')
    try:
        matcher.add("check", [pattern])
    except MatchPatternError as error:
        problems = " ".join(str(error).split())
        raise InputError(f"{where}: not a valid token pattern: {problems}") from None
    matcher.remove("check")
    return entry


def patterns_from_stores(paths: Iterable[Path], schema: Schema | None = None) -> list[PatternSet]:
    """Phrase patterns from the accepted spans of each store: a gazetteer of the team's own work.

    A span counts when its paragraph is accepted and the span is not a suggestion. A span saved
    under a label's old name (the schema's `renamed_from`) counts under the current one, as in
    agree, stats and merge. A text tagged with several labels becomes one pattern, of the label
    it was given most often (the first in alphabetical order on a tie).
    """
    sets = []
    for path in paths:
        labels: dict[str, Counter[str]] = {}
        for saved in read_store(path).iter_latest():
            if saved.get("answer") != "accept":
                continue
            record = migrate_record_labels(schema, saved)
            for span in record.get("spans") or ():
                if not span.get("suggested") and str(span.get("text", "")).strip():
                    labels.setdefault(span["text"], Counter())[span["label"]] += 1
        patterns = tuple({"label": min(counts, key=lambda label: (-counts[label], label)), "pattern": text}
                         for text, counts in sorted(labels.items()))
        sets.append(PatternSet(f"patterns:{path.name}", patterns))
    return sets


def pattern_sets(files: Iterable[Path], stores: Iterable[Path], schema: Schema | None = None) -> list[PatternSet]:
    """The patterns of every file and store, one set per source (files of the same name are pooled);
    a store with no accepted span gives none; the stores' renamed labels under `schema`'s current names."""
    pooled: dict[str, list[dict[str, Any]]] = {}
    for pattern_set in [*(read_patterns(path) for path in files), *patterns_from_stores(stores, schema)]:
        pooled.setdefault(pattern_set.source, []).extend(pattern_set.patterns)
    return [PatternSet(source, tuple(patterns)) for source, patterns in pooled.items() if patterns]
