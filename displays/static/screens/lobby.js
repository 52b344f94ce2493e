// @ts-check
// The lobby screen: the newest call big, the last 10 calls, the queues, clock and notice.
import { NoticePager } from "../shared/notice.js";
import { ANNOUNCED, HALL_UPDATED, HallStream, TICKET_TRANSFERRED } from "../shared/protocol.js";
import { callSounds, CHIME, setupSound } from "../shared/sound.js";
import {
  closedText, flash, isFresh, names, offlineState, screen, serverDate, serverNow, startClock,
  today, words,
} from "./screen.js";

const MAX_CALLS = 10;
const HOLD_MS = 5000; // a new call is marked as the one being announced this long
const FRESH_MS = 30000; // calls this recent stay marked in the list (a burst's earlier ones)
const REOPEN_SPREAD_MS = 20000; // when a service opens, screens resync within this (not at once)

const $ = (id) => document.getElementById(id);
const hero = $("hero");
const heroNumber = $("hero-number");
const heroWindow = $("hero-window");
const idleText = heroNumber.textContent;

let calls = []; // {number, window, at}, newest first, at most MAX_CALLS
let holding = 0; // the timer of the call marked as just announced; 0 when none is
let snapshots = 0;
let day = today();
const queues = new Map(); // service code -> its <li>
const states = new Map(); // service code -> its last state (waiting, open, next_open_at…)
const reopens = new Map(); // service code -> when a closed service issues again (ms)
const notice = new NoticePager($("notice"));

// The recent list: MAX_CALLS slots built once and reused, so the DOM never grows.
const slots = Array.from({ length: MAX_CALLS }, () => {
  const li = document.createElement("li");
  li.hidden = true;
  li.append(document.createElement("span"), document.createElement("span"));
  /** @type {HTMLElement} */ (li.firstChild).className = "number";
  /** @type {HTMLElement} */ (li.lastChild).className = "window";
  $("recent").append(li);
  return li;
});

function renderCalls() {
  slots.forEach((li, i) => {
    const call = calls[i];
    li.hidden = !call;
    if (!call) return;
    li.firstChild.textContent = call.number;
    /** @type {HTMLElement} */ (li.firstChild).classList.toggle("long", call.number.length > 4); // A1000 and on
    li.lastChild.textContent = words.window(call.window);
  });
  markFresh();
}

/** Mark the calls of the last FRESH_MS in the list: in a burst, each caller finds theirs. */
function markFresh() {
  const now = serverNow();
  slots.forEach((li, i) => li.classList.toggle("fresh", Boolean(calls[i])
    && now - Date.parse(calls[i].at) < FRESH_MS));
}

/** Put a call (or the idle text) in the hero; `held` marks it as the call just made. */
function showHero(call, held) {
  heroNumber.textContent = call ? call.number : idleText;
  heroNumber.classList.toggle("long", Boolean(call) && call.number.length > 4);
  heroWindow.textContent = call ? words.window(call.window) : "";
  hero.classList.toggle("idle", !call);
  hero.classList.toggle("held", held);
}

/** A call (or recall): the newest is big at once and at the top of the list; the sounds queue
 * (each call is announced in turn, while the screen already shows the newest). */
function called(call, sounds) {
  calls = [call, ...calls.filter((c) => c.number !== call.number)].slice(0, MAX_CALLS);
  renderCalls();
  if (!isFresh(call.at)) return showHero(calls[0], Boolean(holding));
  clearTimeout(holding);
  holding = setTimeout(() => {
    holding = 0;
    hero.classList.remove("held");
  }, HOLD_MS);
  showHero(calls[0], true);
  flash(hero, 1500);
  flash(slots[0]);
  sound?.add(sounds);
}

function renderQueues(services) {
  queues.clear();
  states.clear();
  $("queues").replaceChildren(
    ...services.map((s) => {
      const li = document.createElement("li");
      li.innerHTML = '<span class="name"></span><span class="name-2"></span>'
        + '<span class="waiting"></span><span class="wait"></span>';
      [li.children[0].textContent, li.children[1].textContent] = names(s);
      queues.set(s.code, li);
      updateQueue(s.code, s);
      return li;
    }),
  );
}

function updateQueue(code, q) {
  const li = queues.get(code);
  if (!li) return;
  const state = { ...states.get(code), ...q };
  states.set(code, state);
  const closed = state.open === false;
  li.classList.toggle("closed", closed);
  li.children[2].textContent = words.waiting(state.waiting);
  li.children[3].textContent = closed ? closedText(state)
    : state.past_closing ? words.past_closing : words.wait(state.est_wait_s);
  if (closed && state.next_open_at) reopens.set(code, Date.parse(state.next_open_at));
  else reopens.delete(code);
}

/** A closed service's opening time passed: its state comes with a new snapshot (spread out, so
 * a hall's screens do not all ask at once). */
function reopenDue() {
  const now = serverNow();
  for (const [code, at] of reopens) {
    if (at > now) continue;
    reopens.clear();
    setTimeout(() => stream.resync(`${code} opens`), Math.random() * REOPEN_SPREAD_MS);
    return;
  }
}

/** The notice in the screen's language: ?notice= first, then the hall's (English: its English
 * notice, or the Chinese one while it has none). */
function setNotice(hall) {
  const own = screen.lang === "en" ? hall.notice_en || hall.notice : hall.notice;
  notice.set(screen.notice || own || "");
}

function onSnapshot(hall) {
  const [name, name2] = names(hall);
  $("hall-name").textContent = name;
  $("hall-name-2").textContent = name2;
  // After a resync, calls made while we were not listening are new to this screen too.
  const newest = calls.length ? Date.parse(calls[0].at) : -Infinity;
  const missed = snapshots++ === 0 ? []
    : hall.recent.filter((r) => Date.parse(r.at) > newest && isFresh(r.at)).reverse();
  calls = hall.recent.slice(0, MAX_CALLS).map(({ number, window, at }) => ({ number, window, at }));
  renderCalls();
  for (const call of missed) called(call, [CHIME]); // their voice URLs are not in a snapshot
  showHero(calls[0], Boolean(holding));
  renderQueues(hall.services);
  setNotice(hall);
}

function onEvent(frame) {
  const ticket = frame.ticket;
  if (ANNOUNCED.has(frame.event) && ticket && frame.window != null) {
    const call = { number: ticket.number, window: frame.window, at: frame.at };
    called(call, callSounds(screen, frame));
  } else if (frame.event === HALL_UPDATED) {
    setNotice(frame);
  } else if (frame.event === TICKET_TRANSFERRED && ticket) {
    calls = calls.filter((c) => c.number !== ticket.number); // it waits again: no call to show
    renderCalls();
  }
  for (const [code, q] of Object.entries(frame.queues ?? {})) updateQueue(code, q);
}

/** At midnight (hall time) yesterday's calls leave the screen, as they leave the snapshot. */
function dayChange() {
  const now = today();
  if (now === day) return;
  day = now;
  calls = calls.filter((c) => c.at.startsWith(day));
  renderCalls();
  for (const code of states.keys()) updateQueue(code, {}); // "明天 09:00" is today's now
  showHero(calls[0], Boolean(holding));
}

function tick() {
  dayChange();
  markFresh();
  reopenDue();
}

const sound = setupSound(screen.mode, $("enable-sound"));
const onState = offlineState();
notice.set(screen.notice);
startClock(tick);
const stream = new HallStream(screen.hall, {
  snapshot: onSnapshot, event: onEvent, state: onState, serverDate,
});
window.callnextStream = stream;
stream.start();
