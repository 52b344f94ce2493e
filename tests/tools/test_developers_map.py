"""DEVELOPERS.md's map names every module under server/callnext/: a newcomer finds each one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "server" / "callnext"


def test_every_module_is_named_in_the_developers_map() -> None:
    text = (ROOT / "DEVELOPERS.md").read_text(encoding="utf-8")
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*\.py", text))
    globs = re.findall(r"\b([a-z_]+)\*\.py", text)  # `voice*.py`: the voice's modules
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[:2] == ("store", "migrations"):
            continue
        if path.name in ("__init__.py", "__main__.py", *named):
            continue
        if not any(path.name.startswith(stem) for stem in globs):
            missing.append(str(relative))
    assert missing == [], f"not in DEVELOPERS.md's map: {missing}"


# What a user reads or is served: the docs, the package (its strings end up in the OpenAPI
# document and the CLI's help), the pages and their scripts.
# `../shared` that is not a page's import of its shared folder (`../shared/words.js`).
OUTSIDE = re.compile(r"\.\./shared(?!/[\w-]+\.(?:js|css)\b)")
USER_FACING = ("README.md", "DEVELOPERS.md", "CHANGELOG.md", "docs", "server", "kiosk", "displays")


def test_no_user_facing_file_points_outside_the_project() -> None:
    """The project stands alone: nothing a user reads names the workspace's `../shared` (a user
    who clones callnext does not have it); the project's own docs are its reference."""
    found = []
    for name in USER_FACING:
        top = ROOT / name
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            readable = path.suffix in (".md", ".py", ".js", ".html", ".css", ".txt")
            if readable and path.is_file() and OUTSIDE.search(path.read_text(encoding="utf-8")):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_the_outside_pattern_tells_the_workspace_from_a_pages_import() -> None:
    assert OUTSIDE.search("see ../shared/CONTRACT.md")
    assert OUTSIDE.search("the contract in ../shared")
    assert not OUTSIDE.search('import { pageWords } from "../shared/words.js";')
    assert not OUTSIDE.search("`../shared/x.js` resolves")
