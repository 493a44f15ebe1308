"""Files only the kiosk's own user may read: the queue (server text, store state) and the logs.

The data folder is 0700 and every file the kiosk writes in it 0600, also when they already exist
with looser modes (an older version, a copy, a restore from backup): they are tightened on open.
On Windows the per-user profile folders' ACLs already do this and the modes mean little.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) and make the folder itself 0700.

    Raises OSError if it cannot be created; failing to tighten an existing one is only logged.
    """
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    tighten(path, DIR_MODE)


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """Take away any permission beyond ``mode`` from an existing file or folder of ours."""
    if os.name != "posix":
        return
    try:
        info = path.lstat()
    except OSError:
        return  # not there (yet): created with the right mode by whoever creates it
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid():
        return  # never follow a link or touch someone else's file
    current = stat.S_IMODE(info.st_mode)
    if current & ~mode:
        try:
            os.chmod(path, current & mode)
        except OSError as exc:
            log.warning("could not make %s private: %s", path, exc.strerror)


def create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 if it does not exist; tighten it if it does."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return
    os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically; the file is 0600 from its first byte."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    tighten(tmp)  # an old .tmp left looser by an earlier version
    os.replace(tmp, path)


def read_regular(path: Path, limit: int, *, follow_links: bool = True, tail: bool = False) -> bytes:
    """At most ``limit`` bytes of a regular file (its last ones with ``tail``).

    Paths come from the environment, the config and the data folder: a FIFO there would block
    a plain ``open`` forever and ``/dev/zero`` never ends, so anything but a regular file is an
    OSError (as a missing file is), found without blocking and without reading it.
    """
    # (O_NONBLOCK: POSIX only, as is O_NOFOLLOW; O_BINARY: Windows only, no newline rewriting.)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if tail:
            os.lseek(fd, max(0, info.st_size - limit), os.SEEK_SET)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(fd)
