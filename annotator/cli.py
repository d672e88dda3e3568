"""The `annotator` command: parse arguments, hand over to a command module, print errors plainly.

Each subcommand lives in `annotator/commands/<name>.py` with `register(subparsers)`, which adds
its parser and sets `run` (a function taking the parsed arguments and returning an exit status).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from annotator.core.errors import InputError

COMMAND_MODULES = ("annotate", "schema", "assign", "agree", "stats", "merge", "review", "export", "import_", "serve", "suggest", "train")
USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits with status 2 and one plain message (its default too)."""


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The command line, with the sub-commands of `modules` (all of them unless told)."""
    parser = _Parser(
        prog="annotator",
        description="Tag spans in news text from the keyboard; saves crash-safe JSONL. "
        "With no command, opens the bundled sample with the default schema.",
    )
    parser.add_argument("--version", action=_Version, help="show program's version number and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in modules:
        module = importlib.import_module(f"annotator.commands.{name}")
        module.register(subparsers)
    return parser


def modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The command modules a command line needs: the one it names, else all (to list them).

    A command module imports what its options need (formats, team code) when it registers, so
    `annotator annotate` starts without importing the others; with no arguments (the demo) it
    is `annotate`'s alone.
    """
    if not argv:
        return ("annotate",)
    named = [module for module in COMMAND_MODULES if module.rstrip("_") == argv[0]]
    return named or COMMAND_MODULES


class _Version(argparse.Action):
    """`--version`, reading the installed version only when asked (it costs start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        import annotator

        print(f"annotator {annotator.__version__}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    modules = modules_for(argv)
    opens_the_screen = list(modules) == ["annotate"]
    if opens_the_screen:
        # Until the annotate screen is first drawn, the start (the modules, the schema, the store's
        # index, the screen's widgets and styles) makes objects that last: collecting cycles among
        # them only delays the first paint (by 30-60 ms). The app resumes it once it has drawn.
        gc.disable()
    try:
        parser = build_parser(modules)
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["annotate", "--demo"])
        return int(args.run(args) or 0)
    except InputError as error:
        from annotator.core.display import terminal_safe  # only on the error path: start-up stays lean

        print(f"annotator: {terminal_safe(str(error))}", file=sys.stderr)  # messages quote paths and lines from files
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) has gone: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if opens_the_screen:
            gc.enable()  # also when it never drew (an error, `--help`)
