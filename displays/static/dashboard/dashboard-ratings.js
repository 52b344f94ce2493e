// @ts-check
// The dashboard's satisfaction panel (好差评, docs/ratings.md): the day's satisfaction for the
// hall, per service, per window and per staff member (from the report's `satisfaction`
// fields), and the dissatisfied ratings (score ≤ 2) of the day for follow-up
// (GET …/ratings?date=&max_score=2).
import { clockTime } from "../shared/time.js";
import { count, currentLang, percent, serviceName, windowLabel } from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);
const FOLLOW_UP_MAX_SCORE = 2;

const WORDS = {
  zh: {
    title: "服务评价（好差评）",
    rated: "评价数", avg: "平均分", satisfied: "满意率", dissatisfied: "差评",
    by_service: "按业务", by_window: "按窗口", by_staff: "按工作人员",
    name: "", none: "当日暂无评价",
    follow_up: (n) => `差评待回访（${n}）`, no_follow_up: "当日没有差评。",
    col: { at: "时间", number: "号码", service: "业务", window: "窗口", staff: "工作人员",
      score: "评价", reasons: "原因与意见" },
    scores: { 1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意" },
  },
  en: {
    title: "Satisfaction (ratings)",
    rated: "Ratings", avg: "Average", satisfied: "Satisfied", dissatisfied: "Dissatisfied",
    by_service: "By service", by_window: "By window", by_staff: "By staff member",
    name: "", none: "No ratings this day",
    follow_up: (n) => `Dissatisfied, to follow up (${n})`, no_follow_up: "No dissatisfied ratings this day.",
    col: { at: "Time", number: "Number", service: "Service", window: "Window", staff: "Staff",
      score: "Rating", reasons: "Reasons and comment" },
    scores: { 1: "Very dissatisfied", 2: "Dissatisfied", 3: "Fairly satisfied", 4: "Satisfied",
      5: "Very satisfied" },
  },
};
const REASONS = {
  long_wait: ["等候时间长", "Long wait"], slow_service: ["办理慢", "Slow service"],
  attitude: ["服务态度差", "Poor attitude"], unclear: ["解释不清楚", "Unclear explanation"],
  extra_trip: ["需要再跑一趟", "Must come again"], fast: ["办理快", "Fast"],
  friendly: ["态度热情", "Friendly"], clear: ["解释清楚", "Clear explanation"],
  one_trip: ["一次办成", "Done in one trip"], other: ["其他", "Other"],
};

function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== "") node.textContent = text;
  return node;
}

const avg = (s) => (s?.avg == null ? "—" : s.avg.toFixed(2));

export class RatingsPanel {
  /** `api`: hallApi(…); `services`, `windows`: the dashboard's maps of names. */
  constructor(api, services, windows) {
    this.api = api;
    this.services = services;
    this.windows = windows;
    this.report = null;
    this.low = null; // the day's dissatisfied ratings, or null until read
    this.day = null;
    this.version = 0;
  }

  /** The day's report arrived: draw its figures, then read the day's dissatisfied ratings. */
  async show(day, report) {
    this.report = report;
    if (day !== this.day) this.low = null;
    this.day = day;
    this.render();
    const version = ++this.version;
    const result = await this.api.ratings(day, FOLLOW_UP_MAX_SCORE);
    if (!result.ok || version !== this.version) return;
    this.low = result.data.ratings;
    this.render();
  }

  render() {
    const r = this.report;
    if (!r) return;
    const w = WORDS[currentLang()];
    $("ratings-title").textContent = w.title;
    const sat = r.satisfaction ?? { n: 0 };
    const tiles = [
      [w.rated, count(sat.n), "n"], [w.avg, avg(sat), "avg"],
      [w.satisfied, percent(sat.satisfied_rate ?? null), "satisfied"],
      [w.dissatisfied, count(sat.dissatisfied ?? 0), "dissatisfied"],
    ].map(([label, value, key]) => {
      const tile = el("div", "sat-tile");
      tile.dataset.key = key;
      tile.append(el("p", "label", label), el("p", "big", value));
      return tile;
    });
    $("sat-summary").replaceChildren(...tiles);
    $("sat-none").textContent = w.none;
    $("sat-none").hidden = sat.n > 0;
    const service = (code) => `${code} ${serviceName(this.services.get(code), code)}`;
    this.table("sat-service", w.by_service, r.per_service, service, w);
    this.table("sat-window", w.by_window, r.per_window, (n) => windowName(this.windows, Number(n)), w);
    this.table("sat-staff", w.by_staff, r.per_staff, (name) => name, w);
    this.renderLow(w, service);
  }

  /** One group's table: name, ratings, average, satisfied share, dissatisfied count. */
  table(id, caption, groups, name, w) {
    const table = /** @type {HTMLTableElement} */ ($(id));
    const cap = el("caption", "", caption);
    const head = el("tr");
    for (const [text, cls] of [[w.name, ""], [w.rated, "num"], [w.avg, "num"],
      [w.satisfied, "num"], [w.dissatisfied, "num"]]) {
      const th = el("th", cls, text);
      th.scope = "col";
      head.append(th);
    }
    const rows = Object.entries(groups ?? {})
      .filter(([, fig]) => (fig.satisfaction?.n ?? 0) > 0)
      .map(([key, fig]) => {
        const s = fig.satisfaction;
        const tr = el("tr");
        tr.dataset.key = key;
        const th = el("th", "name", name(key));
        th.scope = "row";
        tr.append(th, el("td", "num", count(s.n)), el("td", "num", avg(s)),
          el("td", "num", percent(s.satisfied_rate)),
          el("td", `num${s.dissatisfied ? " bad" : ""}`, count(s.dissatisfied)));
        return tr;
      });
    table.replaceChildren(cap, el("thead"), el("tbody"));
    table.tHead.append(head);
    table.tBodies[0].append(...rows);
    table.hidden = rows.length === 0;
  }

  renderLow(w, service) {
    const low = this.low ?? [];
    $("sat-low-title").textContent = this.low === null ? w.follow_up("…") : w.follow_up(low.length);
    $("sat-low-none").textContent = w.no_follow_up;
    $("sat-low-none").hidden = this.low === null || low.length > 0;
    const table = /** @type {HTMLTableElement} */ ($("sat-low"));
    table.hidden = low.length === 0;
    const head = el("tr");
    for (const key of ["at", "number", "service", "window", "staff", "score", "reasons"]) {
      const th = el("th", "", w.col[key]);
      th.scope = "col";
      head.append(th);
    }
    table.tHead.replaceChildren(head);
    const lang = currentLang() === "en" ? 1 : 0;
    table.tBodies[0].replaceChildren(...low.map((r) => {
      const tr = el("tr");
      tr.dataset.number = r.number;
      const reasons = r.reasons.map((c) => REASONS[c]?.[lang] ?? c);
      if (r.comment) reasons.push(`“${r.comment}”`);
      tr.append(
        el("td", "", clockTime(r.at)), el("td", "number", r.number), el("td", "", service(r.service)),
        el("td", "", r.window == null ? "—" : windowName(this.windows, r.window)),
        el("td", "", r.staff ?? "—"), el("td", `score score-${r.score}`, w.scores[r.score]),
        el("td", "reasons", reasons.join(" · ") || "—"),
      );
      return tr;
    }));
  }
}

function windowName(windows, n) {
  return windowLabel(windows.find((x) => x.number === n) ?? { number: n });
}
