// @ts-check
// Charts as inline SVG, drawn here with no library (a hall may be offline): grouped vertical
// bars, horizontal bars, lines. Each chart fills its element in real pixels and is drawn again
// when the element changes size. Every series has a text label (legend, axis titles, a
// tooltip per mark): colour is never the only way to tell two series apart.

const SVG = "http://www.w3.org/2000/svg";
const specs = new WeakMap(); // element → {kind, spec}
// A resized chart is drawn again in the next frame, from its spec *then*: a spec read here could
// be replaced before the frame (a new day's report), and drawing it would bring back old figures.
const resized = new ResizeObserver((entries) => {
  for (const entry of entries) {
    requestAnimationFrame(() => {
      const current = specs.get(entry.target);
      if (current) draw(entry.target, current.kind, current.spec);
    });
  }
});

function node(name, attrs = {}, text = null) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  if (text !== null) el.textContent = text;
  return el;
}

const round = (x) => Math.round(x * 10) / 10;
/** A width or height: never negative, whatever room the labels leave (SVG refuses < 0). */
const size = (x) => Math.max(0, round(x));
const LABEL_SHARE = 0.4; // at most this much of a chart's width for its row labels

/** `text` cut with "…" to fit `maxW` pixels at font size `px` (a long service name). */
export function fitText(text, maxW, px) {
  const chars = [...String(text)];
  if (textWidth(text, px) <= maxW) return String(text);
  while (chars.length > 1 && textWidth(`${chars.join("")}…`, px) > maxW) chars.pop();
  return `${chars.join("")}…`;
}

/** A "nice" axis over 0…max: {top, step} with step 1, 2 or 5 × 10^k and about `ticks` steps. */
export function niceScale(max, ticks = 4, integer = true) {
  if (!(max > 0)) return { top: integer ? ticks : 1, step: integer ? 1 : 1 / ticks };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  if (integer) step = Math.max(1, Math.ceil(step));
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

function fontPx(el) {
  return parseFloat(getComputedStyle(el).fontSize) || 14;
}

function textWidth(text, px) {
  // Good enough for layout: CJK characters are about one em, others about 0.6 em.
  let w = 0;
  for (const ch of String(text)) w += /[\u2E80-\uFFFF]/.test(ch) ? px : px * 0.6;
  return w;
}

/** The frame of a chart: the SVG, the plot area, the y grid with labels and the axis titles. */
function frame(el, spec, yTop, yStep, yFormat) {
  const width = Math.max(160, el.clientWidth);
  const height = Math.max(120, el.clientHeight);
  const px = fontPx(el);
  const svg = node("svg", {
    width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": spec.summary ?? spec.title ?? "", class: "chart-svg",
  });
  const ticks = [];
  for (let v = 0; v <= yTop + 1e-9; v += yStep) ticks.push(v);
  const labelW = Math.max(...ticks.map((v) => textWidth(yFormat(v), px * 0.9)));
  // The legend sits at the top right; where it would run into the y axis' title, the title
  // goes on a line of its own under it.
  const items = spec.legendItems ?? [];
  const legendW = items.reduce((sum, s) => sum + textWidth(s.label, px * 0.9) + px * 2.5, 0);
  const yTitleW = spec.yLabel ? textWidth(spec.yLabel, px * 0.9) + px : 0;
  const twoLines = items.length > 0 && yTitleW + legendW > width - px;
  const box = {
    left: Math.ceil(labelW + px * 0.8), right: width - px * (spec.rightPad ?? 1),
    top: px * (twoLines ? 3.1 : 1.9), bottom: height - px * (spec.xLabel ? 3.2 : 2),
  };
  box.right = Math.max(box.right, box.left + 1);
  box.bottom = Math.max(box.bottom, box.top + 1);
  box.w = box.right - box.left;
  box.h = box.bottom - box.top;
  const y = (v) => box.bottom - (v / yTop) * box.h;
  const grid = node("g", { class: "grid" });
  for (const v of ticks) {
    grid.append(node("line", { x1: box.left, x2: box.right, y1: round(y(v)), y2: round(y(v)) }));
    grid.append(node("text", {
      x: box.left - px * 0.4, y: round(y(v)), "text-anchor": "end", "dominant-baseline": "middle",
      class: "tick",
    }, yFormat(v)));
  }
  svg.append(grid);
  if (spec.yLabel) {
    svg.append(node("text", { x: 2, y: px * (twoLines ? 2.1 : 0.9), class: "axis-title" }, spec.yLabel));
  }
  if (spec.xLabel) {
    svg.append(node("text", {
      x: box.left + box.w / 2, y: height - px * 0.35, "text-anchor": "middle", class: "axis-title",
    }, spec.xLabel));
  }
  return { svg, box, y, px, width, height };
}

/** The legend: a swatch shaped like the series' mark and its name, at the top right. */
function legend(f, series) {
  const g = node("g", { class: "legend" });
  let x = f.box.right;
  for (const s of [...series].reverse()) {
    const w = textWidth(s.label, f.px * 0.9);
    x -= w;
    g.append(node("text", { x, y: f.px * 0.9, class: "legend-text" }, s.label));
    x -= f.px * 1.3;
    const sy = f.px * 0.9 - f.px * 0.35;
    if (s.line) {
      g.append(node("line", { x1: x - f.px * 0.3, x2: x + f.px * 0.9, y1: sy, y2: sy,
        class: `line s-${s.key}` }));
      g.append(marker(s, x + f.px * 0.3, sy, f.px * 0.3));
    } else {
      g.append(node("rect", { x, y: sy - f.px * 0.4, width: size(f.px * 0.8), height: size(f.px * 0.8),
        class: `bar s-${s.key}` }));
    }
    x -= f.px * 1.2;
  }
  f.svg.append(g);
}

function marker(s, cx, cy, r) {
  if (s.marker === "square") {
    return node("rect", { x: round(cx - r), y: round(cy - r), width: size(2 * r), height: size(2 * r),
      class: `dot s-${s.key}` });
  }
  return node("circle", { cx: round(cx), cy: round(cy), r: round(r), class: `dot s-${s.key}` });
}

function empty(f, text) {
  if (!text) return;
  f.svg.append(node("text", { x: f.box.left + f.box.w / 2, y: f.box.top + f.box.h / 2,
    "text-anchor": "middle", "dominant-baseline": "middle", class: "empty-note" }, text));
}

/**
 * Vertical bars, grouped by category. spec: {categories: [label], series: [{key, label,
 * values}], xLabel, yLabel, labelEvery, tip(category, series, value), barClass(i, s), empty}.
 */
function drawBars(el, spec) {
  const max = Math.max(0, ...spec.series.flatMap((s) => s.values));
  const { top, step } = niceScale(max, spec.ticks ?? 4);
  const items = spec.legend ?? (spec.series.length > 1 ? spec.series : []);
  const f = frame(el, { ...spec, legendItems: items }, top, step, (v) => String(v));
  const n = spec.categories.length;
  const slot = f.box.w / n;
  const group = slot * (spec.groupShare ?? 0.8);
  const barW = group / spec.series.length;
  const bars = node("g", { class: "bars" });
  spec.series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      const x = f.box.left + i * slot + (slot - group) / 2 + si * barW;
      const h = top > 0 ? (v / top) * f.box.h : 0;
      const extra = spec.barClass?.(i, s) ?? "";
      const rect = node("rect", {
        x: round(x), y: round(f.box.bottom - h), width: size(Math.max(1, barW - 1)), height: size(h),
        class: `bar s-${s.key} ${extra}`.trim(), "data-series": s.key, "data-index": i, "data-value": v,
      });
      rect.append(node("title", {}, spec.tip ? spec.tip(spec.categories[i], s, v) : `${spec.categories[i]} ${s.label}: ${v}`));
      bars.append(rect);
      if (spec.valueLabels && v > 0) {
        bars.append(node("text", { x: round(x + barW / 2), y: round(f.box.bottom - h - f.px * 0.3),
          "text-anchor": "middle", class: "value" }, String(v)));
      }
    });
  });
  f.svg.append(bars);
  const every = spec.labelEvery ?? 1;
  const labels = node("g", { class: "x-labels" });
  spec.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    labels.append(node("text", { x: round(f.box.left + i * slot + slot / 2), y: round(f.box.bottom + f.px * 1.2),
      "text-anchor": "middle", class: "tick" }, c));
  });
  f.svg.append(labels);
  f.svg.append(node("line", { x1: f.box.left, x2: f.box.right, y1: f.box.bottom, y2: f.box.bottom, class: "axis" }));
  if (items.length) legend(f, items);
  if (max === 0) empty(f, spec.empty);
  return f.svg;
}

/** Horizontal bars: spec {rows: [{key, label, value, note, tip}], xLabel, empty}. */
function drawHBars(el, spec) {
  const width = Math.max(160, el.clientWidth);
  const height = Math.max(80, el.clientHeight);
  const px = fontPx(el);
  const svg = node("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": spec.summary ?? "", class: "chart-svg" });
  const rows = spec.rows;
  const max = Math.max(0, ...rows.map((r) => r.value));
  // Long names are cut ("…", the whole name in the tooltip) so the bars keep their room.
  const labelMax = width * LABEL_SHARE;
  const labelW = Math.min(labelMax, Math.max(px * 3, ...rows.map((r) => textWidth(r.label, px * 0.95)))) + px * 0.6;
  const noteW = Math.min(width * 0.3, Math.max(0, ...rows.map((r) => textWidth(`${r.value}  ${r.note ?? ""}`, px * 0.9))) + px * 0.6);
  const top = spec.xLabel ? px * 1.6 : px * 0.4;
  const left = labelW;
  const right = Math.max(left + 1, width - noteW);
  const slot = (height - top - px * 0.3) / Math.max(1, rows.length);
  const barH = Math.min(slot * 0.72, px * 2.2);
  if (spec.xLabel) svg.append(node("text", { x: 2, y: px * 0.9, class: "axis-title" }, spec.xLabel));
  const g = node("g", { class: "bars" });
  rows.forEach((r, i) => {
    const cy = top + i * slot + slot / 2;
    const w = max > 0 ? Math.max(0, (r.value / max) * (right - left)) : 0;
    const name = node("text", { x: left - px * 0.5, y: round(cy), "text-anchor": "end",
      "dominant-baseline": "middle", class: "row-label" }, fitText(r.label, labelMax, px * 0.95));
    name.append(node("title", {}, r.label));
    g.append(name);
    const rect = node("rect", { x: left, y: round(cy - barH / 2), width: size(w), height: size(barH),
      class: "bar s-served", "data-series": "served", "data-key": r.key, "data-value": r.value });
    rect.append(node("title", {}, r.tip ?? `${r.label}: ${r.value}`));
    g.append(rect);
    const label = node("text", { x: round(left + w + px * 0.4), y: round(cy), "dominant-baseline": "middle",
      class: "value" });
    label.append(node("tspan", { class: "strong" }, String(r.value)));
    if (r.note) label.append(node("tspan", { dx: px * 0.6, class: "note" }, r.note));
    g.append(label);
  });
  svg.append(g);
  if (!rows.length || max === 0) {
    svg.append(node("text", { x: width / 2, y: height / 2, "text-anchor": "middle",
      "dominant-baseline": "middle", class: "empty-note" }, spec.empty ?? ""));
  }
  return svg;
}

/**
 * Lines over days: spec {labels: [x label], series: [{key, label, values (null: a gap),
 * marker: "circle"|"square"}], yMax, yFormat, xLabel, yLabel, labelEvery, tip(i, s, v)}.
 */
function drawLines(el, spec) {
  const values = spec.series.flatMap((s) => s.values.filter((v) => v != null));
  const max = Math.max(0, ...values);
  const { top, step } = spec.yMax != null
    ? { top: spec.yMax, step: spec.yStep ?? spec.yMax / 4 }
    : niceScale(max, spec.ticks ?? 4);
  const yFormat = spec.yFormat ?? ((v) => String(v));
  const f = frame(el, { ...spec, rightPad: spec.rightPad ?? 3.2, legendItems: spec.series }, top, step, yFormat);
  const n = spec.labels.length;
  const x = (i) => f.box.left + (n <= 1 ? f.box.w / 2 : (i / (n - 1)) * f.box.w);
  const ends = [];
  for (const s of spec.series) {
    const g = node("g", { class: `series s-${s.key}`, "data-series": s.key });
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (v == null) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${round(x(i))},${round(f.y(v))}`;
      pen = true;
    });
    if (d) g.append(node("path", { d, class: `line s-${s.key}`, fill: "none" }));
    s.values.forEach((v, i) => {
      if (v == null) return;
      const dot = marker(s, x(i), f.y(v), f.px * 0.28);
      dot.setAttribute("data-index", i);
      dot.setAttribute("data-value", v);
      dot.append(node("title", {}, spec.tip ? spec.tip(i, s, v) : `${spec.labels[i]} ${s.label}: ${yFormat(v)}`));
      g.append(dot);
    });
    const last = s.values.findLastIndex((v) => v != null);
    if (last >= 0) {
      const label = node("text", { x: round(x(last) + f.px * 0.5), "dominant-baseline": "middle",
        class: `end-label s-${s.key}` }, (spec.endFormat ?? yFormat)(s.values[last]));
      ends.push({ label, y: f.y(s.values[last]) });
      g.append(label);
    }
    f.svg.append(g);
  }
  // The last values' labels, pushed apart where two lines end close together.
  ends.sort((a, b) => a.y - b.y);
  ends.forEach((e, i) => {
    if (i > 0) e.y = Math.max(e.y, ends[i - 1].y + f.px * 1.1);
    e.label.setAttribute("y", round(e.y));
  });
  const every = spec.labelEvery ?? Math.max(1, Math.ceil(n / 6));
  const labels = node("g", { class: "x-labels" });
  spec.labels.forEach((label, i) => {
    if ((n - 1 - i) % every !== 0) return; // always label the last day
    labels.append(node("text", { x: round(x(i)), y: round(f.box.bottom + f.px * 1.2), "text-anchor": "middle",
      class: "tick" }, label));
  });
  f.svg.append(labels);
  f.svg.append(node("line", { x1: f.box.left, x2: f.box.right, y1: f.box.bottom, y2: f.box.bottom, class: "axis" }));
  legend(f, spec.series.map((s) => ({ ...s, line: true })));
  if (!values.length) empty(f, spec.empty);
  return f.svg;
}

const DRAW = { bars: drawBars, hbars: drawHBars, lines: drawLines };

function draw(el, kind, spec) {
  if (!el.isConnected || el.clientWidth === 0) return;
  el.replaceChildren(DRAW[kind](el, spec));
}

/** Draw chart `kind` ("bars", "hbars", "lines") from `spec` into `el`, and again on resize. */
export function chart(el, kind, spec) {
  if (!specs.has(el)) resized.observe(el);
  specs.set(el, { kind, spec });
  draw(el, kind, spec);
}
