// @ts-check
// The staff console (/halls/{hall}/staff): log in, pick a window (or, as a manager, see them
// all), work the desk. Views: login → picker → desk, or login → overview → desk. One hall
// stream (HallStream, /ws/v2) keeps whatever is on screen fresh.
import { loginForm } from "../shared/login.js";
import { HallStream } from "../shared/protocol.js";
import { ACTIONS } from "./staff-actions.js";
import { hallApi, session, whenExpired } from "./staff-api.js";
import { cancelDialog, dialogOpen, helpDialog, leaveDialog } from "./staff-dialogs.js";
import { Desk, typing } from "./staff-desk.js";
import { AppointmentsPanel } from "./staff-appointments.js";
import { Overview } from "./staff-overview.js";
import { Picker, takeWindow } from "./staff-picker.js";
import { setClock } from "./staff-time.js";
import { currentLang, errorText, fillTexts, setLang, windowLabel, words } from "./staff-words.js";
import { langInUrl, markLang, onLangToggle } from "../shared/words.js";

/** @typedef {import("../shared/session.js").Failure} Failure */

const $ = (id) => document.getElementById(id);
const body = document.body;
const config = JSON.parse($("config").textContent);
setClock(config.now_ms, config.timezone);

const api = hallApi(config.hall);
const services = new Map((config.services ?? []).map((s) => [s.code, s]));
const queues = new Map(); // code → {waiting, est_wait_s, …}, from the stream
const VIEWS = ["loading", "login", "picker", "desk", "overview"];
let view = "loading";

// ---- messages, connection state ----

/** The one status line: a result (ok, info) or an error, until the next one. */
function say(text, kind = "ok") {
  const el = $("message");
  el.textContent = text;
  el.title = text; // the line is one line high: a sentence too long for it is cut, whole here
  el.dataset.kind = kind;
}

const health = { stream: false, fetch: true, timer: 0 };
function renderHealth() {
  const w = words();
  $("conn").dataset.online = String(health.stream);
  $("conn").textContent = health.stream ? w.online : w.reconnecting;
  clearTimeout(health.timer);
  const down = !health.fetch || !health.stream;
  if (!down || view === "login" || view === "loading") {
    $("offline").hidden = !(down && view === "loading" && !health.fetch);
    body.classList.toggle("offline", !$("offline").hidden);
    return;
  }
  // A quick reconnect does not flash the banner; a failed read shows it at once.
  health.timer = setTimeout(() => {
    $("offline").hidden = false;
    body.classList.add("offline");
  }, health.fetch ? 1000 : 0);
}
const fetchHealth = (ok) => { health.fetch = ok; renderHealth(); };

/** Every failed request ends here: expiry, a takeover, or a sentence on the status line. */
function fail(failure, win) {
  if (failure.expired) return;
  if (failure.code === "window_taken") {
    takenOver(win?.number ?? desk.number, failure.error?.staff);
    return;
  }
  say(errorText(failure), "error");
}

const ctx = {
  api, say, fail, services, queues, config, session, health: fetchHealth, help: () => showHelp(),
  takenOver: (n, who) => takenOver(n, who),
  opened: (n, deskId) => openDesk(n, deskId),
  openDesk: (n) => openDesk(n, null),
  changed: () => renderHeader(),
};
const desk = new Desk(ctx);
const picker = new Picker(ctx);
const overview = new Overview(ctx);
const appointments = { desk: new AppointmentsPanel("desk", ctx), overview: new AppointmentsPanel("ov", ctx) };

// ---- views ----

function show(name) {
  if (name !== view) cancelDialog();
  view = name;
  body.dataset.view = name;
  for (const v of VIEWS) $(`${v}-view`).hidden = v !== name;
  if (name !== "desk") desk.close();
  if (name !== "picker") picker.close();
  if (name !== "overview") overview.close();
  for (const [where, panel] of Object.entries(appointments)) {
    if (where !== name) panel.close();
    else if (!panel.refresher) panel.open(where === "desk" ? () => desk.window.services : null);
  }
  renderHeader();
  renderHealth();
}

function renderHeader() {
  const w = words();
  const user = session.value?.username ?? "";
  const inSession = view !== "login" && view !== "loading";
  const manager = session.isManager;
  $("session").hidden = !inSession;
  $("conn").hidden = !inSession;
  $("where").hidden = !inSession;
  $("where").textContent = view === "desk" ? desk.title(user)
    : view === "overview" ? `${w.overview} · ${user}` : user;
  $("to-overview").hidden = !(manager && view === "desk");
  $("take-this").hidden = !(manager && view === "desk" && !desk.holds);
  $("leave").hidden = !(view === "desk" && desk.holds);
  const pair = currentLang() === "en" ? [config.name_en || config.name, config.name] : [config.name, config.name_en];
  $("hall-name").textContent = pair[0];
  $("hall-name-2").textContent = pair[1] && pair[1] !== pair[0] ? pair[1] : "";
  document.title = `${pair[0]} · ${w.title}`;
}

/** Where a logged-in user starts: staff pick a window, managers see them all. */
function home() {
  if (session.isManager) {
    show("overview");
    overview.open();
  } else {
    show("picker");
    picker.open();
  }
}

function openDesk(n, deskId) {
  show("desk");
  desk.open(n, deskId);
  renderHeader();
  if (!$("desk-view").contains(document.activeElement)) /** @type {HTMLElement | null} */ (document.activeElement)?.blur();
}

function takenOver(n, who) {
  const label = windowLabel(desk.data?.window ?? { number: n });
  desk.close();
  home();
  say(words().taken_over(label, who), "error");
}

function showLogin(text = "", kind = "error", username = "") {
  show("login");
  login.showError("");
  say(text, kind);
  login.reset(username);
}

whenExpired(() => {
  const username = session.value?.username ?? "";
  session.clear();
  showLogin(words().expired, "error", username);
});

// ---- logging in and out ----

const login = loginForm({
  login: api.login, logout: api.logout, session, words, failureText: errorText,
  // A staff account of another hall is refused here (its token is left as it is).
  refusal: (data) => (data.hall && data.hall !== config.hall && data.role !== "admin"
    ? words().other_hall(data.hall) : ""),
  refused: (text) => login.showError(text),
  sessionOf: (data, username) => ({ token: data.token, username: data.username ?? username,
    role: data.role, hall: data.hall, window: data.window ?? null }),
  entered: async () => {
    say("", "ok");
    if (!(await reclaim())) home();
  },
});

/** A new login of a user whose earlier session still holds a window (the console reopened,
 * another PC): take it back, no takeover question, and open its desk. → whether it did. */
async function reclaim() {
  const me = session.value?.username;
  const list = await api.windows();
  const held = list.ok ? (list.data.windows ?? []).find((win) => win.staff === me) : null;
  if (!held) return false;
  const taken = await takeWindow(ctx, held.number, windowLabel(held));
  if (!taken) return false;
  say(words().took_back(windowLabel(held)), "ok");
  openDesk(held.number, taken.desk);
  return true;
}

/** Before leaving window `n` (or logging out): with a citizen called there, ask first, then
 * finish the ticket or send it back to its queue. → false: stay (or the action failed). */
async function settleCurrent(n, label, logout) {
  const read = await api.desk(n);
  const current = read.ok ? read.data.window?.current : null;
  if (!current) return true;
  const choice = await leaveDialog(label, current.number, logout);
  if (!choice) return false;
  const result = choice === "finish"
    ? await api.act(n, "finish", { outcome: "completed" })
    : await api.act(n, "requeue");
  if (!result.ok) fail(result, { number: n });
  return result.ok;
}

async function logOut() {
  const me = await api.me();
  const held = me.ok && me.data.desk?.holds ? me.data.desk.window : null;
  if (held !== null) {
    const label = windowLabel(desk.number === held && desk.data ? desk.data.window : { number: held });
    if (!(await settleCurrent(held, label, true))) return;
  }
  await login.logOut(); // the server lets go of the window this session holds
  showLogin(words().logged_out, "info");
}

async function leave() {
  const n = desk.number;
  const label = desk.title("");
  if (desk.holds) {
    if (!(await settleCurrent(n, label, false))) return;
    const result = await api.release(n);
    if (!result.ok) {
      fail(result, { number: n });
      if (result.status === 0) return;
    } else {
      say(words().released(label), "info");
    }
  }
  home();
}

async function takeThis() {
  const n = desk.number;
  const taken = await takeWindow(ctx, n, desk.title(""));
  if (!taken) return;
  say(words().took(desk.title("")), "ok");
  desk.open(n, taken.desk);
  renderHeader();
}

/** Back after a reload: the token of this tab, and the window it held. */
async function restore() {
  if (!session.load()?.token) return showLogin();
  for (let attempt = 0; ; attempt += 1) {
    const me = await api.me();
    if (me.ok) {
      const m = me.data;
      session.save({ ...session.value, username: m.username, role: m.role, hall: m.hall, window: m.window ?? null });
      if (m.desk?.holds) return openDesk(m.desk.window, m.desk.desk);
      return home();
    }
    if (/** @type {Failure} */ (me).expired) return;
    if (me.status >= 400 && me.status < 500) {
      session.clear();
      return showLogin();
    }
    fetchHealth(false);
    await new Promise((ok) => setTimeout(ok, Math.min(10000, 1000 * 2 ** attempt)));
  }
}

// ---- the stream ----

function applySnapshot(hall) {
  for (const s of hall.services ?? []) {
    services.set(s.code, { ...services.get(s.code), ...s });
    queues.set(s.code, s);
  }
  onEvent(null);
}

function onEvent(frame) {
  for (const [code, q] of Object.entries(frame?.queues ?? {})) queues.set(code, q);
  appointments[view]?.onEvent(frame);
  if (view === "desk") {
    if (frame) desk.onEvent(frame);
    else desk.refresh();
  } else if (view === "picker") picker.onEvent();
  else if (view === "overview") overview.onEvent();
}

const stream = new HallStream(config.hall, {
  snapshot: applySnapshot,
  event: onEvent,
  state: (online) => {
    console.info(`callnext: stream ${online ? "online" : "offline"}`);
    health.stream = online;
    renderHealth();
  },
  serverDate: (ms) => setClock(ms),
});
window.callnextStream = stream;

// ---- language, keys, start ----

function setLanguage(lang) {
  setLang(lang);
  markLang(currentLang(), words().html_lang);
  fillTexts();
  langInUrl(lang);
  renderHeader();
  renderHealth();
  if (view === "picker") picker.render();
  if (view === "desk") desk.render();
  if (view === "overview") overview.render();
  appointments[view]?.render();
}

function showHelp() {
  const w = words();
  const rows = ACTIONS.map((a) => [[a.key], a.id === "pause" ? `${w.a_pause} / ${w.a_resume}` : w[a.label]]);
  rows.push([["?"], w.a_help], [["Esc"], w.k_escape], [["Enter"], w.k_enter], [["Tab"], w.k_tab]);
  return helpDialog(rows);
}

document.addEventListener("keydown", (e) => {
  if (view !== "desk" || e.defaultPrevented) return;
  if (e.key === "?" && !dialogOpen() && !typing(e.target)) {
    e.preventDefault();
    showHelp();
    return;
  }
  desk.key(e);
});

onLangToggle(setLanguage);
$("logout").addEventListener("click", logOut);
$("leave").addEventListener("click", leave);
$("take-this").addEventListener("click", takeThis);
$("to-overview").addEventListener("click", () => home());
window.addEventListener("unhandledrejection", (e) => console.warn("callnext:", e.reason));

setLanguage(config.lang);
show("loading");
stream.start();
restore();
