// @ts-check
// Time on the server's clock (an office PC's clock is often wrong) in the hall's timezone, and
// durations as they tick on screen (m:ss, h:mm:ss). Shared by the staff console and the dashboard.

let skew = 0;
let timezone = "UTC";
const formats = new Map(); // "kind|locale|timezone" → Intl.DateTimeFormat

function format(kind, locale, options) {
  const key = `${kind}|${locale}|${timezone}`;
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, { timeZone: timezone, ...options }));
  return formats.get(key);
}

export function setClock(nowMs, tz) {
  if (Number.isFinite(nowMs)) skew = nowMs - Date.now();
  if (tz) timezone = tz;
}

/** The server's time, as an RFC 3339 string it sent ("now" of a response), corrects the skew. */
export function serverSaid(rfc3339) {
  const ms = Date.parse(rfc3339 ?? "");
  if (!Number.isNaN(ms)) skew = ms - Date.now();
}

export const serverNow = () => Date.now() + skew;

/** Seconds since `rfc3339` on the server's clock (never negative). */
export function secondsSince(rfc3339) {
  const ms = Date.parse(rfc3339 ?? "");
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.floor((serverNow() - ms) / 1000));
}

/** "3:07", "1:02:07"; negative values as their absolute value (the caller says "overdue"). */
export function duration(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** "10:02" (or "10:02:07" with `seconds`), the hall's local time of day of an RFC 3339 string
 * or a time in ms. */
export function clockTime(when, { seconds = false, locale = "en-GB" } = {}) {
  const ms = typeof when === "number" ? when : Date.parse(when ?? "");
  if (Number.isNaN(ms)) return "";
  return format(seconds ? "hms" : "hm", locale, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...(seconds ? { second: "2-digit" } : {}),
  }).format(ms);
}

/** The hall's local day (YYYY-MM-DD) at `ms` (default: now on the server's clock). */
export function hallDay(ms = serverNow()) {
  return format("day", "en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}
