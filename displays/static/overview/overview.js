// @ts-check
// The region's overview (/overview, docs/overview.md): an admin of every hall logs in, then sees
// every hall's day side by side (GET /api/v1/overview), sorted by any column (the server sorts:
// nulls last), with each hall's 30-day sparkline (…/trend), read again every REFRESH_MS; the
// table as CSV or XLSX (…/export).
import { EXPIRED_CODES, apiClient, dropToken, pageSession } from "../shared/session.js";
import { loginForm } from "../shared/login.js";
import { langInUrl, markLang, onLangToggle } from "../shared/words.js";
import { clockTime, hallDay, serverSaid, setClock } from "../shared/time.js";
import { renderBody, renderHead } from "./overview-table.js";
import { currentLang, errorText, fillTexts, pct, setLang, words } from "./overview-words.js";

/** @typedef {import("../shared/session.js").Failure} Failure */

const REFRESH_MS = 45000; // the table; the trends every TREND_MS
const TREND_MS = 300000;
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const config = JSON.parse($("config").textContent ?? "{}");
setClock(config.now_ms, "Asia/Shanghai");

const session = pageSession("callnext.overview");
const client = apiClient(session, {
  timeoutMs: 30000,
  ends: (f) => (f.status === 401 && EXPIRED_CODES.has(f.code)) || f.status === 403,
  flag: "denied",
});
const send = client.send;
const state = { view: "loading", sort: "hall", order: "asc", day: "", metric: "served",
  /** @type {any} */ table: null, /** @type {Map<string, any>} */ series: new Map(), loads: 0 };
let refreshTimer = 0;
let trendTimer = 0;

function say(text, kind = "ok") {
  $("message").textContent = text;
  $("message").dataset.kind = kind;
}

function show(name) {
  state.view = name;
  document.body.dataset.view = name;
  for (const v of ["loading", "login", "board"]) $(`${v}-view`).hidden = v !== name;
  $("session").hidden = name !== "board";
  $("day-pick").hidden = name !== "board";
  $("who").textContent = session.value?.username ?? "";
}

const query = (/** @type {Record<string, string>} */ params) => {
  const out = new URLSearchParams(params);
  if (state.day) out.set("date", state.day);
  return out.toString();
};

// ---- reading and drawing ----

async function loadTable() {
  const result = await send("GET", `/api/v1/overview?${query({ sort: state.sort, order: state.order })}`);
  $("offline").hidden = result.ok || result.status !== 0;
  if (!result.ok) {
    if (!(/** @type {Failure} */ (result)).denied) say(errorText(/** @type {Failure} */ (result)), "error");
    return;
  }
  state.table = result.data;
  serverSaid(result.data.now);
  if (result.data.halls[0]) setClock(undefined, result.data.halls[0].timezone);
  state.loads += 1;
  render();
}

async function loadTrend() {
  const result = await send("GET", `/api/v1/overview/trend?${query({ days: "30" })}`);
  if (!result.ok) return;
  state.series = new Map(result.data.halls.map((s) => [s.hall, s]));
  render();
}

function renderRegion() {
  const w = words();
  const t = state.table.totals;
  const facts = [
    [w.f_halls, String(t.halls)],
    ...(t.waiting === null ? [] : [[w.f_waiting, String(t.waiting)], [w.f_staffed, `${t.staffed_windows} / ${t.windows}`]]),
    [state.day ? w.f_served_day : w.f_served, String(t.served)],
    [w.f_same_day, pct(t.same_day_completion_rate)],
    [w.f_satisfied, pct(t.satisfied_rate)],
  ];
  $("region-facts").replaceChildren(...facts.map(([label, value]) => {
    const div = document.createElement("div");
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    div.append(dt, dd);
    return div;
  }));
}

function render() {
  if (!state.table) return;
  const w = words();
  const board = $("board-view");
  renderHead($("halls-head"), state.sort, state.order, sortBy);
  renderBody($("halls-body"), state.table.halls, state.series, state.metric);
  renderRegion();
  const day = state.day || state.table.halls[0]?.date || hallDay();
  $("halls-caption").textContent = w.caption(state.table.halls.length, day);
  $("legend").textContent = w.legend(state.table.thresholds);
  $("as-of").textContent = w.as_of(clockTime(state.table.now, { seconds: true }));
  /** @type {HTMLInputElement} */ ($("day")).value = day;
  board.dataset.sort = state.sort;
  board.dataset.order = state.order;
  board.dataset.loads = String(state.loads);
  board.dataset.trend = String(state.series.size);
}

/** A header's button: that column sorted, descending first for figures (the worst or most on top
 * is what an office looks for), the other way on a second press. @param {string} field */
function sortBy(field) {
  if (state.sort === field) state.order = state.order === "asc" ? "desc" : "asc";
  else state.order = field === "name" ? "asc" : "desc";
  state.sort = field;
  const focused = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.field;
  loadTable().then(() => {
    if (focused) /** @type {HTMLElement | null} */ (document.querySelector(`button.sort[data-field="${focused}"]`))?.focus();
  });
}

function schedule() {
  clearInterval(refreshTimer);
  clearInterval(trendTimer);
  refreshTimer = setInterval(() => { if (state.view === "board") loadTable(); }, REFRESH_MS);
  trendTimer = setInterval(() => { if (state.view === "board") loadTrend(); }, TREND_MS);
}

// ---- the downloads ----

async function download(format) {
  say(words().exporting, "info");
  const params = { format, lang: currentLang(), sort: state.sort, order: state.order, days: "30" };
  const result = await send("GET", `/api/v1/overview/export?${query(params)}`, { raw: true, timeout: 300000 });
  if (!result.ok) {
    say(errorText(/** @type {Failure} */ (result)), "error");
    return;
  }
  const header = result.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/i.exec(header)?.[1] ?? `callnext-overview.${format}`;
  const url = URL.createObjectURL(result.data);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  say(words().exported(name), "ok");
}

// ---- logging in and out ----

/** Why an account may not read the overview, or "" when it may. */
function refusal(account) {
  return account.role === "admin" && !account.hall ? "" : words().admins_only;
}

function openBoard() {
  say("", "ok");
  show("board");
  loadTable();
  loadTrend();
  schedule();
}

function showLogin(text = "", username = "") {
  clearInterval(refreshTimer);
  clearInterval(trendTimer);
  show("login");
  login.showError(text);
  login.reset(username);
}

client.whenEnded((failure) => {
  const username = session.value?.username ?? "";
  session.clear();
  showLogin(failure.status === 401 ? words().expired : words().admins_only, username);
});

const login = loginForm({
  login: client.account.login, logout: client.account.logout, session, words,
  failureText: errorText, refusal,
  refused: (text, data) => {
    dropToken(data.token);
    login.showError(text);
    $("password").focus();
  },
  sessionOf: (data, username) => ({ token: data.token, username: data.username ?? username,
    role: data.role, hall: data.hall }),
  entered: () => openBoard(),
});

async function restore() {
  if (!session.load()?.token) return showLogin();
  const me = await client.account.me();
  if (me.ok && !refusal(me.data)) return openBoard();
  session.clear();
  return showLogin(me.ok ? refusal(me.data) : "", me.ok ? me.data.username : "");
}

function setLanguage(lang) {
  setLang(lang);
  markLang(currentLang(), words().html_lang);
  fillTexts();
  langInUrl(currentLang());
  document.title = words().title;
  render();
}

onLangToggle(setLanguage);
$("logout").addEventListener("click", async () => {
  await login.logOut();
  showLogin();
  say(words().logged_out, "info");
});
$("day").addEventListener("change", () => {
  const value = /** @type {HTMLInputElement} */ ($("day")).value;
  state.day = /^\d{4}-\d{2}-\d{2}$/.test(value) && value < hallDay() ? value : "";
  loadTable();
  loadTrend();
});
$("day-today").addEventListener("click", () => {
  state.day = "";
  loadTable();
  loadTrend();
});
$("spark-metric").addEventListener("change", () => {
  state.metric = /** @type {HTMLSelectElement} */ ($("spark-metric")).value;
  render();
});
for (const id of ["export-csv", "export-xlsx"]) {
  $(id).addEventListener("click", () => download($(id).dataset.format));
}

setLanguage(config.lang);
show("loading");
restore();
