"""The display stream's frames (protocol.py): ticket bodies, event frames, the encoding."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from callnext.domain.model import Hall, Outcome, Status, Ticket
from callnext.live import protocol

TZ = "Asia/Shanghai"
ISSUED = datetime(2026, 11, 26, 1, 30, 0, 123456, tzinfo=UTC)  # 09:30:00.123456 in Shanghai


def ticket(**fields: Any) -> Ticket:
    base: dict[str, Any] = {
        "id": "x7Kp2", "hall": "demo", "number": "A001", "service": "A", "priority": False,
        "status": Status.WAITING, "issued_at": ISSUED, "day": "2026-11-26",
    }  # fmt: skip
    return Ticket(**{**base, **fields})


CALLED = ticket(
    status=Status.CALLED, window=3, called_at=ISSUED + timedelta(minutes=5),
    last_called_at=ISSUED + timedelta(minutes=5),
)  # fmt: skip


def test_ticket_json_has_the_contract_fields() -> None:
    body = protocol.ticket_json(CALLED, TZ)
    contract = {"id", "hall", "number", "service", "priority", "status", "outcome", "window",
                "issued_at", "called_at", "finished_at", "completed_at", "recalls"}  # fmt: skip
    assert contract <= set(body)
    assert body["status"] == "called"
    assert body["window"] == 3
    assert body["outcome"] is None
    assert (body["number"], body["service"], body["priority"]) == ("A001", "A", False)


def test_ticket_json_waiting_carries_ahead_and_wait() -> None:
    body = protocol.ticket_json(ticket(), TZ, ahead=4, est_wait_s=360)
    assert (body["ahead"], body["est_wait_s"]) == (4, 360)
    assert body["window"] is None


def test_ticket_json_waiting_defaults_ahead_to_zero_and_has_no_estimate_without_one() -> None:
    """A waiting ticket keeps the key `est_wait_s`; null when no staffed window serves it."""
    body = protocol.ticket_json(ticket(), TZ)
    assert (body["ahead"], body["est_wait_s"]) == (0, None)


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.WAITING])
def test_ticket_json_drops_ahead_once_not_waiting(status: Status) -> None:
    body = protocol.ticket_json(ticket(status=status), TZ, ahead=4, est_wait_s=360)
    assert "ahead" not in body
    assert "est_wait_s" not in body
    assert body["status"] == status.value


def test_times_are_rfc3339_in_the_hall_offset() -> None:
    done = ticket(
        status=Status.DONE, outcome=Outcome.COMPLETED, window=3,
        called_at=datetime(2026, 11, 26, 1, 35, tzinfo=UTC),
        finished_at=datetime(2026, 11, 26, 16, 5, tzinfo=UTC),  # 00:05 the next local day
        completed_at=datetime(2026, 11, 26, 16, 5, tzinfo=UTC),
    )  # fmt: skip
    body = protocol.ticket_json(done, TZ)
    assert body["issued_at"] == "2026-11-26T09:30:00.123+08:00"
    assert body["called_at"] == "2026-11-26T09:35:00.000+08:00"
    assert body["finished_at"] == "2026-11-27T00:05:00.000+08:00"
    assert body["completed_at"] == body["finished_at"]
    assert body["outcome"] == "completed"
    parsed = datetime.fromisoformat(body["issued_at"])
    assert parsed.utcoffset() == timedelta(hours=8)
    assert parsed == ISSUED.replace(microsecond=123000)


def test_unset_times_are_null() -> None:
    body = protocol.ticket_json(ticket(), TZ)
    assert body["called_at"] is None
    assert body["finished_at"] is None
    assert body["completed_at"] is None


def test_another_timezone_gets_its_own_offset() -> None:
    body = protocol.ticket_json(ticket(), "Europe/Berlin")
    assert body["issued_at"] == "2026-11-26T02:30:00.123+01:00"


@pytest.mark.parametrize("name", [protocol.TICKET_CALLED, protocol.TICKET_RECALLED])
def test_calls_are_announced(name: str) -> None:
    frame = protocol.event_frame(
        12, "2026-11-26T09:35:00.000+08:00", name, ticket=protocol.ticket_json(CALLED, TZ), window=3
    )
    assert frame["announce"]["text"] == "请A001号到3号窗口办理"
    assert frame["announce"]["audio"] is None
    assert (frame["type"], frame["seq"], frame["event"], frame["window"]) == ("event", 12, name, 3)
    assert frame["at"] == "2026-11-26T09:35:00.000+08:00"
    assert frame["ticket"]["number"] == "A001"


@pytest.mark.parametrize("name", sorted(protocol.EVENT_NAMES - protocol.ANNOUNCED))
def test_other_events_are_not_announced(name: str) -> None:
    frame = protocol.event_frame(3, "…", name, ticket=protocol.ticket_json(CALLED, TZ), window=3)
    assert "announce" not in frame
    assert frame["event"] == name


def test_announce_uses_the_frames_window_number() -> None:
    body = protocol.ticket_json(ticket(number="B017", status=Status.CALLED, window=12), TZ)
    frame = protocol.event_frame(5, "…", protocol.TICKET_RECALLED, ticket=body, window=12)
    assert frame["announce"]["text"] == "请B017号到12号窗口办理"


def test_no_announce_without_ticket_or_window() -> None:
    no_ticket = protocol.event_frame(1, "…", protocol.TICKET_CALLED, ticket=None, window=3)
    body = protocol.ticket_json(CALLED, TZ)
    no_window = protocol.event_frame(1, "…", protocol.TICKET_CALLED, ticket=body, window=None)
    assert "announce" not in no_ticket
    assert "announce" not in no_window


def test_window_events_carry_extra_fields() -> None:
    frame = protocol.event_frame(
        8, "…", protocol.WINDOW_PAUSED, ticket=None, window=4, extra={"reason": "午休"}
    )
    assert frame["reason"] == "午休"
    assert (frame["ticket"], frame["window"]) == (None, 4)


def test_event_names_are_the_contracts_and_our_extensions() -> None:
    names = {
        "ticket.issued", "ticket.called", "ticket.recalled", "ticket.finished",
        "ticket.transferred", "ticket.cancelled", "ticket.completed",
        "window.paused", "window.resumed",
    }  # fmt: skip
    extensions = {"hall.updated", "window.taken", "window.released",  # settings; staff desks
                  "ticket.rated",  # ratings (docs/ratings.md)
                  "appointment.booked", "appointment.cancelled",  # appointments.md
                  "appointment.checked_in",  # and the 差评回访 (ratings.md)
                  "followup.changed"}  # fmt: skip
    assert names | extensions == protocol.EVENT_NAMES
    assert {"ticket.called", "ticket.recalled"} == protocol.ANNOUNCED


def test_encode_is_compact() -> None:
    assert protocol.encode({"a": 1, "b": [1, 2], "c": {"d": None}}) == (
        '{"a":1,"b":[1,2],"c":{"d":null}}'
    )


def test_encode_keeps_chinese_unescaped() -> None:
    body = protocol.ticket_json(CALLED, TZ)
    frame = protocol.event_frame(2, "…", protocol.TICKET_CALLED, ticket=body, window=3)
    text = protocol.encode(frame)
    assert "请A001号到3号窗口办理" in text
    assert "\\u" not in text
    assert '"seq":2,"at":"…"' in text  # compact, and the ellipsis kept as is
    assert json.loads(text) == frame


def test_snapshot_frame_carries_the_hall_and_its_seq() -> None:
    hall = {**protocol.hall_header(Hall("demo", "演示政务服务中心", TZ), 42), "windows": []}
    frame = protocol.snapshot_frame(hall)
    assert frame == {"type": "snapshot", "seq": 42, "hall": hall}
    assert (hall["hall"], hall["timezone"], hall["seq"]) == ("demo", TZ, 42)
    assert "演示政务服务中心" in protocol.encode(frame)
