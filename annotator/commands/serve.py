"""`annotator serve`: the annotate (or review) screen in a browser, one secret link per person.

`--team DIR` gives every annotator of an `annotator assign` folder a link to their own queue
and store (kept in `DIR/links.txt`, mode 0600); `--out STORE --annotator NAME` gives one person
a link. Every input is checked and the port bound before anything is written or printed. The
server is in `annotator/serve/`; what it protects is in docs/TEAMS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.core.display import terminal_safe
from annotator.core.errors import InputError

if TYPE_CHECKING:
    from annotator.serve.access import Grant

LINKS = "links.txt"
REVIEW_LINKS = "review-links.txt"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="the annotate (or review) screen in a browser, one secret link per person",
        description="Serve the annotate screen to browsers: with --team DIR, every annotator of an "
        "`annotator assign` folder gets a secret link to their queue and store; with --out and --annotator, "
        "one person gets a link to SOURCE. A request without a valid link is refused (403). Listens on "
        "this machine only unless --host says otherwise. Ctrl+C stops it; every change is already saved.",
    )
    parser.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                        help="without --team: .txt, .jsonl or a folder (with --review: the stores to review)")
    parser.add_argument("--team", type=Path, metavar="DIR", help=f"a folder written by `annotator assign`; links go to DIR/{LINKS}")
    parser.add_argument("--out", type=Path, metavar="STORE", help="without --team: the store to write; with --review: the gold store "
                        "(with --team, by default DIR/gold.jsonl)")
    parser.add_argument("--annotator", metavar="NAME", help="without --team: whose link it is; with --review: the reviewer")
    parser.add_argument("--schema", type=Path, metavar="FILE", help="label schema (YAML); default: the bundled news-conflict schema")
    parser.add_argument("--review", action="store_true",
                        help=f"serve the review screen (the team's stores into gold) instead; links go to DIR/{REVIEW_LINKS}")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only); for others, put a TLS proxy in front")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    parser.add_argument("--public-url", metavar="URL",
                        help="the address people open, behind a reverse proxy (e.g. https://annotate.example.org/); default http://HOST:PORT/")
    parser.set_defaults(run=run)


def _grants(args: argparse.Namespace, schema: Path) -> tuple[list[Grant], Path | None]:
    """Who gets a link and what it opens, and the links file (None: one link, printed only)."""
    from annotator.commands.review import check_out
    from annotator.core.identity import annotator_name
    from annotator.serve.grants import GOLD, annotate_grant, check_sources, review_grant, team_members

    if args.team is not None:
        if args.sources:
            raise InputError(f"--team serves the queues in {args.team}; give no SOURCE with it.")
        members = team_members(args.team)
        if not args.review:
            if args.out is not None or args.annotator is not None:
                raise InputError("--team gives each annotator their own store (DIR/NAME.jsonl): "
                                 "drop --out and --annotator, or drop --team for one person.")
            return [annotate_grant(m.name, [m.queue], m.store, schema) for m in members], args.team / LINKS
        stores = [member.store for member in members]
        gold = args.out or args.team / GOLD
        check_out(gold, stores)
        return [review_grant(annotator_name(args.annotator), stores, gold, schema)], args.team / REVIEW_LINKS
    if args.out is None or args.annotator is None:
        raise InputError("serve needs --team DIR (a folder from `annotator assign`), or --out STORE and "
                         "--annotator NAME to serve SOURCE to one person.")
    check_sources(args.sources, "STORE" if args.review else "SOURCE")
    if args.review:
        check_out(args.out, list(args.sources))
        return [review_grant(args.annotator, args.sources, args.out, schema)], None
    return [annotate_grant(args.annotator, args.sources, args.out, schema)], None


def _public_url(text: str) -> str:
    if not text.startswith(("http://", "https://")) or any(char.isspace() for char in text):
        raise InputError(f"--public-url {text!r}: give the address people open, e.g. https://annotate.example.org/.")
    return text.rstrip("/") + "/"


def run(args: argparse.Namespace) -> int:
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.serve.access import Access, issue_links, link, new_token

    schema = args.schema or default_schema_path()
    load_schema(schema)  # a broken schema is reported here, not in every person's page
    grants, links_file = _grants(args, schema)
    public_url = _public_url(args.public_url) if args.public_url else None
    try:
        from annotator.serve import server
    except ModuleNotFoundError as error:
        if error.name not in ("aiohttp", "textual_serve"):
            raise
        raise InputError("annotator serve needs textual-serve. Install it with: pip install 'annotator[serve]'.") from None
    listener = server.listen(args.host, args.port)
    try:
        base = public_url or server.base_url(listener, args.host)
        if links_file is not None:
            links, revoked = issue_links(links_file, [grant.name for grant in grants], base)
            access = Access(grants, links_file=links_file)
        else:
            token = new_token()
            links, revoked = {grants[0].name: link(base, token)}, set()
            access = Access(grants, tokens={token: grants[0].name})
        screen = "review" if args.review else "annotate"
        print(f"annotator: serving the {screen} screen at {base} (Ctrl+C stops; every change is saved as it is made)",
              file=sys.stderr)
        if not server.is_loopback(args.host):
            print(f"annotator: warning: listening on {args.host} over plain HTTP: links and keystrokes cross the network "
                  "unencrypted. Put a reverse proxy with TLS in front (docs/TEAMS.md).", file=sys.stderr)
        where = f" (also in {links_file}, readable by you only)" if links_file else ""
        print(terminal_safe(f"annotator: send each person only their own link{where}:"), file=sys.stderr)
        width = max(map(len, links), default=0)
        for name, url in links.items():
            print(terminal_safe(f"  {name:<{width}}  {url}"), flush=True)
        for name in sorted(revoked):
            print(terminal_safe(f"annotator: {name}: revoked in {links_file}, no link"), file=sys.stderr)
        server.serve(server.LinkServer(access, log=lambda line: print(f"annotator: {terminal_safe(line)}", file=sys.stderr,
                                                                  flush=True)),
                     listener)
    finally:
        listener.close()
    print("annotator: stopped", file=sys.stderr)
    return 0
