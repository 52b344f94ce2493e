// @ts-check
// The console's dialogs, on native <dialog> (modal: the page behind is inert; Escape cancels):
// confirm, transfer (pick a service), call a number, pause (a reason), leave the window with a
// citizen called (finish, send back, stay) and the shortcut help.
// Each returns a promise of the answer, or null when cancelled.

import { PAUSE_REASONS, errorText, serviceName, words } from "./staff-words.js";

const $ = (id) => document.getElementById(id);

let active = null; // {dialog, resolve, collect}

export const dialogOpen = () => active !== null;

/** Close whatever dialog is open, as if cancelled (the view under it is going away). */
export function cancelDialog() { close(null); }

/** Show `dialog`; on submit, `collect(submitter)` gives the answer (undefined: not valid yet,
 * stay). */
function open(dialog, collect, focus = null) {
  if (active) close(null);
  const returnTo = document.activeElement;
  return new Promise((resolve) => {
    active = { dialog, collect, resolve, returnTo };
    dialog.showModal();
    (focus ?? dialog.querySelector("button[type=submit]"))?.focus();
  });
}

function close(value) {
  const current = active;
  if (!current) return;
  active = null;
  if (current.dialog.open) current.dialog.close();
  if (current.returnTo?.isConnected && !current.returnTo.disabled) current.returnTo.focus();
  // Where the element to return to could not take the focus (hidden with its view), the focus
  // must not stay on the closed dialog's field: the next key (G, N) would be typing there.
  const stayed = /** @type {HTMLElement | null} */ (document.activeElement);
  if (stayed && current.dialog.contains(stayed)) stayed.blur();
  current.resolve(value);
}

for (const dialog of /** @type {NodeListOf<HTMLDialogElement>} */ (document.querySelectorAll("dialog.dialog"))) {
  const form = dialog.querySelector("form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const current = active;
    if (current?.dialog !== dialog || current.working) return;
    current.working = true; // a collect that asks the server: one request at a time
    dialog.setAttribute("aria-busy", "true");
    let value;
    try {
      value = await current.collect(e.submitter);
    } finally {
      current.working = false;
      dialog.removeAttribute("aria-busy");
    }
    if (value !== undefined && active === current) close(value);
  });
  for (const button of dialog.querySelectorAll("button.cancel")) {
    button.addEventListener("click", () => close(null));
  }
  // Escape: the browser's cancel, answered at once (the next key press must not find the
  // dialog still open); whatever else closes the dialog answers "no" too.
  dialog.addEventListener("cancel", () => { if (active?.dialog === dialog) close(null); });
  dialog.addEventListener("close", () => { if (active?.dialog === dialog) close(null); });
  // Enter on a radio button confirms too (text fields submit the form by themselves). Escape
  // closes it here, in the key's own event: the browser's cancel may come as a later task, or
  // not at all, and a staff member's next key (G again, N) came before it and was ignored.
  dialog.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && /** @type {Element} */ (e.target).matches?.("input[type=radio]")) {
      e.preventDefault();
      form.requestSubmit();
    } else if (e.key === "Escape" && active?.dialog === dialog) {
      e.preventDefault();
      close(null);
    }
  });
}

/** A yes/no question; `okLabel` names the yes. → true | null */
export function confirmDialog(text, okLabel = words().ok) {
  $("d-confirm-text").textContent = text;
  $("d-confirm-ok").textContent = okLabel;
  return open($("d-confirm"), () => true);
}

/** Leaving the window (or logging out, `logout`) while ticket `number` is current there:
 * → "finish" | "requeue" | null (stay: Escape, or the stay button, which has the focus). */
export function leaveDialog(label, number, logout = false) {
  const w = words();
  $("d-leave-title").textContent = logout ? w.logout_title : w.leave_title(label);
  $("d-leave-text").textContent = w.leave_text(number);
  $("d-leave-finish").textContent = logout ? w.logout_finish : w.leave_finish;
  $("d-leave-requeue").textContent = logout ? w.logout_requeue : w.leave_requeue;
  return open($("d-leave"), (button) => button?.value || undefined, $("d-leave-stay"));
}

function choice(name, value, label, { letter = "", disabled = false, note = "" } = {}) {
  const el = document.createElement("label");
  el.className = "choice";
  const input = document.createElement("input");
  Object.assign(input, { type: "radio", name, value, disabled });
  el.append(input);
  if (letter) {
    const badge = document.createElement("span");
    badge.className = "letter";
    badge.textContent = letter;
    el.append(badge);
  }
  const text = document.createElement("span");
  text.textContent = label;
  el.append(text);
  if (note) {
    const small = document.createElement("small");
    small.textContent = note;
    el.append(small);
  }
  return el;
}

/** Transfer ticket `number` (now in `from`) to one of `services`. → service code | null */
export function transferDialog(number, services, from) {
  const w = words();
  $("d-transfer-title").textContent = w.transfer_title(number);
  const box = $("d-transfer-choices");
  box.replaceChildren(...services.map((s) => choice("service", s.code, serviceName(s), {
    letter: s.code, disabled: s.code === from, note: s.code === from ? w.same_service : "",
  })));
  const first = /** @type {HTMLInputElement | null} */ (box.querySelector("input:not(:disabled)"));
  if (first) first.checked = true;
  return open($("d-transfer"),
    () => /** @type {HTMLInputElement | null} */ (box.querySelector("input:checked"))?.value ?? undefined, first);
}

// In the transfer dialog a service's letter picks it (again: the next one with that letter).
$("d-transfer").addEventListener("keydown", (e) => {
  if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) return;
  const letter = e.key.toUpperCase();
  const inputs = [.../** @type {NodeListOf<HTMLInputElement>} */ ($("d-transfer-choices").querySelectorAll("input:not(:disabled)"))];
  const matching = inputs.filter((i) => i.value.toUpperCase().startsWith(letter));
  if (!matching.length) return;
  e.preventDefault();
  const at = /** @type {Element[]} */ (matching).indexOf(document.activeElement);
  const next = matching[(at + 1) % matching.length];
  next.checked = true;
  next.focus();
});

/** What staff typed, tidied as the server reads it too (domain/numbering.normalise_number):
 * full-width to plain, no spaces or dashes, upper case ("ａ ３" → "A3"). */
export const tidyNumber = (typed) => typed.normalize("NFKC").replace(/[\s\-_.·#]+/g, "").toUpperCase();

// Failures that are not about the number: the dialog closes and the desk handles them.
const NOT_THE_NUMBER = new Set(["window_taken"]);

/** Call a number: `send(number)` asks the server while the dialog stays open; a number it
 * refuses is said in the dialog, the input kept and selected. → the call's result | null */
export function callDialog(send) {
  const input = /** @type {HTMLInputElement} */ ($("d-call-number"));
  const error = $("d-call-error");
  input.value = "";
  input.removeAttribute("aria-invalid");
  error.hidden = true;
  const refuse = (text) => {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    input.select();
    return undefined;
  };
  return open($("d-call"), async () => {
    const number = tidyNumber(input.value);
    if (!number) return refuse(errorText({ code: "bad_ticket_number" }));
    const result = await send(number);
    if (result.ok || result.expired || NOT_THE_NUMBER.has(result.code)) return result;
    return refuse(errorText(result));
  }, input);
}

/** Why the window pauses. → a reason text | null */
export function pauseDialog() {
  const w = words();
  const box = $("d-pause-choices");
  box.replaceChildren(...PAUSE_REASONS.map((key) => choice("reason", key, w[key])));
  const first = box.querySelector("input");
  first.checked = true;
  const other = /** @type {HTMLInputElement} */ ($("d-pause-other"));
  other.value = "";
  return open($("d-pause"), () => {
    const picked = /** @type {HTMLInputElement | null} */ ($("d-pause").querySelector("input[name=reason]:checked"))?.value;
    if (picked !== "other") return w[picked] ?? w.r_break;
    const text = other.value.trim();
    if (!text) {
      other.focus();
      return undefined;
    }
    return text;
  }, first);
}

// Typing another reason picks "other".
$("d-pause-other").addEventListener("input", () => {
  /** @type {HTMLInputElement} */ ($("d-pause").querySelector("input[value=other]")).checked = true;
});

/** The shortcut table: rows of [keys, what they do]. */
export function helpDialog(rows) {
  $("d-help-keys").replaceChildren(...rows.map(([keys, what]) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    for (const key of keys) {
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      th.append(kbd);
    }
    const td = document.createElement("td");
    td.textContent = what;
    tr.append(th, td);
    return tr;
  }));
  return open($("d-help"), () => true);
}
