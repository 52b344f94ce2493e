"""The secrets of real-name tickets' person digests (domain/identity.py), for this process.

`CALLNEXT_PERSON_KEYS` (`k2:BASE64,k1:BASE64`, newest first) names them; every process of a
deployment must be given the same list. Without it, a hall on the embedded SQLite file keeps
one key in a file beside its database (`<database>.person-keys`, made on the first start, mode
0600, in the same format): one command still runs a whole hall, and the key goes wherever the
database goes (back them up together; a lost key only means that earlier tickets' holders are
not recognised again). On PostgreSQL, without the variable, there is no key, and a real-name
service answers 503 `real_name_unavailable` rather than make digests no other process shares.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from ..domain.identity import MIN_SECRET, PersonKey, parse_person_keys

ENV = "CALLNEXT_PERSON_KEYS"
SUFFIX = ".person-keys"


def from_env(env: dict[str, str] | os._Environ[str]) -> tuple[PersonKey, ...] | None:
    """The keys the environment names, or None when it names none. ValueError in one line."""
    text = env.get(ENV, "").strip()
    if not text:
        return None
    try:
        return parse_person_keys(text)
    except ValueError as exc:
        raise ValueError(f"{ENV}: {exc}") from None


def key_file(db_url: str) -> Path | None:
    """Where an embedded SQLite database keeps its key: beside its file (None: not a file)."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_name(Path(url.database).name + SUFFIX)


def load_or_create(path: Path) -> tuple[PersonKey, ...]:
    """The keys in `path`, made first if there is no such file: one new random key, written
    whole under another name and linked into place, so that processes starting at once all
    read the same one. ValueError naming the file when it cannot be read or made."""
    if not path.exists():
        secret = base64.b64encode(secrets.token_bytes(MIN_SECRET)).decode()
        temp = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(f"k1:{secret}\n")
            with contextlib.suppress(FileExistsError):  # another process linked its own first
                os.link(temp, path)
        except OSError as exc:
            raise ValueError(f"cannot make the person key file {path}: {exc.strerror}") from None
        finally:
            temp.unlink(missing_ok=True)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the person key file {path}: {exc}") from None
    try:
        return parse_person_keys(text.strip())
    except ValueError as exc:
        raise ValueError(f"the person key file {path}: {exc}") from None


def resolve(configured: tuple[PersonKey, ...] | None, db_url: str) -> tuple[PersonKey, ...]:
    """This process's keys: those configured, else the SQLite file's, else none. Where the
    database's folder does not exist there is no key either: the database cannot be opened,
    and the server says that (its own one line), not that a key file could not be made."""
    if configured:
        return configured
    path = key_file(db_url)
    return () if path is None or not path.parent.is_dir() else load_or_create(path)
