"""The OpenAPI document (GET /api/v1/openapi.json): it names exactly the server's routes, it is
valid OpenAPI 3.1, real answers of a scripted session match it, and the server survives a fuzz
generated from it (schemathesis): no 5xx, and a refused call changes nothing."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import hypothesis
import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from callnext.domain.model import Role
from callnext.runtime.config import Settings
from callnext.store.accounts import add_user
from callnext.web.app import create_app
from callnext.web.keys import DB
from callnext.web.openapi.document import document

from ..helpers import ServerProcess, free_port

DOC = document()
PREFIXES = ("/api/", "/healthz", "/metrics", "/t/", "/sounds/announce/")
HALL, TICKET = "/api/v1/halls/{hall}", "/api/v1/tickets/{id}"
WINDOW = HALL + "/windows/{n}"
METHODS = ("get", "put", "post", "delete", "patch")
# The contract's operations (CONTRACT.md); everything else is callnext's own (docs/api.md).
CONTRACT_OPS = {
    ("post", "/api/v1/login"), ("get", "/api/v1/halls/{hall}"),
    ("post", "/api/v1/halls/{hall}/tickets"), ("get", "/api/v1/halls/{hall}/tickets"),
    ("get", "/api/v1/tickets/{id}"), ("post", "/api/v1/tickets/{id}/cancel"),
    ("post", "/api/v1/tickets/{id}/complete"), ("get", "/api/v1/halls/{hall}/stats"),
    ("get", "/healthz"), ("get", "/metrics"),
    *(("post", f"/api/v1/halls/{{hall}}/windows/{{n}}/{a}")
      for a in ("call-next", "recall", "finish", "transfer", "call", "pause", "resume")),
}  # fmt: skip


def operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m, path) for path, item in doc["paths"].items() for m in item if m in METHODS}


def refs(node: Any) -> Iterator[str]:
    """Every $ref under `node`."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def strict(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy whose answers may not carry undocumented fields: every object schema of the
    answers (and of the components they use) that lists its properties gets
    additionalProperties false. The served document leaves answers open, as the contract lets
    callnext add fields."""
    out = copy.deepcopy(doc)
    schemas = out["components"]["schemas"]

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    answers = [op["responses"] for item in out["paths"].values() for op in item.values()]
    todo, used = list(refs(answers)), set()
    while todo:
        name = todo.pop().rsplit("/", 1)[1]
        if name in schemas and name not in used:
            used.add(name)
            todo += refs(schemas[name])
    for node in [*answers, *(schemas[name] for name in used)]:
        close(node)
    return out


STRICT = strict(DOC)


# -- the document is true to the routes, and valid ------------------------------------------


def test_the_document_names_every_route_of_the_api(tmp_path: Path) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'unused.db'}"))
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"  # aiohttp adds HEAD to every GET
        and route.resource.canonical.startswith(PREFIXES)
    }
    documented = operations(DOC)
    assert routes - documented == set(), "routes the document does not describe"
    assert documented - routes == set(), "operations the server does not have"


def test_the_document_is_valid_openapi_3_1() -> None:
    validate_spec(STRICT)
    validate_spec(DOC)
    for schema in DOC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for target in set(refs(DOC)):
        assert target.startswith("#/"), target
        node: Any = DOC
        for part in target[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(node, dict), target


def test_contract_operations_are_marked_apart_from_callnext_additions() -> None:
    for method, path in operations(DOC):
        op = DOC["paths"][path][method]
        assert op["summary"], (method, path)
        contract = (method, path) in CONTRACT_OPS
        assert op["tags"] == ["contract" if contract else "callnext"], (method, path)
        assert op.get("x-callnext-extension", False) is not contract, (method, path)
        secured = bool(op["security"])
        assert secured == ("401" in op["responses"]) or path == "/api/v1/login", (method, path)
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) and "$ref" in response:
                assert response["$ref"] == f"#/components/responses/E{status}"
    assert operations(DOC) >= CONTRACT_OPS
    assert "WebSocket" in DOC["info"]["description"]


# -- real answers match it --------------------------------------------------------------------


class Session:
    """A client that checks every answer against the (strict) document as it goes."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base, http
        self.tokens: dict[str, str] = {}
        self.seen: set[tuple[str, str, int]] = set()

    async def call(
        self, method: str, template: str, status: int | tuple[int, ...] = 200, *,
        who: str | None = None, body: Any = None, data: bytes | None = None,
        query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
        **params: Any,
    ) -> Any:  # fmt: skip
        hdrs = dict(headers or {})
        if who is not None:
            hdrs["Authorization"] = f"Bearer {self.tokens[who]}"
        url = self.base + template.format(**{"hall": "demo", **params})
        kwargs: dict[str, Any] = {"headers": hdrs, "params": query}
        if data is not None:
            kwargs["data"] = data
        elif body is not None:
            kwargs["json"] = body
        async with self.http.request(method.upper(), url, **kwargs) as resp:
            raw, got, media = await resp.read(), resp.status, resp.content_type
        wanted = status if isinstance(status, tuple) else (status,)
        assert got in wanted, f"{method} {url} → {got} {raw[:300]!r}"
        payload = self.check(method, template, got, media, raw)
        self.seen.add((method, template, got))
        return payload

    def check(self, method: str, template: str, status: int, media: str, raw: bytes) -> Any:
        responses = STRICT["paths"][template][method]["responses"]
        assert str(status) in responses, f"{method} {template}: {status} is not documented"
        response = responses[str(status)]
        if "$ref" in response:
            response = STRICT["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        assert media in response["content"], f"{method} {template}: {media} not documented"
        if media != "application/json":
            return raw
        payload = json.loads(raw)
        schema = {"allOf": [response["content"][media]["schema"]],
                  "components": STRICT["components"]}  # fmt: skip
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(payload), key=str)
        assert not errors, f"{method} {template} {status}: {errors[0]}"
        return payload


async def test_a_scripted_session_answers_as_documented(settings: Settings) -> None:
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await add_user(app[DB], "root", "rootroot", Role.ADMIN, None)
        async with aiohttp.ClientSession() as http:
            s = Session(f"http://127.0.0.1:{port}", http)
            await scripted_session(s)
    finally:
        await runner.cleanup()
    done = {(m, p) for m, p, status in s.seen if status < 300}
    done |= {(m, p) for m, p, status in s.seen if status == 503}  # no speech engine here
    assert operations(DOC) - done == set(), "operations the session never ran to success"


async def login(s: Session, who: str, user: str, password: str = "demo") -> None:
    body = {"username": user, "password": password}
    s.tokens[who] = (await s.call("post", "/api/v1/login", body=body))["token"]


async def scripted_session(s: Session) -> None:
    """Every operation once at least, and the common refusals."""
    for path in ("/healthz", "/metrics", "/api/v1/halls", "/api/v1/openapi.json"):
        await s.call("get", path)
    assert await s.call("get", "/api/v1/openapi.json") == DOC
    for who, user in (("m", "manager"), ("w1", "w1"), ("w5", "w5")):
        await login(s, who, user)
    await login(s, "root", "root", "rootroot")
    await s.call("post", "/api/v1/login", 401, body={"username": "w1", "password": "nope"})
    await s.call("get", "/api/v1/me", who="w1")
    await s.call("get", "/api/v1/me", 401)
    await s.call("get", HALL)
    await s.call("get", HALL, 404, hall="nowhere")
    guides = await s.call("get", HALL + "/guides")
    assert guides["services"][0]["guide"]["materials"][0] == "身份证原件"
    await s.call("get", HALL + "/guides", 404, hall="nowhere")
    guide = {"materials": ["身份证原件"], "notes": "请带原件。\n复印件一份。"}
    await s.call("patch", HALL + "/settings", who="m", body={"services": {"C": {"guide": guide}}})
    refused = await s.call(
        "patch",
        HALL + "/settings",
        400,
        who="m",
        body={"services": {"C": {"guide": {"materials_en": [""]}}}},
    )
    assert refused["error"]["field"] == "materials_en"
    await s.call(
        "put", HALL + "/kiosks/{kiosk}", 201, who="m", kiosk="K1", body={"print": "browser"}
    )
    await s.call("put", HALL + "/kiosks/{kiosk}", who="m", kiosk="K1", body={"name": "Door"})
    await s.call("get", HALL + "/kiosks/{kiosk}", who="m", kiosk="K1")
    await s.call("get", HALL + "/kiosks", who="m")
    await s.call("get", HALL + "/kiosks/{kiosk}", 404, who="m", kiosk="K9")
    issue = HALL + "/tickets"
    a1 = await s.call("post", issue, 201, body={"service": "A", "kiosk": "K1"})
    made = await s.call("post", HALL + "/kiosks/{kiosk}/key", who="m", kiosk="K1")
    await s.call("post", issue, 401, body={"service": "A", "kiosk": "K1"})
    await s.call("post", issue, 201, body={"service": "C", "kiosk": "K1"},
                 headers={"X-Kiosk-Key": made["key"]})  # fmt: skip
    a2 = await s.call("post", issue, 201, body={"service": "A", "priority": True},
                      headers={"Idempotency-Key": "k-1"})  # fmt: skip
    await s.call("post", issue, 201, body={"service": "A", "priority": True},
                 headers={"Idempotency-Key": "k-1"})  # fmt: skip
    b1 = await s.call("post", issue, 201, body={"service": "B"})
    c1 = await s.call("post", issue, 201, body={"service": "C"})
    await s.call("post", issue, 400, body={"service": 7})
    await s.call("post", issue, 400, data=b"{not json")
    await s.call("post", issue, 404, body={"service": "Z"})
    await s.call("post", issue, 413, data=b"{" + b" " * 70_000 + b"}")
    await s.call("get", TICKET, id=a1["id"])
    await s.call("get", TICKET, 404, id="no-such-ticket")
    await s.call("get", "/t/{id}", id=a1["id"])
    await s.call("get", "/t/{id}", 404, id="no-such-ticket")
    await s.call("get", "/t/{id}/qr.svg", id=a1["id"])
    await s.call("get", "/t/{id}/qr.svg", 404, id="no-such-ticket")
    await s.call("post", WINDOW + "/take", who="w1", n=1, body={})
    await s.call("post", WINDOW + "/take", 409, who="w5", n=1)
    await s.call("get", WINDOW + "/desk", who="w1", n=1)
    await s.call("post", WINDOW + "/recall", 409, who="w1", n=1)
    called = await s.call("post", WINDOW + "/call-next", who="w1", n=1)
    assert called["called"]["id"] == a2["id"]
    await s.call("post", WINDOW + "/recall", who="w1", n=1)
    await s.call("post", WINDOW + "/requeue", who="w1", n=1)  # back in its place, first
    await s.call("post", WINDOW + "/requeue", 409, who="w1", n=1)
    again = await s.call("post", WINDOW + "/call-next", who="w1", n=1)
    assert again["called"]["id"] == a2["id"]
    await s.call("get", "/sounds/announce/{lang}/{name}", (200, 503), lang="zh",
                 name=f"{a2['number']}-1.wav")  # fmt: skip
    await s.call("get", "/sounds/announce/{lang}/{name}", 404, lang="zh", name="nothing.wav")
    await s.call("post", WINDOW + "/transfer", who="w1", n=1, body={"service": "B"})
    await s.call("post", WINDOW + "/call-next", who="w1", n=1, body={"finish": "pending"})
    await s.call("post", WINDOW + "/finish", who="w1", n=1, body={"outcome": "pending"})
    await s.call("post", WINDOW + "/finish", 409, who="w1", n=1)
    await s.call("get", HALL + "/pending", who="w1")
    await s.call("post", TICKET + "/complete", who="w1", id=a1["id"])
    await s.call("post", TICKET + "/complete", 409, who="w1", id=a1["id"])
    await s.call("post", WINDOW + "/call", who="w5", n=5, body={"number": b1["number"]})
    await s.call("post", WINDOW + "/call", 409, who="w5", n=5, body={"number": b1["number"]})
    await s.call("post", WINDOW + "/finish", who="w5", n=5, body={"outcome": "no_show"})
    await s.call("post", WINDOW + "/pause", who="w5", n=5, body={"reason": "lunch"})
    await s.call("post", WINDOW + "/call-next", 409, who="w5", n=5)
    await s.call("post", WINDOW + "/resume", who="w5", n=5)
    await s.call("post", WINDOW + "/release", who="w1", n=1)
    await s.call("post", WINDOW + "/release", 409, who="w1", n=1)
    await s.call("post", WINDOW + "/call-next", 404, who="w1", n=99)
    await s.call("post", WINDOW + "/call-next", 401, n=1)
    await s.call("get", HALL + "/windows", who="w5")
    await s.call("post", TICKET + "/cancel", id=c1["id"])
    await s.call("post", TICKET + "/cancel", 409, id=c1["id"])
    await ratings_session(s)
    await followups_session(s)
    await appointments_session(s)
    await manager_session(s)


async def ratings_session(s: Session) -> None:
    """Ratings (docs/ratings.md): on the phone, on the window's screen, the manager's list."""
    await s.call("get", "/api/v1/ratings/scale")
    served = []
    for _ in range(2):  # B waits behind the ticket transferred to it: served first
        await s.call("post", HALL + "/tickets", 201, body={"service": "B"})
        await s.call("post", WINDOW + "/call-next", who="w5", n=5)
        served.append(await s.call("post", WINDOW + "/finish", who="w5", n=5))
    first, second = (f["finished"] for f in served)
    rating = TICKET + "/rating"
    await s.call("get", rating, 404, id=first["id"])
    await s.call("post", rating, 201, id=first["id"], body={"score": 2, "reasons": ["long_wait"]})
    await s.call("post", rating, 409, id=first["id"], body={"score": 5})
    await s.call("post", rating, 400, id=first["id"], body={"score": 9})
    await s.call("get", rating, id=first["id"])
    await s.call("get", WINDOW + "/rateable", n=5)
    await s.call("get", WINDOW + "/rateable", 404, n=99)
    here = WINDOW + "/rating"
    await s.call("post", here, 409, n=5, body={"number": first["number"], "score": 5})
    await s.call("post", here, 201, n=5, body={"number": second["number"], "score": 5,
                                               "reasons": ["fast"], "comment": "好"})  # fmt: skip
    await s.call("get", HALL + "/ratings", who="m", query={"max_score": "2"})
    await s.call("get", HALL + "/ratings", 403, who="w1")
    await s.call("get", HALL + "/ratings", 400, who="m", query={"window": "x"})


async def followups_session(s: Session) -> None:
    """The follow-ups of dissatisfied ratings (差评回访, docs/ratings.md): the list, one, and
    the four changes; ratings_session left one open (its score 2), this adds another."""
    await s.call("post", HALL + "/tickets", 201, body={"service": "B"})
    await s.call("post", WINDOW + "/call-next", who="w5", n=5)
    done = (await s.call("post", WINDOW + "/finish", who="w5", n=5))["finished"]
    await s.call("post", TICKET + "/rating", 201, id=done["id"], body={"score": 1})
    listed = await s.call("get", HALL + "/followups", who="m", query={"state": "all"})
    await s.call("get", HALL + "/followups", 400, who="m", query={"state": "late"})
    await s.call("get", HALL + "/followups", 403, who="w1")
    second, first = (f["id"] for f in listed["followups"])
    one, act = HALL + "/followups/{followup}", HALL + "/followups/{followup}/"
    await s.call("get", one, who="m", followup=first)
    await s.call("get", one, 404, who="m", followup=first + 99)
    await s.call("post", act + "assign", who="m", followup=first, body={"assignee": "w5"})
    await s.call("post", act + "assign", 400, who="m", followup=first, body={"assignee": "x"})
    await s.call("post", act + "contacted", who="m", followup=first, body={"note": "已联系"})
    await s.call("post", act + "resolve", 400, who="m", followup=first, body={})
    await s.call("post", act + "resolve", who="m", followup=first, body={"note": "已整改"})
    await s.call("post", act + "contacted", 409, who="m", followup=first)
    await s.call("post", act + "unreachable", who="m", followup=second)
    await s.call("post", act + "unreachable", 404, who="m", followup=second + 99)


async def appointments_session(s: Session) -> None:
    """Appointments (docs/appointments.md): the policy, slots, booking, cancel, check-in."""
    booking, service_booking = HALL + "/booking", HALL + "/services/{code}/booking"
    await s.call("get", booking)
    await s.call("patch", booking, 422, who="m", body={"order": "random"})
    await s.call("patch", booking, who="m", body={"enabled": True, "checkin_early_min": 240,
                                                  "fields": {"name": "optional"}})  # fmt: skip
    await s.call("get", HALL + "/slots", 409, query={"service": "C"})  # the demo books A, B
    await s.call("put", service_booking, who="m", code="C", body={"enabled": True, "capacity": 3})
    await s.call("put", service_booking, 422, who="m", code="C", body={"capacity": 0})
    await s.call("put", service_booking, 404, who="m", code="Z", body={})
    slots = HALL + "/slots"
    days = await s.call("get", slots, query={"service": "C"})
    await s.call("get", slots, 400, query={"service": "C", "day": "soon"})
    shown = await s.call("get", slots, query={"service": "C", "day": days["days"][0]["day"]})
    start = shown["slots"][0]["start"]
    made = HALL + "/appointments"
    first = await s.call("post", made, 201, body={"service": "C", "start": start, "name": "张三"})
    await s.call("post", made, 422, body={"service": "C", "start": start, "phone": "1"})
    await s.call("post", made, 409, body={"service": "C", "start": "2020-01-01T09:00:00+08:00"})
    await s.call("post", made, 404, body={"service": "Z", "start": start})
    one = "/api/v1/appointments/{id}"
    await s.call("get", one, id=first["id"])
    await s.call("get", one, 404, id="nope")
    await s.call("post", one + "/cancel", id=first["id"])
    await s.call("post", one + "/cancel", 409, id=first["id"])
    second = await s.call("post", made, 201, body={"service": "C", "start": start})
    checkin = HALL + "/checkin"
    await s.call("post", checkin, 201, body={"code": second["code"].lower()})
    await s.call("post", checkin, 200, body={"code": second["code"]})
    await s.call("post", checkin, 404, body={"code": "ZZZZZZZZ"})
    await s.call("get", made, who="w1")
    await s.call("get", made, who="m", query={"day": second["day"], "service": "C"})
    await s.call("get", made, 401)
    await s.call("get", made, 400, who="m", query={"day": "soon"})


async def overview_session(s: Session) -> None:
    """The region's overview (docs/overview.md): the admin of every hall only."""
    await s.call("get", "/api/v1/overview", who="root", query={"sort": "served", "order": "desc"})
    await s.call("get", "/api/v1/overview", 403, who="m")
    await s.call("get", "/api/v1/overview", 400, who="root", query={"sort": "nope"})
    await s.call("get", "/api/v1/overview/trend", who="root", query={"days": "7"})
    await s.call("get", "/api/v1/overview/export", who="root", query={"format": "xlsx"})


async def manager_session(s: Session) -> None:
    await s.call("get", HALL + "/tickets", who="m")
    await s.call("get", HALL + "/tickets", 403, who="w1")
    await s.call("get", HALL + "/tickets", 400, who="m", query={"date": "yesterday"})
    await s.call("get", HALL + "/stats", who="m")
    await s.call("get", HALL + "/stats", who="m", query={"format": "csv"})
    await s.call("get", HALL + "/report", who="m")
    await s.call("get", HALL + "/trend", who="m")
    await s.call("get", HALL + "/trend", 400, who="m", query={"from": "2020-01-01"})
    await s.call("get", HALL + "/export", who="m")
    await s.call("get", HALL + "/export", who="m", query={"format": "xlsx"})
    await s.call("get", HALL + "/audit", who="m", query={"actor": "w1", "limit": "10"})
    await overview_session(s)
    await s.call("get", HALL + "/settings", who="m")
    await s.call("patch", HALL + "/settings", who="m", body={
        "notice": "Welcome", "hours": {"mon": ["09:00-17:00"]}, "closed_dates": ["2030-01-01"],
        "services": {"A": {"daily_quota": 500, "priority_ratio": 3}}})  # fmt: skip
    await s.call("patch", HALL + "/settings", 400, who="m", body={"colour": "red"})
    await s.call("patch", HALL + "/settings", 404, who="m", body={"services": {"Q": {}}})
    await s.call("patch", HALL + "/settings", 401, body={})
    service = HALL + "/services/{code}"
    await s.call("put", service, 201, who="m", code="D", body={"name": "Passports"})
    await s.call("put", service, who="m", code="D", body={"open": False})
    await s.call("put", service, 400, who="m", code="d", body={})
    await s.call("put", WINDOW, 201, who="m", n=9, body={"services": ["D"]})
    await s.call("put", WINDOW, who="m", n=9, body={"name": "Nine"})
    await s.call("delete", service, 409, who="m", code="D")
    await s.call("delete", WINDOW, who="m", n=9)
    await s.call("delete", WINDOW, 404, who="m", n=9)
    await s.call("delete", service, who="m", code="D")
    users = HALL + "/users/{username}"
    await s.call("get", HALL + "/users", who="m")
    await s.call(
        "put", users, 201, who="m", username="w9", body={"role": "staff", "password": "secret9"}
    )
    await s.call("put", users, who="m", username="w9", body={"window": 1})
    await s.call("put", users, 400, who="m", username="w9", body={"role": "admin"})
    await s.call("delete", users, who="m", username="w9")
    await s.call("delete", users, 404, who="m", username="w9")
    await s.call("delete", HALL + "/kiosks/{kiosk}", who="m", kiosk="K1")
    await s.call("post", "/api/v1/halls", 403, who="m", body={})
    await s.call("post", "/api/v1/halls", 201, who="root", body={
        "hall": "north", "name": "North Hall", "timezone": "Europe/Berlin"})  # fmt: skip
    await s.call("post", "/api/v1/halls", 409, who="root", body={
        "hall": "north", "name": "North Hall", "timezone": "Europe/Berlin"})  # fmt: skip
    await s.call("post", "/api/v1/logout", who="w1")
    await s.call("get", "/api/v1/me", 401, who="w1")


# -- the fuzz -----------------------------------------------------------------------------------

FUZZ_SCHEMA = schemathesis.openapi.from_dict(STRICT)
FUZZ_OPS = {op.label: op for op in (r.ok() for r in FUZZ_SCHEMA.get_all_operations())}
EXAMPLES = int(os.environ.get("CALLNEXT_FUZZ_EXAMPLES", "30"))  # per operation and mode
SEED_RANDOM = os.environ.get("CALLNEXT_FUZZ_RANDOM", "") not in ("", "0", "off")
LOG = os.environ.get("CALLNEXT_FUZZ_LOG", "") not in ("", "0", "off")
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
WHO = ("manager", "staff", "admin", None)


def fuzz_order(label: str) -> tuple[int, str]:
    """Reads first, then the window and ticket calls, then the manager's changes: a deleted
    window or a closed service does not hide the calls' deeper paths from the fuzz."""
    method = label.split(" ", 1)[0]
    rank = 0 if method == "GET" else 1 if method == "POST" else 2
    return rank, label


# The tables Target.state compares row by row, and those it counts (they only grow). Not the
# sessions (a login or a logout is the fuzz's business) nor the idempotency keys.
WHOLE = ("halls", "services", "windows", "kiosks", "users", "tickets", "counters",
         "booking_policies", "service_booking", "appointments", "ratings", "followups")  # fmt: skip
COUNTED = ("events", "audit")


class Target:
    """The fuzzed server: a `callnext serve --demo` on SQLite, its tokens, its known ids."""

    def __init__(self, server: ServerProcess, path: Path) -> None:
        self.server = server
        self.base = server.base
        # the server's database, read beside it (WAL: a reader never holds its writer up)
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy or netrc lookups: ~1 ms of every request
        self.tokens: dict[str, str] = {}
        self.ticket_ids: list[str] = []
        self.numbers: list[str] = []
        self.last_state: tuple[Any, ...] | None = None

    def login(self, who: str) -> str:
        user = {"manager": "manager", "staff": "w1", "admin": "fuzzadmin"}[who]
        answer = self.http.post(self.base + "/api/v1/login",
                                json={"username": user, "password": "demodemo"
                                      if who == "admin" else "demo"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        self.tokens[who] = answer.json()["token"]
        return self.tokens[who]

    def get(self, path: str, who: str | None = "manager") -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        answer = self.http.get(self.base + path, headers=headers)
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        return answer.json()

    def state(self) -> tuple[Any, ...]:
        """What a refused call (or a GET) must leave as it was: the hall's seq as the server
        answers it, and in the server's database itself every row of the hall's layout and
        settings, tickets and their counters, accounts, kiosks, halls, bookings, ratings and
        follow-ups, and how many events and audit entries there are. (Read from the SQLite file
        in one snapshot: the same facts six GETs gave, and more, at a fiftieth of their cost.)"""
        seq = self.get("/api/v1/halls/demo", None)["seq"]
        db = self.db
        db.execute("BEGIN")
        try:
            rows = tuple(db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in WHOLE)
            counts = tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone() for t in COUNTED)
        finally:
            db.execute("COMMIT")
        return seq, rows, counts

    def tokens_alive(self) -> None:
        for who, token in list(self.tokens.items()):
            answer = self.http.get(self.base + "/api/v1/me",
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            if answer.status_code == 401:
                self.login(who)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One server for the whole fuzz (per xdist worker), on SQLite only: the fuzz tests the
    HTTP layer's validation, which is the same Python on both engines, and the engines' own
    behaviour is the store and API tests' business. Text with a NUL, which only PostgreSQL
    would refuse, is refused before it (web/parse: bad_characters), and test_api_errors'
    garbage (NULs, -2**70, broken JSON) runs on both engines."""
    path = tmp_path_factory.mktemp("fuzz") / "callnext.db"
    url = f"sqlite:///{path}"
    server = ServerProcess(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CALLNEXT_VOICE", "off")  # the sounds answer 503 voice_unavailable
        patch.setenv("CALLNEXT_PRINT_TIMEOUT_S", "0.5")
        server.start()
    try:
        subprocess.run(
            [sys.executable, "-m", "callnext", "user", "add", "fuzzadmin", "--role", "admin",
             "--db", url], input="demodemo\n", text=True, check=True, capture_output=True,
        )  # fmt: skip
        target = Target(server, path)
        for who in ("manager", "staff", "admin"):
            target.login(who)
        manager = {"Authorization": f"Bearer {target.tokens['manager']}"}
        target.http.put(target.base + "/api/v1/halls/demo/kiosks/K1", json={"print": "browser"},
                        headers=manager)  # fmt: skip
        for service in "AABBC":
            ticket = target.http.post(target.base + "/api/v1/halls/demo/tickets",
                                      json={"service": service}).json()  # fmt: skip
            target.ticket_ids.append(ticket["id"])
            target.numbers.append(ticket["number"])
        yield target
        target.db.close()
    finally:
        server.stop()


def path_choices(op: Any, target: Target) -> st.SearchStrategy[dict[str, Any]]:
    """Path parameters that reach past the 404s: the demo hall, its windows, known tickets."""
    known: dict[str, st.SearchStrategy[Any]] = {
        "hall": st.just("demo"),
        "n": st.integers(1, 9),
        "id": st.sampled_from(target.ticket_ids),
        "kiosk": st.sampled_from(["K1", "K2"]),
        "code": st.sampled_from(["A", "B", "C", "D"]),
        "username": st.sampled_from(["fuzz1", "fuzz2"]),
        "lang": st.sampled_from(["zh", "en"]),
        "name": st.sampled_from([f"{n}-{w}.wav" for n in target.numbers for w in (1, 5)]),
    }
    names = [p.name for p in op.path_parameters]
    return st.fixed_dictionaries({n: known[n] for n in names if n in known})


def body_choices(target: Target) -> st.SearchStrategy[dict[str, Any]]:
    """Real values for the body fields that name things (a service, a ticket's number)."""
    codes = st.sampled_from(["A", "B", "C"])
    return st.fixed_dictionaries({
        "service": codes,
        "number": st.sampled_from(target.numbers),
        "kiosk": st.sampled_from(["K1", None]),
        "services": st.lists(codes, min_size=1, max_size=3, unique=True),
        "window": st.integers(1, 8),
    })  # fmt: skip


def steer_body(case: Any, real: dict[str, Any] | None) -> Any:
    """A valid-shaped body that names real things, so the fuzz gets past the 404s."""
    body = case.body
    if real is None or not isinstance(body, dict):
        return case
    for name, value in real.items():
        if name in body and not (name == "services" and isinstance(body[name], dict)):
            body[name] = value
    if isinstance(body.get("services"), dict):  # the settings' per-service changes
        body["services"] = dict(zip("ABC", body["services"].values(), strict=False))
    return case


def cases(op: Any, target: Target, mode: GenerationMode) -> st.SearchStrategy[Any]:
    steered = path_choices(op, target).flatmap(
        lambda fixed: op.as_strategy(mode, path_parameters=fixed)
    )
    generated = st.one_of(steered, steered, steered, op.as_strategy(mode))
    if mode is GenerationMode.NEGATIVE:
        return generated
    real = st.one_of(st.none(), body_choices(target), body_choices(target))
    return st.builds(steer_body, generated, real)


def fuzz_settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not SEED_RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.generate],  # a live server's state makes shrinking moot
    )


def run_case(target: Target, op: Any, case: Any, who: str | None) -> None:
    method = op.method.upper()
    headers = dict(case.headers or {})
    if who is not None:
        headers["Authorization"] = f"Bearer {target.tokens[who]}"
    case.headers = headers
    if isinstance(case.body, dict) and isinstance(case.body.get("printer"), str):
        case.body["printer"] = "tcp://127.0.0.1:9"  # nothing listens: a quick refusal
    before = target.last_state or target.state()
    log_from = len(target.server.output)
    response = case.call(base_url=target.base, session=target.http)
    status = response.status_code
    if LOG:  # CALLNEXT_FUZZ_LOG=1 pytest -s …: one line per call, to see how deep it gets
        print("fuzz:", op.label, who, status, response.content[:80])
    where = f"{case.as_curl_command()}\n→ {status} {response.content[:500]!r}"
    voice_off = status == 503 and op.path.startswith("/sounds/announce/")
    if status >= 500 and not voice_off:
        time.sleep(0.3)  # the server's log reaches us from a reader thread
    log = "".join(target.server.output[log_from:])
    assert status < 500 or voice_off, f"server error:\n{where}\nserver log:\n{log}"
    case.validate_response(response, checks=CHECKS)
    if status >= 400 or method == "GET":
        after = target.state()
        assert after == before, f"a {'refused' if status >= 400 else 'GET'} call changed state:"\
            f"\n{where}\nbefore {before}\nafter  {after}"  # fmt: skip
        target.last_state = after
    else:
        target.last_state = None
        if op.path in ("/api/v1/logout", "/api/v1/halls/{hall}/users/{username}"):
            target.tokens_alive()


# Not `slow`: one server per xdist worker (module scope), each operation a test of its own, so
# the fuzz spreads over the parallel stage (110 s run one at a time).
@pytest.mark.parametrize("label", sorted(FUZZ_OPS, key=fuzz_order))
def test_fuzz_from_the_document(label: str, fuzz_target: Target) -> None:
    op = FUZZ_OPS[label]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @fuzz_settings()
        @given(case=cases(op, fuzz_target, mode), who=st.sampled_from(WHO))
        def run(case: Any, who: str | None) -> None:
            run_case(fuzz_target, op, case, who)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, label  # nothing of it can be malformed


HOSTILE = [
    ("patch", "/api/v1/halls/demo/settings", r'{"notice": "\ud800"}', "manager"),
    ("patch", "/api/v1/halls/demo/settings", r'{"name": "\ud800"}', "manager"),
    ("put", "/api/v1/halls/demo/services/A", r'{"name": "\ud800"}', "manager"),
    ("put", "/api/v1/halls/demo/windows/1", r'{"name": "\ud800"}', "manager"),
    ("patch", "/api/v1/halls/demo/settings",
     r'{"services": {"A": {"guide": {"materials": ["\ud800"]}}}}', "manager"),
    ("put", "/api/v1/halls/demo/services/A", r'{"guide": {"notes_en": "a\udfffb"}}', "manager"),
    ("put", "/api/v1/halls/demo/kiosks/K1", r'{"name": "\ud800"}', "manager"),
    ("put", "/api/v1/halls/demo/users/fuzz3", r'{"role": "staff", "password": "ab\ud800cdef"}',
     "manager"),
    ("post", "/api/v1/login", r'{"username": "\ud800", "password": "secret"}', None),
    ("post", "/api/v1/halls/demo/windows/2/pause", r'{"reason": "\ud800"}', "staff"),
    ("post", "/api/v1/halls/demo/tickets", r'{"service": "\ud800"}', None),
    ("post", "/api/v1/halls", r'{"hall": "x", "name": "\ud800", "timezone": "UTC"}', "admin"),
    ("post", "/api/v1/halls/demo/tickets", '{"service": "A", "priority": NaN}', None),
    ("patch", "/api/v1/halls/demo/settings", '{"promise_s": 1e400}', "manager"),
    ("put", "/api/v1/halls/demo/users/fuzz3", '{"window": ' + "9" * 5000 + "}", "manager"),
    ("post", "/api/v1/halls/demo/tickets", "[" * 50_000, None),
    ("post", "/api/v1/halls/demo/tickets", '{"service": "A"}' + " " * 70_000, None),
    ("put", "/api/v1/halls/demo/windows/9999999", '{"services": ["A"]}', "manager"),
    *(("get", f"/api/v1/halls/demo/{what}?{query}", "", "manager")
      for what in ("audit", "tickets", "stats", "report")
      for query in ("date=0001-01-01", "date=9999-12-31")),
    ("get", "/api/v1/halls/demo/trend?from=9999-12-31&to=9999-12-31", "", "manager"),
    ("get", "/api/v1/halls/demo/export?to=0001-01-05&format=xlsx", "", "manager"),
    ("get", "/api/v1/halls/demo/audit?actor=%ED%A0%80&limit=99999999999999999999", "", "manager"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "who"), HOSTILE)
def test_hostile_input_is_refused_or_answered_never_a_500(
    fuzz_target: Target, method: str, path: str, body: str, who: str | None
) -> None:
    """Inputs the generated fuzz rarely finds: lone surrogates, NaN, huge numbers, deep nesting,
    the calendar's first and last days. Each found a 500 once (see docs/api.md)."""
    target = fuzz_target
    before = target.state()
    headers = {"Content-Type": "application/json"}
    if who is not None:
        headers["Authorization"] = f"Bearer {target.tokens[who]}"
    log_from = len(target.server.output)
    answer = target.http.request(method.upper(), target.base + path, data=body.encode(),
                                 headers=headers)  # fmt: skip
    log = "".join(target.server.output[log_from:])
    assert answer.status_code < 500, f"{method} {path} → {answer.status_code}\n{log}"
    if answer.status_code >= 400:
        assert answer.json()["error"]["code"], answer.text
        assert target.state() == before


def test_the_fuzz_state_sees_a_change(fuzz_target: Target) -> None:
    """Target.state reads the server's database beside it: a snapshot that missed the server's
    commits would make every "changes nothing" of the fuzz vacuous. (Whatever the fuzz has done
    to the hall before: a kiosk's new name is always taken.)"""
    target = fuzz_target
    target.tokens_alive()
    manager = {"Authorization": f"Bearer {target.tokens['manager']}"}
    before = target.state()
    assert target.state() == before
    named = target.http.put(target.base + "/api/v1/halls/demo/kiosks/K1",
                            json={"name": f"Door {time.monotonic_ns()}"},
                            headers=manager)  # fmt: skip
    assert named.status_code in (200, 201), named.text
    after = target.state()
    kiosks = WHOLE.index("kiosks")
    assert after[1][kiosks] != before[1][kiosks]
    assert after[2][COUNTED.index("audit")] > before[2][COUNTED.index("audit")]
