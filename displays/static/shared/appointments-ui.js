// @ts-check
// What the staff console's "今日预约" panel and the dashboard's appointments panel share
// (docs/appointments.md): their words, the day's counts from the list of bookings
// (GET …/appointments), and one row per booking: slot, code, service, status, ticket.
import { clockTime } from "./time.js";

export const WORDS = {
  zh: {
    title: "今日预约",
    title_day: (day) => `${day} 预约`,
    none: "当日没有预约",
    status: { booked: "待签到", checked_in: "已签到", missed: "未到", cancelled: "已取消" },
    kind: { on_time: "准时", early_walk_in: "早到·普通号", late_walk_in: "迟到·普通号" },
    counts: { total: "预约", booked: "待签到", checked_in: "已签到", missed: "未到", cancelled: "已取消" },
    ticket: (n) => `号 ${n}`,
    more: (n) => `还有 ${n} 个`,
    booked_mark: "预约",
  },
  en: {
    title: "Today's appointments",
    title_day: (day) => `Appointments on ${day}`,
    none: "No appointments this day",
    status: { booked: "To check in", checked_in: "Checked in", missed: "Missed", cancelled: "Cancelled" },
    kind: { on_time: "on time", early_walk_in: "early · walk-in", late_walk_in: "late · walk-in" },
    counts: { total: "Booked", booked: "To check in", checked_in: "Checked in", missed: "Missed",
      cancelled: "Cancelled" },
    ticket: (n) => `ticket ${n}`,
    more: (n) => `${n} more`,
    booked_mark: "Appt",
  },
};

export const COUNTS = ["total", "booked", "checked_in", "missed", "cancelled"];

/** The list of an answer of GET …/appointments (a bare list or {appointments: […]}), by slot. */
export function bookingsOf(data) {
  const list = Array.isArray(data) ? data : data?.appointments ?? [];
  return [...list].sort((a, b) => Date.parse(a.start) - Date.parse(b.start)
    || String(a.code).localeCompare(String(b.code)));
}

/** {total, booked, checked_in, missed, cancelled} of a day's bookings. */
export function countsOf(list) {
  const counts = { total: list.length, booked: 0, checked_in: 0, missed: 0, cancelled: 0 };
  for (const a of list) if (a.status in counts) counts[a.status] += 1;
  return counts;
}

function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== "") node.textContent = text;
  return node;
}

/** The counts as <div><dt/><dd/></div> items of a <dl>. */
export function countItems(counts, w) {
  return COUNTS.map((key) => {
    const div = el("div", `n-${key}`);
    const dd = el("dd", "", String(counts[key] ?? 0));
    dd.dataset.field = key;
    div.append(el("dt", "", w.counts[key]), dd);
    return div;
  });
}

/** One booking as an <li>: slot time, code, service, status (with how it was checked in), and
 * the ticket's number once checked in. `name(code)`: a service's name in the page's language. */
export function bookingRow(a, w, name) {
  const li = el("li", `appt status-${a.status}`);
  li.dataset.code = a.code ?? "";
  li.dataset.status = a.status;
  const time = el("span", "slot", clockTime(a.start));
  const code = el("span", "appt-code", a.code ?? "");
  const svc = el("span", "svc", name(a.service));
  svc.title = svc.textContent;
  const kind = a.status === "checked_in" && a.checkin_kind ? ` · ${w.kind[a.checkin_kind] ?? a.checkin_kind}` : "";
  const state = el("span", "state", `${w.status[a.status] ?? a.status}${kind}`);
  const number = typeof a.ticket === "string" ? a.ticket : a.ticket?.number ?? ""; // the day list: the number
  const ticket = el("span", "tno", number ? w.ticket(number) : "");
  const person = [a.name, a.phone].filter(Boolean).join(" ");
  if (person) svc.textContent += ` · ${person}`;
  li.append(time, code, svc, state, ticket);
  return li;
}
