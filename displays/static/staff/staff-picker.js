// @ts-check
// The window picker: the hall's windows as large buttons (number, name, services, status, who
// holds it), the user's own window first. Taking one held by someone else asks first.

import { confirmDialog } from "./staff-dialogs.js";
import { Refresher } from "../shared/refresher.js";
import { keepFocus } from "./staff-pending.js";
import { clockTime } from "./staff-time.js";
import { serviceName, windowLabel, words } from "./staff-words.js";

const $ = (id) => document.getElementById(id);

/** Take window `n` (asking before a takeover) → {desk: id} once held, or null. ctx: {api, fail}. */
export async function takeWindow(ctx, n, label) {
  let result = await ctx.api.take(n, false);
  if (!result.ok && result.code === "window_in_use") {
    const w = words();
    const who = result.error?.staff ?? "?";
    const since = clockTime(result.error?.since, { locale: w.locale });
    if (!(await confirmDialog(w.takeover_q(label, who, since), w.takeover))) return null;
    result = await ctx.api.take(n, true);
  }
  if (!result.ok) {
    ctx.fail(result, { number: n });
    return null;
  }
  return { desk: result.data?.desk ?? null };
}

export class Picker {
  /** ctx: {api, say, fail, services, session, health(ok), opened(n, deskId), config} */
  constructor(ctx) {
    this.ctx = ctx;
    this.windows = (ctx.config.windows ?? []).map((w) => ({ ...w, status: null }));
    this.refresher = null;
    this.taking = false;
  }

  open() {
    this.close();
    this.refresher = new Refresher(() => this.ctx.api.windows(), (r) => this.apply(r), this.ctx.health);
    this.render(true);
    this.refresher.now();
  }

  close() {
    this.refresher?.stop();
    this.refresher = null;
  }

  onEvent() { this.refresher?.schedule(); }

  apply(result) {
    if (result.ok) {
      this.windows = result.data.windows ?? [];
      this.render();
    } else if (result.status >= 400 && result.status < 500 && !result.expired) {
      this.ctx.fail(result, null);
    }
  }

  /** The user's own window first, then by number. */
  ordered() {
    const mine = this.ctx.session.value?.window;
    // true - false is 1: the booleans subtract as numbers
    return [...this.windows].sort((a, b) => /** @type {any} */ (b.number === mine) - /** @type {any} */ (a.number === mine)
      || a.number - b.number);
  }

  render(focusFirst = false) {
    const box = $("window-buttons");
    keepFocus(box, () => box.replaceChildren(...this.ordered().map((win) => this.button(win))));
    if (focusFirst) box.querySelector("button")?.focus();
  }

  button(win) {
    const w = words();
    const mine = win.number === this.ctx.session.value?.window;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "window-button";
    button.dataset.key = String(win.number);
    button.dataset.window = String(win.number);
    button.classList.toggle("mine", mine);
    button.classList.toggle("held", Boolean(win.staff));
    button.classList.toggle("paused", win.status === "paused");
    const state = win.status === "paused" ? w.paused_because(win.pause_reason)
      : win.status ? w[win.status] ?? win.status : "";
    const held = win.staff ? w.held_by(win.staff) : win.status ? w.free : "";
    button.innerHTML = '<span class="n"></span><span class="name"></span><span class="svcs"></span>'
      + '<span class="state"></span><span class="holder"></span>';
    const [n, name, svcs, stateEl, holder] = button.children;
    n.textContent = String(win.number);
    name.textContent = windowLabel(win);
    svcs.append(...win.services.map((code) => {
      const span = document.createElement("span");
      span.textContent = `${code} ${serviceName(this.ctx.services.get(code) ?? { code })}`;
      return span;
    }));
    stateEl.textContent = state;
    holder.textContent = held;
    if (mine) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = w.yours;
      button.prepend(badge);
    }
    button.addEventListener("click", () => this.take(win));
    return button;
  }

  async take(win) {
    if (this.taking) return;
    this.taking = true;
    try {
      const taken = await takeWindow(this.ctx, win.number, windowLabel(win));
      if (taken) {
        this.ctx.say(words().took(windowLabel(win)), "ok");
        this.ctx.opened(win.number, taken.desk);
      } else {
        this.refresher?.now();
      }
    } finally {
      this.taking = false;
    }
  }
}
