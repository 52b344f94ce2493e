"""CONTRACT, Install and run: the real `callnext` command (console script and `python -m`)
serves, refuses to start with a one-line reason, adds users and upgrades the schema."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from .helpers import ServerProcess, free_port

CALLNEXT = Path(sys.executable).with_name("callnext")
STARTS_WITHIN_S = 90.0  # a loaded machine: the voice probe alone took 10 s+


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLNEXT_")}
    return {**clean, "CALLNEXT_RATE_LIMITS": "off", "PYTHONUNBUFFERED": "1"}


def cli(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `callnext ARGS` (the console script on PATH of this venv) to its end."""
    return subprocess.run(
        [str(CALLNEXT), *args], input=stdin, capture_output=True, text=True, env=env(),
        cwd=cwd, timeout=60,
    )  # fmt: skip


def http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Non-zero exit and exactly one line on stderr, naming the cause."""
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hall.db'}"


@pytest.fixture
def demo_server(db_file: str) -> Iterator[ServerProcess]:
    """`python -m callnext serve --demo` as a child process."""
    server = ServerProcess(db_file)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for_line(output: list[str], text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in output):
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never printed:\n" + "".join(output))


def test_serve_demo_prints_the_urls_and_warns_about_demo_credentials(
    demo_server: ServerProcess,
) -> None:
    """`serve --demo` prints the pages' URLs once it listens and warns of the demo passwords."""
    base = demo_server.base
    wait_for_line(demo_server.output, base + "/halls/demo/dashboard")
    out = "".join(demo_server.output)
    for path in ("/halls/demo/kiosk", "/halls/demo/display", "/halls/demo/staff",
                 "/halls/demo/dashboard", "/halls/demo/settings", "/halls/demo/book",
                 "/halls/demo/windows/1/rate", "/api/v1/halls/demo"):  # fmt: skip
        assert base + path in out, out
        with urllib.request.urlopen(base + path, timeout=10) as page:  # each one answers
            assert page.status == 200, path
    warning = next(line for line in demo_server.output if "WARNING" in line)
    assert "demo" in warning
    assert "password" in warning
    status, hall = http("GET", base + "/api/v1/halls/demo")
    assert (status, hall["hall"]) == (200, "demo")
    status, body = http("POST", base + "/api/v1/login", {"username": "w1", "password": "demo"})
    assert (status, body["role"]) == (200, "staff")


def test_serve_without_demo_invents_no_hall(db_file: str, tmp_path: Path) -> None:
    """Without --demo an empty database stays empty: GET /api/v1/halls → []; SIGTERM exits 0."""
    port = free_port()
    proc = subprocess.Popen(
        [str(CALLNEXT), "serve", "--port", str(port), "--db", db_file],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env(), cwd=tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + STARTS_WITHIN_S
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "server exited:\n" + "".join(lines)
            lines.append(line)
            if "listening on" in line:
                break
        assert f"http://127.0.0.1:{port}" in lines[-1]
        status, body = http("GET", f"http://127.0.0.1:{port}/api/v1/halls")
        assert (status, body) == (200, {"halls": []})
        assert http("GET", f"http://127.0.0.1:{port}/api/v1/halls/demo")[0] == 404
        status, _ = http("POST", f"http://127.0.0.1:{port}/api/v1/login",
                         {"username": "manager", "password": "demo"})  # fmt: skip
        assert status == 401
    finally:
        proc.terminate()
        rest, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, rest
    assert "demo" not in "".join(lines) + rest


def test_port_taken_exits_quickly_with_one_line(db_file: str) -> None:
    """A port in use: non-zero exit within seconds, one line on stderr naming the port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for _attempt in ("fresh database", "migrated database"):
            started = time.monotonic()
            result = cli("serve", "--port", str(port), "--db", db_file)
            assert time.monotonic() - started < STARTS_WITHIN_S
            assert_one_line_failure(result, str(port))
            assert "listening" not in result.stdout


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("nosuchdb://x", ("nosuchdb",)),
        ("not a url", ("not a url",)),
        ("postgresql://postgres@127.0.0.1:1/nope", ("database",)),
        ("sqlite:////nonexistent-dir/sub/x.db", ("database",)),
    ],
)
def test_serve_with_a_bad_database_exits_with_one_line(
    url: str, words: tuple[str, ...], tmp_path: Path
) -> None:
    """A bad URL or an unreachable database: non-zero exit within seconds, one line."""
    started = time.monotonic()
    result = cli("serve", "--port", str(free_port()), "--db", url, cwd=tmp_path)
    assert time.monotonic() - started < STARTS_WITHIN_S
    assert_one_line_failure(result, *words)
    assert "listening" not in result.stdout


def test_python_dash_m_is_the_same_command(db_file: str) -> None:
    """`python -m callnext` runs the same CLI as the console script."""
    result = subprocess.run(
        [sys.executable, "-m", "callnext", "db", "upgrade", "--db", db_file],
        capture_output=True, text=True, env=env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    help_text = subprocess.run([sys.executable, "-m", "callnext", "--help"],
                               capture_output=True, text=True, env=env(), timeout=60)  # fmt: skip
    assert help_text.returncode == 0
    for command in ("serve", "user", "db"):
        assert command in help_text.stdout


def test_user_add_reads_the_password_from_stdin(demo_server: ServerProcess) -> None:
    """`callnext user add NAME --role staff --hall demo` while the server runs; then login works
    with the password given on stdin, and not with another one."""
    result = cli("user", "add", "clerk", "--role", "staff", "--hall", "demo",
                 "--db", demo_server.db_url, stdin="tr0ub4dor&3\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "clerk" in result.stdout
    login = demo_server.base + "/api/v1/login"
    status, body = http("POST", login, {"username": "clerk", "password": "tr0ub4dor&3"})
    assert (status, body["role"], body["hall"]) == (200, "staff", "demo")
    status, _ = http("POST", login, {"username": "clerk", "password": "tr0ub4dor&3\n"})
    assert status == 401
    token = body["token"]
    request = urllib.request.Request(
        demo_server.base + "/api/v1/halls/demo/windows/4/call-next", data=b"{}", method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200


def test_user_add_refuses_unknown_hall_duplicates_and_short_passwords(db_file: str) -> None:
    """Unknown hall, an existing username, a too-short password: non-zero, one line, no user."""
    assert cli("db", "upgrade", "--db", db_file).returncode == 0
    unknown = cli("user", "add", "ghost", "--role", "staff", "--hall", "nohall",
                  "--db", db_file, stdin="long-enough\n")  # fmt: skip
    assert_one_line_failure(unknown, "nohall")
    short = cli("user", "add", "shorty", "--role", "admin", "--db", db_file, stdin="abc\n")
    assert_one_line_failure(short, "password")
    first = cli("user", "add", "boss", "--role", "admin", "--db", db_file, stdin="long-enough\n")
    assert first.returncode == 0, first.stderr
    again = cli("user", "add", "boss", "--role", "admin", "--db", db_file, stdin="other-pass\n")
    assert_one_line_failure(again, "boss")
    engine = sa.create_engine(db_file)
    try:
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT username FROM users")).scalars().all()
    finally:
        engine.dispose()
    assert names == ["boss"]


def test_db_upgrade_creates_the_schema_and_is_repeatable(db_file: str) -> None:
    """`callnext db upgrade --db URL` brings an empty database to the newest revision, twice."""
    for _run in range(2):
        result = cli("db", "upgrade", "--db", db_file)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    engine = sa.create_engine(db_file)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    assert {"halls", "services", "windows", "tickets", "users", "sessions"} <= tables
    assert version
    bad = cli("db", "upgrade", "--db", "nosuchdb://x")
    assert_one_line_failure(bad, "nosuchdb")
    unreachable = cli("db", "upgrade", "--db", "sqlite:////nonexistent-dir/sub/x.db")
    assert_one_line_failure(unreachable, "database")
