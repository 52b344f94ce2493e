"""The pages' static files: one folder per page under one URL root (/static/{folder}/), imports
in one style that resolve, every file shipped by the package. No server: the files themselves."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from callnext.web.pages.static_files import page_folders

ROOT = Path(__file__).resolve().parents[2]
ROOTS = (ROOT / "displays" / "static", ROOT / "kiosk" / "static")
PAGE_FOLDERS = {"shared", "screens", "staff", "dashboard", "settings", "rating", "overview"} | {
    "kiosk", "phone", "booking"
}  # fmt: skip
# `import … from "x"`, `} from "x"` (a long import's last line), `import "x"`, `import("x")`.
IMPORT = re.compile(
    r"""(?:^|\n)\s*(?:(?:import|export|\})[^;"'()]*?\bfrom\s+|import\s+)["']([^"']+)["']"""
    r"""|\bimport\(\s*["']([^"']+)["']\s*\)"""
)


def scripts() -> list[Path]:
    return sorted(path for root in ROOTS for path in root.rglob("*.js"))


def test_each_page_has_one_folder_and_no_file_lies_loose() -> None:
    folders = page_folders(*ROOTS)
    assert set(folders) == PAGE_FOLDERS
    loose = [path.name for root in ROOTS for path in root.iterdir() if path.is_file()]
    assert loose == []
    deeper = [
        str(path) for folder in folders.values() for path in folder.iterdir() if path.is_dir()
    ]
    assert deeper == []


def test_a_folder_name_in_both_roots_stops_the_server(tmp_path: Path) -> None:
    for root in ("a", "b"):
        (tmp_path / root / "shared").mkdir(parents=True)
    with pytest.raises(RuntimeError, match=r"'shared' is in .* cannot serve both"):
        page_folders(tmp_path / "a", tmp_path / "b")


def test_every_import_is_relative_and_names_a_file_that_is_served() -> None:
    """`./x.js` in the page's own folder or `../folder/x.js` in another: resolved the way the
    browser does against /static/{folder}/, it names a file that exists."""
    folders = page_folders(*ROOTS)
    checked = 0
    for script in scripts():
        for match in IMPORT.finditer(script.read_text(encoding="utf-8")):
            spec = match.group(1) or match.group(2)
            where = f"{script.relative_to(ROOT)} imports {spec}"
            own = re.fullmatch(r"\./([\w.-]+\.js)", spec)
            other = re.fullmatch(r"\.\./([\w-]+)/([\w.-]+\.js)", spec)
            assert own or other, f"{where}: write ./x.js or ../folder/x.js"
            folder = script.parent if own else folders.get(other.group(1))  # type: ignore[union-attr]
            assert folder is not None, f"{where}: no such folder"
            name = own.group(1) if own else other.group(2)  # type: ignore[union-attr]
            assert (folder / name).is_file(), f"{where}: no such file"
            checked += 1
    assert checked > 100  # the pages import each other's modules a lot; none was skipped


def test_the_package_ships_every_static_file() -> None:
    """pyproject's data-files list each folder: a new folder without its line would be missing
    from an installed callnext."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = [g for values in config["tool"]["setuptools"]["data-files"].values() for g in values]
    shipped = {path for g in globs for path in ROOT.glob(g)}
    files = {path for root in ROOTS for path in root.rglob("*") if path.is_file()}
    assert files - shipped == set()
