// @ts-check
// The citizen's ticket on a phone (/t/{id}): place in the queue, live; "almost your turn" once at
// the hall's almost_turn_ahead (ticket-almost.js); "go to window N" with a vibration and a
// notification when called ("silent calling for one person"); cancel; 中文/English.
import { HallStream, TICKET_RATED } from "../shared/protocol.js";
import { RatingPanel } from "./ticket-rating.js";
import { largePrintToggle } from "../shared/large-print.js";
import { WORDS, currentLang, setLang, words } from "./ticket-words.js";
import { AlmostTurn } from "./ticket-almost.js";
import { renderGuide } from "../shared/guide.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("config").textContent);
const REFETCH_MS = 1000; // at most one GET of the ticket a second
const VIBRATION = [400, 200, 400];
const ALMOST_VIBRATION = [300]; // shorter than the call's: a heads-up, not "go now"
const OFFLINE_GRACE_MS = 1000; // a quick reconnect does not flash the banner

const state = {
  ticket: config.ticket,
  version: 0, // bumped by each change the stream or a POST brings: older GETs are dropped
  alerted: config.ticket.status === "called" ? config.ticket.last_called_at : null,
  offline: false, // the banner shows
  confirming: false,
  busy: false,
  error: null, // a key of words.error
  asked: false, // the notification permission was asked on this page
};
const services = new Map([[config.ticket.service,
  { name: config.service_name, name_en: config.service_name_en }]]);
setLang(config.lang);
const rating = new RatingPanel(config.ticket.id);
const almost = new AlmostTurn(config.ticket.id, config.almost_turn_ahead ?? 0);
const notifiable = () => "Notification" in window && window.isSecureContext;

/** A ticket object of the stream is this page's ticket (by id; by number and day without). */
function isMine(t) {
  const mine = state.ticket;
  return t.id ? t.id === mine.id : t.number === mine.number && t.day === mine.day;
}

/** waiting | transferred | called | done | pending | no_show | cancelled | expired */
function statusKey(t) {
  if (t.status === "waiting") return t.transfers > 0 ? "transferred" : "waiting";
  if (t.status === "done") return t.outcome === "pending" ? "pending" : "done";
  if (t.status === "cancelled" && t.closed_reason === "expired") return "expired";
  return t.status;
}

/** A name in the page's language first, the other one second ("" when the same). */
function pick([zh, en]) {
  const both = Boolean(en) && en !== zh;
  return currentLang() === "en" ? [en || zh, both ? zh : ""] : [zh, both ? en : ""];
}

function serviceName(code) {
  const s = services.get(code);
  return s ? pick([s.name, s.name_en])[0] : code;
}

/** Set a text only when it changes: live regions then speak changes, not re-renders. */
function setText(el, value) {
  if (el.textContent !== value) el.textContent = value;
}

/** [before, big, after]: the big part in a <b>, so the number stands out. */
function setParts(el, [before, big, after]) {
  if (el.textContent === `${before}${big}${after}` && el.querySelector("b")) return;
  const b = document.createElement("b");
  b.textContent = String(big);
  el.replaceChildren(before, b, after);
}

function formatTime(iso) {
  const locale = currentLang() === "en" ? "en-GB" : "zh-CN";
  const format = new Intl.DateTimeFormat(locale, {
    timeZone: config.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  return format.format(Date.parse(iso));
}

function renderHeader(w) {
  const [name, name2] = pick([config.hall_name, config.hall_name_en]);
  setText($("hall-name"), name);
  setText($("hall-name-2"), name2);
  $("hall-name-2").hidden = !name2;
  setText($("lang"), w.other);
  $("lang").lang = w.otherLang;
  document.documentElement.lang = w.htmlLang;
  setText($("offline"), w.offline);
}

function renderTicket(w, t, key) {
  document.body.className = `ticket-page status-${key}${state.offline ? " offline" : ""}`;
  const near = almost.shows(t);
  document.title = key === "called" ? w.titleCalled(t)
    : near ? w.titleAlmost(t) : w.title(t, w.status[key]);
  setText($("number-label"), w.label);
  setText($("number"), t.number);
  setText($("service"), serviceName(t.service));
  setText($("status"), w.status[key]);
  const called = key === "called";
  $("go").hidden = !called;
  if (called) {
    setParts($("go-line"), w.go(t.window));
    const other = WORDS[currentLang() === "en" ? "zh" : "en"].go(t.window);
    setText($("go-2"), other.join(currentLang() === "en" ? "" : " ").trim());
  }
  const waiting = t.status === "waiting" && Number.isInteger(t.ahead);
  $("waiting").hidden = !waiting;
  if (waiting) {
    setParts($("ahead"), w.ahead(t.ahead));
    // est_wait_s null: no staffed window serves the service now; say so, invent no figure;
    // past_closing: the estimate runs past the service's hours today: say that instead
    const unknown = t.est_wait_s == null;
    const late = !unknown && Boolean(t.past_closing);
    setText($("wait"), unknown ? w.noEstimate : late ? w.late : t.ahead > 0 ? w.wait(t.est_wait_s) : "");
    $("wait").hidden = !unknown && !late && t.ahead === 0;
    $("wait").classList.toggle("late", late);
  }
  renderAlmost(w, t, near);
  const noteKey = called && t.recalls > 0 ? "recalled" : key;
  setText($("note"), w.note[noteKey](serviceName(t.service), almost.limit));
  setText($("issued"), t.issued_at ? w.issued(formatTime(t.issued_at)) : "");
}

/** The banner; emptied when hidden, so that showing it again is a change its live region tells. */
function renderAlmost(w, t, near) {
  $("almost").hidden = !near;
  setText($("almost-title"), near ? w.almostTitle : "");
  setText($("almost-line"), near ? w.almostLine(t.ahead) : "");
}

function renderActions(w, t) {
  const waiting = t.status === "waiting";
  const permission = notifiable() ? Notification.permission : null;
  $("notify").hidden = !(waiting && permission === "default");
  const both = almost.limit > 0; // the permission is for "almost your turn" too
  setText($("notify"), w.notify(both));
  const note = permission === "granted" ? w.notifyOn(both) : permission === "denied" && state.asked
    ? w.notifyDenied : "";
  setText($("notify-note"), note);
  $("notify-note").hidden = !(note && (waiting || t.status === "called"));
  $("cancel").hidden = !waiting || state.confirming;
  setText($("cancel"), w.cancel);
  $("confirm").hidden = !waiting || !state.confirming;
  setText($("confirm-text"), w.confirm(t));
  setText($("confirm-yes"), state.busy ? w.cancelling : w.confirmYes);
  /** @type {HTMLButtonElement} */ ($("confirm-yes")).disabled = state.busy;
  setText($("confirm-no"), w.confirmNo);
  /** @type {HTMLButtonElement} */ ($("confirm-no")).disabled = state.busy;
  $("error").hidden = !state.error;
  setText($("error"), state.error ? w.error[state.error] : "");
}

function render() {
  const w = words();
  const t = state.ticket;
  renderHeader(w);
  renderTicket(w, t, statusKey(t));
  renderActions(w, t);
  const open = t.status === "waiting" || t.status === "called"; // what to bring, until served
  renderGuide($("guide"), open ? config.guide : null, currentLang());
  rating.render(t, currentLang()); // 好差评 once served (ticket-rating.js)
}

// ---- the alert when called (and again on each recall) ----

function alertCall(t) {
  navigator.vibrate?.(VIBRATION);
  $("go-line").replaceChildren(); // filled again by render(): screen readers hear it again
  $("go").animate(
    [{ transform: "scale(1.08)" }, { transform: "scale(1)" }],
    { duration: 600, easing: "ease-out", iterations: 2 },
  );
  if (notifiable() && Notification.permission === "granted") {
    notify(words().titleCalled(t), words().notifyBody(t, hallName()), true);
  }
}

/** Almost your turn: a short vibration and a notification; the banner is render()'s. */
function alertAlmost(t) {
  navigator.vibrate?.(ALMOST_VIBRATION);
  if (notifiable() && Notification.permission === "granted") {
    notify(words().titleAlmost(t), words().almostBody(t, hallName()), false);
  }
}

const hallName = () => pick([config.hall_name, config.hall_name_en])[0];

/** A system notification: `new Notification` where allowed, else through the page's service
 * worker (Android Chrome allows only that). One tag for the ticket: the call's replaces the
 * almost-your-turn one; `sticky`: it stays until the citizen dismisses it (the call's). */
function notify(title, body, sticky) {
  const options = {
    body, tag: "callnext-ticket", renotify: true, requireInteraction: sticky,
    lang: words().htmlLang, data: { url: window.location.href },
  };
  try {
    new Notification(title, options);
  } catch {
    navigator.serviceWorker?.getRegistration("/static/phone/")
      .then((reg) => reg?.showNotification(title, options))
      .catch((e) => console.warn("callnext: notification failed", e));
  }
}

function registerWorker() {
  navigator.serviceWorker?.register("/static/phone/ticket.sw.js")
    .catch((e) => console.warn("callnext: no service worker", e));
}

/** Alert once per call: a call or recall has a new last_called_at. */
function maybeAlert(t, fallbackKey) {
  const key = t.last_called_at ?? fallbackKey;
  if (t.status !== "called" || key === state.alerted) return;
  state.alerted = key;
  alertCall(t);
}

/** Almost your turn, once per ticket (ticket-almost.js decides when). */
function maybeAlmost(t) {
  if (almost.update(t)) alertAlmost(t);
}

// ---- keeping the ticket up to date ----

/** A change about this ticket, from a stream frame or a POST's answer. */
function apply(t, frame = null) {
  state.version += 1;
  const window_ = t.window ?? frame?.window ?? null;
  state.ticket = { ...t, id: state.ticket.id, window: window_ }; // v2 frames carry no id
  if (t.status !== "waiting") state.confirming = false;
  if (t.status === "waiting" && !Number.isInteger(t.ahead)) refetchSoon();
  maybeAlert(state.ticket, frame?.at);
  maybeAlmost(state.ticket);
  render();
}

async function refetch() {
  const version = state.version;
  let t;
  try {
    const url = `/api/v1/tickets/${encodeURIComponent(state.ticket.id)}`;
    const resp = await fetch(url, { cache: "no-store" });
    if (!resp.ok) return;
    t = await resp.json();
  } catch {
    return; // offline: the next snapshot refetches
  }
  if (version !== state.version) return refetchSoon(); // a newer change came meanwhile
  state.ticket = t;
  if (t.status !== "waiting") state.confirming = false;
  maybeAlert(t, null);
  maybeAlmost(t);
  render();
}

let lastFetch = 0;
let refetchTimer = 0;
/** Refetch the ticket soon: at once, or a second after the last one (events come in bursts). */
function refetchSoon() {
  if (refetchTimer) return;
  const wait = Math.max(0, lastFetch + REFETCH_MS - Date.now());
  refetchTimer = setTimeout(() => {
    refetchTimer = 0;
    lastFetch = Date.now();
    refetch();
  }, wait);
}

function onSnapshot(hall) {
  for (const s of hall.services ?? []) services.set(s.code, s);
  refetchSoon(); // whatever happened while we were not listening
}

function onEvent(frame) {
  const t = frame.ticket;
  if (t && isMine(t)) {
    if (frame.event === TICKET_RATED) rating.reload(); // rated on the window's screen
    return apply(t, frame);
  }
  const mine = state.ticket;
  if (mine.status !== "waiting") return;
  // Another ticket of my line, or a window or hall change: my place or estimate may move.
  if (!t || t.service === mine.service || frame.from_service === mine.service) refetchSoon();
}

let offlineTimer = 0;
function onState(online) {
  console.info(`callnext: stream ${online ? "online" : "offline"}`);
  clearTimeout(offlineTimer);
  if (online) return showOffline(false);
  offlineTimer = setTimeout(() => showOffline(true), OFFLINE_GRACE_MS);
}

function showOffline(offline) {
  state.offline = offline;
  $("offline").hidden = !offline;
  render();
}

// ---- what the citizen does ----

async function cancelTicket() {
  state.busy = true;
  render();
  try {
    const url = `/api/v1/tickets/${encodeURIComponent(state.ticket.id)}/cancel`;
    const resp = await fetch(url, { method: "POST" });
    const body = await resp.json().catch(() => null);
    state.busy = false;
    state.confirming = false;
    if (resp.ok && body) {
      state.error = null;
      apply(body);
      $("status").focus();
      return;
    }
    state.error = resp.status === 409 ? "notWaiting" : "failed";
    refetchSoon();
  } catch {
    state.busy = false;
    state.error = "network";
  }
  render();
}

function askConfirm(open) {
  state.confirming = open;
  state.error = null;
  render();
  (open ? $("confirm-no") : $("cancel")).focus();
}

async function askPermission() {
  state.asked = true;
  try {
    await Notification.requestPermission();
  } catch {
    // an old browser without the promise form: the permission stays as it is
  }
  if (Notification.permission === "granted") registerWorker();
  render();
}

function toggleLang() {
  setLang(currentLang() === "en" ? "zh" : "en");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", currentLang());
  history.replaceState(null, "", url);
  render();
}

function setup() {
  largePrintToggle({ remember: true }); // a phone is its owner's: kept for the next visit
  $("lang").addEventListener("click", toggleLang);
  $("cancel").addEventListener("click", () => askConfirm(true));
  $("confirm-no").addEventListener("click", () => askConfirm(false));
  $("confirm-yes").addEventListener("click", cancelTicket);
  $("confirm").addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !state.busy) askConfirm(false);
  });
  $("notify").addEventListener("click", askPermission);
  if (notifiable() && Notification.permission === "granted") registerWorker();
  const handlers = { snapshot: onSnapshot, event: onEvent, state: onState };
  const stream = new HallStream(config.hall, handlers);
  // A phone wakes up: the socket may have died while the screen was off.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (!stream.online) stream.reconnect();
    refetchSoon();
  });
  window.callnextStream = stream;
  almost.update(state.ticket); // opened already close: the banner, and no alert
  onState(false);
  render();
  stream.start();
}

setup();
