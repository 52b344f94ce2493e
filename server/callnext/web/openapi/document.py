"""The OpenAPI 3.1 document of the HTTP API, built from the code's own limits.

Served at `GET /api/v1/openapi.json`; tests/api/test_openapi.py keeps it equal to the routes and the
answers, and fuzzes the server from it. Operations of the public contract carry the tag
`contract`; callnext's additions carry `x-callnext-extension: true` (docs/api.md).
"""

from __future__ import annotations

from ... import __version__
from ...domain.hall_layout import HALL_CODE
from ...domain.model import Json
from ...live.protocol import ANNOUNCE_LANGS
from ...store.audit_sql import MAX_ENTRIES
from . import appointments as openapi_appointments
from . import followups as openapi_followups
from . import overview as openapi_overview
from . import ratings as openapi_ratings
from . import trips as openapi_trips
from .operations import (
    ADMIN,
    AS_KIOSK,
    ERRORS,
    HALL,
    IDEM,
    MANAGERS,
    P_CODE,
    P_HALL,
    P_ID,
    P_KIOSK,
    P_N,
    P_USER,
    Q_DATE,
    Q_FROM,
    Q_TO,
    STAFF,
    STRING,
    TICKET,
    WINDOW,
    answer,
    created,
    json_content,
    operation,
    param,
    window_action,
)
from .primitives import DATE, obj, ref, shut, text, whole
from .schemas import ANNOUNCE_NAME, FINISH, components
from .settings_schemas import NAME

DESCRIPTION = """\
The HTTP API of callnext. Operations tagged `contract` are the stable v1 interface that
integrators rely on; those marked `x-callnext-extension: true` are what callnext adds, listed with
its decisions in the project's docs/api.md.

Every error is JSON, `{"error": {"code": "snake_case", "message": "…"}}`. Bad input never gives
a 500 and never changes state. Bodies over 64 KiB answer 413. Dates are the hall's local days.

The display streams are WebSockets, which OpenAPI cannot describe: `GET /ws/v1/halls/{hall}` (the
contract's stream: a `snapshot` frame, or with `?since=S` the events after S, then every event;
tickets carry their ids only with `Authorization: Bearer` of the hall's staff on the upgrade)
and `GET /ws/v2/halls/{hall}` (the same frames, never with ticket ids). Their frames, events and
close codes are in the project's docs/reference.md ("The display stream").
"""


def window_paths() -> Json:
    """The contract's window actions and the console's (take, release, desk)."""
    called = obj(("called",), called=ref("Ticket"))
    window = obj(("window",), window=ref("Window"))
    maybe = {"anyOf": [ref("Ticket"), {"type": "null"}]}
    return {
        WINDOW + "/call-next": {"post": window_action(
            "Finish the current ticket and call the next",
            obj(("finished", "called"), finished=maybe, called=maybe),
            obj((), finish=FINISH), body_required=False, contract=True)},
        WINDOW + "/recall": {"post": window_action(
            "Announce the current ticket again", called, contract=True)},
        WINDOW + "/finish": {"post": window_action(
            "Finish the current ticket", obj(("finished",), finished=ref("Ticket")),
            obj((), outcome=FINISH), body_required=False, contract=True)},
        WINDOW + "/transfer": {"post": window_action(
            "Send the current ticket to another service's queue",
            obj(("transferred",), transferred=ref("Ticket")),
            obj(("service",), service=text(3)), contract=True)},
        WINDOW + "/requeue": {"post": window_action(
            "Send the current ticket back to its own queue, keeping its place (leaving the "
            "window with a citizen called)", obj(("requeued",), requeued=ref("Ticket")),
            obj(()), body_required=False)},
        WINDOW + "/call": {"post": window_action(
            "Call a waiting or no-show ticket of today by its number, as staff type it: A3, "
            "a 3, A003 or full-width Ａ３ (the digits alone at a window of one service); 400 "
            "number_needs_letter or bad_ticket_number, 404 ticket_not_found", called,
            obj(("number",), number=text(16)), contract=True)},
        WINDOW + "/pause": {"post": window_action(
            "Pause the window", window, obj((), reason={**text(200), "type": ["string", "null"]}),
            body_required=False, contract=True)},
        WINDOW + "/resume": {"post": window_action(
            "Resume the window", window, obj(()), body_required=False, contract=True)},
        WINDOW + "/take": {"post": window_action(
            "Take the window for this session (409 window_in_use; force: take it over)",
            obj(("window", "desk"), window=ref("Window"), desk=STRING),
            obj((), force={"type": ["boolean", "null"], "default": False}),
            body_required=False)},
        WINDOW + "/release": {"post": window_action(
            "Leave the window this session holds", window, obj(()), body_required=False)},
        WINDOW + "/desk": {"get": window_action("What the window's console shows", ref("Desk"))},
    }  # fmt: skip


def ticket_paths() -> Json:
    issued = {"description": "The new ticket (or the same one, replayed by its key).",
              "content": json_content(ref("IssuedTicket")),
              "headers": {"Location": {"schema": STRING}}}  # fmt: skip
    day = obj(("date", "tickets"), date=DATE, tickets={"type": "array", "items": ref("Ticket")})
    return {
        HALL + "/tickets": {
            "post": {**operation("Issue a ticket", issued, contract=True, params=(P_HALL, IDEM),
                                 body=ref("IssueBody"), errors=(401, 404, 409, 429), status=201),
                     **AS_KIOSK},
            "get": operation("Every ticket issued on a day", day, contract=True,
                             roles=MANAGERS, params=(P_HALL, Q_DATE), errors=(400, 404)),
        },
        TICKET: {"get": operation("Read a ticket", ref("Ticket"), contract=True,
                                  params=(P_ID,), errors=(404,))},
        TICKET + "/cancel": {"post": operation("Cancel a waiting ticket", ref("Ticket"),
                                               contract=True, params=(P_ID,), errors=(404, 409))},
        TICKET + "/complete": {"post": operation(
            "Complete a pending matter later", ref("Ticket"), contract=True, roles=STAFF,
            params=(P_ID,), errors=(404, 409))},
    }  # fmt: skip


def report_paths() -> Json:
    """The manager's reads: statistics, report, trend, export, audit, the ticket list."""
    fmt = param(
        "format",
        "query",
        {"type": "string", "enum": ["json", "csv"]},
        "Default json; 400 bad_format otherwise.",
    )
    export_fmt = param(
        "format",
        "query",
        {"type": "string", "enum": ["csv", "xlsx"]},
        "Default csv; 400 bad_format otherwise.",
    )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    export = answer("An attachment: callnext-{hall}-{from}-{to}.csv or .xlsx.", "text/csv")
    export["content"][xlsx] = {"schema": {"type": "string", "contentEncoding": "binary"}}
    stats = answer("The day's statistics (JSON, or CSV with format=csv).", "text/csv")
    stats["content"].update(json_content(ref("DayStats")))
    actor = param("actor", "query", STRING, "Only this username's entries.")
    limit = param(
        "limit",
        "query",
        {"type": "integer", "minimum": 1, "maximum": MAX_ENTRIES, "default": 1000},
        "400 bad_limit otherwise.",
    )
    read: Json = {"roles": MANAGERS, "errors": (400, 404)}
    return {
        HALL + "/stats": {"get": operation("A day's statistics", stats, contract=True,
                                           params=(P_HALL, Q_DATE, fmt), **read)},
        HALL + "/report": {"get": operation("The manager's day report", ref("Report"),
                                            params=(P_HALL, Q_DATE), **read)},
        HALL + "/trend": {"get": operation("Figures of every day of a range", ref("Trend"),
                                           params=(P_HALL, Q_FROM, Q_TO), **read)},
        HALL + "/export": {"get": operation("Every ticket of a range as a spreadsheet", export,
                                            params=(P_HALL, Q_FROM, Q_TO, export_fmt), **read)},
        HALL + "/audit": {"get": operation("The day's audit log, newest first", ref("Audit"),
                                           params=(P_HALL, Q_DATE, actor, limit), **read)},
    }  # fmt: skip


def manager_paths() -> Json:
    """Settings, services, windows, accounts and kiosks (manager, admin)."""
    managed: Json = {"roles": MANAGERS, "errors": (404,)}
    kiosk = (P_HALL, P_KIOSK)
    deleted = obj(("deleted",), deleted=STRING)
    return {
        HALL + "/settings": {
            "get": operation("The hall's settings", ref("Settings"), params=(P_HALL,), **managed),
            "patch": operation("Change settings, all or nothing", ref("Settings"),
                               params=(P_HALL,), body=ref("SettingsPatch"), **managed),
        },
        HALL + "/services/{code}": {
            "put": operation("Create (201) or change a service", ref("Settings"),
                             params=(P_HALL, P_CODE), body=ref("ServicePut"),
                             more=created("Settings"), **managed),
            "delete": operation("Remove a service", ref("Settings"), params=(P_HALL, P_CODE),
                                roles=MANAGERS, errors=(400, 404, 409)),
        },
        WINDOW: {
            "put": operation("Create (201) or change a window", ref("Settings"),
                             params=(P_HALL, P_N), body=ref("WindowPut"),
                             more=created("Settings"), **managed),
            "delete": operation("Remove a window", ref("Settings"), params=(P_HALL, P_N),
                                roles=MANAGERS, errors=(404, 409)),
        },
        HALL + "/users": {"get": operation("The hall's accounts", ref("Users"),
                                           params=(P_HALL,), **managed)},
        HALL + "/users/{username}": {
            "put": operation("Create (201) or change an account", ref("User"),
                             params=(P_HALL, P_USER), body=ref("UserPut"), roles=MANAGERS,
                             errors=(404, 409), more=created("User")),
            "delete": operation("Remove an account", deleted, params=(P_HALL, P_USER),
                                roles=MANAGERS, errors=(400, 404, 409)),
        },
        HALL + "/kiosks": {"get": operation("The hall's kiosks", ref("Kiosks"),
                                            params=(P_HALL,), **managed)},
        HALL + "/kiosks/{kiosk}": {
            "get": operation("A kiosk and its printer's status", ref("Kiosk"), params=kiosk,
                             **managed),
            "put": operation("Create (201) or replace a kiosk", ref("Kiosk"), params=kiosk,
                             body=ref("KioskPut"), more=created("Kiosk"), **managed),
            "delete": operation("Remove a kiosk", deleted, params=kiosk, **managed),
        },
        HALL + "/kiosks/{kiosk}/key": {"post": operation(
            "A new key for the kiosk, shown once in its setup link (the old key stops working)",
            obj(("kiosk", "key", "setup_url"), kiosk=STRING, key=STRING, setup_url=STRING),
            params=kiosk, **managed)},
    }  # fmt: skip


def hall_paths() -> Json:
    new_hall = shut(("hall", "name", "timezone"),
                    hall={"type": "string", "pattern": whole(HALL_CODE)}, name=NAME,
                    name_en={**text(200), "type": ["string", "null"]},
                    timezone=text(64, description="An IANA zone (400 bad_timezone)."))  # fmt: skip
    return {
        "/api/v1/halls": {
            "get": operation("The halls", ref("Halls")),
            "post": operation("Create a hall (services and windows come after)",
                              ref("Settings"), roles=ADMIN, body=new_hall, errors=(409,),
                              status=201),
        },
        HALL: {"get": operation("The hall snapshot", ref("Hall"), contract=True,
                                params=(P_HALL,), errors=(404,), staff_view=True)},
        HALL + "/guides": {"get": operation("What to bring for each service, and its notes",
                                            ref("Guides"), params=(P_HALL,), errors=(404,))},
        HALL + "/windows": {"get": operation("Every window with its holder and day",
                                             ref("WindowsView"), params=(P_HALL,), roles=STAFF,
                                             errors=(404,))},
        HALL + "/pending": {"get": operation("The hall's pending matters, oldest first",
                                             ref("PendingView"), params=(P_HALL,), roles=STAFF,
                                             errors=(404,))},
    }  # fmt: skip


def other_paths() -> Json:
    health = ref("Health")
    sound = answer("The WAV (cacheable).", "audio/wav",
                   {"type": "string", "contentEncoding": "binary"})  # fmt: skip
    lang = param("lang", "path", {"type": "string", "enum": list(ANNOUNCE_LANGS)})
    name = param("name", "path", {"type": "string", "pattern": ANNOUNCE_NAME},
                 "{number}-{window}.wav, e.g. A001-3.wav (else 404 sound_not_found).")  # fmt: skip
    unavailable = {"description": "voice_unavailable", "content": json_content(ref("Error"))}
    return {
        "/api/v1/login": {"post": operation("Log in", ref("Login"), contract=True,
                                            body=ref("LoginBody"), errors=(401, 429))},
        "/api/v1/logout": {"post": operation("End this token's session",
                                             obj(("ok",), ok={"type": "boolean"}), roles=STAFF,
                                             forbids=False)},
        "/api/v1/me": {"get": operation("Who the bearer is", ref("Me"), roles=STAFF,
                                        forbids=False)},
        "/api/v1/openapi.json": {"get": operation("This document", {"type": "object"})},
        "/healthz": {"get": operation(
            "Whether this process serves: the database answers, writes work, it hears the other "
            "processes", health, contract=True,
            more={503: {"description": "It does not: `reasons` say why",
                        "content": json_content(health)}})},
        "/metrics": {"get": operation("Prometheus metrics",
                                      answer("Prometheus text format.", "text/plain"),
                                      contract=True)},
        "/t/{id}": {"get": operation("The citizen's ticket page", answer("HTML.", "text/html"),
                                     params=(P_ID,),
                                     more={404: answer("No such ticket (HTML).", "text/html")})},
        "/t/{id}/qr.svg": {"get": operation("The ticket's QR code, opening /t/{id}",
                                            answer("An SVG.", "image/svg+xml"), params=(P_ID,),
                                            errors=(404,))},
        "/sounds/announce/{lang}/{name}": {"get": operation(
            "The WAV of one announcement", sound, params=(lang, name), errors=(404,),
            more={503: unavailable})},
    }  # fmt: skip


def document() -> Json:
    """The whole OpenAPI 3.1 document, as a JSON-ready dict."""
    paths = {**other_paths(), **hall_paths(), **manager_paths(), **report_paths(),
             **ticket_paths(), **window_paths(), **openapi_ratings.paths(),
             **openapi_appointments.paths(), **openapi_followups.paths(),
             **openapi_overview.paths()}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": "callnext", "version": __version__, "description": DESCRIPTION,
                 "license": {"name": "MIT", "identifier": "MIT"}},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "tags": [{"name": "contract", "description": "The stable v1 interface."},
                 {"name": "callnext", "description": "callnext's additions (docs/api.md)."}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**components(), **openapi_ratings.components(),
                        **openapi_appointments.components(),
                        **openapi_followups.components(), **openapi_trips.components(),
                        **openapi_overview.components()},
            "responses": {f"E{code}": {"description": what, "content": json_content(ref("Error"))}
                          for code, what in ERRORS.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "The token of POST /api/v1/login."},
                                "kioskKey": {"type": "apiKey", "in": "header",
                                             "name": "X-Kiosk-Key",
                                             "description": "A kiosk's key (docs/kiosk.md)."}},
        },
    }  # fmt: skip
