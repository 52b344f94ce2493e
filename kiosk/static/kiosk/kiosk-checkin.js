// @ts-check
// The kiosk's appointment check-in: "I have an appointment" → the booking code, typed on a large
// on-screen keyboard of Crockford characters or by a keyboard-wedge scanner (it types the QR
// code's 8 characters and Enter, on this screen or straight onto the start screen) → POST
// …/checkin → the ticket screen (marked 预约 with its slot) or a clear message.
import { normalizeId } from "./kiosk-id.js";
import { idWords } from "./kiosk-id-words.js";
import { newKey, postRetrying } from "./kiosk-issue.js";
import { closedText, fillTexts, words } from "./kiosk-words.js";

const $ = (id) => document.getElementById(id);

export const CODE_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: no I L O U
const ALIASES = { I: "1", L: "1", O: "0" }; // what people (and Crockford) read them as
export const CODE_LENGTH = 8;
const IDLE_MS = 60000; // an abandoned entry goes back to the start screen
const MESSAGE_S = 10; // a message stays at most this long
const CLOSED_CODES = new Set(["service_closed", "hall_closed_today", "outside_hours", "quota_reached"]);
// Where a scan opens the entry: the start, and a ticket or message still on screen (the next
// citizen need not wait for its countdown).
const SCAN_OPENS = new Set(["start", "ticket", "failure", "checkin-msg"]);

/** What was typed or scanned as a code: upper case, aliases read, anything else dropped. */
export function normalizeCode(text) {
  return [...String(text).toUpperCase()].map((c) => ALIASES[c] ?? c)
    .filter((c) => CODE_CHARS.includes(c)).join("").slice(0, CODE_LENGTH);
}

/** "09:30" of an RFC 3339 time in the hall's offset (as the server writes them). */
const hhmm = (iso) => /T(\d\d:\d\d)/.exec(iso ?? "")?.[1] ?? "";

/** A key typed for the code (no modifier), or null. */
const codeKey = (e) => (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey
  && normalizeCode(e.key) ? normalizeCode(e.key) : null);

/** The booked mark and the check-in note of a ticket on the kiosk's ticket screen. */
export function renderBooked(ticket) {
  const w = words().checkin;
  $("t-booked").hidden = !ticket.booked;
  $("t-booked").textContent = ticket.booked ? w.slot(hhmm(ticket.slot)) : "";
  const kind = ticket.checkin_kind;
  const note = ticket.again ? againNote(ticket, w)
    : kind === "early_walk_in" ? w.early_walk_in(hhmm(ticket.checkin_opens_at))
      : kind === "late_walk_in" ? w.late_walk_in : "";
  $("t-checkin-note").hidden = !note;
  $("t-checkin-note").textContent = note;
}

/** A second check-in: where the ticket is now (waiting: its slip printed again; called: the
 * window; done, missed, …: so). */
function againNote(ticket, w) {
  if (ticket.status === "called") return w.again_called(ticket.window);
  if (ticket.status !== "waiting") {
    const key = ticket.closed_reason === "expired" ? "expired"
      : ticket.outcome === "pending" ? "pending" : ticket.status;
    return w.again_status[key] ?? w.again_status.done;
  }
  const printing = ["printed", "browser"].includes(ticket.print?.status ?? "");
  return printing ? w.again_reprinted : w.again;
}

export class CheckIn {
  /** ctx: {config, asKiosk(send) → send's result as this kiosk (kiosk.js), screen() → name,
   * setScreen(name), showTicket(ticket), countdown, backToStart(), idEntry (kiosk-id.js)} */
  constructor(ctx) {
    this.ctx = ctx;
    this.enabled = false;
    this.busy = false;
    this.message = null; // {code, detail} on the message screen
    this.error = null; // a key of words().checkin under the field
    this.idle = 0;
    this.scan = ""; // the keys typed since the entry opened, as typed: a code, or an ID card?
    this.buildKeys();
    $("checkin-entry").addEventListener("click", () => this.open());
    $("checkin-back").addEventListener("click", () => this.ctx.backToStart());
    $("checkin-ok").addEventListener("click", () => this.ctx.backToStart());
    $("checkin-by-id").addEventListener("click", () => this.openById());
    $("checkin-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    $("checkin-code").addEventListener("input",
      () => this.setCode(/** @type {HTMLInputElement} */ ($("checkin-code")).value));
    document.addEventListener("keydown", (e) => this.onKey(e));
  }

  get code() { return /** @type {HTMLInputElement} */ ($("checkin-code")).value; }

  /** The hall's booking policy: the entry shows only where the hall takes bookings. */
  async refresh() {
    try {
      const url = `/api/v1/halls/${encodeURIComponent(this.ctx.config.hall)}/booking`;
      const resp = await fetch(url, { cache: "no-store" });
      if (!resp.ok) return;
      const policy = await resp.json();
      this.enabled = Boolean(policy.enabled && (policy.services ?? []).some((s) => s.enabled));
    } catch {
      return; // offline: keep what we knew
    }
    $("checkin-entry").hidden = !this.enabled;
    $("checkin-entry").dataset.policy = this.enabled ? "on" : "off"; // the policy is known
  }

  buildKeys() {
    const keys = [...CODE_CHARS].map((c) => this.keyButton(c, c, () => this.setCode(this.code + c)));
    keys.push(this.keyButton("⌫", "checkin_backspace", () => this.setCode(this.code.slice(0, -1)), "wide"),
      this.keyButton("", "checkin_clear", () => this.setCode(""), "wide"));
    $("checkin-keys").replaceChildren(...keys);
  }

  keyButton(label, key, press, extra = "") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `key ${extra}`.trim();
    button.dataset.key = key;
    button.textContent = label;
    button.addEventListener("pointerdown", (e) => e.preventDefault()); // the field keeps focus
    button.addEventListener("click", () => {
      press();
      $("checkin-code").focus();
    });
    return button;
  }

  setCode(text) {
    const code = normalizeCode(text);
    if (/** @type {HTMLInputElement} */ ($("checkin-code")).value !== code) /** @type {HTMLInputElement} */ ($("checkin-code")).value = code;
    this.error = null;
    this.renderEntry();
    this.touch();
  }

  /** The entry screen, with `initial` already typed (a scan that began on the start screen). */
  open(initial = "") {
    this.ctx.countdown.stop();
    this.message = null;
    this.scan = "";
    this.ctx.setScreen("checkin");
    this.setCode(initial);
    $("checkin-code").focus();
  }

  touch() {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.ctx.screen() === "checkin" && !this.busy) this.ctx.backToStart();
    }, IDLE_MS);
  }

  reset() {
    clearTimeout(this.idle);
    this.busy = false;
    this.message = null;
    this.error = null;
    /** @type {HTMLInputElement} */ ($("checkin-code")).value = "";
    this.renderEntry();
  }

  onKey(e) {
    if (e.defaultPrevented || this.busy) return;
    const screen = this.ctx.screen();
    if (SCAN_OPENS.has(screen) && this.enabled && !e.target.closest?.("input, textarea")) {
      const c = codeKey(e);
      if (!c) return;
      e.preventDefault(); // a scanner's first character: the rest follow into the field
      this.open(c);
      this.scan = e.key;
    } else if (screen === "checkin" && this.tookAnId(e)) {
      e.preventDefault();
    } else if (screen === "checkin" && e.target !== $("checkin-code")) {
      const c = codeKey(e);
      if (c) {
        e.preventDefault();
        this.setCode(this.code + c);
        $("checkin-code").focus();
      } else if (e.key === "Enter" && !e.target.closest?.("button")) {
        e.preventDefault();
        this.submit();
      }
    }
    if (screen === "checkin" && e.key === "Escape") this.ctx.backToStart();
  }

  /** An ID-card reader typing on the check-in entry (or onto the start screen, which opened
   * it): past a code's 8 characters, all digits or X, it is no booking code. Where the check-in
   * by ID card is offered, its screen takes over with what was typed, the code field emptied;
   * the reader's next keys and its Enter go there. → whether it took this key. */
  tookAnId(e) {
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) {
      if (e.key !== "Shift") this.scan = "";
      return false;
    }
    this.scan += e.key;
    const digits = normalizeId(this.scan);
    if ($("checkin-by-id").hidden || this.scan.length <= CODE_LENGTH
      || digits.length !== this.scan.length) return false;
    this.scan = "";
    /** @type {HTMLInputElement} */ ($("checkin-code")).value = "";
    this.openById();
    this.ctx.idEntry.set(digits);
    return true;
  }

  /** Offer the check-in by ID card where some service is real-name (its bookings carry one). */
  setById(on) {
    $("checkin-by-id").hidden = !on;
  }

  /** The ID card instead of the code: the person's first booking of today not checked in. */
  openById() {
    clearTimeout(this.idle);
    this.ctx.idEntry.open({
      title: () => idWords().checkin_title,
      prompt: () => idWords().checkin_prompt,
      send: (number) => this.send({ id_number: number }),
    });
  }

  async submit() {
    if (this.busy) return;
    const code = this.code;
    if (code.length < CODE_LENGTH) {
      this.error = "too_short";
      this.renderEntry();
      $("checkin-code").focus();
      return;
    }
    this.busy = true;
    this.error = null;
    this.renderEntry();
    const result = await this.post({ code });
    this.busy = false;
    clearTimeout(this.idle);
    if (result.checkin) return this.checkedIn(result.checkin);
    if (result.error === "appointment_not_found" || result.error === "invalid_code") {
      this.error = "appointment_not_found"; // a typo: fix it here
      this.renderEntry();
      /** @type {HTMLInputElement} */ ($("checkin-code")).select();
      $("checkin-code").focus();
      this.touch();
      return;
    }
    this.showMessage(result.error, result.detail ?? {});
  }

  /** POST the check-in `body` ({code} or {id_number}) as this kiosk; retries answer the same. */
  post(body) {
    const url = `/api/v1/halls/${encodeURIComponent(this.ctx.config.hall)}/checkin`;
    const accept = (data) => (data?.ticket?.number ? { checkin: data } : null);
    const key = newKey(); // a retry, as no kiosk too, answers the same check-in
    return this.ctx.asKiosk((fields, headers) =>
      postRetrying(url, { ...body, ...fields }, key, accept, { headers }));
  }

  /** A check-in by ID number (from the ID screen) → a key of idWords() for its field, or null
   * once another screen shows the outcome. */
  async send(body) {
    const result = await this.post(body);
    if (result.checkin) this.checkedIn(result.checkin);
    else if (result.error === "appointment_not_found") return "not_found";
    else if (result.error === "bad_id_number") return result.detail?.reason ?? "shape";
    else this.showMessage(result.error, result.detail ?? {});
    return null;
  }

  checkedIn({ appointment, ticket, kind, again }) {
    this.ctx.showTicket({
      ...ticket,
      booked: kind === "on_time", // a walk-in ticket outside the window is not called by its slot
      slot: ticket.slot ?? appointment?.start,
      checkin_kind: kind,
      checkin_opens_at: appointment?.checkin_opens ?? null,
      again: Boolean(again),
    });
  }

  showMessage(code, detail) {
    this.message = { code, detail };
    this.renderMessage();
    this.ctx.setScreen("checkin-msg");
    $("checkin-ok").focus();
    this.ctx.countdown.start(Math.min(this.ctx.config.return_s, MESSAGE_S), $("checkin-countdown"));
  }

  renderEntry() {
    const w = words();
    /** @type {HTMLButtonElement} */ ($("checkin-go")).disabled = this.busy;
    $("checkin-go").textContent = this.busy ? w.checkin_busy : w.checkin_go;
    /** @type {HTMLInputElement} */ ($("checkin-code")).readOnly = this.busy;
    $("checkin-form").setAttribute("aria-busy", String(this.busy));
    $("checkin-error").hidden = !this.error;
    $("checkin-error").textContent = this.error ? w.checkin[this.error] : "";
    $("checkin-count").textContent = `${this.code.length} / ${CODE_LENGTH}`;
  }

  renderMessage() {
    if (!this.message) return;
    const { code, detail } = this.message;
    const w = words();
    const texts = w.checkin;
    let text;
    if (code === "checkin_too_early") text = texts.checkin_too_early(hhmm(detail.opens_at));
    else if (code === "appointment_not_today") text = texts.appointment_not_today(detail.day ?? "");
    else if (code === "checkin_too_late" || code === "appointment_cancelled") text = texts[code];
    else if (CLOSED_CODES.has(code)) text = closedText(code, detail.opens_at ?? null);
    else if (code === "real_name_unavailable") text = idWords().unavailable;
    else text = code === "rate_limited" ? w.rate_limited : w.down;
    $("checkin-msg-title").textContent = texts.failed;
    $("checkin-msg-reason").textContent = text;
  }

  /** The language changed: every text of this flow again. */
  render() {
    fillTexts($("checkin"));
    $("checkin-by-id").textContent = idWords().checkin_entry;
    for (const key of /** @type {NodeListOf<HTMLElement>} */ ($("checkin-keys").querySelectorAll(".key.wide"))) {
      if (key.dataset.key === "checkin_clear") key.textContent = words().checkin_clear;
      else key.setAttribute("aria-label", words().checkin_backspace);
    }
    this.renderEntry();
    this.renderMessage();
  }
}
