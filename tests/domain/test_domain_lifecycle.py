"""A ticket's life (domain/lifecycle.py): every move, allowed and refused, with no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from callnext.domain import lifecycle
from callnext.domain.errors import Conflict
from callnext.domain.model import Finish, Outcome, Status, Ticket, Window, WindowStatus

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def fresh(**changes: Any) -> Ticket:
    base = Ticket(
        id="t-1", hall="demo", number="A001", service="A", priority=False,
        status=Status.WAITING, issued_at=T0, day="2026-11-26", pk=7,
    )  # fmt: skip
    return replace(base, **changes)


def in_state(state: str) -> Ticket:
    """A ticket brought to `state` by the lifecycle itself."""
    waiting = fresh()
    if state == "waiting":
        return waiting
    if state == "cancelled":
        return lifecycle.cancel(waiting, at(1))
    called = lifecycle.call(waiting, 3, at(2))
    finishes = {"completed": Finish.COMPLETED, "pending": Finish.PENDING, "no_show": Finish.NO_SHOW}
    if state == "called":
        return called
    return lifecycle.finish(called, finishes[state], at(5))


STATES = ("waiting", "called", "completed", "pending", "no_show", "cancelled")
Action = Callable[[Ticket], Ticket]
ACTIONS: dict[str, Action] = {
    "call": lambda t: lifecycle.call(t, 4, at(10)),
    "recall": lambda t: lifecycle.recall(t, at(10)),
    "finish_completed": lambda t: lifecycle.finish(t, Finish.COMPLETED, at(10)),
    "finish_pending": lambda t: lifecycle.finish(t, Finish.PENDING, at(10)),
    "finish_no_show": lambda t: lifecycle.finish(t, Finish.NO_SHOW, at(10)),
    "transfer": lambda t: lifecycle.transfer(t, "B"),
    "cancel": lambda t: lifecycle.cancel(t, at(10)),
    "complete": lambda t: lifecycle.complete(t, at(10)),
}

# (status, outcome) after the move, or the Conflict code it is refused with.
EXPECTED: dict[str, dict[str, tuple[Status, Outcome | None] | str]] = {
    "call": {
        "waiting": (Status.CALLED, None),
        "no_show": (Status.CALLED, None),
        **dict.fromkeys(("called", "completed", "pending", "cancelled"), "ticket_not_waiting"),
    },
    "recall": {"called": (Status.CALLED, None)},
    "finish_completed": {"called": (Status.DONE, Outcome.COMPLETED)},
    "finish_pending": {"called": (Status.DONE, Outcome.PENDING)},
    "finish_no_show": {"called": (Status.NO_SHOW, None)},
    "transfer": {"called": (Status.WAITING, None)},
    "cancel": {"waiting": (Status.CANCELLED, None)},
    "complete": {"pending": (Status.DONE, Outcome.COMPLETED)},
}
DEFAULT_REFUSAL = {
    "recall": "ticket_not_called",
    "finish_completed": "ticket_not_called",
    "finish_pending": "ticket_not_called",
    "finish_no_show": "ticket_not_called",
    "transfer": "ticket_not_called",
    "cancel": "ticket_not_waiting",
    "complete": "ticket_not_pending",
}
TABLE = [
    (state, action, EXPECTED[action].get(state, DEFAULT_REFUSAL.get(action)))
    for action in ACTIONS
    for state in STATES
]


def test_the_table_covers_every_status_and_action() -> None:
    """48 cells: six states (all five statuses, done split by outcome) × eight actions."""
    assert len(TABLE) == len(STATES) * len(ACTIONS) == 48
    assert {in_state(s).status for s in STATES} == set(Status)
    assert all(expected is not None for _, _, expected in TABLE)


@pytest.mark.parametrize(("state", "action", "expected"), TABLE)
def test_transition_table(state: str, action: str, expected: tuple[Status, Outcome] | str) -> None:
    """Each move either yields the expected status/outcome or is refused with its code."""
    ticket = in_state(state)
    if isinstance(expected, str):
        with pytest.raises(Conflict) as info:
            ACTIONS[action](ticket)
        assert info.value.code == expected
        assert info.value.status == 409
        assert ticket.number in info.value.message
    else:
        moved = ACTIONS[action](ticket)
        assert (moved.status, moved.outcome) == expected
        assert moved is not ticket


def test_call_sets_window_and_both_call_times() -> None:
    called = lifecycle.call(fresh(), 3, at(2))
    assert called.status is Status.CALLED
    assert called.window == 3
    assert called.called_at == at(2)
    assert called.last_called_at == at(2)
    assert (called.outcome, called.finished_at, called.completed_at) == (None, None, None)
    assert (called.issued_at, called.number, called.pk) == (T0, "A001", 7)


def test_no_show_called_again_keeps_first_called_at() -> None:
    """A no-show who comes back is called again; `called_at` stays the first call."""
    first = lifecycle.call(fresh(), 3, at(2))
    gone = lifecycle.finish(first, Finish.NO_SHOW, at(5))
    assert gone.status is Status.NO_SHOW
    assert gone.finished_at == at(5)
    again = lifecycle.call(gone, 6, at(30))
    assert again.status is Status.CALLED
    assert again.window == 6
    assert again.called_at == at(2)
    assert again.last_called_at == at(30)
    assert again.finished_at is None
    assert again.outcome is None


def test_recall_counts_and_moves_only_last_called_at() -> None:
    called = lifecycle.call(fresh(), 3, at(2))
    once = lifecycle.recall(called, at(3))
    twice = lifecycle.recall(once, at(4))
    assert (once.recalls, twice.recalls) == (1, 2)
    assert twice.last_called_at == at(4)
    assert twice.called_at == at(2)
    assert twice.window == 3
    assert twice.status is Status.CALLED


def test_finish_completed_sets_completed_at() -> None:
    done = lifecycle.finish(lifecycle.call(fresh(), 3, at(2)), Finish.COMPLETED, at(7))
    assert done.finished_at == at(7)
    assert done.completed_at == at(7)
    assert done.window == 3


def test_finish_pending_leaves_completed_at_empty() -> None:
    done = lifecycle.finish(lifecycle.call(fresh(), 3, at(2)), Finish.PENDING, at(7))
    assert done.outcome is Outcome.PENDING
    assert done.finished_at == at(7)
    assert done.completed_at is None


def test_finish_no_show_keeps_the_window_that_finished_it() -> None:
    gone = lifecycle.finish(lifecycle.call(fresh(), 3, at(2)), Finish.NO_SHOW, at(7))
    assert gone.window == 3
    assert gone.outcome is None
    assert gone.completed_at is None


def test_transfer_keeps_place_and_clears_window() -> None:
    """A transferred ticket waits again in the new service with its number and issued_at."""
    called = lifecycle.call(fresh(priority=True), 3, at(2))
    moved = lifecycle.transfer(called, "B")
    assert moved.status is Status.WAITING
    assert moved.service == "B"
    assert moved.window is None
    assert (moved.number, moved.issued_at, moved.pk, moved.priority) == ("A001", T0, 7, True)
    assert moved.called_at == at(2)
    assert moved.transfers == 1
    back = lifecycle.transfer(lifecycle.call(moved, 5, at(9)), "C")
    assert back.transfers == 2
    assert back.called_at == at(2)


def test_transfer_to_the_same_service_is_refused() -> None:
    with pytest.raises(Conflict) as info:
        lifecycle.transfer(lifecycle.call(fresh(), 3, at(2)), "A")
    assert info.value.code == "same_service"


def test_cancel_stamps_finished_at() -> None:
    cancelled = lifecycle.cancel(fresh(), at(4))
    assert cancelled.finished_at == at(4)
    assert cancelled.window is None


def test_complete_turns_pending_into_completed_once() -> None:
    pending = lifecycle.finish(lifecycle.call(fresh(), 3, at(2)), Finish.PENDING, at(7))
    completed = lifecycle.complete(pending, at(120))
    assert completed.outcome is Outcome.COMPLETED
    assert completed.completed_at == at(120)
    assert completed.finished_at == at(7)
    assert completed.status is Status.DONE
    with pytest.raises(Conflict) as info:
        lifecycle.complete(completed, at(130))
    assert info.value.code == "ticket_not_pending"


def test_complete_refuses_an_odd_pending_outcome_outside_done() -> None:
    """Only status done with outcome pending qualifies, not the outcome alone."""
    odd = fresh(status=Status.CALLED, outcome=Outcome.PENDING)
    with pytest.raises(Conflict) as info:
        lifecycle.complete(odd, at(9))
    assert info.value.code == "ticket_not_pending"


def test_open_window_can_call() -> None:
    lifecycle.ensure_window_can_call(Window(1, "窗口1", ("A",)))


@pytest.mark.parametrize("status", [WindowStatus.PAUSED, WindowStatus.CLOSED])
def test_paused_or_closed_window_cannot_call(status: WindowStatus) -> None:
    window = Window(4, "窗口4", ("A",), status=status, pause_reason="lunch")
    with pytest.raises(Conflict) as info:
        lifecycle.ensure_window_can_call(window)
    assert info.value.code == f"window_{status.value}"
    assert info.value.status == 409
    assert "4" in info.value.message
