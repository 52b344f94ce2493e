"""Where python-escpos keeps its parsed printer capabilities, and importing it.

On import, python-escpos parses its capabilities file (0.2 s) and pickles the result into
`ESCPOS_CAPABILITIES_PICKLE_DIR`, by default a new `mkdtemp()` directory each time: every
process paid the parse and left a directory in /tmp. callnext points it at one directory of
its own user's, private (0700), so the parse is paid once per machine, and imports escpos only
to print (`load_escpos`), where the `mkdtemp()` it calls all the same (its default argument is
evaluated even when the variable is set) answers that directory instead of making one. A directory
that is not ours, or is open to others, is not used (a pickle is code): then python-escpos's
default stands.
"""

from __future__ import annotations

import functools
import importlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

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
    """Import python-escpos (once), leaving nothing behind in the temporary directory: while it
    imports, a bare `tempfile.mkdtemp()` (its default argument's, the only call with no
    arguments) answers the private directory; any other call (`TemporaryDirectory` passes its
    arguments) makes its own as always. Nothing is swapped that another thread relies on (an
    XLSX export's temporary files, made by openpyxl in a thread, do not use mkdtemp)."""
    directory = os.environ.get(PICKLE_DIR)
    if "escpos.capabilities" in sys.modules or directory is None:
        importlib.import_module("escpos.printer")
        return
    original = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        return directory if not args and not kwargs else original(*args, **kwargs)

    setattr(tempfile, "mkdtemp", mkdtemp)  # noqa: B010 - mypy: its overloads are not ours
    try:
        importlib.import_module("escpos.printer")
    finally:
        setattr(tempfile, "mkdtemp", original)  # noqa: B010
