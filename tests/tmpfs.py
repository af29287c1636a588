"""A small tmpfs mounted for one test (we run as root): a disk that fills up, or a read-only one."""
from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def mounted_tmpfs(directory: Path, *, size: str = "64k", read_only: bool = False) -> Iterator[Path]:
    """`directory` as a tmpfs of `size`, unmounted afterwards; the test is skipped, saying why, where
    mounting is not permitted (not root, or a container without CAP_SYS_ADMIN)."""
    directory.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        if subprocess.run(["umount", str(directory)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(directory)], check=True)  # a file still open: detach lazily


def fill(directory: Path) -> Path:
    """Fills the filesystem of `directory` with one file until nothing fits; returns that file."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    assert os.statvfs(directory).f_bavail == 0
    return filler


def files_under(directory: Path) -> dict[str, int]:
    """Every file below `directory` (hidden ones too) → its size; the filler left out."""
    return {str(path.relative_to(directory)): path.stat().st_size
            for path in directory.rglob("*") if path.is_file() and path.name != "filler"}
