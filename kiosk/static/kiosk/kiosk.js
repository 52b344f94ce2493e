// @ts-check
// The touch kiosk: one large button per service (live from the hall's stream), a priority lane,
// appointment check-in (kiosk-checkin.js), then the ticket with its QR code and a countdown back
// to the start.
import { NoticePager } from "../shared/notice.js";
import { HALL_UPDATED, HallStream } from "../shared/protocol.js";
import { CheckIn } from "./kiosk-checkin.js";
import { Countdown } from "./kiosk-countdown.js";
import { IdEntry } from "./kiosk-id.js";
import { idWords } from "./kiosk-id-words.js";
import { issueTicket, newKey } from "./kiosk-issue.js";
import { KEY_ERRORS, KEY_HEADER, kioskKey } from "./kiosk-key.js";
import { hallToday, renderClock, serverDate, startClock } from "./kiosk-clock.js";
import { printSlip, qrUrl } from "./kiosk-slip.js";
import { loadGuides } from "./kiosk-guide.js";
import { renderTicketCard } from "./kiosk-ticket.js";
import { largePrintToggle, setLargePrint } from "../shared/large-print.js";
import { ListPager } from "./list-pager.js";
import { closedText, currentLang, fillTexts, names, setLang, words } from "./kiosk-words.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const config = JSON.parse($("config").textContent);

const FAILURE_S = 8; // an error stays on screen at most this long
const SETTLE_MS = 400; // after a screen change, service taps wait this long (a double tap's 2nd)
const REFRESH_MS = 60000; // re-read the hall: hours open and close services by the clock
const PRIORITY_IDLE_MS = 60000; // the priority lane falls back to the normal start when left
const LARGE_IDLE_MS = 60000; // so does large print (大字), and after the ticket is done
const CLOSED_CODES = new Set([
  "service_closed", "hall_closed_today", "outside_hours", "quota_reached", "priority_not_allowed",
]);

let hall = null; // {name, name_en} once the snapshot (or the hall's GET) came
let hallNotice = { notice: "", notice_en: "" }; // the hall's notices, both languages
const services = new Map(); // code -> the service's state: the snapshot's, then each frame's
let priority = false; // the priority lane is open
let busy = false; // a tap's request in flight or its outcome on screen: taps are ignored
let settling = false;
let current = null; // the ticket on screen
let failure = null; // {code, service} on screen
let kiosk = config.kiosk;
let unknownKiosk = config.unknown_kiosk;
let keyRefused = null; // {kiosk, error} once the server refused this kiosk's key
const ownKey = kioskKey(config.hall); // from the setup link, or kept since
let settleTimer = 0;
let priorityTimer = 0;
const firstNames = [$("hall-name").textContent, $("hall-name-2").textContent];
const noticePager = new NoticePager($("notice"));
const pager = new ListPager($("services"), $("services-pager"), () => ({
  up: words().page_up, down: words().page_down,
}));

// ---- the start screen: header, notice, service buttons ----

function renderHeader() {
  let pair = hall ? names(hall) : firstNames;
  if (!hall && currentLang() !== config.lang && firstNames[1]) pair = [firstNames[1], firstNames[0]];
  [$("hall-name").textContent, $("hall-name-2").textContent] = pair;
  document.title = `${pair[0]} · ${words().title}`;
}

/** The hall's notice in the kiosk's language: English, its English notice (or the Chinese
 * one while it has none). */
function setNotice({ notice, notice_en: noticeEn } = hallNotice) {
  hallNotice = { notice, notice_en: noticeEn };
  const text = currentLang() === "en" ? noticeEn || notice : notice;
  noticePager.set(text ?? "");
}

/** A line for the staff: the kiosk is not registered, or its key was refused (and how to fix
 * it); tickets are issued anyway, as a walk-in's. */
function renderStaffLine() {
  const line = unknownKiosk ? words().unknown_kiosk(unknownKiosk)
    : keyRefused ? words()[keyRefused.error](keyRefused.kiosk) : "";
  $("unknown-kiosk").hidden = !line;
  $("unknown-kiosk").textContent = line;
}

/** `send(fields, headers)` as this kiosk: its code in the body, its key in a header. When the
 * server does not know the kiosk, or refuses its key, it is sent again as no kiosk's (the
 * citizen still gets the ticket, unprinted) and the staff line says why. */
async function asKiosk(send) {
  if (!kiosk) return send({}, {});
  const result = await send({ kiosk }, ownKey ? { [KEY_HEADER]: ownKey } : {});
  if (result.error !== "kiosk_not_found" && !KEY_ERRORS.has(result.error)) return result;
  if (result.error === "kiosk_not_found") unknownKiosk = kiosk; // deleted since the page loaded
  else keyRefused = { kiosk, error: result.error };
  console.warn(`callnext: kiosk ${kiosk}: ${result.error}; issuing as no kiosk`);
  kiosk = null;
  renderStaffLine();
  return send({}, {});
}

/** One column of wide buttons while they fit, more when the hall has many services. */
function columns(n) {
  if (window.matchMedia("(orientation: portrait)").matches) return n > 6 ? 2 : 1;
  return n > 8 ? 3 : n > 3 ? 2 : 1;
}

function serviceButton(code) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "service";
  button.dataset.code = code;
  button.innerHTML = '<span class="letter"></span><span class="name"></span>'
    + '<span class="name-2"></span><span class="state"></span>';
  button.addEventListener("click", () => take(code));
  return button;
}

/** Why service `s` issues no ticket (`reason`) and when it does again. */
const whyClosed = (reason, s) => closedText(reason, s.opens_at, { at: s.next_open_at, today: hallToday() });

function stateText(s) {
  const w = words();
  if (s.open === false) return whyClosed(s.closed_reason, s);
  if (priority && !s.priority_allowed) return w.no_priority;
  const line = `${w.waiting(s.waiting ?? 0)} · ${w.wait(s.est_wait_s ?? null, s.past_closing)}`;
  return s.remaining == null ? line : `${line} · ${w.remaining(s.remaining)}`;
}

/** How wide a name reads: a CJK character counts as two Latin ones. */
const nameWidth = (text) => [...text].reduce((n, c) => n + (c.charCodeAt(0) > 0x2e7f ? 2 : 1), 0);
const LONG_NAME = 24; // wider than this: set smaller (data-long 1); twice as wide: smaller still

function updateButton(button, s) {
  const [letter, name, name2, state] = button.children;
  const unavailable = s.open === false || (priority && !s.priority_allowed);
  letter.textContent = s.code;
  [name.textContent, name2.textContent] = names(s);
  const width = nameWidth(name.textContent);
  button.dataset.long = width > 2 * LONG_NAME ? "2" : width > LONG_NAME ? "1" : "";
  state.textContent = stateText(s);
  button.classList.toggle("closed", unavailable);
  button.classList.toggle("late", !unavailable && Boolean(s.past_closing));
  button.disabled = unavailable || busy || settling;
}

function renderServices() {
  const list = [...services.values()];
  if (priority && !list.some((s) => s.priority_allowed)) priority = false;
  const box = $("services");
  const codes = list.map((s) => s.code).join(",");
  if (box.dataset.codes !== codes) {
    box.dataset.codes = codes;
    box.replaceChildren(...list.map((s) => serviceButton(s.code)));
  }
  box.dataset.cols = /** @type {any} */ (columns(list.length)); // a number: dataset makes it a string
  for (const button of /** @type {HTMLCollectionOf<HTMLButtonElement>} */ (box.children)) updateButton(button, services.get(button.dataset.code));
  pager.refresh();
  $("loading").hidden = list.length > 0;
  $("loading").textContent = hall ? words().no_services : words().loading;
  renderPriorityEntry(list);
  checkin.setById(list.some((s) => s.real_name)); // bookings made with an ID card
  $("priority-bar").hidden = !priority;
  $("prompt").hidden = priority;
  body.classList.toggle("priority", priority);
}

/** The priority lane's entry: hidden where no service has one; closed (disabled, and why)
 * while none of those issues a ticket now, as their own buttons are. */
function renderPriorityEntry(list) {
  const entry = /** @type {HTMLButtonElement} */ ($("priority-entry"));
  const lanes = list.filter((s) => s.priority_allowed);
  const closed = lanes.length > 0 && lanes.every((s) => s.open === false);
  entry.hidden = priority || lanes.length === 0;
  entry.disabled = closed;
  entry.classList.toggle("closed", closed);
  entry.querySelector(".who").textContent = closed
    ? whyClosed(lanes[0].closed_reason, lanes[0]) : words().priority_who;
}

/** Right after a screen change, service taps wait a moment: the second half of a double tap
 * on "Done" or on the priority lane must not land on a service. */
function settle() {
  settling = true;
  clearTimeout(settleTimer);
  settleTimer = setTimeout(() => {
    settling = false;
    renderServices();
  }, SETTLE_MS);
  renderServices();
}

function setPriority(on) {
  priority = on;
  clearTimeout(priorityTimer);
  if (on) priorityTimer = setTimeout(() => !busy && setPriority(false), PRIORITY_IDLE_MS);
  settle();
  $(on ? "priority-back" : "priority-entry").focus();
}

// ---- live data: the stream, and the hall re-read now and then ----

function applyHall(h) {
  hall = { name: h.name, name_en: h.name_en };
  setNotice(h);
  services.clear();
  for (const s of h.services ?? []) services.set(s.code, { ...s });
  renderHeader();
  renderServices();
  if (failure) renderFailure();
}

function onEvent(frame) {
  if (frame.event === HALL_UPDATED) {
    setNotice(frame);
    refresh(); // names, priority lanes, new services: only in the hall itself
  }
  for (const [code, q] of Object.entries(frame.queues ?? {})) {
    const s = services.get(code);
    if (s) Object.assign(s, q);
  }
  renderServices();
}

async function refresh() {
  loadGuides(config.hall); // what to bring, for the next ticket's card and slip
  try {
    const resp = await fetch(`/api/v1/halls/${encodeURIComponent(config.hall)}`, { cache: "no-store" });
    if (!resp.ok) return;
    const h = await resp.json();
    if (stream.online && stream.seq !== null && h.seq < stream.seq) return; // the stream is ahead
    applyHall(h);
    checkin.refresh();
  } catch {
    // the offline banner says it; the next refresh tries again
  }
}

let offlineTimer = 0;
/** The banner shows when the stream is lost for more than a second (a quick reconnect does not
 * flash it); the kiosk keeps issuing: a POST may well get through. */
function onState(online) {
  console.info(`callnext: stream ${online ? "online" : "offline"}`);
  clearTimeout(offlineTimer);
  if (online) {
    $("offline").hidden = true;
    body.classList.remove("offline");
    return;
  }
  offlineTimer = setTimeout(() => {
    $("offline").hidden = false;
    body.classList.add("offline");
  }, 1000);
}

// ---- taking a ticket ----

function setScreen(name) {
  body.dataset.state = name;
  $("start").hidden = name !== "start" && name !== "busy";
  $("busy").hidden = name !== "busy";
  for (const screen of ["ticket", "failure", "checkin", "checkin-msg", "id"]) $(screen).hidden = name !== screen;
}

const serviceOf = (code) => services.get(code) ?? { code, name: code };

/** A tap on service `code`: its ticket; a real-name service asks for the ID number first
 * (kiosk-id.js), which comes back here as `idNumber`. → a key of idWords() to show on the ID
 * screen when the server refused the number itself, else null. */
async function take(code, idNumber = null) {
  const s = services.get(code);
  if (busy || settling || !s || s.open === false || (priority && !s.priority_allowed)) return null;
  if (s.real_name && idNumber === null) return askId(code);
  busy = true;
  renderServices(); // every button disabled at once
  setScreen("busy");
  const key = newKey(); // one per tap; each retry of this tap sends it again
  const own = idNumber === null ? {} : { id_number: idNumber };
  const result = await asKiosk((fields, headers) =>
    issueTicket(config.hall, { service: code, priority, ...own, ...fields }, key, { headers }));
  if (result.ticket) showTicket(result.ticket);
  else if (result.error === "bad_id_number" || result.error === "id_number_required") {
    busy = false; // back to the number: what is wrong with it under the field
    if (!s.real_name) s.real_name = true; // it became real-name since the last snapshot
    askId(code);
    return result.detail?.reason ?? "shape";
  } else showFailure(result.error, code, result.detail);
  return null;
}

function askId(code) {
  idEntry.open({
    title: () => `${idWords().title} · ${names(serviceOf(code))[0]}`,
    prompt: () => idWords().prompt,
    send: (number) => take(code, number),
  });
  return null;
}

function showTicket(ticket) {
  current = ticket;
  /** @type {HTMLImageElement} */ ($("t-qr")).src = qrUrl(ticket);
  renderTicket();
  setScreen("ticket");
  $("done").focus();
  countdown.start(config.return_s, $("countdown"));
  // a second check-in prints the slip again while its ticket waits (it was lost, or did not
  // print); a ticket called or done has no use for one
  const reprint = Boolean(ticket.again) && ticket.status === "waiting";
  if (config.print === "browser" && (!ticket.again || reprint)) {
    printSlip(ticket, hall ?? {}, serviceOf(ticket.service), reprint).catch((e) => console.warn(e));
  }
}

function renderTicket() {
  renderTicketCard(current, serviceOf(current.service), config.print);
}

function showFailure(code, service, detail = {}) {
  failure = { code, service, detail };
  renderFailure();
  setScreen("failure");
  $("f-ok").focus();
  countdown.start(Math.min(config.return_s, FAILURE_S), $("f-countdown"));
  if (CLOSED_CODES.has(code)) refresh(); // the service changed under us: show it as it is
}

function renderFailure() {
  const { code, service } = failure;
  const s = serviceOf(service);
  const closed = CLOSED_CODES.has(code);
  $("f-service").textContent = closed ? names(s)[0] : "";
  $("f-service").hidden = !closed;
  $("f-reason").textContent = closed ? whyClosed(code, s)
    : code === "person_limit_reached" ? idWords().limit(failure.detail?.limit ?? 1)
      : code === "real_name_unavailable" ? idWords().unavailable
        : code === "rate_limited" ? words().rate_limited : words().down;
}

/** The countdown on the ticket (or error) screen, then back to the start. */
const countdown = new Countdown(() => backToStart(), (left) => words().back_in(left));

/** The next citizen's start: normal lane, the page's own language, nothing focused. */
function backToStart() {
  countdown.stop();
  checkin.reset();
  idEntry.reset();
  current = failure = null;
  busy = false;
  priority = false;
  clearTimeout(priorityTimer);
  setScreen("start");
  setLargePrint(false);
  if (currentLang() !== config.lang) setLanguage(config.lang);
  /** @type {HTMLElement | null} */ (document.activeElement)?.blur();
  settle();
}

// ---- language ----

function setLanguage(lang) {
  setLang(lang);
  document.documentElement.lang = words().html_lang;
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll(".lang button"))) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === currentLang()));
  }
  fillTexts();
  renderHeader();
  setNotice();
  renderServices();
  renderStaffLine();
  renderClock();
  if (current) renderTicket();
  if (failure) renderFailure();
  checkin.render();
  if (body.dataset.state === "id") idEntry.render();
  countdown.tick();
}

// ---- start ----

const idEntry = new IdEntry({ setScreen, backToStart, screen: () => body.dataset.state });
const checkin = new CheckIn({
  config, countdown, showTicket, setScreen, backToStart, idEntry,
  asKiosk, screen: () => body.dataset.state,
});

for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll(".lang button"))) {
  button.addEventListener("click", () => setLanguage(button.dataset.lang));
}
$("priority-entry").addEventListener("click", () => !busy && setPriority(true));
$("priority-back").addEventListener("click", () => !busy && setPriority(false));
$("done").addEventListener("click", backToStart);
$("f-ok").addEventListener("click", backToStart);
document.addEventListener("contextmenu", (e) => e.preventDefault()); // no long-press menu
window.matchMedia("(orientation: portrait)").addEventListener("change", renderServices);
window.addEventListener("unhandledrejection", (e) => console.warn("callnext:", e.reason));

setLanguage(config.lang);
largePrintToggle({ idleMs: LARGE_IDLE_MS });
setScreen("start");
onState(false); // offline until the stream connects
startClock();
const stream = new HallStream(config.hall, {
  snapshot: applyHall, event: onEvent, state: onState, serverDate,
});
window.callnextStream = stream;
stream.start();
refresh(); // the services show even where the stream cannot connect
setInterval(refresh, REFRESH_MS);
