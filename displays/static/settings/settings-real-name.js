// @ts-check
// Real-name tickets (实名取号) in the service editor: the switch, and the tickets one person may
// take for the service a day (每人每日限取, 1–20; empty: no limit), shown while the switch is on;
// and the note that marks such a service in the services table. Values are sent as typed: the
// server refuses a bad limit (400 bad_person_limit), shown next to its field.

import { el, field, input, wholeOrNull } from "./settings-ui.js";
import { words } from "./settings-words.js";

/** The two fields → {node, read}; `read()` gives `real_name` and `person_daily_limit` (the
 * service's own limit while the switch is off: a hidden field changes nothing). */
export function realNameEditor(service) {
  const w = words();
  const on = /** @type {HTMLInputElement} */ (el("input", { type: "checkbox", checked: service.real_name }));
  const limit = /** @type {HTMLInputElement} */ (input({ value: service.person_daily_limit ?? "",
    inputmode: "numeric", class: "num", placeholder: w.no_quota }));
  const limitField = field("person_daily_limit", w.person_limit, limit, w.person_limit_hint);
  limitField.classList.add("person-limit");
  const show = () => { limitField.hidden = !on.checked; };
  on.addEventListener("change", show);
  show();
  const node = el("div", { class: "real-name" },
    field("real_name", w.real_name, on, w.real_name_hint), limitField);
  const read = () => ({
    real_name: on.checked,
    person_daily_limit: on.checked ? wholeOrNull(limit.value) : service.person_daily_limit ?? null,
  });
  return { node, read };
}

/** A real-name service's mark in the table (实名 · 每人每日 1 张), or null. */
export function realNameNote(service, w = words()) {
  if (!service.real_name) return null;
  return el("small", { class: "real-name-note" }, w.real_name_note(service.person_daily_limit ?? null));
}
