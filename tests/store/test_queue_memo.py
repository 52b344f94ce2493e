"""The queue memo's own bookkeeping (store/queue_memo.py), pure: the tickets as read, the
walk-ins appended since and the tickets gone since always make the queue a model list keeps."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callnext.domain.estimate import OpenWindow, Waiting, estimate
from callnext.store.queue_memo import QueueMemo

MEANS = {"A": 300.0, "B": 120.0}


@pytest.mark.parametrize("seed", range(5))
def test_walk_ins_and_leavings_keep_the_queue_and_its_counts(seed: int) -> None:
    rng = random.Random(seed)
    model = [Waiting(pk, rng.choice("AB")) for pk in range(30)]
    counts = {s: sum(w.service == s for w in model) for s in "AB"}
    windows = [OpenWindow(1, ("A", "B")), OpenWindow(2, ("B",), busy_s=60.0)]
    at = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    played = estimate(model, windows, MEANS)
    memo = replace(QueueMemo.of(tuple(model), counts, None), estimates=played, at=at)
    next_pk, changes = 30, 0
    for step in range(200):
        if rng.random() < 0.5 or not model:
            walk_in = Waiting(next_pk, rng.choice("AB"))
            memo = memo.with_walk_in(walk_in.pk, walk_in.service, at + timedelta(seconds=step))
            model.append(walk_in)
            next_pk += 1
        else:
            left = model.pop(rng.randrange(len(model))) if rng.random() < 0.8 else None
            memo = memo.without(left.pk if left is not None else -1)  # -1: a finish
            changes += 1
        assert memo.queue == tuple(model), step
        assert dict(memo.waiting) == {s: sum(w.service == s for w in model) for s in "AB"}
        assert memo.changes == changes
        if step % 50 == 49:
            compact = memo.compacted()
            assert (compact.read, compact.added, compact.gone) == (tuple(model), (), frozenset())
            memo = compact
    assert memo.estimates is not None  # carried as the forecast all along
    assert memo.estimates.for_ticket(model[-1].pk) is not None  # walk-ins joined it exactly
