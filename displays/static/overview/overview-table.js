// @ts-check
// The overview's table (docs/overview.md): a header of sort buttons (aria-sort on the column's
// th), one row per hall with its name linked to its dashboard, the figures with their cues in
// colour AND words, and a 30-day sparkline per hall drawn as inline SVG.
import { duration } from "../shared/time.js";
import { currentLang, pct, words } from "./overview-words.js";

const SVG = "http://www.w3.org/2000/svg";
/** The table's columns: the API's field each shows and sorts by (`trend`: no sort). */
export const COLUMNS = [
  "name", "waiting", "longest_wait_s", "staffed_windows", "issued", "served",
  "same_day_completion_rate", "promise_met_rate", "one_trip_rate", "satisfied_rate", "trend",
];
/** Which column each cue of the API marks. */
const CUE_COLUMN = {
  long_wait: "longest_wait_s", low_same_day_completion: "same_day_completion_rate",
  low_promise_met: "promise_met_rate", low_one_trip: "one_trip_rate", low_satisfied: "satisfied_rate",
};

/** @param {string} tag @param {Record<string, string>} [attrs] @param {string} [text] */
function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

/** A hall's name in the page's language. @param {{name: string, name_en?: string}} row */
export function hallName(row) {
  return currentLang() === "en" ? row.name_en || row.name : row.name;
}

/**
 * The header row: a button per sortable column; `sort`/`order` mark the column sorted now.
 * @param {HTMLElement} tr @param {string} sort @param {string} order
 * @param {(field: string) => void} onSort
 */
export function renderHead(tr, sort, order, onSort) {
  const w = words();
  tr.replaceChildren();
  for (const key of COLUMNS) {
    const label = w.columns[key];
    if (key === "trend") {
      tr.append(el("th", { scope: "col", class: "plain" }, label));
      continue;
    }
    const th = el("th", { scope: "col", "data-field": key });
    const sorted = key === sort;
    th.setAttribute("aria-sort", sorted ? (order === "asc" ? "ascending" : "descending") : "none");
    const button = el("button", { type: "button", class: "sort", "data-field": key,
      title: w.sort_hint(label) });
    button.append(el("span", {}, label), el("span", { class: "arrow", "aria-hidden": "true" },
      sorted ? (order === "asc" ? "▲" : "▼") : ""));
    button.addEventListener("click", () => onSort(key));
    th.append(button);
    tr.append(th);
  }
}

/** @param {any} value */
const none = (value) => value === null || value === undefined;

/**
 * One figure's cell: its text, a line under it, and the cue (class `bad` and a word).
 * @param {string} text @param {string} sub @param {string | null} cue
 */
function cell(text, sub = "", cue = null) {
  const td = el("td", { class: cue ? "bad" : "" });
  td.append(el("span", { class: text === "—" ? "num none" : "num" }, text));
  if (sub) td.append(el("span", { class: "sub" }, sub));
  if (cue) td.append(el("span", { class: "cue" }, cue));
  return td;
}

/**
 * The sparkline of `values` (nulls: gaps) as an inline SVG with its own label.
 * @param {(number | null)[]} values @param {string} label @param {boolean} share a rate 0…1
 */
export function sparkline(values, label, share) {
  const width = 120;
  const height = 30;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "spark");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("preserveAspectRatio", "none");
  const known = /** @type {number[]} */ (values.filter((v) => v !== null));
  // counts from zero; shares over their own range, at least 10 points tall (noise stays small)
  let top = share ? Math.max(...known, 0) : Math.max(1, ...known);
  let bottom = share ? Math.min(...known, 1) : 0;
  if (share && top - bottom < 0.1) {
    const middle = (top + bottom) / 2;
    top = Math.min(1, middle + 0.05);
    bottom = top - 0.1;
  }
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (/** @type {number} */ v) => height - 2 - ((v - bottom) / (top - bottom || 1)) * (height - 4);
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) { pen = false; return; }
    d += `${pen ? "L" : "M"}${(i * step).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  const title = document.createElementNS(SVG, "title");
  title.textContent = label;
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("class", "line");
  path.setAttribute("d", d || "M0,0");
  svg.append(title, path);
  const lastIndex = values.length - 1;
  if (lastIndex >= 0 && values[lastIndex] !== null) {
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("class", "last");
    dot.setAttribute("cx", String(lastIndex * step));
    dot.setAttribute("cy", String(y(/** @type {number} */ (values[lastIndex]))));
    dot.setAttribute("r", "2.5");
    svg.append(dot);
  }
  return svg;
}

/**
 * The rows, in the API's order. `series`: hall code → its trend entry; `metric`: the field the
 * sparklines show.
 * @param {HTMLElement} tbody @param {any[]} rows @param {Map<string, any>} series @param {string} metric
 */
export function renderBody(tbody, rows, series, metric) {
  const w = words();
  tbody.replaceChildren();
  for (const row of rows) {
    const cues = new Map((row.cues ?? []).map((c) => [CUE_COLUMN[c], w.cues[c]]));
    const tr = el("tr", { "data-hall": row.hall });
    const first = el("td");
    const link = el("a", { class: "hall-link", href: `${row.dashboard}${currentLang() === "en" ? "?lang=en" : ""}` },
      hallName(row));
    first.append(link, el("span", { class: "hall-code" }, row.hall));
    tr.append(first);
    const s = series.get(row.hall);
    const rate = (/** @type {string} */ key, /** @type {string} */ sub) =>
      cell(pct(row[key]), none(row[key]) ? "" : sub, cues.get(key) ?? null);
    // today's one-trip rate counts only the matters decided already; the month's says more
    const month = s && !none(s.range.one_trip_rate) ? w.last30(pct(s.range.one_trip_rate)) : "";
    tr.append(
      cell(none(row.waiting) ? "—" : String(row.waiting)),
      cell(none(row.longest_wait_s) ? "—" : duration(row.longest_wait_s), "", cues.get("longest_wait_s") ?? null),
      cell(none(row.staffed_windows) ? "—" : String(row.staffed_windows), w.of_windows(row.windows)),
      cell(String(row.issued)),
      cell(String(row.served)),
      rate("same_day_completion_rate", w.of_served(row.served)),
      rate("promise_met_rate", w.over(row.promise_decided)),
      cell(pct(row.one_trip_rate), [none(row.one_trip_rate) ? "" : w.over(row.matters_decided), month]
        .filter(Boolean).join(" · "), cues.get("one_trip_rate") ?? null),
      cell(pct(row.satisfied_rate), row.ratings ? w.ratings(row.ratings, row.satisfaction_avg.toFixed(2)) : w.no_ratings,
        cues.get("satisfied_rate") ?? null),
    );
    const trend = el("td", { class: "trend" });
    if (s) {
      const values = s.days.map((d) => d[metric] ?? null);
      const metricWord = { served: w.m_served, same_day_completion_rate: w.m_same_day,
        one_trip_rate: w.m_one_trip, satisfied_rate: w.m_satisfied }[metric];
      trend.append(sparkline(values, w.spark_label(hallName(row), metricWord, s.from, s.to), metric !== "served"));
    } else if (series.size === 0) { // the month's read takes seconds for a big region: say so
      trend.append(el("span", { class: "sub" }, w.trend_loading));
    }
    tr.append(trend);
    tbody.append(tr);
  }
}
