// @ts-check
// The kiosk's clock, on the server's time (kiosk PCs often run wrong clocks): the page's config
// gives the server's time at render, each stream frame's Date header corrects it.
import { currentLang, words } from "./kiosk-words.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("config").textContent);

let skew = config.now_ms - Date.now() || 0;
const formats = new Map();
const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: config.timezone }); // YYYY-MM-DD

/** The hall's day now, on the server's time: "2026-11-26". */
export const hallToday = () => dayFormat.format(Date.now() + skew);

function format(kind) {
  const key = `${currentLang()}-${kind}`;
  if (!formats.has(key)) {
    /** @type {Intl.DateTimeFormatOptions} */
    const options = kind === "time"
      ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
      : { month: "long", day: "numeric", weekday: "short" };
    formats.set(key, new Intl.DateTimeFormat(words().locale, { timeZone: config.timezone, ...options }));
  }
  return formats.get(key);
}

/** The time and date in the header, in the current language → the server's time now (ms). */
export function renderClock() {
  const now = Date.now() + skew;
  $("clock-time").textContent = format("time").format(now);
  $("clock-date").textContent = format("date").format(now);
  return now;
}

/** Tick each second, just after the second turns. */
export function startClock() {
  const now = renderClock();
  setTimeout(startClock, 1000 - (now % 1000) + 5);
}

/** A Date header's time (ms) from the server. */
export function serverDate(ms) {
  const offset = ms - Date.now(); // whole seconds in the header: ignore small differences
  if (Math.abs(offset - skew) > 2000) skew = offset;
}
