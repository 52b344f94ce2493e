// @ts-check
// The live part of the dashboard (today only): who waits for each service and for how long,
// the longest current wait, the pending matters against the promise, and each window's state
// and current ticket. Fed by the hall snapshot, GET …/windows, …/pending and today's report.
import { clockTime, secondsSince, serverNow } from "./dashboard-api.js";
import { clock, count, minutes, serviceName, windowLabel, words } from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);
const SOON_S = 3600; // pending matters due within the hour are counted apart

function el(tag, className = "", text = null) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== null) e.textContent = text;
  return e;
}

export class Live {
  /** services: Map code → {code, name, name_en, target_wait_s} (the page's config, kept fresh). */
  constructor(services) {
    this.services = services;
    this.data = null; // {hall, windows, pending, longest, at}
  }

  /** The latest reads: hall snapshot, windows, pending list, today's longest_waiting. */
  update(data) {
    this.data = data;
    this.render();
  }

  clear() {
    this.data = null;
    $("live-queues").replaceChildren();
    $("live-windows").replaceChildren();
  }

  render() {
    if (!this.data) return;
    const w = words();
    const { hall, windows, pending } = this.data;
    $("live-as-of").textContent = w.as_of(clockTime(this.data.at, { seconds: true }));
    /** @type {HTMLTimeElement} */ ($("live-as-of")).dateTime = new Date(this.data.at).toISOString();

    const queues = hall.services.map((s) => {
      const known = this.services.get(s.code) ?? s;
      const li = el("li", "queue");
      li.dataset.service = s.code;
      li.dataset.waiting = s.waiting;
      li.classList.toggle("closed", !s.open);
      const head = el("p", "name");
      head.append(el("span", "code", s.code), " ", el("span", "", serviceName(known, s.code)));
      head.title = serviceName(known, s.code);
      const big = el("p", "big");
      big.append(el("span", "n", count(s.waiting)), el("span", "unit", w.waiting));
      const est = s.est_wait_s == null ? w.no_window : w.est_wait(minutes(s.est_wait_s)); // null: nobody staffs one
      const sub = el("p", "sub", s.open ? (s.waiting > 0 ? est : "") : w.not_issuing);
      li.append(head, big, sub);
      return li;
    });
    $("live-queues").replaceChildren(...queues);

    const open = pending.pending ?? [];
    const overdue = open.filter((p) => p.left_s < 0).length;
    const soon = open.filter((p) => p.left_s >= 0 && p.left_s <= SOON_S).length;
    $("pending-value").textContent = count(open.length);
    $("pending-value").dataset.value = open.length;
    $("pending-sub").textContent = w.pending_sub(overdue, soon);
    $("live-pending").classList.toggle("alert", overdue > 0);

    const rows = windows.windows.map((win) => this.windowRow(win));
    $("live-windows").replaceChildren(...rows);
    this.tick();
  }

  windowRow(win) {
    const w = words();
    const li = el("li", `win ${win.status}`);
    li.dataset.window = win.number;
    li.dataset.status = win.status;
    const name = el("p", "win-name", windowLabel(win));
    const state = el("p", "state",
      win.status === "paused" ? w.paused_because(win.pause_reason) : w[win.status] ?? win.status);
    state.title = state.textContent;
    const cur = el("p", "current");
    cur.dataset.number = win.current?.number ?? "";
    const since = el("p", "since");
    if (win.current) {
      const number = el("span", "number", win.current.number);
      const svc = this.services.get(win.current.service);
      number.title = serviceName(svc, win.current.service);
      since.dataset.since = win.current.last_called_at ?? win.current.called_at ?? "";
      cur.append(number);
    } else {
      cur.append(el("span", "idle", win.status === "open" ? w.idle : ""));
    }
    const who = el("p", "who", win.staff ?? w.no_staff);
    who.classList.toggle("nobody", !win.staff);
    const today = el("p", "today", w.served_today(count(win.today?.served ?? 0)));
    li.append(name, state, cur, since, who, today);
    return li;
  }

  /** Once a second: the longest wait and each window's time since its call grow. */
  tick() {
    if (!this.data) return;
    const w = words();
    const longest = this.data.longest;
    if (longest) {
      const extra = Math.max(0, Math.floor((serverNow() - this.data.at) / 1000));
      const waited = longest.waited_s + extra;
      const svc = this.services.get(longest.service);
      $("longest-value").textContent = clock(waited);
      $("longest-value").dataset.value = waited;
      $("longest-sub").textContent = `${longest.number} · ${serviceName(svc, longest.service)}`;
      const target = svc?.target_wait_s ?? 900;
      $("live-longest").classList.toggle("alert", waited > target);
    } else {
      $("longest-value").textContent = w.nobody_waits;
      $("longest-value").dataset.value = "";
      $("longest-sub").textContent = "";
      $("live-longest").classList.remove("alert");
    }
    for (const span of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("#live-windows .since"))) {
      span.textContent = span.dataset.since ? w.called_ago(clock(secondsSince(span.dataset.since))) : "";
    }
  }
}
