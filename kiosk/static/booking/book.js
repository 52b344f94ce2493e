// @ts-check
// The phone's booking page: /halls/{hall}/book (service → day → slot → details → book) and
// /a/{id} (one booking: its code large, the QR code the kiosk scans, when to check in, cancel
// after a confirmation, the ticket once checked in). 中文/English; radio groups, so the
// keyboard works (Tab to a group, arrows to choose; full slots are disabled and skipped). A
// real-name service's form asks for the ID number (book-id.js).
import {
  clock, currentLang, dayName, errorText, fillTexts, hallDayOf, pick, setLang, setTimezone, words,
} from "./book-words.js";
import {
  fieldName, idErrorText, readDetails, refusal, renderDetails, setupIdEntry, wipeId,
} from "./book-id.js";
import { renderChoices } from "./book-choices.js";
import { newKey, postRetrying } from "../kiosk/kiosk-issue.js";
import { largePrintToggle } from "../shared/large-print.js";
import { renderGuide } from "../shared/guide.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("config").textContent);
setTimezone(config.timezone);
setLang(config.lang);
const hallPath = `/api/v1/halls/${encodeURIComponent(config.hall)}`;
const skew = (config.now_ms ?? Date.now()) - Date.now();
const REFRESH_MS = 30000; // a booking on screen is read again this often (checked in? missed?)
const VIEWS = ["loading", "closed", "pick", "booking"];

const state = {
  view: config.appointment ? "booking" : "loading",
  policy: null, // GET …/booking: {enabled, checkin_early_min, …, fields, services}
  service: null,
  day: null,
  slot: null, // the chosen slot's start (RFC 3339)
  days: null, // [{day, free}] of the chosen service, null while unread
  slots: null, // [{start, end, capacity, booked, free}] of the chosen day, null while unread
  reads: 0, // bumped by each choice: an answer to an older one is dropped
  busy: false,
  error: null, // {code, field, reason?, limit?} under the form
  appointment: config.appointment ?? null,
  confirming: false,
  bookingError: null, // an error code under the booking
};
const names = new Map(Object.entries(config.services ?? {})); // code → {name, name_en}

// ---- requests ----

/** One request → {ok, status, data, code, field}; status 0 when there was no answer. */
async function call(method, path, body = undefined) {
  try {
    const resp = await fetch(path, {
      method, cache: "no-store",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await resp.json().catch(() => null);
    const error = data?.error ?? {};
    return { ok: resp.ok, status: resp.status, data, code: error.code, field: error.field };
  } catch {
    return { ok: false, status: 0, data: null, code: "network" };
  }
}

const failureCode = (r) => (r.status === 429 ? "rate_limited" : r.code ?? "failed");

// ---- small helpers ----

function setText(el, value) {
  if (el.textContent !== value) el.textContent = value;
}

/** The service's guide (办事指南) from the page's config, or null. */
const guideOf = (code) => (code ? config.services?.[code]?.guide ?? null : null);

/** Whether the service is booked by real name (实名取号): the form asks for the ID number. */
const realName = (code) => Boolean(code && config.services?.[code]?.real_name);

function serviceName(code) {
  const s = names.get(code);
  return s ? pick(s.name, s.name_en) : [code, ""];
}

/** "ABCD EFGH": the code in two halves, easier to read out and type. */
const spaced = (code) => (code?.length === 8 ? `${code.slice(0, 4)} ${code.slice(4)}` : code ?? "");

function dayLabel(day) {
  const today = hallDayOf(Date.now() + skew);
  const tomorrow = hallDayOf(Date.now() + skew + 86400000);
  const w = words();
  const rel = day === today ? w.today : day === tomorrow ? w.tomorrow : "";
  return rel ? `${rel} · ${dayName(day)}` : dayName(day);
}

const bookableServices = () => (state.policy?.enabled
  ? (state.policy.services ?? []).filter((s) => s.enabled) : []);

function renderPick(w) {
  const services = bookableServices().map((s) => {
    const [name, name2] = serviceName(s.service);
    const sub = [name2, realName(s.service) ? w.real_name_tag : ""].filter(Boolean).join(" · ");
    return { value: s.service, main: `${s.service} ${name}`, sub };
  });
  renderChoices($("services"), "service", services, state.service);
  /** @type {HTMLFieldSetElement} */ ($("step-day")).disabled = !state.service || state.days === null;
  const days = (state.days ?? []).map((d) => ({
    value: d.day, main: dayLabel(d.day), sub: d.free > 0 ? w.free(d.free) : w.full,
    disabled: d.free <= 0, full: d.free <= 0,
  }));
  renderChoices($("days"), "day", days, state.day);
  $("days-none").hidden = state.days === null || days.some((d) => !d.disabled);
  /** @type {HTMLFieldSetElement} */ ($("step-slot")).disabled = !state.day || state.slots === null;
  const slots = (state.slots ?? []).map((s) => ({
    value: s.start, main: `${clock(s.start)}–${clock(s.end)}`,
    sub: s.free > 0 ? w.free(s.free) : w.full, disabled: s.free <= 0, full: s.free <= 0,
  }));
  renderChoices($("slots"), "slot", slots, state.slot);
  $("slots-none").hidden = state.slots === null || slots.some((s) => !s.disabled);
  renderDetails(state.policy?.fields ?? {}, realName(state.service), state.error);
  renderGuide($("pick-guide"), guideOf(state.service), currentLang()); // read before booking
  const slot = state.slots?.find((s) => s.start === state.slot);
  setText($("summary"), slot ? w.summary(serviceName(state.service)[0], dayLabel(state.day),
    `${clock(slot.start)}–${clock(slot.end)}`) : "");
  setText($("book"), state.busy ? w.booking : w.book);
  /** @type {HTMLButtonElement} */ ($("book")).disabled = !slot || state.busy;
  $("confirm-bar").classList.toggle("chosen", Boolean(slot));
  $("pick-error").hidden = !state.error;
  setText($("pick-error"), state.error
    ? idErrorText(state.error) ?? errorText(state.error.code, fieldName(state.error.field)) : "");
}

// ---- the booking ----

function renderBooking(w) {
  const a = state.appointment;
  if (!a) return;
  document.body.dataset.status = a.status;
  setText($("b-status"), w.status[a.status] ?? a.status);
  setText($("b-code"), spaced(a.code));
  $("b-code").setAttribute("aria-label", a.code.split("").join(" "));
  const qr = a.qr ?? `/a/${encodeURIComponent(a.id)}/qr.svg`;
  if ($("b-qr").getAttribute("src") !== qr) /** @type {HTMLImageElement} */ ($("b-qr")).src = qr;
  /** @type {HTMLImageElement} */ ($("b-qr")).alt = `${w.your_code} ${a.code}`;
  const [name, name2] = serviceName(a.service);
  setText($("b-service"), name2 ? `${name} · ${name2}` : name);
  setText($("b-when"), `${dayLabel(a.day)} ${clock(a.start)}–${clock(a.end)}`);
  const person = [a.name, a.phone].filter(Boolean).join(" · ");
  $("b-person").hidden = !person;
  setText($("b-person"), person);
  setText($("b-window"), a.status === "booked" ? checkinWindow(w, a) : w.note[a.status] ?? "");
  const ticket = a.ticket;
  $("b-ticket").hidden = !ticket;
  if (ticket) {
    /** @type {HTMLAnchorElement} */ ($("b-ticket")).href = `${ticket.url ?? `/t/${encodeURIComponent(ticket.id)}`}${langQuery()}`;
    setText($("b-ticket"), w.ticket(ticket.number));
  }
  const booked = a.status === "booked";
  $("b-id-note").hidden = !booked || !realName(a.service); // the same ID card checks it in
  renderGuide($("b-guide"), booked || a.status === "checked_in" ? guideOf(a.service) : null, currentLang());
  $("cancel").hidden = !booked || state.confirming;
  $("confirm").hidden = !booked || !state.confirming;
  setText($("confirm-text"), w.confirm(spaced(a.code)));
  setText($("confirm-yes"), state.busy ? w.cancelling : w.confirm_yes);
  /** @type {HTMLButtonElement} */ ($("confirm-yes")).disabled = state.busy;
  /** @type {HTMLButtonElement} */ ($("confirm-no")).disabled = state.busy;
  $("b-error").hidden = !state.bookingError;
  setText($("b-error"), state.bookingError ? errorText(state.bookingError) : "");
  $("book-another").hidden = booked || a.status === "checked_in";
  /** @type {HTMLAnchorElement} */ ($("book-another")).href = `/halls/${encodeURIComponent(a.hall ?? config.hall)}/book${langQuery()}`;
}

/** "Check in between 09:00 and 09:45": the hall's window around the slot's start. */
function checkinWindow(w, a) {
  const start = Date.parse(a.start);
  const minutes = (n) => new Date(start + n * 60000).toISOString();
  const opens = a.checkin_opens ?? minutes(-(state.policy?.checkin_early_min ?? 30));
  const closes = a.checkin_closes ?? minutes(state.policy?.checkin_late_min ?? 15);
  return w.window(clock(opens), clock(closes));
}

// ---- rendering ----

function render() {
  const w = words();
  document.body.dataset.view = state.view;
  for (const v of VIEWS) $(v).hidden = v !== state.view;
  const [name, name2] = pick(config.hall_name, config.hall_name_en);
  setText($("hall-name"), name);
  setText($("hall-name-2"), name2);
  $("hall-name-2").hidden = !name2;
  setText($("lang"), w.other);
  $("lang").lang = w.other_lang;
  document.documentElement.lang = w.html_lang;
  document.title = state.view === "booking" && state.appointment
    ? `${spaced(state.appointment.code)} · ${name}` : `${name} · ${w.title}`;
  if (state.view === "pick") renderPick(w);
  if (state.view === "booking") renderBooking(w);
}

// ---- what the citizen does ----

async function loadPolicy() {
  const result = await call("GET", `${hallPath}/booking`);
  if (result.ok) state.policy = result.data;
  return result;
}

async function startBooking() {
  const result = await loadPolicy();
  const services = bookableServices();
  state.view = result.ok && services.length === 0 ? "closed" : "pick";
  if (!result.ok) state.error = { code: failureCode(result) };
  render();
  if (services.length === 1) chooseService(services[0].service);
}

async function chooseService(code) {
  if (!realName(code)) wipeId();
  state.service = code;
  state.day = state.slot = state.days = state.slots = null;
  state.error = null;
  const reads = ++state.reads;
  render();
  const result = await call("GET", `${hallPath}/slots?${new URLSearchParams({ service: code })}`);
  if (reads !== state.reads) return;
  if (result.ok) state.days = result.data.days ?? [];
  else state.error = { code: failureCode(result) };
  render();
}

async function chooseDay(day, { keepSlot = false } = {}) {
  state.day = day;
  if (!keepSlot) state.slot = null;
  state.slots = keepSlot ? state.slots : null;
  const reads = ++state.reads;
  render();
  const query = new URLSearchParams({ service: state.service, day });
  const result = await call("GET", `${hallPath}/slots?${query}`);
  if (reads !== state.reads) return;
  if (result.ok) {
    state.slots = result.data.slots ?? [];
    if (!state.slots.some((s) => s.start === state.slot && s.free > 0)) state.slot = null;
  } else {
    state.error = { code: failureCode(result) };
  }
  render();
}

function chooseSlot(start) {
  state.slot = start;
  state.error = null;
  render();
  // the confirm bar now sticks to the foot: the chosen slot stays in sight above it
  $("slots").querySelector(`input[value="${CSS.escape(start)}"]`)?.closest("label")
    ?.scrollIntoView({ block: "nearest" });
}

async function book(e) {
  e.preventDefault();
  if (!state.slot || state.busy) return;
  const details = readDetails(state.policy?.fields ?? {}, realName(state.service),
    hallDayOf(Date.now() + skew));
  if (details.error) {
    state.error = details.error;
    render();
    $(details.error.field).focus();
    return;
  }
  const body = { service: state.service, start: state.slot, ...details.body };
  state.busy = true;
  state.error = null;
  render();
  // One Idempotency-Key per tap, sent again with each retry: a lost answer never books twice.
  const accept = (data) => (data?.id ? { appointment: data } : null);
  const result = await postRetrying(`${hallPath}/appointments`, body, newKey(), accept);
  state.busy = false;
  if (result.appointment) {
    wipeId();
    showBooking(result.appointment);
    return;
  }
  const code = result.error === "down" ? "network" : result.status === 429 ? "rate_limited" : result.error;
  const field = result.detail?.field;
  if (field === "id_number") { // made real-name since the page was read: ask for it now
    config.services[state.service] = { ...config.services[state.service], real_name: true };
  }
  state.error = refusal(code, result.detail);
  if (["slot_full", "slot_not_bookable"].includes(code)) chooseDay(state.day);
  else if (code === "booking_disabled") startBooking();
  render();
  if (state.error.field && $(state.error.field)) $(state.error.field).focus();
  else $("pick-error").scrollIntoView({ block: "nearest" });
}

function showBooking(appointment) {
  state.appointment = appointment;
  state.view = "booking";
  history.replaceState(null, "", `${appointment.url ?? `/a/${appointment.id}`}${langQuery()}`);
  render();
  window.scrollTo(0, 0);
  $("b-status").focus();
}

async function refreshBooking() {
  const a = state.appointment;
  if (!a || state.busy) return;
  const result = await call("GET", `/api/v1/appointments/${encodeURIComponent(a.id)}`);
  if (!result.ok || state.busy) return;
  state.appointment = result.data;
  if (result.data.status !== "booked") state.confirming = false;
  render();
}

async function cancelBooking() {
  const a = state.appointment;
  state.busy = true;
  render();
  const result = await call("POST", `/api/v1/appointments/${encodeURIComponent(a.id)}/cancel`);
  state.busy = false;
  state.confirming = false;
  if (result.ok && result.data) {
    state.bookingError = null;
    state.appointment = { ...a, ...result.data };
    render();
    $("b-status").focus();
    return;
  }
  state.bookingError = failureCode(result);
  render();
  refreshBooking();
}

function askConfirm(open) {
  state.confirming = open;
  state.bookingError = null;
  render();
  (open ? $("confirm-no") : $("cancel")).focus();
}

const langQuery = () => (currentLang() === "en" ? "?lang=en" : "?lang=zh");

function toggleLang() {
  setLang(currentLang() === "en" ? "zh" : "en");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", currentLang());
  history.replaceState(null, "", url);
  fillTexts();
  render();
}

function setup() {
  largePrintToggle({ remember: true }); // as on the ticket page (ticket.css: its large print)
  setupIdEntry();
  $("lang").addEventListener("click", toggleLang);
  $("services").addEventListener("change", (e) => chooseService(/** @type {HTMLInputElement} */ (e.target).value));
  $("days").addEventListener("change", (e) => chooseDay(/** @type {HTMLInputElement} */ (e.target).value));
  $("slots").addEventListener("change", (e) => chooseSlot(/** @type {HTMLInputElement} */ (e.target).value));
  $("pick").addEventListener("submit", book);
  $("cancel").addEventListener("click", () => askConfirm(true));
  $("confirm-no").addEventListener("click", () => askConfirm(false));
  $("confirm-yes").addEventListener("click", cancelBooking);
  $("confirm").addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !state.busy) askConfirm(false);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshBooking();
  });
  setInterval(() => state.appointment?.status === "booked" && refreshBooking(), REFRESH_MS);
  fillTexts();
  render();
  if (state.appointment) loadPolicy().then(render); // the check-in window's minutes
  else startBooking();
}

setup();
