// The screen over one window: its current number, or "paused", live from the hall's stream.
import {
  ANNOUNCED, HallStream, TICKET_FINISHED, TICKET_TRANSFERRED, WINDOW_PAUSED, WINDOW_RESUMED,
} from "./protocol.js";
import { callSounds, setupSound } from "./sound.js";
import {
  flash, isFresh, names, offlineState, otherWords, screen, serverDate, startClock, words,
} from "./screen.js";

const $ = (id) => document.getElementById(id);
const n = Number(document.body.dataset.window);
const view = { status: "open", reason: null, current: null, services: "" };

function render() {
  const paused = view.status !== "open";
  const serving = $("serving");
  serving.classList.toggle("paused", paused);
  serving.classList.toggle("idle", !paused && !view.current);
  $("serving-label").hidden = paused;
  $("paused-2").hidden = !paused;
  if (paused) {
    $("number").textContent = words.paused;
    $("paused-2").textContent = otherWords.paused;
    $("sub").textContent = view.reason ?? "";
  } else {
    $("number").textContent = view.current ? view.current.number : "—";
    $("sub").textContent = view.current ? words.calling : words.idle;
  }
  $("services").textContent = view.services;
}

function onSnapshot(hall) {
  $("hall-name").textContent = names(hall)[0];
  const win = hall.windows.find((w) => w.number === n);
  if (!win) {
    view.status = "closed"; // removed from the hall's configuration
    view.current = null;
    return render();
  }
  view.status = win.status;
  view.reason = win.pause_reason;
  view.current = win.current;
  const byCode = new Map(hall.services.map((s) => [s.code, names(s)[0]]));
  view.services = win.services.map((code) => byCode.get(code) ?? code).join(" · ");
  render();
}

/** Frames on /ws/v2 carry no ticket ids: a ticket is its number on its day. */
function sameTicket(a, b) {
  return Boolean(a && b) && a.number === b.number && a.day === b.day;
}

function onEvent(frame) {
  if (frame.window !== n) return;
  const ticket = frame.ticket;
  if (ANNOUNCED.has(frame.event) && ticket) {
    view.current = ticket;
    render();
    if (isFresh(frame.at)) {
      flash($("number"), 2000);
      sound?.add(callSounds(screen, frame));
    }
  } else if ((frame.event === TICKET_FINISHED || frame.event === TICKET_TRANSFERRED) && ticket) {
    if (sameTicket(view.current, ticket)) view.current = null;
    render();
  } else if (frame.event === WINDOW_PAUSED) {
    view.status = "paused";
    view.reason = frame.reason ?? null;
    render();
  } else if (frame.event === WINDOW_RESUMED) {
    view.status = "open";
    view.reason = null;
    render();
  }
}

const sound = setupSound(screen.mode, $("enable-sound"));
const onState = offlineState();
startClock();
const stream = new HallStream(screen.hall, {
  snapshot: onSnapshot, event: onEvent, state: onState, serverDate,
});
window.callnextStream = stream;
stream.start();
