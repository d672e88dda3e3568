"""What a saved edit, reopening a store and the team commands cost, against what the disk and json.loads cost.

Run: python benchmarks/store.py [--appends 200] [--sizes 10000,100000,1000000] [--only save|stores|check] [--repeat N]
     [--commands "agree --json,..."] [--before FOLDER]

Saving: one `Session.tag_tokens` (build the record, check it, append, fsync) on a 1,000-word
paragraph with 200 spans and a 5,000-word one with 500, against `os.write` + `os.fsync` of the
very bytes that edit appended (read back from the store, written to another file in the same
folder), timed alternately in the same process; and the bytes an edit appends as the spans grow.

Stores: for each size, a store of that many lines is generated in a temporary folder (two
annotators, ten lines a paragraph: each annotator five, one of them an undo), and every command
runs as a whole process (`python -m annotator ...`), timed from start to exit, right after a
run of `json.loads` of every line of the same file (its baseline: the two run under the same
load of a shared machine); of `--repeat` such pairs (default 3 below 1M lines, 1 at 1M) the
median time counts, and the median of the pairs' ratios. CPU time and peak RSS come from `/usr/bin/time`; reading the file's bytes is the other
baseline. Opening is measured twice: the first open builds the index beside the store, the
next ones (resume) read it. `review` opens a screen, so what is timed is what it does before:
reading the stores and planning the review. A store in the older format (tokens in every
line) of the middle size is measured too. First, each command's start-up: its whole process on
a store of 20 lines (what it pays besides reading). Every process keeps the bytecode Python
compiles, as an installed package has it (`ENVIRONMENT`). `--folder` is made if it is missing. With `--before FOLDER` (a folder holding an earlier
version's `annotator/` package, e.g. one commit's tree copied out), each command also runs with
that code (`PYTHONPATH=FOLDER`) right after the same `json.loads` run, so the two versions
alternate under the same load; its row follows, marked "(before)".
Checking: what the checked reading of a record costs, per line of a generated store of 20,000 lines, in
this process (CPU time, best of `--repeat`, default 5, the cycle collector paused): parsing it (`json.loads`, `checked_json`), its
fields checked one by one (`check_fields` without the line's text) and by the pattern (`fields_right`;
`tokens_right` on the lines holding tokens), and its spans against its text (`check_record`).
Nothing here is asserted: the figures go to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from annotator.core.checked import check_fields, checked_json, fields_right, tokens_right
from annotator.core.corpus import Corpus, Paragraph
from annotator.core.records import RecordBuilder, check_record, to_json, token_dicts
from annotator.core.schema import default_schema_path, load_schema
from annotator.core.session import Session
from annotator.core.spans import EMPTY, Annotation, add_span, decide, span_over_tokens
from annotator.core.store import Store, encode_line
from annotator.core.tokens import Token, tokenize

WORDS = ["Militia", "fighters", "attacked", "the", "base", "near", "Deir", "el-Zour", ",", "killing", "at", "least",
         "18", "people", ",", "officials", "said", "."]
LABELS = ("ACTOR", "LOCATION", "CASUALTY", "ATTRIBUTION")
SAMPLES = Path(__file__).resolve().parents[1] / "annotator" / "data" / "samples"
SCHEMA_REF = {"name": "news-conflict", "version": "1"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- saving an edit -----------------------------------------------------------------------


def saving(folder: Path, words: int, spans: int, appends: int) -> None:
    source = folder / f"long-{words}.txt"
    source.write_text(" ".join(WORDS[i % len(WORDS)] for i in range(words)) + "\n", encoding="utf-8")
    floor_path = folder / f"floor-{words}.bin"
    with Corpus([source]) as corpus, Store(folder / f"keys-{words}.jsonl") as store:
        session = Session(corpus, load_schema(default_schema_path()), store, "bench")
        session.suggests_occurrences = False  # the text repeats its words: occurrences would overlap the next tags
        free = [t.id for t in session.tokens if not t.text.isspace()]
        sizes_by_spans = {}
        for n in range(spans):
            before = store._size
            session.tag_tokens(free[n * 4], free[n * 4 + 1], LABELS[n % 4])
            if n in (0, 1, 50, spans - 1):
                sizes_by_spans[n + 1] = store._size - before
        saved, floor, sizes = [], [], []
        descriptor = os.open(floor_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            for n in range(appends):
                word = free[spans * 4 + (n * 7) % (len(free) - spans * 4)]  # words clear of the spans
                before = store._size
                started = time.perf_counter()
                session.tag_tokens(word, word, LABELS[n % 4])
                saved.append(time.perf_counter() - started)
                data = os.pread(store._fd, store._size - before, before)
                sizes.append(len(data))
                started = time.perf_counter()
                os.write(descriptor, data)
                os.fsync(descriptor)
                floor.append(time.perf_counter() - started)
                session.undo()  # back to the same 200 spans: every timed edit is on the full paragraph
        finally:
            os.close(descriptor)
        old_line = len(to_json(token_dicts(session.tokens))) + statistics.median(sizes)
    median, p95 = statistics.median(saved) * 1000, percentile(saved, 0.95) * 1000
    base, base_p95 = statistics.median(floor) * 1000, percentile(floor, 0.95) * 1000
    print(f"save an edit, {words:,} words / {spans} spans: median {median:.2f} ms, p95 {p95:.2f} ms; "
          f"os.write+fsync of the same {statistics.median(sizes) / 1024:.1f} KiB: median {base:.2f} ms, "
          f"p95 {base_p95:.2f} ms; x{median / base:.2f}")
    print("  bytes appended per edit by spans on the paragraph: "
          + ", ".join(f"{count} span{'s' if count > 1 else ''}: {size / 1024:.1f} KiB" for count, size in sizes_by_spans.items())
          + f" (the first line of a paragraph holds its tokens); with the tokens in every line (the older format) "
          f"an edit was {old_line / 1024:.1f} KiB")


# --- generated stores ---------------------------------------------------------------------


def base_texts(count: int = 40, words: int = 60) -> list[str]:
    """Paragraph texts of about `words` words cut from the bundled samples."""
    pool = " ".join(path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))).split()
    return [" ".join(pool[(n * 37 + i) % len(pool)] for i in range(words)) for n in range(count)]


def candidate_spans(tokens: tuple[Token, ...], salt: int) -> list[tuple[int, int, str]]:
    words = [t.id for t in tokens if not t.text.isspace()]
    step = max(1, len(words) // 7)
    return [(words[(i * step + salt) % len(words)], words[(i * step + salt) % len(words)], LABELS[(i + salt) % 4])
            for i in range(6)]


def generate(path: Path, lines: int, *, old_format: bool = False) -> int:
    """A store of `lines` lines: per paragraph, alice then bob, five lines each (the fourth an undo); return paragraphs."""
    texts = base_texts()
    tokenized = [tokenize(text) for text in texts]
    paragraphs = lines // 10
    seq = 0
    stamp = 1_764_000_000
    with open(path, "wb", buffering=1 << 22) as handle:
        for p in range(paragraphs):
            kind = p % len(texts)
            tokens = tokenized[kind]
            paragraph = Paragraph(f"wire-{p // 5:06d}", p % 5, texts[kind], 0, "wire.jsonl")
            token_list = token_dicts(tokens)
            for k, annotator in enumerate(("alice", "bob")):
                builder = RecordBuilder(paragraph, schema_ref=SCHEMA_REF, annotator=annotator)
                spans = candidate_spans(tokens, k)
                states: list[Annotation] = []
                annotation = EMPTY
                for version in range(5):
                    seq += 1
                    stamp += 7
                    reverts = None
                    if version == 3:  # undo the last edit: back to the state before it
                        annotation, reverts = states[1], seq - 1
                    else:
                        first, last, label = spans[version if version < 3 else 4]
                        annotation = add_span(annotation, span_over_tokens(tokens, first, last, label))
                        if version == 4:
                            annotation = decide(annotation, "accept")
                    states.append(annotation)
                    record, encoded = builder.build(annotation, None, timestamp=stamp)
                    action = "edit" if reverts is None else "undo"
                    if old_format:
                        line = {**record, "tokens": token_list, "_seq": seq, "_action": action}
                        line = {"id": line["id"], "text": line["text"], "tokens": token_list,
                                **{key: value for key, value in line.items() if key not in ("id", "text", "tokens")}}
                        if reverts is not None:
                            line["_reverts"] = reverts
                        handle.write(to_json(line).encode("utf-8") + b"\n")
                    else:
                        first_line = k == 0 and version == 0
                        handle.write(encode_line(record, seq=seq, action=action, reverts=reverts,
                                                 tokens=token_list if first_line else None, encoded=encoded) + b"\n")
    return paragraphs


#: the processes' environment: Python keeps the bytecode it compiles, as for any installed package (this
#: machine's environment turns that off, and every process would compile each module again: 0.05-0.1 s)
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Seconds, CPU seconds (user + system) and peak RSS (MB) of one whole process.

    CPU time and RSS come from `/usr/bin/time`, whose child is forked from that small program
    (a child forked from this large process would count this process's pages until it execs).
    CPU time varies less than elapsed time when other work shares the machine. It runs from `/`:
    `python -m annotator` looks in the current folder first, and from a checkout would run that
    checkout's package whatever `--before` puts on `PYTHONPATH`.
    """
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "usage %M %U %S", *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False, env=env or ENVIRONMENT, cwd="/")
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    _, kilobytes, user, system = done.stderr.strip().splitlines()[-1].split()
    return elapsed, float(user) + float(system), int(kilobytes) / 1024


READ_BYTES = "import sys\nwith open(sys.argv[1], 'rb') as f:\n    while f.read(1 << 23): pass"
JSON_LOADS = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    for line in f: json.loads(line)"
REVIEW = ("import sys\nfrom annotator.team.merge import read_team\nfrom annotator.team.review import plan_review\n"
          "plan = plan_review(read_team([sys.argv[1]]))\nplan.items[0].tokens")
RESUME = ("import sys\nfrom annotator.core.store import Store\nstore = Store(sys.argv[1])\n"
          "contents = store.contents\nlast = next(reversed(contents.latest_line))\n"
          "contents.get(last); contents.decided_count(); store.history.undo()\nstore.close()")


def store_commands(python: str, path: Path, out: Path, merged: Path) -> list[tuple[str, list[str]]]:
    """(what, command line) of each thing timed on the store `path`."""
    annotator = [python, "-m", "annotator"]
    return [
        ("first open (scan, index written)", [python, "-c", RESUME, str(path)]),
        ("resume (index read)", [python, "-c", RESUME, str(path)]),
        ("stats --json", [*annotator, "stats", "--json", str(path)]),
        ("agree --json", [*annotator, "agree", "--json", str(path)]),
        ("export jsonl (all paragraphs)", [*annotator, "export", str(path), "--format", "jsonl",
                                           "--include", "unfinished,rejected,ignored", "--out", str(out)]),
        ("merge", [*annotator, "merge", str(path), "--out", str(merged)]),
        ("review: reading and planning, before the screen", [python, "-c", REVIEW, str(path)]),
    ]


def start_ups(folder: Path, python: str, only: list[str] | None) -> None:
    """Each command's start-up: its whole process on a store of 20 lines, whose reading costs next to nothing
    (the interpreter, the modules the command imports, its arguments and its output), and a bare `python`."""
    path = folder / "start-up.jsonl"
    generate(path, 20)
    out, merged = folder / "start-up.export.jsonl", folder / "start-up.merged.jsonl"
    figures = []
    for what, command in [("python -c pass", [python, "-c", "pass"]), *store_commands(python, path, out, merged)[2:]]:
        if only is not None and what != "python -c pass" and not any(what.startswith(name) for name in only):
            continue
        runs = []
        for _ in range(4):  # the first run also writes the bytecode the others read
            runs.append(run(command))
            out.unlink(missing_ok=True)
            merged.unlink(missing_ok=True)
        figures.append(f"{what.split(':')[0]} {min(r[0] for r in runs[1:]):.2f} s (CPU {min(r[1] for r in runs[1:]):.2f} s)")
    print("start-up, each command on a 20-line store (best of 3): " + "; ".join(figures))
    path.unlink()


def stores(folder: Path, sizes: list[int], repeat: int | None, only: list[str] | None = None,
           before: Path | None = None) -> None:
    python = sys.executable
    start_ups(folder, python, only)
    cases = [(size, False) for size in sizes]
    if len(sizes) > 1:
        cases.insert(2 if len(sizes) > 2 else 1, (sizes[1], True))
    for size, old in cases:
        path = folder / f"store-{size}{'-old' if old else ''}.jsonl"
        started = time.perf_counter()
        paragraphs = generate(path, size, old_format=old)
        made = time.perf_counter() - started
        megabytes = path.stat().st_size / 1e6
        name = "older format, tokens in every line" if old else "this format"
        print(f"\n{size:,} lines ({name}), {paragraphs:,} paragraphs x 2 annotators, {megabytes:,.0f} MB "
              f"(generated in {made:.0f} s)")
        repeats = repeat or (3 if size < 1_000_000 else 1)
        out, merged = folder / "export.jsonl", folder / "merged.jsonl"
        index = Path(path.parent, f".{path.name}.index")
        commands = [(what, command) for what, command in store_commands(python, path, out, merged)
                    if only is None or any(what.startswith(name) for name in only)]
        if not any(what.startswith("first open") for what, _ in commands):
            run([python, "-c", RESUME, str(path)])  # the index the commands find beside a store annotate wrote
        baseline = [python, "-c", JSON_LOADS, str(path)]
        read_bytes = statistics.median(run([python, "-c", READ_BYTES, str(path)])[0] for _ in range(repeats))
        print("| what | time | x read the bytes | json.loads just before | x json.loads | CPU time | CPU x json.loads "
              "| peak RSS |")
        print("|---|---|---|---|---|---|---|---|")
        loads_rss = 0.0
        versions: list[tuple[str, dict[str, str] | None]] = [("", None)]
        if before is not None:
            versions.append((" (before)", {**ENVIRONMENT, "PYTHONPATH": str(before.resolve())}))
        for what, command in commands:
            # A few runs (the machine is shared), each just after json.loads of the same file, so that
            # a ratio compares two runs made under the same load; the medians count.
            runs: dict[str, list[tuple[tuple[float, float, float], tuple[float, float, float]]]] = {
                name: [] for name, _ in versions}
            for _ in range(repeats):
                loads = run(baseline)
                for name, env in versions:
                    if what.startswith("first open"):
                        index.unlink(missing_ok=True)
                    runs[name].append((run(command, env), loads))
                    out.unlink(missing_ok=True)
                    merged.unlink(missing_ok=True)
                loads_rss = max(loads_rss, loads[2])
            for name, pairs in runs.items():
                seconds = statistics.median(command_run[0] for command_run, _ in pairs)
                cpu = statistics.median(command_run[1] for command_run, _ in pairs)
                rss = max(command_run[2] for command_run, _ in pairs)
                loads_seconds = statistics.median(loads[0] for _, loads in pairs)
                ratio = statistics.median(command_run[0] / loads[0] for command_run, loads in pairs)
                cpu_ratio = statistics.median(command_run[1] / loads[1] for command_run, loads in pairs)
                print(f"| {what}{name} | {seconds:.2f} s | x{seconds / read_bytes:.2f} | {loads_seconds:.2f} s | "
                      f"x{ratio:.2f} | {cpu:.2f} s | x{cpu_ratio:.2f} | {rss:,.0f} MB |"
                      + (f" (CPU ratios of the {repeats} pairs: {', '.join(f'x{c[1] / b[1]:.2f}' for c, b in pairs)})"
                         if repeats > 1 else ""), flush=True)
        print(f"(reading the bytes: {read_bytes:.2f} s; json.loads of every line: {loads_rss:,.0f} MB peak RSS)")
        path.unlink()
        Path(path.parent, f".{path.name}.index").unlink(missing_ok=True)


def checking(folder: Path, repeat: int) -> None:
    path = folder / "check.jsonl"
    generate(path, 20_000)
    lines = path.read_bytes().splitlines()
    with_tokens = [line for line in lines if b'"tokens":' in line]
    plain = [line for line in lines if b'"tokens":' not in line]
    records = [checked_json(line) for line in plain]
    starts = [line.index(b'"tokens":') + len(b'"tokens":') for line in with_tokens]
    ranges = [(start, line.index(b'}],"', start) + 2) for line, start in zip(with_tokens, starts)]  # flat tokens

    def per_line(work: Callable[[], object], count: int) -> float:
        """Microseconds of CPU a line, the best of `repeat` runs of `work` over `count` lines (the cycle
        collector paused, as the team commands pause it)."""
        best = math.inf
        for _ in range(repeat):
            gc.disable()
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
            gc.enable()
        return best / count * 1e6

    figures = {
        "json.loads": per_line(lambda: [json.loads(line) for line in plain], len(plain)),
        "checked_json": per_line(lambda: [checked_json(line) for line in plain], len(plain)),
        "check_fields, field by field": per_line(lambda: [check_fields(record) for record in records], len(plain)),
        "fields_right, the pattern": per_line(lambda: [fields_right(line, record) for line, record in zip(plain, records)],
                                              len(plain)),
        "check_record (spans on their text)": per_line(lambda: [check_record(record) for record in records], len(plain)),
    }
    tokens_line = per_line(lambda: [tokens_right(line, *where) for line, where in zip(with_tokens, ranges)],
                           len(with_tokens))
    assert all(fields_right(line, record) for line, record in zip(plain, records))
    assert all(tokens_right(line, *where) for line, where in zip(with_tokens, ranges))
    escaped = sum(b"\\" in line for line in plain)
    print(f"the checked reading of a line without tokens ({len(plain):,} lines, "
          f"{statistics.mean(map(len, plain)):,.0f} bytes on average, {escaped:,} with escapes), CPU per line:")
    for what, micros in figures.items():
        print(f"  {what}: {micros:.1f} µs")
    print(f"  tokens_right on a line's tokens ({len(with_tokens):,} lines): {tokens_line:.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="store sizes in lines, comma-separated")
    parser.add_argument("--only", choices=("save", "stores", "check"))
    parser.add_argument("--repeat", type=int, help="runs of each command (default 3 below 1M lines, 1 at 1M); "
                        "the medians count")
    parser.add_argument("--commands", help="only these of the commands, comma-separated by how their rows start "
                        "(e.g. 'agree,stats')")
    parser.add_argument("--folder", type=Path, help="where to write the stores (default: a temporary folder)")
    parser.add_argument("--before", type=Path, help="a folder holding an earlier `annotator/` package: each command "
                        "also runs with it, alternately with this code")
    args = parser.parse_args()
    if args.folder is not None:
        args.folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.folder) as name:
        folder = Path(name).resolve()
        if args.only in (None, "save"):
            saving(folder, 1000, 200, args.appends)
            saving(folder, 5000, 500, args.appends)
        if args.only in (None, "check"):
            checking(folder, args.repeat or 5)
        if args.only in (None, "stores"):
            stores(folder, [int(size) for size in args.sizes.split(",")], args.repeat,
                   args.commands.split(",") if args.commands else None, args.before)


if __name__ == "__main__":
    main()
