"""Where python-escpos keeps its parsed printer capabilities, and importing it.

On import, python-escpos parses its capabilities file (0.2 s) and pickles the result into
`ESCPOS_CAPABILITIES_PICKLE_DIR`, by default a new `mkdtemp()` directory each time: every
process paid the parse and left a directory in /tmp. callnext points it at one directory of
its own user's, private (0700), so the parse is paid once per machine, and imports escpos only
to print (`load_escpos`), where the `mkdtemp()` it calls all the same (its default argument is
evaluated even when the variable is set) answers that directory instead of making one. A directory
that is not ours, or is open to others, is not used (a pickle is code): then python-escpos's
default stands.

python-escpos writes its pickle in place: it opens the file for writing, then parses for 0.2 s,
and another process importing meanwhile reads an empty file (`EOFError: Ran out of input`; three
test workers did so at once). So callnext writes the pickle itself, whole, under a temporary name
renamed over the real one (`ensure_pickle`), before escpos looks: escpos then finds it complete and
newer than its capabilities file, and only reads it. A pickle that does not load (empty, cut) is
written again.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import pickle
import platform
import stat
import sys
import tempfile
import time
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


def capabilities_file() -> Path | None:
    """python-escpos's capabilities file (or the one `ESCPOS_CAPABILITIES_FILE` names), found
    without importing escpos; None if escpos is not installed."""
    if named := os.environ.get("ESCPOS_CAPABILITIES_FILE"):
        return Path(named)
    spec = importlib.util.find_spec("escpos")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "capabilities.json"


def pickle_file(directory: Path) -> Path:
    """Where python-escpos looks for its pickle in `directory` (its own naming)."""
    return directory / f"{platform.python_version()}.capabilities.pickle"


def ensure_pickle(directory: Path) -> None:
    """Leave in `directory` a whole pickle of the capabilities, newer than their file, so that
    escpos only reads it. Written under a temporary name and renamed: a reader never sees it in
    part. Several processes may write it at once; each rename is whole, the last one stands."""
    source = capabilities_file()
    if source is None or not source.is_file():
        return  # escpos reports its own missing file
    target = pickle_file(directory)
    if _loads(target) and target.stat().st_mtime_ns >= source.stat().st_mtime_ns:
        return
    try:  # escpos parses it as YAML, of which this JSON is a subset: the same, in 1 ms not 140
        capabilities = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # not JSON after all: escpos parses it itself, as it would without us
    partial = directory / f".{target.name}.{os.getpid()}.partial"
    try:
        with partial.open("wb") as out:
            pickle.dump(capabilities, out, protocol=2)  # escpos's own protocol
        newest = max(time.time_ns(), source.stat().st_mtime_ns)  # escpos re-parses if older
        os.utime(partial, ns=(newest, newest))
        os.replace(partial, target)
    except OSError:  # a full disk: escpos parses for itself, as it would without us
        partial.unlink(missing_ok=True)


def _loads(path: Path) -> bool:
    """Whether `path` holds a pickle that loads (our own directory's: see private_cache_dir)."""
    try:
        with path.open("rb") as cached:
            pickle.load(cached)
    except Exception:  # missing, empty, cut or garbled: all mean "write it again"
        return False
    return True


@functools.cache
def load_escpos() -> None:
    """Import python-escpos (once), leaving nothing behind in the temporary directory: while it
    imports, a bare `tempfile.mkdtemp()` (its default argument's, the only call with no
    arguments) answers the private directory; any other call (`TemporaryDirectory` passes its
    arguments) makes its own as always. Nothing is swapped that another thread relies on (an
    XLSX export's temporary files, made by openpyxl in a thread, do not use mkdtemp)."""
    escpos_ready()
    directory = os.environ.get(PICKLE_DIR)
    if "escpos.capabilities" in sys.modules or directory is None:
        importlib.import_module("escpos.printer")
        return
    ensure_pickle(Path(directory))
    original = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        return directory if not args and not kwargs else original(*args, **kwargs)

    setattr(tempfile, "mkdtemp", mkdtemp)  # noqa: B010 - mypy: its overloads are not ours
    try:
        importlib.import_module("escpos.printer")
    finally:
        setattr(tempfile, "mkdtemp", original)  # noqa: B010
