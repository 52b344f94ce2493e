// @ts-check
// The staff tab: the hall's accounts (username, role, window, disabled; the display name and
// staff number the window screens show), added with a password,
// changed, given a new password, and removed with confirmation (PUT/DELETE …/users/{username}).

import {
  changes, el, field, input, openEditor, removeConfirmed, showError, showFailure, showMessage,
  tablePanel,
} from "./settings-ui.js";
import { words } from "./settings-words.js";

export function staffTab(ctx, panel) {
  const roles = () => ["staff", "manager", ...(ctx.session.value?.role === "admin" ? ["admin"] : [])];

  function roleSelect(value) {
    const w = words();
    return el("select", {},
      roles().map((r) => el("option", { value: r, selected: r === value }, w.roles[r])));
  }

  const windowExists = (n) => ctx.state.settings.windows.some((win) => win.number === n);

  function windowSelect(value) {
    const w = words();
    const gone = value != null && !windowExists(value); // kept, not silently changed to "any"
    return el("select", {},
      el("option", { value: "", selected: value == null }, w.any_window),
      ctx.state.settings.windows.map((win) =>
        el("option", { value: win.number, selected: win.number === value }, `${win.number} · ${win.name}`)),
      gone ? el("option", { value, selected: true }, `${value} · ${w.window_gone}`) : null);
  }

  const windowOf = (select) => (select.value === "" ? null : Number(select.value));

  /** The display name and staff number (工号) the window screen shows while the account works there. */
  function nameFields(user) {
    const w = words();
    const displayName = input({ value: user?.display_name ?? "", maxlength: 64 });
    const staffNo = input({ value: user?.staff_no ?? "", maxlength: 32, autocapitalize: "none" });
    return {
      node: el("div", { class: "pair" }, field("display_name", w.display_name, displayName, w.display_name_hint),
        field("staff_no", w.staff_no, staffNo)),
      read: () => ({ display_name: displayName.value.trim(), staff_no: staffNo.value.trim() }),
    };
  }

  async function save(root, name, body, done) {
    const result = await ctx.saving(() => ctx.api.putUser(name, body));
    if (result.ok) {
      showMessage("ok", words().saved_what(`${name}${done ? ` · ${done}` : ""}`));
      await load();
      return true;
    }
    showError(root, result);
    await load();
    return false;
  }

  async function add() {
    const w = words();
    const username = input({ maxlength: 64, autocapitalize: "none" });
    const role = roleSelect("staff");
    const win = windowSelect(null);
    const password = input({ type: "password", autocomplete: "new-password", maxlength: 256 });
    const names = nameFields(null);
    await openEditor({
      title: w.add_user,
      body: [el("div", { class: "pair" }, field("username", w.username, username),
        field("role", w.role, role)),
        el("div", { class: "pair" }, field("window", w.window, win),
          field("password", w.password, password, w.password_hint)), names.node],
      okLabel: w.add,
      submit: (root) => {
        const name = username.value.trim();
        if (ctx.state.users.some((u) => u.username === name)) {
          showError(root, { status: 409, code: "user_taken", message: "username" });
          return false;
        }
        if (!name) {
          showError(root, { status: 400, code: "missing_field", message: "username" });
          return false;
        }
        return save(root, name, {
          role: role.value, window: windowOf(win), password: password.value, ...names.read(),
        });
      },
    });
  }

  async function edit(user) {
    const w = words();
    const role = roleSelect(user.role);
    const win = windowSelect(user.window);
    const disabled = el("input", { type: "checkbox", checked: user.disabled });
    const names = nameFields(user);
    await openEditor({
      title: w.edit_user(user.username),
      body: [el("div", { class: "pair" }, field("role", w.role, role), field("window", w.window, win)),
        names.node, field("disabled", w.account_disabled, disabled)],
      submit: (root) => {
        const body = changes(user, {
          role: role.value, window: windowOf(win), disabled: disabled.checked, ...names.read(),
        });
        if (!Object.keys(body).length) {
          showMessage("info", w.nothing_changed);
          return true;
        }
        return save(root, user.username, body);
      },
    });
  }

  async function resetPassword(user) {
    const w = words();
    const password = input({ type: "password", autocomplete: "new-password", maxlength: 256 });
    await openEditor({
      title: w.reset_q(user.username),
      body: [field("password", w.new_password, password, w.password_hint)],
      submit: (root) => save(root, user.username, { password: password.value }, w.reset_password),
    });
  }

  async function remove(user) {
    await removeConfirmed(ctx, {
      question: words().remove_user_q(user.username), call: () => ctx.api.deleteUser(user.username),
      what: user.username,
    });
    await load();
    document.getElementById("add-user")?.focus();
  }

  function row(user) {
    const w = words();
    const me = user.username === ctx.session.username;
    const label = (what) => ({ "aria-label": `${what} ${user.username}` });
    return el("tr", { dataset: { user: user.username }, class: user.disabled ? "disabled" : null },
      el("th", { scope: "row" }, user.username, me ? el("small", {}, w.you) : null,
        user.display_name || user.staff_no
          ? el("small", { class: "shown-as" }, [user.display_name, user.staff_no].filter(Boolean).join(" · "))
          : null),
      el("td", {}, w.roles[user.role] ?? user.role),
      el("td", {}, user.window == null ? w.any_window : w.window_default(user.window),
        user.window != null && !windowExists(user.window) ? el("small", {}, w.window_gone) : null),
      el("td", {}, el("span", { class: `state ${user.disabled ? "off" : "on"}` },
        user.disabled ? w.disabled : w.active)),
      el("td", { class: "row-actions" },
        el("button", { type: "button", class: "small", onclick: () => edit(user), ...label(w.edit) }, w.edit),
        el("button", { type: "button", class: "small", onclick: () => resetPassword(user),
          ...label(w.reset_password) },
          w.reset_password),
        me ? null : el("button", { type: "button", class: "small danger", onclick: () => remove(user),
          ...label(w.remove) }, w.remove)));
  }

  function render() {
    const w = words();
    tablePanel(panel, {
      name: "staff", title: w.staff_title, add: { id: "add-user", label: w.add_user, onclick: add },
      head: [w.username, w.role, w.window, w.status, ""], rows: (ctx.state.users ?? []).map(row),
    });
  }

  async function load() {
    const result = await ctx.api.users();
    if (result.ok) ctx.state.users = result.data.users;
    else showFailure(result, words().load_failed);
    render();
  }

  return { render, load };
}
