// @ts-check
// The hall's settings page for its managers: log in, then seven tabs (hall, services, windows,
// staff, kiosks, appointments, audit log) over the settings API. Changes made elsewhere arrive through the
// hall's stream (hall.updated) and are shown at once, except over a form being edited.
import { HALL_UPDATED, HallStream } from "../shared/protocol.js";
import { hallApi, session, whenExpired } from "./settings-api.js";
import { auditTab } from "./settings-audit.js";
import { bookingTab } from "./settings-booking.js";
import { loginForm } from "../shared/login.js";
import { dropToken } from "../shared/session.js";
import { hallTab } from "./settings-hall.js";
import { kiosksTab } from "./settings-kiosks.js";
import { servicesTab } from "./settings-services.js";
import { staffTab } from "./settings-staff.js";
import { dialogOpen, el, showFailure, showMessage } from "./settings-ui.js";
import { windowsTab } from "./settings-windows.js";
import { currentLang, errorText, fillTexts, names, setLang, words } from "./settings-words.js";
import { markLang, onLangToggle } from "../shared/words.js";

/** @typedef {import("../shared/session.js").Failure} Failure */

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("config").textContent);
const api = hallApi(config.hall);
const TABS = ["hall", "services", "windows", "staff", "kiosks", "booking", "audit"];
const MANAGERS = new Set(["manager", "admin"]);

let lastJson = ""; // the settings as last read from the server, to tell others' changes apart
let inFlight = 0; // saves under way: a hall.updated meanwhile is probably ours, checked after
let remotePending = false;
let current = null; // the selected tab
let stream = null;

const ctx = {
  config, api, session,
  state: { settings: null, users: null, kiosks: null },
  /** Run a save; a change announced while it runs is looked at once it is done. */
  async saving(call) {
    inFlight += 1;
    try {
      return await call();
    } finally {
      inFlight -= 1;
      if (!inFlight && remotePending) setTimeout(checkRemote, 0);
    }
  },
  applySettings,
  /** Re-read the settings from the server (after a refused save: show what it holds). */
  async refresh() {
    const result = await api.settings();
    if (result.ok) applySettings(result.data);
    return result.ok;
  },
  /** The hall form was reloaded or reverted: the "changed elsewhere" banner goes. */
  resolved() { $("conflict").hidden = true; },
};

const tabs = {
  hall: hallTab(ctx, $("panel-hall")),
  services: servicesTab(ctx, $("panel-services")),
  windows: windowsTab(ctx, $("panel-windows")),
  staff: staffTab(ctx, $("panel-staff")),
  kiosks: kiosksTab(ctx, $("panel-kiosks")),
  booking: bookingTab(ctx, $("panel-booking")),
  audit: auditTab(ctx, $("panel-audit")),
};

// ---- the views: loading, login, the tabs ----

function setView(name) {
  document.body.dataset.view = name;
  $("loading-view").hidden = name !== "loading";
  $("login-view").hidden = name !== "login";
  $("main-view").hidden = name !== "main";
  $("session").hidden = name !== "main";
}

function renderHeader() {
  const s = ctx.state.settings ?? config;
  const [first, second] = names(s);
  $("hall-name").textContent = first;
  $("hall-name-2").textContent = second;
  document.title = `${first} · ${words().title}`;
  const v = session.value;
  $("who").textContent = v ? words().logged_in(v.username, v.role) : "";
}

function applySettings(settings, { force = false } = {}) {
  ctx.state.settings = settings;
  lastJson = JSON.stringify(settings);
  renderHeader();
  const redrawn = tabs.hall.update(force);
  if (redrawn) $("conflict").hidden = true;
  tabs.services.render();
  tabs.windows.render();
  if (ctx.state.users) tabs.staff.render();
  return redrawn;
}

function select(name, { focus = false } = {}) {
  if (!TABS.includes(name)) name = "hall";
  current = name;
  for (const key of TABS) {
    const on = key === name;
    const tab = $(`tab-${key}`);
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${key}`).hidden = !on;
  }
  if (focus) $(`tab-${name}`).focus();
  history.replaceState(null, "", `${location.pathname}${location.search}#${name}`);
  if (name === "staff") tabs.staff.load();
  if (name === "kiosks") tabs.kiosks.load();
  if (name === "booking") tabs.booking.load();
  if (name === "audit") {
    if (!ctx.state.users) api.users().then((r) => { if (r.ok) ctx.state.users = r.data.users; });
    tabs.audit.load();
  }
}

$("tabs").addEventListener("click", (e) => {
  const tab = /** @type {HTMLElement | null} */ (/** @type {Element} */ (e.target).closest("[role=tab]"));
  if (tab) select(tab.dataset.tab, { focus: true });
});
$("tabs").addEventListener("keydown", (e) => {
  const at = TABS.indexOf(/** @type {HTMLElement} */ (e.target).dataset?.tab);
  if (at < 0) return;
  const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 };
  if (!(e.key in moves)) return;
  e.preventDefault();
  select(TABS[(moves[e.key] + TABS.length) % TABS.length], { focus: true });
});

// ---- logging in and out ----

async function refuse(text, token) {
  if (token) await dropToken(token);
  session.clear();
  setView("login");
  loginError(text);
  $("username").focus();
}

/** The session is good for this hall: read its settings and show the tabs. */
async function enter() {
  const result = await api.settings();
  if (!result.ok) {
    if (result.status === 403) {
      const text = /** @type {Failure} */ (result).code === "wrong_hall" ? words().errors.wrong_hall : words().managers_only;
      return refuse(text, session.token);
    }
    if (result.status === 401) return refuse(words().expired, null);
    setView("login");
    return loginError(errorText(result).text);
  }
  applySettings(result.data, { force: true });
  setView("main");
  loginError("");
  select(location.hash.slice(1) || "hall");
  startStream();
}

// The form is sent as it is (an empty field too), its button keeps its text, and only managers
// (and admins) are let in.
const login = loginForm({
  login: api.login, logout: api.logout, session, words,
  failureText: (result) => (result.status === 401 ? words().bad_login : errorText(result).text),
  refusal: (data) => (MANAGERS.has(data.role) ? "" : words().managers_only),
  refused: (text, data) => refuse(text, data.token),
  sessionOf: ({ token, username, role, hall }) => ({ token, username, role, hall }),
  entered: enter,
  needBoth: false, busyText: false, clearError: true,
  afterError: (password) => password.select(),
});
const loginError = login.showError;

$("logout").addEventListener("click", async () => {
  await login.logOut();
  stopStream();
  ctx.state = { settings: null, users: null, kiosks: null };
  setView("login");
  $("username").focus();
});

whenExpired(() => {
  session.clear();
  stopStream();
  setView("login");
  loginError(words().expired);
});

// ---- live: the hall's stream ----

/** Someone changed the hall: read the settings; show them, unless a form is being edited. */
async function checkRemote() {
  remotePending = false;
  if (!ctx.state.settings || !session.token) return;
  if (inFlight) {
    remotePending = true;
    return;
  }
  const result = await api.settings();
  if (!result.ok || inFlight) {
    if (inFlight) remotePending = true;
    return;
  }
  if (JSON.stringify(result.data) === lastJson) return; // ours, or nothing that shows here
  const redrawn = applySettings(result.data);
  if (!redrawn) $("conflict").hidden = false;
  if (dialogOpen()) {
    const form = $("editor").querySelector("form");
    if (!form.querySelector(".conflict-note")) {
      form.prepend(el("p", { class: "conflict-note", role: "alert" }, words().changed_elsewhere));
    }
  }
  if (redrawn && !dialogOpen()) showMessage("info", words().synced);
}

let offlineTimer = 0;
function onState(online) {
  clearTimeout(offlineTimer);
  if (online) $("offline").hidden = true;
  else offlineTimer = setTimeout(() => { $("offline").hidden = !stream; }, 1500);
}

let snapshots = 0;
function startStream() {
  if (stream) return;
  snapshots = 0;
  stream = new HallStream(config.hall, {
    snapshot: () => { if (snapshots++ > 0) checkRemote(); }, // a resync may hide a change
    event: (frame) => {
      if (frame.event === HALL_UPDATED) checkRemote();
      tabs.audit.changed(current === "audit");
    },
    state: onState,
  });
  window.callnextStream = stream;
  stream.start();
}

function stopStream() {
  stream?.stop();
  stream = null;
  $("offline").hidden = true;
}

$("conflict-reload").addEventListener("click", async () => {
  await ctx.refresh();
  tabs.hall.update(true);
  ctx.resolved();
  showMessage("info", words().synced);
});

// ---- language ----

function setLanguage(lang) {
  setLang(lang);
  markLang(currentLang(), words().html_lang);
  fillTexts();
  renderHeader();
  if (ctx.state.settings) {
    tabs.hall.relabel();
    tabs.services.render();
    tabs.windows.render();
    if (ctx.state.users) tabs.staff.render();
    if (ctx.state.kiosks) tabs.kiosks.render();
    tabs.booking.render();
    if (current === "audit") tabs.audit.render();
  }
  showMessage("info", "");
}

onLangToggle(setLanguage);
window.addEventListener("unhandledrejection", (e) => console.warn("callnext:", e.reason));
window.addEventListener("beforeunload", (e) => {
  if (tabs.hall.dirty()) e.preventDefault(); // unsaved hall settings: the browser asks
});

// ---- start ----

setLanguage(config.lang);
if (session.load()?.token) {
  setView("loading");
  enter().catch((err) => {
    console.warn(err);
    showFailure({ status: 0 });
  });
} else {
  setView("login");
  $("username").focus();
}
