"""The `callnext` command: serve, user add, db upgrade, speaker, report, bench."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from . import bench, report_cli, speaker, storm, workers
from .bench_floor import raise_open_files
from .config import Settings
from .domain.errors import DomainError
from .domain.model import Role
from .gc_watch import freeze_startup
from .protocol import STREAM_V1, STREAM_V2
from .speaker import SpeakerError
from .store import accounts
from .store.database import DEFAULT_URL, Database, DatabaseUrlError
from .web import access_log
from .web.app import create_app
from .web.connections import Guard, GuardedRunner
from .web.keys import DB
from .web.sounds import ANNOUNCER

PAGES = (
    ("halls", "/"),
    ("kiosk", "/halls/{hall}/kiosk"),
    ("lobby display", "/halls/{hall}/display"),
    ("staff console", "/halls/{hall}/staff"),
    ("dashboard", "/halls/{hall}/dashboard"),
    ("settings", "/halls/{hall}/settings"),
    ("booking", "/halls/{hall}/book"),
    ("rating screen", "/halls/{hall}/windows/1/rate"),
    ("hall API", "/api/v1/halls/{hall}"),
)


class StartupError(Exception):
    """Why the server cannot start, in one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callnext", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--db", default=None, help=f"SQLAlchemy URL (default {DEFAULT_URL})")
    serve.add_argument("--demo", action="store_true", help="create the demo hall if none exists")
    serve.add_argument(
        "--workers", type=int, default=1,
        help="server processes sharing the port (more than one needs PostgreSQL)",
    )  # fmt: skip
    serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)  # a worker
    serve.add_argument(
        "--access-log", action="store_true",
        help=f"log every request, ticket ids redacted (also {access_log.ENV}=on)",
    )  # fmt: skip

    user = commands.add_parser("user", help="manage staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add an account; the password is read from stdin")
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--hall", default=None)
    add.add_argument("--window", type=int, default=None, help="the window a staff member works")
    add.add_argument("--replace", action="store_true", help="set the password of an existing user")
    add.add_argument("--db", default=None)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply the schema migrations")
    upgrade.add_argument("--db", default=None)
    _speaker_parser(commands)
    _report_parser(commands)
    _bench_parser(commands)
    return parser


def _speaker_parser(commands: Any) -> None:
    speaker = commands.add_parser("speaker", help="say each call of a hall on loudspeakers")
    speaker.add_argument("--hall", required=True)
    speaker.add_argument("--server", default="http://127.0.0.1:8080", help="the server's URL")
    speaker.add_argument("--lang", choices=["zh", "en"], default="zh")
    speaker.add_argument(
        "--output-dir", type=Path, default=None, help="also write each WAV said here, numbered"
    )
    speaker.add_argument(
        "--player",
        default=None,
        help="the command that plays a WAV (its path is appended); default: pw-play, paplay, "
        "aplay or ffplay; 'none': no sound",
    )
    speaker.add_argument(
        "--max-age",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="do not say calls older than this (replayed after an outage); default 60",
    )


def _report_parser(commands: Any) -> None:
    report = commands.add_parser("report", help="print a hall's figures of a day")
    report.add_argument("--hall", required=True)
    report.add_argument(
        "--date", default=None, help="YYYY-MM-DD (default: today in the hall's timezone)"
    )
    report.add_argument("--db", default=None, help=f"SQLAlchemy URL (default {DEFAULT_URL})")


def _bench_parser(commands: Any) -> None:
    bench.add_arguments(
        commands.add_parser("bench", help="measure a running server against a bare broadcast")
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(  # force: python-escpos adds a root handler when it is imported
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # else its INFO lines bury the reason
    try:
        if args.command == "serve":
            if args.access_log:  # through the environment, so that workers log too
                os.environ[access_log.ENV] = "on"
            settings = Settings.from_env(
                host=args.host, port=args.port, db_url=args.db, demo=args.demo
            )
            if args.workers != 1:
                return serve_workers(settings, args.workers)
            asyncio.run(serve(settings, reuse_port=args.reuse_port))
        elif args.command == "user":
            asyncio.run(add_user(args))
        elif args.command == "speaker":
            asyncio.run(speaker.run(_speaker_options(args)))
        elif args.command == "report":
            return report_cli.run(Settings.from_env(db_url=args.db).db_url, args.hall, args.date)
        elif args.command == "bench":
            return bench.run_args(args)
        else:
            asyncio.run(upgrade(Settings.from_env(db_url=args.db)))
    except (
        StartupError, DatabaseUrlError, DomainError, SpeakerError, ValueError,
        workers.WorkersError,
    ) as exc:  # fmt: skip
        print(f"callnext: {_reason(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def _speaker_options(args: argparse.Namespace) -> speaker.Options:
    return speaker.Options(
        hall=args.hall, server=args.server, lang=args.lang, output_dir=args.output_dir,
        player=args.player, max_age_s=args.max_age,
    )  # fmt: skip


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else str(exc)


def serve_workers(settings: Settings, count: int) -> int:
    """`serve --workers N`: prepare the database once, then run and watch N worker processes."""
    workers.check(settings, count)
    try:
        codes = asyncio.run(workers.prepare(settings))
    except (SQLAlchemyError, OSError) as exc:
        raise _cannot_open(exc) from exc
    base = f"http://{settings.host}:{settings.port}"
    lines = [f"callnext listening on {base} with {count} workers"]
    lines += [f"  {label:<15} {base}{path.format(hall=code)}" for code in codes
              for label, path in PAGES]  # fmt: skip
    return workers.Supervisor(settings, count).run(lines)


async def serve(settings: Settings, reuse_port: bool = False) -> None:
    """One server process; `reuse_port`: a worker of `serve --workers` (it says less)."""
    raise_open_files()  # a socket per display: 10,000 displays need more than the usual 1,024
    storm.install(asyncio.get_running_loop())  # a storm of one error: a line a minute
    app = create_app(settings)
    logger, log_class = access_log.runner_logging()
    runner = GuardedRunner(
        app, Guard.of(settings), handle_signals=False, access_log=logger,
        access_log_class=log_class,
    )  # fmt: skip
    try:
        await runner.setup()
    except Exception as exc:  # any failure to open or migrate the database stops the start
        with contextlib.suppress(Exception):
            await runner.cleanup()  # what did start (the speech worker) stops
        raise _cannot_open(exc) from exc
    try:
        site = web.TCPSite(
            runner, settings.host, settings.port, reuse_port=reuse_port or None, backlog=1024
        )  # the backlog: screens reconnecting all at once after a restart
        try:
            await site.start()
        except OSError as exc:
            raise StartupError(
                f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}"
            ) from exc
        freeze_startup()  # the server's lasting objects, out of the collector's walks
        if reuse_port:
            print(f"callnext worker {os.getpid()} ready on port {settings.port}", flush=True)
        else:
            await _announce(app, settings)
        await _wait_for_stop()
    finally:
        await runner.cleanup()


async def _announce(app: web.Application, settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    print(f"callnext listening on {base}", flush=True)
    for code in await app[DB].hall_codes():
        for label, path in PAGES:
            print(f"  {label:<15} {base}{path.format(hall=code)}", flush=True)
        ws_base = "ws" + base.removeprefix("http")
        print(f"  {'display stream':<15} {ws_base}{STREAM_V1.format(hall=code)}", flush=True)
        print(f"  {'  without ids':<15} {ws_base}{STREAM_V2.format(hall=code)}", flush=True)
    print(f"  {'voice':<15} {app[ANNOUNCER].describe()}", flush=True)
    if settings.demo:
        print("  WARNING: demo accounts w1…w8 and manager use the password 'demo'", flush=True)


async def _wait_for_stop() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def _cannot_open(exc: BaseException) -> StartupError:
    return StartupError(f"cannot open the database: {_short(exc)}")


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


async def upgrade(settings: Settings) -> None:
    db = Database(settings.db_url)
    try:
        await db.start()
    except (SQLAlchemyError, OSError) as exc:
        raise _cannot_open(exc) from exc
    finally:
        await db.close()
    print("database schema is up to date")


async def add_user(args: argparse.Namespace) -> None:
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.username}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 4:
        raise StartupError("the password must have at least 4 characters")
    settings = Settings.from_env(db_url=args.db)
    db = Database(settings.db_url)
    try:
        await db.start()
        account = await accounts.add_user(
            db, args.username, password, Role(args.role), args.hall, args.window,
            replace_password=args.replace,
        )  # fmt: skip
    except (SQLAlchemyError, OSError) as exc:
        raise _cannot_open(exc) from exc
    finally:
        await db.close()
    print(f"user {account.username} ({account.role.value}, hall {account.hall or 'all'}) saved")


if __name__ == "__main__":
    sys.exit(main())
