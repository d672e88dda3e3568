"""The one writer of generated files (exports, merged stores, assignments): whole or not at all.

A file is written to a temporary file in its own folder, flushed and fsynced, renamed over the
target, and the folder is fsynced: a reader, or a crash, sees the old file or the new one, never
half of one, and a failed write leaves the old file as it was. A folder (the hf and brat exports)
is built the same way: a temporary folder beside the target, every file in it fsynced, then
renamed into place.

A symbolic link is followed (the file it points at is replaced; the link stays). An open file
descriptor named by path (/dev/stdout, /dev/fd/N, /proc/self/fd/N) is written through, appended
in order, never renamed over: it is a stream the caller already opened. Anything else that is
not a regular file (a folder, a named pipe, a device) is refused, never renamed over.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from annotator.core.errors import InputError

Content = str | bytes | Iterable[bytes] | Callable[[TextIO], object]
"""What to write: text (UTF-8, line ends as given), bytes, chunks of bytes as they come (a merged
store streams its lines), or a function writing to a text handle."""

FILE_MODE = 0o644
FOLDER_MODE = 0o755


def write_atomically(path: Path, content: Content) -> None:
    """Create or replace the regular file `path` with `content`, all of it or none of it.

    A path through a file descriptor (`/dev/stdout`) is written through instead.
    """
    if _is_descriptor(Path(path)):
        _write(os.open(path, os.O_WRONLY | os.O_APPEND), content, sync=False)  # no rename, no truncation
        return
    target = _followed(Path(path))
    _refuse_unless(target, path, stat.S_ISREG, "a regular file")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    temporary = Path(name)
    try:
        _write(handle, content, sync=True)
        os.chmod(temporary, FILE_MODE)  # mkstemp's is 0o600
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


class NewFolder:
    """The temporary folder a folder export fills, one `write` a file.

    The files are fsynced together once the folder is full (`sync`): one sync after all the
    writes costs a fraction of one after each, and nothing is visible before the folder is
    renamed into place anyway.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._written: list[Path] = []

    def write(self, name: str, content: Content) -> None:
        if Path(name).name != name or name in (".", ".."):
            raise ValueError(f"{name!r} is not a plain file name")
        path = self.path / name
        _write(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL), content, sync=False)
        os.chmod(path, FILE_MODE)
        self._written.append(path)

    def sync(self) -> None:
        """fsync every file written, then the folder."""
        for path in self._written:
            handle = os.open(path, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        _sync_folder(self.path)


def write_folder_atomically(path: Path, fill: Callable[[NewFolder], None]) -> None:
    """Create or replace the folder `path` with what `fill` writes, all of it or none of it.

    The old folder is replaced whole (no stale file survives); callers decide beforehand
    whether what it holds may go.
    """
    target = _followed(Path(path))
    _refuse_unless(target, path, stat.S_ISDIR, "a folder")
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        folder = NewFolder(temporary)
        fill(folder)
        os.chmod(temporary, FOLDER_MODE)
        folder.sync()
        if target.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / target.name)
            os.replace(temporary, target)
            _sync_folder(parent)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, target)
            _sync_folder(parent)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def check_readable(path: Path, kind: str = "a file", *, missing: str = "no such file or folder. Check the path.") -> None:
    """InputError unless `path` is a regular file (`kind` "a folder": a folder) that can be opened.

    A named pipe would block the reader until someone writes to it, a device never ends, and a
    folder is not a file: each is refused by name before it is opened. `missing`: what the
    message says after the path when there is nothing there.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: {missing}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}).") from None
    wanted = stat.S_ISDIR if kind == "a folder" else stat.S_ISREG
    if not wanted(mode):
        raise InputError(f"{path}: is {kind_of(mode)}, not {kind}. Give the path of {kind} to read.")


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name the same file (through links, `..`, hard links); False when one is missing."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


#: the folders whose entries are a process's open file descriptors
_DESCRIPTORS = re.compile(r"/proc/[^/]+/fd|/dev/fd")


def _is_descriptor(path: Path) -> bool:
    """Whether `path` reaches an open pipe, terminal, socket or file through a file descriptor's link."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode) or stat.S_ISBLK(mode):
        return False
    for _ in range(40):  # the kernel's own limit on links followed
        if _DESCRIPTORS.fullmatch(os.path.normpath(os.path.abspath(path.parent))):
            return True
        if not path.is_symlink():
            return False
        path = path.parent / os.readlink(path)
    return False


def _followed(path: Path) -> Path:
    """Where a write to `path` lands: the file a symbolic link points at, else `path` itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _refuse_unless(target: Path, given: Path, is_kind: Callable[[int], bool], kind: str) -> None:
    """InputError unless `target` is missing or of the kind the writer may replace."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    if is_kind(mode):
        return
    what = kind_of(mode)
    where = f"{given}: points to {target}, which" if target != given else f"{given}:"
    raise InputError(f"{where} is {what}, not {kind}, and is never replaced. "
                     "Remove it, or write to another path (--out).")


def kind_of(mode: int) -> str:
    """What a file mode is, for a message: "a folder", "a named pipe (FIFO)", "a device"..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something else"


def _write(handle: int, content: Content, *, sync: bool) -> None:
    """Write `content` to the open file descriptor `handle`, flush it, fsync it if `sync`, and close it."""
    if not isinstance(content, str) and not callable(content):
        with open(handle, "wb") as binary:
            for chunk in [content] if isinstance(content, bytes) else content:
                binary.write(chunk)
            binary.flush()
            if sync:
                os.fsync(binary.fileno())
        return
    with open(handle, "w", encoding="utf-8", newline="") as text:
        if callable(content):
            content(text)
        else:
            text.write(content)
        text.flush()
        if sync:
            os.fsync(text.fileno())


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so that the names just renamed in it survive a crash."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    except OSError as error:
        if error.errno != errno.EINVAL:  # a file system that cannot sync folders: nothing more to do
            raise
    finally:
        os.close(handle)
