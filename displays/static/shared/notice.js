// @ts-check
// The lobby's notice (up to 500 characters) in a footer of a few lines. A longer notice pages:
// a screenful of whole lines at a time, each page for `?notice_s=` seconds (2–60, default 10),
// with "2/5" in the corner; never a line cut in half. The line height is a whole number of
// pixels (lobby.css) so each page starts exactly on a line.

const query = new URLSearchParams(window.location.search);
const PAGE_S = Math.min(60, Math.max(2, Number(query.get("notice_s")) || 10));

export class NoticePager {
  constructor(footer) {
    this.footer = footer;
    this.view = footer.querySelector(".notice-view");
    this.text = footer.querySelector(".notice-text");
    this.counter = footer.querySelector(".notice-page");
    this.pages = 1;
    this.page = 0;
    this.timer = 0;
    this.shown = null;
    // The box or the text resized (a new size of type: the same box may hold fewer lines).
    const resized = new ResizeObserver(() => this.layout());
    resized.observe(this.view);
    resized.observe(this.text);
  }

  /** Show `text` (empty: hide the footer), from its first page. */
  set(text) {
    if (text === this.shown) return;
    this.shown = text;
    this.text.textContent = text;
    this.footer.hidden = !text;
    this.layout();
  }

  /** Count the pages again (a new text, a resized screen) and start over from the first. */
  layout() {
    clearTimeout(this.timer);
    const line = parseFloat(getComputedStyle(this.text).lineHeight);
    const perPage = Math.max(1, Math.round(this.view.clientHeight / line));
    const lines = Math.round(this.text.getBoundingClientRect().height / line);
    this.lineHeight = line;
    this.perPage = perPage;
    this.pages = this.footer.hidden ? 1 : Math.max(1, Math.ceil(lines / perPage));
    this.footer.classList.toggle("paged", this.pages > 1);
    this.show(0);
  }

  show(page) {
    this.page = page % this.pages;
    this.view.scrollTop = Math.round(this.page * this.perPage * this.lineHeight);
    this.counter.textContent = this.pages > 1 ? `${this.page + 1}/${this.pages}` : "";
    if (this.pages > 1) this.timer = setTimeout(() => this.show(this.page + 1), PAGE_S * 1000);
  }
}
