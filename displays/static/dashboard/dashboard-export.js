// @ts-check
// The exports: the day on screen, or a range of days, as CSV or XLSX. The download needs the
// manager's token, so it is fetched with the header and handed to the browser as a Blob.
import { addDays, fileName, isDay, saveBlob } from "./dashboard-api.js";
import { currentLang, errorText, words } from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);
const RANGE_DAYS = 30;

export class Exports {
  /** ctx: {api, say(text, kind), today()}. */
  constructor(ctx) {
    this.ctx = ctx;
    this.day = null;
    this.busy = false;
    for (const id of ["export-day-csv", "export-day-xlsx"]) {
      $(id).addEventListener("click",
        (e) => this.run(this.day, this.day, /** @type {HTMLElement} */ (e.currentTarget).dataset.format));
    }
    $("export-range").addEventListener("submit", (e) => {
      e.preventDefault();
      this.range(/** @type {HTMLButtonElement} */ (e.submitter)?.value ?? "csv");
    });
  }

  /** The day on screen: the day's buttons export it; the range ends with it unless changed. */
  show(day) {
    const previous = this.day;
    this.day = day;
    $("export-day").textContent = day;
    const today = this.ctx.today();
    for (const input of /** @type {HTMLInputElement[]} */ ([$("export-from"), $("export-to")])) input.max = today;
    if (!/** @type {HTMLInputElement} */ ($("export-to")).value
      || /** @type {HTMLInputElement} */ ($("export-to")).value === previous) {
      /** @type {HTMLInputElement} */ ($("export-to")).value = day;
      /** @type {HTMLInputElement} */ ($("export-from")).value = addDays(day, -(RANGE_DAYS - 1));
    }
  }

  range(format) {
    const from = /** @type {HTMLInputElement} */ ($("export-from")).value;
    const to = /** @type {HTMLInputElement} */ ($("export-to")).value;
    const bad = !isDay(from) ? $("export-from") : !isDay(to) ? $("export-to") : null;
    for (const input of [$("export-from"), $("export-to")]) input.removeAttribute("aria-invalid");
    if (bad) {
      bad.setAttribute("aria-invalid", "true");
      bad.focus();
      this.ctx.say(words().errors.bad_date, "error");
      return;
    }
    if (from > to) {
      $("export-from").setAttribute("aria-invalid", "true");
      this.ctx.say(words().errors.bad_range, "error");
      return;
    }
    this.run(from, to, format);
  }

  async run(from, to, format) {
    if (this.busy || !from || !to) return;
    this.busy = true;
    const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll(".export button"));
    for (const b of buttons) b.disabled = true;
    document.body.setAttribute("aria-busy", "true");
    this.ctx.say(words().exporting, "info");
    try {
      const result = await this.ctx.api.exportFile(from, to, format, currentLang());
      if (!result.ok) {
        if (!result.denied) this.ctx.say(errorText(result), "error");
        return;
      }
      const name = fileName(result.headers, `callnext-${from}-${to}.${format}`);
      saveBlob(result.data, name);
      this.ctx.say(words().exported(name), "ok");
    } finally {
      this.busy = false;
      for (const b of buttons) b.disabled = false;
      document.body.removeAttribute("aria-busy");
    }
  }
}
