"""DEVELOPERS.md's map names every module under server/callnext/: a newcomer finds each one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
