"""Who may open what: one random token per person, carried in their link, checked on every request.

A link is `BASE/TOKEN/` with a token from `secrets.token_urlsafe` (192 random bits). For a team
the tokens are kept in a links file (`DIR/links.txt`, mode 0600), one `NAME LINK` line per
person, and the server reads the file again whenever it changes, so the lead revokes a link by
rewriting the file: a line deleted, its token changed, or `NAME revoked` (which also keeps that
person without a link when the server starts again). Without a file (one annotator, no team)
the token lives only as long as the server.

Nothing here knows about HTTP: the server asks `Access.grant_for(token)` and gets the person's
`Grant` (their name and the `annotator` command line their link runs) or None.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.identity import check_name

TOKEN_BYTES = 24
REVOKED = "revoked"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,}")  # base64url, at least 128 bits: no hand-made guessable tokens
LINKS_HEADER = (
    "# annotator serve: one secret link per person; send each person only their own.\n"
    "# To revoke a link, delete its line or write `NAME revoked`: it stops working at once.\n"
    "# A person without a line gets a new link when the server starts again.\n"
)


@dataclass(frozen=True, slots=True)
class Grant:
    """What one link opens: whose it is and the `annotator` command line run for each connection."""

    name: str
    argv: tuple[str, ...]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def link(base_url: str, token: str) -> str:
    """The link a person opens; `base_url` ends with a slash."""
    return f"{base_url}{token}/"


@dataclass(slots=True)
class ParsedLinks:
    """A links file read: token -> name, names revoked on purpose, and what was wrong, per line."""

    tokens: dict[str, str] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def parse_links(text: str, path: Path) -> ParsedLinks:
    """Read `NAME LINK` (or `NAME revoked`) lines; a bad line grants nothing and is reported."""
    parsed = ParsedLinks()
    first_line: dict[str, int] = {}
    dropped: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        where = f"{path}:{number}"
        if len(words) != 2:
            parsed.problems.append(f"{where}: expected `NAME LINK` or `NAME {REVOKED}`")
            continue
        name, value = words
        try:
            check_name(name, where)
        except InputError as error:
            parsed.problems.append(str(error))
            continue
        if value == REVOKED:
            parsed.revoked.add(name)
            continue
        token = value.rstrip("/").rsplit("/", 1)[-1]
        if not _TOKEN.fullmatch(token):
            parsed.problems.append(f"{where}: the token of {name} is not one the server made (too short or odd characters)")
            continue
        if token in first_line:
            parsed.problems.append(f"{where}: the same token as line {first_line[token]}; neither line is used")
            dropped.add(token)
            continue
        first_line[token] = number
        parsed.tokens[token] = name
    for token in dropped:
        del parsed.tokens[token]
    for token, name in list(parsed.tokens.items()):
        if name in parsed.revoked:
            del parsed.tokens[token]
    return parsed


def format_links(links: Mapping[str, str], revoked: Iterable[str]) -> str:
    """The links file's text: `links` is name -> link."""
    width = max((len(name) for name in [*links, *revoked]), default=0)
    lines = [f"{name:<{width}} {url}\n" for name, url in links.items()]
    lines += [f"{name:<{width}} {REVOKED}\n" for name in sorted(revoked)]
    return LINKS_HEADER + "".join(lines)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (mode 0600), by temp file and rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)  # in case the file was left over with another mode
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot be written ({error.strerror}). Check the folder's permissions.") from None


def issue_links(path: Path, names: Iterable[str], base_url: str) -> tuple[dict[str, str], set[str]]:
    """Give every person a link, keeping the tokens already in the links file; rewrite it (0600).

    Returns name -> link for everyone with one, and the names revoked in the file. A file that
    cannot be read as a links file is an InputError naming the line: it is never overwritten.
    """
    wanted = list(names)
    tokens: dict[str, str] = {}
    revoked: set[str] = set()
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{path}: cannot be read as a links file ({error}). Fix or delete it.") from None
        parsed = parse_links(text, path)
        if parsed.problems:
            raise InputError(f"{parsed.problems[0]}. Fix the line or delete it (that person then gets a new link).")
        tokens = {name: token for token, name in parsed.tokens.items() if name in wanted}
        revoked = {name for name in parsed.revoked if name in wanted}
    links = {name: link(base_url, tokens.get(name) or new_token()) for name in wanted if name not in revoked}
    write_private(path, format_links(links, revoked))
    return links, revoked


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


class Access:
    """The tokens in force and what each opens; with a links file, the file is the list in force."""

    def __init__(self, grants: Iterable[Grant], *, tokens: Mapping[str, str] | None = None,
                 links_file: Path | None = None) -> None:
        self.grants = {grant.name: grant for grant in grants}
        self.links_file = links_file
        self._tokens: dict[str, str] = dict(tokens or {})  # token -> name
        self._stamp: tuple[int, int, int] | None = None
        if links_file is not None:
            self._reload()

    def _reload(self) -> None:
        """Read the links file again if it changed; a missing or unreadable file lets nobody in."""
        assert self.links_file is not None
        stamp = _stamp(self.links_file)
        if stamp is not None and stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            text = self.links_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self._tokens = {}
            return
        self._tokens = parse_links(text, self.links_file).tokens

    def grant_for(self, token: str) -> Grant | None:
        """The grant a token opens, or None; compares in constant time against every token in force."""
        if self.links_file is not None:
            self._reload()
        offered = token.encode("utf-8", "surrogateescape")
        found: str | None = None
        for known, name in self._tokens.items():
            if hmac.compare_digest(known.encode("ascii"), offered):
                found = name
        return None if found is None else self.grants.get(found)
