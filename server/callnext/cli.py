"""The `callnext` command: serve, user add, hall add, db upgrade, speaker, report, bench."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from .bench import load as bench
from .bench.floor import raise_open_files
from .cli_args import parser as _parser
from .domain.errors import Conflict, DomainError
from .domain.hall_layout import new_hall
from .domain.model import Role
from .live.protocol import STREAM_V1, STREAM_V2
from .reports import cli as report_cli
from .runtime import storm, workers
from .runtime.config import Settings
from .runtime.gc_watch import freeze_startup
from .store import accounts
from .store.database import Database, DatabaseUrlError
from .store.open_errors import cannot_open
from .usecases import hall_config
from .usecases.staff_accounts import MIN_PASSWORD, username
from .voice import speaker
from .voice.speaker import SpeakerError
from .web import access_log
from .web.app import create_app
from .web.connections import Guard, GuardedRunner
from .web.keys import ANNOUNCER, DB

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
                host=args.host,
                port=args.port,
                db_url=args.db,
                demo=args.demo,
                demo_all_day=args.demo_all_day,
            )
            if args.workers != 1:
                return serve_workers(settings, args.workers)
            asyncio.run(serve(settings, reuse_port=args.reuse_port))
        elif args.command == "user":
            asyncio.run(add_user(args))
        elif args.command == "hall":
            asyncio.run(add_hall(args))
        elif args.command == "speaker":
            asyncio.run(speaker.run(_speaker_options(args)))
        elif args.command == "report":
            return report_cli.run(Settings.from_env(db_url=args.db).db_url, args.hall, args.date)
        elif args.command == "bench":
            return bench.run_args(args)
        else:
            asyncio.run(upgrade(args.db))
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
    settings = replace(settings, port=workers.claim_port(settings.host, settings.port))
    try:
        codes = asyncio.run(workers.prepare(settings))
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(cannot_open(settings.db_url, exc)) from exc
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
        raise StartupError(cannot_open(settings.db_url, exc)) from exc
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
        bound = replace(settings, port=int(runner.addresses[0][1]))  # --port 0: the one it got
        if reuse_port:
            print(f"callnext worker {os.getpid()} ready on port {bound.port}", flush=True)
        else:
            await _announce(app, bound)
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


@contextlib.asynccontextmanager
async def _database(db_url: str | None) -> AsyncIterator[Database]:
    """The database of --db (or CALLNEXT_DB), its schema up to date; a failure to open or
    write it is one line naming the database and why."""
    url = Settings.from_env(db_url=db_url).db_url
    db = Database(url)
    try:
        await db.start()
        yield db
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(cannot_open(url, exc)) from exc
    finally:
        await db.close()


async def upgrade(db_url: str | None) -> None:
    async with _database(db_url):
        pass
    print("database schema is up to date")


async def add_user(args: argparse.Namespace) -> None:
    role = Role(args.role)
    username(args.username)
    if args.hall is None and role is not Role.ADMIN:
        raise StartupError(f"a {role.value} account belongs to a hall: pass --hall HALL")
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.username}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not MIN_PASSWORD <= len(password) <= 256:
        raise StartupError(f"a password is {MIN_PASSWORD}–256 characters, as on the API")
    async with _database(args.db) as db:
        try:
            account = await accounts.add_user(
                db, args.username, password, role, args.hall, args.window,
                replace_password=args.replace,
            )  # fmt: skip
        except Conflict as exc:
            if exc.code != "user_exists":
                raise
            raise StartupError(f"{exc.message} Use --replace to set its password.") from exc
    print(f"user {account.username} ({account.role.value}, hall {account.hall or 'all'}) saved")


async def add_hall(args: argparse.Namespace) -> None:
    """`callnext hall add CODE --name … --timezone …`: the hall, with no services or windows."""
    new = new_hall(args.code, args.name, args.name_en, args.timezone)
    async with _database(args.db) as db:
        await hall_config.create_hall(db, new)
    print(
        f"hall {new.code} ({new.name}, {new.timezone}) created; next: a manager "
        f"(callnext user add NAME --role manager --hall {new.code}), then its services and "
        f"windows on /halls/{new.code}/settings"
    )


if __name__ == "__main__":
    sys.exit(main())
