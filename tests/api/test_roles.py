"""Who may do what: every operation of the API (the OpenAPI document, which test_openapi keeps
equal to the route table) × {anonymous, staff of the hall, staff of another hall, manager of the
hall, manager of another hall, admin}. A caller outside an operation's `x-roles` gets 401 (no
token) or 403; a staff member or manager of another hall gets 403 on this hall's operations; a
refused call changes nothing (the halls, the tickets, settings, accounts, kiosks, the audit
log). The callers it allows get past the checks (any answer but 401/403, never a 5xx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from callnext.domain.model import Role
from callnext.store import accounts
from callnext.store.database import Database
from callnext.web.openapi.document import document

from ..helpers import Api
from .test_api_auth import add_north_hall

METHODS = ("get", "post", "put", "patch", "delete")
CALLERS = {  # name → (username, password, role, hall); None: no token
    "anonymous": None,
    "staff": ("w1", "demo", "staff", "demo"),
    "staff_elsewhere": ("n1", "north-pass", "staff", "north"),
    "manager": ("manager", "demo", "manager", "demo"),
    "manager_elsewhere": ("nmanager", "north-pass", "manager", "north"),
    "admin": ("root", "rootpass", "admin", None),
}
# Values for the path parameters: the demo hall, and throwaway names where a call creates or
# deletes (service Q, window 9, account probe, kiosk KX) so the hall keeps working.
PARAMS = {"hall": "demo", "code": "Q", "username": "probe", "kiosk": "KX", "lang": "zh",
          "name": "none.wav"}  # fmt: skip
NEW_HALL = {"hall": "probe", "name": "探针", "name_en": "Probe", "timezone": "Asia/Shanghai"}
BODIES = {
    ("post", "/api/v1/halls"): NEW_HALL,
    ("post", "/api/v1/login"): {"username": "w1", "password": "demo"},
    ("post", "/api/v1/halls/{hall}/tickets"): {"service": "A"},
    ("patch", "/api/v1/halls/{hall}/settings"): {"notice": "probe"},
    ("put", "/api/v1/halls/{hall}/services/{code}"): {"name": "Q"},
    ("put", "/api/v1/halls/{hall}/windows/{n}"): {"services": ["A"]},
    ("put", "/api/v1/halls/{hall}/users/{username}"): {"role": "staff", "password": "probe-pw"},
    ("put", "/api/v1/halls/{hall}/kiosks/{kiosk}"): {"print": "browser"},
    ("patch", "/api/v1/halls/{hall}/booking"): {"enabled": True, "checkin_late_min": 20},
    ("put", "/api/v1/halls/{hall}/services/{code}/booking"): {"enabled": True},
    ("post", "/api/v1/halls/{hall}/appointments"): {
        "service": "A",
        "start": "2020-01-01T09:00:00+08:00",
    },
    ("post", "/api/v1/halls/{hall}/checkin"): {"code": "ZZZZZZZZ"},
}
ACTION_BODIES = {"call": {"number": "A002"}, "transfer": {"service": "B"},
                 "pause": {"reason": "probe"}, "finish": {"outcome": "completed"},
                 "assign": {"assignee": "manager"}, "resolve": {"note": "probe"}}  # fmt: skip


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    roles: tuple[str, ...] | None  # None: public

    def refuses(self, caller: str) -> int | None:
        """The status this operation must answer `caller`, or None where it lets them in."""
        if self.roles is None or self.template == "/api/v1/logout":
            return None if self.roles is None or caller != "anonymous" else 401
        who = CALLERS[caller]
        if who is None:
            return 401
        _, _, role, hall = who
        if role not in self.roles:
            return 403
        in_a_hall = "{hall}" in self.template or self.template.startswith("/api/v1/tickets/")
        if in_a_hall and hall not in (None, "demo"):
            return 403
        return None


def operations() -> list[Operation]:
    """Every operation of the document; deletions last (after the PUTs that create)."""
    ops = [
        Operation(method, path, tuple(op["x-roles"]) if op.get("x-roles") else None)
        for path, item in document()["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    return sorted(ops, key=lambda o: (o.method == "delete", o.template == "/api/v1/logout"))


async def add_admin(db_url: str) -> None:
    db = Database(db_url)
    try:
        await accounts.add_user(db, "root", "rootpass", Role.ADMIN, None)
    finally:
        await db.close()


class Matrix:
    """The demo hall with a ticket of each kind, the callers' tokens, and the state a refused
    call must leave as it was."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.tokens: dict[str, str | None] = {}
        self.ids: dict[str, str] = {}
        self.followup = 0

    async def setup(self) -> None:
        api = self.api
        for name, who in CALLERS.items():
            self.tokens[name] = None if who is None else await api.login(who[0], who[1])
        waiting = await api.issue("A")
        pending = await api.issue("B")
        await api.issue("A")
        cancel = await api.issue("C")  # C waits for windows 7 and 8, which nobody works here
        assert (await api.window(5, "call-next"))[1]["called"]["id"] == pending["id"]
        assert (await api.window(5, "finish", {"outcome": "pending"}))[0] == 200
        self.ids = {"waiting": waiting["id"], "pending": pending["id"], "cancel": cancel["id"]}
        rated = await api.request("POST", f"/api/v1/tickets/{pending['id']}/rating", {"score": 1})
        assert rated[0] == 201, rated  # a 差评: its follow-up is what the follow-up calls work
        status, body = await api.request(
            "GET", "/api/v1/halls/demo/followups", token=self.tokens["manager"]
        )
        assert status == 200, body
        self.followup = body["followups"][0]["id"]

    def url(self, op: Operation) -> str:
        n = "9" if op.template.endswith("/windows/{n}") else "1"
        end = op.template.rsplit("/", 1)[-1]
        ticket = self.ids[{"complete": "pending", "cancel": "cancel"}.get(end, "waiting")]
        return op.template.format(**PARAMS, n=n, id=ticket, followup=self.followup)

    def body(self, op: Operation) -> Any:
        if (op.method, op.template) in BODIES:
            return BODIES[op.method, op.template]
        action = op.template.rsplit("/", 1)[-1]
        return ACTION_BODIES.get(action, {} if op.method == "post" else None)

    async def state(self) -> list[Any]:
        token = self.tokens["admin"]
        got = []
        for path in ("/api/v1/halls", "/api/v1/halls/demo/tickets", "/api/v1/halls/demo/settings",
                     "/api/v1/halls/demo/users", "/api/v1/halls/demo/kiosks",
                     "/api/v1/halls/demo/audit", "/api/v1/halls/north/tickets",
                     "/api/v1/halls/demo/booking", "/api/v1/halls/demo/appointments",
                     "/api/v1/halls/demo/followups?state=all"):  # fmt: skip
            status, body = await self.api.request("GET", path, token=token)
            assert status == 200, (path, body)
            for ticket in body.get("tickets", []) if isinstance(body, dict) else []:
                # an estimate moves with the clock while a staffed window serves a ticket
                ticket.pop("est_wait_s", None)
            got.append(body)
        for hall in ("demo", "north"):
            snapshot = await self.api.hall(hall)
            got.append((snapshot["seq"], [w["status"] for w in snapshot["windows"]]))
        return got

    async def call(self, op: Operation, caller: str) -> tuple[int, Any]:
        token = self.tokens[caller]
        if op.template == "/api/v1/logout" and caller != "anonymous":
            who = CALLERS[caller]
            assert who is not None
            _, body = await self.api.request(
                "POST", "/api/v1/login", {"username": who[0], "password": who[1]}
            )
            token = body["token"]  # a token of its own: the others stay valid
        return await self.api.request(op.method.upper(), self.url(op), self.body(op), token=token)


SHARDS = 4  # the operations, dealt out to this many tests, each on a hall of its own: the
# suite's workers run them side by side (one test took 45-135 s, the fast stage's longest)


@pytest.mark.parametrize("shard", range(SHARDS))
async def test_every_operation_for_every_role(api: Api, db_url: str, shard: int) -> None:
    await add_north_hall(db_url)
    await add_admin(db_url)
    matrix = Matrix(api)
    await matrix.setup()
    ops = operations()
    assert len(ops) > 40
    table: dict[tuple[str, str], dict[str, int]] = {}
    for op in ops[shard::SHARDS]:
        row = table.setdefault((op.method.upper(), op.template), {})
        for caller in CALLERS:  # the refused first, each against the state it must keep
            expected = op.refuses(caller)
            if expected is None:
                continue
            before = await matrix.state()
            status, body = await matrix.call(op, caller)
            label = f"{op.method.upper()} {op.template} as {caller}"
            assert status == expected, (label, status, body)
            assert body["error"]["code"] in (
                ("missing_token", "bad_token") if expected == 401 else ("wrong_role", "wrong_hall")
            ), (label, body)
            assert await matrix.state() == before, f"{label} was refused but changed the state"
            row[caller] = status
        for caller in CALLERS:
            if op.refuses(caller) is not None:
                continue
            status, body = await matrix.call(op, caller)
            label = f"{op.method.upper()} {op.template} as {caller}"
            assert status < 500, (label, status, body)
            assert status not in (401, 403), (label, status, body)
            row[caller] = status
    for (method, template), row in table.items():  # the matrix, in the test's output
        print(f"{method:6} {template:55} " + " ".join(f"{c}={s}" for c, s in row.items()))
    refused = sum(s in (401, 403) for row in table.values() for s in row.values())
    allowed_2xx = sum(200 <= s < 300 for row in table.values() for s in row.values())
    print(f"shard {shard}: {len(table)} operations, {refused} refused, {allowed_2xx} allowed 2xx")
    assert refused > 100 // SHARDS, refused
    assert allowed_2xx > 60 // SHARDS, allowed_2xx  # the allowed calls mostly did their job
