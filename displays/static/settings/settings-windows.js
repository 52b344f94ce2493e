// @ts-check
// The windows tab: number, name, the services each window calls (checkboxes, in the window's
// order) and its work profile (first come across them, or them in that order), added, changed
// (PUT …/windows/{n}) and removed with confirmation.

import {
  el, field, input, openEditor, removeConfirmed, showError, showMessage, tablePanel, wholeOrNull,
} from "./settings-ui.js";
import { names, words } from "./settings-words.js";

export function windowsTab(ctx, panel) {
  function nextNumber() {
    const numbers = ctx.state.settings.windows.map((w) => w.number);
    return numbers.length ? Math.max(...numbers) + 1 : 1;
  }

  async function edit(win) {
    const isNew = win === null;
    const w = words();
    const number = input({ value: isNew ? nextNumber() : win.number, inputmode: "numeric",
      class: "num", disabled: !isNew });
    const name = input({ value: isNew ? "" : win.name, maxlength: 200,
      placeholder: w.window_default(isNew ? nextNumber() : win.number) });
    const services = serviceChoice(isNew ? [] : win.services);
    const order = callOrderChoice(isNew ? "queue" : win.call_order, services);
    await openEditor({
      title: isNew ? w.add_window : w.edit_window(win.number),
      body: [el("div", { class: "pair" }, field("number", w.number, number),
        field("name", w.window_name, name)),
        services, order],
      submit: async (root) => {
        const n = wholeOrNull(number.value);
        const codes = [...services.querySelectorAll("input:checked")].map((c) => c.value);
        const picked = order.querySelector("input:checked");
        const body = { name: name.value.trim(), services: codes,
          call_order: picked instanceof HTMLInputElement ? picked.value : "queue" };
        if (!Number.isInteger(n) || /** @type {number} */ (n) < 1) { // an integer by then
          showError(root, { status: 400, code: "bad_window", message: "" });
          return false;
        }
        if (isNew && ctx.state.settings.windows.some((x) => x.number === n)) {
          showError(root, { status: 409, code: "window_exists", message: "number" });
          return false;
        }
        const result = await ctx.saving(() => ctx.api.putWindow(n, body));
        if (result.ok) {
          ctx.applySettings(result.data);
          showMessage("ok", w.saved_what(w.window_default(n)));
          return true;
        }
        showError(root, result);
        await ctx.refresh();
        return false;
      },
    });
  }

  /** The services as checkboxes, the window's own first in its order; ↑/↓ move one (the order
   *  counts for a window that takes its services in order). */
  function serviceChoice(own) {
    const w = words();
    const all = ctx.state.settings.services;
    const listed = [...own.map((c) => all.find((s) => s.code === c)).filter(Boolean),
      ...all.filter((s) => !own.includes(s.code))];
    const list = el("ol", { class: "choices ordered-choices" });
    const move = (item, step) => {
      const to = step < 0 ? item.previousElementSibling : item.nextElementSibling?.nextElementSibling;
      if (step < 0 && !to) return;
      list.insertBefore(item, to ?? null);
      item.querySelector(step < 0 ? ".up" : ".down")?.focus();
    };
    for (const s of listed) {
      const [first, second] = names(s);
      const item = el("li", { dataset: { code: s.code } });
      item.append(el("label", { class: "choice" },
        el("input", { type: "checkbox", value: s.code, checked: own.includes(s.code) }),
        el("span", { class: "letter" }, s.code), first, second ? el("small", {}, second) : null),
      el("button", { type: "button", class: "small move up", "aria-label": w.move_up(s.code),
        onclick: () => move(item, -1) }, "↑"),
      el("button", { type: "button", class: "small move down", "aria-label": w.move_down(s.code),
        onclick: () => move(item, 1) }, "↓"));
      list.append(item);
    }
    return el("fieldset", { class: "field services-choice", dataset: { field: "services" } },
      el("legend", {}, w.window_services), list,
      el("p", { class: "field-error", role: "alert", hidden: true }));
  }

  /** The work profile: two radios; "services" shows the ↑/↓ of the services' order. */
  function callOrderChoice(current, services) {
    const w = words();
    const show = (value) => services.classList.toggle("in-order", value === "services");
    show(current);
    const radios = ["queue", "services"].map((value) => el("label", { class: "choice" },
      el("input", { type: "radio", name: "call_order", value, checked: value === current,
        onchange: () => show(value) }), w.call_orders[value]));
    return el("fieldset", { class: "field call-order", dataset: { field: "call_order" } },
      el("legend", {}, w.call_order), el("div", { class: "choices" }, radios),
      el("p", { class: "hint" }, w.call_order_hint),
      el("p", { class: "field-error", role: "alert", hidden: true }));
  }

  async function remove(win) {
    const w = words();
    const result = await removeConfirmed(ctx, {
      question: w.remove_window_q(win.number), call: () => ctx.api.deleteWindow(win.number),
      what: w.window_default(win.number),
    });
    if (result?.ok) ctx.applySettings(result.data);
    else if (result) await ctx.refresh(); // show what the server holds
    document.getElementById("add-window")?.focus();
  }

  function row(win) {
    const w = words();
    const byCode = new Map(ctx.state.settings.services.map((s) => [s.code, s]));
    return el("tr", { dataset: { number: win.number } },
      el("th", { scope: "row", class: "n" }, win.number),
      el("td", { class: "name" }, win.name),
      el("td", {}, el("ul", { class: "chips" }, win.services.map((code) =>
        el("li", { title: names(byCode.get(code) ?? { name: code })[0] },
          el("span", { class: "letter" }, code), names(byCode.get(code) ?? { name: "" })[0]))),
      win.call_order === "services" ? el("p", { class: "in-order-note" }, w.in_order_note) : null),
      el("td", { class: "row-actions" },
        el("button", { type: "button", class: "small", onclick: () => edit(win),
          "aria-label": `${w.edit} ${w.window_default(win.number)}` }, w.edit),
        el("button", { type: "button", class: "small danger", onclick: () => remove(win),
          "aria-label": `${w.remove} ${w.window_default(win.number)}` }, w.remove)));
  }

  function render() {
    const w = words();
    tablePanel(panel, {
      name: "windows", title: w.windows_title,
      add: { id: "add-window", label: w.add_window, onclick: () => edit(null) },
      head: [w.number, w.window_name, w.window_services, ""],
      rows: ctx.state.settings.windows.map(row),
    });
  }

  return { render };
}
