"""Why a database cannot be opened, in one line that names it: for an SQLite file, the reason
found on the file system (a missing or read-only directory, a read-only file), which SQLite's
own "unable to open database file" does not say."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for another database or an in-memory one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    return Path(path).absolute()


def shown(url: str) -> str:
    """The database as a person names it: the file of SQLite, else the URL without password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def file_problem(path: Path) -> str | None:
    """What on the file system keeps SQLite from opening `path` to write; None if nothing."""
    folder = path.parent
    if not folder.exists():
        return f"its directory {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a directory"
    if path.is_dir():
        return "it is a directory"
    if path.exists() and not os.access(path, os.R_OK):
        return "no permission to read the file"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only (callnext writes to it)"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"its directory {folder} is read-only or not permitted (SQLite writes the file and "
            "its -wal and -shm files there)"
        )
    return None


def cannot_open(url: str, exc: BaseException) -> str:
    """`cannot open the database WHERE: WHY (the driver's words)`, one line."""
    text = str(getattr(exc, "orig", None) or exc)
    driver = text.splitlines()[0] if text.strip() else type(exc).__name__
    path = sqlite_path(url)
    problem = file_problem(path) if path is not None else None
    reason = f"{problem} ({driver})" if problem else driver
    return f"cannot open the database {shown(url)}: {reason}"
