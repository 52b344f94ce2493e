// @ts-check
// The console's "今日预约 / Today's appointments" panel (on the desk and on the manager's
// overview): the day's counts and bookings (slot, code, service, status, ticket), read again
// after each appointment event of the stream and each minute (a booking not checked in turns
// "missed" with time). Shown where the hall takes bookings or has some today.
import { Refresher } from "../shared/refresher.js";
import { WORDS, bookingRow, bookingsOf, countItems, countsOf } from "../shared/appointments-ui.js";
import { currentLang, serviceName } from "./staff-words.js";

const $ = (id) => document.getElementById(id);
const EVERY_MS = 60000;

/** Whether a stream frame may change today's bookings. */
export const touchesBookings = (frame) => Boolean(frame?.event?.startsWith("appointment.")
  || (frame?.event === "ticket.called" && frame.ticket?.booked));

export class AppointmentsPanel {
  /** `prefix`: the ids of its elements (`${prefix}-appts`, …); ctx: {api, services, health}. */
  constructor(prefix, ctx) {
    this.prefix = prefix;
    this.ctx = ctx;
    this.list = null; // today's bookings, or null until read
    this.enabled = false; // the hall takes bookings
    this.refresher = null;
    this.timer = 0;
    this.servicesOf = null; // () → the desk's window's services: their bookings first
  }

  el(name) { return $(`${this.prefix}-${name}`); }

  open(servicesOf = null) {
    this.close();
    this.servicesOf = servicesOf;
    this.refresher = new Refresher(() => this.load(), (r) => this.apply(r), this.ctx.health, 300);
    this.refresher.now();
    this.timer = setInterval(() => this.refresher?.schedule(), EVERY_MS);
  }

  close() {
    this.refresher?.stop();
    this.refresher = null;
    clearInterval(this.timer);
  }

  onEvent(frame) {
    if (touchesBookings(frame)) this.refresher?.schedule();
  }

  async load() {
    const [policy, list] = await Promise.all([this.ctx.api.booking(), this.ctx.api.appointments()]);
    if (!list.ok && list.status !== 404) return list;
    return { ok: true, enabled: Boolean(policy.ok && policy.data?.enabled), list: list.ok ? bookingsOf(list.data) : [] };
  }

  apply(result) {
    if (!result.ok) return;
    this.enabled = result.enabled;
    this.list = result.list;
    this.render();
  }

  render() {
    const w = WORDS[currentLang()];
    const list = this.list ?? [];
    const section = this.el("appts");
    section.hidden = !this.enabled && list.length === 0;
    this.el("appts-title").textContent = w.title;
    this.el("appts-counts").replaceChildren(...countItems(countsOf(list), w));
    const mine = this.servicesOf?.()?.length ? this.servicesOf() : null;
    const shown = mine ? [...list].sort((a, b) => Number(!mine.includes(a.service)) - Number(!mine.includes(b.service))) : list;
    const name = (code) => serviceName(this.ctx.services.get(code) ?? { code });
    this.el("appts-list").replaceChildren(...shown.map((a) => {
      const li = bookingRow(a, w, name);
      li.classList.toggle("other", Boolean(mine) && !mine.includes(a.service));
      return li;
    }));
    this.el("appts-empty").hidden = this.list === null || list.length > 0;
    section.dataset.empty = String(this.list !== null && !list.length); // folds to its heading
    this.el("appts-empty").textContent = w.none;
  }
}

/** The booked mark of a ticket in the desk's queue: "预约 09:30", or null for a walk-in. */
export function bookedMark(ticket) {
  if (!ticket.booked) return null;
  const mark = document.createElement("span");
  mark.className = "booked";
  const time = /T(\d\d:\d\d)/.exec(ticket.slot ?? "")?.[1] ?? "";
  mark.textContent = `${WORDS[currentLang()].booked_mark} ${time}`.trim();
  return mark;
}
