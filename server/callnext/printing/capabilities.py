"""Where python-escpos keeps its parsed printer capabilities, and importing it.

On import, python-escpos parses its capabilities file (0.2 s) and pickles the result into
`ESCPOS_CAPABILITIES_PICKLE_DIR`, by default a new `mkdtemp()` directory each time: every
process paid the parse and left a directory in /tmp. callnext points it at one directory of
its own user's, private (0700), so the parse is paid once per machine, and imports escpos only
to print (`load_escpos`), where the `mkdtemp()` it makes all the same (its default argument is
evaluated even when the variable is set) is made inside that directory and removed. A directory
that is not ours, or is open to others, is not used (a pickle is code): then python-escpos's
default stands.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def escpos_ready() -> None:
    """Call before importing escpos: its capabilities' cache is a private directory."""
    if PICKLE_DIR in os.environ:
        return
    directory = private_cache_dir()
    if directory is not None:
        os.environ[PICKLE_DIR] = str(directory)


def private_cache_dir() -> Path | None:
    """`<tmp>/callnext-<uid>/escpos`, made 0700, or None where it is not safely ours."""
    uid = os.getuid()
    root = Path(tempfile.gettempdir()) / f"callnext-{uid}"
    directory = root / "escpos"
    try:
        for path in (root, directory):
            path.mkdir(mode=0o700, exist_ok=True)
            info = path.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o077:
                return None
    except OSError:
        return None
    return directory


@functools.cache
def load_escpos() -> None:
    """Import python-escpos (once), leaving nothing behind in the temporary directory. Only
    the event loop's thread prints, and nothing else in the server process makes temporary
    files (the voice worker is a process of its own), so the swap below races with nobody."""
    directory = os.environ.get(PICKLE_DIR)
    if "escpos.capabilities" in sys.modules or directory is None:
        importlib.import_module("escpos.printer")
        return
    stray = tempfile.mkdtemp(dir=directory)
    saved, tempfile.tempdir = tempfile.tempdir, stray
    try:
        importlib.import_module("escpos.printer")
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(stray, ignore_errors=True)
