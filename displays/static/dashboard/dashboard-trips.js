// @ts-check
// The dashboard's one-trip card (一次办结率, trips per matter, docs/reports.md): for the shown day
// (the matters begun that day, from GET …/report's `trips`) and for the 30 days ending with it
// (GET …/trend's `trips`): the one-trip rate, how many trips the completed matters took (1, 2, 3,
// 4 or more, as bars with their counts written out), the mean, and the matters still open or
// unfinished; then each real-name service over the 30 days.
import { count, currentLang, percent, serviceName } from "./dashboard-words.js";

const $ = (id) => document.getElementById(id);
const BUCKETS = ["1", "2", "3", "4+"];

const WORDS = {
  zh: {
    title: "一次办结率", day: "当天", range: "近 30 天", rate: "一次办结率",
    of: (one, decided) => `${one} / ${decided} 件（已办结或超期未办结）`,
    trips: (b) => (b === "4+" ? "4 次及以上" : `${b} 次`), dist: "办结所跑次数",
    mean: (m) => `平均 ${m} 次`, open: (n) => `办理中 ${n} 件`, unfinished: (n) => `超期未办结 ${n} 件`,
    window: (d) => `事项自首次到访起 ${d} 天内计；只计实名取号的业务`,
    none: "这段时间没有实名取号的事项。", service: "业务", matters: "事项",
    one_trip: "一次办结", total: "合计",
  },
  en: {
    title: "One-trip rate", day: "This day", range: "Last 30 days", rate: "One-trip rate",
    of: (one, decided) => `${one} of ${decided} matters decided`,
    trips: (b) => (b === "4+" ? "4 or more trips" : b === "1" ? "1 trip" : `${b} trips`),
    dist: "Trips per completed matter",
    mean: (m) => `mean ${m} trips`, open: (n) => `${n} in progress`, unfinished: (n) => `${n} unfinished`,
    window: (d) => `A matter counts ${d} days from its first visit; real-name services only`,
    none: "No real-name matters in this period.", service: "Service", matters: "Matters",
    one_trip: "One trip", total: "Total",
  },
};

function el(tag, className = "", text = null) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== null) e.textContent = text;
  return e;
}

/** One column of the card: the rate, its counts, the distribution as bars, mean, open. */
function column(key, heading, t, w) {
  const box = el("div", "trips-col");
  box.dataset.scope = key;
  box.append(el("h4", "", heading));
  const big = el("p", "big", percent(t?.one_trip_rate ?? null));
  big.dataset.field = "rate";
  box.append(el("p", "label", w.rate), big);
  if (!t || !t.matters) {
    box.append(el("p", "sat-none", w.none));
    return box;
  }
  box.append(el("p", "sub", w.of(count(t.one_trip), count(t.completed + t.unfinished))));
  const list = el("ol", "trips-dist");
  list.setAttribute("aria-label", w.dist);
  const most = Math.max(1, ...BUCKETS.map((b) => t.distribution[b]));
  for (const b of BUCKETS) {
    const li = el("li");
    li.dataset.trips = b;
    const bar = el("span", "bar");
    bar.style.setProperty("--share", String(t.distribution[b] / most));
    li.append(el("span", "what", w.trips(b)), bar, el("span", "n", count(t.distribution[b])));
    list.append(li);
  }
  box.append(list);
  const notes = [t.mean_trips == null ? "" : w.mean(t.mean_trips), w.open(count(t.open)),
    w.unfinished(count(t.unfinished))].filter(Boolean);
  box.append(el("p", "sub", notes.join(" · ")));
  return box;
}

export class TripsCard {
  constructor(services) {
    this.services = services; // Map code → {name, name_en}
    this.day = null; // the report's trips
    this.range = null; // the trend's trips
  }

  setDay(trips) {
    this.day = trips ?? null;
    this.render();
  }

  setRange(trips) {
    this.range = trips ?? null;
    this.render();
  }

  clear() {
    this.day = null;
    this.range = null;
  }

  render() {
    const w = WORDS[currentLang()];
    $("trips-title").textContent = w.title;
    const windowDays = (this.day ?? this.range)?.window_days;
    $("trips-window").textContent = windowDays ? w.window(windowDays) : "";
    $("trips-cols").replaceChildren(column("day", w.day, this.day, w), column("range", w.range, this.range, w));
    const table = /** @type {HTMLTableElement} */ ($("trips-services"));
    const per = this.range?.per_service ?? {};
    const codes = Object.keys(per).sort();
    table.hidden = codes.length === 0;
    const head = el("tr");
    for (const [i, text] of [w.service, w.matters, w.one_trip, w.rate, ...BUCKETS.map(w.trips)].entries()) {
      head.append(el("th", i ? "num" : "", text)); // the counts' headings over their right edge
    }
    table.tHead.replaceChildren(head);
    const row = (label, fig, code) => {
      const tr = el("tr");
      tr.dataset.service = code;
      tr.append(el("th", "name", label)); // a long name wraps, as in the per-service table
      for (const text of [count(fig.matters), count(fig.one_trip), percent(fig.one_trip_rate),
        ...BUCKETS.map((b) => count(fig.distribution[b]))]) tr.append(el("td", "num", text));
      return tr;
    };
    const rows = codes.map((c) => row(`${c} ${serviceName(this.services.get(c), c)}`, per[c], c));
    if (codes.length) {
      const total = row(w.total, this.range, "");
      total.classList.add("total");
      rows.push(total);
    }
    table.tBodies[0].replaceChildren(...rows);
  }
}
