// @ts-check
// What the lobby and window screens share: URL parameters, words, the clock, the offline state.
import { PAST_CLOSING, opensWhen, waitFor } from "../shared/wait-words.js";

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
    // over an hour in hours and minutes, as the kiosk and the phone say it (wait-words.js)
    wait: (s) => (s == null ? "暂无窗口办理" : s > 0 ? waitFor.zh(s) : "无需等候"),
    past_closing: PAST_CLOSING.zh,
    closed: "暂停取号",
    quota_reached: "今日号已取完",
    // when tickets are next issued (wait-words.js): "09:00", "明天 09:00", "周二 09:00"…
    opens: (when) => `${when} 开始取号`,
    paused: "暂停服务",
    unstaffed: "暂停服务",
    idle: "请留意叫号",
    staff: (name) => `工作人员：${name}`,
    staff_no: (no) => `工号：${no}`,
    calling: "请到本窗口办理",
  },
  en: {
    window: (n) => `Window ${n}`,
    waiting: (n) => `${n} waiting`,
    wait: (s) => (s == null ? "no window serving" : s > 0 ? waitFor.en(s) : "no wait"),
    past_closing: PAST_CLOSING.en,
    closed: "Closed",
    quota_reached: "None left today",
    opens: (when) => `Tickets from ${when}`,
    paused: "Paused",
    unstaffed: "Closed",
    idle: "Please watch for your number",
    staff: (name) => `Staff: ${name}`,
    staff_no: (no) => `Staff no. ${no}`,
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

/** A closed service's line on the lobby: when it issues again, or why not. */
export function closedText(q) {
  if (q.closed_reason === "quota_reached") return words.quota_reached;
  if (q.closed_reason === "service_closed" || !q.next_open_at) return words.closed;
  return words.opens(opensWhen(q.next_open_at, today(), screen.lang));
}

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

// A highlight blinks between these and the element's own colours (dark on yellow: 12.8:1). Each
// change is a jump, never a fade: a fade passes through colours where text cannot be read
// (yellow on half-yellow), exactly when people look up at the chime.
const FLASH_ON = { backgroundColor: "#ffd23f", color: "#0b1f3a" };
const FLASH_STEPS = 5; // on, off, on, off, on: under 3 flashes a second for any ms >= 1000

/**
 * Replay a short "look here" highlight on an element: it and every element in it turn dark on
 * yellow, then back, FLASH_STEPS times in `ms` (Web Animations, id "flash": nothing to clean up).
 */
export function flash(el, ms = 1200) {
  for (const a of el.getAnimations({ subtree: true })) if (a.id === "flash") a.cancel();
  // Every colour first: a child inherits its colour, so reading it after the parent's animation
  // starts would read the highlight's.
  const targets = [el, ...el.querySelectorAll("*")].map((target) => {
    const style = getComputedStyle(target);
    const own = { color: style.color };
    const on = { color: FLASH_ON.color };
    if (target === el) {
      own.backgroundColor = style.backgroundColor;
      on.backgroundColor = FLASH_ON.backgroundColor;
    }
    return { target, own, on };
  });
  for (const { target, own, on } of targets) {
    const frames = Array.from({ length: FLASH_STEPS }, (_, i) => ({
      ...(i % 2 ? own : on), offset: i / FLASH_STEPS, easing: "step-end",
    }));
    target.animate([...frames, { ...own, offset: 1 }], { duration: ms, id: "flash" });
  }
}
