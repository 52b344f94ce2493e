"""Request parsing: JSON bodies and typed fields, each failure a 400 with a clear message."""

from __future__ import annotations

import json
import re
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from aiohttp import web

from ..domain.errors import DomainError, Invalid, NotFound

E = TypeVar("E", bound=StrEnum)
KEY_RE = re.compile(r"^[\x21-\x7e]{1,128}$")
TICKET_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # ids are URL-safe base64
KIOSK_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: "²".isdigit() and int("٣") say yes


class UnsupportedMediaType(DomainError):
    """A body sent as something other than JSON (docs/security.md: what a cross-site form or a
    "simple" cross-origin request can send)."""

    status = 415


def _check_json_media(request: web.Request) -> None:
    """application/json or any `+json` type; else 415, a body with no Content-Type too (what a
    cross-site `fetch(…, {mode: "no-cors", body: blob})` sends). Checked once the body parsed,
    so malformed bodies stay 400 whatever they were labelled."""
    if "Content-Type" not in request.headers:
        raise UnsupportedMediaType(
            "unsupported_media_type", "Send the body with Content-Type: application/json."
        )
    media = request.content_type.lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(
            "unsupported_media_type",
            f"Send the body as Content-Type: application/json, not {media or 'nothing'!r}.",
        )


async def json_body(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object; an empty body is {} where the body is optional (a bodiless
    call-next, whatever its Content-Type)."""
    raw = await request.read()
    if not raw.strip():
        if required:
            raise Invalid("missing_body", "A JSON object body is required.")
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("malformed_json", f"The body is not valid JSON: {exc}.") from exc
    except RecursionError as exc:  # nested deeper than the parser goes: malformed for us
        raise Invalid("malformed_json", "The body is nested too deeply.") from exc
    if not isinstance(data, dict):
        raise Invalid("body_not_object", "The body must be a JSON object.")
    try:  # a lone surrogate ("\ud800") parses, but is no text: no column or hash can take it
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError as exc:
        raise Invalid("malformed_json", "The body holds a lone UTF-16 surrogate.") from exc
    _check_json_media(request)
    return data


def string(data: dict[str, Any], name: str, *, required: bool = True, max_len: int = 200) -> Any:
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid("missing_field", f"Field {name!r} is required.")
        return None
    if not isinstance(value, str):
        raise Invalid("wrong_type", f"Field {name!r} must be a string.")
    if len(value) > max_len:
        raise Invalid("too_long", f"Field {name!r} is longer than {max_len} characters.")
    if "\x00" in value:
        raise Invalid("bad_characters", f"Field {name!r} contains a NUL character.")
    return value


def boolean(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Invalid("wrong_type", f"Field {name!r} must be true or false.")
    return value


def choice(data: dict[str, Any], name: str, enum: type[E], default: E) -> E:
    value = string(data, name, required=False, max_len=32)
    if value is None:
        return default
    try:
        return enum(value)
    except ValueError as exc:
        allowed = ", ".join(e.value for e in enum)
        raise Invalid("bad_value", f"Field {name!r} must be one of: {allowed}.") from exc


def whole_number(text: str | None) -> int | None:
    """`text` as a whole number when it is 1–18 ASCII digits and nothing else (no sign, space,
    underscore, superscript or other script's digit), else None. Every number read from a URL
    goes through here."""
    if text is None or not DIGITS.fullmatch(text):
        return None
    return int(text)


def query_int(
    request: web.Request, name: str, low: int, high: int, *, default: int | None = None,
    code: str | None = None,
) -> int | None:  # fmt: skip
    """The query parameter `name` as a whole number `low`–`high` (absent or empty: `default`);
    anything else is 400 `code` (bad_{name})."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number(raw)
    if value is None or not low <= value <= high:
        raise Invalid(code or f"bad_{name}", f"{name} must be a whole number {low}–{high}.")
    return value


def day(request: web.Request, default: str, name: str = "date") -> str:
    """The query parameter `name` as a local day YYYY-MM-DD; 400 bad_date otherwise."""
    value = request.query.get(name, default)
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else _bad_day(value)
    except ValueError as exc:
        raise Invalid("bad_date", f"{name} must be YYYY-MM-DD, not {value!r}.") from exc


def _bad_day(value: str) -> str:
    raise ValueError(value)


def idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not KEY_RE.match(key):
        raise Invalid(
            "bad_idempotency_key", "Idempotency-Key must be 1–128 visible ASCII characters."
        )
    return key


def window_number(request: web.Request) -> int:
    """The window's number in the URL (the routes match only ASCII digits, 1–9 of them)."""
    number = whole_number(request.match_info["n"])
    if number is None:
        raise NotFound("window_not_found", "No such window.")
    return number


def path_part(request: web.Request, name: str, pattern: re.Pattern[str], what: str) -> str:
    """A part of the URL that names a `what` (ticket, kiosk); a malformed one is a 404
    `{what}_not_found` before any query: nothing can be stored under it."""
    value = request.match_info[name]
    if not pattern.fullmatch(value):
        raise NotFound(f"{what}_not_found", f"No such {what}.")
    return value
