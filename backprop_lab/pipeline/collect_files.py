"""The files of a collect source (collect.py), a folder or a zip, listed and read safely: only
regular files, each read at most to the size limit; links, special files, absolute paths, '..' and
encrypted zip entries are reported in skipped, never read."""
import functools
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backprop_lab.pipeline import submission_times


class Unreadable(OSError):
    """A file of the source that cannot be read (a corrupt zip entry, a permission); the message says why."""


@dataclass
class File:
    """A file of the source: its '/'-separated path there, size, modification time, and a reader;
    received: when it arrived, if the source says (submission_times.py), and how that was told."""
    name: str
    size: int
    mtime: float
    read: Callable[[int], bytes]  # read(limit) -> at most limit bytes
    received: float | None = None
    clock: str = ""


def folder_files(folder: str | os.PathLike[str], skipped: list[tuple[str, str]]) -> Iterator[File]:
    """The regular files under folder; links, special files and hidden folders are reported in skipped."""
    for top, folders, names in os.walk(folder):
        root = Path(top)
        for name in sorted(folders):
            relative = (root / name).relative_to(folder).as_posix()
            if (root / name).is_symlink():
                skipped.append((relative + "/", "a symbolic link; only regular files are imported"))
            elif hidden(name):
                skipped.append((relative + "/", "ignored: hidden folder (checkpoints, OS or editor metadata)"))
        folders[:] = sorted(name for name in folders if not ((root / name).is_symlink() or hidden(name)))
        for name in sorted(names):
            path = root / name
            relative = path.relative_to(folder).as_posix()
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                skipped.append((relative, "a symbolic link; only regular files are imported"))
            elif not stat.S_ISREG(status.st_mode):
                skipped.append((relative, "not a regular file"))
            else:
                yield File(relative, status.st_size, status.st_mtime, functools.partial(_read_file, path),
                           submission_times.received_time(status), "the folder file's time as received")


def hidden(name: str) -> bool:
    """Checkpoints, editor and OS metadata (.ipynb_checkpoints, .DS_Store, __MACOSX/): never a submission."""
    return name.startswith(".") or name == "__MACOSX"


def _read_file(path, limit):
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # a file swapped for a link is refused
        with os.fdopen(descriptor, "rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise Unreadable(f"could not be read ({type(error).__name__}: {error})") from error


def zip_files(archive: zipfile.ZipFile, skipped: list[tuple[str, str]]) -> Iterator[File]:
    """The zip's file entries; links, absolute paths, '..' and encrypted entries are reported in skipped."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = _entry_name(info)
        mode = info.external_attr >> 16
        parts = re.split(r"[\\/]", name)
        if stat.S_ISLNK(mode):
            skipped.append((name, "a symbolic link; only regular files are imported"))
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            skipped.append((name, "not a regular file"))
        elif name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
            skipped.append((name, "absolute path in the zip; refused, it would write outside submitted/"))
        elif ".." in parts:
            skipped.append((name, "'..' in the path (zip slip); refused, it would write outside submitted/"))
        elif info.flag_bits & 0x1:
            skipped.append((name, "encrypted zip entry"))
        else:
            parts = [part for part in parts if part not in ("", ".")]
            yield File("/".join(parts), info.file_size, _zip_time(info),
                       functools.partial(_read_entry, archive, info),
                       _zip_time(info) or None, "the zip entry's date and time (the grader's time zone)")


def _entry_name(info):
    """The entry's name; names stored without the zip's UTF-8 flag are often UTF-8 all the same."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _zip_time(info):
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _read_entry(archive, info, limit):
    try:
        with archive.open(info) as handle:
            return handle.read(limit)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as error:
        raise Unreadable(f"could not be read from the zip ({type(error).__name__}: {error})") from error
