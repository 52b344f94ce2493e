// @ts-check
// The hall's pending matters (tickets accepted as pending, not yet completed): number, service,
// when accepted, the time left on the promise counting down (red and "overdue" once past), and
// a "Completed" button that asks first. Shown on the desk and on the manager's overview.

import { confirmDialog } from "./staff-dialogs.js";
import { clockTime, duration, everySecond, serverNow } from "./staff-time.js";
import { serviceName, words } from "./staff-words.js";

/** Keep focus on the same row's button when a list is rebuilt. */
export function keepFocus(container, rebuild) {
  const focused = container.contains(document.activeElement) ? document.activeElement : null;
  const key = /** @type {HTMLElement | null} */ (focused?.closest("[data-key]"))?.dataset.key;
  const role = /** @type {HTMLElement | null} */ (focused)?.dataset.role;
  rebuild();
  if (!key) return;
  const row = [...container.querySelectorAll("[data-key]")].find((r) => r.dataset.key === key);
  const selector = role ? `[data-role="${role}"]` : "button";
  const again = row?.matches(selector) ? row : row?.querySelector(selector);
  if (again && !again.disabled) again.focus();
}

export class PendingList {
  /** els: {list, empty, count}; ctx: {api, say, fail, services, refresh} */
  constructor(els, ctx) {
    this.els = els;
    this.ctx = ctx;
    this.items = [];
    this.received = 0;
    everySecond(() => this.tick());
  }

  set(items) {
    this.items = items ?? [];
    this.received = Date.now();
    this.render();
  }

  /** Seconds left on the promise of `item` (negative once overdue), on the server's clock. */
  left(item) {
    const due = Date.parse(item.due_at ?? "");
    if (!Number.isNaN(due)) return Math.floor((due - serverNow()) / 1000);
    return Math.floor((item.left_s ?? 0) - (Date.now() - this.received) / 1000);
  }

  render() {
    const { list, empty, count } = this.els;
    const w = words();
    keepFocus(list, () => list.replaceChildren(...this.items.map((item) => this.row(item, w))));
    empty.hidden = this.items.length > 0;
    list.closest("section").dataset.empty = String(!this.items.length); // folds to its heading
    count.textContent = this.items.length ? `(${this.items.length})` : "";
    this.tick();
  }

  row(item, w) {
    const li = document.createElement("li");
    li.className = "pending-item";
    li.dataset.key = item.id ?? item.number;
    li.dataset.number = item.number;
    const service = this.ctx.services.get(item.service) ?? { code: item.service };
    const accepted = item.accepted_at ?? item.finished_at;
    const where = item.window ? ` · ${w.at_window(item.window)}` : "";
    li.innerHTML = '<span class="num"></span><span class="svc"></span><span class="acc"></span>'
      + '<span class="left"></span>';
    const [num, svc, acc] = li.children;
    num.textContent = item.number;
    svc.textContent = serviceName(service);
    acc.textContent = `${w.accepted_at(clockTime(accepted, { locale: w.locale }))}${where}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "done";
    button.dataset.role = "complete";
    button.textContent = w.done_button;
    button.setAttribute("aria-label", `${w.done_button} ${item.number}`);
    button.disabled = !item.id;
    button.addEventListener("click", () => this.complete(item));
    li.append(button);
    return li;
  }

  tick() {
    const w = words();
    for (const li of this.els.list.children) {
      const item = this.items.find((i) => (i.id ?? i.number) === li.dataset.key);
      if (!item) continue;
      const left = this.left(item);
      const overdue = left < 0;
      li.classList.toggle("overdue", overdue);
      li.querySelector(".left").textContent = overdue ? w.overdue(duration(-left)) : w.left(duration(left));
    }
  }

  async complete(item) {
    const w = words();
    const yes = await confirmDialog(w.complete_q(item.number), w.done_button);
    if (!yes) return;
    const result = await this.ctx.api.complete(item.id);
    if (result.ok) {
      this.ctx.say(w.pending_done(item.number), "ok");
      this.items = this.items.filter((i) => i !== item);
      this.render();
    } else {
      this.ctx.fail(result, null);
    }
    this.ctx.refresh();
  }
}
