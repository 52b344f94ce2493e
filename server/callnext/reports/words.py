"""The exports in the manager's language (zh-CN by default, en): headers in words, a ticket's
state in words, durations as h:mm:ss, rates as percentages, who served each ticket and its
rating. The machine-readable layout (snake_case, codes, seconds) stays in report_export.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..domain import rating, stats
from ..domain.model import ClosedReason, Hall, Outcome, Status, Ticket

LANGS = ("zh", "en")


class Rate(float):
    """A share 0…1, shown as a percentage (66.7%)."""


@dataclass(frozen=True, slots=True)
class Words:
    lang: str
    sheets: tuple[str, str, str]
    ticket_header: tuple[str, ...]
    counts: dict[str, str]
    trend_extra: tuple[str, ...]
    service_head: tuple[str, ...]
    summaries: tuple[str, ...]
    service_level: tuple[str, ...]
    states: dict[str, str]
    yes_no: tuple[str, str]
    scopes: tuple[str, str]
    trips: tuple[str, ...] = ()  # the summary's trips per matter: matters, one trip, rate


ZH = Words(
    lang="zh",
    sheets=("取号明细", "每日汇总", "业务汇总"),
    ticket_header=(
        "日期", "号码", "业务", "优先", "状态", "窗口", "工作人员", "取号时间", "叫号时间",
        "结束时间", "办结时间", "等候时长", "办理时长", "重呼次数", "转移次数", "评价（分）",
        "评价", "回访状态", "回访时限", "回访超期", "回访负责人", "回访记录",
    ),
    counts={
        "issued": "取号", "called": "叫号", "served": "办理", "no_show": "未到",
        "cancelled": "取消", "waiting": "仍在等候", "completed_same_day": "当日办结",
    },
    trend_extra=("当日办结率", "平均等候", "等候 P90", "平均办理"),
    service_head=("范围", "代码", "名称"),
    summaries=(
        "平均等候", "等候中位数", "等候 P90", "最长等候",
        "平均办理", "办理中位数", "办理 P90", "最长办理",
    ),
    service_level=("计入服务水平的叫号", "目标内叫号", "服务水平", "等候目标"),
    states={
        "waiting": "等候中", "called": "已呼叫", "completed": "已办结",
        "pending": "已受理（承诺件）", "pending_done": "承诺件已办结", "no_show": "未到",
        "cancelled": "已取消", "expired": "过期作废",
        # a 差评's follow-up (差评回访), as the audit log words it too
        "open": "待回访", "contacted": "已联系", "resolved": "已解决", "unreachable": "无法联系",
    },
    yes_no=("是", "否"),
    scopes=("全厅", "业务"),
    trips=("新事项", "一次办结", "一次办结率"),
)  # fmt: skip

EN = Words(
    lang="en",
    sheets=("Tickets", "Daily summary", "Services"),
    ticket_header=(
        "Day", "Number", "Service", "Priority", "Status", "Window", "Staff", "Issued", "Called",
        "Finished", "Completed", "Wait", "Service time", "Recalls", "Transfers",
        "Rating (1–5)", "Rating", "Follow-up", "Follow-up due", "Follow-up overdue",
        "Follow-up assignee", "Follow-up note",
    ),
    counts={
        "issued": "Issued", "called": "Called", "served": "Served", "no_show": "No-shows",
        "cancelled": "Cancelled", "waiting": "Still waiting",
        "completed_same_day": "Completed same day",
    },
    trend_extra=("Same-day completion", "Average wait", "Wait P90", "Average service"),
    service_head=("Scope", "Code", "Name"),
    summaries=(
        "Average wait", "Median wait", "Wait P90", "Longest wait",
        "Average service", "Median service", "Service P90", "Longest service",
    ),
    service_level=("Calls counted", "Called within target", "Service level", "Target wait"),
    states={
        "waiting": "Waiting", "called": "Called", "completed": "Completed",
        "pending": "Accepted as pending", "pending_done": "Pending, completed",
        "no_show": "No-show", "cancelled": "Cancelled", "expired": "Expired",
        "open": "To follow up", "contacted": "Contacted", "resolved": "Resolved",
        "unreachable": "Unreachable",
    },
    yes_no=("Yes", "No"),
    scopes=("Hall", "Service"),
    trips=("Matters", "One trip", "One-trip rate"),
)  # fmt: skip

WORDS = {"zh": ZH, "en": EN}


def duration(seconds: float | None) -> timedelta | None:
    """Seconds as a duration to the whole second (a sheet shows h:mm:ss)."""
    return None if seconds is None else timedelta(seconds=round(seconds))


def hms(value: timedelta) -> str:
    """0:09:30; 26:00:05 past a day (hours are not wrapped)."""
    total = int(value.total_seconds())
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def state(ticket: Ticket, w: Words) -> str:
    """What became of the ticket, in words: 已办结, 未到, 承诺件已办结, 过期作废 …"""
    if ticket.status is Status.DONE:
        if ticket.outcome is Outcome.PENDING:
            return w.states["pending_done" if ticket.completed_at else "pending"]
        return w.states["completed"]
    if ticket.status is Status.CANCELLED and ticket.closed_reason is ClosedReason.EXPIRED:
        return w.states["expired"]
    return w.states[ticket.status.value]


def service_name(hall: Hall, code: str, w: Words) -> str:
    service = hall.service(code)
    if service is None:
        return code
    return (service.name_en or service.name) if w.lang == "en" else service.name


def score_words(score: int | None, w: Words) -> str | None:
    if score is None or score not in rating.SCORES:
        return None
    return rating.SCORES[score][0 if w.lang == "zh" else 1]


def trend_header(w: Words) -> list[str]:
    counts = (w.counts[f] for f in stats.COUNT_FIELDS)
    return [w.ticket_header[0], *counts, *w.trend_extra, *w.trips]


def trend_cells(day: dict[str, Any]) -> list[Any]:
    return [
        day["date"], *(day[f] for f in stats.COUNT_FIELDS),
        _rate(day["same_day_completion_rate"]), duration(day["wait_s_avg"]),
        duration(day["wait_s_p90"]), duration(day["service_s_avg"]),
        day["matters"], day["one_trip"], _rate(day["one_trip_rate"]),
    ]  # fmt: skip


def service_header(w: Words) -> list[str]:
    counts = (w.counts[f] for f in stats.COUNT_FIELDS)
    return [*w.service_head, *counts, w.trend_extra[0], *w.summaries, *w.service_level]


def figures_cells(
    scope: str, code: str, name: str, fig: dict[str, Any], target: int | None
) -> list[Any]:
    level = fig["service_level"]
    return [
        scope, code, name, *(fig[f] for f in stats.COUNT_FIELDS),
        _rate(fig["same_day_completion_rate"]),
        *(duration(fig[g][p]) for g in ("wait_s", "service_s") for p in stats.SUMMARY_FIELDS),
        level["called"], level["within_target"], _rate(level["rate"]), duration(target),
    ]  # fmt: skip


def _rate(value: float | None) -> Rate | None:
    return None if value is None else Rate(value)


def lang_of(value: str | None) -> str | None:
    """The export's language from `?lang=` (zh by default); None when it is not one we speak."""
    if value is None or value == "":
        return "zh"
    lang = value.lower().split("-")[0]
    return lang if lang in LANGS else None
