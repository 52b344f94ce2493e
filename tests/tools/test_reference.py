"""docs/reference.md is true to the code: its generated parts are what scripts/reference.py
writes (the OpenAPI document's operations, the CLI parser's commands), its display stream names
exactly protocol.py's frame types, events, close codes and frame fields, and its pages are
exactly the app's page routes."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    """scripts/reference.py, which also holds the callnext modules the reference is checked
    against (protocol, the OpenAPI document, the CLI parser, the app): one place to re-point."""
    spec = importlib.util.spec_from_file_location("reference", ROOT / "scripts" / "reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reference", module)
    spec.loader.exec_module(module)
    return module


reference = _script()
protocol = reference.protocol
TEXT = reference.REFERENCE.read_text(encoding="utf-8")
FIRST_CELL = re.compile(r"^\| `([^`]+)` \|", re.MULTILINE)


def section(text: str, title: str, level: str = "##") -> str:
    """The body of the section `title` (up to the next heading of its level or higher)."""
    heads = list(re.finditer(rf"^{level} (.+)$", text, re.MULTILINE))
    for i, head in enumerate(heads):
        if head[1] == title:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            return text[head.end() : end]
    raise AssertionError(f"docs/reference.md has no section {level} {title}")


def first_cells(text: str) -> set[str]:
    """The `code` opening each table row of `text`."""
    return set(FIRST_CELL.findall(text))


# -- the generated parts ------------------------------------------------------------------------


def test_the_generated_parts_are_what_the_script_writes() -> None:
    assert reference.rewrite(TEXT) == TEXT, "docs/reference.md is stale: run scripts/reference.py"


def test_the_http_part_names_every_operation_of_the_openapi_document() -> None:
    doc = reference.openapi_document()
    documented = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    rows = re.findall(r"^\| ([A-Z]+) \| `([^`]+)` \|", section(TEXT, "The HTTP API"), re.MULTILINE)
    assert len(rows) == len(set(rows)), "an operation listed twice"
    assert set(rows) == documented


def test_the_cli_part_names_every_command_and_option() -> None:
    top = reference.cli_parser()
    cli = section(TEXT, "The command line")
    for name, _text, parser in reference.commands(top, top.prog, ""):
        part = section(cli, f"`{name}`", "###")
        for action in parser._actions:
            if action.help in (None, "==SUPPRESS==") or "-h" in action.option_strings:
                continue
            shown = action.option_strings[-1] if action.option_strings else action.dest
            assert f"| `{shown}" in part, f"{name}: {shown} is not in docs/reference.md"


# -- the display stream -------------------------------------------------------------------------


def _protocol_words(pattern: str) -> set[str]:
    """protocol.py's string constants whose value matches `pattern`."""
    return {
        value
        for name, value in vars(protocol).items()
        if name.isupper() and isinstance(value, str) and re.fullmatch(pattern, value)
    }


STREAM = section(TEXT, "The display stream")


def test_the_stream_lists_exactly_the_frame_types() -> None:
    frame_types = _protocol_words(r"[a-z_]+")  # "snapshot", "event"
    assert frame_types == {protocol.SNAPSHOT, protocol.EVENT}
    assert first_cells(section(STREAM, "Frame types", "###")) == frame_types


def test_the_stream_lists_exactly_the_events() -> None:
    names = _protocol_words(r"[a-z_]+\.[a-z_]+")  # "ticket.called", …
    assert names == protocol.EVENT_NAMES
    assert first_cells(section(STREAM, "Events", "###")) == names


def test_the_stream_lists_exactly_the_close_codes() -> None:
    codes = {str(v) for k, v in vars(protocol).items() if k.startswith("CLOSE_")}
    assert codes
    assert first_cells(section(STREAM, "Close codes", "###")) == codes


def test_the_stream_lists_exactly_the_fields_of_its_frames() -> None:
    """The fields of real frames, from protocol's builders: a snapshot, and a call's event with
    the `queues` every stored event carries."""
    ticket = {"id": "x", "number": "A001"}
    snapshot = protocol.snapshot_frame({"seq": 1})
    call = protocol.event_frame(
        2, "at", protocol.TICKET_CALLED, ticket=ticket, window=3, extra={"queues": {}}
    )
    assert first_cells(section(STREAM, "Fields", "###")) == {*snapshot, *call}
    assert {*call["announce"]} <= set(re.findall(r"`([a-z_]+)`", STREAM))


def test_the_stream_names_both_streams() -> None:
    for path in (protocol.STREAM_V1, protocol.STREAM_V2):
        assert f"| `GET {path}` |" in STREAM


# -- the pages ----------------------------------------------------------------------------------


def test_the_pages_are_exactly_the_page_routes() -> None:
    pages = section(TEXT, "The pages")
    listed = re.findall(r"^### .*`(GET) (/[^`]*)`$", pages, re.MULTILINE)
    assert len(listed) == len(set(listed)), "a page listed twice"
    assert set(listed) == reference.page_routes()


def test_the_readme_points_to_the_reference() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/reference.md)" in readme
