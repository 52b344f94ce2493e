"""CONTRACT, Install and run: the real `callnext` command (console script and `python -m`)
serves, refuses to start with a one-line reason, adds users and upgrades the schema."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from callnext import cli_args
from callnext.cli import main as cli_main
from callnext.runtime import workers
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.setup import seed_demo

from ..helpers import ServerProcess, free_port, running_app, terminate

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
        (
            "sqlite:////nonexistent-dir/sub/x.db",
            ("cannot open the database /nonexistent-dir/sub/x.db", "does not exist"),
        ),
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
    for too_short in ("abc", "abcde"):  # the API's rule: 6–256 characters (was 4 here)
        short = cli("user", "add", "shorty", "--role", "admin", "--db", db_file,
                    stdin=f"{too_short}\n")  # fmt: skip
        assert_one_line_failure(short, "6")
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


# -- issue 18: every refusal is one line, exit 1 ------------------------------------------------


def seed_demo_hall(db_url: str) -> None:
    """The demo hall (windows 1–8) in a new database, through the store."""

    async def seed() -> None:
        db = Database(db_url)
        try:
            await db.start()
            await seed_demo(db, all_day=True)
        finally:
            await db.close()

    asyncio.run(seed())


def usernames(db_url: str) -> list[str]:
    """The accounts in the database, read through the store (SQLite or PostgreSQL)."""
    query = sa.select(sa.column("username")).select_from(sa.table("users")).order_by("username")

    async def read() -> list[str]:
        db = Database(db_url)
        try:
            return await db.run_read(lambda conn: list(conn.execute(query).scalars()))
        finally:
            await db.close()

    return asyncio.run(read())


RunMain = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunMain:
    """`callnext ARGS` in this process (cli.main, as the console script calls it), `stdin`
    its input → (exit status, stdout, stderr): for the many refusals, without a Python start
    each."""

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli_main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def assert_one_line(result: tuple[int, str, str], *words: str) -> str:
    """Exit 1 and exactly one line on stderr, naming the cause."""
    code, out, err = result
    assert code == 1, (out, err)
    return assert_one_line_failure(subprocess.CompletedProcess([], code, out, err), *words)


def test_bench_without_a_server_says_so_in_one_line() -> None:
    """`callnext bench` with nothing listening: one line naming the server and why, exit 1
    (was a 70-line ClientConnectorError traceback)."""
    server = f"http://127.0.0.1:{free_port()}"
    result = cli("bench", "--server", server, "--displays", "10")
    assert result.returncode == 1
    assert_one_line_failure(result, "cannot reach the server", server, "Connection refused")


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_serve_refuses_a_port_outside_0_to_65535(port: str, db_file: str) -> None:
    """An argparse error naming the range, exit 2, nothing started (was an OverflowError)."""
    result = cli("serve", f"--port={port}", "--db", db_file)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("callnext serve: error: argument --port:"), result.stderr
    assert "0–65535" in last or "not a port number" in last, last


def test_serve_on_port_0_prints_the_port_it_got(db_file: str, tmp_path: Path) -> None:
    """`--port 0` listens on a free port and its URLs name that port, not :0."""
    proc = subprocess.Popen(
        [str(CALLNEXT), "serve", "--port", "0", "--db", db_file, "--demo"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**env(), "CALLNEXT_VOICE": "off"}, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("hall API" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "server exited:\n" + "".join(lines)
            lines.append(line)
        listening = next(line for line in lines if "listening on" in line)
        port = int(listening.rsplit(":", 1)[1])
        assert port != 0
        assert f"http://127.0.0.1:{port}/api/v1/halls/demo" in "".join(lines)
        assert ":0/" not in "".join(lines)
        assert http("GET", f"http://127.0.0.1:{port}/api/v1/halls/demo")[0] == 200
    finally:
        terminate(proc)


def test_every_option_has_help_and_shows_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Every option of every command has help (--host, --port, --server, --hall had none), and
    `--help` shows the defaults."""
    parser = cli_args.parser()
    subcommands = [parser]
    while subcommands:
        current = subcommands.pop()
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                subcommands.extend(action.choices.values())
            elif action.help != argparse.SUPPRESS:
                assert action.help, (current.prog, action.dest)
    result = cli("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for shown in ("--host HOST the address to listen on (default: 127.0.0.1)",
                  "(default: 8080)", "(default: 1)"):  # fmt: skip
        assert shown in text, text

    def help_of(*command: str) -> str:
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            cli_main([*command, "--help"])
        assert ended.value.code == 0
        return " ".join(capsys.readouterr().out.split())

    assert "the server's URL (default: http://127.0.0.1:8080)" in help_of("speaker")
    assert "(default: 100,1000)" in help_of("bench")
    assert "--name-en NAME_EN its English name --timezone" in help_of("hall", "add")


def test_user_add_refuses_a_window_the_hall_lacks_staff_without_a_hall_and_duplicates(
    db_url: str, run_main: RunMain
) -> None:
    """The window must exist in the hall; staff and managers belong to a hall; a duplicate
    says how to replace its password. Each: exit 1, one line, no account."""
    seed_demo_hall(db_url)
    before = usernames(db_url)

    def add(*args: str) -> tuple[int, str, str]:
        return run_main("user", "add", *args, "--db", db_url, stdin="long-enough\n")

    assert_one_line(add("clerk", "--role", "staff", "--hall", "demo", "--window", "99"),
                    "No window 99 in hall demo", "1, 2, 3, 4, 5, 6, 7, 8")  # fmt: skip
    for role in ("staff", "manager"):
        assert_one_line(add("clerk", "--role", role), f"a {role} account belongs to a hall")
    assert_one_line(add("root", "--role", "admin", "--window", "3"), "window belongs to a hall")
    assert_one_line(add("a b", "--role", "admin"), "username")
    assert usernames(db_url) == before
    taken = cli("user", "add", "w3", "--role", "staff", "--hall", "demo", "--window", "3",
                "--db", db_url, stdin="long-enough\n")  # fmt: skip
    assert taken.returncode == 1
    assert_one_line_failure(taken, "'w3' already exists", "--replace")
    code, out, err = add("w3", "--role", "staff", "--hall", "demo", "--window", "8", "--replace")
    assert (code, err) == (0, ""), err
    assert "w3 (staff, hall demo) saved" in out
    assert usernames(db_url) == before


def test_a_database_it_cannot_open_is_named_with_the_reason(
    tmp_path: Path, run_main: RunMain
) -> None:
    """A missing directory: the path and "does not exist", not SQLite's bare "unable to open
    database file" (serve: test_serve_with_a_bad_database_exits_with_one_line)."""
    missing = tmp_path / "no-such-dir" / "hall.db"
    for command in (["db", "upgrade"], ["user", "add", "root", "--role", "admin"]):
        result = run_main(*command, "--db", f"sqlite:///{missing}", stdin="long-enough\n")
        line = assert_one_line(result, str(missing), "does not exist")
        assert line.startswith(f"callnext: cannot open the database {missing}:"), line


def test_a_read_only_database_file_or_directory_is_named_with_the_reason(tmp_path: Path) -> None:
    """A read-only file, or a read-only directory (SQLite writes its -wal and -shm files
    beside the database): one line naming the path and which."""
    cases = {"file": tmp_path / "f", "directory": tmp_path / "d"}
    try:
        for folder in cases.values():
            folder.mkdir()
            seed_demo_hall(f"sqlite:///{folder / 'hall.db'}")
        (cases["file"] / "hall.db").chmod(0o444)
        cases["directory"].chmod(0o555)
        for which, folder in cases.items():
            path = folder / "hall.db"
            result = as_unprivileged_user(
                "user", "add", "root", "--role", "admin", "--db", f"sqlite:///{path}"
            )
            assert result.returncode == 1
            expected = "the file is read-only" if which == "file" else f"{folder} is read-only"
            assert_one_line_failure(result, f"cannot open the database {path}:", expected)
    finally:
        cases["directory"].chmod(0o755)


def as_unprivileged_user(*args: str) -> subprocess.CompletedProcess[str]:
    """`callnext ARGS` bound by file permissions: as root, without the capabilities that let
    root write anything (dropped from the bounding set, so gone after exec); it stays the
    owner of the files, whose mode bits then hold."""
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
    return subprocess.run(
        [*(drop if os.geteuid() == 0 else []), str(CALLNEXT), *args], input="long-enough\n",
        capture_output=True, text=True, env=env(), timeout=60,
    )  # fmt: skip


def test_a_real_hall_without_demo_from_the_command_line_to_a_first_call(
    db_url: str, run_main: RunMain
) -> None:
    """README's path for a real hall: `hall add`, a manager by `user add`, then on the
    settings API (the settings page's calls) its service, window and a staff account; a ticket
    issued there is called. Bad halls are refused in one line and create nothing."""
    add = ("hall", "add", "east", "--name", "东区分中心", "--name-en", "East branch",
           "--timezone", "Asia/Shanghai", "--db", db_url)  # fmt: skip
    code, out, err = run_main(*add)
    assert (code, err) == (0, ""), err
    assert "hall east (东区分中心, Asia/Shanghai) created" in out
    assert "callnext user add NAME --role manager --hall east" in out
    assert_one_line(run_main(*add), "Hall 'east' already exists")
    for code_name_zone, words in [(("x y", "West", "UTC"), "hall code"),
                                  (("west", "West", "Mars/Olympus"), "Unknown timezone"),
                                  (("west", " ", "UTC"), "needs a name")]:  # fmt: skip
        hall, name, timezone = code_name_zone
        refused = run_main("hall", "add", hall, "--name", name, "--timezone", timezone,
                           "--db", db_url)  # fmt: skip
        assert_one_line(refused, words)
    manager = ("user", "add", "boss", "--role", "manager", "--hall", "east", "--db", db_url)
    code, out, err = run_main(*manager, stdin="boss-pass\n")
    assert (code, err) == (0, ""), err
    asyncio.run(_lay_out_east_and_call(db_url))


async def _lay_out_east_and_call(db_url: str) -> None:
    settings = Settings(db_url=db_url, rate_limits=None, voice=False)
    async with running_app(settings) as api:
        halls = (await api.request("GET", "/api/v1/halls"))[1]["halls"]
        assert halls == [{"hall": "east", "name": "东区分中心", "name_en": "East branch"}]
        boss = await api.login("boss", "boss-pass")
        for path, body in [("/services/A", {"name": "社保", "name_en": "Social security"}),
                           ("/windows/1", {"name": "1号窗口", "services": ["A"]}),
                           ("/users/clerk", {"role": "staff", "window": 1,
                                             "password": "clerk-pass"})]:  # fmt: skip
            status, answer = await api.request("PUT", "/api/v1/halls/east" + path, body, token=boss)
            assert status == 201, (path, answer)
        ticket = await api.issue("A", hall="east")
        clerk = await api.login("clerk", "clerk-pass")
        status, answer = await api.request(
            "POST", "/api/v1/halls/east/windows/1/call-next", token=clerk
        )
        assert (status, answer["called"]["number"]) == (200, ticket["number"])


def test_the_workers_refuse_a_port_another_server_listens_on() -> None:
    """`serve --workers` first binds the port itself, without SO_REUSEPORT: a port where any
    server listens, even one whose sockets share it (SO_REUSEPORT, as workers' do), is refused;
    port 0 becomes a free port the workers then share."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(workers.WorkersError, match=f"cannot listen on 127.0.0.1:{port}"):
            workers.claim_port("127.0.0.1", port)
    got = workers.claim_port("127.0.0.1", 0)
    assert got != 0
    with socket.socket() as worker:  # the port is free again for the workers
        worker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        worker.bind(("127.0.0.1", got))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_second_serve_workers_on_a_served_port_exits_with_one_line(db_url: str) -> None:
    """Was: the second `serve --workers 2` started silently and shared the port (its workers'
    SO_REUSEPORT), even on another database, so half the requests reached it. Now it exits 1
    with one line naming the port, and every request still reaches the first one's workers."""
    first = ServerProcess(db_url, free_port(), "--workers", "2")
    first.start(timeout=2 * STARTS_WITHIN_S)  # a supervisor and two workers
    try:
        pids = {int(line.split()[2]) for line in first.output if "ready on port" in line}
        assert len(pids) == 2, first.output
        second = subprocess.Popen(
            [str(CALLNEXT), "serve", "--workers", "2", "--port", str(first.port), "--db", db_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
        )  # fmt: skip
        try:
            out, err = second.communicate(timeout=STARTS_WITHIN_S)
        except subprocess.TimeoutExpired:
            terminate(second)
            raise AssertionError("the second serve --workers kept running") from None
        result = subprocess.CompletedProcess(second.args, second.returncode, out, err)
        assert result.returncode == 1
        assert_one_line_failure(result, f"cannot listen on 127.0.0.1:{first.port}", "in use")
        assert "listening" not in out
        for _ in range(10):  # a new connection each time: each to one of the first's workers
            with urllib.request.urlopen(first.base + "/healthz", timeout=10) as resp:
                assert json.loads(resp.read())["process"] in pids
    finally:
        first.stop()
