"""The real-name digests' keys (runtime/person_keys.py): from CALLNEXT_PERSON_KEYS, else one key
made beside an SQLite database (0600, the same for every process starting at once, kept across
starts), else none; a bad list or an unreadable file stops `callnext serve` with one line that
names the key or the file, never a secret."""

from __future__ import annotations

import base64
import multiprocessing
import os
import secrets
import stat
import subprocess
from pathlib import Path

import pytest

from callnext.domain.identity import parse_person_keys, person_key
from callnext.runtime import person_keys

from ..helpers import free_port
from .test_cli import CALLNEXT, assert_one_line_failure, env


def secret() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_the_environment_names_the_keys_newest_first() -> None:
    assert person_keys.from_env({}) is None
    assert person_keys.from_env({"CALLNEXT_PERSON_KEYS": "  "}) is None
    keys = person_keys.from_env({"CALLNEXT_PERSON_KEYS": f"k2:{secret()}, k1:{secret()}"})
    assert keys is not None
    assert [k.id for k in keys] == ["k2", "k1"]
    short = base64.b64encode(b"x" * 16).decode()
    refusals = [
        (f"k1{secret()}", "key 1"),
        (f"k1:{short}", "16 bytes"),
        (f"k1:{secret()},k1:{secret()}", "twice"),
        ("k1:not base64!", "base64"),
    ]
    for bad, words in refusals:
        with pytest.raises(ValueError, match=words) as refused:
            person_keys.from_env({"CALLNEXT_PERSON_KEYS": bad})
        message = str(refused.value)
        assert message.startswith("CALLNEXT_PERSON_KEYS: ")
        assert all(part.partition(":")[2] not in message for part in bad.split(",") if ":" in part)


def test_where_an_sqlite_database_keeps_its_key(tmp_path: Path) -> None:
    assert person_keys.key_file(f"sqlite:///{tmp_path}/hall.db") == tmp_path / "hall.db.person-keys"
    assert person_keys.key_file("sqlite:///:memory:") is None
    assert person_keys.key_file("postgresql://postgres@127.0.0.1/test") is None
    assert person_keys.resolve(None, "postgresql://postgres@127.0.0.1/test") == ()
    given = parse_person_keys(f"k9:{secret()}")
    assert person_keys.resolve(given, f"sqlite:///{tmp_path}/hall.db") == given
    assert not (tmp_path / "hall.db.person-keys").exists()  # a key given: no file made
    nowhere = f"sqlite:///{tmp_path}/no-such-folder/hall.db"
    assert person_keys.resolve(None, nowhere) == ()  # the database's own error is the one told


def _load(path: str) -> str:
    keys = person_keys.load_or_create(Path(path))
    return person_key("330106198001010012", keys[0])


def test_processes_starting_at_once_make_and_share_one_key(tmp_path: Path) -> None:
    path = tmp_path / "hall.db.person-keys"
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        digests = pool.map(_load, [str(path)] * 8)
    assert len(set(digests)) == 1  # every process read the one key that was linked first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.db.person-keys"]  # no temp left
    assert _load(str(path)) == digests[0]  # kept across starts


def test_a_bad_key_list_or_key_file_stops_serve_with_one_line(tmp_path: Path) -> None:
    bad = f"k1:{base64.b64encode(b'short').decode()}"
    result = subprocess.run(
        [str(CALLNEXT), "serve", "--port", str(free_port()), "--db", f"sqlite:///{tmp_path}/a.db"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**env(), "CALLNEXT_PERSON_KEYS": bad},
    )  # fmt: skip
    line = assert_one_line_failure(result, "CALLNEXT_PERSON_KEYS", "k1", "5 bytes")
    assert bad.partition(":")[2] not in line
    (tmp_path / "b.db.person-keys").write_text("k1:garbage\n")
    result = subprocess.run(
        [str(CALLNEXT), "serve", "--port", str(free_port()), "--db", f"sqlite:///{tmp_path}/b.db"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env(),
    )  # fmt: skip
    assert_one_line_failure(result, "person key file", "b.db.person-keys", "base64")
