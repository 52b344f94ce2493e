// @ts-check
// A day on the dashboard (today or any past day): the KPI tiles, the charts of the day (arrivals
// and calls per hour, the wait distribution, the windows' throughput), the per-service table,
// and the 30-day trends. Fed by GET …/report?date= and GET …/trend.
import { chart } from "./dashboard-charts.js";
import {
  count, currentLang, minutes, percent, serviceName, windowLabel, words,
} from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);

function el(tag, className = "", text = null) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== null) e.textContent = text;
  return e;
}

/** Minutes as a bare number with one decimal ("10.2"), for tiles whose label says the unit. */
const mins = (s) => (s == null ? "—" : (s / 60).toFixed(1));

// The tiles: [key, kind]. "one": a big value and a line under it; "times": avg, p50, p90.
const TILES = [
  ["issued", "one"], ["served", "one"], ["no_show", "one"], ["completion", "one"],
  ["level", "one"], ["promise", "one"], ["wait", "times"], ["service", "times"], ["estimate", "one"],
];

function buildTiles() {
  const tiles = TILES.map(([key, kind]) => {
    const tile = el("div", `kpi ${kind}`);
    tile.dataset.kpi = key;
    tile.append(el("p", "label"));
    if (kind === "times") {
      const row = el("div", "trio");
      for (const field of ["avg", "p50", "p90"]) {
        const cell = el("div", `cell ${field}`);
        cell.append(el("span", "what"), el("span", "big"));
        cell.lastChild.dataset.field = field;
        row.append(cell);
      }
      tile.append(row);
    } else {
      const big = el("p", "big");
      big.dataset.field = "value";
      tile.append(big, el("p", "sub"));
    }
    return tile;
  });
  $("kpis").replaceChildren(...tiles);
}

function setTile(key, value, sub = "", raw = value, state = "") {
  const tile = /** @type {HTMLElement} */ (document.querySelector(`.kpi[data-kpi="${key}"]`));
  const big = /** @type {HTMLElement} */ (tile.querySelector("[data-field='value']"));
  big.textContent = value;
  big.dataset.value = raw ?? "";
  tile.querySelector(".sub").textContent = sub;
  tile.dataset.state = state;
}

function setTimes(key, label, summary) {
  const w = words();
  const tile = document.querySelector(`.kpi[data-kpi="${key}"]`);
  tile.querySelector(".label").textContent = label;
  for (const field of ["avg", "p50", "p90"]) {
    const cell = tile.querySelector(`.cell.${field}`);
    cell.querySelector(".what").textContent = w[field];
    const big = /** @type {HTMLElement} */ (cell.querySelector(".big"));
    big.textContent = mins(summary?.[field]);
    big.dataset.value = summary?.[field] ?? "";
    big.title = minutes(summary?.[field]);
  }
}

/** A rate's state for its colour (and its word in the tile's title): good, fair, poor. */
/** Whether the report's day is over (the hall's date now is past it). */
const dayOver = (r) => (r.now ?? "").slice(0, 10) > r.date;

/**
 * The same-day completion tile's colour, by what is late: while the day runs, a pending matter
 * still within the promise is not a failure (at 10:00, 7 pending of 23 is no 69.6 % "red"); the
 * rate graded is over the matters decided (completed, or past their promise). Once the day is
 * over, the rate itself.
 */
function completionGrade(r) {
  if (dayOver(r)) return grade(r.same_day_completion_rate, 0.9, 0.75);
  const late = r.promise_met?.overdue_open ?? 0;
  const decided = r.completed_same_day + late;
  return grade(decided ? r.completed_same_day / decided : null, 0.9, 0.75);
}

function completionSub(r) {
  const w = words();
  const done = w.k_completion_sub(count(r.completed_same_day), count(r.served));
  const open = (r.promise_met?.open_in_time ?? 0) + (r.promise_met?.overdue_open ?? 0);
  if (dayOver(r) || !open) return done;
  return `${done} · ${w.k_completion_open(open, r.promise_met.overdue_open)}`;
}

const grade = (rate, good, fair) => (rate == null ? "" : rate >= good ? "good" : rate >= fair ? "fair" : "poor");

export class DayView {
  constructor(services, windows) {
    this.services = services; // Map code → {name, name_en, target_wait_s}
    this.windows = windows; // [{number, name, services}]
    this.report = null;
    this.trend = null;
    this.day = null;
    this.today = false;
    buildTiles();
  }

  show(day, today) {
    this.day = day;
    this.today = today;
  }

  setReport(report) {
    this.report = report;
    this.renderReport();
  }

  setTrend(trend) {
    this.trend = trend;
    this.renderTrend();
  }

  clear() {
    this.report = null;
    this.trend = null;
  }

  render() {
    this.renderReport();
    this.renderTrend();
  }

  renderReport() {
    const w = words();
    const r = this.report;
    const promiseMin = Math.round((r?.promise_met?.promise_s ?? 3600) / 60);
    for (const [key] of TILES) {
      const label = document.querySelector(`.kpi[data-kpi="${key}"] .label`);
      label.textContent = key === "promise" ? w.k_promise(promiseMin) : w[`k_${key}`];
    }
    if (!r) return;
    setTile("issued", count(r.issued), w.k_issued_sub(count(r.cancelled), count(r.waiting)), r.issued);
    setTile("served", count(r.served), w.k_served_sub(count(r.called)), r.served);
    setTile("no_show", count(r.no_show), w.k_no_show_sub(percent(r.called ? r.no_show / r.called : null)), r.no_show);
    const rate = r.same_day_completion_rate;
    setTile("completion", percent(rate), completionSub(r), rate, completionGrade(r));
    const level = r.service_level;
    setTile("level", percent(level.rate), w.k_level_sub(count(level.within_target), count(level.called)),
      level.rate, grade(level.rate, 0.8, 0.6));
    const promise = r.promise_met;
    setTile("promise", percent(promise.rate), w.k_promise_sub(promise), promise.rate, grade(promise.rate, 0.9, 0.75));
    setTimes("wait", w.k_wait, r.wait_s);
    setTimes("service", w.k_service, r.service_s);
    const est = r.estimate ?? { n: 0, mae_s: null, bias_s: null, mae_ratio: null };
    const bias = est.bias_s == null ? "" : Math.abs(est.bias_s) < 30 ? w.bias_none
      : est.bias_s > 0 ? w.bias_longer(minutes(est.bias_s)) : w.bias_shorter(minutes(est.bias_s));
    setTile("estimate", minutes(est.mae_s), est.mae_s == null ? "" : w.k_estimate_sub(percent(est.mae_ratio), bias),
      est.mae_s, grade(est.mae_ratio == null ? null : 1 - est.mae_ratio, 0.8, 0.65));
    this.renderCharts();
    this.renderTable();
  }

  renderCharts() {
    const w = words();
    const r = this.report;
    const en = currentLang() === "en";
    const hours = r.hourly.map((h) => String(h.hour));
    chart($("c-hourly").querySelector(".plot"), "bars", {
      summary: w.c_hourly, categories: hours, labelEvery: 1, yLabel: w.people_axis, xLabel: w.hour_axis,
      series: [
        { key: "arrivals", label: w.arrivals, values: r.hourly.map((h) => h.arrivals) },
        { key: "calls", label: w.calls, values: r.hourly.map((h) => h.calls) },
      ],
      tip: (hour, s, v) => (en ? `${hour.padStart(2, "0")}:00–${String(+hour + 1).padStart(2, "0")}:00 · ${s.label}: ${v}`
        : `${hour}时–${+hour + 1}时 · ${s.label} ${v} 人次`),
      empty: w.no_data,
    });
    const targets = [...this.services.values()].map((s) => s.target_wait_s ?? 900);
    const target = targets.length && targets.every((t) => t === targets[0]) ? targets[0] / 60 : null;
    const buckets = r.wait_histogram;
    chart($("c-wait").querySelector(".plot"), "bars", {
      summary: w.c_wait, yLabel: w.people_axis, xLabel: w.minutes_axis, valueLabels: true, groupShare: 0.78,
      categories: buckets.map((b) => (b.to_min == null ? `${b.from_min}+` : `${b.from_min}–${b.to_min}`)),
      series: [{ key: "wait", label: w.tickets, values: buckets.map((b) => b.count) }],
      barClass: (i) => (target != null && buckets[i].from_min >= target ? "over" : ""),
      legend: target != null ? [{ key: "wait", label: w.within_target }, { key: "wait over", label: w.over_target }] : null,
      tip: (c, s, v) => (en ? `${c} min: ${v} tickets` : `${c} 分钟：${v} 人次`),
      empty: w.no_data,
    });
    const through = r.per_window_throughput ?? {};
    const numbers = new Set([...this.windows.map((x) => x.number), ...Object.keys(through).map(Number)]);
    const rows = [...numbers].sort((a, b) => a - b).map((n) => {
      const known = this.windows.find((x) => x.number === n) ?? { number: n };
      const t = through[String(n)];
      const note = t?.service_s_avg != null ? w.per_window_sub(minutes(t.service_s_avg)) : "";
      return { key: String(n), label: windowLabel(known), value: t?.served ?? 0, note,
        tip: `${windowLabel(known)}: ${t?.served ?? 0} ${w.served}${note ? ` · ${note}` : ""}` };
    });
    chart($("c-windows").querySelector(".plot"), "hbars", { summary: w.c_windows, rows, empty: w.no_data });
  }

  renderTable() {
    const w = words();
    const r = this.report;
    const cols = ["s_service", "s_waiting", "s_issued", "s_served", "s_no_show", "s_completion",
      "s_wait_avg", "s_wait_p90", "s_target", "s_level", "s_estimate"];
    const head = el("tr");
    for (const c of cols) head.append(el("th", c === "s_service" ? "" : "num", w[c]));
    for (const th of head.children) th.scope = "col";
    /** @type {HTMLTableElement} */ ($("per-service")).tHead.replaceChildren(head);
    const codes = new Set([...this.services.keys(), ...Object.keys(r.per_service ?? {})]);
    const row = (code, fig, name, target) => {
      const tr = el("tr");
      tr.dataset.service = code;
      const est = fig?.estimate;
      const cells = [
        fig?.waiting ?? 0, fig?.issued ?? 0, fig?.served ?? 0, fig?.no_show ?? 0,
      ].map(count);
      const th = el("th", "name");
      th.scope = "row";
      if (code) th.append(el("span", "code", code), " ");
      th.append(name);
      tr.append(th);
      for (const [i, text] of [
        ...cells, percent(fig?.same_day_completion_rate ?? null), minutes(fig?.wait_s?.avg),
        minutes(fig?.wait_s?.p90), target == null ? "—" : minutes(target), percent(fig?.service_level?.rate ?? null),
        est?.mae_s == null ? "—" : `${minutes(est.mae_s)} (${percent(est.mae_ratio)})`,
      ].entries()) {
        const td = el("td", "num", text);
        td.dataset.col = cols[i + 1];
        tr.append(td);
      }
      return tr;
    };
    const body = [...codes].sort().map((code) => {
      const s = this.services.get(code);
      return row(code, r.per_service?.[code], serviceName(s, code), s?.target_wait_s ?? null);
    });
    const total = row("", r, w.s_total, null);
    total.classList.add("total");
    /** @type {HTMLTableElement} */ ($("per-service")).tBodies[0].replaceChildren(...body, total);
  }

  renderTrend() {
    const t = this.trend;
    if (!t) return;
    const w = words();
    const en = currentLang() === "en";
    const labels = t.days.map((d) => `${+d.date.slice(5, 7)}/${+d.date.slice(8, 10)}`);
    const tipDay = (i) => t.days[i].date;
    const open = t.days.map((d) => (d.issued > 0 ? d : null)); // a day without tickets: a gap
    chart($("c-rate").querySelector(".plot"), "lines", {
      summary: w.c_rate, labels, yMax: 1, yStep: 0.25, xLabel: w.date_axis,
      yFormat: (v) => `${Math.round(v * 100)}%`, endFormat: percent,
      series: [{ key: "rate", label: w.rate, marker: "circle",
        values: t.days.map((d) => d.same_day_completion_rate) }],
      tip: (i, s, v) => `${tipDay(i)} · ${s.label} ${percent(v)} (${t.days[i].completed_same_day}/${t.days[i].served})`,
      empty: w.no_data,
    });
    chart($("c-daily").querySelector(".plot"), "lines", {
      summary: w.c_daily, labels, yLabel: w.people_axis, xLabel: w.date_axis,
      series: [
        { key: "issued", label: w.issued, marker: "square", values: open.map((d) => d && d.issued) },
        { key: "served", label: w.served, marker: "circle", values: open.map((d) => d && d.served) },
      ],
      tip: (i, s, v) => `${tipDay(i)} · ${s.label} ${v}${en ? "" : " 人次"}`,
      empty: w.no_data,
    });
  }
}
