// @ts-check
// The kiosks tab: the registered kiosks (code, name, how they print, the printer and its last
// status, whether it has a key), registered or changed (PUT …/kiosks/{code}), given a new key
// (POST …/kiosks/{code}/key: its setup link, shown once) and removed with confirmation.

import {
  confirmDialog, el, field, input, openEditor, removeConfirmed, showError, showFailure, showMessage,
  tablePanel,
} from "./settings-ui.js";
import { words } from "./settings-words.js";

const MODES = ["none", "browser", "escpos"];

export function kiosksTab(ctx, panel) {
  async function edit(kiosk) {
    const isNew = kiosk === null;
    const k = kiosk ?? { code: "", name: "", print: "none", printer: null };
    const w = words();
    const code = input({ value: k.code, maxlength: 32, disabled: !isNew, autocapitalize: "characters" });
    const name = input({ value: k.name, maxlength: 200 });
    const mode = el("select", {},
      MODES.map((m) => el("option", { value: m, selected: m === k.print }, w.print_modes[m])));
    const printer = input({ value: k.printer ?? "", maxlength: 300, placeholder: "tcp://192.168.1.50:9100",
      inputmode: "url" });
    await openEditor({
      title: isNew ? w.add_kiosk : w.edit_kiosk(k.code),
      body: [el("div", { class: "pair" }, field("code", w.kiosk_code, code, isNew ? w.kiosk_code_hint : ""),
        field("name", w.name, name)),
      el("div", { class: "pair" }, field("print", w.print_mode, mode),
        field("printer", w.printer, printer, w.printer_hint))],
      submit: async (root) => {
        const c = isNew ? code.value.trim() : k.code;
        if (isNew && (ctx.state.kiosks ?? []).some((x) => x.code === c)) {
          showError(root, { status: 409, code: "kiosk_exists", message: "code" });
          return false;
        }
        if (!/^[A-Za-z0-9_-]{1,32}$/.test(c)) { // the server answers a malformed code's URL 404
          showError(root, { status: 400, code: c ? "bad_kiosk_code" : "missing_field", message: "code" });
          return false;
        }
        const body = { name: name.value.trim(), print: mode.value, printer: printer.value.trim() || null };
        const result = await ctx.saving(() => ctx.api.putKiosk(c, body));
        await load();
        if (result.ok) {
          showMessage("ok", w.saved_what(c));
          return true;
        }
        showError(root, result);
        return false;
      },
    });
  }

  async function remove(kiosk) {
    await removeConfirmed(ctx, {
      question: words().remove_kiosk_q(kiosk.code), call: () => ctx.api.deleteKiosk(kiosk.code),
      what: kiosk.code,
    });
    await load();
    document.getElementById("add-kiosk")?.focus();
  }

  /** A new key (asked first when it replaces one), then its setup link, shown this once. */
  async function newKey(kiosk) {
    const w = words();
    if (kiosk.keyed && !(await confirmDialog(w.new_key_q(kiosk.code), w.new_key))) return;
    const result = await ctx.saving(() => ctx.api.newKioskKey(kiosk.code));
    await load();
    if (!result.ok) {
      showFailure(result);
      return;
    }
    showMessage("ok", w.key_made(kiosk.code));
    const link = input({ value: result.data.setup_url, readonly: true, id: "setup-url", class: "mono" });
    await openEditor({
      title: w.setup_title(kiosk.code), okLabel: w.done, wide: true, first: link,
      body: [field("setup", w.setup_link, link, w.setup_hint)],
      submit: async () => true,
    });
  }

  function statusText(status) {
    const w = words();
    if (!status) return w.status_none;
    if (status.ok === null) return w.status_unknown; // nothing sent to it since the server started
    return status.ok ? w.status_ok(status.printed ?? 0) : w.status_failed(status.error ?? "?");
  }

  function row(k) {
    const w = words();
    const link = `/halls/${encodeURIComponent(ctx.config.hall)}/kiosk?kiosk=${encodeURIComponent(k.code)}`;
    const status = k.printer_status;
    return el("tr", { dataset: { kiosk: k.code } },
      el("th", { scope: "row" }, k.code),
      el("td", {}, k.name),
      el("td", {}, w.print_modes[k.print] ?? k.print),
      el("td", { class: "mono" }, k.printer ?? "—"),
      el("td", { class: { true: "good", false: "bad" }[status?.ok] ?? "" }, statusText(status),
        status?.at ? el("small", {}, status.at.slice(0, 19).replace("T", " ")) : null),
      el("td", { class: k.keyed ? "good" : "" }, k.keyed ? w.key_set : w.key_none),
      el("td", { class: "row-actions" },
        el("a", { class: "small button", href: link, target: "_blank", rel: "noopener" }, w.open_kiosk),
        el("button", { type: "button", class: "small", onclick: () => edit(k),
          "aria-label": `${w.edit} ${k.code}` }, w.edit),
        el("button", { type: "button", class: "small", onclick: () => newKey(k),
          "aria-label": `${w.new_key} ${k.code}` }, w.new_key),
        el("button", { type: "button", class: "small danger", onclick: () => remove(k),
          "aria-label": `${w.remove} ${k.code}` }, w.remove)));
  }

  function render() {
    const w = words();
    tablePanel(panel, {
      name: "kiosks", title: w.kiosks_title,
      add: { id: "add-kiosk", label: w.add_kiosk, onclick: () => edit(null) },
      head: [w.kiosk_code, w.name, w.print_mode, w.printer, w.printer_status, w.kiosk_key, ""],
      rows: (ctx.state.kiosks ?? []).map(row), empty: w.no_kiosks,
    });
  }

  async function load() {
    const result = await ctx.api.kiosks();
    if (result.ok) ctx.state.kiosks = result.data.kiosks;
    else showFailure(result, words().load_failed);
    render();
  }

  return { render, load };
}
