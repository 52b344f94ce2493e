// @ts-check
// The countdown shown on a kiosk screen (the ticket, an error): the seconds left in an element,
// then `onEnd` (back to the start screen).

export class Countdown {
  /** onEnd(): when it runs out; text(seconds) → what the element says meanwhile. */
  constructor(onEnd, text) {
    this.onEnd = onEnd;
    this.text = text;
    this.timer = 0;
    this.end = 0;
    /** @type {HTMLElement | null} */
    this.el = null;
  }

  start(seconds, el) {
    this.stop();
    this.end = performance.now() + seconds * 1000;
    this.el = el;
    this.tick();
  }

  tick() {
    clearTimeout(this.timer);
    if (!this.el) return;
    const left = Math.ceil((this.end - performance.now()) / 1000);
    if (left <= 0) return this.onEnd();
    this.el.textContent = this.text(left);
    this.timer = setTimeout(() => this.tick(), 250);
  }

  stop() {
    clearTimeout(this.timer);
    this.el = null;
  }
}
