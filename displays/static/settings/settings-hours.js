// @ts-check
// A weekly schedule editor ({"mon": ["09:00-12:00", "13:30-17:00"], …} or null) for the hall's
// ticket hours and a service's own ones, and a one-line summary of a schedule.

import { el } from "./settings-ui.js";
import { words } from "./settings-words.js";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const PREFILL = ["09:00-17:00"]; // a new schedule starts as a working week
let editors = 0;

function spanRow(day, text, onRemove) {
  const [from, to] = text ? text.split("-") : ["", ""];
  const w = words();
  const attrs = { class: "time", inputmode: "numeric", maxlength: 5, placeholder: "09:00",
    autocomplete: "off", spellcheck: "false" };
  return el("span", { class: "span" },
    el("input", { ...attrs, value: from, "aria-label": `${w.days[day]} ${w.span_from}`,
      dataset: { part: "from" } }),
    el("span", { "aria-hidden": "true" }, "–"),
    el("input", { ...attrs, value: to, placeholder: "17:00", "aria-label": `${w.days[day]} ${w.span_to}`,
      dataset: { part: "to" } }),
    el("button", { type: "button", class: "icon", "aria-label": `${w.days[day]} ${w.remove_span}`,
      title: w.remove_span, onclick: onRemove }, "×"));
}

/**
 * The editor. `inherit`: what null means here ("always" for the hall, "hall" for a service).
 * → {node, read()}: read() is null (inherit) or the schedule as typed (the server checks it).
 * @param {Record<string, string[]> | null} value
 * @param {{inherit?: string, label?: string, hint?: string,
 *   labels?: {inherit?: string, own?: string}}} [options]
 */
export function hoursEditor(value, { inherit = "always", label = words().hours, hint = "", labels = {} } = {}) {
  const w = words();
  const id = ++editors;
  const name = `hours-mode-${id}`;
  // `labels`: {inherit, own} in place of the two choices' words (a service's booking hours)
  const nullLabel = labels.inherit ?? (inherit === "hall" ? w.same_as_hall : w.always_open);
  const weeklyLabel = labels.own ?? (inherit === "hall" ? w.own_hours : w.weekly);
  const radio = (mode, text, checked) => el("label", { class: "choice" },
    el("input", { type: "radio", name, value: mode, checked }), text);
  const modes = el("div", { class: "modes", role: "radiogroup", "aria-label": label },
    radio("null", nullLabel, value === null), radio("weekly", weeklyLabel, value !== null));
  const week = el("div", { class: "week" });
  const rows = new Map();

  function renderDay(day, spans) {
    const list = el("div", { class: "spans" });
    const empty = el("span", { class: "closed-day" }, w.closed_day);
    const refresh = () => { empty.hidden = list.children.length > 0; };
    const add = (text) => {
      const row = spanRow(day, text, () => {
        const next = row.nextElementSibling ?? row.previousElementSibling;
        row.remove();
        refresh();
        (next?.querySelector("input") ?? addButton).focus();
      });
      list.append(row);
      refresh();
      return row;
    };
    const addButton = el("button", { type: "button", class: "small",
      "aria-label": `${w.days[day]} ${w.add_span}`,
      onclick: () => add("").querySelector("input").focus() }, `+ ${w.add_span}`);
    for (const span of spans) add(span);
    refresh();
    const row = el("div", { class: "day", dataset: { day } },
      el("span", { class: "day-name" }, w.days[day]), el("div", { class: "day-spans" }, list, empty),
      addButton);
    rows.set(day, { list, add, refresh });
    return row;
  }

  function fill(schedule) {
    rows.clear();
    week.replaceChildren(...WEEKDAYS.map((day) => renderDay(day, schedule?.[day] ?? [])));
  }

  const copy = el("button", { type: "button", class: "small copy", onclick: () => {
    const monday = readDay("mon");
    for (const day of ["tue", "wed", "thu", "fri"]) {
      const { list, add, refresh } = rows.get(day);
      list.replaceChildren();
      for (const span of monday) add(span);
      refresh();
    }
  } }, w.copy_monday);

  function readDay(day) {
    const out = [];
    for (const span of rows.get(day).list.children) {
      const from = span.querySelector("[data-part=from]").value.trim();
      const to = span.querySelector("[data-part=to]").value.trim();
      if (from || to) out.push(`${from}-${to}`);
    }
    return out;
  }

  const weekly = el("div", { class: "weekly" }, week, copy);
  const showMode = () => {
    const on = modes.querySelector("input[value=weekly]").checked;
    weekly.hidden = !on;
    if (on && !week.children.length) {
      fill(Object.fromEntries(WEEKDAYS.slice(0, 5).map((d) => [d, PREFILL])));
    }
  };
  modes.addEventListener("input", showMode); // before the form's own input listeners
  modes.addEventListener("change", showMode);
  if (value !== null) fill(value);
  showMode();

  const node = el("fieldset", { class: "field hours", dataset: { field: "hours" } },
    el("legend", {}, label), hint ? el("p", { class: "hint" }, hint) : null, modes, weekly,
    el("p", { class: "field-error", role: "alert", hidden: true }));
  return {
    node,
    read() {
      if (!modes.querySelector("input[value=weekly]").checked) return null;
      showMode(); // a click's listeners may ask before the radio's own input event came
      return Object.fromEntries(WEEKDAYS.map((day) => [day, readDay(day)]));
    },
  };
}

/** "周一至周五 09:00-12:00, 13:30-17:00; 周六 09:00-12:00" (consecutive equal days grouped). */
export function hoursSummary(hours, nullText) {
  if (hours === null || hours === undefined) return nullText;
  const w = words();
  const groups = [];
  for (const day of WEEKDAYS) {
    const spans = (hours[day] ?? []).join(", ");
    const last = groups.at(-1);
    if (last && last.spans === spans) last.to = day;
    else groups.push({ from: day, to: day, spans });
  }
  const range = (g) => (g.from === g.to ? w.days[g.from]
    : `${w.days[g.from]}${w.html_lang === "en" ? "–" : "至"}${w.days[g.to]}`);
  const open = groups.filter((g) => g.spans);
  if (!open.length) return w.closed_day;
  return open.map((g) => `${range(g)} ${g.spans}`).join("; ");
}
