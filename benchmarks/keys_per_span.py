"""Keys per gold span on the bundled samples, with and without suggestions (issue 13).

Run: `python benchmarks/keys_per_span.py` (needs the `spacy` extra for the patterns). Headless,
through Pilot: a simulated annotator works through `border-clashes.txt` and `port-shelling.txt`
on the real annotate screen, pressing its real keys, until the store holds exactly the gold
spans of `keys_per_span_gold.jsonl` (written by hand for this benchmark, from the schema's
guidelines) and every paragraph is accepted; every key press is counted, `enter` included.

The annotator is a careful one who plans each move from what the screen shows:
- a suggestion that is not gold is reached with `tab` (which stops on suggestions first) and
  rejected with `backspace`, or relabelled with a label key where only its label is wrong;
  then `A` accepts every suggestion left, in one key;
- a gold span nobody suggested is tagged by hand, the cheapest of these ways: the cursor goes to
  its first word, or to any of its words from which `e` selects it, by `right`/`left`, `home`,
  or `f` and the fewest letters that jump there (then `enter`, unless the next key, a label key,
  `e` or `shift+right`, closes the prompt by itself); there `e`, pressed once or again (each
  press grows to the next larger phrase), selects the span, or the start of it that
  `shift+right` then grows, or it with one word more that `shift+left` gives back; else
  `shift+right` alone grows the selection; the label key tags it. What `e` selects is read from
  `annotator.core.phrases.grow_phrase`, the function the screen's `e` calls, and the selection
  on the screen is checked against the span before the label key;
- `enter` accepts the paragraph and opens the next one; where a span still lacks a required
  value (CASUALTY's `status`, given in the gold file), `enter` is refused and opens the
  attribute panel on it, and the annotator presses the gold value's key and `enter` again.

`--article PATH` (repeatable) and `--gold PATH` run it on any article with its gold instead,
e.g. `--article ../shared/reference/seed-article.txt --gold benchmarks/seed_article_gold.jsonl`
(gold written by hand from the guidelines). Besides the totals it prints the keys by kind
(moves, `f` jumps, `e`, shift+arrows, label keys, tab/backspace on wrong suggestions, `A`,
`enter`, status keys) and by the label of the span they were spent on; `--each` lists the keys
of every span tagged by hand.

Four runs: nothing suggested; the starter patterns only (`annotator suggest --patterns
news-conflict.patterns.jsonl` before opening the screen); occurrences only (tagging suggests
the label at the text's other occurrences in the article); both. Figures: docs/KEYS.md and
docs/PERFORMANCE.md ("Keys per span").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.cli import main
from annotator.core.corpus import Corpus
from annotator.core.phrases import grow_phrase
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import whole_token_matches
from annotator.core.store import Store, read_store
from annotator.core.tokens import Token, tokenize
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.attributes import AttributeScreen

SAMPLES = Path(__file__).resolve().parents[1] / "annotator" / "data" / "samples"
ARTICLES = ("border-clashes.txt", "port-shelling.txt")
GOLD = Path(__file__).with_name("keys_per_span_gold.jsonl")
PATTERNS = default_schema_path().with_name("news-conflict.patterns.jsonl")
SIZE = (120, 40)

Key = tuple[int, int, str]  # start, end, label


@dataclass
class Run:
    name: str
    keys: int = 0
    spans: int = 0
    suggested: int = 0  # suggestions the annotator met
    accepted: int = 0  # of which accepted as they were (by `A`)
    for_values: int = 0  # of the keys, those that gave required values (a refused `enter` and the choice's key)
    by_kind: Counter[str] = field(default_factory=Counter)  # keys by what they were for (KINDS)
    by_label: Counter[str] = field(default_factory=Counter)  # keys spent on each label's spans
    tagged: list[str] = field(default_factory=list)  # each span tagged by hand and its keys, for --each


# What each counted key was for, in the order the breakdown prints them.
KINDS = ("moves", "f jumps", "e", "shift+arrows", "label keys", "tab/backspace", "A", "enter", "status keys")


def read_gold(corpus: Corpus, gold_path: Path) -> tuple[dict[str, list[Key]], dict[Key, dict[str, Any]]]:
    """The gold spans by paragraph id, as offsets, and the required values of those that have any:
    each `[label, text, nth?, {attribute: value}?]` is the nth whole-token occurrence."""
    texts = {paragraph.id: paragraph for article in corpus for paragraph in article.paragraphs}
    gold: dict[str, list[Key]] = {}
    values: dict[Key, dict[str, Any]] = {}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        paragraph = texts[entry["id"]]
        tokens = tokenize(paragraph.text)
        spans: list[Key] = []
        for label, text, *rest in entry["spans"]:
            matches = whole_token_matches(paragraph.text, tokens, text)
            if not matches:
                raise SystemExit(f"{gold_path}: {text!r} is not on token edges in {entry['id']}")
            nth = [item for item in rest if isinstance(item, int)]
            start, end = matches[nth[0] if nth else 0]
            spans.append((start, end, label))
            for item in rest:
                if isinstance(item, dict):
                    values[(start, end, label)] = item
        gold[entry["id"]] = sorted(spans, key=lambda key: (key[0], key[0] - key[1]))
    return gold, values


class Annotator:
    """Presses keys on the screen and counts them."""

    def __init__(self, pilot: object, screen: AnnotateScreen, run: Run, values: dict[Key, dict[str, Any]]) -> None:
        self.pilot = pilot
        self.screen = screen
        self.run = run
        self.values = values
        self.label_keys = {label.name: label.key for label in screen.session.schema.labels}

    async def press(self, kind: str, label: str, *keys: str) -> None:
        """Press `keys`, counted as `kind` (one of KINDS) spent on a `label` span."""
        self.run.keys += len(keys)
        self.run.by_kind[kind] += len(keys)
        self.run.by_label[label] += len(keys)
        await self.pilot.press(*keys)  # type: ignore[attr-defined]

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.screen.tokens

    def movable(self, first: int, last: int) -> int:
        """Movable tokens in `first..last` inclusive."""
        return sum(1 for index in range(first, last + 1) if self.screen.movable(index))

    def jump_letters(self, target: int) -> str | None:
        """The shortest start of the target word that `f` jumps to from the cursor, if one can be typed."""
        word = self.tokens[target].text
        origin = self.screen.cursor or 0
        count = len(self.tokens)
        order = [(origin + offset) % count for offset in range(1, count + 1)]
        for length in range(1, len(word) + 1):
            prefix = word[:length]
            if not prefix[-1].isalnum():
                return None
            found = next(i for i in order if self.tokens[i].text.casefold().startswith(prefix.casefold()))
            if found == target:
                return prefix
        return None

    def move_keys(self, target: int, next_key: str) -> list[str]:
        """The fewest keys that bring the cursor to `target`; `next_key` is the key pressed next, which closes
        the `f` prompt by itself when it is a shift+arrow, or a label key or `e` that goes on no word's start
        (docs/KEYS.md)."""
        cursor = self.screen.cursor
        assert cursor is not None
        if cursor == target:
            return []
        plans: list[list[str]] = []
        if target > cursor:
            plans.append(["right"] * self.movable(cursor + 1, target))
        else:
            plans.append(["left"] * self.movable(target, cursor - 1))
        first = self.screen.first_movable(0, 1) or 0
        plans.append(["home", *["right"] * self.movable(first + 1, target)])
        letters = self.jump_letters(target)
        if letters is not None:
            closes = next_key in ("shift+right", "shift+left") or (
                next_key in (*self.label_keys.values(), "e")
                and self.screen.word_starting(letters + next_key, cursor) is None)
            plans.append(["f", *letters, *([] if closes else ["enter"])])
        return min(plans, key=len)

    def selection_plans(self, first: int, last: int) -> list[tuple[int, list[str]]]:
        """Ways to select `first..last` so that a label key tags exactly it: (the token to start from, the keys
        pressed there). `e` is pressed from any word of the span, once or again (each press grows to the next
        larger phrase: docs/KEYS.md), where it selects the span or a part of it from its first word (then
        `shift+right` grows the rest), or one word more (`shift+left` gives it back)."""
        if first == last:
            covered = any(s.token_start <= first <= s.token_end for s in self.screen.session.annotation.spans)
            if not covered:
                return [(first, [])]
            # a label key on a span with nothing selected relabels it: select the one token instead, by `e`
            # where the word is a phrase of its own
            if grow_phrase(self.tokens, None, first) == (first, first):
                return [(first, ["e"])]
            can_grow = self.screen.first_movable(first + 1, 1) is not None
            return [(first, ["shift+right", "shift+left"] if can_grow else ["shift+left", "shift+right"])]
        plans = [(first, ["shift+right"] * self.movable(first + 1, last))]
        for start in range(first, last + 1):
            if not self.screen.movable(start):
                continue
            selection: tuple[int, int] | None = None
            presses: list[str] = []
            for _ in range(3):
                grown = grow_phrase(self.tokens, selection, selection[1] if selection else start)
                if grown == selection:
                    break
                selection = grown
                presses.append("e")
                begin, end = selection
                if begin != first:
                    continue
                if end <= last:
                    plans.append((start, [*presses, *["shift+right"] * self.movable(end + 1, last)]))
                else:
                    plans.append((start, [*presses, *["shift+left"] * self.movable(last + 1, end)]))
        return plans

    async def tag(self, key: Key) -> None:
        start, end, label = key
        inside = [t.id for t in self.tokens if t.start < end and t.end > start and not t.text.isspace()]
        first, last = inside[0], inside[-1]
        label_key = self.label_keys[label]
        plans = [(origin, self.move_keys(origin, (selecting or [label_key])[0]), selecting)
                 for origin, selecting in self.selection_plans(first, last)]
        origin, moving, selecting = min(plans, key=lambda plan: len(plan[1]) + len(plan[2]))
        await self.press("f jumps" if moving[:1] == ["f"] else "moves", label, *moving)
        assert self.screen.cursor == origin, (self.screen.cursor, origin)
        for grow in selecting:
            await self.press("e" if grow == "e" else "shift+arrows", label, grow)
        if selecting:
            assert self.screen.selection == (first, last), (self.screen.selection, first, last)
        await self.press("label keys", label, label_key)
        text = self.screen.session.paragraph.text[start:end]
        self.run.tagged.append(f"{label:12} {text!r}: {' '.join([*moving, *selecting, label_key])}")

    async def settle_suggestions(self, gold: Sequence[Key]) -> None:
        """Reject or relabel the wrong suggestions (reached with tab), then accept the rest with `A`."""
        wanted = set(gold)
        labels_at = {(start, end): label for start, end, label in gold}
        seen: set[str] = set()
        settled: set[str] = set()
        while True:
            spans = self.screen.session.annotation.spans
            seen |= {span.id for span in spans if span.suggested}
            wrong = [s for s in spans if s.suggested and (s.start, s.end, s.label) not in wanted]
            if not wrong:
                break
            target = wrong[0]
            if target.id in settled:
                text = self.screen.session.paragraph.text[target.start:target.end]
                raise SystemExit(f"{self.screen.session.paragraph.id}: the suggestion {target.label} {text!r} "
                                 "is still there after it was rejected or relabelled")
            settled.add(target.id)
            for _ in range(len(spans) + 1):
                selected = self.screen.selected_span()
                if selected is not None and selected.id == target.id:
                    break
                await self.press("tab/backspace", target.label, "tab")
            label = labels_at.get((target.start, target.end))
            if label is not None:
                await self.press("label keys", label, self.label_keys[label])
            else:
                await self.press("tab/backspace", target.label, "backspace")
        left = [s for s in self.screen.session.annotation.spans if s.suggested]
        self.run.suggested += len(seen)
        if left:
            self.run.accepted += len(left)
            await self.press("A", "(paragraph)", "A")

    async def paragraph(self, gold: Sequence[Key]) -> None:
        self.run.spans += len(gold)
        tried: set[Key] = set()
        while True:
            await self.settle_suggestions(gold)
            have = {(s.start, s.end, s.label) for s in self.screen.session.annotation.spans}
            missing = [key for key in gold if key not in have]
            if not missing:
                break
            if missing[0] in tried:
                start, end, label = missing[0]
                raise SystemExit(f"{self.screen.session.paragraph.id}: tagging {label} "
                                 f"{self.screen.session.paragraph.text[start:end]!r} did not make that span "
                                 f"(the screen said: {self.screen.message!r})")
            tried.add(missing[0])
            await self.tag(missing[0])  # a tag may suggest more in this paragraph: settle them first
        await self.press("enter", "(paragraph)", "enter")
        while isinstance(self.screen.app.screen, AttributeScreen):  # refused: a span lacks a required value
            panel = self.screen.app.screen
            span, attribute = panel.span(), panel.attribute
            assert span is not None and attribute is not None
            value = self.values.get((span.start, span.end, span.label), {}).get(attribute.name)
            if value is None:
                text = self.screen.session.paragraph.text[span.start:span.end]
                raise SystemExit(f"{self.screen.session.paragraph.id}: the gold gives no {attribute.name} for "
                                 f"{span.label} {text!r}, which the schema requires: add it to the gold")
            self.run.for_values += 2
            await self.press("status keys", span.label, next(c.key for c in attribute.choices if c.value == value))
            await self.press("status keys", span.label, "enter")


async def annotate(folder: Path, corpus: Corpus, gold: dict[str, list[Key]], values: dict[Key, dict[str, Any]],
                   run: Run, occurrences: bool) -> None:
    store = Store(folder / "store.jsonl")
    session = Session(corpus, load_schema(default_schema_path()), store, "bench")
    session.suggests_occurrences = occurrences
    app = AnnotatorApp(session, store_path="store.jsonl")
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, AnnotateScreen)
            annotator = Annotator(pilot, screen, run, values)
            for _ in range(len(gold)):
                await annotator.paragraph(gold[session.paragraph.id])
    finally:
        store.close()
    latest = read_store(folder / "store.jsonl").latest
    for paragraph_id, keys in gold.items():
        record = latest.get(paragraph_id)
        saved = {(s["start"], s["end"], s["label"]) for s in record["spans"]} if record else set()
        assert record is not None and record.get("answer") == "accept", paragraph_id
        assert saved == set(keys) and not any(s.get("suggested") for s in record["spans"]), (paragraph_id, saved)
        for span in record["spans"]:
            for name, value in values.get((span["start"], span["end"], span["label"]), {}).items():
                assert span["attributes"][name] == value, (paragraph_id, span["text"], name)


def measure(name: str, sources: Sequence[Path], gold_path: Path, patterns: bool, occurrences: bool) -> Run:
    run = Run(name)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if patterns:
            with contextlib.redirect_stderr(io.StringIO()):
                status = main(["suggest", *map(str, sources), "--out", str(folder / "store.jsonl"),
                               "--patterns", str(PATTERNS), "--annotator", "bench", "--quiet"])
            assert status == 0
        corpus = Corpus(sources)
        asyncio.run(annotate(folder, corpus, *read_gold(corpus, gold_path), run, occurrences))
    return run


def main_benchmark(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Keys per gold span on the annotate screen.")
    parser.add_argument("--article", type=Path, action="append",
                        help="an article to annotate (repeatable; default: the bundled samples)")
    parser.add_argument("--gold", type=Path, default=GOLD, help=f"its gold spans (default: {GOLD.name})")
    parser.add_argument("--each", action="store_true", help="also list the keys of every span tagged by hand")
    options = parser.parse_args(argv)
    sources = options.article or [SAMPLES / article for article in ARTICLES]
    runs = [measure(name, sources, options.gold, patterns, occurrences)
            for name, patterns, occurrences in (("nothing suggested", False, False), ("starter patterns", True, False),
                                                ("occurrences", False, True), ("patterns + occurrences", True, True))]
    print(f"{runs[0].spans} gold spans in {len(sources)} articles ({', '.join(source.name for source in sources)})")
    print(f"{'':24} {'keys':>5} {'keys/span':>9} {'suggested':>9} {'accepted':>8} {'for required values':>20}")
    for run in runs:
        print(f"{run.name:24} {run.keys:5} {run.keys / run.spans:9.2f} {run.suggested:9} {run.accepted:8} "
              f"{run.for_values:20}")
    print("\nkeys by kind")
    print(f"{'':24} " + " ".join(f"{kind:>13}" for kind in KINDS))
    for run in runs:
        print(f"{run.name:24} " + " ".join(f"{run.by_kind[kind]:13}" for kind in KINDS))
    labels = sorted({label for run in runs for label in run.by_label})
    print("\nkeys by label (the label of the span they were for; accepting a paragraph is (paragraph))")
    print(f"{'':24} " + " ".join(f"{label:>12}" for label in labels))
    for run in runs:
        print(f"{run.name:24} " + " ".join(f"{run.by_label[label]:12}" for label in labels))
    if options.each:
        for run in runs:
            print(f"\nspans tagged by hand, {run.name}")
            print("\n".join(run.tagged))
    return 0


if __name__ == "__main__":
    sys.exit(main_benchmark(sys.argv[1:]))
