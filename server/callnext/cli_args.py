"""The `callnext` command's arguments: every option has help, and its default is shown."""

from __future__ import annotations

import argparse
from pathlib import Path

from .bench import load as bench
from .domain.model import Role
from .store.database import DEFAULT_URL
from .web import access_log

DB_HELP = "the database's SQLAlchemy URL: sqlite:///FILE or postgresql://USER@HOST/NAME"


class HelpFormatter(argparse.HelpFormatter):
    """Adds "(default: X)" to an option's help when it has a default worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or not action.option_strings
            or default is None
            or default is False
            or default == ""
            or default is argparse.SUPPRESS
        ):
            return text
        return text + " (default: %(default)s)"


def port(text: str) -> int:
    """A TCP port, 0–65535 (0: any free port)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: use 0–65535 (0: any free port)")
    return value


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help=f"{DB_HELP} (default: CALLNEXT_DB, else {DEFAULT_URL})"
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="callnext",
        description="Queue calling and lobby displays: serve, user add, hall add, db upgrade, "
        "speaker, report, bench.",
        formatter_class=HelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text, formatter_class=HelpFormatter)

    serve = command("serve", "run the server")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=port, default=8080, help="the TCP port; 0: any free port")
    _db(serve)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="create the demo hall if none exists "
        "(open weekdays 09:00-12:00 and 13:30-17:00, Asia/Shanghai)",
    )
    serve.add_argument(
        "--demo-all-day",
        action="store_true",
        help="with --demo: the demo hall is open around the clock every day "
        "(benchmarks, trying it at night)",
    )
    serve.add_argument(
        "--workers", type=int, default=1,
        help="server processes sharing the port (more than one needs PostgreSQL)",
    )  # fmt: skip
    serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)  # a worker
    serve.add_argument(
        "--access-log", action="store_true",
        help=f"log every request, ticket ids redacted (also {access_log.ENV}=on)",
    )  # fmt: skip

    user = command("user", "manage staff accounts")
    add = user.add_subparsers(dest="user_command", required=True).add_parser(
        "add", help="add an account; the password is read from stdin",
        description="Add an account; the password is read from stdin (or asked on a terminal).",
        formatter_class=HelpFormatter,
    )  # fmt: skip
    add.add_argument("username", help="1–64 letters, digits, '.', '_' or '-'")
    add.add_argument(
        "--role", choices=[r.value for r in Role], required=True,
        help="staff and manager belong to one hall (--hall); admin without --hall: every hall",
    )  # fmt: skip
    add.add_argument("--hall", default=None, help="the hall's code (e.g. demo)")
    add.add_argument("--window", type=int, default=None, help="the window a staff member works")
    add.add_argument("--replace", action="store_true", help="set the password of an existing user")
    _db(add)

    hall = command("hall", "create a hall")
    hall_add = hall.add_subparsers(dest="hall_command", required=True).add_parser(
        "add", help="create a hall (then add its services and windows on its settings page)",
        description="Create a hall with no services and windows yet: add them, and its staff, "
        "on its settings page /halls/CODE/settings as its manager (callnext user add).",
        formatter_class=HelpFormatter,
    )  # fmt: skip
    hall_add.add_argument("code", help="the hall's code in URLs: 1–32 letters, digits, '_' or '-'")
    hall_add.add_argument("--name", required=True, help="its name (e.g. 东区政务服务中心)")
    hall_add.add_argument("--name-en", default="", help="its English name")
    hall_add.add_argument(
        "--timezone", required=True, help="its IANA timezone (e.g. Asia/Shanghai)"
    )
    _db(hall_add)

    db = command("db", "database maintenance")
    upgrade = db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="apply the schema migrations", formatter_class=HelpFormatter
    )
    _db(upgrade)
    _speaker(command("speaker", "say each call of a hall on loudspeakers"))
    report = command("report", "print a hall's figures of a day")
    report.add_argument("--hall", required=True, help="the hall's code")
    report.add_argument(
        "--date", default=None, help="YYYY-MM-DD (default: today in the hall's timezone)"
    )
    _db(report)
    bench.add_arguments(command("bench", "measure a running server against a bare broadcast"))
    return top


def _speaker(speaker: argparse.ArgumentParser) -> None:
    speaker.add_argument("--hall", required=True, help="the hall whose calls are said")
    speaker.add_argument("--server", default="http://127.0.0.1:8080", help="the server's URL")
    speaker.add_argument("--lang", choices=["zh", "en"], default="zh", help="the language spoken")
    speaker.add_argument(
        "--output-dir", type=Path, default=None, help="also write each WAV said here, numbered"
    )
    speaker.add_argument(
        "--player",
        default=None,
        help="the command that plays a WAV (its path is appended); default: pw-play, paplay, "
        "aplay or ffplay; 'none': no sound (then --output-dir is needed)",
    )
    speaker.add_argument(
        "--max-age",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="do not say calls older than this (replayed after an outage)",
    )
