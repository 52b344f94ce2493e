// What the lobby and window screens share: URL parameters, words, the clock, the offline state.

const body = document.body;
const query = new URLSearchParams(window.location.search);

/** The screen as the server rendered it and the URL asks for it. */
export const screen = {
  hall: body.dataset.hall,
  tz: body.dataset.tz,
  lang: body.dataset.lang === "en" ? "en" : "zh",
  mode: ["chime", "voice"].includes(query.get("mode")) ? query.get("mode") : "silent",
  notice: query.get("notice") ?? "",
};

const WORDS = {
  zh: {
    window: (n) => `${n}号窗口`,
    waiting: (n) => `等候 ${n} 人`,
    // s null: no staffed window serves the service now (no estimate, no invented figure)
    wait: (s) => (s == null ? "暂无窗口办理" : s > 0 ? `约 ${Math.ceil(s / 60)} 分钟` : "无需等候"),
    closed: "暂停取号",
    paused: "暂停服务",
    idle: "请稍候",
    calling: "请到本窗口办理",
  },
  en: {
    window: (n) => `Window ${n}`,
    waiting: (n) => `${n} waiting`,
    wait: (s) => (s == null ? "no window serving" : s > 0 ? `about ${Math.ceil(s / 60)} min` : "no wait"),
    closed: "Closed",
    paused: "Paused",
    idle: "Please wait",
    calling: "Please come to this window",
  },
};
export const words = WORDS[screen.lang];
export const otherWords = WORDS[screen.lang === "en" ? "zh" : "en"];

/** The name to show in the screen's language (and the other one, when it differs). */
export function names(obj) {
  const zh = obj.name ?? "";
  const en = obj.name_en || zh;
  return screen.lang === "en" ? [en, en === zh ? "" : zh] : [zh, en === zh ? "" : en];
}

// The server's clock: display PCs often run wrong clocks. Its time at render, then the Date
// header of the stream's liveness checks, keep the offset.
let skew = Number(body.dataset.now) - Date.now() || 0;
export const serverNow = () => Date.now() + skew;
export function serverDate(ms) {
  const offset = ms - Date.now(); // the header has whole seconds: ignore small differences
  if (Math.abs(offset - skew) > 2000) skew = offset;
}

const FRESH_MS = 60000;
/** A call newer than a minute: highlighted and announced (a replay after an outage is not). */
export const isFresh = (at) => serverNow() - Date.parse(at) < FRESH_MS;

const locale = screen.lang === "en" ? "en-GB" : "zh-CN";
const timeFormat = new Intl.DateTimeFormat(locale, {
  timeZone: screen.tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const dateFormat = new Intl.DateTimeFormat(locale, {
  timeZone: screen.tz, month: "long", day: "numeric", weekday: "short",
});
const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: screen.tz }); // YYYY-MM-DD

/** The hall's local day now, as the stream's stamps start: "2026-11-26". */
export const today = () => dayFormat.format(serverNow());

/** Tick the clock each second, in the hall's timezone; `onTick` runs after each tick. */
export function startClock(onTick = () => {}) {
  const timeEl = document.getElementById("clock-time");
  const dateEl = document.getElementById("clock-date");
  const tick = () => {
    const now = serverNow();
    timeEl.textContent = timeFormat.format(now);
    dateEl.textContent = dateFormat.format(now);
    onTick();
    setTimeout(tick, 1000 - (now % 1000) + 5); // on the second, without drift
  };
  tick();
}

/**
 * The stream's state handler: the offline banner shows when the stream is lost (or not yet
 * connected) for more than `graceMs`, so a quick reconnect does not flash it.
 */
export function offlineState(graceMs = 1000) {
  const banner = document.getElementById("offline");
  let timer = 0;
  const lost = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      banner.hidden = false;
      body.classList.add("offline");
    }, graceMs);
  };
  lost(); // offline until the stream connects
  return (online) => {
    console.info(`callnext: stream ${online ? "online" : "offline"}`);
    if (!online) return lost();
    clearTimeout(timer);
    banner.hidden = true;
    body.classList.remove("offline");
  };
}

/** Replay a short "look here" animation on an element (Web Animations: nothing to clean up). */
export function flash(el, ms = 1200) {
  el.animate(
    [{ backgroundColor: "#ffd23f", color: "#0b1f3a" }, { backgroundColor: "transparent" }],
    { duration: ms, easing: "ease-out" },
  );
}
