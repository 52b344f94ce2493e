// @ts-check
// The screen over one window, live from the hall's stream: its current number; between calls,
// the window's name and who works there; "暂停服务 / Paused" (with the reason) while paused;
// "暂停服务 / Closed" while nobody works there.
import {
  ANNOUNCED, HallStream, TICKET_FINISHED, TICKET_TRANSFERRED, WINDOW_PAUSED, WINDOW_RELEASED,
  WINDOW_RESUMED, WINDOW_TAKEN,
} from "../shared/protocol.js";
import { callSounds, setupSound } from "../shared/sound.js";
import {
  flash, isFresh, names, offlineState, otherWords, screen, serverDate, startClock, words,
} from "./screen.js";

const $ = (id) => document.getElementById(id);
const n = Number(document.body.dataset.window);
const view = {
  status: "open", reason: null, current: null, services: "", name: "", staffed: false,
  staffName: "", staffNo: "",
};

/** What the screen shows now: "serving", "idle" (staffed, between calls), "paused", "closed". */
function state() {
  if (view.status === "paused") return "paused";
  if (view.status !== "open") return "closed";
  if (view.current) return "serving";
  return view.staffed ? "idle" : "closed";
}

function render() {
  const now = state();
  const serving = $("serving");
  for (const name of ["idle", "paused", "closed"]) { // "serving" is the <main>'s own class
    serving.classList.toggle(name, now === name);
  }
  $("serving-label").hidden = now !== "serving";
  $("number").hidden = now === "idle";
  $("paused-2").hidden = now !== "paused" && now !== "closed";
  $("on-duty").hidden = now !== "idle";
  if (now === "serving") {
    $("number").textContent = view.current.number;
    $("sub").textContent = words.calling;
  } else if (now === "idle") {
    renderOnDuty();
    $("sub").textContent = words.idle;
  } else {
    $("number").textContent = now === "paused" ? words.paused : words.unstaffed;
    $("paused-2").textContent = now === "paused" ? otherWords.paused : otherWords.unstaffed;
    $("sub").textContent = now === "paused" ? view.reason ?? "" : "";
  }
  $("services").textContent = view.services;
}

/** Between calls: the window's own name (when it says more than its number) and the staff
 * member on duty, by the name and staff number their account shows (never the login name). */
function renderOnDuty() {
  const custom = view.name && view.name !== `${n}号窗口`; // the default name says the number
  $("desk-name").textContent = custom ? view.name : words.window(n);
  $("staff").textContent = view.staffName ? words.staff(view.staffName) : "";
  $("staff-no").textContent = view.staffNo ? words.staff_no(view.staffNo) : "";
  $("staff").hidden = !view.staffName;
  $("staff-no").hidden = !view.staffNo;
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
  view.name = win.name ?? "";
  view.staffed = Boolean(win.staffed);
  onDuty(win);
  const byCode = new Map(hall.services.map((s) => [s.code, names(s)[0]]));
  view.services = win.services.map((code) => byCode.get(code) ?? code).join(" · ");
  render();
}

/** The staff member of a snapshot's window or of a window.taken frame (none: nobody named). */
function onDuty(source) {
  view.staffName = source?.staff_name ?? "";
  view.staffNo = source?.staff_no ?? "";
}

/** Frames on /ws/v2 carry no ticket ids: a ticket is its number on its day. */
function sameTicket(a, b) {
  return Boolean(a && b) && a.number === b.number && a.day === b.day;
}

function onEvent(frame) {
  if (frame.window !== n) return;
  const ticket = frame.ticket;
  // Someone acts here (also a call through the API, without taking the window).
  if (ANNOUNCED.has(frame.event) || frame.event === TICKET_FINISHED) view.staffed = true;
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
  } else if (frame.event === WINDOW_TAKEN) {
    view.staffed = true;
    onDuty(frame);
    render();
  } else if (frame.event === WINDOW_RELEASED) {
    view.staffed = false;
    onDuty(null);
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
