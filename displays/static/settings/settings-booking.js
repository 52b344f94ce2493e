// @ts-check
// The booking tab (预约, docs/appointments.md): the hall's booking policy (open or not, the
// check-in window, the order of booked tickets, what happens outside the window, which personal
// fields are asked) edited in a dialog (PATCH …/booking), and each service's booking (on or
// off, slot length, places per slot, days ahead, hours) in a table with an editor
// (PUT …/services/{code}/booking).

import { hoursEditor, hoursSummary } from "./settings-hours.js";
import {
  changes, el, field, input, openEditor, showError, showFailure, showMessage, wholeOrNull,
} from "./settings-ui.js";
import { currentLang, names, words as pageWords } from "./settings-words.js";

const WORDS = {
  zh: {
    title: "预约", edit_policy: "修改预约规则", open_page: "打开预约页",
    enabled: "开放预约", on: "开放", off: "关闭",
    window: "签到时间", window_text: (e, l) => `开始前 ${e} 分钟至开始后 ${l} 分钟`,
    early: "最早提前（分钟）", late: "最迟推后（分钟）",
    order: "叫号顺序", orders: { slot_time: "按预约时间排入队列", first: "预约号优先于当天现场号" },
    outside: "签到时间外", outsides: { walk_in: "发普通号", refuse: "不予签到" },
    name: "姓名", phone: "手机号", fields: { off: "不收集", optional: "选填", required: "必填" },
    services: "各业务的预约", service: "业务", bookable: "可预约", slot_min: "时段（分钟）",
    capacity: "每段名额", days_ahead: "可提前天数", hours: "预约时间",
    same_as_service: "同业务的取号时间", own_hours: "单独设置",
    edit_service: (code) => `${code} 的预约`, saved_policy: "预约规则",
  },
  en: {
    title: "Appointments", edit_policy: "Edit the booking rules", open_page: "Open the booking page",
    enabled: "Takes bookings", on: "On", off: "Off",
    window: "Check-in", window_text: (e, l) => `from ${e} min before to ${l} min after the start`,
    early: "Opens before (min)", late: "Closes after (min)",
    order: "Order", orders: { slot_time: "Queued by the booked time", first: "Ahead of the day's walk-ins" },
    outside: "Outside the window", outsides: { walk_in: "A normal ticket", refuse: "Refused" },
    name: "Name", phone: "Phone", fields: { off: "Not asked", optional: "Optional", required: "Required" },
    services: "Each service's bookings", service: "Service", bookable: "Bookable", slot_min: "Slot (min)",
    capacity: "Places per slot", days_ahead: "Days ahead", hours: "Booking hours",
    same_as_service: "The service's own hours", own_hours: "Hours of their own",
    edit_service: (code) => `Bookings of ${code}`, saved_policy: "the booking rules",
  },
};
const words = () => WORDS[currentLang()];
const POLICY_FIELDS = ["enabled", "checkin_early_min", "checkin_late_min", "order", "outside_window",
  "fields"];

function select(options, value) {
  return el("select", {}, Object.entries(options).map(([key, text]) =>
    el("option", { value: key, selected: key === value }, text)));
}

export function bookingTab(ctx, panel) {
  let booking = null; // GET …/booking
  const serviceOf = (code) => ctx.state.settings?.services.find((s) => s.code === code) ?? { code };

  async function editPolicy() {
    const w = words();
    const p = booking;
    const enabled = el("input", { type: "checkbox", checked: p.enabled });
    const early = input({ value: p.checkin_early_min, inputmode: "numeric", class: "num" });
    const late = input({ value: p.checkin_late_min, inputmode: "numeric", class: "num" });
    const order = select(w.orders, p.order);
    const outside = select(w.outsides, p.outside_window);
    const name = select(w.fields, p.fields.name);
    const phone = select(w.fields, p.fields.phone);
    const before = Object.fromEntries(POLICY_FIELDS.map((k) => [k, p[k]]));
    await openEditor({
      title: w.edit_policy,
      body: [field("enabled", w.enabled, enabled),
        el("div", { class: "pair" }, field("checkin_early_min", w.early, early),
          field("checkin_late_min", w.late, late)),
        el("div", { class: "pair" }, field("order", w.order, order), field("outside_window", w.outside, outside)),
        el("div", { class: "pair" }, field("fields.name", w.name, name), field("fields.phone", w.phone, phone))],
      first: enabled,
      submit: async (root) => {
        const body = changes(before, {
          enabled: enabled.checked, checkin_early_min: wholeOrNull(early.value),
          checkin_late_min: wholeOrNull(late.value), order: order.value, outside_window: outside.value,
          fields: { name: name.value, phone: phone.value },
        });
        if (!Object.keys(body).length) return true;
        const result = await ctx.saving(() => ctx.api.patchBooking(body));
        if (!result.ok) {
          showError(root, result);
          return false;
        }
        booking = result.data;
        render();
        showMessage("ok", words().saved_policy);
        return true;
      },
    });
  }

  async function editService(s) {
    const w = words();
    const enabled = el("input", { type: "checkbox", checked: s.enabled });
    const slot = input({ value: s.slot_min, inputmode: "numeric", class: "num" });
    const capacity = input({ value: s.capacity, inputmode: "numeric", class: "num" });
    const days = input({ value: s.days_ahead, inputmode: "numeric", class: "num" });
    const hours = hoursEditor(s.hours, { inherit: "hall", label: w.hours,
      labels: { inherit: w.same_as_service, own: w.own_hours } });
    await openEditor({
      title: w.edit_service(`${s.service} ${names(serviceOf(s.service))[0]}`),
      wide: true,
      body: [el("div", { class: "col" }, field("enabled", w.bookable, enabled),
        el("div", { class: "triple" }, field("slot_min", w.slot_min, slot),
          field("capacity", w.capacity, capacity), field("days_ahead", w.days_ahead, days))),
      hours.node],
      first: enabled,
      submit: async (root) => {
        const body = { enabled: enabled.checked, slot_min: wholeOrNull(slot.value),
          capacity: wholeOrNull(capacity.value), days_ahead: wholeOrNull(days.value), hours: hours.read() };
        const result = await ctx.saving(() => ctx.api.putServiceBooking(s.service, body));
        if (!result.ok) {
          showError(root, result);
          return false;
        }
        await load();
        showMessage("ok", `${s.service}`);
        return true;
      },
    });
  }

  function policySummary(w) {
    const p = booking;
    const item = (key, label, value) => el("div", { dataset: { key } }, el("dt", {}, label), el("dd", {}, value));
    const link = `/halls/${encodeURIComponent(ctx.config.hall)}/book`;
    return el("section", { class: "booking-policy" },
      el("dl", { class: "facts" },
        item("enabled", w.enabled, p.enabled ? w.on : w.off),
        item("window", w.window, w.window_text(p.checkin_early_min, p.checkin_late_min)),
        item("order", w.order, w.orders[p.order] ?? p.order),
        item("outside", w.outside, w.outsides[p.outside_window] ?? p.outside_window),
        item("name", w.name, w.fields[p.fields.name]), item("phone", w.phone, w.fields[p.fields.phone])),
      el("div", { class: "row-actions" },
        el("button", { type: "button", class: "primary", id: "edit-booking", onclick: editPolicy }, w.edit_policy),
        el("a", { class: "button", href: link, target: "_blank", rel: "noopener" }, w.open_page)));
  }

  function row(s, w) {
    const [name, name2] = names(serviceOf(s.service));
    return el("tr", { dataset: { code: s.service } },
      el("th", { scope: "row" }, el("span", { class: "letter" }, s.service)),
      el("td", { class: "name" }, name, name2 ? el("small", {}, name2) : null),
      el("td", {}, s.enabled ? w.on : w.off),
      el("td", { class: "n" }, s.slot_min), el("td", { class: "n" }, s.capacity),
      el("td", { class: "n" }, s.days_ahead),
      el("td", { class: "hours-cell" }, hoursSummary(s.hours, w.same_as_service)),
      el("td", { class: "row-actions" }, el("button", { type: "button", class: "small",
        onclick: () => editService(s), "aria-label": `${pageWords().edit} ${s.service}` },
      pageWords().edit)));
  }

  function render() {
    if (!booking) return;
    const w = words();
    const head = [w.service, "", w.bookable, w.slot_min, w.capacity, w.days_ahead, w.hours, ""];
    const table = el("div", { class: "table-wrap" }, el("table", { class: "grid booking-table" },
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, (booking.services ?? []).map((s) => row(s, w)))));
    panel.replaceChildren(el("div", { class: "panel-head" }, el("h2", {}, w.title)), policySummary(w),
      el("h3", {}, w.services), table);
  }

  async function load() {
    const result = await ctx.api.booking();
    if (result.ok) booking = result.data;
    else showFailure(result);
    render();
  }

  return { render, load };
}
