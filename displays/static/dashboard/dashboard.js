// @ts-check
// The manager's dashboard (/halls/{hall}/dashboard): log in, then the hall live (today), the
// figures and charts of a day (today or a past one), the 30-day trends and the exports. One hall
// stream (HallStream, /ws/v2) says when something changed; the page then reads again (debounced,
// one read at a time).
import { HALL_UPDATED, HallStream } from "../shared/protocol.js";
import {
  Refresher, addDays, clockTime, hallApi, hallDay, isDay, serverNow, serverSaid, session, setClock,
  whenDenied,
} from "./dashboard-api.js";
import { DayView } from "./dashboard-day.js";
import { loginForm } from "../shared/login.js";
import { dropToken } from "../shared/session.js";
import { Exports } from "./dashboard-export.js";
import { Live } from "./dashboard-live.js";
import { AppointmentsPanel } from "./dashboard-appointments.js";
import { RatingsPanel } from "./dashboard-ratings.js";
import { FollowupsPanel } from "./dashboard-followups.js";
import { TripsCard } from "./dashboard-trips.js";
import { currentLang, errorText, fillTexts, setLang, words } from "./dashboard-words.js";
import { langInUrl, markLang, onLangToggle } from "../shared/words.js";

/** @typedef {import("../shared/session.js").Result} Result */
/** @typedef {import("../shared/session.js").Failure} Failure */

const $ = (id) => document.getElementById(id);
const body = document.body;
const config = JSON.parse($("config").textContent);
setClock(config.now_ms, config.timezone);

const api = hallApi(config.hall);
const services = new Map((config.services ?? []).map((s) => [s.code, { ...s }]));
const windows = (config.windows ?? []).map((w) => ({ ...w }));
const live = new Live(services);
const dayView = new DayView(services, windows);
const ratings = new RatingsPanel(api, services, windows); // 好差评 (docs/ratings.md)
const followups = new FollowupsPanel(api, services, windows); // 差评回访 (docs/ratings.md)
const appointments = new AppointmentsPanel(api, services); // 预约 (docs/appointments.md)
const trips = new TripsCard(services); // 一次办结率 (docs/reports.md)
const VIEWS = ["loading", "login", "board"];
const TREND_EVERY_MS = 60000; // today's trend point is read again at most this often
let view = "loading";
let day = isDay(config.date) && config.date <= hallDay() ? config.date : hallDay();
let followToday = day === hallDay(); // at midnight, a page showing today moves on to the new day
let trendTimer = 0;

// ---- messages, connection state ----

function say(text, kind = "ok") {
  $("message").textContent = text;
  $("message").dataset.kind = kind;
}

const health = { stream: false, fetch: true };
function renderHealth() {
  const w = words();
  const onBoard = view === "board";
  $("conn").hidden = !onBoard;
  $("conn").dataset.online = String(health.stream);
  $("conn").textContent = health.stream ? w.online : w.reconnecting;
  $("offline").hidden = !onBoard || health.fetch;
}
const fetchHealth = (ok) => { health.fetch = ok; renderHealth(); };

const exports = new Exports({ api, say, today: () => hallDay() });

// ---- views ----

function show(name) {
  view = name;
  body.dataset.view = name;
  for (const v of VIEWS) $(`${v}-view`).hidden = v !== name;
  $("day-pick").hidden = name !== "board";
  $("session").hidden = name !== "board";
  $("who").textContent = session.value?.username ?? "";
  renderHealth();
}

function renderHeader() {
  const w = words();
  const pair = currentLang() === "en" ? [config.name_en || config.name, config.name] : [config.name, config.name_en];
  $("hall-name").textContent = pair[0];
  $("hall-name-2").textContent = pair[1] && pair[1] !== pair[0] ? pair[1] : "";
  document.title = `${pair[0]} · ${w.title}`;
  const today = hallDay();
  /** @type {HTMLInputElement} */ ($("day")).value = day;
  /** @type {HTMLInputElement} */ ($("day")).max = today;
  /** @type {HTMLButtonElement} */ ($("day-next")).disabled = day >= today;
  /** @type {HTMLButtonElement} */ ($("day-today")).disabled = day === today;
  $("day-title").textContent = w.day_title(day, day === today);
}

// ---- reading the day (and, for today, the hall live) ----

async function loadBoard() {
  const asked = day;
  const isToday = asked === hallDay();
  // One request at a time: the report first (the figures), then the live reads.
  const report = await api.report(asked);
  if (!report.ok) return report;
  const out = { ok: true, day: asked, today: isToday, report: report.data };
  if (isToday) {
    for (const [key, read] of /** @type {[string, () => Promise<Result>][]} */ (
      [["hall", api.hall], ["windows", api.windows], ["pending", api.pending]])) {
      const result = await read();
      if (!result.ok) return result;
      out[key] = result.data;
    }
  }
  out.at = serverNow();
  return out;
}

function applyBoard(result) {
  if (!result.ok) {
    if (!result.denied && result.status !== 0 && result.status < 500) say(errorText(result), "error");
    return;
  }
  if (result.day !== day) return; // the day changed meanwhile: a new read is on its way
  serverSaid(result.report.now);
  dayView.show(result.day, result.today);
  dayView.setReport(result.report);
  ratings.show(result.day, result.report);
  trips.setDay(result.report.trips);
  followups.load();
  appointments.show(result.day, result.report);
  $("day-as-of").textContent = words().as_of(clockTime(result.report.now, { seconds: true }));
  $("board-view").dataset.today = String(result.today);
  $("board-view").dataset.loaded = result.day;
  if (result.today) {
    for (const s of result.hall.services) {
      services.set(s.code, { target_wait_s: 900, ...services.get(s.code), code: s.code, name: s.name, name_en: s.name_en });
    }
    live.update({ hall: result.hall, windows: result.windows, pending: result.pending,
      longest: result.report.longest_waiting, at: result.at });
  } else {
    live.clear();
  }
}

async function loadTrend() {
  const asked = day;
  const result = await api.trend(addDays(asked, -29), asked);
  return result.ok ? { ...result, day: asked } : result;
}

function applyTrend(result) {
  if (!result.ok || result.day !== day) return;
  dayView.setTrend(result.data);
  trips.setRange(result.data.trips);
}

const board = new Refresher(loadBoard, applyBoard, fetchHealth, 250);
const trend = new Refresher(loadTrend, applyTrend, fetchHealth, 0);

/** Show `next` (YYYY-MM-DD): read its report and trend; live parts only for today. */
function setDay(next, { picked = true } = {}) {
  const today = hallDay();
  if (!isDay(next)) return;
  if (next > today) next = today;
  day = next;
  if (picked) followToday = next === today;
  const url = new URL(window.location.href);
  if (next === today) url.searchParams.delete("date");
  else url.searchParams.set("date", next);
  history.replaceState(null, "", url);
  renderHeader();
  exports.show(next);
  $("board-view").dataset.today = String(next === today);
  if (view !== "board") return;
  board.stop();
  trend.stop();
  clearTimeout(trendTimer);
  trendTimer = 0;
  board.now();
  trend.now();
}

/** After a change in the hall: today's figures now, its trend point within a minute. */
function changed() {
  if (view !== "board" || day !== hallDay()) return;
  board.schedule();
  if (!trendTimer) {
    trendTimer = setTimeout(() => {
      trendTimer = 0;
      if (day === hallDay()) trend.now();
    }, TREND_EVERY_MS);
  }
}

/** Settings changed (targets, names, windows): read them again, then draw with them. */
async function settingsChanged() {
  const result = await api.settings();
  if (!result.ok) return;
  for (const s of result.data.services ?? []) services.set(s.code, { ...s });
  for (const code of [...services.keys()]) {
    if (!(result.data.services ?? []).some((s) => s.code === code)) services.delete(code);
  }
  windows.splice(0, windows.length, ...(result.data.windows ?? []));
  dayView.render();
}

// ---- the stream ----

const stream = new HallStream(config.hall, {
  snapshot: () => changed(),
  event: (frame) => {
    if (frame.event === HALL_UPDATED && view === "board") settingsChanged();
    changed();
  },
  state: (online) => {
    console.info(`callnext: stream ${online ? "online" : "offline"}`);
    health.stream = online;
    renderHealth();
  },
  serverDate: (ms) => setClock(ms),
});
window.callnextStream = stream;

// ---- logging in and out ----

function openBoard() {
  say("", "ok");
  show("board");
  setDay(day, { picked: false });
  if (stream.stopped) stream.start();
}

function closeBoard() {
  board.stop();
  trend.stop();
  clearTimeout(trendTimer);
  trendTimer = 0;
  stream.stop();
  live.clear();
  dayView.clear();
  trips.clear();
}

function showLogin(text = "", username = "") {
  closeBoard();
  show("login");
  login.showError(text);
  login.reset(username);
}

/** Why an account may not read this hall's dashboard, or "" when it may. */
function refusal(account) {
  const w = words();
  if (!["manager", "admin"].includes(account.role)) return w.managers_only;
  if (account.hall && account.hall !== config.hall) return w.other_hall(account.hall);
  return "";
}

whenDenied((failure) => {
  const { username = "", hall = "" } = session.value ?? {};
  session.clear();
  const w = words();
  const text = failure.status === 401 ? w.expired
    : failure.code === "wrong_hall" ? w.other_hall(hall ?? "") : w.managers_only;
  showLogin(text, username);
});

/** After a refused login: the password field empty, and the focus in it. */
function retry(password) {
  password.value = "";
  password.focus();
}

const login = loginForm({
  login: api.login, logout: api.logout, session, words, failureText: errorText, refusal,
  // An account that may not read this dashboard: its new token is dropped at once.
  refused: (text, data) => {
    dropToken(data.token);
    login.showError(text);
    retry($("password"));
  },
  afterError: retry,
  sessionOf: (data, username) => ({ token: data.token, username: data.username ?? username,
    role: data.role, hall: data.hall }),
  entered: () => openBoard(),
});

async function logOut() {
  await login.logOut();
  showLogin();
  say(words().logged_out, "info");
}

/** Back after a reload: the token of this tab, if the server still knows it. */
async function restore() {
  if (!session.load()?.token) return showLogin();
  for (let attempt = 0; ; attempt += 1) {
    const me = await api.me();
    if (me.ok) {
      const refused = refusal(me.data);
      if (refused) {
        session.clear();
        return showLogin(refused, me.data.username);
      }
      session.save({ ...session.value, username: me.data.username, role: me.data.role, hall: me.data.hall });
      return openBoard();
    }
    if (/** @type {Failure} */ (me).denied) return; // whenDenied showed the login form
    if (me.status >= 400 && me.status < 500) {
      session.clear();
      return showLogin();
    }
    fetchHealth(false);
    await new Promise((ok) => setTimeout(ok, Math.min(10000, 1000 * 2 ** attempt)));
  }
}

// ---- language, day picker, clocks, start ----

function setLanguage(lang) {
  setLang(lang);
  markLang(currentLang(), words().html_lang);
  fillTexts();
  langInUrl(lang);
  renderHeader();
  renderHealth();
  if (view === "board") {
    dayView.render();
    live.render();
    ratings.render();
    followups.render();
    trips.render();
    appointments.render();
    if (dayView.report) $("day-as-of").textContent = words().as_of(clockTime(dayView.report.now, { seconds: true }));
  }
}

onLangToggle(setLanguage);
$("day").addEventListener("change", () => {
  if (isDay(/** @type {HTMLInputElement} */ ($("day")).value)) setDay(/** @type {HTMLInputElement} */ ($("day")).value);
});
$("day-prev").addEventListener("click", () => setDay(addDays(day, -1)));
$("day-next").addEventListener("click", () => setDay(addDays(day, 1)));
$("day-today").addEventListener("click", () => setDay(hallDay()));
$("logout").addEventListener("click", logOut);
window.addEventListener("unhandledrejection", (e) => console.warn("callnext:", e.reason));

setInterval(() => live.tick(), 1000);
let knownToday = hallDay();
setInterval(() => { // midnight in the hall: a page that followed today shows the new day
  const today = hallDay();
  if (today === knownToday) return;
  knownToday = today;
  if (followToday) setDay(today, { picked: false });
  else renderHeader();
}, 30000);

setLanguage(config.lang);
show("loading");
restore();
