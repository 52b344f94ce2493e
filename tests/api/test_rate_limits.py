"""Rate limits an attacker cannot step around and a shared address does not trip over (issue 20):
kiosks issue on their own budget only with their key; failed logins count per account and
address, per address and per account; the client's address comes from X-Forwarded-For only
behind a trusted proxy. Real servers, real clients bound to 127.0.0.x addresses."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from callnext.runtime.config import Settings, parse_rate_limits, parse_trusted_proxies
from callnext.web.client import from_hops

from ..helpers import Api, running_app

TICKETS = "/api/v1/halls/demo/tickets"
LOGIN = "/api/v1/login"


@contextlib.asynccontextmanager
async def client_at(api: Api, address: str) -> AsyncIterator[Api]:
    """A client of the same server whose requests come from `address` (a 127.0.0.x)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        yield Api(api.base, session)


async def keyed_kiosks(api: Api, *codes: str, keyed: bool = True) -> dict[str, str]:
    """Register these kiosks (and give each a key, unless not `keyed`) → {code: key}."""
    manager = await api.login("manager")
    keys = {}
    for code in codes:
        path = f"/api/v1/halls/demo/kiosks/{code}"
        assert (await api.request("PUT", path, {"name": code}, token=manager))[0] == 201
        if keyed:
            status, body = await api.request("POST", path + "/key", token=manager)
            assert status == 200, body
            keys[code] = body["key"]
    return keys


async def issue(api: Api, kiosk: str | None = None, key: str | None = None) -> tuple[int, Any]:
    body = {"service": "A", **({"kiosk": kiosk} if kiosk else {})}
    headers = {"X-Kiosk-Key": key} if key is not None else None
    return await api.request("POST", TICKETS, body, headers=headers)


async def waiting(api: Api) -> int:
    return int((await api.hall())["services"][0]["waiting"])


async def test_naming_kiosks_without_their_keys_buys_no_more_tickets(settings: Settings) -> None:
    """tickets=5/3600, kiosk_tickets=50/3600 (an hour: nothing refills during the test): one
    address naming K1, K2, K3 (no keys set) 10 times each gets the public 5 in all, not 50 per
    kiosk named (the code before: 30 of 30); naming a kiosk that has a key, without it, issues
    nothing and says why."""
    limits = parse_rate_limits("tickets=5/3600,kiosk_tickets=50/3600")
    async with running_app(replace(settings, rate_limits=limits)) as api:
        await keyed_kiosks(api, "K1", "K2", "K3", keyed=False)
        await keyed_kiosks(api, "K4")
        statuses = [(await issue(api, kiosk))[0] for kiosk in ("K1", "K2", "K3") for _ in range(10)]
        assert statuses.count(201) == 5, statuses
        assert statuses.count(429) == 25
        assert await waiting(api) == 5
        status, body = await issue(api, "K4")
        assert (status, body["error"]["code"]) == (401, "kiosk_key_missing")
        assert "X-Kiosk-Key" in body["error"]["message"]
        assert "setup link" in body["error"]["message"]
        assert await waiting(api) == 5


async def test_a_kiosk_with_its_key_has_its_own_budget_wherever_it_is(settings: Settings) -> None:
    """tickets=2/3600, kiosk_tickets=4/3600: the address's public budget spent, each kiosk still
    issues 4 with its key, from any address (its budget is the kiosk's, not the address's);
    guesses at a kiosk from its own address take nothing from it; a wrong or old key is 401
    kiosk_key_wrong with the way to fix it."""
    limits = parse_rate_limits("tickets=2/3600,kiosk_tickets=4/3600")
    async with running_app(replace(settings, rate_limits=limits)) as api:
        keys = await keyed_kiosks(api, "K1", "K2", "K3")
        assert [(await issue(api))[0] for _ in range(3)] == [201, 201, 429]
        for _ in range(10):  # someone behind K3's address naming it without its key
            assert (await issue(api, "K3"))[0] == 401
        assert [(await issue(api, "K1", keys["K1"]))[0] for _ in range(5)] == [201] * 4 + [429]
        status, body = await issue(api, "K1", keys["K1"])
        assert body["error"]["limit"] == "kiosk_tickets"
        assert [(await issue(api, "K3", keys["K3"]))[0] for _ in range(4)] == [201] * 4
        assert [(await issue(api, "K2", keys["K2"]))[0] for _ in range(2)] == [201] * 2
        async with client_at(api, "127.0.0.2") as moved:  # K2 elsewhere: the same budget
            assert [(await issue(moved, "K2", keys["K2"]))[0] for _ in range(3)] == [201, 201, 429]
            assert (await issue(moved))[0] == 201  # that address's own public budget

        status, body = await issue(api, "K1", keys["K2"])
        assert (status, body["error"]["code"]) == (401, "kiosk_key_wrong")
        assert "setup link" in body["error"]["message"]
        manager = await api.login("manager")
        status, body = await api.request("POST", "/api/v1/halls/demo/kiosks/K1/key", token=manager)
        assert status == 200
        assert body["setup_url"].endswith(f"/halls/demo/kiosk?kiosk=K1&key={body['key']}")
        assert (await issue(api, "K1", keys["K1"]))[1]["error"]["code"] == "kiosk_key_wrong"
        assert (await issue(api, "K1", body["key"]))[0] == 429  # believed: K1's budget is spent
        checkin = {"code": "ABCD-EFGH", "kiosk": "K1"}
        status, body = await api.request(
            "POST", "/api/v1/halls/demo/checkin", checkin, headers={"X-Kiosk-Key": "nope"}
        )
        assert (status, body["error"]["code"]) == (401, "kiosk_key_wrong")
        assert await waiting(api) == 2 + 4 + 4 + 4 + 1

        listed = (await api.request("GET", "/api/v1/halls/demo/kiosks", token=manager))[1]
        assert {k["code"]: k["keyed"] for k in listed["kiosks"]} == {
            "K1": True, "K2": True, "K3": True,
        }  # fmt: skip
        status, audit = await api.request("GET", "/api/v1/halls/demo/audit", token=manager)
        sets = [e for e in audit["entries"] if e["action"] == "kiosk.key_set"]
        assert [(e["actor"], e["detail"]) for e in sets].count(("manager", {"code": "K1"})) == 2
        assert all(key not in str(audit) for key in keys.values())


async def test_a_changed_kiosk_keeps_its_key(api: Api) -> None:
    """PUT replaces a kiosk's settings but not its key; only a new key replaces it."""
    keys = await keyed_kiosks(api, "K1")
    manager = await api.login("manager")
    status, body = await api.request(
        "PUT", "/api/v1/halls/demo/kiosks/K1", {"name": "Door", "print": "browser"}, token=manager
    )
    assert (status, body["keyed"]) == (200, True)
    assert (await issue(api, "K1", keys["K1"]))[0] == 201


async def test_failed_logins_lock_out_neither_the_account_elsewhere_nor_its_neighbours(
    settings: Settings,
) -> None:
    """The default limits, over an hour (login=10/3600: nothing refills during the test). 30
    wrong passwords for w1 from 127.0.0.2: 10 are tried, then 429 with Retry-After, naming w1;
    w1 logs in from 127.0.0.3; w2 and the manager log in from 127.0.0.2 itself (a hall's NAT
    address: the code before refused them too); right passwords count against nothing (a dozen
    staff logins from one address)."""
    limits = parse_rate_limits("login=10/3600")
    async with (
        running_app(replace(settings, rate_limits=limits)) as api,
        client_at(api, "127.0.0.2") as attacker,
        client_at(api, "127.0.0.3") as w1,
    ):
        statuses = []
        for _ in range(30):
            status, body = await attacker.request(
                "POST", LOGIN, {"username": "w1", "password": "guess"}
            )
            statuses.append(status)
        assert statuses == [401] * 10 + [429] * 20
        assert body["error"]["code"] == "rate_limited"
        assert body["error"]["limit"] == "login"
        assert "w1" in body["error"]["message"]
        async with attacker.session.post(
            attacker.base + LOGIN, json={"username": "w1", "password": "demo"}
        ) as resp:  # the right password from there waits too: 429 is no oracle
            assert resp.status == 429
            assert 1 <= int(resp.headers["Retry-After"]) <= 360  # a try per 6 minutes
        assert (await w1.request("POST", LOGIN, {"username": "w1", "password": "demo"}))[0] == 200
        for user in ("w2", "manager", *["w3"] * 12):
            status, body = await attacker.request(
                "POST", LOGIN, {"username": user, "password": "demo"}
            )
            assert status == 200, (user, body)


async def test_one_address_guessing_many_accounts_is_capped(settings: Settings) -> None:
    """login_address=5/3600: 5 wrong passwords over as many accounts from one address, then
    that address waits (limit login_address); other addresses do not."""
    limits = parse_rate_limits("login_address=5/3600")
    async with (
        running_app(replace(settings, rate_limits=limits)) as api,
        client_at(api, "127.0.0.2") as attacker,
        client_at(api, "127.0.0.3") as other,
    ):
        for n in range(5):
            body = {"username": f"user{n}", "password": "guess"}
            assert (await attacker.request("POST", LOGIN, body))[0] == 401
        body = {"username": "user99", "password": "guess"}
        status, answer = await attacker.request("POST", LOGIN, body)
        assert (status, answer["error"]["limit"]) == (429, "login_address")
        assert "your address" in answer["error"]["message"]
        assert (await other.request("POST", LOGIN, {"username": "w1", "password": "demo"}))[
            0
        ] == 200


async def test_an_account_under_attack_from_many_addresses_waits(settings: Settings) -> None:
    """login_account=5/3600: 5 wrong passwords for w1 from two addresses; then w1 waits
    everywhere, even with the right password from a third (limit login_account, said so);
    w2 does not. A username of braces is named as it is (not a 500)."""
    limits = parse_rate_limits("login_account=5/3600")
    async with running_app(replace(settings, rate_limits=limits)) as api:
        for address, tries in (("127.0.0.2", 3), ("127.0.0.4", 2)):
            async with client_at(api, address) as attacker:
                for _ in range(tries):
                    body = {"username": "w1", "password": "guess"}
                    assert (await attacker.request("POST", LOGIN, body))[0] == 401
        async with client_at(api, "127.0.0.3") as fresh:
            status, body = await fresh.request(
                "POST", LOGIN, {"username": "w1", "password": "demo"}
            )
            assert (status, body["error"]["limit"]) == (429, "login_account")
            assert "many addresses" in body["error"]["message"]
            assert (await fresh.request("POST", LOGIN, {"username": "w2", "password": "demo"}))[
                0
            ] == 200
            odd = "{0}{s}{user}"
            for _ in range(5):
                body = {"username": odd, "password": "guess"}
                assert (await fresh.request("POST", LOGIN, body))[0] == 401
            status, body = await fresh.request("POST", LOGIN, {"username": odd, "password": "x"})
            assert (status, body["error"]["limit"]) == (429, "login_account")
            assert f"as {odd} from many addresses" in body["error"]["message"]


@pytest.mark.parametrize("trusted", ["127.0.0.1", None])
async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    settings: Settings, trusted: str | None
) -> None:
    """tickets=2/3600. Behind a trusted proxy (CALLNEXT_TRUSTED_PROXIES=127.0.0.1) two clients
    with their own X-Forwarded-For have their own budgets, and a client that writes an address
    of its choice to the left of the one the proxy appended stays itself; without one, the
    header is ignored: every client of the socket's address shares one budget."""
    limits = parse_rate_limits("tickets=2/3600")
    proxies = parse_trusted_proxies(trusted)
    async with running_app(replace(settings, rate_limits=limits, trusted_proxies=proxies)) as api:

        async def issue_as(forwarded: str) -> int:
            body = {"service": "A"}
            headers = {"X-Forwarded-For": forwarded}
            return (await api.request("POST", TICKETS, body, headers=headers))[0]

        a = [await issue_as("203.0.113.7") for _ in range(2)]
        b = [await issue_as("203.0.113.8") for _ in range(2)]
        spoofed = await issue_as("198.51.100.1, 203.0.113.7")
        if trusted:
            assert (a, b, spoofed) == ([201, 201], [201, 201], 429)
        else:
            assert (a, b, spoofed) == ([201, 201], [429, 429], 429)


def test_the_trusted_proxies_setting() -> None:
    """CALLNEXT_TRUSTED_PROXIES: addresses and CIDR blocks, comma-separated; off by default; a
    bad entry stops the start with its name."""
    assert Settings().trusted_proxies == ()
    assert parse_trusted_proxies("") == ()
    nets = parse_trusted_proxies(" 10.0.0.5, 192.168.1.0/24 ,::1")
    assert [str(n) for n in nets] == ["10.0.0.5/32", "192.168.1.0/24", "::1/128"]
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP address"):
        parse_trusted_proxies("10.0.0.5,proxy.example")


def test_the_client_is_the_rightmost_hop_that_no_trusted_proxy_wrote() -> None:
    """web/client.from_hops: each trusted proxy appends the address it saw, so the client is the
    rightmost hop that is not one of them; left of it anyone writes anything."""
    proxies = parse_trusted_proxies("10.0.0.0/8")
    assert from_hops("10.0.0.5", ["203.0.113.7"], proxies) == "203.0.113.7"
    assert from_hops("10.0.0.5", ["198.51.100.1, 203.0.113.7, 10.0.0.9"], proxies) == "203.0.113.7"
    assert from_hops("10.0.0.5", ["198.51.100.1", "203.0.113.7"], proxies) == "203.0.113.7"
    assert from_hops("10.0.0.5", ["not-an-address, 10.0.0.9"], proxies) == "10.0.0.9"
    assert from_hops("10.0.0.5", [], proxies) == "10.0.0.5"
    assert from_hops("10.0.0.5", ["10.0.0.7, 10.0.0.9"], proxies) == "10.0.0.7"
    assert from_hops("203.0.113.9", ["10.0.0.1"], proxies) == "203.0.113.9"  # not a proxy
    assert from_hops("::ffff:10.0.0.5", [" 2001:db8::1 "], proxies) == "2001:db8::1"
