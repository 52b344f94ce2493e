// @ts-check
// The services' guides on the kiosk (办事指南): read from GET …/guides with the hall (at start,
// on every hall.updated, each minute), shown on the ticket's card (the first SLIP_ITEMS items,
// then how many more, to read on the phone) and printed on the browser's slip.
import { guideIn, renderGuide } from "../shared/guide.js";

export const SLIP_ITEMS = 5; // as domain/guide.py's SLIP_ITEMS: the card and both slips

/** @type {Map<string, import("../shared/guide.js").Guide>} */
const guides = new Map(); // service code → its guide

/** Read the hall's guides; on failure the last ones stay (the card shows what it has). */
export async function loadGuides(hall) {
  try {
    const resp = await fetch(`/api/v1/halls/${encodeURIComponent(hall)}/guides`, { cache: "no-store" });
    if (!resp.ok) return;
    const body = await resp.json();
    guides.clear();
    for (const s of body.services ?? []) guides.set(s.code, s.guide);
  } catch {
    // offline: the next refresh reads them again
  }
}

export const guideOf = (code) => guides.get(code) ?? null;

/** The ticket card's guide in `lang`; the card lays out a third part when there is one. */
export function renderCardGuide(box, code, lang) {
  const shown = renderGuide(box, guideOf(code), lang, { limit: SLIP_ITEMS, more: true, notes: false });
  box.closest(".card")?.classList.toggle("has-guide", shown);
}

/** The slip's guide: 请携带 Please bring, the first items in Chinese with their English under
 * them (when the English list is a translation of each), and how many more. */
export function fillSlipGuide(box, code) {
  const guide = guideOf(code);
  const zh = guideIn(guide, "zh").materials;
  const en = guide?.materials_en ?? [];
  const paired = en.length === zh.length;
  const items = zh.slice(0, SLIP_ITEMS).map((item, i) => {
    const li = document.createElement("li");
    const small = document.createElement("small");
    small.textContent = paired && en[i] !== item ? en[i] : "";
    li.replaceChildren(item, small);
    return li;
  });
  const list = document.createElement("ul");
  list.append(...items);
  const more = document.createElement("p");
  const left = zh.length - items.length;
  more.textContent = left > 0 ? `另有 ${left} 项，扫码查看 ${left} more: scan the code` : "";
  more.hidden = left === 0;
  const title = document.createElement("p");
  title.className = "s-guide-title";
  title.textContent = "请携带 Please bring";
  box.replaceChildren(title, list, more);
  box.hidden = items.length === 0;
}
