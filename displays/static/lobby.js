// The lobby screen: the call being announced, the last 10 calls, the queues, clock and notice.
import { ANNOUNCED, HALL_UPDATED, HallStream, TICKET_TRANSFERRED } from "./protocol.js";
import { callSounds, CHIME, setupSound } from "./sound.js";
import {
  flash, isFresh, names, offlineState, screen, serverDate, startClock, today, words,
} from "./screen.js";

const MAX_CALLS = 10;
const HOLD_MS = 5000; // a new call stays in the hero this long…
const BUSY_HOLD_MS = 3000; // …or this long when more calls wait behind it
const MAX_HIGHLIGHTS = 20; // highlights waiting their turn (the list shows every call at once)

const $ = (id) => document.getElementById(id);
const hero = $("hero");
const heroNumber = $("hero-number");
const heroWindow = $("hero-window");
const idleText = heroNumber.textContent;

let calls = []; // {number, window, at}, newest first, at most MAX_CALLS
const highlights = []; // fresh calls waiting for their turn in the hero
let holding = 0; // the timer of the call held in the hero; 0 when none is
let snapshots = 0;
let day = today();
const queues = new Map(); // service code -> its <li>

// The recent list: MAX_CALLS slots built once and reused, so the DOM never grows.
const slots = Array.from({ length: MAX_CALLS }, () => {
  const li = document.createElement("li");
  li.hidden = true;
  li.append(document.createElement("span"), document.createElement("span"));
  li.firstChild.className = "number";
  li.lastChild.className = "window";
  $("recent").append(li);
  return li;
});

function renderCalls() {
  slots.forEach((li, i) => {
    const call = calls[i];
    li.hidden = !call;
    if (!call) return;
    li.firstChild.textContent = call.number;
    li.firstChild.classList.toggle("long", call.number.length > 4); // A1000 and on
    li.lastChild.textContent = words.window(call.window);
  });
}

/** Put a call (or the idle text) in the hero; `held` marks it as the new call being announced. */
function showHero(call, held) {
  heroNumber.textContent = call ? call.number : idleText;
  heroNumber.classList.toggle("long", Boolean(call) && call.number.length > 4);
  heroWindow.textContent = call ? words.window(call.window) : "";
  hero.classList.toggle("idle", !call);
  hero.classList.toggle("held", held);
  if (held) flash(hero, 1500);
}

/** Show the next waiting highlight for its hold time; when none waits, keep the newest call. */
function nextHighlight() {
  holding = 0;
  const call = highlights.shift();
  if (!call) return showHero(calls[0], false);
  showHero(call, true);
  holding = setTimeout(nextHighlight, highlights.length ? BUSY_HOLD_MS : HOLD_MS);
}

/** A call (or recall): at the top of the list at once; highlighted and announced in turn. */
function called(call, sounds) {
  calls = [call, ...calls.filter((c) => c.number !== call.number)].slice(0, MAX_CALLS);
  renderCalls();
  flash(slots[0]);
  if (!isFresh(call.at)) {
    if (!holding) showHero(calls[0], false);
    return;
  }
  if (highlights.length >= MAX_HIGHLIGHTS) highlights.shift();
  highlights.push(call);
  if (!holding) nextHighlight();
  sound?.add(sounds);
}

function renderQueues(services) {
  queues.clear();
  $("queues").replaceChildren(
    ...services.map((s) => {
      const li = document.createElement("li");
      li.innerHTML = '<span class="name"></span><span class="name-2"></span>'
        + '<span class="waiting"></span><span class="wait"></span>';
      [li.children[0].textContent, li.children[1].textContent] = names(s);
      li.classList.toggle("closed", s.open === false);
      queues.set(s.code, li);
      updateQueue(s.code, s);
      return li;
    }),
  );
}

function updateQueue(code, q) {
  const li = queues.get(code);
  if (!li) return;
  if ("open" in q) li.classList.toggle("closed", q.open === false);
  li.children[2].textContent = words.waiting(q.waiting);
  const closed = li.classList.contains("closed");
  li.children[3].textContent = closed ? words.closed : words.wait(q.est_wait_s);
}

function setNotice(text) {
  const notice = $("notice");
  notice.textContent = text;
  notice.hidden = !text;
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
  if (!holding) showHero(calls[0], false);
  renderQueues(hall.services);
  setNotice(screen.notice || hall.notice || "");
}

function onEvent(frame) {
  const ticket = frame.ticket;
  if (ANNOUNCED.has(frame.event) && ticket && frame.window != null) {
    const call = { number: ticket.number, window: frame.window, at: frame.at };
    called(call, callSounds(screen, frame));
  } else if (frame.event === HALL_UPDATED) {
    setNotice(screen.notice || frame.notice || "");
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
  if (!holding) showHero(calls[0], false);
}

const sound = setupSound(screen.mode, $("enable-sound"));
const onState = offlineState();
setNotice(screen.notice);
startClock(dayChange);
const stream = new HallStream(screen.hall, {
  snapshot: onSnapshot, event: onEvent, state: onState, serverDate,
});
window.callnextStream = stream;
stream.start();
