"""Rewrite the generated parts of docs/reference.md from the code: the HTTP API's operations from
the OpenAPI document, the CLI's commands and options from its argparse parser.

    .venv/bin/python scripts/reference.py           # rewrite docs/reference.md
    .venv/bin/python scripts/reference.py --check   # exit 1 if it is not what this would write

Each generated part sits between `<!-- reference.py: NAME -->` and `<!-- reference.py: end -->`;
everything else in the file is written by hand. tests/tools/test_reference.py fails when the file
differs from what this script writes, and checks the hand-written parts (the display stream,
the pages) against protocol.py and the app's routes.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Every callnext module the reference is checked against, here and nowhere else (the test takes
# them from this module): re-point these lines when a module moves.
from callnext.cli_args import parser as cli_parser
from callnext.live import protocol
from callnext.runtime.config import Settings
from callnext.web.app import create_app
from callnext.web.openapi.document import document as openapi_document

__all__ = ["cli_parser", "openapi_document", "protocol"]

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference.md"
METHODS = ("get", "post", "put", "patch", "delete")
# GET routes that are not pages: the HTTP API (in the OpenAPI document), the streams, files.
NOT_PAGES = ("/api/", "/ws/", "/static/", "/sounds/", "/healthz", "/metrics")
MARK = re.compile(
    r"(<!-- reference\.py: (?P<name>[a-z]+) -->\n)(?P<body>.*?)(<!-- reference\.py: end -->)",
    re.DOTALL,
)


def cell(text: str) -> str:
    """Text fit for a Markdown table's cell."""
    return " ".join(text.split()).replace("|", "\\|")


# -- the HTTP API -------------------------------------------------------------------------------


def who(op: dict[str, Any]) -> str:
    """Who may call an operation, from its security and x-roles (docs/reference.md's legend)."""
    roles, security = op.get("x-roles"), op.get("security")
    by_roles = {
        ("staff", "manager", "admin"): "staff",
        ("manager", "admin"): "manager",
        ("admin",): "admin",
    }
    if roles is not None:
        if tuple(roles) in by_roles and security == [{"bearer": []}]:
            return by_roles[tuple(roles)]
    elif security == []:
        return "public"
    elif security == [{}, {"kioskKey": []}]:
        return "public, kiosk"
    elif security == [{}, {"bearer": []}]:
        return "public; ids: staff"
    raise SystemExit(f"reference.py: name this access in who(): {security} {roles}")


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) in the document's path order, methods in METHODS order."""
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def http_part() -> str:
    lines = ["| method | path | who | what | contract |", "|---|---|---|---|---|"]
    for method, path, op in operations(openapi_document()):
        contract = "v1" if "contract" in op.get("tags", ()) else ""
        row = (method, f"`{path}`", who(op), cell(op["summary"]), contract)
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


# -- the command line ---------------------------------------------------------------------------


def commands(
    parser: argparse.ArgumentParser, name: str, text: str
) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    """(full command, its help, its parser) for every command that takes no subcommand."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield name, parser.description or text, parser
        return
    helps = {choice.dest: choice.help or "" for choice in subs[0]._choices_actions}
    for sub_name, sub in subs[0].choices.items():
        yield from commands(sub, f"{name} {sub_name}", helps.get(sub_name, ""))


def options(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str]]:
    """(how it is written, its help as --help says it) for each argument --help shows."""
    formatter = parser.formatter_class(prog=parser.prog)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        written = formatter._format_action_invocation(action)
        text = formatter._expand_help(action)
        if action.required and action.option_strings:
            text = f"required; {text}"
        yield written, text


def cli_part() -> str:
    top = cli_parser()
    out: list[str] = []
    for name, text, parser in commands(top, top.prog, top.description or ""):
        out += [f"### `{name}`", "", text[:1].upper() + text[1:].rstrip(".") + ".", ""]
        out += ["| argument | meaning |", "|---|---|"]
        out += [
            f"| `{cell(written)}` | {cell(help_text)} |" for written, help_text in options(parser)
        ]
        out.append("")
    return "\n".join(out)


# -- the pages ----------------------------------------------------------------------------------


def page_routes() -> set[tuple[str, str]]:
    """("GET", path) of every page of the app: its GET routes outside the API, the streams and
    the files (the app's own router, as `callnext serve` builds it)."""
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(Settings(db_url=f"sqlite:///{scratch}/unused.db"))
        return {
            (route.method, route.resource.canonical)
            for route in app.router.routes()
            if route.resource is not None
            and route.method == "GET"
            and not route.resource.canonical.startswith(NOT_PAGES)
        }


# -- the file -----------------------------------------------------------------------------------

PARTS: dict[str, Callable[[], str]] = {"http": http_part, "cli": cli_part}


def rewrite(text: str) -> str:
    """`text` (docs/reference.md) with each generated part as the code says it now."""
    seen: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in PARTS:
            raise SystemExit(f"reference.py: no part named {name!r}")
        seen.append(name)
        return match[1] + PARTS[name]() + match[4]

    out = MARK.sub(fill, text)
    if sorted(seen) != sorted(PARTS):
        raise SystemExit(f"reference.py: the file's marked parts are {seen}, not {list(PARTS)}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="only say whether it is up to date")
    check = args.parse_args(argv).check
    text = REFERENCE.read_text(encoding="utf-8")
    new = rewrite(text)
    if new == text:
        return 0
    if check:
        print("docs/reference.md is out of date: run scripts/reference.py", file=sys.stderr)
        return 1
    REFERENCE.write_text(new, encoding="utf-8")
    print("docs/reference.md rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
