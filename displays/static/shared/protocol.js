// @ts-check
// The display stream's protocol, mirroring server/callnext/live/protocol.py, and a client for it.
// Dependency-free ES module, shared by every screen. The frames' shapes are the typedefs below
// (what /ws/v2 sends: no ticket ids; docs/reference.md describes them).

/**
 * A ticket as the stream shows it (protocol.py's ticket_json; /ws/v2 leaves out `id`).
 * `ahead`, `est_wait_s` and `past_closing` only while it waits; `booked` and `slot` only for a
 * ticket of an appointment.
 * @typedef {object} Ticket
 * @property {string} [id] only on /ws/v1 with a staff token of the hall
 * @property {string} hall
 * @property {string} number "A001"
 * @property {string} service
 * @property {boolean} priority
 * @property {string} status "waiting", "called", "finished", "cancelled", …
 * @property {string | null} outcome
 * @property {number | null} window
 * @property {string | null} issued_at RFC 3339 in the hall's offset, as every time here
 * @property {string | null} called_at
 * @property {string | null} finished_at
 * @property {string | null} completed_at
 * @property {number} recalls
 * @property {string | null} last_called_at
 * @property {number} transfers
 * @property {string} day YYYY-MM-DD, the hall's day
 * @property {string | null} closed_reason
 * @property {boolean} [booked]
 * @property {string} [slot]
 * @property {number} [ahead]
 * @property {number | null} [est_wait_s] null while no staffed window serves its service
 * @property {boolean} [past_closing]
 */

/**
 * A service and its queue, as the snapshot shows it (the ServiceState of the API).
 * @typedef {object} Queue
 * @property {string} code
 * @property {string} name
 * @property {string} name_en
 * @property {boolean} priority_allowed
 * @property {number | null} daily_quota
 * @property {number} waiting
 * @property {number | null} est_wait_s null: no staffed window serves it now
 * @property {boolean} open
 * @property {string | null} closed_reason
 * @property {string | null} opens_at "HH:MM"
 * @property {string | null} closes_at
 * @property {number | null} remaining
 * @property {string | null} next_open_at while closed: when tickets are next issued
 * @property {boolean} past_closing
 */

/**
 * A window as the snapshot shows it (protocol.py's window_json).
 * @typedef {object} HallWindow
 * @property {number} number
 * @property {string} name
 * @property {string[]} services
 * @property {string} status "open", "paused", …
 * @property {string | null} pause_reason
 * @property {string | null} staff the username holding it while their session lives
 * @property {string | null} staff_since
 * @property {string | null} staff_name
 * @property {string | null} staff_no
 * @property {boolean} staffed
 * @property {Ticket | null} current
 */

/**
 * A recent call. @typedef {{number: string, window: number, at: string}} RecentCall
 */

/**
 * The hall as a snapshot shows it (protocol.py's hall_header and store/reads.py's snapshot).
 * @typedef {object} Hall
 * @property {string} hall its code
 * @property {string} name
 * @property {string} name_en
 * @property {string} timezone
 * @property {number} seq the state it shows
 * @property {string} notice
 * @property {string} notice_en empty: English screens show `notice`
 * @property {Queue[]} services
 * @property {HallWindow[]} windows
 * @property {RecentCall[]} recent
 */

/**
 * What a screen says for a call (protocol.py's announcement).
 * @typedef {{text: string, text_en: string, audio: string | null, audio_en: string | null}} Announcement
 */

/** The first frame, and the one after each resync. @typedef {{type: "snapshot", seq: number, hall: Hall}} SnapshotFrame */

/**
 * An event (protocol.py's event_frame); events add their own fields (hall.updated's `layout`,
 * an appointment's {service, start}, …).
 * @typedef {object} EventFrame
 * @property {"event"} type
 * @property {number} seq
 * @property {string} at
 * @property {string} event one of EVENT_NAMES
 * @property {Ticket | null} ticket
 * @property {number | null} window
 * @property {Announcement} [announce] on a call or recall
 * @property {boolean} [layout] hall.updated: services or windows changed
 * @property {{service: string, start: string}} [appointment]
 */

/** @typedef {SnapshotFrame | EventFrame} Frame */

/**
 * What HallStream calls.
 * @typedef {object} StreamHandlers
 * @property {(hall: Hall, frame: SnapshotFrame) => void} [snapshot]
 * @property {(frame: EventFrame) => void} [event]
 * @property {(online: boolean, closeCode?: number) => void} [state]
 * @property {(ms: number) => void} [serverDate]
 */

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
export const FOLLOWUP_CHANGED = "followup.changed"; // a 差评's follow-up changed (no fields on v2)

export const EVENT_NAMES = new Set([
  TICKET_ISSUED, TICKET_CALLED, TICKET_RECALLED, TICKET_FINISHED, TICKET_TRANSFERRED,
  TICKET_CANCELLED, TICKET_COMPLETED, WINDOW_PAUSED, WINDOW_RESUMED, HALL_UPDATED,
  WINDOW_TAKEN, WINDOW_RELEASED, TICKET_RATED, APPOINTMENT_BOOKED, APPOINTMENT_CANCELLED,
  APPOINTMENT_CHECKED_IN, FOLLOWUP_CHANGED,
]);
export const ANNOUNCED = new Set([TICKET_CALLED, TICKET_RECALLED]);

// Close codes a display may see: reconnect with ?since= after either.
export const CLOSE_TOO_SLOW = 4000; // the client did not keep up and was dropped
export const CLOSE_SHUTDOWN = 1001; // the server is going away (restart)

/**
 * The stream's URL for a hall, resuming after `since` when it is known. The pages read /ws/v2:
 * the contract's frames with no ticket ids (an id is the key to read and cancel a ticket).
 * @param {string} hall
 * @param {number | null} [since]
 * @param {{protocol: string, host: string}} [loc]
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
  /**
   * @param {string} hall
   * @param {StreamHandlers} [handlers]
   * @param {{minDelay?: number, maxDelay?: number, checkEvery?: number}} [options]
   */
  constructor(hall, handlers = {}, options = {}) {
    this.hall = hall;
    this.on = handlers;
    this.minDelay = options.minDelay ?? 500;
    this.maxDelay = options.maxDelay ?? 10000;
    this.checkEvery = options.checkEvery ?? 60000; // ms between liveness checks over HTTP
    /** @type {number | null} the last seq applied; null until a snapshot */
    this.seq = null;
    this.online = false;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | 0} */
    this.timer = 0;
    /** @type {ReturnType<typeof setInterval> | 0} */
    this.checker = 0;
    this.stopped = true;
    /** @type {{connects: number, resyncs: number, urls: string[]}} for the curious (and the tests) */
    this.stats = { connects: 0, resyncs: 0, urls: [] };
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

  /**
   * @param {WebSocket} ws
   * @param {string} text
   */
  receive(ws, text) {
    if (ws !== this.ws) return; // a late frame of a socket we left
    /** @type {Frame} */
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

  /** Start over from a snapshot: a gap means events were missed.
   * @param {string} why */
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

  /**
   * @param {WebSocket} ws
   * @param {number} code
   */
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

  /**
   * @param {boolean} online
   * @param {number} [code]
   */
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
