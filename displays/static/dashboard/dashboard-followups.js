// @ts-check
// The dashboard's follow-up card (差评回访, docs/ratings.md): how many follow-ups of dissatisfied
// ratings are open and how many overdue (in the warning colour), and the list to work them: assign
// to an account of the hall, mark contacted, resolve with a note, close as unreachable. The list
// is the hall's, not the shown day's: a follow-up is work until it is closed.
// GET …/followups?state=, POST …/followups/{id}/{assign|contacted|resolve|unreachable}.
import { clockTime } from "../shared/time.js";
import { currentLang, serviceName, windowLabel } from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);
const FILTERS = ["open", "overdue", "closed", "all"];

const WORDS = {
  zh: {
    title: "差评回访", open: "待回访", overdue: "已超期", closed: "已办结",
    filter: "显示", filters: { open: "未办结", overdue: "已超期", closed: "已办结", all: "全部" },
    none: { open: "没有待回访的差评。", overdue: "没有超期的回访。", closed: "还没有办结的回访。", all: "还没有差评回访。" },
    states: { open: "待回访", contacted: "已联系", resolved: "已解决", unreachable: "无法联系" },
    due: (d) => `${d} 前办结`, late: "超期", rated: (t) => `评价于 ${t}`,
    assignee: "负责人", nobody: "（未指定）", note: "回访记录",
    note_hint: "联系情况、整改措施（解决时必填）",
    contacted: "已联系", resolve: "已解决", unreachable: "无法联系",
    by: (who, t) => `${who ?? "—"} 于 ${t} 关闭`, truncated: "只显示最新的 500 条。",
    staff: "经办", window: (n) => `${n}号窗口`,
    errors: { missing_note: "请填写回访记录：做了什么", followup_closed: "这条回访已关闭",
      already_contacted: "已联系过：请填写记录后点“已解决”", unknown_assignee: "不是本大厅的账号",
      bad_note: "回访记录最多 500 字" },
    failed: "没有保存：", saved: "已保存",
  },
  en: {
    title: "Follow-ups", open: "Open", overdue: "Overdue", closed: "Closed",
    filter: "Show", filters: { open: "Not closed", overdue: "Overdue", closed: "Closed", all: "All" },
    none: { open: "No dissatisfied ratings to follow up.", overdue: "No overdue follow-ups.",
      closed: "No follow-ups closed yet.", all: "No follow-ups yet." },
    states: { open: "To follow up", contacted: "Contacted", resolved: "Resolved", unreachable: "Unreachable" },
    due: (d) => `due ${d}`, late: "Overdue", rated: (t) => `rated at ${t}`,
    assignee: "Assigned to", nobody: "(nobody)", note: "Follow-up note",
    note_hint: "Who was reached, what was put right (needed to resolve)",
    contacted: "Contacted", resolve: "Resolved", unreachable: "Unreachable",
    by: (who, t) => `closed by ${who ?? "—"} at ${t}`, truncated: "Only the newest 500 are shown.",
    staff: "Served by", window: (n) => `window ${n}`,
    errors: { missing_note: "Write a note: what was done", followup_closed: "This follow-up is closed",
      already_contacted: "Already contacted: write a note and press Resolved",
      unknown_assignee: "Not an account of this hall", bad_note: "A note is at most 500 characters" },
    failed: "Not saved: ", saved: "Saved",
  },
};
const SCORES = { 1: ["非常不满意", "Very dissatisfied"], 2: ["不满意", "Dissatisfied"] };
const REASONS = {
  long_wait: ["等候时间长", "Long wait"], slow_service: ["办理慢", "Slow service"],
  attitude: ["服务态度差", "Poor attitude"], unclear: ["解释不清楚", "Unclear explanation"],
  extra_trip: ["需要再跑一趟", "Must come again"], other: ["其他", "Other"],
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export class FollowupsPanel {
  /** `api`: hallApi(…); `services`, `windows`: the dashboard's maps of names. */
  constructor(api, services, windows) {
    this.api = api;
    this.services = services;
    this.windows = windows;
    this.filter = "open";
    this.data = null; // the last list read, or null until read
    this.version = 0;
    this.busy = new Set(); // follow-ups with a change on its way
    this.errors = new Map(); // follow-up id → the last refusal, in words
    this.drafts = new Map(); // follow-up id → the note being typed (kept across refreshes)
    const select = /** @type {HTMLSelectElement} */ ($("fu-filter"));
    select.addEventListener("change", () => { this.filter = select.value; this.load(); });
  }

  /** Read the list again (the board refreshed, a change was made, the filter changed). */
  async load() {
    const version = ++this.version;
    const result = await this.api.followups(this.filter);
    if (!result.ok || version !== this.version) return;
    this.data = result.data;
    this.render();
  }

  render() {
    const w = WORDS[currentLang()];
    $("fu-title").textContent = w.title;
    $("fu-filter-label").textContent = w.filter;
    const select = /** @type {HTMLSelectElement} */ ($("fu-filter"));
    select.replaceChildren(...FILTERS.map((f) => el("option", { value: f, selected: f === this.filter }, w.filters[f])));
    const counts = this.data?.counts ?? { open: null, overdue: null, closed: null };
    $("fu-counts").replaceChildren(...["open", "overdue", "closed"].map((key) => {
      const n = counts[key];
      return el("div", { className: `sat-tile fu-tile${key === "overdue" && n > 0 ? " warn" : ""}`, dataset: { key } },
        el("p", { className: "label" }, w[key]), el("p", { className: "big" }, n == null ? "…" : String(n)));
    }));
    const list = this.data?.followups ?? [];
    $("fu-none").textContent = w.none[this.filter];
    $("fu-none").hidden = this.data === null || list.length > 0;
    $("fu-truncated").textContent = w.truncated;
    $("fu-truncated").hidden = !this.data?.truncated;
    // keep what is being typed and where the focus is across a redraw
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.id : "";
    $("fu-list").replaceChildren(...list.map((f) => this.item(f, w)));
    if (focused && $(focused)) $(focused).focus();
  }

  /** One follow-up: the rating it follows, its due date and state, and what can be done now. */
  item(f, w) {
    const lang = currentLang() === "en" ? 1 : 0;
    const closed = f.state === "resolved" || f.state === "unreachable";
    const service = this.services.get(f.service);
    const reasons = f.rating.reasons.map((c) => REASONS[c]?.[lang] ?? c);
    if (f.rating.comment) reasons.push(`“${f.rating.comment}”`);
    const windowText = f.window == null ? "" : windowLabel(this.windows.find((x) => x.number === f.window) ?? { number: f.window });
    const head = el("div", { className: "fu-head" },
      el("span", { className: "number" }, f.number),
      el("span", { className: `score score-${f.rating.score}` }, SCORES[f.rating.score]?.[lang] ?? String(f.rating.score)),
      el("span", { className: "svc" }, [`${f.service} ${serviceName(service, f.service)}`, windowText,
        f.staff ? `${w.staff} ${f.staff}` : ""].filter(Boolean).join(" · ")),
      el("span", { className: "state" }, w.states[f.state]),
      el("span", { className: `due${f.overdue ? " late" : ""}` }, f.overdue ? `⚠ ${w.late} · ${w.due(f.due)}` : w.due(f.due)));
    const rated = w.rated(`${f.rating.at.slice(0, 10)} ${clockTime(f.rating.at)}`);
    const what = el("p", { className: "fu-what" }, `${rated} · ${reasons.join(" · ") || "—"}`);
    const li = el("li", { className: `fu state-${f.state}${f.overdue ? " overdue" : ""}`, dataset: { id: String(f.id), number: f.number } }, head, what);
    if (closed) {
      li.append(el("p", { className: "fu-closed" }, w.by(f.closed_by, `${f.closed_at.slice(0, 10)} ${clockTime(f.closed_at)}`)));
      if (f.note) li.append(el("p", { className: "fu-note" }, f.note));
      return li;
    }
    li.append(this.controls(f, w));
    const error = this.errors.get(f.id);
    li.append(el("p", { className: "fu-error", role: "alert", hidden: !error }, error ?? ""));
    return li;
  }

  controls(f, w) {
    const busy = this.busy.has(f.id);
    const ids = { assign: `fu-assign-${f.id}`, note: `fu-note-${f.id}` };
    const names = this.data?.assignees ?? [];
    const assign = /** @type {HTMLSelectElement} */ (el("select", { id: ids.assign, disabled: busy, dataset: { act: "assign" } },
      el("option", { value: "", selected: !f.assignee }, w.nobody),
      ...names.map((n) => el("option", { value: n, selected: n === f.assignee }, n))));
    assign.addEventListener("change", () => this.act(f.id, "assign", { assignee: assign.value || null }));
    const note = /** @type {HTMLTextAreaElement} */ (el("textarea", { id: ids.note, rows: 2, maxLength: 500,
      placeholder: w.note_hint, disabled: busy }));
    note.value = this.drafts.get(f.id) ?? f.note ?? "";
    note.addEventListener("input", () => this.drafts.set(f.id, note.value));
    const noted = () => (note.value.trim() ? { note: note.value } : {});
    const button = (act, text, body) => {
      const b = el("button", { type: "button", className: `fu-${act}`, disabled: busy, dataset: { act } }, text);
      b.addEventListener("click", () => this.act(f.id, act, body()));
      return b;
    };
    return el("div", { className: "fu-controls" },
      el("label", { className: "fu-field", htmlFor: ids.assign }, el("span", {}, w.assignee), assign),
      el("label", { className: "fu-field fu-note-field", htmlFor: ids.note }, el("span", {}, w.note), note),
      el("div", { className: "fu-buttons" },
        f.state === "open" ? button("contacted", w.contacted, noted) : null,
        button("resolve", w.resolve, () => ({ note: note.value })),
        f.state === "open" ? button("unreachable", w.unreachable, noted) : null));
  }

  /** One change; on success the note typed is done with and the list is read again. */
  async act(id, action, body) {
    this.busy.add(id);
    this.errors.delete(id);
    this.render();
    const result = await this.api.followupAct(id, action, body);
    this.busy.delete(id);
    if (result.ok) {
      if (action !== "assign") this.drafts.delete(id);
    } else {
      const failure = /** @type {import("../shared/session.js").Failure} */ (result);
      const w = WORDS[currentLang()];
      this.errors.set(id, w.failed + (w.errors[failure.code] ?? failure.message ?? failure.code));
    }
    await this.load();
  }
}
