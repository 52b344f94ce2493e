// @ts-check
// The services tab: a table of the hall's services (the ticket switch works in place), an editor
// dialog for a new or changed service (PUT …/services/{code}) and removal with confirmation.

import { guideEditor, NO_GUIDE } from "./settings-guide.js";
import { hoursEditor, hoursSummary } from "./settings-hours.js";
import { realNameEditor, realNameNote } from "./settings-real-name.js";
import {
  changes, el, field, input, minutesToSeconds, openEditor, removeConfirmed, secondsToMinutes,
  showError, showFailure, showMessage, tablePanel, wholeOrNull,
} from "./settings-ui.js";
import { names, words } from "./settings-words.js";

const FIELDS = ["name", "name_en", "open", "hours", "daily_quota", "priority_allowed",
  "target_wait_s", "default_service_s", "priority_ratio", "guide", "real_name", "person_daily_limit"];
const NEW_SERVICE = { code: "", name: "", name_en: "", open: true, hours: null, daily_quota: null,
  priority_allowed: true, target_wait_s: 900, default_service_s: 300, priority_ratio: null,
  guide: NO_GUIDE, real_name: false, person_daily_limit: 1 };

export const priorityText = (s, w = words()) => (!s.priority_allowed ? w.no_priority
  : s.priority_ratio == null ? w.strict_short : w.ratio_short(s.priority_ratio));

export function servicesTab(ctx, panel) {
  function editorFields(s, isNew) {
    const w = words();
    const code = input({ value: s.code, maxlength: 3, autocapitalize: "characters", class: "code",
      disabled: !isNew });
    const name = input({ value: s.name, maxlength: 200 });
    const nameEn = input({ value: s.name_en ?? "", maxlength: 200, lang: "en" });
    const open = el("input", { type: "checkbox", checked: s.open });
    const target = input({ value: secondsToMinutes(s.target_wait_s), inputmode: "decimal", class: "num" });
    const serviceTime = input({ value: secondsToMinutes(s.default_service_s), inputmode: "decimal",
      class: "num" });
    const quota = input({ value: s.daily_quota ?? "", inputmode: "numeric", class: "num",
      placeholder: w.no_quota });
    const hours = hoursEditor(s.hours, { inherit: "hall" });
    const guide = guideEditor(s.guide);
    const realName = realNameEditor(s);
    const allowed = el("input", { type: "checkbox", checked: s.priority_allowed });
    const mode = `policy-${Math.random().toString(36).slice(2)}`;
    const radio = (value, checked) => el("input", { type: "radio", name: mode, value, checked });
    const strict = radio("strict", s.priority_ratio == null);
    const byRatio = radio("ratio", s.priority_ratio != null);
    const ratio = input({ value: s.priority_ratio ?? 2, inputmode: "numeric", class: "num ratio",
      "aria-label": w.ratio_label });
    const policy = el("fieldset", { class: "field policy", dataset: { field: "priority_ratio" } },
      el("legend", {}, w.priority_policy),
      el("div", { class: "choices" },
        el("label", { class: "choice" }, strict, w.strict),
        el("label", { class: "choice" }, byRatio, w.ratio_before, ratio, w.ratio_after)),
      el("p", { class: "field-error", role: "alert", hidden: true }));
    ratio.addEventListener("focus", () => { byRatio.checked = true; });
    const node = [
      el("div", { class: "col" },
        el("div", { class: "pair" }, field("code", w.code, code, isNew ? w.code_hint : ""),
          field("open", w.open_tickets, open)),
        el("div", { class: "pair" }, field("name", w.name_zh, name), field("name_en", w.name_en, nameEn)),
        el("div", { class: "triple" }, field("target_wait_s", w.in_min(w.target_wait), target),
          field("default_service_s", w.in_min(w.default_service), serviceTime),
          field("daily_quota", w.quota, quota, w.quota_hint)),
        field("priority_allowed", w.priority_allowed, allowed),
        policy),
      el("div", { class: "col" }, hours.node, realName.node),
      guide.node,
    ];
    const read = () => ({
      name: name.value.trim(), name_en: nameEn.value.trim(), open: open.checked,
      hours: hours.read(), daily_quota: wholeOrNull(quota.value),
      priority_allowed: allowed.checked, target_wait_s: minutesToSeconds(target.value),
      default_service_s: minutesToSeconds(serviceTime.value),
      priority_ratio: strict.checked ? null : wholeOrNull(ratio.value),
      guide: guide.read(),
      ...realName.read(),
    });
    return { node, read, code, first: isNew ? code : name };
  }

  async function edit(service) {
    const isNew = service === null;
    const s = service ?? NEW_SERVICE;
    const w = words();
    const form = editorFields(s, isNew);
    const before = Object.fromEntries(FIELDS.map((k) => [k, s[k]]));
    await openEditor({
      title: isNew ? w.add_service : w.edit_service(s.code),
      body: form.node,
      first: form.first,
      wide: true,
      submit: async (root) => {
        const code = isNew ? form.code.value.trim().toUpperCase() : s.code;
        if (isNew && ctx.state.settings.services.some((x) => x.code === code)) {
          showError(root, { status: 409, code: "service_exists", message: `code ${code}` });
          return false;
        }
        const body = isNew ? form.read() : changes(before, form.read());
        if (!Object.keys(body).length) {
          showMessage("info", w.nothing_changed);
          return true;
        }
        const result = await ctx.saving(() => ctx.api.putService(code || "_", body));
        if (result.ok) {
          ctx.applySettings(result.data);
          showMessage("ok", w.saved_what(`${code} ${body.name ?? s.name}`));
          return true;
        }
        showError(root, result);
        await ctx.refresh(); // the table shows what the server holds
        return false;
      },
    });
  }

  async function toggle(service, button) {
    button.disabled = true;
    const result = await ctx.saving(() => ctx.api.putService(service.code, { open: !service.open }));
    if (result.ok) {
      ctx.applySettings(result.data);
      const w = words();
      const now = result.data.services.find((x) => x.code === service.code);
      showMessage("ok", w.saved_what(`${service.code} ${now?.open ? w.open_on : w.open_off}`));
    } else {
      showFailure(result);
      await ctx.refresh();
    }
    panel.querySelector(`tr[data-code="${service.code}"] .switch`)?.focus();
  }

  async function remove(service) {
    const result = await removeConfirmed(ctx, {
      question: words().remove_service_q(service.code, names(service)[0]),
      call: () => ctx.api.deleteService(service.code),
      what: `${service.code} ${names(service)[0]}`,
    });
    if (result?.ok) ctx.applySettings(result.data);
    else if (result) await ctx.refresh(); // show what the server holds
    document.getElementById("add-service")?.focus();
  }

  function row(s) {
    const w = words();
    const [name, name2] = names(s);
    const min = (sec) => w.min(secondsToMinutes(sec));
    return el("tr", { dataset: { code: s.code } },
      el("th", { scope: "row" }, el("span", { class: "letter" }, s.code)),
      el("td", { class: "name" }, name, name2 ? el("small", {}, name2) : null, realNameNote(s, w)),
      el("td", {}, el("button", { type: "button", class: "switch", role: "switch",
        "aria-checked": String(s.open), "aria-label": `${s.code} ${w.open}`,
        onclick: (e) => toggle(s, e.currentTarget) }, el("span", { class: "knob", "aria-hidden": "true" }),
        s.open ? w.open_on : w.open_off)),
      el("td", { class: "n" }, min(s.target_wait_s)),
      el("td", { class: "n" }, min(s.default_service_s)),
      el("td", { class: "n" }, s.daily_quota ?? w.no_quota),
      el("td", { class: "hours-cell" }, hoursSummary(s.hours, w.hall_hours)),
      el("td", {}, priorityText(s)),
      el("td", { class: "row-actions" },
        el("button", { type: "button", class: "small", onclick: () => edit(s),
          "aria-label": `${w.edit} ${s.code}` }, w.edit),
        el("button", { type: "button", class: "small danger", onclick: () => remove(s),
          "aria-label": `${w.remove} ${s.code}` }, w.remove)));
  }

  function render() {
    const w = words();
    tablePanel(panel, {
      name: "services", title: w.services_title,
      add: { id: "add-service", label: w.add_service, onclick: () => edit(null) },
      head: [w.code, w.name, w.open, w.target_wait, w.default_service, w.quota, w.hours, w.priority, ""],
      rows: ctx.state.settings.services.map(row),
    });
  }

  return { render };
}
