"""Small hardening fixes (issue 20.6), each against a real server on SQLite and PostgreSQL:
numbers in URLs are ASCII digits only; an admin manages an admin account bound to a hall; a
missing static file is a clear 404; names that start a formula are text in the CSV and XLSX
exports; the hall's "staff bound to windows" switch is settable, audited and enforced. (The
Content-Type rule is in test_security.py, names in the pages' config in
test_settings_page.py.)"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from callnext.domain.model import Role
from callnext.reports import export as report_export
from callnext.store import accounts
from callnext.store.database import Database

from ..booking import enable_booking
from ..browser import chromium_missing, launch, submit_login
from ..helpers import Api

HALL = "/api/v1/halls/demo"
NOT_ASCII_DIGITS = ("²", "٣", "３")  # superscript two, Arabic-Indic three, fullwidth three
# The query's parsing refuses them all before any storage; the answered ASCII read (SQL) is the
# same for each, so it runs on both engines once ("²") and the other two on SQLite only.
DIGITS_ROWS = [
    NOT_ASCII_DIGITS[0],
    *(pytest.param(d, marks=pytest.mark.engine_independent) for d in NOT_ASCII_DIGITS[1:]),
]


@pytest.mark.parametrize("digits", DIGITS_ROWS)
@pytest.mark.parametrize(
    ("path", "code"),
    [
        (HALL + "/ratings?max_score={}", "bad_max_score"),
        (HALL + "/ratings?window={}", "bad_window"),
        (HALL + "/audit?limit={}", "bad_limit"),
        ("/ws/v2/halls/demo?since={}", "bad_since"),
        ("/ws/v1/halls/demo?since={}", "bad_since"),
    ],
)
async def test_numbers_in_the_query_are_ascii_digits(
    api: Api, path: str, code: str, digits: str
) -> None:
    """`"²".isdigit()` is true (and int() then raised: a 500), int("٣") is 3: each query number
    is read by one helper (web/parse.whole_number) that takes ASCII digits only → 400."""
    token = await api.login("manager")
    status, body = await api.request("GET", path.format(digits), token=token)
    assert (status, body["error"]["code"]) == (400, code), body
    status, body = await api.request("GET", path.format("1" + digits), token=token)
    assert (status, body["error"]["code"]) == (400, code), body
    if "ws" not in path:  # the same parameter with ASCII digits is answered
        assert (await api.request("GET", path.format("3"), token=token))[0] == 200


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))  # type: ignore[no-any-return]


async def test_pages_read_only_ascii_digits_from_the_query(api: Api) -> None:
    """The pages fall back to their default (a page never answers 400 for its query)."""
    for value, expected in (("30", 30), ("٣٠", 12), ("3²", 12), ("+30", 12)):
        async with api.session.get(f"{api.base}/halls/demo/kiosk?return={value}") as resp:
            assert resp.status == 200
            assert page_config(await resp.text())["return_s"] == expected, value
    for value, expected in (("2026-03-01", "2026-03-01"), ("2026-0٣-01", None)):
        async with api.session.get(f"{api.base}/halls/demo/dashboard?date={value}") as resp:
            assert resp.status == 200
            assert page_config(await resp.text())["date"] == expected, value


# -- admin accounts bound to a hall ----------------------------------------------------------


async def add_admins(db_url: str) -> None:
    """`root`, an admin of every hall, and `hadmin`, an admin bound to the demo hall."""
    db = Database(db_url)
    try:
        await accounts.add_user(db, "root", "rootpass", Role.ADMIN, None)
        await accounts.add_user(db, "hadmin", "hadminpass", Role.ADMIN, "demo")
    finally:
        await db.close()


async def test_an_admin_changes_and_removes_an_admin_bound_to_a_hall(api: Api, db_url: str) -> None:
    """An admin account bound to a hall could be changed or removed by nobody: the check
    refused every change that did not set role admin, and every removal, whoever asked."""
    await add_admins(db_url)
    root, manager = await api.login("root", "rootpass"), await api.login("manager")
    user = HALL + "/users/hadmin"
    # The hall's manager still may not touch it.
    for method, body in (("PUT", {"password": "stolen-pass"}), ("PUT", {"disabled": True}),
                         ("DELETE", None)):  # fmt: skip
        status, answer = await api.request(method, user, body, token=manager)
        assert (status, answer["error"]["code"]) == (403, "wrong_role"), (method, body)
    first = {"username": "hadmin", "password": "hadminpass"}
    assert (await api.request("POST", "/api/v1/login", first))[0] == 200
    # An admin may: a new password, disabled and enabled again, demoted, removed.
    status, answer = await api.request("PUT", user, {"password": "new-hadmin-pass"}, token=root)
    assert status == 200, answer
    login = {"username": "hadmin", "password": "new-hadmin-pass"}
    assert (await api.request("POST", "/api/v1/login", login))[0] == 200
    status, answer = await api.request("PUT", user, {"disabled": True}, token=root)
    assert (status, answer["disabled"]) == (200, True), answer
    assert (await api.request("POST", "/api/v1/login", login))[0] == 401
    status, answer = await api.request("PUT", user, {"disabled": False, "role": "manager"},
                                       token=root)  # fmt: skip
    assert (status, answer["role"], answer["disabled"]) == (200, "manager", False), answer
    status, answer = await api.request("PUT", user, {"role": "admin"}, token=root)
    assert (status, answer["role"]) == (200, "admin"), answer
    status, answer = await api.request("DELETE", user, token=root)
    assert (status, answer) == (200, {"deleted": "hadmin"})
    status, answer = await api.request("GET", HALL + "/users", token=root)
    assert "hadmin" not in [u["username"] for u in answer["users"]]
    status, answer = await api.request("GET", HALL + "/audit", token=root)
    done = [(e["action"], e["actor"]) for e in answer["entries"] if e["action"].startswith("user.")]
    assert ("user.deleted", "root") in done, done
    assert ("user.changed", "root") in done, done


# -- static files --------------------------------------------------------------------------


async def test_a_missing_static_file_is_a_clear_404(api: Api) -> None:
    """aiohttp's static route answered a missing file with an empty application/octet-stream
    404; now a plain-text 404 that names the path (the API's stay JSON)."""
    missing = ("/static/shared/nope.js", "/static/kiosk/nope.css", "/sounds/nope.wav",
               "/static/shared/", "/static/kiosk/..%2F..%2F..%2Fpyproject.toml",
               "/static/shared/.hidden", "/static/shared/sub/..%2F..%2F..%2Fkiosk.html",
               "/static/displays/shared/base.css", "/static/nowhere/base.css")  # fmt: skip
    for path in missing:
        async with api.session.get(api.base + path) as resp:
            text = await resp.text()
            assert resp.status == 404, path
            assert resp.content_type == "text/plain", (path, resp.content_type)
            assert text.startswith("404 Not Found: /"), (path, text)
    async with api.session.get(api.base + "/static/shared/%2E%2E/%2E%2E/lobby.html") as resp:
        assert resp.status == 404  # the URL normalised out of /static/shared/: no file there
    for path in ("/static/shared/protocol.js", "/static/phone/ticket.sw.js", "/sounds/chime.wav"):
        async with api.session.get(api.base + path) as resp:
            assert resp.status == 200, path
            assert len(await resp.read()) > 100, path
            assert resp.content_type != "application/octet-stream", path
    async with api.session.get(api.base + "/api/v1/nope") as resp:
        assert (resp.status, (await resp.json())["error"]["code"]) == (404, "not_found")


# -- the exports ----------------------------------------------------------------------------

FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(1)")


def test_a_formula_start_is_neutralised_and_nothing_else() -> None:
    """A tab or a CR first counts too (names are trimmed by the API, so only here); numbers,
    dates and plain text pass as they are."""
    for text in ("\t=1", "\r=1", "=1", "+1", "-1", "@x"):
        assert report_export.safe_text(text) == "'" + text
    for cell in (-1, -2.5, None, "2026-03-01", "不动产登记", "A001", "x=1"):
        assert report_export.safe_text(cell) == cell


async def test_names_that_start_a_formula_are_text_in_the_exports(api: Api) -> None:
    """A service or hall name starting with = + - @ (or a tab, a CR) was a live formula in the
    CSV and the XLSX: it goes out prefixed with ' (OWASP, CSV injection)."""
    manager = await api.login("manager")
    status, body = await api.request("PATCH", HALL + "/settings", {"name": "=1+1"}, token=manager)
    assert status == 200, body
    codes = ("F", "G", "H", "J")
    for code, name in zip(codes, FORMULAS, strict=True):
        status, body = await api.request("PUT", f"{HALL}/services/{code}", {"name": name},
                                         token=manager)  # fmt: skip
        assert status in (200, 201), body
        status, body = await api.request("PUT", f"{HALL}/windows/1", {"services": [code]},
                                         token=manager)  # fmt: skip
        assert status in (200, 201), body
        assert (await api.issue(code))["service"] == code
    await api.issue("A")  # and a plain name stays as it is
    headers = {"Authorization": f"Bearer {manager}"}
    # The export in words (the default) and the one for programs (raw=1) both escape them.
    async with api.session.get(f"{api.base}{HALL}/export?format=csv", headers=headers) as resp:
        worded = list(csv.DictReader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    risky_words = [row["业务"] for row in worded if row["业务"] != "不动产登记"]
    assert sorted(risky_words) == sorted("'" + name for name in FORMULAS)
    async with api.session.get(f"{api.base}{HALL}/export?format=xlsx", headers=headers) as resp:
        worded_book = load_workbook(io.BytesIO(await resp.read()))
    cells = [c for ws in worded_book.worksheets for line in ws.iter_rows() for c in line]
    assert not [c.value for c in cells if c.data_type == "f"], "no formula in the worded export"
    raw = f"{api.base}{HALL}/export?raw=1&format="
    async with api.session.get(raw + "csv", headers=headers) as resp:
        rows = list(csv.DictReader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    names = {row["service"]: row["service_name"] for row in rows}
    for code, name in zip(codes, FORMULAS, strict=True):
        assert names[code] == "'" + name, (code, names[code])
    assert names["A"] == "不动产登记"
    async with api.session.get(raw + "xlsx", headers=headers) as resp:
        book = load_workbook(io.BytesIO(await resp.read()))
    sheet = book["tickets"]
    header = [c.value for c in sheet[1]]
    column = header.index("service_name")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert {c.data_type for c in cells} == {"s"}, [(c.value, c.data_type) for c in cells]
    risky = [c.value for c in cells if c.value != "不动产登记"]
    assert sorted(risky) == sorted("'" + name for name in FORMULAS)
    services = book["services"]
    hall_row = [c for c in services[2]]
    assert (hall_row[2].value, hall_row[2].data_type) == ("'=1+1", "s")
    every = [c for row in book.worksheets for line in row.iter_rows() for c in line]
    assert not [c.value for c in every if c.data_type == "f"], "no formula anywhere"


async def test_control_characters_in_names_do_not_break_the_xlsx(api: Api) -> None:
    """XML cannot hold C0 controls but tab, LF and CR; openpyxl refused the whole workbook for
    one, so a name pasted with an escape (found by the fuzz under load) made every XLSX export
    of the hall a 500. They go out as U+FFFD; the CSV carries them as they are."""
    manager = await api.login("manager")
    name = "大厅\x1b[0m\x07"
    status, body = await api.request("PATCH", HALL + "/settings", {"name": name}, token=manager)
    assert status == 200, body
    status, body = await api.request("PUT", f"{HALL}/services/A", {"name": "不动产\x0b登记"},
                                     token=manager)  # fmt: skip
    assert status in (200, 201), body
    await api.issue("A")
    headers = {"Authorization": f"Bearer {manager}"}
    for query in ("format=xlsx", "raw=1&format=xlsx"):
        async with api.session.get(f"{api.base}{HALL}/export?{query}", headers=headers) as resp:
            assert resp.status == 200, await resp.text()
            book = load_workbook(io.BytesIO(await resp.read()))
        texts = {c.value for ws in book.worksheets for line in ws.iter_rows() for c in line}
        assert "大厅\ufffd[0m\ufffd" in texts, query
        assert "不动产\ufffd登记" in texts, query
    async with api.session.get(
        f"{api.base}{HALL}/export?raw=1&format=csv", headers=headers
    ) as resp:
        assert resp.status == 200
        assert "不动产\x0b登记" in (await resp.read()).decode("utf-8-sig")


# -- staff bound to their windows -----------------------------------------------------------


async def test_the_hall_binds_staff_to_their_windows_through_its_settings(api: Api) -> None:
    """bind_staff_to_windows was in the schema and enforced, but no API or CLI could set it:
    PATCH …/settings sets it (validated, audited); then w3 (window 3) gets 403 wrong_window on
    window 4 and still works its own; managers are not bound."""
    manager = await api.login("manager")
    settings = HALL + "/settings"
    status, body = await api.request("GET", settings, token=manager)
    assert (status, body["bind_staff_to_windows"]) == (200, False)
    await api.issue("A")
    status, body = await api.window(4, "pause", {"reason": "x"}, user="w3")
    assert status == 200, "not bound: anyone of the hall's staff acts on any window"
    status, body = await api.window(4, "resume", user="w3")
    assert status == 200, body
    status, body = await api.request("PATCH", settings, {"bind_staff_to_windows": "yes"},
                                     token=manager)  # fmt: skip
    assert (status, body["error"]["code"]) == (400, "wrong_type")
    status, body = await api.request("PATCH", settings, {"bind_staff_to_windows": True},
                                     token=manager)  # fmt: skip
    assert (status, body["bind_staff_to_windows"]) == (200, True), body
    for action, body in (("call-next", None), ("pause", {"reason": "x"}), ("recall", None)):
        status, answer = await api.window(4, action, body, user="w3")
        assert (status, answer["error"]["code"]) == (403, "wrong_window"), (action, answer)
    status, answer = await api.window(3, "call-next", user="w3")
    assert (status, answer["called"]["number"]) == (200, "A001"), answer
    status, answer = await api.window(4, "pause", {"reason": "x"}, user="manager")
    assert status == 200, answer
    status, body = await api.request("GET", HALL + "/audit", token=manager)
    changed = [e for e in body["entries"] if e["action"] == "settings.changed"]
    assert changed[0]["detail"] == {"bind_staff_to_windows": True}, changed
    assert changed[0]["actor"] == "manager"
    status, body = await api.request("PATCH", settings, {"bind_staff_to_windows": False},
                                     token=manager)  # fmt: skip
    assert status == 200, body
    assert (await api.window(4, "resume", user="w3"))[0] == 200


# -- names in the pages' config ---------------------------------------------------------------

EVIL = "大厅<!--<script>"  # `<!--<script>` put the config block in the "double escaped" state


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_name_with_a_comment_and_script_opener_leaves_the_pages_working(
    api: Api,
) -> None:
    """page_json escaped `</` only: a hall or service name holding `<!--<script>` made the
    parser read the rest of the page as script text, so the staff, dashboard, booking and
    settings pages came up blank. Every `<`, `>`, `&` (and U+2028/2029) is escaped now."""
    if chromium_missing() is not None:
        pytest.skip(chromium_missing() or "")
    manager = await api.login("manager")
    body = {"name": EVIL, "services": {}}
    status, answer = await api.request("PATCH", HALL + "/settings", body, token=manager)
    assert status == 200, answer
    status, answer = await api.request("PUT", HALL + "/services/A",
                                       {"name": "登记</script><!--<script>&\u2028"},
                                       token=manager)  # fmt: skip
    assert status == 200, answer
    await enable_booking(api)
    errors: list[str] = []
    async with launch() as browser:
        page = await browser.new_page(locale="zh-CN")
        page.on("pageerror", lambda e: errors.append(str(e)))
        for path, user, ready in (
            ("/halls/demo/staff", "w3", ".window-button[data-window='3']"),
            ("/halls/demo/dashboard", "manager", "#board-view:not([hidden])"),
            ("/halls/demo/settings", "manager", "#hall-form"),
            ("/halls/demo/book", None, "#services input[value='A']"),
        ):
            async with page.expect_response(lambda r: r.url.startswith(api.base)):
                await page.goto(api.base + path)
            config = await page.evaluate(
                "JSON.parse(document.getElementById('config').textContent)"
            )
            assert config.get("name", config.get("hall_name")) == EVIL, path
            modules = await page.evaluate("document.querySelectorAll('script[type=module]').length")
            assert modules >= 1, path  # the page's scripts are elements, not config text
            if user is not None:
                await submit_login(page, user, "demo")
            await page.wait_for_selector(ready, state="attached", timeout=8000)
            assert await page.evaluate("document.body.innerText.length") > 20, path
    assert not errors, errors
