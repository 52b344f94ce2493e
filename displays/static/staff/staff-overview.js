// @ts-check
// The manager's overview: a card per window of the hall (status, who holds it, the current
// ticket and how long since its call, today's served and no-shows) with quick actions and
// "Open" for the full desk; the hall's pending matters; the waiting count of each service.

import { BY_ID, actionLabel, blockedBy, runAction } from "./staff-actions.js";
import { Refresher } from "../shared/refresher.js";
import { PendingList, keepFocus } from "./staff-pending.js";
import { clockTime, duration, everySecond, secondsSince, serverSaid } from "./staff-time.js";
import { serviceName, windowLabel, words } from "./staff-words.js";

const $ = (id) => document.getElementById(id);
const QUICK = ["next", "recall", "complete", "no_show", "pause"];

export class Overview {
  /** ctx: {api, say, fail, services, queues, health(ok), openDesk(n)} */
  constructor(ctx) {
    this.ctx = ctx;
    this.windows = [];
    this.refresher = null;
    this.pending = new PendingList(
      { list: $("ov-pending-list"), empty: $("ov-pending-empty"), count: $("ov-pending-count") },
      { ...ctx, refresh: () => this.refresher?.now() },
    );
    everySecond(() => this.tick());
  }

  open() {
    this.close();
    this.refresher = new Refresher(() => this.load(), (r) => this.apply(r), this.ctx.health);
    this.render();
    this.refresher.now();
  }

  close() {
    this.refresher?.stop();
    this.refresher = null;
  }

  async load() {
    const [windows, pending] = await Promise.all([this.ctx.api.windows(), this.ctx.api.pending()]);
    if (!windows.ok) return windows;
    if (!pending.ok) return pending;
    return { ok: true, data: { windows: windows.data.windows ?? [], pending: pending.data } };
  }

  apply(result) {
    if (!result.ok) {
      if (result.status >= 400 && result.status < 500 && !result.expired) this.ctx.fail(result, null);
      return;
    }
    serverSaid(result.data.pending?.now);
    this.windows = result.data.windows;
    this.pending.set(result.data.pending?.pending ?? []);
    this.render();
  }

  onEvent() {
    this.renderServices();
    this.refresher?.schedule();
  }

  render() {
    const box = $("cards");
    keepFocus(box, () => box.replaceChildren(...this.windows.map((win) => this.card(win))));
    this.renderServices();
    this.tick();
  }

  renderServices() {
    const w = words();
    $("ov-services").setAttribute("aria-label", w.ov_waiting);
    $("ov-services").replaceChildren(...[...this.ctx.services.values()].map((s) => {
      const li = document.createElement("li");
      li.dataset.service = s.code;
      const waiting = this.ctx.queues.get(s.code)?.waiting;
      li.innerHTML = '<span class="letter"></span><span class="name"></span><b></b>';
      const [letter, name, count] = li.children;
      letter.textContent = s.code;
      name.textContent = serviceName(s);
      count.textContent = waiting == null ? "—" : w.queue_count(waiting);
      return li;
    }));
  }

  card(win) {
    const w = words();
    const card = document.createElement("article");
    card.className = `card status-${win.status}`;
    card.dataset.key = String(win.number);
    card.dataset.window = String(win.number);
    const label = windowLabel(win);
    const state = win.status === "paused" ? w.paused_because(win.pause_reason) : w[win.status] ?? win.status;
    const since = clockTime(win.staff_since, { locale: w.locale });
    const holder = win.staff ? (since ? w.held_since(win.staff, since) : win.staff) : w.ov_nobody;
    card.innerHTML = '<header><h3></h3><span class="state"></span></header><p class="holder"></p>'
      + '<p class="cur"></p><p class="counts"></p><div class="quick"></div>';
    card.querySelector("h3").textContent = label;
    card.querySelector(".state").textContent = state;
    card.querySelector(".holder").textContent = holder;
    const cur = card.querySelector(".cur");
    if (win.current) {
      const number = document.createElement("b");
      number.textContent = win.current.number;
      const service = document.createElement("span");
      service.textContent = serviceName(this.ctx.services.get(win.current.service) ?? { code: win.current.service });
      const since = document.createElement("span");
      since.className = "since";
      cur.append(number, " ", service, " ", since);
    } else {
      cur.textContent = w.idle;
      cur.classList.add("idle");
    }
    const today = win.today ?? {};
    card.querySelector(".counts").textContent = `${w.ov_served(today.served ?? 0)} · ${w.ov_no_show(today.no_show ?? 0)}`;
    const quick = card.querySelector(".quick");
    for (const id of QUICK) {
      const action = BY_ID.get(id);
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.action = id;
      button.dataset.role = id;
      button.textContent = actionLabel(action, win);
      button.setAttribute("aria-label", `${label} ${actionLabel(action, win)}`);
      const why = blockedBy(action, win);
      button.disabled = Boolean(why);
      button.title = why ? w[why] : "";
      button.addEventListener("click", () => this.run(action, win));
      quick.append(button);
    }
    const openButton = document.createElement("button");
    openButton.type = "button";
    openButton.className = "open";
    openButton.dataset.role = "open";
    openButton.textContent = w.a_open;
    openButton.setAttribute("aria-label", `${w.a_open} ${label}`);
    openButton.addEventListener("click", () => this.ctx.openDesk(win.number));
    quick.append(openButton);
    return card;
  }

  async run(action, win) {
    await runAction({ ...this.ctx, done: () => this.refresher?.now() }, action, win);
  }

  tick() {
    const w = words();
    for (const card of /** @type {HTMLCollectionOf<HTMLElement>} */ ($("cards").children)) {
      const win = this.windows.find((x) => String(x.number) === card.dataset.window);
      const since = card.querySelector(".since");
      if (win?.current && since) {
        since.textContent = w.called_ago(duration(secondsSince(win.current.last_called_at ?? win.current.called_at)));
      }
    }
  }
}
