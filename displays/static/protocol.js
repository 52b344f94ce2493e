// The display stream's protocol, mirroring server/callnext/protocol.py, and a client for it.
// Dependency-free ES module, shared by every screen.

export const SNAPSHOT = "snapshot";
export const EVENT = "event";

export const TICKET_ISSUED = "ticket.issued";
export const TICKET_CALLED = "ticket.called";
export const TICKET_RECALLED = "ticket.recalled";
export const TICKET_FINISHED = "ticket.finished";
export const TICKET_TRANSFERRED = "ticket.transferred";
export const TICKET_CANCELLED = "ticket.cancelled";
export const TICKET_COMPLETED = "ticket.completed";
export const WINDOW_PAUSED = "window.paused";
export const WINDOW_RESUMED = "window.resumed";
export const HALL_UPDATED = "hall.updated"; // settings changed (notice, hours, quota…)
export const WINDOW_TAKEN = "window.taken"; // a staff session took the window
export const WINDOW_RELEASED = "window.released"; // … and left it
export const TICKET_RATED = "ticket.rated"; // the citizen rated a finished ticket
export const APPOINTMENT_BOOKED = "appointment.booked"; // {appointment: {service, start}}
export const APPOINTMENT_CANCELLED = "appointment.cancelled";
export const APPOINTMENT_CHECKED_IN = "appointment.checked_in";

export const EVENT_NAMES = new Set([
  TICKET_ISSUED, TICKET_CALLED, TICKET_RECALLED, TICKET_FINISHED, TICKET_TRANSFERRED,
  TICKET_CANCELLED, TICKET_COMPLETED, WINDOW_PAUSED, WINDOW_RESUMED, HALL_UPDATED,
  WINDOW_TAKEN, WINDOW_RELEASED, TICKET_RATED, APPOINTMENT_BOOKED, APPOINTMENT_CANCELLED,
  APPOINTMENT_CHECKED_IN,
]);
export const ANNOUNCED = new Set([TICKET_CALLED, TICKET_RECALLED]);

// Close codes a display may see: reconnect with ?since= after either.
export const CLOSE_TOO_SLOW = 4000; // the client did not keep up and was dropped
export const CLOSE_SHUTDOWN = 1001; // the server is going away (restart)

/**
 * The stream's URL for a hall, resuming after `since` when it is known. The pages read /ws/v2:
 * the contract's frames with no ticket ids (an id is the key to read and cancel a ticket).
 */
export function streamUrl(hall, since = null, loc = window.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  const query = since === null ? "" : `?since=${since}`;
  return `${scheme}//${loc.host}/ws/v2/halls/${encodeURIComponent(hall)}${query}`;
}

/**
 * A hall's display stream that never gives up: a snapshot, then events in seq order.
 *
 * handlers: snapshot(hall, frame) for each snapshot (the first one and after each resync),
 * event(frame) for each event exactly once and in order, state(online, closeCode) on each change,
 * serverDate(ms) with the server's clock when the liveness check gets an answer.
 * It reconnects with exponential backoff and jitter, resuming with ?since=<last seq>; a seq gap
 * makes it resync (reconnect without since, to get a snapshot).
 */
export class HallStream {
  constructor(hall, handlers = {}, options = {}) {
    this.hall = hall;
    this.on = handlers;
    this.minDelay = options.minDelay ?? 500;
    this.maxDelay = options.maxDelay ?? 10000;
    this.checkEvery = options.checkEvery ?? 60000; // ms between liveness checks over HTTP
    this.seq = null; // the last seq applied; null until a snapshot
    this.online = false;
    this.ws = null;
    this.attempt = 0;
    this.timer = 0;
    this.checker = 0;
    this.stopped = true;
    this.stats = { connects: 0, resyncs: 0, urls: [] }; // for the curious (and the tests)
    this.onBrowserOnline = () => { if (!this.ws) this.reconnect(); };
  }

  start() {
    this.stopped = false;
    this.connect();
    this.checker = setInterval(() => this.check(), this.checkEvery);
    window.addEventListener("online", this.onBrowserOnline);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.checker);
    window.removeEventListener("online", this.onBrowserOnline);
    this.drop();
    this.setOnline(false);
  }

  /** Reconnect now, with the backoff reset (keeps the last seq). */
  reconnect() {
    this.attempt = 0;
    this.drop();
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    const url = streamUrl(this.hall, this.seq);
    const ws = new WebSocket(url);
    this.ws = ws;
    this.stats.connects += 1;
    this.stats.urls.push(url);
    if (this.stats.urls.length > 20) this.stats.urls.shift();
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.setOnline(true);
    };
    ws.onmessage = (msg) => this.receive(ws, msg.data);
    ws.onclose = (e) => this.closed(ws, e.code);
    // onerror is always followed by onclose: nothing to do there.
  }

  receive(ws, text) {
    if (ws !== this.ws) return; // a late frame of a socket we left
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.resync("unreadable frame");
    }
    if (frame.type === SNAPSHOT) {
      this.seq = frame.seq;
      this.on.snapshot?.(frame.hall, frame);
      console.info(`callnext: snapshot at seq ${frame.seq}`); // drawn: a screen's log shows when
    } else if (frame.type === EVENT) {
      if (this.seq === null || frame.seq > this.seq + 1) {
        return this.resync(`seq gap: ${this.seq} then ${frame.seq}`);
      }
      if (frame.seq <= this.seq) return; // already applied
      this.seq = frame.seq;
      this.on.event?.(frame);
      // Services or windows were added, renamed or removed: the pages redraw from a snapshot.
      if (frame.event === HALL_UPDATED && frame.layout) this.resync("the hall's layout changed");
    }
  }

  /** Start over from a snapshot: a gap means events were missed. */
  resync(why) {
    console.warn(`callnext: resync (${why})`);
    this.stats.resyncs += 1;
    this.seq = null;
    this.drop();
    this.connect();
  }

  /** Let go of the current socket without reacting to its close. */
  drop() {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }

  closed(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.setOnline(false, code);
    if (this.stopped) return;
    // 0.5 s, 1 s, 2 s … up to 10 s, each drawn between half and all of it (jitter).
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), base / 2 + (Math.random() * base) / 2);
  }

  setOnline(online, code) {
    if (online === this.online) return;
    this.online = online;
    this.on.state?.(online, code);
  }

  /**
   * A read-only socket cannot tell a dead network from a quiet hall: now and then, ask the
   * hall's seq over HTTP. Unreachable, or still behind a few seconds later: reconnect.
   */
  async check() {
    const ws = this.ws;
    if (!ws || !this.online || this.seq === null) return;
    let seq;
    try {
      const url = `/api/v1/halls/${encodeURIComponent(this.hall)}`;
      const resp = await fetch(url, { cache: "no-store" });
      const date = Date.parse(resp.headers.get("Date") ?? "");
      if (!Number.isNaN(date)) this.on.serverDate?.(date);
      seq = (await resp.json()).seq;
    } catch {
      if (ws === this.ws) this.reconnect();
      return;
    }
    if (!(seq > this.seq)) return;
    await new Promise((ok) => setTimeout(ok, 5000));
    if (ws === this.ws && this.seq !== null && this.seq < seq) this.reconnect();
  }
}
