"""The one writer of generated files: all of a file or none of it, fsynced, never over a non-file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO

import pytest

from annotator.core import files
from annotator.core.errors import InputError
from annotator.core.files import NewFolder, write_atomically, write_folder_atomically


class DiskLog:
    """What the writer asked of the disk, in order: fsyncs (with what the file held) and renames."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, object]] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(handle: int) -> None:
            info = os.fstat(handle)
            kind = "folder" if stat.S_ISDIR(info.st_mode) else "file"
            self.events.append((f"fsync {kind}", (info.st_ino, info.st_size)))
            real_fsync(handle)

        def replace(source: str | Path, target: str | Path) -> None:
            self.events.append(("replace", Path(target)))
            real_replace(source, target)

        monkeypatch.setattr(files.os, "fsync", fsync)
        monkeypatch.setattr(files.os, "replace", replace)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_writes_text_bytes_or_what_a_function_writes(tmp_path: Path) -> None:
    write_atomically(tmp_path / "a.txt", "één\r\ntwo\n")
    write_atomically(tmp_path / "b.bin", b"\x00\xff")

    def lines(handle: TextIO) -> None:
        handle.write("first\n")
        handle.write("😀\n")

    write_atomically(tmp_path / "sub" / "c.jsonl", lines)
    assert (tmp_path / "a.txt").read_bytes() == "één\r\ntwo\n".encode()  # UTF-8, line ends untouched
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert (tmp_path / "sub" / "c.jsonl").read_text(encoding="utf-8") == "first\n😀\n"
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "sub") == []


def test_the_content_is_fsynced_before_the_rename_and_the_folder_after(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    log = DiskLog(monkeypatch)
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    write_atomically(target, "new content\n")
    assert log.kinds() == ["fsync file", "replace", "fsync folder"]
    final = target.stat()
    assert log.events[0][1] == (final.st_ino, final.st_size)  # the whole new file was on disk before the rename
    assert log.events[1][1] == target
    assert log.events[2][1][0] == tmp_path.stat().st_ino


def test_a_failed_write_removes_the_temporary_and_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def half_then_fail(handle: TextIO) -> None:
        handle.write("half of it")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert leftovers(tmp_path) == []


def test_a_failed_rename_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def refuse(source: str | Path, destination: str | Path) -> None:
        raise PermissionError(13, "Permission denied", str(destination))

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert leftovers(tmp_path) == []


def test_a_reader_of_the_old_file_keeps_reading_it_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    with open(target, encoding="utf-8") as reader:
        write_atomically(target, "new\n")
        assert reader.read() == "old\n"
    assert target.read_text(encoding="utf-8") == "new\n"


def test_refuses_a_named_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as error:
        write_atomically(fifo, "x\n")
    assert str(error.value).startswith(f"{fifo}: is a named pipe (FIFO), not a regular file")
    assert "another path" in str(error.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_refuses_a_symlink_to_a_device(tmp_path: Path) -> None:
    link = tmp_path / "out.conll"
    link.symlink_to(os.devnull)
    with pytest.raises(InputError) as error:
        write_atomically(link, "x\n")
    assert str(error.value).startswith(f"{link}: points to {os.devnull}, which is a device, not a regular file")
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert leftovers(tmp_path) == []


def test_refuses_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out.jsonl"
    folder.mkdir()
    (folder / "keep").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="is a folder, not a regular file"):
        write_atomically(folder, "x\n")
    assert (folder / "keep").read_text(encoding="utf-8") == "mine"


def test_a_symlink_to_a_file_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "v3.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real.name)
    write_atomically(link, "new\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"
    assert leftovers(tmp_path) == []


def test_a_folder_is_filled_fsynced_and_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out-hf"
    target.mkdir()
    (target / "stale.jsonl").write_text("from an earlier export", encoding="utf-8")
    log = DiskLog(monkeypatch)

    def fill(folder: NewFolder) -> None:
        folder.write("data.jsonl", lambda handle: handle.write("{}\n"))
        folder.write("README.md", "# card\n")

    write_folder_atomically(target, fill)
    assert sorted(p.name for p in target.iterdir()) == ["README.md", "data.jsonl"]
    assert (target / "data.jsonl").read_text(encoding="utf-8") == "{}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert stat.S_IMODE((target / "README.md").stat().st_mode) == 0o644
    kinds = log.kinds()
    assert kinds[:3] == ["fsync file", "fsync file", "fsync folder"]  # everything on disk before the swap
    assert kinds[-1] == "fsync folder" and kinds.count("replace") == 2
    synced = {log.events[0][1], log.events[1][1]}
    assert synced == {(p.stat().st_ino, p.stat().st_size) for p in target.iterdir()}  # whole files, the final ones
    assert leftovers(tmp_path) == []


def test_a_failed_folder_leaves_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "out-brat"
    target.mkdir()
    (target / "a.txt").write_text("old", encoding="utf-8")

    def fail(folder: NewFolder) -> None:
        folder.write("a.txt", "new")
        raise InputError("two documents map to the file name a.txt")

    with pytest.raises(InputError):
        write_folder_atomically(target, fail)
    assert [p.name for p in target.iterdir()] == ["a.txt"] and (target / "a.txt").read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_a_folder_write_refuses_a_file_and_odd_names(tmp_path: Path) -> None:
    blocker = tmp_path / "out-hf"
    blocker.write_text("a file", encoding="utf-8")
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_folder_atomically(blocker, lambda folder: folder.write("x", "y"))
    assert blocker.read_text(encoding="utf-8") == "a file"
    with pytest.raises(ValueError, match="not a plain file name"):
        write_folder_atomically(tmp_path / "new", lambda folder: folder.write("../escape.txt", "y"))
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "new").exists()
    assert leftovers(tmp_path) == []
