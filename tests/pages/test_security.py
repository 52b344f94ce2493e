"""Security (docs/security.md): no cookie carries authority, so no cross-site request can act
for a user; JSON endpoints refuse what a cross-site form or a "simple" cross-origin request can
send (415); no CORS; the security headers (CSP and Permissions-Policy too) on every answer, and
every page runs under the CSP without a violation in a real Chromium; the logs hold no token, no
password and no ticket id. The role matrix is in test_roles.py."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest

from callnext.web.app import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from callnext.web.openapi.document import document

from ..api.test_api_auth import add_north_hall
from ..api.test_roles import Matrix, add_admin, operations
from ..booking import book, enable_booking, slots
from ..browser import chromium_missing, launch, submit_login, wait_js
from ..helpers import FRAME_WAIT_S, Api, ServerProcess, wait_until

TICKETS = "/api/v1/halls/demo/tickets"
W1 = "/api/v1/halls/demo/windows/1"
# What a cross-site <form> can send (its enctypes), and a "simple" fetch's text/plain.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain")


async def raw(
    api: Api, method: str, path: str, *, data: bytes | None = None, headers: dict[str, str]
) -> tuple[int, Any, Any]:
    """(status, JSON body or None, headers) of a request sent exactly as given."""
    async with api.session.request(
        method, api.base + path, data=data, headers=headers, skip_auto_headers=["Content-Type"]
    ) as resp:
        text = await resp.text()
        return resp.status, (json.loads(text) if text and resp.content_type.endswith("json")
                             else None), resp.headers  # fmt: skip


async def test_no_answer_sets_a_cookie_and_a_cookie_never_authenticates(api: Api) -> None:
    """Authority is only the Authorization header (the pages keep the token in sessionStorage
    and send it from script): no answer sets a cookie, and a token in a Cookie is ignored."""
    token = await api.login("w1")
    ticket = await api.issue("A")
    tour = [
        ("GET", "/", None), ("GET", "/halls/demo/kiosk", None),
        ("GET", "/halls/demo/display", None), ("GET", "/halls/demo/staff", None),
        ("GET", "/halls/demo/dashboard", None),
        ("GET", "/halls/demo/settings", None), ("GET", f"/t/{ticket['id']}", None),
        ("GET", "/api/v1/halls/demo", None), ("GET", "/api/v1/me", token),
        ("POST", W1 + "/call-next", token), ("GET", "/healthz", None), ("GET", "/nowhere", None),
    ]  # fmt: skip
    for method, path, tok in tour:
        hdrs = {"Authorization": f"Bearer {tok}"} if tok else {}
        async with api.session.request(method, api.base + path, headers=hdrs) as resp:
            assert resp.status < 500, path
            assert "Set-Cookie" not in resp.headers, path
    async with api.session.post(
        api.base + "/api/v1/login", json={"username": "w2", "password": "demo"}
    ) as resp:
        assert resp.status == 200
        assert "Set-Cookie" not in resp.headers
    seq = (await api.hall())["seq"]
    for cookie in (f"token={token}", f"session={token}", f"Authorization=Bearer {token}",
                   f"callnext-token={token}; token={token}"):  # fmt: skip
        for method, path in (("GET", "/api/v1/me"), ("POST", W1 + "/call-next")):
            status, body, _ = await raw(api, method, path, headers={"Cookie": cookie})
            assert (status, body["error"]["code"]) == (401, "missing_token"), (cookie, path)
    assert (await api.hall())["seq"] == seq, "a cookie-carried call changed the hall"


@pytest.mark.parametrize("media", FORM_TYPES)
async def test_json_endpoints_refuse_what_a_cross_site_form_can_send(api: Api, media: str) -> None:
    """A well-formed JSON body labelled as a form or text/plain is 415 unsupported_media_type
    and changes nothing: issuing, logging in, a staff action, a manager's change."""
    w1, manager = await api.login("w1"), await api.login("manager")
    await api.issue("A")
    seq, tickets = (await api.hall())["seq"], await api.day_tickets()
    calls = [
        ("POST", TICKETS, {"service": "A"}, None),
        ("POST", "/api/v1/login", {"username": "w1", "password": "demo"}, None),
        ("POST", W1 + "/call-next", {"finish": "completed"}, w1),
        ("POST", W1 + "/pause", {"reason": "lunch"}, w1),
        ("PATCH", "/api/v1/halls/demo/settings", {"notice": "forged"}, manager),
    ]
    for method, path, body, tok in calls:
        headers = {"Content-Type": media, **({"Authorization": f"Bearer {tok}"} if tok else {})}
        data = json.dumps(body).encode()
        status, answer, _ = await raw(api, method, path, data=data, headers=headers)
        assert status == 415, (path, answer)
        assert answer["error"]["code"] == "unsupported_media_type", answer
    assert (await api.hall())["seq"] == seq
    assert await api.day_tickets() == tickets
    status, settings = await api.request("GET", "/api/v1/halls/demo/settings", token=manager)
    assert status == 200
    assert settings.get("notice") != "forged", settings


async def test_json_as_json_works_and_bodiless_calls_keep_working(api: Api) -> None:
    """application/json (with a charset) and any +json type are JSON; a bodiless call-next works
    with no Content-Type or any (it carries nothing to forge)."""
    w1 = await api.login("w1")
    for headers in ({"Content-Type": "application/json; charset=utf-8"},
                    {"Content-Type": "application/merge-patch+json"}):  # fmt: skip
        status, body, _ = await raw(api, "POST", TICKETS, data=b'{"service": "B"}', headers=headers)
        assert status == 201, (headers, body)
    for headers in ({}, {"Content-Type": "application/x-www-form-urlencoded"}):
        status, body, _ = await raw(
            api, "POST", W1 + "/call-next", headers={**headers, "Authorization": f"Bearer {w1}"}
        )
        assert status == 200, body
    status, body, _ = await raw(  # malformed stays 400, whatever it was labelled
        api, "POST", TICKETS, data=b"service=A", headers={"Content-Type": FORM_TYPES[0]}
    )
    assert (status, body["error"]["code"]) == (400, "malformed_json")


async def test_every_json_body_endpoint_refuses_a_body_without_content_type(
    api: Api, db_url: str
) -> None:
    """Issue 20.6: a body with no Content-Type was taken as JSON, and that is what a page on
    another site sends with `fetch(url, {method: "POST", mode: "no-cors", body: new Blob([…])})`
    (a Blob with no type: no header at all). Every operation of the OpenAPI document that takes
    a body answers 415 unsupported_media_type to a well-formed one without the header, as the
    admin (who passes every role check), and nothing changes."""
    await add_north_hall(db_url)
    await add_admin(db_url)
    matrix = Matrix(api)
    await matrix.setup()
    admin = matrix.tokens["admin"]
    with_body = [
        op for op in operations()
        if "requestBody" in document()["paths"][op.template][op.method]
        and op.template != "/api/v1/logout"
    ]  # fmt: skip
    assert len(with_body) > 15, [op.template for op in with_body]
    for op in with_body:
        before = await matrix.state()
        data = json.dumps(matrix.body(op) or {}).encode()
        headers = {"Authorization": f"Bearer {admin}"}
        status, answer, _ = await raw(api, op.method.upper(), matrix.url(op), data=data,
                                      headers=headers)  # fmt: skip
        label = f"{op.method.upper()} {op.template}"
        assert (status, answer["error"]["code"]) == (415, "unsupported_media_type"), (label, answer)
        assert await matrix.state() == before, label
        headers["Content-Type"] = "application/json"  # the same, labelled: goes through
        status, answer, _ = await raw(api, op.method.upper(), matrix.url(op), data=data,
                                      headers=headers)  # fmt: skip
        assert status != 415, (label, answer)


async def test_no_cors_headers_so_a_cross_site_page_cannot_read_or_send_json(api: Api) -> None:
    """No Access-Control-* header on any answer, preflight included: a browser lets no other
    origin read an answer, nor send Authorization or a JSON body (both need a preflight)."""
    token = await api.login("manager")
    evil = {"Origin": "https://evil.example"}
    preflight = {**evil, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}  # fmt: skip
    json_evil = {**evil, "Content-Type": "application/json"}
    answers = [
        await raw(api, "OPTIONS", TICKETS, headers=preflight),
        await raw(api, "OPTIONS", W1 + "/call-next", headers=preflight),
        await raw(api, "GET", "/api/v1/halls/demo", headers=evil),
        await raw(api, "GET", TICKETS, headers={**evil, "Authorization": f"Bearer {token}"}),
        await raw(api, "POST", TICKETS, data=b'{"service": "A"}', headers=json_evil),
    ]
    for status, _, headers in answers:
        assert status < 500
        assert not [h for h in headers if h.lower().startswith("access-control-")], headers
    assert answers[0][0] == 405  # no preflight is ever granted


async def test_csp_and_permissions_policy_on_every_kind_of_answer(api: Api) -> None:
    """Pages, JSON, errors, the QR images: each answer carries every security header once."""
    ticket = await api.issue("A")
    await enable_booking(api)
    booked = await book(api, (await slots(api))[0]["start"])
    paths = ["/", "/halls/demo/kiosk", "/halls/demo/display", "/halls/demo/windows/1/display",
             "/halls/demo/staff", "/halls/demo/dashboard", "/halls/demo/settings",
             f"/t/{ticket['id']}", f"/t/{ticket['id']}/qr.svg", "/api/v1/halls/demo",
             "/api/v1/nowhere", "/static/shared/protocol.js", "/halls/demo/book",
             f"/a/{booked['id']}", f"/a/{booked['id']}/qr.svg", "/a/nosuchbooking"]  # fmt: skip
    for path in paths:
        async with api.session.get(api.base + path) as resp:
            assert resp.status in (200, 404), path
            for name, value in SECURITY_HEADERS.items():
                assert resp.headers.getall(name, []) == [value], (path, name)
    policy = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert (policy["script-src"], policy["style-src"]) == ("'self'", "'self'")  # no inline
    assert (policy["frame-ancestors"], policy["object-src"]) == ("'none'", "'none'")


CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


class Watched:
    """Pages whose CSP violations and console errors are collected."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages: list[Any] = []

    async def open(self, browser: Any, url: str, permissions: tuple[str, ...] = ()) -> Any:
        context = await browser.new_context(
            viewport={"width": 1280, "height": 800}, permissions=list(permissions)
        )
        await context.add_init_script(CSP_WATCH)
        page = await context.new_page()
        page.set_default_timeout(10000)
        page.on("console", lambda m: self.console(url, m))
        page.on("pageerror", lambda e: self.problems.append(f"{url}: page error {e}"))
        await page.goto(url)
        self.pages.append((url, page))
        return page

    def console(self, url: str, message: Any) -> None:
        if re.search(r"Content.Security.Policy|Permissions.Policy|Refused to", message.text):
            self.problems.append(f"{url}: console {message.type}: {message.text}")

    async def violations(self) -> list[str]:
        found = list(self.problems)
        for url, page in self.pages:
            found += [f"{url}: {v}" for v in await page.evaluate("window.__csp")]
        return found


@pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_every_page_runs_under_the_csp_without_a_violation(api: Api) -> None:
    """Each page in Chromium, used a little (a ticket taken at the kiosk with its QR code, an
    appointment checked in there, the phone page with its service worker, a booking made on the
    booking page with its QR code, a call shown and chimed on the screens, the staff console,
    dashboard and settings logged in): no CSP or Permissions-Policy violation, no script error.
    The watch itself is shown to catch an inline script."""
    ticket = await api.issue("A")
    await enable_booking(api)
    booked = await book(api, (await slots(api))[0]["start"])
    watched = Watched()
    async with launch(autoplay=True, full=True) as browser:
        await watched.open(browser, api.base + "/")
        kiosk = await watched.open(browser, api.base + "/halls/demo/kiosk")
        await kiosk.click(".service[data-code='B']")
        await kiosk.wait_for_selector("#ticket", state="visible")
        await kiosk.click("#done")
        await kiosk.click("#checkin-entry")
        await kiosk.click(f"#checkin-keys .key[data-key='{booked['code'][0]}']")
        await kiosk.keyboard.type(booked["code"][1:])
        await kiosk.keyboard.press("Enter")
        await kiosk.wait_for_selector(":is(#ticket, #checkin-msg):not([hidden])")
        phone_book = await watched.open(browser, api.base + "/halls/demo/book")
        await phone_book.click("#days label:not(.full)")
        await phone_book.click("#slots label:not(.full)")
        await phone_book.click("#book")
        await wait_js(phone_book, "document.querySelector('#b-qr').naturalWidth > 0")
        await watched.open(browser, api.base + f"/a/{booked['id']}")
        # notifications allowed: the phone page registers its service worker
        phone = await watched.open(browser, api.base + f"/t/{ticket['id']}", ("notifications",))
        await wait_js(phone, "navigator.serviceWorker.getRegistration('/static/phone/')")
        lobby = await watched.open(browser, api.base + "/halls/demo/display?mode=chime")
        await watched.open(browser, api.base + "/halls/demo/windows/1/display?mode=chime")
        await lobby.click("body")
        assert (await api.window(1, "call-next"))[0] == 200
        for path, user in (("staff", "w2"), ("dashboard", "manager"), ("settings", "manager")):
            page = await watched.open(browser, api.base + f"/halls/demo/{path}")
            await page.wait_for_selector("#login-view:not([hidden])")
            await submit_login(page, user)
            await page.wait_for_selector("#login-view", state="hidden")
        await wait_js(lobby, "document.querySelector('#recent li:not([hidden])') !== null")
        assert await watched.violations() == []  # the call reached the screens, consoles loaded
        await kiosk.evaluate("""() => {  // an inline script, as an injection would add one
            const s = document.createElement("script");
            s.textContent = "window.__inline = 1";
            document.head.append(s);
        }""")

        async def refused() -> bool:
            return bool(await watched.violations())

        await wait_until(refused, timeout=30)  # the inline script is reported, not run
        assert await kiosk.evaluate("window.__inline") is None
        found = await watched.violations()
        assert all("script-src" in v or "Refused" in v for v in found), found


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_logs_hold_no_token_password_or_ticket_id(db_url: str) -> None:
    """A server with its access log on: log in, act with the token, fail logins, set a
    password, issue, read, open and cancel tickets, watch the stream. Its whole output names
    none of the tokens, passwords, ticket ids, Idempotency-Keys or kiosk keys (the kiosk's setup
    link opened, a ticket issued with its key), yet logs every request."""
    server = ServerProcess(db_url, None, "--access-log")
    server.start()
    secrets: list[str] = []
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(server.base, session)
            manager = await api.login("manager")
            password = "Probe-Secret-9f3a"
            user = {"role": "staff", "password": password}
            status, _ = await api.request(
                "PUT", "/api/v1/halls/demo/users/probe", user, token=manager
            )
            assert status == 201
            probe = await api.login("probe", password)
            for wrong in ("Wrong-Guess-71c2", "Wrong-Guess-0b9e"):
                status, _ = await api.request(
                    "POST", "/api/v1/login", {"username": "probe", "password": wrong}
                )
                assert status == 401
                secrets.append(wrong)
            key = "Kiosk-Key-5d1f7a"
            tickets = [await api.issue("A", key=key), await api.issue("B"), await api.issue("A")]
            async with session.ws_connect(api.ws_base + "/ws/v1/halls/demo") as ws:
                await ws.receive(FRAME_WAIT_S)
                status, _ = await api.request("POST", W1 + "/call-next", token=probe)
                assert status == 200
                await ws.receive(FRAME_WAIT_S)
            kiosk = "/api/v1/halls/demo/kiosks/K1"
            assert (await api.request("PUT", kiosk, {"name": "Door"}, token=manager))[0] == 201
            made = (await api.request("POST", kiosk + "/key", token=manager))[1]
            assert (await api.request("GET", made["setup_url"].removeprefix(api.base)))[0] == 200
            issued = await api.request(
                "POST", "/api/v1/halls/demo/tickets", {"service": "C", "kiosk": "K1"},
                headers={"X-Kiosk-Key": made["key"]},
            )  # fmt: skip
            assert issued[0] == 201
            tickets.append(issued[1])
            secrets.append(made["key"])
            for t in tickets:
                assert (await api.request("GET", f"/api/v1/tickets/{t['id']}"))[0] == 200
                assert (await api.request("GET", f"/t/{t['id']}"))[0] == 200
                assert (await api.request("GET", f"/t/{t['id']}/qr.svg"))[0] == 200
            cancel = f"/api/v1/tickets/{tickets[1]['id']}/cancel"
            assert (await api.request("POST", cancel))[0] == 200
            assert (await api.request("POST", "/api/v1/tickets/no-such-id-3e8/cancel"))[0] == 404
            assert (await api.request("GET", "/api/v1/me", token=manager))[0] == 200
            assert (await api.request("POST", "/api/v1/logout", token=probe))[0] == 200
            assert (await api.request("GET", "/api/v1/me", token=probe))[0] == 401
            secrets += [manager, probe, password, key, "no-such-id-3e8"]
            secrets += [t["id"] for t in tickets]
    finally:
        server.stop()
    output = "".join(server.output)
    for secret in secrets:
        assert secret not in output, f"{secret!r} is in the server's output"
    access = [line for line in server.output if "aiohttp.access" in line]
    assert any('"POST /api/v1/tickets/{id}/cancel" 200' in line for line in access), output
    assert any('"GET /t/{id}/qr.svg" 200' in line for line in access), output
    assert any('"GET /halls/demo/kiosk?key&kiosk" 200' in line for line in access), output
    assert sum('"POST /api/v1/login" 401' in line for line in access) == 2, output
    assert any('"GET /ws/v1/halls/demo" 101' in line for line in access), output
