// @ts-check
// Sound for the screens: a strict FIFO of announcements, one sound at a time, in call order,
// and the one-tap "enable sound" prompt for when the browser blocks autoplay.

export const CHIME = "/sounds/chime.wav";
const HISTORY = 100; // entries kept in `played` and `log` (bounded: screens run for days)
const MAX_AGE_MS = 120000; // an announcement still waiting after 2 min is stale: not played
const OVERRUN_MS = 15000; // give up on a sound this long after its expected end

export class SoundQueue {
  constructor({ onBlocked = () => {} } = {}) {
    this.onBlocked = onBlocked;
    this.queue = []; // announcements: {urls, next, added}; played head first, url by url
    this.played = []; // URLs in the order they started playing (window.callnextPlayed)
    this.log = []; // {url, start, end} per started sound, performance.now() ms
    this.busy = false;
    this.blocked = false;
    this.audio = new Audio(); // one element, reused: nothing piles up
    this.audio.preload = "auto";
  }

  /** Queue one announcement: its sounds play back to back, after every earlier one. */
  add(urls) {
    this.prune();
    this.queue.push({ urls, next: 0, added: performance.now() });
    this.pump();
  }

  /** Drop stale announcements (the one playing finishes): a blocked queue stays small. */
  prune() {
    const first = this.busy ? 1 : 0;
    let n = 0;
    while (first + n < this.queue.length
      && performance.now() - this.queue[first + n].added > MAX_AGE_MS) n += 1;
    if (!n) return;
    console.warn(`callnext: ${n} stale announcement(s) not played`);
    this.queue.splice(first, n);
  }

  /** After a user gesture: play what waits. */
  unlock() {
    this.blocked = false;
    this.pump();
  }

  async pump() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.blocked) {
        const head = this.queue[0];
        if (head.next === 0 && performance.now() - head.added > MAX_AGE_MS) {
          console.warn("callnext: stale announcement not played", head.urls);
          this.queue.shift();
          continue;
        }
        const outcome = await this.play(head.urls[head.next]);
        if (outcome === "blocked") {
          this.blocked = true; // the head stays: it plays first after the tap
          console.warn("callnext: sound blocked: play() refused without a user gesture");
          this.onBlocked();
          break;
        }
        if (outcome !== "ended") console.warn(`callnext: sound ${outcome}`, head.urls[head.next]);
        head.next += 1;
        if (head.next >= head.urls.length) this.queue.shift();
      }
    } finally {
      this.busy = false;
    }
  }

  /** Play one URL to its end: "ended", "error", "timeout" or "blocked" (autoplay policy). */
  play(url) {
    const a = this.audio;
    return new Promise((resolve) => {
      let settled = false;
      let timer = 0;
      let entry = null;
      const done = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        a.onended = a.onerror = null;
        if (entry) entry.end = performance.now();
        resolve(outcome);
      };
      a.onended = () => done("ended");
      a.onerror = () => done("error");
      a.src = url;
      a.play().then(
        () => {
          if (settled) return;
          entry = { url, start: performance.now(), end: null };
          remember(this.played, url);
          remember(this.log, entry);
          const expected = Number.isFinite(a.duration) ? a.duration * 1000 : 0;
          timer = setTimeout(() => { a.pause(); done("timeout"); }, expected + OVERRUN_MS);
        },
        (err) => done(err && err.name === "NotAllowedError" ? "blocked" : "error"),
      );
    });
  }
}

function remember(list, item) {
  list.push(item);
  if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
}

/** Whether the browser lets this page play sound before any gesture (best effort). */
function autoplayAllowed() {
  try {
    const ctx = new AudioContext();
    const running = ctx.state === "running";
    ctx.close();
    return running;
  } catch {
    return true; // unknown: play() will tell
  }
}

/**
 * The screen's sound for `mode` ("silent", "chime", "voice"): a SoundQueue wired to the
 * enable-sound prompt (a button: one tap, or any key, unlocks), or null when silent.
 */
export function setupSound(mode, prompt) {
  if (mode !== "chime" && mode !== "voice") return null;
  const show = () => {
    if (!prompt.hidden) return;
    prompt.hidden = false;
    prompt.focus();
  };
  const sound = new SoundQueue({ onBlocked: show });
  const unlock = () => {
    if (prompt.hidden && !sound.blocked) return;
    prompt.hidden = true;
    sound.unlock();
  };
  prompt.addEventListener("click", unlock);
  document.addEventListener("keydown", unlock);
  document.addEventListener("pointerdown", unlock);
  if (!autoplayAllowed()) {
    console.warn("callnext: sound blocked by the autoplay policy until a tap or key press");
    show();
  }
  window.callnextSound = sound;
  window.callnextPlayed = sound.played; // URLs in the order they started (for the tests)
  return sound;
}

/**
 * The sounds of one call: the chime, then in voice mode the announcement in the screen's
 * language (`announce.audio`, or `audio_en` for English) when the server rendered it.
 */
export function callSounds({ mode, lang }, frame) {
  const a = frame.announce ?? {};
  const audio = mode !== "voice" ? null : lang === "en" ? a.audio_en ?? a.audio : a.audio;
  return audio ? [CHIME, audio] : [CHIME];
}
