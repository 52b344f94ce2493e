// Keeping a view fresh: a Refresher re-reads its state after the stream's events (debounced, one
// request in flight, once more if events came during it) and retries while the server is away.

const DEBOUNCE_MS = 150;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

export class Refresher {
  /**
   * load(): a promise of {ok, …}; apply(result) gets each answer, ok or not.
   * onHealth(ok) reports whether the last read worked (the offline banner).
   */
  constructor(load, apply, onHealth = () => {}) {
    this.load = load;
    this.apply = apply;
    this.onHealth = onHealth;
    this.timer = 0;
    this.inFlight = false;
    this.again = false;
    this.failures = 0;
    this.stopped = false;
  }

  /** Re-read soon: events come in bursts (a call-next is a finish then a call). */
  schedule(delay = DEBOUNCE_MS) {
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  /** Re-read now (after the page's own action, or when the view opens). */
  now() { this.schedule(0); }

  async run() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.again = false;
    let result;
    try {
      result = await this.load();
    } catch (err) {
      result = { ok: false, status: 0, code: "network", message: String(err) };
    }
    this.inFlight = false;
    if (this.stopped) return;
    this.apply(result);
    const unreachable = !result.ok && (result.status === 0 || result.status >= 500);
    this.onHealth(!unreachable);
    if (unreachable) {
      const delay = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
      this.failures += 1;
      this.schedule(delay);
      return;
    }
    this.failures = 0;
    if (this.again) this.schedule();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

export const WINDOW_TAKEN = "window.taken";
export const WINDOW_RELEASED = "window.released";

/** Whether an event frame may change the desk of `window` (number, services). */
export function touchesDesk(frame, window) {
  const name = frame.event;
  if (frame.window === window.number) return true;
  if (name === "hall.updated" || name === "ticket.completed") return true;
  const services = window.services ?? [];
  const t = frame.ticket;
  if (t && services.includes(t.service)) return true; // its queue (issued, called, cancelled)
  if (frame.from_service && services.includes(frame.from_service)) return true;
  return name === "ticket.finished" && t?.outcome === "pending"; // the hall's pending matters
}
