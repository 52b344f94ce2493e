// @ts-check
// The hall tab: its names, the notice on the screens, ticket hours per weekday, closed dates and
// the promise on pending matters, when the phone says "almost your turn", the 差评 follow-up deadline. One save sends only what changed (PATCH, all-or-nothing).

import { hoursEditor } from "./settings-hours.js";
import {
  changes, clearErrors, el, field, input, minutesToSeconds, secondsToMinutes, showError,
  showMessage, wholeOrNull,
} from "./settings-ui.js";
import { words } from "./settings-words.js";

const MAX_NOTICE = 500;

export function hallTab(ctx, panel) {
  let form = null;
  let read = () => ({});
  let original = {};

  function saved() {
    const s = ctx.state.settings;
    return { name: s.name, name_en: s.name_en, notice: s.notice, notice_en: s.notice_en ?? "", hours: s.hours,
      closed_dates: s.closed_dates, promise_s: s.promise_s,
      bind_staff_to_windows: s.bind_staff_to_windows, almost_turn_ahead: s.almost_turn_ahead,
      followup_due_days: s.followup_due_days, trips_window_days: s.trips_window_days };
  }

  /** A notice's text box and its character count; `lang` for the English one. */
  function noticeField(value, lang) {
    const w = words();
    const box = el("textarea", { rows: 3, maxlength: MAX_NOTICE, ...(lang ? { lang } : {}) });
    box.value = value ?? "";
    const count = el("span", { class: "count" }, w.chars(box.value.length));
    box.addEventListener("input", () => { count.textContent = w.chars(box.value.length); });
    return [box, count];
  }

  function datesField(initial) {
    const w = words();
    const dates = [...initial];
    const list = el("ul", { class: "dates", "aria-live": "polite" });
    const picker = input({ type: "date", class: "date", "aria-label": w.add_date });
    const render = () => {
      list.replaceChildren(...(dates.length ? dates.map((d) => el("li", {}, d,
        el("button", { type: "button", class: "icon", "aria-label": w.remove_date(d), title: w.remove,
          onclick: () => { dates.splice(dates.indexOf(d), 1); render(); picker.focus(); } }, "×")))
        : [el("li", { class: "none" }, w.no_dates)]));
    };
    const add = () => {
      const d = picker.value;
      if (d && !dates.includes(d)) {
        dates.push(d);
        dates.sort();
      }
      picker.value = "";
      render();
    };
    picker.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        add();
      }
    });
    render();
    const node = el("fieldset", { class: "field dates-field", dataset: { field: "closed_dates" } },
      el("legend", {}, w.closed_dates), el("p", { class: "hint" }, w.closed_dates_hint), list,
      el("div", { class: "row" }, picker,
        el("button", { type: "button", class: "small", onclick: add }, w.add_date)),
      el("p", { class: "field-error", role: "alert", hidden: true }));
    return { node, read: () => [...dates] };
  }

  /** The form, from the saved settings, or from `values` typed before (a language change). */
  function render(values = null) {
    const w = words();
    original = saved();
    const s = values ?? original;
    const name = input({ value: s.name, maxlength: 200 });
    const nameEn = input({ value: s.name_en ?? "", maxlength: 200, lang: "en" });
    const [notice, count] = noticeField(s.notice);
    const [noticeEn, countEn] = noticeField(s.notice_en, "en");
    const hours = hoursEditor(s.hours, { inherit: "always", hint: w.hours_hint });
    const dates = datesField(s.closed_dates ?? []);
    const promise = input({ value: secondsToMinutes(s.promise_s), inputmode: "decimal", class: "num" });
    const bind = el("input", { type: "checkbox", checked: Boolean(s.bind_staff_to_windows) });
    const almost = input({ value: String(s.almost_turn_ahead ?? ""), inputmode: "numeric", class: "num" });
    const followupDays = input({ value: String(s.followup_due_days ?? ""), inputmode: "numeric", class: "num" });
    const tripsDays = input({ value: String(s.trips_window_days ?? ""), inputmode: "numeric", class: "num" });
    const unsaved = el("span", { class: "unsaved", hidden: true }, `● ${w.unsaved}`);
    const saveButton = el("button", { type: "submit", class: "primary", id: "hall-save" }, w.save);
    const undo = el("button", { type: "button", class: "quiet", id: "hall-revert", onclick: () => {
      clearErrors(form);
      render();
      ctx.resolved();
    } }, w.revert);
    read = () => ({
      name: name.value.trim(), name_en: nameEn.value.trim(), notice: notice.value.trim(),
      notice_en: noticeEn.value.trim(),
      hours: hours.read(), closed_dates: dates.read(), promise_s: minutesToSeconds(promise.value),
      bind_staff_to_windows: bind.checked, almost_turn_ahead: wholeOrNull(almost.value),
      followup_due_days: wholeOrNull(followupDays.value),
      trips_window_days: wholeOrNull(tripsDays.value),
    });
    form = el("form", { class: "hall-form", novalidate: true, id: "hall-form" },
      el("div", { class: "col" },
        el("section", { class: "card" }, el("h2", {}, w.hall_names),
          el("div", { class: "pair" }, field("name", w.name_zh, name), field("name_en", w.name_en, nameEn))),
        el("section", { class: "card" }, el("h2", {}, w.notice),
          field("notice", w.notice_hint, notice), count,
          field("notice_en", w.notice_en, noticeEn, w.notice_en_hint), countEn),
        el("section", { class: "card" }, field("promise_s", w.in_min(w.promise), promise, w.promise_hint)),
        el("section", { class: "card" }, field("bind_staff_to_windows", w.bind, bind, w.bind_hint))),
      el("div", { class: "col" },
        el("section", { class: "card" }, hours.node),
        el("section", { class: "card" }, dates.node),
        el("section", { class: "card" }, field("almost_turn_ahead", w.almost, almost, w.almost_hint)),
        el("section", { class: "card" },
          field("followup_due_days", w.followup_days, followupDays, w.followup_days_hint)),
        el("section", { class: "card" },
          field("trips_window_days", w.trips_days, tripsDays, w.trips_days_hint))),
      el("div", { class: "actions sticky" }, saveButton, undo, unsaved));
    form.addEventListener("input", () => { unsaved.hidden = !dirty(); });
    form.addEventListener("click", () => queueMicrotask(() => { unsaved.hidden = !dirty(); }));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      save(saveButton);
    });
    panel.replaceChildren(form);
    unsaved.hidden = !dirty();
  }

  function dirty() {
    return form !== null && Object.keys(changes(original, read())).length > 0;
  }

  async function save(button) {
    const body = changes(original, read());
    clearErrors(form);
    if (!Object.keys(body).length) {
      showMessage("info", words().nothing_changed);
      return;
    }
    button.disabled = true;
    const result = await ctx.saving(() => ctx.api.patchSettings(body));
    button.disabled = false;
    if (result.ok) {
      ctx.applySettings(result.data, { force: true });
      showMessage("ok", words().saved);
      return;
    }
    showError(form, result); // the typed values stay, to be fixed; the server has not changed
    await ctx.refresh({ keepHall: true });
  }

  return {
    render,
    dirty,
    /** Draw again in the current language, keeping what was typed. */
    relabel() {
      render(form ? read() : null);
    },
    /** Re-render from the settings unless the form holds unsaved edits (→ false). */
    update(force = false) {
      if (!force && dirty()) return false;
      render();
      return true;
    },
  };
}
