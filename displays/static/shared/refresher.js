// @ts-check
// Keeping a view fresh, for the staff console and the dashboard: a Refresher re-reads its state
// after the stream's events (debounced, one request in flight, once more if events came during
// it) and retries while the server is away. stop() drops a read in flight and pending timers;
// scheduling again starts over.
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

/** A load's answer: a Result (session.js) or a page's own {ok, …}.
 * @typedef {{ok: boolean, status?: number, [more: string]: any}} Answer */

/**
 * Re-reads after the stream's events: debounced, one load in flight, once more if events came
 * during it; retries while the server is away. load() → a promise of {ok, …}; apply(result)
 * gets each answer; onHealth(ok) says whether the server answered.
 */
export class Refresher {
  /**
   * @param {() => Promise<Answer>} load
   * @param {(result: Answer) => void} apply
   * @param {(ok: boolean) => void} [onHealth]
   * @param {number} [debounce] ms
   */
  constructor(load, apply, onHealth = () => {}, debounce = 150) {
    this.load = load;
    this.apply = apply;
    this.onHealth = onHealth;
    this.debounce = debounce;
    this.timer = 0;
    this.inFlight = false;
    this.again = false;
    this.failures = 0;
    this.generation = 0;
  }

  schedule(delay = this.debounce) {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  now() { this.schedule(0); }

  async run() {
    clearTimeout(this.timer);
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const generation = this.generation;
    this.inFlight = true;
    this.again = false;
    let result;
    try {
      result = await this.load();
    } catch (err) {
      console.warn("callnext: refresh", err);
      result = { ok: false, status: 0, code: "network", message: String(err) };
    }
    this.inFlight = false;
    if (generation !== this.generation) { // stopped or restarted meanwhile: read again
      if (this.again) this.schedule();
      return;
    }
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

  /** Forget a read in flight (its answer is dropped) and pending timers. */
  stop() {
    this.generation += 1;
    this.again = false;
    clearTimeout(this.timer);
  }
}
