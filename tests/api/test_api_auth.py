"""CONTRACT, Authentication: login, bearer tokens, roles, halls, and the rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from callnext.domain.model import Role
from callnext.runtime.config import Settings, parse_rate_limits
from callnext.store import accounts
from callnext.store.database import Database
from callnext.store.setup import HallSpec, ServiceSpec, create_hall

from ..helpers import LIVE_S, Api, running_app, wait_until

LOGIN = "/api/v1/login"
NORTH = HallSpec(
    code="north",
    name="北区服务中心",
    name_en="North Hall",
    timezone="Asia/Shanghai",
    services=(ServiceSpec("A", "综合", "General"),),
    windows={1: ("A",), 2: ("A",)},
)


async def add_north_hall(db_url: str) -> None:
    """A second hall, `north`, with staff n1 (window 1) and manager nmanager ("north-pass")."""
    db = Database(db_url)
    try:
        await create_hall(db, NORTH)
        await accounts.add_user(db, "n1", "north-pass", Role.STAFF, "north", window=1)
        await accounts.add_user(db, "nmanager", "north-pass", Role.MANAGER, "north")
    finally:
        await db.close()


async def login(api: Api, username: str, password: str = "demo") -> tuple[int, dict]:  # type: ignore[type-arg]
    return await api.request("POST", LOGIN, {"username": username, "password": password})


async def test_login_answers_token_role_and_hall(api: Api) -> None:
    """POST /api/v1/login → 200 {"token", "role", "hall"} for staff and manager."""
    status, staff = await login(api, "w3")
    assert status == 200, staff
    assert (staff["role"], staff["hall"]) == ("staff", "demo")
    assert isinstance(staff["token"], str)
    status, manager = await login(api, "manager")
    assert status == 200, manager
    assert (manager["role"], manager["hall"]) == ("manager", "demo")
    status, me = await api.request("GET", "/api/v1/me", token=staff["token"])
    assert (status, me["username"], me["role"]) == (200, "w3", "staff")


async def test_wrong_password_and_unknown_user_look_the_same(api: Api) -> None:
    """401 for a wrong password and for an unknown user, with the same code and message."""
    status_wrong, wrong = await login(api, "w1", "not-demo")
    status_unknown, unknown = await login(api, "nobody", "demo")
    status_empty, empty = await login(api, "w1", "")
    assert status_wrong == status_unknown == status_empty == 401
    assert wrong == unknown == empty
    assert wrong["error"]["code"] == "bad_credentials"
    assert "token" not in wrong


async def test_tokens_are_long_url_safe_and_fresh_per_login(api: Api) -> None:
    """Tokens carry at least 256 random bits, URL-safe; each login gets its own, all valid."""
    tokens = [(await login(api, "w1"))[1]["token"] for _ in range(3)]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token), token
        assert len(token) * 6 >= 256, token
        status, _ = await api.request("GET", "/api/v1/me", token=token)
        assert status == 200


async def test_passwords_are_stored_as_salted_scrypt_hashes(api: Api, settings: Settings) -> None:
    """The users table holds `scrypt$…` hashes, never a password; sessions hold no token."""
    password = "correct horse battery staple 42"
    db = Database(settings.db_url)
    try:
        await accounts.add_user(db, "clerk", password, Role.STAFF, "demo")
    finally:
        await db.close()
    status, body = await login(api, "clerk", password)
    assert status == 200, body
    db = Database(settings.db_url)
    try:
        users = await db.run_read(
            lambda conn: conn.execute(sa.text("SELECT * FROM users")).mappings().all()
        )
        sessions = await db.run_read(
            lambda conn: conn.execute(sa.text("SELECT * FROM sessions")).all()
        )
    finally:
        await db.close()
    hashes = {u["username"]: u["password_hash"] for u in users}
    assert set(hashes) >= {"w1", "w8", "manager", "clerk"}
    assert all(h.startswith("scrypt$") and len(h.split("$")) == 6 for h in hashes.values())
    # The demo's accounts share one hash of their public password "demo" (one scrypt per
    # process); an account made with its own password has its own salt and hash.
    demo = {h for name, h in hashes.items() if name != "clerk"}
    assert len(demo) == 1
    assert hashes["clerk"] not in demo
    dump = repr(users) + repr(sessions)
    assert password not in dump
    assert body["token"] not in dump


async def test_a_token_expires(settings: Settings) -> None:
    """Past its lifetime (here token_ttl=LIVE_S: a 1 s one ran out on a loaded machine before
    its first use) a token gets 401 and a new login works."""
    short = Settings(db_url=settings.db_url, demo=True, demo_all_day=True, rate_limits=None,
                     token_ttl=timedelta(seconds=LIVE_S))  # fmt: skip
    async with running_app(short) as api:
        token = await api.login("w1")
        assert (await api.request("GET", "/api/v1/me", token=token))[0] == 200

        async def expired() -> bool:
            return (await api.request("GET", "/api/v1/me", token=token))[0] == 401

        await wait_until(expired, timeout=LIVE_S + 30, interval=0.25)
        status, body = await api.request("GET", "/api/v1/me", token=token)
        assert (status, body["error"]["code"]) == (401, "bad_token")
        status, body = await api.window(1, "call-next")  # the cached, expired token
        assert status == 401, body
        status, fresh = await login(api, "w1")
        assert status == 200
        assert (await api.request("GET", "/api/v1/me", token=fresh["token"]))[0] == 200


async def test_logout_ends_only_that_token(api: Api) -> None:
    """After logout the token gets 401; the same user's other sessions go on."""
    first = (await login(api, "w2"))[1]["token"]
    second = (await login(api, "w2"))[1]["token"]
    status, _ = await api.request("POST", "/api/v1/logout", token=first)
    assert status == 200
    assert (await api.request("GET", "/api/v1/me", token=first))[0] == 401
    status, _ = await api.request(
        "POST", "/api/v1/halls/demo/windows/2/pause", {"reason": "x"}, token=first
    )
    assert status == 401
    assert (await api.request("GET", "/api/v1/me", token=second))[0] == 200


@pytest.mark.parametrize("path", ["/stats", "/tickets", "/stats?format=csv"])
async def test_staff_cannot_read_statistics_or_ticket_lists(api: Api, path: str) -> None:
    """Statistics and the day's ticket list are for managers: staff 403, manager 200."""
    await api.issue("A")
    url = "/api/v1/halls/demo" + path
    status, body = await api.request("GET", url, token=await api.login("w1"))
    assert (status, body["error"]["code"]) == (403, "wrong_role")
    status, body = await api.request("GET", url, token=await api.login("manager"))
    assert status == 200, body
    if path == "/tickets":
        assert [t["number"] for t in body["tickets"]] == ["A001"]


async def test_staff_act_only_in_their_own_hall(api: Api, settings: Settings) -> None:
    """Staff and managers of hall X get 403 on hall Y, and can act on X."""
    await add_north_hall(settings.db_url)
    await api.issue("A", hall="north")
    await api.issue("A")
    n1 = await api.login("n1", "north-pass")
    nmanager = await api.login("nmanager", "north-pass")
    w1 = await api.login("w1")
    demo_w1, north_w1 = "/api/v1/halls/demo/windows/1", "/api/v1/halls/north/windows/1"
    refused = [
        ("POST", demo_w1 + "/call-next", n1),
        ("POST", demo_w1 + "/pause", nmanager),
        ("GET", "/api/v1/halls/demo/stats", nmanager),
        ("GET", "/api/v1/halls/demo/tickets", nmanager),
        ("POST", north_w1 + "/call-next", w1),
        ("GET", "/api/v1/halls/north/stats", await api.login("manager")),
    ]
    for method, path, token in refused:
        status, body = await api.request(method, path, {}, token=token)
        assert (status, body["error"]["code"]) == (403, "wrong_hall"), (method, path)
    assert (await api.hall())["seq"] == 1  # only the demo ticket's issue
    status, body = await api.request("POST", north_w1 + "/call-next", token=n1)
    assert status == 200, body
    assert body["called"]["number"] == "A001"
    assert body["called"]["hall"] == "north"
    assert (await api.request("GET", "/api/v1/halls/north/stats", token=nmanager))[0] == 200
    complete = f"/api/v1/tickets/{body['called']['id']}/complete"
    assert (await api.request("POST", complete, token=w1))[1]["error"]["code"] == "wrong_hall"


async def test_rate_limits_answer_429_with_retry_after(settings: Settings) -> None:
    """login=3/60,tickets=5/60: after 3 failed logins the 4th login, and the 6th ticket, get
    429 and Retry-After; the refused ticket is not issued."""
    limited = Settings(db_url=settings.db_url, demo=True, demo_all_day=True,
                       rate_limits=parse_rate_limits("login=3/60,tickets=5/60"))  # fmt: skip
    async with running_app(limited) as api:
        for _ in range(3):
            assert (await login(api, "w1", "wrong"))[0] == 401
        async with api.session.post(
            api.base + LOGIN, json={"username": "w1", "password": "demo"}
        ) as resp:
            body = await resp.json()
            assert resp.status == 429
            assert body["error"]["code"] == "rate_limited"
            assert 1 <= int(resp.headers["Retry-After"]) <= 60
        for _ in range(5):
            await api.issue("A")
        async with api.session.post(
            api.base + "/api/v1/halls/demo/tickets", json={"service": "A"}
        ) as resp:
            body = await resp.json()
            assert resp.status == 429
            assert body["error"]["code"] == "rate_limited"
            assert 1 <= int(resp.headers["Retry-After"]) <= 60
        hall = await api.hall()
        assert hall["seq"] == 5
        assert {s["code"]: s["waiting"] for s in hall["services"]}["A"] == 5


async def test_wrong_passwords_count_against_the_login_limit(settings: Settings) -> None:
    """Guessing is rate limited too: after 3 failed logins even the right password gets 429."""
    limited = Settings(db_url=settings.db_url, demo=True, demo_all_day=True,
                       rate_limits=parse_rate_limits("login=3/60"))  # fmt: skip
    async with running_app(limited) as api:
        for guess in ("a", "b", "c"):
            assert (await login(api, "manager", guess))[0] == 401
        status, body = await login(api, "manager")
        assert (status, body["error"]["code"]) == (429, "rate_limited")


async def test_rate_limits_off_from_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CALLNEXT_RATE_LIMITS=off turns every limit off: no 429 past the default limits."""
    monkeypatch.setenv("CALLNEXT_RATE_LIMITS", "off")
    unlimited = Settings.from_env(db_url=settings.db_url, demo=True, demo_all_day=True)
    assert unlimited.rate_limits is None
    async with running_app(unlimited) as api:
        for _ in range(12):  # the default login limit is 10 a minute
            assert (await login(api, "w1", "wrong"))[0] == 401
        statuses = [
            (await api.request("POST", "/api/v1/halls/demo/tickets", {"service": "B"}))[0]
            for _ in range(35)  # the default ticket limit is 30 a minute
        ]
        assert statuses == [201] * 35


async def test_rate_limits_are_on_by_default(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without CALLNEXT_RATE_LIMITS the default limits hold (login 10 a minute)."""
    monkeypatch.delenv("CALLNEXT_RATE_LIMITS", raising=False)
    async with running_app(
        Settings.from_env(db_url=settings.db_url, demo=True, demo_all_day=True)
    ) as api:
        statuses = [(await login(api, "w1", "wrong"))[0] for _ in range(11)]
        assert statuses == [401] * 10 + [429]
