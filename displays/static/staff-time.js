// Time on the server's clock (a desk PC's clock is often wrong) in the hall's timezone, and the
// durations the console shows (m:ss, h:mm:ss). One ticker re-renders what counts each second.

let skew = 0;
let timezone = "UTC";
const formats = new Map();

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

/** "10:02", the hall's local time of day of an RFC 3339 string. */
export function clockTime(rfc3339, locale = "zh-CN") {
  const ms = Date.parse(rfc3339 ?? "");
  if (Number.isNaN(ms)) return "";
  const key = `${locale}|${timezone}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.DateTimeFormat(locale, {
      timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }));
  }
  return formats.get(key).format(ms);
}

/** Average seconds as m:ss, or "—" when there is none yet. */
export const average = (s) => (s == null ? "—" : duration(Math.round(s)));

const tickers = new Set();
/** Call `fn` every second, on the second (the countdowns tick together). Returns a remover. */
export function everySecond(fn) {
  tickers.add(fn);
  return () => tickers.delete(fn);
}
function tick() {
  for (const fn of tickers) {
    try {
      fn();
    } catch (err) {
      console.warn("callnext: ticker", err);
    }
  }
  setTimeout(tick, 1000 - (serverNow() % 1000) + 5);
}
tick();
