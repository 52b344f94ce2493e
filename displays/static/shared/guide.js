// @ts-check
// A service's guide (办事指南, 一次告知): what to bring and short notes, as the kiosk's ticket
// (the first items and how many more), the phone's ticket page and the booking page (all of it)
// show it. English shows the English list and notes, or the Chinese ones where the hall wrote
// none. Texts only (textContent): a guide is the manager's words, never markup.
import { pageWords } from "./words.js";

/** @typedef {{materials: string[], materials_en: string[], notes: string, notes_en: string}} Guide */

const guideWords = pageWords({
  zh: {
    bring: "请携带",
    notes: "办事须知",
    /** @param {number} n */
    more: (n) => `另有 ${n} 项，扫码在手机上查看`,
  },
  en: {
    bring: "Please bring",
    notes: "Good to know",
    /** @param {number} n */
    more: (n) => `…and ${n} more: scan the QR code to see them on your phone`,
  },
});

/**
 * The guide's items and notes in `lang` (English falls back to Chinese).
 * @param {Partial<Guide> | null | undefined} guide
 * @param {string} lang
 */
export function guideIn(guide, lang) {
  const en = lang === "en";
  const materials = (en && guide?.materials_en?.length ? guide.materials_en : guide?.materials) ?? [];
  const notes = (en && guide?.notes_en ? guide.notes_en : guide?.notes) ?? "";
  return { materials, notes };
}

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} text
 */
function node(tag, className, text) {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = text;
  return el;
}

/**
 * Fill `box` with the guide: 请携带 / Please bring and the items (the first `limit`, then "N
 * more" when `more` is set), 办事须知 / Good to know and the notes (unless `notes` is false).
 * The box is hidden when there is nothing to show. → whether it shows anything.
 * @param {HTMLElement} box
 * @param {Partial<Guide> | null | undefined} guide
 * @param {string} lang
 * @param {{limit?: number, more?: boolean, notes?: boolean}} [options]
 */
export function renderGuide(box, guide, lang, { limit = Infinity, more = false, notes = true } = {}) {
  guideWords.setLang(lang);
  const w = guideWords.words();
  const { materials, notes: text } = guideIn(guide, lang);
  /** @type {HTMLElement[]} */
  const parts = [];
  if (materials.length) {
    const list = document.createElement("ul");
    list.className = "guide-items";
    list.append(...materials.slice(0, limit).map((item) => node("li", "guide-item", item)));
    parts.push(node("h2", "guide-title", w.bring), list);
    const left = materials.length - Math.min(limit, materials.length);
    if (left > 0 && more) parts.push(node("p", "guide-more", w.more(left)));
  }
  if (notes && text) parts.push(node("h2", "guide-title", w.notes), node("p", "guide-notes", text));
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
  return parts.length > 0;
}
