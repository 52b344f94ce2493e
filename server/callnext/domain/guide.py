"""A service's guide (办事指南, 一次告知): the materials to bring and short notes, in Chinese and
English, as the manager keeps them; shown on the kiosk's ticket, the slip, the phone and the
booking page, so that a citizen comes with the right papers the first time.

A guide is edited in part (any of its four fields) and validated whole before anything changes:
items are trimmed, and an empty one, a control character, or a list or text past the bounds
that keep the screens and the 80 mm slip legible is refused with 400 `bad_guide`, naming the
field. English falls back to Chinese where the hall wrote none.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from .errors import Invalid

MAX_ITEMS = 20  # a longer list is a form, not something to bring
MAX_ITEM = 80  # characters: two lines on the slip, one or two on the kiosk
MAX_NOTES = 500  # characters, as the hall's notice
SLIP_ITEMS = 5  # the kiosk's ticket and the slip show the first ones; the phone shows them all
LIST_FIELDS = ("materials", "materials_en")
TEXT_FIELDS = ("notes", "notes_en")
FIELDS = frozenset(LIST_FIELDS + TEXT_FIELDS)
COLUMN = {name: f"guide_{name}" for name in FIELDS}  # on the services table


@dataclass(frozen=True, slots=True)
class Guide:
    materials: tuple[str, ...] = ()  # 身份证原件, 不动产权证书, … in the order to show
    materials_en: tuple[str, ...] = ()  # the English list; empty: the Chinese one
    notes: str = ""  # short notes (line breaks kept)
    notes_en: str = ""  # empty: the Chinese notes


NO_GUIDE = Guide()  # a service's until the manager writes one


def _bad(where: str, why: str, name: str, item: int | None = None) -> Invalid:
    """400 bad_guide naming the field (and the item, counted from 1): its `field` is the
    guide's key, for a form to show the error next to it."""
    at = f"{where}.{name}" + ("" if item is None else f" item {item}")
    return Invalid("bad_guide", f"{at}: {why}", extra={"field": name})


def _clean(value: object, where: str, name: str, max_len: int, *, item: int | None = None) -> str:
    """Text trimmed, checked for control characters (line breaks only in notes) and length."""
    if not isinstance(value, str):
        raise _bad(where, "must be text.", name, item)
    text = value.replace("\r\n", "\n").strip()
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs") and not (item is None and ch == "\n"):
            raise _bad(where, f"control character U+{ord(ch):04X} is not allowed.", name, item)
    if len(text) > max_len:
        raise _bad(where, f"at most {max_len} characters (has {len(text)}).", name, item)
    return text


def _items(value: object, where: str, name: str) -> list[str]:
    if not isinstance(value, list):
        raise _bad(where, "must be a list of short texts, one item each.", name)
    if len(value) > MAX_ITEMS:
        raise _bad(where, f"at most {MAX_ITEMS} items (has {len(value)}).", name)
    items = []
    for i, raw in enumerate(value, start=1):
        item = _clean(raw, where, name, MAX_ITEM, item=i)
        if not item:
            raise _bad(where, "is empty (leave it out instead).", name, i)
        items.append(item)
    return items


def parse_guide(where: str, body: object) -> dict[str, str]:
    """The services table's column values for a (partial) guide; `where` names it in errors
    ("services.A.guide"). Invalid refuses it all."""
    if not isinstance(body, dict):
        raise Invalid("bad_guide", f"{where} must be an object: {', '.join(sorted(FIELDS))}.")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        known = ", ".join(sorted(FIELDS))
        raise Invalid("unknown_field", f"{where}: unknown field {unknown[0]!r}; known: {known}.")
    values: dict[str, str] = {}
    for name in LIST_FIELDS:
        if name in body:
            items = _items(body[name], where, name)
            values[COLUMN[name]] = json.dumps(items, ensure_ascii=False)
    for name in TEXT_FIELDS:
        if name in body:
            values[COLUMN[name]] = _clean(body[name], where, name, MAX_NOTES)
    return values


def guide_of_row(row: Any) -> Guide:
    """A services row's guide (the four guide_* columns)."""
    return Guide(
        materials=tuple(json.loads(row.guide_materials)),
        materials_en=tuple(json.loads(row.guide_materials_en)),
        notes=row.guide_notes,
        notes_en=row.guide_notes_en,
    )


def guide_columns(guide: Guide) -> dict[str, str]:
    """A guide as the services table stores it (a new hall's services, the demo's)."""
    return {
        COLUMN["materials"]: json.dumps(list(guide.materials), ensure_ascii=False),
        COLUMN["materials_en"]: json.dumps(list(guide.materials_en), ensure_ascii=False),
        COLUMN["notes"]: guide.notes,
        COLUMN["notes_en"]: guide.notes_en,
    }


def guide_json(guide: Guide) -> dict[str, Any]:
    """The guide as the API shows it, the settings' and the citizens' alike."""
    return {
        "materials": list(guide.materials),
        "materials_en": list(guide.materials_en),
        "notes": guide.notes,
        "notes_en": guide.notes_en,
    }


def slip_items(guide: Guide) -> tuple[list[tuple[str, str]], int]:
    """The first SLIP_ITEMS materials as (Chinese, English) pairs and how many more there are.
    The English list is paired item by item only when it is as long as the Chinese one (else
    it is not a translation of each item, and the slip prints the Chinese alone)."""
    paired = len(guide.materials_en) == len(guide.materials)
    pairs = [
        (item, guide.materials_en[i] if paired else "")
        for i, item in enumerate(guide.materials[:SLIP_ITEMS])
    ]
    return pairs, max(0, len(guide.materials) - SLIP_ITEMS)
