// @ts-check
// The rating screen beside a window (/halls/{hall}/windows/{n}/rate): idle until the window
// finishes a ticket (ticket.finished on /ws/v2, then GET …/rateable), then five faces, the
// reasons as chips, submit, a thank-you, and back to idle. The form ends the moment the window
// calls anyone (ticket.called or .recalled there): the person at the screen is then the next
// citizen, not the one just served. Keys: 1–5 pick the faces in their on-screen order, Enter
// submits, Escape clears. zh by default, ?lang=en or the toggle. It reads no ticket id: the
// stream's frames give the window and the event, …/rateable the number.
import {
  HallStream, TICKET_CALLED, TICKET_FINISHED, TICKET_RATED, TICKET_RECALLED,
} from "../shared/protocol.js";
import { chips, digitScore, face, faces, scoreName } from "../shared/rating-ui.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("config").textContent);
const scale = config.scale;
const THANKS_MS = 6000; // the thank-you stays this long
const IDLE_AFTER_MS = 90000; // a form left half-filled this long is cleared (the next citizen)
const API = `/api/v1/halls/${encodeURIComponent(config.hall)}/windows/${config.window}`;

const WORDS = {
  zh: {
    htmlLang: "zh-CN", other: "English", otherLang: "en",
    window: (n) => `${n}号窗口`,
    idleBig: "请对我们的服务进行评价",
    idle2: "业务办理完成后，您的号码会显示在这里",
    ask: "您对本次服务满意吗？",
    reasons: "请选择原因（可多选）",
    submit: "提交评价",
    pick: "请先选择满意程度",
    sending: "正在提交…",
    hint: "也可用键盘：数字 1–5 从左到右选择，回车提交",
    thanks: "感谢您的评价！",
    thanks2: (number, name) => `${number} · ${name}`,
    error: {
      already_rated: "这张号已评价过了，谢谢！",
      rating_closed: "评价时间已过。",
      not_rateable_here: "该号已不是本窗口刚办结的号。",
      rate_limited: "操作太频繁，请稍后再试。",
      network: "网络不通，未能提交，请重试。",
      failed: "提交失败，请重试。",
    },
    offline: "连接中断，正在重连…",
  },
  en: {
    htmlLang: "en", other: "中文", otherLang: "zh-CN",
    window: (n) => `Window ${n}`,
    idleBig: "Please rate our service",
    idle2: "When your matter is done, your number shows here",
    ask: "How satisfied are you with this service?",
    reasons: "Why? (choose any)",
    submit: "Submit rating",
    pick: "Choose how satisfied you are first",
    sending: "Sending…",
    hint: "Keyboard: digits 1–5 choose from left to right, Enter submits",
    thanks: "Thank you for your rating!",
    thanks2: (number, name) => `${number} · ${name}`,
    error: {
      already_rated: "This ticket is rated already. Thank you!",
      rating_closed: "The time to rate this ticket is over.",
      not_rateable_here: "This is no longer the ticket this window just finished.",
      rate_limited: "Too many tries: please wait a moment.",
      network: "No connection: not sent. Please try again.",
      failed: "Could not send. Please try again.",
    },
    offline: "Connection lost. Reconnecting…",
  },
};

const state = {
  lang: config.lang === "en" ? "en" : "zh",
  phase: "idle", // idle | form | sending | thanks
  ticket: null, // {number, service, finished_at, until}
  score: null,
  reasons: new Set(),
  error: null,
  thanked: null, // {number, score}
  calledAt: -Infinity, // when the window last called anyone (the frame's server time, ms)
};
const words = () => WORDS[state.lang];
let renderFaces = null;
let phaseTimer = 0;
let idleTimer = 0;
let fetchVersion = 0;

function serviceName(code) {
  const s = config.services[code];
  if (!s) return code;
  return state.lang === "en" ? s.name_en || s.name : s.name;
}

function setPhase(phase) {
  state.phase = phase;
  document.body.className = `rate-screen phase-${phase}`;
}

function render() {
  const w = words();
  document.documentElement.lang = w.htmlLang;
  $("lang").textContent = w.other;
  $("lang").lang = w.otherLang;
  $("window-name").textContent = w.window(config.window); // the window's name is Chinese only
  const hallName = state.lang === "en" ? config.name_en || config.name : config.name;
  $("hall-name").textContent = hallName;
  document.title = `${w.window(config.window)} · ${hallName}`;
  $("offline").textContent = w.offline;
  $("idle").hidden = state.phase !== "idle";
  $("form").hidden = !["form", "sending"].includes(state.phase);
  $("thanks").hidden = state.phase !== "thanks";
  $("idle-big").textContent = w.idleBig;
  $("idle-2").textContent = w.idle2;
  const t = state.ticket;
  if (t) {
    $("t-number").textContent = t.number;
    $("t-service").textContent = serviceName(t.service);
  }
  $("ask").textContent = w.ask;
  renderFaces(state.score, state.lang);
  $("reasons-label").textContent = w.reasons;
  chips($("chips"), scale, state.score, state.reasons, state.lang, touched);
  $("reasons-label").hidden = $("chips").hidden;
  const sending = state.phase === "sending";
  $("submit").textContent = sending ? w.sending : state.score === null ? w.pick : w.submit;
  /** @type {HTMLButtonElement} */ ($("submit")).disabled = state.score === null || sending;
  $("error").hidden = !state.error;
  $("error").textContent = state.error ? w.error[state.error] ?? w.error.failed : "";
  $("hint").textContent = w.hint;
  $("thanks-big").textContent = w.thanks;
  const done = state.thanked;
  $("thanks-2").textContent = done ? w.thanks2(done.number, scoreName(scale, done.score, state.lang))
    : "";
}

/** Someone is using the form: keep it a while longer. */
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (state.phase === "form") clearForm();
  }, IDLE_AFTER_MS);
}

function clearForm() {
  state.score = null;
  state.reasons.clear();
  state.error = null;
  render();
}

/** Whether the window has called anyone since `ticket` finished there (then it is not the
 * ticket of the person at the screen, whatever a late answer says). */
function movedOn(ticket) {
  return Date.parse(ticket.finished_at) <= state.calledAt;
}

/** Show this ticket's form (a new ticket starts a clean form), or idle when there is none. */
function show(ticket) {
  clearTimeout(phaseTimer);
  if (!ticket || movedOn(ticket)) {
    state.ticket = null;
    if (state.phase !== "thanks") setPhase("idle");
    render();
    return;
  }
  if (state.ticket?.number !== ticket.number) {
    state.score = null;
    state.reasons.clear();
    state.error = null;
  }
  state.ticket = ticket;
  setPhase("form");
  render();
  // The screen offers it until the server would refuse it.
  const left = Date.parse(ticket.until) - Date.now() - skew;
  phaseTimer = setTimeout(() => refresh(), Math.max(1000, left + 500));
}

let skew = 0; // the server's clock minus ours, from the Date header

async function refresh() {
  const version = ++fetchVersion;
  try {
    const resp = await fetch(`${API}/rateable`, { cache: "no-store" });
    const date = Date.parse(resp.headers.get("Date") ?? "");
    if (!Number.isNaN(date)) skew = date - Date.now();
    if (!resp.ok) return;
    const body = await resp.json();
    if (version !== fetchVersion || state.phase === "sending" || state.phase === "thanks") return;
    show(body.rateable);
  } catch {
    // offline: the next snapshot refreshes
  }
}

async function submit() {
  if (state.score === null || state.phase !== "form" || !state.ticket) return;
  const body = { number: state.ticket.number, score: state.score, reasons: [...state.reasons] };
  setPhase("sending");
  state.error = null;
  render();
  let resp;
  let answer = null;
  try {
    resp = await fetch(`${API}/rating`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    answer = await resp.json().catch(() => null);
  } catch {
    if (!state.ticket) return show(null);
    setPhase("form");
    state.error = "network";
    render();
    return;
  }
  if (resp.ok) return thank(body.number, body.score);
  if (!state.ticket) return show(null); // the window called someone meanwhile: nothing to retry
  const code = answer?.error?.code;
  state.error = code in words().error ? code : "failed";
  setPhase("form");
  render();
  if (resp.status === 409) setTimeout(() => state.phase === "form" && refresh(), 4000);
}

function thank(number, score) {
  state.thanked = { number, score };
  state.ticket = null;
  state.score = null;
  state.reasons.clear();
  setPhase("thanks");
  render();
  clearTimeout(phaseTimer);
  phaseTimer = setTimeout(() => {
    setPhase("idle");
    render();
    refresh();
  }, THANKS_MS);
}

function pick(score) {
  if (state.phase !== "form") return;
  state.score = score;
  state.error = null;
  touched();
  render();
}

/** The window called someone: the form ends now, and no answer on its way brings it back. */
function calledNext(frame) {
  const at = Date.parse(frame.at ?? "");
  state.calledAt = Math.max(state.calledAt, Number.isNaN(at) ? Date.now() + skew : at);
  fetchVersion += 1;
  clearTimeout(idleTimer);
  state.ticket = null;
  state.score = null;
  state.reasons.clear();
  state.error = null;
  if (state.phase === "form") show(null);
  // sending: the server decides (it refuses once the call is in); thanks: it runs its course
}

function onEvent(frame) {
  if (frame.window !== config.window) return;
  if (frame.event === TICKET_CALLED || frame.event === TICKET_RECALLED) calledNext(frame);
  else if (frame.event === TICKET_FINISHED) refresh();
  else if (frame.event === TICKET_RATED && frame.ticket?.number === state.ticket?.number
    && state.phase === "form") {
    refresh(); // rated on the citizen's phone meanwhile
  }
}

let offlineTimer = 0;
function onState(online) {
  console.info(`callnext: stream ${online ? "online" : "offline"}`);
  clearTimeout(offlineTimer);
  if (online) {
    $("offline").hidden = true;
    return;
  }
  offlineTimer = setTimeout(() => { $("offline").hidden = false; }, 1000);
}

function toggleLang() {
  state.lang = state.lang === "en" ? "zh" : "en";
  const url = new URL(window.location.href);
  url.searchParams.set("lang", state.lang);
  history.replaceState(null, "", url);
  render();
}

function onKey(e) {
  if (state.phase !== "form") return;
  const score = digitScore(e, $("scores"));
  if (score !== null) {
    e.preventDefault();
    pick(score);
    /** @type {HTMLElement | null} */ (document.querySelector(`.score[data-score="${score}"]`))?.focus();
  } else if (e.key === "Enter" && state.score !== null
    && !(e.target instanceof HTMLElement && e.target.closest("#lang"))) {
    // Enter submits from anywhere in the form (Space still toggles a chip).
    e.preventDefault();
    submit();
  } else if (e.key === "Escape") {
    clearForm();
  }
}

function setup() {
  $("scores").classList.add("scores");
  renderFaces = faces($("scores"), scale, pick);
  $("idle-faces").replaceChildren(...[5, 4, 3, 2, 1].map(face));
  $("submit").addEventListener("click", submit);
  $("lang").addEventListener("click", toggleLang);
  document.addEventListener("keydown", onKey);
  render();
  const stream = new HallStream(config.hall, {
    snapshot: () => refresh(), event: onEvent, state: onState,
  });
  window.callnextStream = stream;
  stream.start();
}

setup();
