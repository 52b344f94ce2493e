"""The OpenAPI document's building blocks: who may call (roles), the common parameters, the
error answers, and `operation`, which every part (document.py, ratings.py, appointments.py)
builds its operations with."""

from __future__ import annotations

from typing import Any

from ...domain.hall_layout import HALL_CODE
from ...domain.model import Json
from ..api.reports import MAX_RANGE_DAYS
from .primitives import DATE, ref, whole
from .schemas import IDEMPOTENCY_KEY, SERVICE_CODE, USERNAME_PATTERN, WINDOW_MAX

STAFF_VIEW = (
    "Public. The tickets carry their `id` (the holder's key: it reads, cancels and rates the "
    "ticket) only with a bearer token of the hall's staff, manager or admin; without one, with "
    "another scheme, or with another hall's token, they have none. An unknown or expired bearer "
    "token answers 401 bad_token."
)
STAFF, MANAGERS, ADMIN = ("staff", "manager", "admin"), ("manager", "admin"), ("admin",)
HALL, WINDOW = "/api/v1/halls/{hall}", "/api/v1/halls/{hall}/windows/{n}"
TICKET = "/api/v1/tickets/{id}"
ERRORS = {
    400: "Malformed input: malformed_json, missing_body, body_not_object, missing_field, "
    "wrong_type, too_long, bad_characters, bad_value, unknown_field, bad_date, …",
    401: "No or bad credentials: missing_token, bad_token, bad_credentials; a kiosk's: "
    "kiosk_key_missing, kiosk_key_wrong.",
    403: "Wrong role or hall: wrong_role, wrong_hall, wrong_window.",
    404: "Unknown hall, service, window, ticket, kiosk or user (hall_not_found, …).",
    409: "The state forbids it (no_current_ticket, window_paused, service_closed, …).",
    413: "The body is larger than 64 KiB (body_too_large).",
    422: "Well-formed but refused by the hall's rules, naming the `field`: invalid_booking, "
    "field_required, invalid_field (appointments).",
    429: "Rate limited (rate_limited; `limit` names the limit, `retry_after_s` the wait); "
    "see Retry-After.",
    503: "The storage fails now (unavailable: a full disk, a read-only database, the database "
    "gone); the same request (with the same Idempotency-Key) may succeed later, see "
    "Retry-After.",
}
STRING = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}


def param(name: str, where: str, schema: Json, description: str = "") -> Json:
    out: Json = {"name": name, "in": where, "schema": schema}
    if where == "path":
        out["required"] = True
    if description:
        out["description"] = description
    return out


def json_content(schema: Json) -> Json:
    return {"application/json": {"schema": schema}}


def answer(description: str, media: str = "application/json", schema: Json | None = None) -> Json:
    """A response of one media type (a string body unless `schema` says otherwise)."""
    return {"description": description, "content": {media: {"schema": schema or STRING}}}


P_HALL = param("hall", "path", {"type": "string", "pattern": whole(HALL_CODE)},
               "The hall's code, e.g. `demo` (malformed or unknown: 404).")  # fmt: skip
P_N = param("n", "path", {"type": "integer", "minimum": 1, "maximum": WINDOW_MAX},
            "The window's number.")  # fmt: skip
P_ID = param("id", "path", STRING, "The ticket's id (unknown or malformed: 404).")
P_CODE = param("code", "path", {"type": "string", "pattern": SERVICE_CODE},
               "1–3 capital letters (400 bad_service_code).")  # fmt: skip
P_USER = param("username", "path", {"type": "string", "pattern": USERNAME_PATTERN},
               "1–64 letters, digits, '.', '_' or '-' (400 bad_username).")  # fmt: skip
P_KIOSK = param("kiosk", "path", STRING, "1–32 letters, digits, '_' or '-' (else 404).")
Q_DATE = param("date", "query", DATE, "The hall's local day; default today (400 bad_date).")
Q_FROM = param("from", "query", DATE, "First day; default 29 days before `to` (400 bad_date).")
Q_TO = param(
    "to", "query", DATE, f"Last day; default today. At most {MAX_RANGE_DAYS} days (400 bad_range)."
)
IDEM = param(
    "Idempotency-Key", "header", {"type": "string", "pattern": IDEMPOTENCY_KEY},
    "A retry with the same key answers the same ticket (400 bad_idempotency_key).",
)  # fmt: skip
# Issuing and check-in: anyone, or a kiosk with its key (X-Kiosk-Key), which then spends its
# own budget (docs/kiosk.md); naming a kiosk that has a key without it is 401.
AS_KIOSK: Json = {"security": [{}, {"kioskKey": []}]}


def operation(
    summary: str,
    ok: Json,
    *,
    contract: bool = False,
    roles: tuple[str, ...] = (),
    params: tuple[Json, ...] = (),
    body: Json | None = None,
    body_required: bool = True,
    errors: tuple[int, ...] = (),
    status: int = 200,
    more: dict[int, Json] | None = None,
    forbids: bool = True,
    staff_view: bool = False,
) -> Json:
    """One operation: `ok` is the 2xx body's schema, or a whole response object (`content`).
    `errors` are its error statuses besides those of its body (400, 413) and token (401, 403).
    `staff_view`: public, but a bearer token of the hall's staff adds the tickets' ids."""
    op: Json = {"summary": summary, "tags": ["contract" if contract else "callnext"]}
    if not contract:
        op["x-callnext-extension"] = True
    op["security"] = [{"bearer": []}] if roles else [{}, {"bearer": []}] if staff_view else []
    if roles:
        op["x-roles"] = list(roles)
        op["description"] = "Needs a bearer token of the role " + " or ".join(roles) + "."
    if staff_view:
        op["description"] = STAFF_VIEW
    if params:
        op["parameters"] = list(params)
    codes = {*errors, 503}  # any of them: the storage may fail (unavailable)
    if body is not None:
        op["requestBody"] = {"required": body_required, "content": json_content(body)}
        codes |= {400, 413}
    if roles or staff_view:
        codes |= {401, 403} if roles and forbids else {401}
    ok_answer = ok if "content" in ok else {"description": "OK", "content": json_content(ok)}
    responses: Json = {str(status): ok_answer}
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/E{code}"}
    responses.update({str(k): v for k, v in (more or {}).items()})
    op["responses"] = responses
    return op


def window_action(summary: str, ok: Json, body: Json | None = None, **kw: Any) -> Json:
    params = (P_HALL, P_N)
    return operation(summary, ok, roles=STAFF, params=params, body=body, errors=(404, 409), **kw)


def created(name: str) -> dict[int, Json]:
    """The 201 of a PUT that creates, with the same body as its 200."""
    return {201: {"description": "Created", "content": json_content(ref(name))}}
