"""The `annotator` command: parse arguments, hand over to a command module, print errors plainly.

Each subcommand lives in `annotator/commands/<name>.py` with `register(subparsers)`, which adds
its parser and sets `run` (a function taking the parsed arguments and returning an exit status).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from annotator import __version__
from annotator.core.display import terminal_safe
from annotator.core.errors import InputError

COMMAND_MODULES = ("annotate", "schema", "assign", "agree", "stats", "merge", "review", "export", "import_", "serve", "suggest", "train")
USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits with status 2 and one plain message (its default too)."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="annotator",
        description="Tag spans in news text from the keyboard; saves crash-safe JSONL. "
        "With no command, opens the bundled sample with the default schema.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"annotator.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["annotate", "--demo"])
    try:
        return int(args.run(args) or 0)
    except InputError as error:
        print(f"annotator: {terminal_safe(str(error))}", file=sys.stderr)  # messages quote paths and lines from files
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) has gone: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
