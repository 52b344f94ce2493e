// @ts-check
// One window's desk: the current ticket (ticking "called 3:42 ago"), the action buttons and
// their shortcut keys, the queue ahead coloured against the target wait, today's counts and the
// hall's pending matters. It re-reads GET …/desk after every event that touches it.

import { ACTIONS, BY_ID, BY_KEY, actionBusy, actionLabel, blockedBy, runAction } from "./staff-actions.js";
import { dialogOpen } from "./staff-dialogs.js";
import { WINDOW_TAKEN } from "../shared/protocol.js";
import { Refresher } from "../shared/refresher.js";
import { touchesDesk } from "./staff-live.js";
import { bookedMark } from "./staff-appointments.js";
import { PendingList } from "./staff-pending.js";
import { average, duration, everySecond, secondsSince, serverSaid } from "./staff-time.js";
import { serviceName, windowLabel, words } from "./staff-words.js";

const $ = (id) => document.getElementById(id);

/** @type {[string, string, ((seconds: number) => string)?][]} [label, field, format] */
const TODAY = [
  ["t_called", "called"], ["t_served", "served"], ["t_completed", "completed"],
  ["t_pending", "pending"], ["t_no_show", "no_show"], ["t_transferred", "transferred"],
  ["t_service_avg", "service_s_avg", average], ["t_wait_avg", "wait_s_avg", average],
];

/** A key press that belongs to a field, not to the desk. */
export function typing(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
}

/** How a wait compares with its target: ok (< 50 %), near (50–100 %), over. */
export function waitLevel(waited, target) {
  if (!target) return "ok";
  if (waited > target) return "over";
  return waited >= target / 2 ? "near" : "ok";
}

export class Desk {
  /** ctx: {api, say, fail, services, health(ok), takenOver(n, who), changed()} */
  constructor(ctx) {
    this.ctx = ctx;
    this.number = null;
    this.deskId = null;
    this.data = null;
    this.received = 0;
    this.refresher = null;
    this.answered = 0; // actions answered so far: a read sent before the last one is stale
    this.pending = new PendingList(
      { list: $("pending-list"), empty: $("pending-empty"), count: $("pending-count") },
      { ...ctx, refresh: () => this.refresher?.now() },
    );
    this.buildButtons();
    everySecond(() => this.tick());
  }

  /** The window on screen ({number, services, …}); a stub until the first answer. */
  get window() {
    return this.data?.window ?? { number: this.number, services: [] };
  }

  get holds() { return Boolean(this.deskId); }

  open(number, deskId = null) {
    this.close();
    this.number = number;
    this.deskId = deskId;
    this.data = null;
    this.refresher = new Refresher(() => this.read(number), (r) => this.apply(r), this.ctx.health);
    this.render();
    this.refresher.now();
  }

  close() {
    this.refresher?.stop();
    this.refresher = null;
    this.number = null;
    this.deskId = null;
  }

  refresh() { this.refresher?.now(); }

  async read(number) {
    const answered = this.answered;
    return { ...(await this.ctx.api.desk(number)), answered };
  }

  apply(result) {
    // Sent before our last action was answered: older than what is on screen (the action
    // asked for a new read already).
    if (result.answered < this.answered) return;
    if (!result.ok) {
      // Unreachable: keep the last state (the banner says it); 401: the page logs in again.
      if (result.status >= 400 && result.status < 500 && !result.expired) this.ctx.fail(result, this.window);
      return;
    }
    const data = result.data;
    serverSaid(data.now);
    if (this.deskId && !data.desk) {
      this.ctx.takenOver(this.number, data.window?.staff);
      return;
    }
    this.deskId = data.desk ?? this.deskId;
    const first = !this.data;
    this.data = data;
    this.received = Date.now();
    this.render();
    if (first) this.focusFirstAction();
  }

  onEvent(frame) {
    if (this.number === null) return;
    if (frame.event === WINDOW_TAKEN && frame.window === this.number && this.deskId
        && frame.desk !== this.deskId) {
      this.ctx.takenOver(this.number, frame.staff);
      return;
    }
    if (touchesDesk(frame, this.window)) this.refresher?.schedule();
  }

  // ---- the action buttons and their keys ----

  buildButtons() {
    const box = $("actions");
    box.replaceChildren(...ACTIONS.map((action) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `action${action.primary ? " primary" : ""}`;
      button.dataset.action = action.id;
      button.setAttribute("aria-keyshortcuts", action.key);
      button.innerHTML = '<span class="label"></span><small class="hint"></small><kbd></kbd>';
      button.querySelector("kbd").textContent = action.key;
      button.addEventListener("click", () => this.run(action));
      return button;
    }));
    const help = document.createElement("button");
    help.type = "button";
    help.className = "action help";
    help.id = "help-open";
    help.setAttribute("aria-keyshortcuts", "?");
    help.innerHTML = '<span class="label" data-t="help"></span><kbd>?</kbd>';
    help.addEventListener("click", () => this.ctx.help());
    box.append(help);
  }

  renderButtons() {
    const w = words();
    const win = this.data?.window;
    for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ ($("actions").querySelectorAll("[data-action]"))) {
      const action = BY_ID.get(button.dataset.action);
      const why = win ? blockedBy(action, win) : "busy";
      button.querySelector(".label").textContent = actionLabel(action, win);
      const hint = action.hint && win?.current ? w[action.hint] : "";
      button.querySelector(".hint").textContent = hint;
      /** @type {HTMLElement} */ (button.querySelector(".hint")).hidden = !hint;
      button.disabled = Boolean(why);
      button.title = why ? w[why] : "";
      button.classList.toggle("resume", action.id === "pause" && win?.status === "paused");
    }
  }

  /** Once the desk has loaded, the keyboard starts on its first usable action (Call next). */
  focusFirstAction() {
    const focused = document.activeElement;
    if (focused && focused !== document.body && !$("actions").contains(focused)) return;
    /** @type {HTMLButtonElement | null} */ ($("actions").querySelector("button[data-action]:not(:disabled)"))?.focus();
  }

  async run(action) {
    if (!this.data) {
      this.ctx.say(words().loading, "info");
      return;
    }
    const number = this.number;
    await runAction({
      ...this.ctx,
      busy: (on) => $("actions").setAttribute("aria-busy", String(on)),
      done: (win, data) => this.after(number, action, data),
    }, action, this.data.window);
  }

  /** Show an action's answer at once, then re-read the desk. */
  after(number, action, data) {
    if (number !== this.number || !this.data) return;
    this.answered += 1;
    const win = this.data.window;
    if (data?.called !== undefined) win.current = data.called;
    if (data?.finished || data?.transferred) win.current = data.called ?? null;
    if (data?.window) Object.assign(win, data.window);
    this.render();
    this.refresher?.now();
  }

  /** The desk's shortcut keys; false when the key is not the desk's. */
  key(e) {
    if (this.number === null || dialogOpen() || typing(e.target)) return false;
    if (e.ctrlKey || e.altKey || e.metaKey) return false;
    const action = BY_KEY.get(e.key.toLowerCase());
    if (!action) return false;
    e.preventDefault();
    if (e.repeat) return true; // a key held down acts once
    if (actionBusy()) this.ctx.say(words().busy, "info");
    else this.run(action);
    return true;
  }

  // ---- rendering ----

  render() {
    const w = words();
    const data = this.data;
    const win = this.window;
    $("desk-view").dataset.window = String(this.number ?? "");
    $("desk-view").dataset.loaded = String(Boolean(data)); // for scripts and tests: read once
    $("desk-view").classList.toggle("is-paused", win.status === "paused");
    $("paused-note").hidden = win.status !== "paused";
    $("paused-note").textContent = w.paused_because(win.pause_reason);
    const cur = win.current;
    $("cur-ticket").hidden = !cur;
    $("cur-idle").hidden = Boolean(cur) || !data;
    $("cur-idle-hint").hidden = win.status === "paused";
    if (cur) {
      $("cur-number").textContent = cur.number;
      $("cur-prio").hidden = !cur.priority;
      $("cur-service").textContent = serviceName(this.ctx.services.get(cur.service) ?? { code: cur.service });
      const extra = [cur.recalls ? w.recalls(cur.recalls) : "", cur.transfers ? w.transferred(cur.transfers) : ""];
      $("cur-recalls").textContent = extra.filter(Boolean).join(" · ");
    }
    this.renderButtons();
    this.renderQueue(w);
    this.renderToday(w);
    if (data) this.pending.set(data.pending);
    this.tick();
    this.ctx.changed?.();
  }

  renderQueue(w) {
    const queue = this.data?.queue ?? { waiting: 0, tickets: [] };
    const list = $("queue-list");
    list.replaceChildren(...queue.tickets.map((t) => {
      const li = document.createElement("li");
      li.dataset.number = t.number;
      li.innerHTML = '<span class="num"></span><span class="svc"></span><span class="waited"></span>'
        + '<span class="cue"></span>';
      const [num, svc] = li.children;
      num.textContent = t.number;
      if (t.priority) {
        const mark = document.createElement("span");
        mark.className = "prio";
        mark.textContent = w.priority;
        num.append(" ", mark);
      }
      svc.textContent = serviceName(this.ctx.services.get(t.service) ?? { code: t.service });
      const booked = bookedMark(t); // checked in for a booked slot: queued by it
      if (booked) svc.prepend(booked, " ");
      return li;
    }));
    $("queue-count").textContent = this.data ? `· ${w.queue_count(queue.waiting)}` : "";
    // a window that takes its services in order (its work profile) says so, and the order
    const inOrder = queue.call_order === "services";
    $("queue-order").hidden = !inOrder;
    $("queue-order").textContent = inOrder ? `· ${w.in_order(this.window.services.join(" → "))}` : "";
    $("queue-empty").hidden = !this.data || queue.waiting > 0;
    const more = queue.waiting - queue.tickets.length;
    $("queue-more").hidden = more <= 0;
    $("queue-more").textContent = more > 0 ? w.queue_more(more) : "";
  }

  renderToday(w) {
    const today = this.data?.today;
    const shown = TODAY.filter(([, field]) => !today || field in today);
    const items = shown.flatMap(([label, field, format]) => {
      const dt = document.createElement("dt");
      dt.textContent = w[label];
      const dd = document.createElement("dd");
      dd.dataset.field = field;
      const value = today?.[field];
      dd.textContent = today ? (format ? format(value) : String(value ?? 0)) : "—";
      const div = document.createElement("div");
      div.append(dt, dd);
      return [div];
    });
    $("today").replaceChildren(...items);
  }

  /** Each second: the time since the call, the waits in the queue and their colours. */
  tick() {
    if (!this.data) return;
    const w = words();
    const cur = this.data.window.current;
    if (cur) $("cur-since").textContent = w.called_ago(duration(secondsSince(cur.last_called_at ?? cur.called_at)));
    const elapsed = (Date.now() - this.received) / 1000;
    const tickets = this.data.queue?.tickets ?? [];
    const rows = $("queue-list").children;
    tickets.forEach((t, i) => {
      const li = rows[i];
      if (!li) return;
      const waited = (t.waited_s ?? 0) + elapsed;
      const level = waitLevel(waited, t.target_wait_s);
      li.className = `wait-${level}`;
      li.querySelector(".waited").textContent = duration(waited);
      const cue = /** @type {HTMLElement} */ (li.querySelector(".cue"));
      cue.textContent = level === "ok" ? "" : w[`wait_${level}`];
      cue.title = w[`wait_${level}`];
    });
  }

  /** "3号窗口 · w1" for the header. */
  title(username) {
    const label = windowLabel(this.window.name ? this.window : { number: this.number });
    return username ? `${label} · ${username}` : label;
  }
}
