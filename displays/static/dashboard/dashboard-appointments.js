// @ts-check
// The dashboard's appointments panel (预约, docs/appointments.md): the day's figures from the
// report's `appointments` (booked, checked in on time / early / late, missed, cancelled,
// no-show rate, punctuality, mean delay) and the day's bookings (GET …/appointments?day=),
// read again with the report after each event of the stream.
import { WORDS as LIST_WORDS, bookingRow, bookingsOf, countsOf } from "../shared/appointments-ui.js";
import { count, currentLang, minutes, percent, serviceName } from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);

const WORDS = {
  zh: {
    title: "预约",
    booked: "预约数", checked_in: "已签到", missed: "未到（爽约）", cancelled: "已取消",
    no_show_rate: "爽约率", punctuality: "准时服务率", mean_delay: "平均延误",
    split: (on, early, late) => `准时 ${on} · 早到 ${early} · 迟到 ${late}`,
    punctuality_sub: "预约时间（或签到）后 5 分钟内叫号",
    none: "当日没有预约", list: "当日预约",
  },
  en: {
    title: "Appointments",
    booked: "Booked", checked_in: "Checked in", missed: "Missed (no-show)", cancelled: "Cancelled",
    no_show_rate: "No-show rate", punctuality: "Served on time", mean_delay: "Mean delay",
    split: (on, early, late) => `on time ${on} · early ${early} · late ${late}`,
    punctuality_sub: "called within 5 min of the slot (or of check-in)",
    none: "No appointments this day", list: "The day's bookings",
  },
};

function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== "") node.textContent = text;
  return node;
}

export class AppointmentsPanel {
  /** `api`: hallApi(…); `services`: the dashboard's map of names. */
  constructor(api, services) {
    this.api = api;
    this.services = services;
    this.figures = null; // the report's `appointments`, or null when it has none
    this.list = null; // the day's bookings, or null until read
    this.day = null;
    this.version = 0;
  }

  /** The day's report arrived: draw its figures, then read the day's bookings. */
  async show(day, report) {
    this.figures = report?.appointments ?? null;
    if (day !== this.day) this.list = null;
    this.day = day;
    this.render();
    const version = ++this.version;
    const result = await this.api.appointments(day);
    if (version !== this.version) return;
    this.list = result.ok ? bookingsOf(result.data) : this.list ?? [];
    this.render();
  }

  /** The figures: the report's, else counted from the list (an older server). */
  stats() {
    if (this.figures) return this.figures;
    const c = countsOf(this.list ?? []);
    return { booked: c.total, checked_in: c.checked_in, missed: c.missed, cancelled: c.cancelled };
  }

  render() {
    if (this.day === null) return;
    const w = WORDS[currentLang()];
    const s = this.stats();
    const list = this.list ?? [];
    $("appts").hidden = !this.figures && this.list !== null && list.length === 0;
    $("appts-title").textContent = w.title;
    const tiles = [
      ["booked", w.booked, count(s.booked ?? 0), ""],
      ["checked_in", w.checked_in, count(s.checked_in ?? 0),
        s.on_time == null ? "" : w.split(count(s.on_time), count(s.early ?? 0), count(s.late ?? 0))],
      ["missed", w.missed, count(s.missed ?? 0), ""],
      ["cancelled", w.cancelled, count(s.cancelled ?? 0), ""],
      ["no_show_rate", w.no_show_rate, percent(s.no_show_rate ?? null), ""],
      ["punctuality", w.punctuality, percent(s.punctuality ?? null), w.punctuality_sub],
      ["mean_delay", w.mean_delay, minutes(s.mean_delay_s ?? null), ""],
    ].map(([key, label, value, sub]) => {
      const tile = el("div", "sat-tile appt-tile");
      tile.dataset.key = key;
      tile.append(el("p", "label", label), el("p", "big", value));
      if (sub) tile.append(el("p", "sub", sub));
      return tile;
    });
    $("appts-summary").replaceChildren(...tiles);
    $("appts-list-title").textContent = w.list;
    const words = LIST_WORDS[currentLang()];
    const name = (code) => `${code} ${serviceName(this.services.get(code), code)}`;
    $("appts-list").replaceChildren(...list.map((a) => bookingRow(a, words, name)));
    $("appts-none").textContent = w.none;
    $("appts-none").hidden = this.list === null || list.length > 0;
  }
}
