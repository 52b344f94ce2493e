// @ts-check
// The settings page's small building blocks: elements, the status line, errors next to their
// field, the editor dialog and the confirmation dialog (native <dialog>: modal, Escape cancels).

import { errorText, words } from "./settings-words.js";

const $ = (id) => document.getElementById(id);

/** An element: el("button", {type: "button", class: "x", onclick}, "text", child…). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

let fieldSeq = 0;
/** A labelled field: <div class="field" data-field=name><label/>control<p hint/><p error/></div>. */
export function field(name, label, control, hint = "") {
  const id = control.id || `f-${name}-${++fieldSeq}`;
  control.id = id;
  control.dataset.field = name;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  control.setAttribute("aria-describedby", hint ? `${hintId} ${errorId}` : errorId);
  const isCheck = control.type === "checkbox";
  const labelNode = el("label", { for: id }, label);
  return el("div", { class: `field${isCheck ? " check" : ""}`, dataset: { field: name } },
    isCheck ? [control, labelNode] : [labelNode, control],
    hint ? el("p", { class: "hint", id: hintId }, hint) : null,
    el("p", { class: "field-error", id: errorId, role: "alert", hidden: true }));
}

/** A text-like input. */
export const input = (attrs = {}) => el("input", { autocomplete: "off", spellcheck: "false", ...attrs });

// ---- the status line at the top ----

let messageTimer = 0;
/** kind: ok | info | error; an error stays until the next message, the others fade. */
export function showMessage(kind, text, detail = "") {
  const box = $("message");
  clearTimeout(messageTimer);
  box.dataset.kind = kind;
  box.replaceChildren(text, detail ? el("small", {}, detail) : "");
  if (kind !== "error" && text) messageTimer = setTimeout(() => showMessage("info", ""), 6000);
}

/** A failed request on the status line: our words first, the server's own message after. */
export function showFailure(failure, prefix = words().failed) {
  const { text, detail } = errorText(failure);
  const sep = words().html_lang === "en" ? ": " : "：";
  showMessage("error", `${prefix}${sep}${text}`, detail);
}

// ---- errors next to their field ----

const CODE_FIELD = {
  bad_hours: "hours", bad_quota: "daily_quota", bad_ratio: "priority_ratio",
  bad_dates: "closed_dates", bad_service_code: "code", bad_window: "number",
  bad_username: "username", bad_password: "password", bad_printer: "printer",
  cannot_disable_self: "disabled", user_exists: "username", window_not_found: "window",
  bad_almost_turn: "almost_turn_ahead", bad_followup_due_days: "followup_due_days",
  bad_trips_window_days: "trips_window_days",
  bad_person_limit: "person_daily_limit",
};

/** Which of `root`'s fields a server error is about: by its code, else the field it names. */
export function fieldOf(root, failure) {
  const present = new Set([...root.querySelectorAll(".field[data-field]")].map((f) => f.dataset.field));
  const byCode = CODE_FIELD[failure.code];
  if (byCode && present.has(byCode)) return byCode;
  const named = failure.error?.field; // a 422 names its field
  if (named && present.has(named)) return named;
  const message = failure.message ?? "";
  const names = [...present].sort((a, b) => b.length - a.length);
  return names.find((name) => new RegExp(`(^|[^a-z_])${name}([^a-z_]|$)`).test(message)) ?? null;
}

export function clearErrors(root) {
  for (const p of root.querySelectorAll(".field-error")) {
    p.hidden = true;
    p.textContent = "";
  }
  for (const c of root.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
}

/** Show the error next to its field (focused) and on the status line; → the field or null. */
export function showError(root, failure) {
  clearErrors(root);
  const name = fieldOf(root, failure);
  const { text, detail } = errorText(failure);
  if (name) {
    const box = root.querySelector(`.field[data-field="${name}"]`);
    const p = box.querySelector(".field-error");
    p.replaceChildren(text, detail ? el("small", {}, detail) : "");
    p.hidden = false;
    const control = box.querySelector("[data-field]") ?? box.querySelector("input, select, textarea");
    control?.setAttribute("aria-invalid", "true");
    control?.focus();
  }
  showFailure(failure);
  return name;
}

// ---- dialogs ----

let active = null; // {dialog, resolve}
export const dialogOpen = () => active !== null;

function finish(value) {
  const current = active;
  if (!current) return;
  active = null;
  if (current.dialog.open) current.dialog.close();
  sameControl(current.returnTo)?.focus();
  current.resolve(value);
}

/** The control itself, or the one that replaced it when its table was drawn again. */
function sameControl(node) {
  if (!node || node.isConnected) return node;
  if (node.id) return document.getElementById(node.id);
  const label = node.getAttribute?.("aria-label");
  return label ? document.querySelector(`[aria-label="${CSS.escape(label)}"]`) : null;
}

/**
 * The editor: `body` (fields) in a modal form. `submit()` saves: true closes it, false keeps it
 * open (the error is shown next to its field). → a promise of whether it was saved.
 */
export function openEditor({ title, body, okLabel = words().save, submit, first = null, wide = false }) {
  if (active) finish(false);
  const dialog = /** @type {HTMLDialogElement} */ ($("editor"));
  dialog.classList.toggle("wide", wide);
  const form = dialog.querySelector("form");
  const ok = el("button", { type: "submit", class: "primary" }, okLabel);
  const cancel = el("button", { type: "button", class: "cancel", onclick: () => finish(false) },
    words().cancel);
  form.replaceChildren(el("h2", { id: "editor-title" }, title), el("div", { class: "fields" }, body),
    el("div", { class: "buttons" }, cancel, ok));
  form.onsubmit = async (e) => {
    e.preventDefault();
    if (ok.disabled) return;
    ok.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      if (await submit(form)) finish(true);
    } finally {
      ok.disabled = false;
      form.removeAttribute("aria-busy");
    }
  };
  return new Promise((resolve) => {
    active = { dialog, resolve, returnTo: document.activeElement };
    dialog.showModal();
    (first ?? form.querySelector("input:not([disabled]), select, textarea") ?? ok).focus();
  });
}

/** A yes/no question. → true | false */
export function confirmDialog(text, okLabel = words().ok) {
  if (active) finish(false);
  const dialog = /** @type {HTMLDialogElement} */ ($("confirm"));
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = okLabel;
  $("confirm-cancel").textContent = words().cancel;
  return new Promise((resolve) => {
    active = { dialog, resolve, returnTo: document.activeElement };
    dialog.showModal();
    $("confirm-cancel").focus(); // a removal is confirmed on purpose, never by a stray Enter
  });
}

for (const dialog of [$("editor"), $("confirm")]) {
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    if (active?.dialog === dialog) finish(false);
  });
}
$("confirm").querySelector("form").addEventListener("submit", (e) => {
  e.preventDefault();
  finish(true);
});
$("confirm-cancel").addEventListener("click", () => finish(false));

// ---- a tab of one table ----

/** A tab's title, its add button and its table (or `empty` when there are no rows). */
export function tablePanel(panel, { title, add, head, rows, empty = null, name }) {
  const table = rows.length || !empty
    ? el("div", { class: "table-wrap" }, el("table", { class: `grid ${name}-table` },
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)))
    : el("p", { class: "empty" }, empty);
  panel.replaceChildren(
    el("div", { class: "panel-head" }, el("h2", {}, title),
      el("button", { type: "button", class: "primary", id: add.id, onclick: add.onclick }, `+ ${add.label}`)),
    table);
}

/** Ask first, then remove: → the request's result (also on the status line), or null when not
 * confirmed. The caller draws the table again and puts the focus back. */
export async function removeConfirmed(ctx, { question, call, what }) {
  if (!(await confirmDialog(question, words().remove))) return null;
  const result = await ctx.saving(call);
  if (result.ok) showMessage("ok", words().removed_what(what));
  else showFailure(result);
  return result;
}

// ---- numbers ----

/** Minutes typed → whole seconds to send; anything else is sent as typed, for the server to
 * refuse with its own error (a failed save changes nothing). */
export function minutesToSeconds(text) {
  const t = String(text).trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return t === "" ? null : t;
  return Math.round(Number(t) * 60);
}

export const secondsToMinutes = (s) => (typeof s !== "number" ? String(s ?? "")
  : String(Math.round((s / 60) * 10) / 10));

/** A whole number typed, or empty → null; anything else as typed (the server refuses it). */
export function wholeOrNull(text) {
  const t = String(text).trim();
  if (t === "") return null;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/** The keys whose values differ (by JSON) between `before` and `after`, as a body to send. */
export function changes(before, after) {
  const out = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(before?.[key] ?? null) !== JSON.stringify(value ?? null)) out[key] = value;
  }
  return out;
}
