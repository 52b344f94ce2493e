// @ts-check
// The booking form's details step (4): the name and phone the hall asks for and, for a
// real-name service (实名取号), the ID number of the person coming. The number is typed on a
// numeric keypad with an X key beside it, checked here as the server checks it (GB 11643-1999:
// 18 characters, a real date of birth, the check character), sent once as `id_number`, then
// wiped. It is never shown again, never repeated in a message, never stored by the page (no
// storage; autocomplete off, so no autofill history; no `name`, so no form can put it in a URL)
// and wiped when the page is left.
import { words } from "./book-words.js";

const $ = (id) => document.getElementById(id);
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; // positions 1–17
const CHECK = "10X98765432"; // the check character for each weighted sum mod 11
const SHAPE = /^[1-9]\d{16}[\dX]$/;
const PERSONAL = ["name", "phone"];

const idInput = () => /** @type {HTMLInputElement} */ ($("id_number"));

/** The number as a card reader or a person typed it: spaces dropped, full-width digits read,
 * a small x made X. */
export const normalise = (typed) => typed.normalize("NFKC").replace(/\s+/g, "").toUpperCase();

/** The 18th character of an ID number whose first 17 digits are `first17`. */
export const checkCharacter = (first17) =>
  CHECK[[...first17].reduce((sum, d, i) => sum + Number(d) * WEIGHTS[i], 0) % 11];

/**
 * What is wrong with an ID number (normalised), as the server would refuse it: null when
 * nothing; else {reason: "length" (with `length`) | "shape" | "birth_date" | "check_character"}.
 * @param {string} number
 * @param {string} today the hall's day, YYYY-MM-DD (no date of birth after it)
 */
export function idProblem(number, today) {
  const length = [...number].length;
  if (length !== 18) return { reason: "length", length };
  if (!SHAPE.test(number)) return { reason: "shape" };
  const [y, m, d] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)];
  const born = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const real = born.getUTCFullYear() === Number(y) && born.getUTCMonth() === Number(m) - 1
    && born.getUTCDate() === Number(d);
  if (!real || Number(y) < 1900 || `${y}-${m}-${d}` > today) return { reason: "birth_date" };
  if (checkCharacter(number.slice(0, 17)) !== number[17]) return { reason: "check_character" };
  return null;
}

/**
 * The details to send, checked: {body} (`id_number` when `realName`, the personal fields the
 * policy asks for) or {error: {code, field, reason?, length?}} naming the first field to fix.
 * @param {Record<string, string>} fields the policy's personal fields: off | optional | required
 * @param {boolean} realName
 * @param {string} today the hall's day, YYYY-MM-DD
 */
export function readDetails(fields, realName, today) {
  /** @type {Record<string, string>} */
  const body = {};
  if (realName) {
    const number = normalise(idInput().value);
    if (!number) return { error: { code: "field_required", field: "id_number" } };
    const problem = idProblem(number, today);
    if (problem) return { error: { code: "bad_id_number", field: "id_number", ...problem } };
    body.id_number = number;
  }
  for (const field of PERSONAL) {
    const value = /** @type {HTMLInputElement} */ ($(field)).value.trim();
    if (fields[field] === "required" && !value) return { error: { code: "field_required", field } };
    if (fields[field] && fields[field] !== "off" && value) body[field] = value;
  }
  return { body };
}

/** A refusal of the server as the page's error: its code, the field it is about (a bad ID
 * number: the ID's), and what the ID's messages need (`reason`, `limit`). */
export function refusal(code, detail = {}) {
  const field = detail.field ?? (code === "bad_id_number" ? "id_number" : undefined);
  return { code, field, reason: detail.reason, limit: detail.limit };
}

/** The words of an error about the ID number, or null for any other error. */
export function idErrorText(error) {
  const w = words();
  if (error.code === "bad_id_number") {
    const say = w.id_errors[error.reason] ?? w.id_errors.shape;
    return typeof say === "function" ? say(error.length) : say;
  }
  if (error.code === "person_limit_reached") return w.person_limit(error.limit);
  return null;
}

/** A field's name in words, for "请填写…" (the server's field names). */
export function fieldName(field) {
  return ["name", "phone", "id_number"].includes(field) ? words()[field] : field ?? "";
}

/** Step 4 as the policy and the service ask: the ID row (a real-name service), the name and
 * phone rows, the step's title; the field an error is about marked invalid. */
export function renderDetails(fields, realName, error) {
  const w = words();
  let any = realName;
  $("id-row").hidden = !realName;
  idInput().required = realName;
  $("id-label").textContent = `${w.id_number}${w.required}`;
  for (const field of PERSONAL) {
    const mode = fields[field] ?? "off";
    $(`${field}-row`).hidden = mode === "off";
    /** @type {HTMLInputElement} */ ($(field)).required = mode === "required";
    $(`${field}-label`).textContent = `${w[field]}${mode === "required" ? w.required : w.optional}`;
    any ||= mode !== "off";
  }
  for (const field of ["id_number", ...PERSONAL]) {
    if (error?.field === field) $(field).setAttribute("aria-invalid", "true");
    else $(field).removeAttribute("aria-invalid");
  }
  $("details-title").textContent = realName ? w.your_details_id : w.your_details;
  $("step-fields").hidden = !any;
}

/** Forget the ID number typed (booked, another service, the page left). */
export function wipeId() {
  idInput().value = "";
}

/** The X key (a numeric keypad has none) and the wipe when the page is left. */
export function setupIdEntry() {
  $("id-x").addEventListener("click", () => {
    const input = idInput();
    const end = input.value.length;
    input.setRangeText("X", input.selectionStart ?? end, input.selectionEnd ?? end, "end");
    input.focus();
  });
  window.addEventListener("pagehide", wipeId); // not kept for the back button either
}
