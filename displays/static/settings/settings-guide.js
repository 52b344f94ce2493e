// @ts-check
// A service's guide in the service editor (办事指南, 一次告知): the materials to bring, one per
// line, and short notes, in Chinese and English. Blank lines are dropped here; everything else
// (length, count, control characters) is the server's to refuse, next to its field.

import { el, field } from "./settings-ui.js";
import { words } from "./settings-words.js";

export const NO_GUIDE = { materials: [], materials_en: [], notes: "", notes_en: "" };

/** The lines typed, trimmed, blank ones left out: one item each. */
const items = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);

const area = (value, rows, lang = undefined) =>
  /** @type {HTMLTextAreaElement} */ (el("textarea", { rows, lang, spellcheck: "false" }, value));

/** The guide's four fields → {node, read}; `read()` is the guide to send. */
export function guideEditor(guide = NO_GUIDE) {
  const w = words();
  const g = { ...NO_GUIDE, ...guide };
  const materials = area(g.materials.join("\n"), 6);
  const materialsEn = area(g.materials_en.join("\n"), 6, "en");
  const notes = area(g.notes, 3);
  const notesEn = area(g.notes_en, 3, "en");
  const node = el("fieldset", { class: "guide" },
    el("legend", {}, w.guide),
    el("p", { class: "hint" }, w.guide_hint),
    el("div", { class: "pair" },
      field("materials", w.materials_zh, materials, w.materials_hint),
      field("materials_en", w.materials_en, materialsEn, w.materials_en_hint)),
    el("div", { class: "pair" },
      field("notes", w.notes_zh, notes), field("notes_en", w.notes_en, notesEn)));
  const read = () => ({
    materials: items(materials.value), materials_en: items(materialsEn.value),
    notes: notes.value.trim(), notes_en: notesEn.value.trim(),
  });
  return { node, read };
}
