"""/ws/v2: the display stream with no ticket ids. On /ws/v1 (the contract) each ticket carries
its id for the hall's staff (a Bearer token on the upgrade), an id being all it takes to read or
cancel it; v2 sends the same frames, in the same seq order, without them, and so does v1 to
anyone else. callnext's own pages and speaker read v2. CALLNEXT_STREAM_V1=off closes v1 for a
hall whose screens all read v2 (test_ticket_ids_private.py: no anonymous answer has an id)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from callnext.live import protocol
from callnext.runtime.config import Settings

from ..hall_day import need_today
from ..helpers import ROOT, Api, frames, running_app

V1, V2 = "/ws/v1/halls/demo", "/ws/v2/halls/demo"


def strip_ids(value: Any) -> Any:
    """`value` with every ticket's id removed, computed independently of the server's code; and
    a ticket.rated frame without its `rating` (the score stays off v2: docs/ratings.md), a
    followup.changed frame without its `followup`; an appointment's event without its code
    (docs/appointments.md)."""
    if isinstance(value, dict):
        is_ticket = "number" in value and "status" in value
        rated = value.get("event") == protocol.TICKET_RATED
        followed = value.get("event") == protocol.FOLLOWUP_CHANGED
        booked = str(value.get("event", "")).startswith("appointment.")
        out = {k: strip_ids(v) for k, v in value.items()
               if not (is_ticket and k == "id") and not (rated and k == "rating")
               and not (followed and k == "followup")}  # fmt: skip
        if booked:
            out["appointment"] = {k: v for k, v in out["appointment"].items() if k != "code"}
        return out
    if isinstance(value, list):
        return [strip_ids(v) for v in value]
    return value


def has_ids(value: Any) -> bool:
    return '"id":' in json.dumps(value)


async def act(api: Api) -> list[dict[str, Any]]:
    """Every kind of change, so that every kind of frame goes out."""
    a1, _a2, b1 = await api.issue("A"), await api.issue("A"), await api.issue("B")
    await api.window(1, "call-next")
    await api.window(1, "recall")
    await api.window(1, "call-next", {"finish": "pending"})
    await api.window(1, "transfer", {"service": "B"})
    await api.request("POST", f"/api/v1/tickets/{b1['id']}/cancel")
    token = await api.login("w1")
    await api.request("POST", f"/api/v1/tickets/{a1['id']}/complete", token=token)
    await api.request("POST", f"/api/v1/tickets/{a1['id']}/rating", {"score": 1})
    manager = await api.login("manager")  # its follow-up (差评回访), noted: followup.changed
    _s, listed = await api.request("GET", "/api/v1/halls/demo/followups", token=manager)
    path = f"/api/v1/halls/demo/followups/{listed['followups'][0]['id']}/contacted"
    await api.request("POST", path, {"note": "13800000000 已联系"}, token=manager)
    await api.window(2, "pause", {"reason": "lunch"})
    await api.window(2, "resume")
    await api.request("PATCH", "/api/v1/halls/demo/settings", {"notice": "hi"},
                      token=await api.login("manager"))  # fmt: skip
    await api.request("POST", "/api/v1/halls/demo/windows/3/take", token=token)
    await api.request("POST", "/api/v1/halls/demo/windows/3/release", token=token)
    await book_cancel_book_and_check_in(api)
    return [a1, b1]


async def book_cancel_book_and_check_in(api: Api) -> None:
    """appointment.booked, .cancelled, .booked, ticket.issued, appointment.checked_in."""
    need_today(timedelta(minutes=30))  # the first slot must be today's to check in now
    manager = await api.login("manager")
    hall = "/api/v1/halls/demo"
    await api.request("PATCH", hall + "/booking", {"enabled": True, "checkin_early_min": 240},
                      token=manager)  # fmt: skip
    await api.request("PUT", hall + "/services/C/booking", {"enabled": True, "capacity": 2},
                      token=manager)  # fmt: skip
    _s, days = await api.request("GET", hall + "/slots?service=C")
    _s, slots = await api.request("GET", f"{hall}/slots?service=C&day={days['days'][0]['day']}")
    start = {"service": "C", "start": slots["slots"][0]["start"]}
    _s, gone = await api.request("POST", hall + "/appointments", start)
    await api.request("POST", f"/api/v1/appointments/{gone['id']}/cancel")
    _s, made = await api.request("POST", hall + "/appointments", start)
    status, body = await api.request("POST", hall + "/checkin", {"code": made["code"]})
    assert status == 201, body


async def test_v2_sends_v1s_frames_without_ticket_ids(api: Api) -> None:
    await api.issue("C")
    await api.window(7, "call-next")  # a current ticket in the snapshot
    staff = await api.staff_headers()
    async with (
        api.session.ws_connect(api.ws_base + V1, headers=staff) as v1,
        api.session.ws_connect(api.ws_base + V2) as v2,
        api.session.ws_connect(api.ws_base + V1) as anonymous,
    ):
        [snap1], [snap2] = await frames(v1, 1), await frames(v2, 1)
        [snap_anonymous] = await frames(anonymous, 1)
        tickets = await act(api)
        events1, events2 = await frames(v1, 22), await frames(v2, 22)
        events_anonymous = await frames(anonymous, 22)
    assert (snap_anonymous, events_anonymous) == (snap2, events2)  # v1 without a token is v2
    window7 = next(w for w in snap1["hall"]["windows"] if w["number"] == 7)
    assert "id" in window7["current"]  # v1 keeps the contract
    assert snap2 == strip_ids(snap1)
    assert not has_ids(snap2)
    assert [f["seq"] for f in events2] == [f["seq"] for f in events1]
    assert events2 == strip_ids(events1)
    assert not has_ids(events2)
    assert {f["event"] for f in events2} == protocol.EVENT_NAMES
    rated = [f for f in events1 if f["event"] == protocol.TICKET_RATED]
    assert [f["rating"]["score"] for f in rated] == [1]  # v1 carries the score, v2 does not
    followed = [f for f in events1 if f["event"] == protocol.FOLLOWUP_CHANGED]
    assert [f["followup"]["state"] for f in followed] == ["contacted"]  # v1 only
    assert "13800000000" not in json.dumps(events1)  # the note is on no stream
    text2 = json.dumps(events2)
    for ticket in tickets:
        assert ticket["id"] not in text2


async def test_a_v2_replay_has_no_ids_either(api: Api) -> None:
    await act(api)
    async with api.session.ws_connect(api.ws_base + V2, params={"since": "0"}) as v2:
        replay = await frames(v2, 19)
    staff = await api.staff_headers()
    async with api.session.ws_connect(api.ws_base + V1, params={"since": "0"}, headers=staff) as v1:
        original = await frames(v1, 19)
    assert replay == strip_ids(original)
    assert not has_ids(replay)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_stream_v1_can_be_switched_off(db_url: str) -> None:
    settings = Settings(
        db_url=db_url, demo=True, demo_all_day=True, rate_limits=None, stream_v1=False
    )
    async with running_app(settings) as api:
        async with api.session.get(api.base + V1) as resp:
            assert resp.status == 403
            assert (await resp.json())["error"]["code"] == "stream_v1_disabled"
        async with api.session.ws_connect(api.ws_base + V2) as v2:
            [snap] = await frames(v2, 1)
            assert snap["type"] == "snapshot"
            await api.issue("A")
            [event] = await frames(v2, 1)
            assert event["event"] == "ticket.issued"
            assert "id" not in event["ticket"]


def test_the_pages_and_the_speaker_read_v2() -> None:
    protocol_js = (ROOT / "displays" / "static" / "shared" / "protocol.js").read_text()
    assert "/ws/v2/halls/" in protocol_js
    assert "/ws/v1/" not in protocol_js
    from callnext.voice.speaker import stream_url

    assert "/ws/v2/halls/demo" in stream_url("http://hall", "demo", None)


async def test_both_channels_get_every_event_once_in_the_same_order(api: Api) -> None:
    """v1 (the staff's) and v2 are two flows of one hall: concurrent issues reach each exactly
    once."""
    staff = await api.staff_headers()
    async with (
        api.session.ws_connect(api.ws_base + V1, headers=staff) as v1,
        api.session.ws_connect(api.ws_base + V2) as v2,
    ):
        await frames(v1, 1)
        await frames(v2, 1)
        await asyncio.gather(*(api.issue("A") for _ in range(20)))
        got1, got2 = await frames(v1, 20), await frames(v2, 20)
    assert [f["seq"] for f in got1] == [f["seq"] for f in got2]
    assert sorted(f["ticket"]["number"] for f in got2) == [f"A{i:03d}" for i in range(1, 21)]
