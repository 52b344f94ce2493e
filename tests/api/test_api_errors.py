"""CONTRACT, Errors: bad input gets `{"error": {"code", "message"}}` with the right 4xx, never a
500, and changes nothing. Every case compares the hall (snapshot with `seq`, and the manager's
ticket list) before and after the rejected request."""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from yarl import URL

from callnext.runtime.config import Settings

from ..helpers import Api, running_app
from .test_api_auth import add_north_hall

HALL = "/api/v1/halls/demo"


async def hall_state(api: Api) -> tuple[Any, Any]:
    """What a rejected request must not change: the hall snapshot and the day's tickets (their
    estimates aside: an estimate moves with the clock while a staffed window serves a ticket)."""
    return without_estimates(await api.hall()), without_estimates(await api.day_tickets())


def without_estimates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_estimates(v) for k, v in value.items() if k != "est_wait_s"}
    if isinstance(value, list):
        return [without_estimates(v) for v in value]
    return value


@dataclass
class Scene:
    """The demo hall mid-morning: A001 (issued with Idempotency-Key "kiosk-tap-1") at window 1,
    A002 done at window 2, window 3 paused, A003 and B001 waiting."""

    called: str
    done: str
    waiting: str


async def make_scene(api: Api) -> Scene:
    keyed = await api.issue("A", key="kiosk-tap-1")
    second, waiting = await api.issue("A"), await api.issue("A")
    await api.issue("B")
    assert (await api.window(1, "call-next"))[1]["called"]["id"] == keyed["id"]
    assert (await api.window(2, "call-next"))[1]["called"]["id"] == second["id"]
    assert (await api.window(2, "finish", {"outcome": "completed"}))[0] == 200
    assert (await api.window(3, "pause", {"reason": "lunch"}))[0] == 200
    return Scene(keyed["id"], second["id"], waiting["id"])


@pytest.fixture
async def scene(api: Api) -> Scene:
    return await make_scene(api)


def case(
    method: str, path: str, status: int, code: str | None = None, *, who: str | None = None,
    body: Any = None, data: str | bytes | None = None, headers: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"method": method, "path": path, "status": status, "code": code, "who": who,
            "body": body, "data": data, "headers": headers}  # fmt: skip


async def assert_rejected(api: Api, c: dict[str, Any], tokens: dict[str, str]) -> None:
    """The request gets the contract's JSON error with c["status"] and the hall is unchanged."""
    before = await hall_state(api)
    token = tokens.get(c["who"]) if c["who"] else None
    status, payload = await api.request(
        c["method"], c["path"], c["body"], token=token, data=c["data"], headers=c["headers"]
    )
    label = f"{c['method']} {c['path'][:80]} as {c['who']}"
    assert status == c["status"], (label, status, payload)
    assert isinstance(payload, dict), (label, payload)
    assert set(payload) == {"error"}, (label, payload)
    assert set(payload["error"]) == {"code", "message"}, (label, payload)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", payload["error"]["code"]), (label, payload)
    if c["code"] is not None:
        assert payload["error"]["code"] == c["code"], (label, payload)
    assert await hall_state(api) == before, f"{label} changed the hall"


async def staff_tokens(api: Api, *users: str) -> dict[str, str]:
    return {u: await api.login(u) for u in users}


W1, W2 = HALL + "/windows/1", HALL + "/windows/2"
TICKETS = HALL + "/tickets"
TICKET = "/api/v1/tickets"
A, PRIORITY_A, PW = {"service": "A"}, {"service": "A", "priority": True}, {"password": "wrong"}


@pytest.mark.engine_independent
async def test_malformed_or_wrongly_typed_input_is_400(api: Api, scene: Scene) -> None:
    """Malformed JSON, a body that is no object, a missing or wrongly typed field: 400."""
    tokens = await staff_tokens(api, "w1", "w2")
    cases = [
        case("POST", TICKETS, 400, "malformed_json", data='{"service": "A"'),
        case("POST", TICKETS, 400, "malformed_json", data=b'{"service": "\xff"}'),
        case("POST", TICKETS, 400, "malformed_json", data="service=A"),
        case("POST", TICKETS, 400, "missing_body", data=""),
        case("POST", TICKETS, 400, "body_not_object", body=["A"]),
        case("POST", TICKETS, 400, "body_not_object", body="A"),
        case("POST", TICKETS, 400, "body_not_object", data="null"),
        case("POST", TICKETS, 400, "missing_field", body={}),
        case("POST", TICKETS, 400, "missing_field", body={"priority": True}),
        case("POST", TICKETS, 400, "wrong_type", body={"service": 1}),
        case("POST", TICKETS, 400, "wrong_type", body={"service": ["A"]}),
        case("POST", TICKETS, 400, "wrong_type", body={"service": "A", "priority": "yes"}),
        case("POST", TICKETS, 400, "wrong_type", body={"service": "A", "priority": 1}),
        case("POST", TICKETS, 400, "too_long", body={"service": "A" * 50}),
        case("POST", W1 + "/call-next", 400, "bad_value", who="w1", body={"finish": "maybe"}),
        case("POST", W1 + "/call-next", 400, "wrong_type", who="w1", body={"finish": True}),
        case("POST", W1 + "/call-next", 400, "body_not_object", who="w1", body=[1]),
        case("POST", W1 + "/call-next", 400, "malformed_json", who="w1", data="{finish}"),
        case("POST", W1 + "/finish", 400, "bad_value", who="w1", body={"outcome": "done"}),
        case("POST", W1 + "/transfer", 400, "missing_field", who="w1", body={}),
        case("POST", W1 + "/transfer", 400, "wrong_type", who="w1", body={"service": 2}),
        case("POST", HALL + "/windows/2/call", 400, "wrong_type", who="w2", body={"number": 5}),
        case("POST", HALL + "/windows/2/call", 400, "missing_field", who="w2", body={}),
        case("POST", HALL + "/windows/2/pause", 400, "wrong_type", who="w2", body={"reason": 7}),
        case("POST", "/api/v1/login", 400, "missing_field", body={"username": "w1"}),
        case("POST", "/api/v1/login", 400, "wrong_type", body={"username": 1, "password": "d"}),
        case("POST", "/api/v1/login", 400, "malformed_json", data="w1:demo"),
        case("GET", HALL + "/stats?date=2024-02-30", 400, "bad_date", who="manager"),
        case("GET", HALL + "/stats?date=yesterday", 400, "bad_date", who="manager"),
        case("GET", HALL + "/stats?format=xml", 400, "bad_format", who="manager"),
        case("GET", TICKETS + "?date=20240101", 400, "bad_date", who="manager"),
        case("GET", "/ws/v1/halls/demo?since=%C2%B2", 400, "bad_since"),  # "²".isdigit()
        case("GET", "/ws/v1/halls/demo?since=-1", 400, "bad_since"),
    ]
    tokens["manager"] = await api.login("manager")
    for c in cases:
        await assert_rejected(api, c, tokens)


async def test_deeply_nested_json_is_400_not_500(api: Api, scene: Scene) -> None:
    """A body nested deeper than the JSON parser's recursion limit is malformed input: 400."""
    tokens = await staff_tokens(api, "w2")
    for path, who in ((TICKETS, None), (HALL + "/windows/2/call-next", "w2")):
        nested = case("POST", path, 400, "malformed_json", who=who, data="[" * 50_000)
        await assert_rejected(api, nested, tokens)
        deep_object = case("POST", path, 400, "malformed_json", who=who, data='{"a":' * 12_000)
        await assert_rejected(api, deep_object, tokens)


async def test_unknown_hall_service_window_ticket_or_route_is_404(api: Api, scene: Scene) -> None:
    """Unknown hall, service, window, ticket (also over-long ids) and routes: 404, as JSON."""
    tokens = await staff_tokens(api, "w1", "w2", "manager")
    long_id = "x" * 65
    cases = [
        case("GET", "/api/v1/halls/nohall", 404, "hall_not_found"),
        case("POST", "/api/v1/halls/nohall/tickets", 404, "hall_not_found", body={"service": "A"}),
        case("GET", "/api/v1/halls/nohall/stats", 404, "hall_not_found", who="manager"),
        case("GET", "/api/v1/halls/" + "h" * 3000, 404, "hall_not_found"),
        case("POST", TICKETS, 404, "service_not_found", body={"service": "Z"}),
        case("POST", TICKETS, 404, "service_not_found", body={"service": "a"}),
        case("POST", W1 + "/transfer", 404, "service_not_found", who="w1", body={"service": "Z"}),
        case("POST", HALL + "/windows/9/call-next", 404, "window_not_found", who="w1"),
        case("POST", HALL + "/windows/0/pause", 404, "window_not_found", who="w1"),
        case("POST", HALL + "/windows/999999999/recall", 404, "window_not_found", who="w1"),
        case("POST", HALL + "/windows/1234567890/recall", 404, who="w1"),
        case("POST", HALL + "/windows/-1/recall", 404, who="w1"),
        case("POST", W2 + "/call", 404, "ticket_not_found", who="w2", body={"number": "A999"}),
        case("POST", W2 + "/call", 404, "ticket_not_found", who="w2", body={"number": "A999"}),
        case("GET", "/api/v1/tickets/nosuchticket", 404, "ticket_not_found"),
        case("POST", "/api/v1/tickets/nosuchticket/cancel", 404, "ticket_not_found"),
        case("POST", "/api/v1/tickets/nosuchticket/complete", 404, "ticket_not_found", who="w1"),
        case("GET", "/api/v1/tickets/" + long_id, 404, "ticket_not_found"),
        case("POST", f"/api/v1/tickets/{long_id}/cancel", 404, "ticket_not_found"),
        case("GET", "/api/v1/tickets/" + "y" * 4000, 404, "ticket_not_found"),
        case("GET", "/api/v1/nothing", 404, "not_found"),
        case("POST", "/api/v2/halls/demo/tickets", 404, "not_found", body={"service": "A"}),
        case("GET", "/no/such/page", 404, "not_found"),
    ]
    for c in cases:
        await assert_rejected(api, c, tokens)


async def test_bodies_over_64_kib_are_413(api: Api, scene: Scene) -> None:
    """A body larger than 64 KiB: 413 with code body_too_large, as JSON."""
    tokens = await staff_tokens(api, "w2")
    big = json.dumps({"service": "A", "pad": "x" * (65 * 1024)})
    cases = [
        case("POST", TICKETS, 413, "body_too_large", data=big),
        case("POST", "/api/v1/login", 413, "body_too_large", data=big),
        case("POST", HALL + "/windows/2/call-next", 413, "body_too_large", who="w2", data=big),
    ]
    for c in cases:
        await assert_rejected(api, c, tokens)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the size shows as it comes
        yield b'{"service": "A", "pad": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    before = await hall_state(api)
    async with api.session.post(api.base + TICKETS, data=chunks()) as resp:
        assert resp.status == 413
        assert (await resp.json())["error"]["code"] == "body_too_large"
    assert await hall_state(api) == before


async def test_missing_bad_or_logged_out_tokens_are_401(api: Api, scene: Scene) -> None:
    """No token, a garbage token, another scheme, a logged-out token: 401."""
    tokens = await staff_tokens(api, "w2")
    status, _ = await api.request("POST", "/api/v1/logout", token=tokens["w2"])
    assert status == 200
    tokens["garbage"] = "not-a-token"
    basic = {"Authorization": "Basic dzE6ZGVtbw=="}
    cases = [
        case("POST", HALL + "/windows/2/call-next", 401, "missing_token"),
        case("POST", HALL + "/windows/2/call-next", 401, "missing_token", headers=basic),
        case("POST", HALL + "/windows/2/call-next", 401, "bad_token", who="garbage"),
        case("POST", HALL + "/windows/2/call-next", 401, "bad_token", who="w2"),
        case("POST", HALL + "/windows/3/resume", 401, "bad_token", who="w2"),
        case("GET", HALL + "/stats", 401, "missing_token"),
        case("GET", TICKETS, 401, "bad_token", who="garbage"),
        case("POST", f"/api/v1/tickets/{scene.done}/complete", 401, "missing_token"),
        case("GET", "/api/v1/me", 401, "bad_token", who="w2"),
        case("POST", "/api/v1/login", 401, "bad_credentials", body={"username": "w1"} | PW),
    ]
    for c in cases:
        await assert_rejected(api, c, tokens)


async def test_expired_token_is_401(api: Api, settings: Settings) -> None:
    """A token past its lifetime is refused (401) and the action it carried is not done.
    A second server on the same database issues tokens that live 1 s."""
    await api.issue("A")
    short = Settings(db_url=settings.db_url, rate_limits=None, token_ttl=timedelta(seconds=1))
    async with running_app(short) as short_lived:
        tokens = {"w1": await short_lived.login("w1")}
    await asyncio.sleep(1.3)
    expired = case("POST", W1 + "/call-next", 401, "bad_token", who="w1")
    await assert_rejected(api, expired, tokens)


async def test_wrong_role_or_wrong_hall_is_403(api: Api, settings: Settings, scene: Scene) -> None:
    """Staff read no statistics or ticket lists; nobody acts on a hall not their own: 403."""
    await add_north_hall(settings.db_url)
    tokens = await staff_tokens(api, "w1")
    tokens["n1"] = await api.login("n1", "north-pass")
    tokens["nmanager"] = await api.login("nmanager", "north-pass")
    cases = [
        case("GET", HALL + "/stats", 403, "wrong_role", who="w1"),
        case("GET", TICKETS, 403, "wrong_role", who="w1"),
        case("GET", HALL + "/stats?format=csv", 403, "wrong_role", who="w1"),
        case("POST", HALL + "/windows/2/call-next", 403, "wrong_hall", who="n1"),
        case("POST", W1 + "/recall", 403, "wrong_hall", who="n1"),
        case("POST", HALL + "/windows/3/resume", 403, "wrong_hall", who="nmanager"),
        case("POST", f"/api/v1/tickets/{scene.done}/complete", 403, "wrong_hall", who="n1"),
        case("GET", HALL + "/stats", 403, "wrong_hall", who="nmanager"),
        case("GET", TICKETS, 403, "wrong_hall", who="nmanager"),
    ]
    for c in cases:
        await assert_rejected(api, c, tokens)


@pytest.mark.engine_independent
async def test_wrong_method_is_405_with_allow(api: Api, scene: Scene) -> None:
    """A known route with the wrong method: 405 JSON naming the allowed methods."""
    tokens = await staff_tokens(api, "w1")
    cases = [
        case("DELETE", HALL, 405, "method_not_allowed"),
        case("PUT", TICKETS, 405, "method_not_allowed", body={"service": "A"}),
        case("GET", W1 + "/call-next", 405, "method_not_allowed", who="w1"),
        case("GET", "/api/v1/login", 405, "method_not_allowed"),
        case("DELETE", f"/api/v1/tickets/{scene.waiting}", 405, "method_not_allowed"),
        case("PATCH", f"/api/v1/tickets/{scene.waiting}/cancel", 405, "method_not_allowed"),
    ]
    for c in cases:
        await assert_rejected(api, c, tokens)
    async with api.session.delete(api.base + HALL) as resp:
        assert "GET" in resp.headers.get("Allow", "")


async def test_state_conflicts_are_409(api: Api, scene: Scene) -> None:
    """What the state forbids: recall/finish with no current ticket, call while busy, cancel a
    called ticket, complete a non-pending one, call on a paused window, pause twice: 409."""
    tokens = await staff_tokens(api, "w1", "w2", "w3")
    w2, w3 = HALL + "/windows/2", HALL + "/windows/3"
    number_a3 = "A003"
    cases = [
        case("POST", w2 + "/recall", 409, "no_current_ticket", who="w2"),
        case("POST", w2 + "/finish", 409, "no_current_ticket", who="w2", body={}),
        case("POST", w2 + "/transfer", 409, "no_current_ticket", who="w2", body={"service": "B"}),
        case("POST", W1 + "/call", 409, "window_busy", who="w1", body={"number": number_a3}),
        case("POST", W1 + "/transfer", 409, "same_service", who="w1", body={"service": "A"}),
        case("POST", f"/api/v1/tickets/{scene.called}/cancel", 409, "ticket_not_waiting"),
        case("POST", f"/api/v1/tickets/{scene.done}/cancel", 409, "ticket_not_waiting"),
        case("POST", f"{TICKET}/{scene.done}/complete", 409, "ticket_not_pending", who="w2"),
        case("POST", f"{TICKET}/{scene.waiting}/complete", 409, "ticket_not_pending", who="w2"),
        case("POST", w2 + "/call", 409, "ticket_not_waiting", who="w2", body={"number": "A002"}),
        case("POST", w3 + "/call-next", 409, "window_paused", who="w3"),
        case("POST", w3 + "/call", 409, "window_paused", who="w3", body={"number": number_a3}),
        case("POST", w3 + "/pause", 409, "window_already_paused", who="w3", body={}),
        case("POST", w2 + "/resume", 409, "window_already_open", who="w2"),
    ]
    for c in cases:
        await assert_rejected(api, c, tokens)


async def test_idempotency_key_reused_for_another_body_is_409(api: Api, scene: Scene) -> None:
    """An Idempotency-Key seen with a different body: 409; a malformed key: 400."""
    key = {"Idempotency-Key": "kiosk-tap-1"}
    long_key, spaced_key = {"Idempotency-Key": "k" * 129}, {"Idempotency-Key": "has space"}
    cases = [
        case("POST", TICKETS, 409, "idempotency_key_reused", body={"service": "B"}, headers=key),
        case("POST", TICKETS, 409, "idempotency_key_reused", body=PRIORITY_A, headers=key),
        case("POST", TICKETS, 400, "bad_idempotency_key", body=A, headers=long_key),
        case("POST", TICKETS, 400, "bad_idempotency_key", body=A, headers=spaced_key),
    ]
    for c in cases:
        await assert_rejected(api, c, {})
    before = await hall_state(api)
    status, again = await api.request("POST", TICKETS, {"service": "A"}, headers=key)
    assert (status, again["id"]) == (201, scene.called)  # the same body still replays
    assert await hall_state(api) == before


# -- garbage ---------------------------------------------------------------------------------

FIELDS = ("service", "priority", "finish", "outcome", "number", "reason", "username", "password")
ACTIONS = ("call-next", "recall", "finish", "transfer", "call", "pause", "resume")
ROUTES = (
    "/api/v1/login", "/api/v1/logout", "/api/v1/me", "/api/v1/halls", "/api/v1/halls/{hall}",
    "/api/v1/halls/{hall}/tickets", "/api/v1/halls/{hall}/tickets?date={w}",
    "/api/v1/halls/{hall}/stats?date={w}&format={w}", "/api/v1/halls/{hall}/windows/{n}/{action}",
    "/api/v1/tickets/{w}", "/api/v1/tickets/{w}/cancel", "/api/v1/tickets/{w}/complete",
    "/ws/v1/halls/{hall}?since={w}", "/healthz", "/metrics", "/{w}/{w}", "/api/v1/{w}",
)  # fmt: skip
WORDS = ("", "..", "%", "²", "١", "\x00", "-1", "1e9", "' OR 1=1 --", "null", "demo", "演示")


def word(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(WORDS)
    alphabet = "abcXYZ019_-.~!$&'()*+,;=:@/?#[] %\\\"<>{}|^`\t\n叫号ÄЖ😀"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice((1, 5, 40, 300))))


def garbage_path(rng: random.Random) -> str:
    def q() -> str:
        return quote(word(rng), safe="")

    hall = rng.choice(["demo", "demo", q()])
    n = rng.choice(["1", "2", "8", "0", "999999999", q()])
    action = rng.choice([*ACTIONS, q()])
    template = rng.choice(ROUTES)
    while "{w}" in template:
        template = template.replace("{w}", q(), 1)
    return template.format(hall=hall, n=n, action=action)


def garbage_body(rng: random.Random) -> bytes:
    """Never a valid request body for any endpoint that reads one."""
    kind = rng.randrange(5)
    if kind == 0:
        raw = b"~" + rng.randbytes(rng.choice((1, 20, 300, 5000)))
    elif kind == 1:
        raw = json.dumps(rng.choice([[], [1, "A"], "A", 42, -1.5, None, True])).encode()
    elif kind == 2:
        wrong = [[], {}, 1, 2.5, ["A"], {"service": "A"}, -(2**70)]
        raw = json.dumps({f: rng.choice(wrong) for f in FIELDS}).encode()
    elif kind == 3:
        full = json.dumps({"service": "A", "priority": False, "finish": "completed"})
        raw = full[: rng.randrange(1, len(full) - 1)].encode()
    else:
        raw = rng.choice([b"[" * 3000, b'{"a":' * 2000, b"{}}", b"{" + b"\x00" * 64])
    return raw


async def own_session(api: Api, user: str) -> str:
    """A token of its own, so that a random logout cannot end the state check's session."""
    credentials = {"username": user, "password": "demo"}
    status, body = await api.request("POST", "/api/v1/login", credentials)
    assert status == 200, body
    return str(body["token"])


GARBAGE_SHARDS = 4  # 4 tests of 50 requests, each on a hall of its own, run side by side


@pytest.mark.parametrize("shard", range(GARBAGE_SHARDS))
async def test_garbage_never_gives_5xx_or_changes_state(api: Api, shard: int) -> None:
    """200 seeded random paths, methods, bodies and tokens (50 a shard): no 5xx, JSON errors,
    no change."""
    for service in "AAB":  # nobody called, no window paused: recall and resume have nothing to do
        await api.issue(service)
    tokens = [None, "garbage", await own_session(api, "w1"), await own_session(api, "manager")]
    rng = random.Random(20240611 + shard)
    seen: set[int] = set()
    for i in range(200 // GARBAGE_SHARDS):
        method = rng.choice(["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH"])
        path, body = garbage_path(rng), garbage_body(rng)
        headers = {"Content-Type": rng.choice(["application/json", "text/plain", "x/y"])}
        token = rng.choice(tokens)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if rng.random() < 0.2:
            headers["Idempotency-Key"] = rng.choice(["k", "k" * 200, "a b", "é", "\t"])
        before = await hall_state(api)
        url = URL(api.base + path, encoded=True)
        async with api.session.request(method, url, data=body, headers=headers) as resp:
            text = await resp.text(errors="replace")
        label = f"#{i} {method} {path[:120]!r} body={body[:60]!r}"
        assert resp.status < 500, (label, resp.status, text)
        seen.add(resp.status)
        if resp.status >= 400:
            assert "error" in json.loads(text), (label, text)
        assert await hall_state(api) == before, f"{label} changed the hall"
    assert {401, 404, 405} <= seen  # refused by the auth and the router, and also…
    assert seen & {400, 415}, seen  # …by the parsers (a body, its type): not only the router
    status, health = await api.request("GET", "/healthz")
    assert (status, health["status"]) == (200, "ok")
