// @ts-check
// The audit tab: a day's settings changes and staff actions, newest first, in words ("w1 呼叫
// A003 到 1号窗口"), filtered by who; today's log follows the hall live.

import { hoursSummary } from "./settings-hours.js";
import { el, input, secondsToMinutes, showFailure } from "./settings-ui.js";
import { AUDIT_WORDS, followupDetails, ticketPhrase, ticketState } from "./settings-audit-words.js";
import { currentLang, names, words } from "./settings-words.js";

const HIDDEN = new Set([
  "desk", "code", "username", "staff", "from_service", "taken_from", "requeued", "score", "source",
  "staff_name", "staff_no",
]);
// A ticket entry's own fields: said as its service's name and its state in words.
const TICKET_FIELDS = new Set(["service", "status", "outcome"]);
const LIVE_DELAY_MS = 400;

/** Today in the hall's timezone, YYYY-MM-DD. */
export function today(timezone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit",
    day: "2-digit" }).format(new Date());
}

function value(key, v, w) {
  if (key === "priority_ratio") return v == null ? w.strict_short : w.ratio_short(v);
  if (key === "person_daily_limit" && v == null) return w.no_quota; // 实名: no daily limit
  if (v === null || v === undefined) return key === "hours" ? w.hall_hours : w.none;
  if (typeof v === "boolean") return v ? w.yes : w.no;
  if (key === "hours") {
    let hours = v;
    if (typeof v === "string") {
      try { hours = JSON.parse(v); } catch { return v; }
    }
    return hoursSummary(hours, w.always_open);
  }
  if (key.endsWith("_s") && typeof v === "number") return w.min(secondsToMinutes(v));
  if (key === "password") return w.changed;
  if (key === "role") return w.roles[v] ?? v;
  if (key === "print") return w.print_modes[v] ?? v;
  if (Array.isArray(v)) return v.join(w.list_sep) || w.none;
  if (typeof v === "object") { // the services of a settings change: "B（每日限额: 7）"
    const [open, close] = w.html_lang === "en" ? [" (", ")"] : ["（", "）"];
    return Object.entries(v).map(([k, x]) => `${k}${open}${details(x, w, w.pair_sep)}${close}`)
      .join(w.list_sep);
  }
  return String(v);
}

/** A detail object in words: "公告: …; 取号时间: 周一至周五 09:00-17:00". */
function details(detail, w, sep = "; ") {
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return value("", detail, w);
  return Object.entries(detail).filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${w.fields[k] ?? k}: ${value(k, v, w)}`).join(sep);
}

/** A service by its name in the page's language ("水电气过户"); its code if it is gone. */
function serviceNamer(services) {
  return (code) => {
    const service = (services ?? []).find((s) => s.code === code);
    return service ? names(service)[0] : code;
  };
}

/** What an entry did, in words (after its actor). */
export function actionText(entry, w = words(), services = []) {
  const own = ticketPhrase(entry, AUDIT_WORDS[currentLang()], serviceNamer(services));
  if (own) return own;
  const phrase = w.actions[entry.action];
  const fieldNames = (keys) => keys.map((k) => w.fields[k] ?? k).join(w.list_sep);
  return phrase ? phrase({ ...entry, detail: entry.detail ?? {} }, fieldNames) : entry.action;
}

/** An entry's details in words: a ticket's service by name and what it became ("业务: 水电气过户;
 * 状态: 未到"), then its other fields (a pause's reason …). */
export function entryDetails(entry, w = words(), services = []) {
  const detail = entry.detail ?? {};
  if (entry.action.startsWith("followup.")) return followupDetails(detail, AUDIT_WORDS[currentLang()]);
  if (!entry.ticket) return details(detail, w);
  const aw = AUDIT_WORDS[currentLang()];
  const rest = Object.fromEntries(Object.entries(detail).filter(([k]) => !TICKET_FIELDS.has(k)
    && !(k === "reason" && detail[k] === "expired")));
  const parts = [];
  if (detail.service && entry.action !== "ticket.transferred") {
    parts.push(`${aw.service}: ${serviceNamer(services)(detail.service)}`);
  }
  const state = ticketState(detail, aw);
  if (state) parts.push(`${aw.state}: ${state}`);
  const others = details(rest, w);
  return [...parts, ...(others ? [others] : [])].join("; ");
}

export function auditTab(ctx, panel) {
  let entries = [];
  let date = null;
  let actor = "";
  let timer = 0;
  let loading = false;

  function actors() {
    const names = new Set((ctx.state.users ?? []).map((u) => u.username));
    for (const e of entries) if (e.actor) names.add(e.actor);
    if (actor) names.add(actor);
    return [...names].sort();
  }

  function row(e, w) {
    const time = e.at.slice(11, 19);
    const services = ctx.state.settings?.services ?? ctx.config.services;
    const text = entryDetails(e, w, services);
    return el("tr", { dataset: { action: e.action } },
      el("td", { class: "n" }, el("time", { datetime: e.at }, time)),
      el("td", { class: "who" }, e.actor ?? AUDIT_WORDS[currentLang()].system),
      el("td", { class: "what" }, actionText(e, w, services)),
      el("td", { class: "detail" }, text));
  }

  function render() {
    const w = words();
    date ??= today(ctx.config.timezone);
    const dateInput = input({ type: "date", value: date, id: "audit-date", max: today(ctx.config.timezone) });
    const who = el("select", { id: "audit-actor" },
      el("option", { value: "" }, w.all_actors),
      actors().map((a) => el("option", { value: a, selected: a === actor }, a)));
    const form = el("form", { class: "filters", id: "audit-form", onsubmit: (e) => {
      e.preventDefault();
      date = dateInput.value || today(ctx.config.timezone);
      actor = who.value;
      load();
    } },
      el("label", { for: "audit-date" }, w.date), dateInput,
      el("label", { for: "audit-actor" }, w.actor), who,
      el("button", { type: "submit", class: "primary" }, w.show),
      el("span", { class: "count", id: "audit-count", "aria-live": "polite" }, w.entries(entries.length)));
    who.addEventListener("change", () => form.requestSubmit());
    dateInput.addEventListener("change", () => form.requestSubmit());
    const head = [w.time, w.actor, w.what, w.detail].map((h) => el("th", { scope: "col" }, h));
    panel.replaceChildren(
      el("div", { class: "panel-head" }, el("h2", {}, w.audit_title)), form,
      entries.length ? el("div", { class: "table-wrap" },
        el("table", { class: "grid audit-table", id: "audit-table" },
        el("thead", {}, el("tr", {}, head)), el("tbody", {}, entries.map((e) => row(e, w)))))
        : el("p", { class: "empty" }, w.no_entries));
    panel.dataset.loaded = String(!loading);
  }

  async function load() {
    date ??= today(ctx.config.timezone);
    loading = true;
    panel.dataset.loaded = "false";
    const result = await ctx.api.audit(date, actor);
    loading = false;
    if (result.ok) entries = result.data.entries;
    else showFailure(result, words().load_failed);
    const focused = document.activeElement?.id;
    render();
    if (focused && panel.contains(document.getElementById(focused))) document.getElementById(focused).focus();
  }

  return {
    render,
    load,
    /** Something happened in the hall: today's log, when shown, reads it again. */
    changed(visible) {
      if (!visible || date !== today(ctx.config.timezone)) return;
      clearTimeout(timer);
      timer = setTimeout(load, LIVE_DELAY_MS);
    },
  };
}
