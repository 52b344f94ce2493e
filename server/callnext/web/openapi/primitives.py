"""The OpenAPI document's smallest parts: the common value schemas (dates, counts, rates) and
the helpers every schema and operation is built with (an object, a closed object, a nullable,
a string the server takes, an anchored pattern)."""

from __future__ import annotations

import re
from typing import Any

from ...domain import hall_settings
from ...domain.model import Json

NO_NUL = r"^[^\x00]*$"
DATE: Json = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
TIME: Json = {"type": "string", "format": "date-time"}
CLOCK: Json = {"type": "string", "pattern": r"^([01][0-9]|2[0-4]):[0-5][0-9]$"}
COUNT: Json = {"type": "integer", "minimum": 0}
RATE: Json = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
SECONDS: Json = {"type": ["number", "null"]}
NULL_TEXT: Json = {"type": ["string", "null"]}
LOW_S, HIGH_S = hall_settings.SECONDS_RANGE


def whole(pattern: re.Pattern[str] | str) -> str:
    """A Python pattern used with fullmatch, anchored for JSON Schema (which searches)."""
    text = pattern if isinstance(pattern, str) else pattern.pattern
    return "^" + text.removeprefix("^").removesuffix("$") + "$"


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def null_or(schema: Json) -> Json:
    if "type" in schema and "$ref" not in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        out = {**schema, "type": [*types, "null"]}
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}


def text(max_len: int, **more: Any) -> Json:
    """A string the server takes: at most `max_len` characters, no NUL (400 otherwise)."""
    return {"type": "string", "maxLength": max_len, "pattern": NO_NUL, **more}


def enum(values: Any) -> Json:
    return {"type": "string", "enum": [v.value for v in values]}


def obj(required: list[str] | tuple[str, ...], **props: Json) -> Json:
    return {"type": "object", "properties": props, "required": list(required)}


def shut(required: list[str] | tuple[str, ...], **props: Json) -> Json:
    """An object whose unknown fields the server refuses (400 unknown_field)."""
    return {**obj(required, **props), "additionalProperties": False}


def seconds_field() -> Json:
    return {"type": "integer", "minimum": LOW_S, "maximum": HIGH_S}


ID_NUMBER = {
    **text(40), "type": ["string", "null"], "writeOnly": True,
    "description": "The holder's resident ID number (居民身份证号码, 18 characters, the check "
    "character verified; spaces and full-width digits allowed), as a card reader in keyboard "
    "mode or a keypad types it: 400 bad_id_number (with `reason`: shape, birth_date, "
    "check_character). Never stored, logged or answered: a keyed digest stands for the person "
    "(docs/real-name.md).",
}  # fmt: skip
