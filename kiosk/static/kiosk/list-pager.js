// @ts-check
// A list of buttons that may be taller than its box (the kiosk's services in large print, or a
// hall with many services): while it is, two large buttons under it page it by whole buttons and
// say how many are still below. Swiping still scrolls it; the buttons follow. A citizen who does
// not know that a list scrolls sees every service within reach all the same.

const EDGE_PX = 1; // a button this close to the box's edge counts as inside it

export class ListPager {
  /** `list` scrolls (CSS overflow-y); `bar` holds the up and down buttons; `labels()` →
   * {up, down: (n) => text} in the page's language. */
  constructor(list, bar, labels) {
    this.list = list;
    this.bar = bar;
    this.labels = labels;
    const [up, down] = bar.querySelectorAll("button");
    /** @type {HTMLButtonElement} */
    this.up = up;
    /** @type {HTMLButtonElement} */
    this.down = down;
    this.up.addEventListener("click", () => this.page(-1));
    this.down.addEventListener("click", () => this.page(1));
    list.addEventListener("scroll", () => this.refresh(), { passive: true });
    // The box or a button resized (large print, the language, a new state line): look again.
    const resized = new ResizeObserver(() => this.refresh());
    const watch = () => [list, ...list.children].forEach((el) => resized.observe(el));
    new MutationObserver(watch).observe(list, { childList: true });
    watch();
  }

  /** The list's buttons split by where they are: above the box, inside it, below it. */
  where() {
    const box = this.list.getBoundingClientRect();
    const above = [];
    const below = [];
    for (const item of this.list.children) {
      const r = item.getBoundingClientRect();
      if (r.top < box.top - EDGE_PX) above.push(item);
      else if (r.bottom > box.bottom + EDGE_PX) below.push(item);
    }
    return { box, above, below };
  }

  /** Show or hide the pager and set its words (after a render, a scroll, a resize). */
  refresh() {
    const overflows = this.list.scrollHeight > this.list.clientHeight + EDGE_PX;
    this.bar.hidden = !overflows;
    if (!overflows) return;
    const { above, below } = this.where();
    const words = this.labels();
    this.up.textContent = words.up;
    this.down.textContent = words.down(below.length);
    this.up.disabled = above.length === 0;
    this.down.disabled = below.length === 0;
  }

  /** One page down (+1): the first button not wholly shown goes to the top. One page up (-1):
   * the buttons that fit above the first one shown, so paging down again comes back here. */
  page(step) {
    const { box, above, below } = this.where();
    let target = null;
    if (step > 0) target = below[0];
    else target = above.find((item) => item.getBoundingClientRect().top >= box.top - box.height) ?? above.at(-1);
    if (!target) return;
    this.list.scrollBy({ top: target.getBoundingClientRect().top - box.top, behavior: "instant" });
    this.refresh();
  }
}
