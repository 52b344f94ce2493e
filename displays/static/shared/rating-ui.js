// @ts-check
// The rating form's parts (好差评), shared by the citizen's ticket page (/t/{id}) and the screen
// beside a window (/halls/{hall}/windows/{n}/rate): five faces, the reasons as chips.
// The scale and the reasons come from GET /api/v1/ratings/scale (domain/rating.py).

const SVG = "http://www.w3.org/2000/svg";
// Mouth curvature per score: a smile for 5, a frown for 1.
const MOUTH = { 5: 9, 4: 5, 3: 0, 2: -5, 1: -9 };

/** A face for `score` as an inline SVG (no emoji font needed). */
export function face(score) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 48 48");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("face", `face-${score}`);
  const part = (name, attrs) => {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.append(el);
  };
  part("circle", { cx: 24, cy: 24, r: 22, class: "face-disc" });
  part("circle", { cx: 16.5, cy: 19, r: 3, class: "face-eye" });
  part("circle", { cx: 31.5, cy: 19, r: 3, class: "face-eye" });
  const bend = MOUTH[score];
  const y = bend >= 0 ? 30 : 35;
  part("path", { d: `M14 ${y} Q24 ${y + bend * 1.2} 34 ${y}`, class: "face-mouth" });
  return svg;
}

/** The reasons that go with a score: `low` ones with 1–3, `high` ones with 3–5, `any`. */
export function reasonsFor(scale, score) {
  return scale.reasons.filter((r) => r.for === "any"
    || (r.for === "low" && score <= 3) || (r.for === "high" && score >= 3));
}

const named = (item, lang) => (lang === "en" ? item.name_en || item.name : item.name);

export function scoreName(scale, score, lang) {
  const level = scale.scores.find((s) => s.score === score);
  return level ? named(level, lang) : String(score);
}

export function reasonName(scale, code, lang) {
  const reason = scale.reasons.find((r) => r.code === code);
  return reason ? named(reason, lang) : code;
}

/**
 * Five face buttons into `box` (5 非常满意 first), as a radio group: arrows move, the digit keys
 * 1–5 pick them in this order (digitScore), `onPick(score)` on a choice. Returns
 * render(selected, lang).
 */
export function faces(box, scale, onPick) {
  box.setAttribute("role", "radiogroup");
  const buttons = scale.scores.map((level) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `score score-${level.score}`;
    b.dataset.score = String(level.score);
    b.setAttribute("role", "radio");
    const label = document.createElement("span");
    label.className = "score-name";
    b.append(face(level.score), label);
    b.addEventListener("click", () => onPick(level.score));
    b.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (!step) return;
      e.preventDefault();
      const i = (buttons.indexOf(b) + step + buttons.length) % buttons.length;
      buttons[i].focus();
      onPick(Number(buttons[i].dataset.score));
    });
    return b;
  });
  box.replaceChildren(...buttons);
  return (selected, lang) => {
    for (const b of buttons) {
      const score = Number(b.dataset.score);
      const on = score === selected;
      b.setAttribute("aria-checked", String(on));
      b.tabIndex = on || (selected === null && score === 5) ? 0 : -1;
      b.classList.toggle("chosen", on);
      b.classList.toggle("dimmed", selected !== null && !on);
      b.querySelector(".score-name").textContent = scoreName(scale, score, lang);
    }
  };
}

/** The chips of the reasons that go with `score`; `chosen` is a Set of codes, kept in step. */
export function chips(box, scale, score, chosen, lang, onChange = () => {}) {
  const fitting = score === null ? [] : reasonsFor(scale, score);
  for (const code of [...chosen]) {
    if (!fitting.some((r) => r.code === code)) chosen.delete(code);
  }
  box.replaceChildren(...fitting.map((r) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.dataset.reason = r.code;
    b.textContent = named(r, lang);
    b.setAttribute("aria-pressed", String(chosen.has(r.code)));
    b.addEventListener("click", () => {
      if (chosen.has(r.code)) chosen.delete(r.code);
      else chosen.add(r.code);
      b.setAttribute("aria-pressed", String(chosen.has(r.code)));
      onChange();
    });
    return b;
  }));
  box.hidden = fitting.length === 0;
}

/** A digit key 1–5 → the score of that face of `box`'s, counted in their on-screen order (1 the
 * first: 非常满意 on the left, or on top where they stack), not while typing in a field; else
 * null. The faces' order comes from the scale, so the key follows what the citizen sees. */
export function digitScore(e, box) {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.target instanceof HTMLElement && e.target.closest("textarea, input")) return null;
  if (!/^[1-5]$/.test(e.key)) return null;
  const button = box.querySelectorAll(".score")[Number(e.key) - 1];
  return button ? Number(button.dataset.score) : null;
}

export async function loadScale() {
  const resp = await fetch("/api/v1/ratings/scale");
  if (!resp.ok) throw new Error(`rating scale: ${resp.status}`);
  return resp.json();
}
