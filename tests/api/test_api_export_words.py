"""The exports in the manager's language: GET …/export?lang=zh|en gives headers and states in
words, durations as h:mm:ss (XLSX: durations a sheet can add up, shown [h]:mm:ss; rates as
percentages), who served each ticket and its rating; `raw=1` keeps the programs' layout
(snake_case, codes, seconds) with the staff and rating columns, then the follow-up's, at its end."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook

from ..helpers import Api

HMS = re.compile(r"^\d+:[0-5]\d:[0-5]\d$")


async def a_day(api: Api) -> None:
    """A001 served by w1 and rated 5, A002 a no-show at w1, B001 accepted as pending by w5 and
    rated 2, A003 still waiting."""
    a1 = await api.issue("A")
    for service in "AAB":
        await api.issue(service)
    for window, action, body in [
        (1, "call-next", None),
        (1, "finish", {"outcome": "completed"}),
        (1, "call-next", None),
        (1, "finish", {"outcome": "no_show"}),
        (5, "call-next", None),
        (5, "finish", {"outcome": "pending"}),
    ]:
        status, answer = await api.window(window, action, body)
        assert status == 200, answer
    b1 = next(t for t in await api.day_tickets() if t["number"] == "B001")
    for ticket, score in ((a1, 5), (b1, 2)):
        status, body = await api.request(
            "POST", f"/api/v1/tickets/{ticket['id']}/rating", {"score": score}
        )
        assert status == 201, body


async def download(api: Api, query: str) -> bytes:
    token = await api.login("manager")
    url = f"{api.base}/api/v1/halls/demo/export?{query}"
    async with api.session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.read()


async def csv_rows(api: Api, query: str) -> dict[str, dict[str, str]]:
    body = await download(api, query)
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return {r[1]: dict(zip(header, r, strict=True)) for r in rows}


async def test_csv_in_chinese_by_default(api: Api) -> None:
    await a_day(api)
    rows = await csv_rows(api, "format=csv")
    a1, a2, b1, a3 = rows["A001"], rows["A002"], rows["B001"], rows["A003"]
    assert list(a1)[:7] == ["日期", "号码", "业务", "优先", "状态", "窗口", "工作人员"]
    assert (a1["业务"], a1["优先"], a1["状态"], a1["窗口"]) == ("不动产登记", "否", "已办结", "1")
    assert (a1["工作人员"], a1["评价（分）"], a1["评价"]) == ("w1", "5", "非常满意")
    assert HMS.match(a1["等候时长"]), a1
    assert HMS.match(a1["办理时长"]), a1
    assert (a2["状态"], a2["工作人员"], a2["办理时长"], a2["评价"]) == ("未到", "w1", "", "")
    assert (b1["业务"], b1["状态"], b1["工作人员"]) == ("水电气过户", "已受理（承诺件）", "w5")
    assert (b1["评价（分）"], b1["评价"]) == ("2", "不满意")
    assert (a3["状态"], a3["工作人员"], a3["等候时长"], a3["叫号时间"]) == ("等候中", "", "", "")
    for row in rows.values():
        assert not any(re.fullmatch(r"\d+\.\d+", v) for v in row.values()), row  # no raw seconds
        assert not {"done", "no_show", "waiting", "completed"} & set(row.values()), row


async def test_csv_in_english(api: Api) -> None:
    await a_day(api)
    rows = await csv_rows(api, "format=csv&lang=en")
    a1, a2, b1 = rows["A001"], rows["A002"], rows["B001"]
    assert list(a1)[:7] == ["Day", "Number", "Service", "Priority", "Status", "Window", "Staff"]
    assert (a1["Service"], a1["Status"], a1["Staff"]) == (
        "Real estate registration",
        "Completed",
        "w1",
    )
    assert (a1["Rating (1–5)"], a1["Rating"], a1["Priority"]) == ("5", "Very satisfied", "No")
    assert HMS.match(a1["Wait"]), a1
    assert (a2["Status"], b1["Status"], b1["Service"]) == (
        "No-show", "Accepted as pending", "Utility transfer"
    )  # fmt: skip


async def test_the_raw_layout_for_programs(api: Api) -> None:
    """raw=1: the snake_case header and codes, seconds to 3 decimals, staff and rating last."""
    await a_day(api)
    rows = await csv_rows(api, "format=csv&raw=1")
    a1, a2 = rows["A001"], rows["A002"]
    assert list(a1)[-9:] == ["recalls", "transfers", "staff", "rating", "followup",
                             "followup_due", "followup_overdue", "followup_assignee",
                             "followup_note"]  # fmt: skip
    assert (a1["service"], a1["status"], a1["outcome"], a1["staff"], a1["rating"]) == (
        "A", "done", "completed", "w1", "5"
    )  # fmt: skip
    assert re.fullmatch(r"\d+(\.\d{1,3})?", a1["wait_s"]), a1
    assert (a2["status"], a2["staff"], a2["rating"]) == ("no_show", "w1", "")


def by_header(sheet: Any) -> list[dict[str, Any]]:
    header, *rows = sheet.iter_rows(values_only=False)
    names = [c.value for c in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


async def test_xlsx_in_words_with_durations_and_percentages(api: Api) -> None:
    await a_day(api)
    book = load_workbook(io.BytesIO(await download(api, "format=xlsx")))
    assert book.sheetnames == ["取号明细", "每日汇总", "业务汇总"]
    tickets = {r["号码"].value: r for r in by_header(book["取号明细"])}
    a1 = tickets["A001"]
    assert (a1["状态"].value, a1["工作人员"].value, a1["评价（分）"].value) == ("已办结", "w1", 5)
    wait = a1["等候时长"]
    assert isinstance(wait.value, timedelta), wait.value
    assert wait.number_format == "[h]:mm:ss"
    today = by_header(book["每日汇总"])[-1]  # the 30 days to today
    assert today["取号"].value == 4
    assert today["当日办结率"].number_format == "0.0%"
    assert 0 <= today["当日办结率"].value <= 1
    services = {r["代码"].value or "hall": r for r in by_header(book["业务汇总"])}
    assert services["hall"]["范围"].value == "全厅"
    assert services["A"]["名称"].value == "不动产登记"
    assert services["A"]["等候目标"].value == timedelta(minutes=15)
    assert services["A"]["服务水平"].number_format == "0.0%"

    book = load_workbook(io.BytesIO(await download(api, "format=xlsx&lang=en")))
    assert book.sheetnames == ["Tickets", "Daily summary", "Services"]
    services = {r["Code"].value or "hall": r for r in by_header(book["Services"])}
    assert services["hall"]["Name"].value == "Demo Service Hall"
    assert services["B"]["Name"].value == "Utility transfer"


async def followup_of(api: Api, number: str) -> dict[str, Any]:
    token = await api.login("manager")
    status, body = await api.request("GET", "/api/v1/halls/demo/followups?state=all", token=token)
    assert status == 200, body
    return next(f for f in body["followups"] if f["number"] == number)


async def test_the_followups_are_on_their_tickets_rows(api: Api) -> None:
    """B001 was rated 2 (不满意): its follow-up's state, due day, overdue, assignee and note on
    its row, in words (zh, en), in codes (raw) and in the XLSX; A001 (rated 5) has none."""
    await a_day(api)
    f = await followup_of(api, "B001")
    token = await api.login("manager")
    path = f"/api/v1/halls/demo/followups/{f['id']}"
    assert (await api.request("POST", path + "/assign", {"assignee": "w5"}, token=token))[0] == 200
    body = {"note": '=HYPERLINK("x") 已回电致歉'}  # a formula typed as a note stays text
    assert (await api.request("POST", path + "/contacted", body, token=token))[0] == 200
    zh = await csv_rows(api, "format=csv")
    b1, a1 = zh["B001"], zh["A001"]
    assert (b1["回访状态"], b1["回访时限"], b1["回访超期"], b1["回访负责人"]) == (
        "已联系", f["due"], "否", "w5")  # fmt: skip
    assert b1["回访记录"] == '\'=HYPERLINK("x") 已回电致歉'
    assert (a1["回访状态"], a1["回访时限"], a1["回访记录"]) == ("", "", "")
    en = (await csv_rows(api, "format=csv&lang=en"))["B001"]
    assert (en["Follow-up"], en["Follow-up overdue"]) == ("Contacted", "No")
    raw = (await csv_rows(api, "format=csv&raw=1"))["B001"]
    assert (raw["followup"], raw["followup_due"], raw["followup_overdue"]) == (
        "contacted", f["due"], "0")  # fmt: skip
    book = load_workbook(io.BytesIO(await download(api, "format=xlsx")))
    tickets = {r["号码"].value: r for r in by_header(book["取号明细"])}
    assert (tickets["B001"]["回访状态"].value, tickets["B001"]["回访负责人"].value) == (
        "已联系", "w5")  # fmt: skip
