// @ts-check
// Real-name tickets at the kiosk (实名取号): a service that issues tickets by name, or a
// check-in by ID card, asks for the resident ID number first. An ID-card reader in keyboard
// mode types its 18 characters and Enter (anywhere on this screen); a person types them on the
// large keypad. The number is checked here as the server checks it (GB 11643: shape, date of
// birth, check character), shown only as 前6后4 (330106********123X), sent once, and forgotten:
// it is in no input's value, no storage, no URL.
import { idWords } from "./kiosk-id-words.js";

const $ = (id) => document.getElementById(id);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
const KEYS = "123456789X0";
const IDLE_MS = 60000; // an abandoned entry goes back to the start screen

/** What was typed: digits (full-width ones too) and X, at most 18. */
export function normalizeId(text) {
  return [...String(text).normalize("NFKC").toUpperCase()]
    .filter((c) => /[0-9X]/.test(c)).join("").slice(0, 18);
}

/** Why `number` (normalized) is not an ID number: "shape", "birth_date", "check_character",
 * or null when it is one. */
export function idProblem(number, today = new Date()) {
  if (!/^[1-9]\d{16}[\dX]$/.test(number)) return "shape";
  const [y, m, d] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)].map(Number);
  const born = new Date(Date.UTC(y, m - 1, d));
  const real = born.getUTCFullYear() === y && born.getUTCMonth() === m - 1 && born.getUTCDate() === d;
  if (!real || y < 1900 || born.getTime() > today.getTime()) return "birth_date";
  const sum = WEIGHTS.reduce((n, w, i) => n + w * Number(number[i]), 0);
  return CHECK[sum % 11] === number[17] ? null : "check_character";
}

/** The number as a screen may show it: the first 6 and the last 4 characters, the rest as *. */
export function maskId(number) {
  return [...number].map((c, i) => (i < 6 || i >= 14 ? c : "*")).join("");
}

export class IdEntry {
  /** ctx: {setScreen(name), screen() → name, backToStart()} */
  constructor(ctx) {
    this.ctx = ctx;
    this.number = "";
    this.error = null; // a key of idWords(), under the field
    this.purpose = null; // {title, prompt, send(number)} while open
    this.busy = false;
    this.idle = 0;
    const keys = [...KEYS].map((c) => this.key(c, c, () => this.set(this.number + c)));
    keys.push(this.key("⌫", "backspace", () => this.set(this.number.slice(0, -1)), "wide"),
      this.key("", "clear", () => this.set(""), "wide"));
    $("id-keys").replaceChildren(...keys);
    $("id-back").addEventListener("click", () => this.ctx.backToStart());
    $("id-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    document.addEventListener("keydown", (e) => this.onKey(e));
  }

  key(label, name, press, extra = "") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `key ${extra}`.trim();
    button.dataset.key = name;
    button.textContent = label;
    button.addEventListener("pointerdown", (e) => e.preventDefault()); // a tap takes no focus
    button.addEventListener("click", () => {
      press();
      $("id-go").focus(); // a reader's Enter after a key was tapped sends the number
    });
    return button;
  }

  /** Ask for the number: `purpose` {title() and prompt() in the current language,
   * send(number) → Promise of null, or of a key of idWords() to show under the field}. */
  open(purpose) {
    this.purpose = purpose;
    this.number = "";
    this.error = null;
    this.busy = false;
    this.ctx.setScreen("id");
    this.render();
    $("id-go").focus();
    this.touch();
  }

  set(text) {
    this.number = normalizeId(text);
    this.error = null;
    this.render();
    this.touch();
  }

  touch() {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.ctx.screen() === "id" && !this.busy) this.ctx.backToStart();
    }, IDLE_MS);
  }

  /** The reader's keys (and a keyboard's) while this screen shows: characters, Backspace,
   * Enter to send, Escape to leave. */
  onKey(e) {
    if (this.ctx.screen() !== "id" || e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey) return;
    if (e.key === "Escape") {
      e.preventDefault();
      this.ctx.backToStart();
    } else if (this.busy) {
      return;
    } else if (e.key === "Backspace") {
      e.preventDefault();
      this.set(this.number.slice(0, -1));
    } else if (e.key === "Enter" && e.target !== $("id-back")) {
      e.preventDefault();
      this.submit();
    } else if (e.key.length === 1 && normalizeId(e.key)) {
      e.preventDefault();
      this.set(this.number + e.key);
    }
  }

  /** Check the number, then send it once; the caller's answer decides the next screen. A
   * refusal of the number itself comes back here as `error` (a key of idWords()). */
  async submit() {
    if (this.busy || !this.purpose) return;
    const problem = idProblem(this.number);
    if (problem) {
      this.error = problem;
      this.render();
      return;
    }
    const number = this.number;
    this.number = ""; // forgotten: only this call has it now
    this.busy = true;
    this.render();
    clearTimeout(this.idle);
    const error = await this.purpose.send(number);
    this.busy = false;
    if (error && this.ctx.screen() === "id") {
      this.error = error;
      this.render();
      this.touch();
    }
  }

  reset() {
    clearTimeout(this.idle);
    this.number = "";
    this.error = null;
    this.busy = false;
    this.purpose = null;
  }

  /** Every text of the screen in the current language. */
  render() {
    const w = idWords();
    $("id-title").textContent = this.purpose?.title() ?? w.title;
    $("id-prompt").textContent = this.purpose?.prompt() ?? w.prompt;
    $("id-shown").textContent = maskId(this.number) || "\u00a0";
    $("id-count").textContent = w.count(this.number.length);
    $("id-error").hidden = !this.error;
    $("id-error").textContent = this.error ? w[this.error] : "";
    $("id-hint").textContent = w.hint;
    /** @type {HTMLButtonElement} */ ($("id-go")).disabled = this.busy;
    $("id-go").textContent = this.busy ? w.busy : w.go;
    $("id-form").setAttribute("aria-busy", String(this.busy));
    for (const key of /** @type {NodeListOf<HTMLElement>} */ ($("id-keys").querySelectorAll(".key.wide"))) {
      if (key.dataset.key === "clear") key.textContent = w.clear;
      else key.setAttribute("aria-label", w.backspace);
    }
  }
}
