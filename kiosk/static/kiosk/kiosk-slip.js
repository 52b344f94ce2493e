// @ts-check
// The paper slip of browser printing (print.css lays it out for 80 mm thermal paper): filled
// with both languages, printed once per ticket after its QR code has loaded.

import { fillSlipGuide } from "./kiosk-guide.js";
import { wordsOf } from "./kiosk-words.js";

const $ = (id) => document.getElementById(id);
const QR_WAIT_MS = 3000; // print without the code rather than not at all
const printed = new Set(); // ticket ids already sent to the printer
const MM_PER_PX = 25.4 / 96;

export const qrUrl = (ticket) => `/t/${encodeURIComponent(ticket.id)}/qr.svg`;

/** "2026-11-27 09:05": issued_at is already in the hall's offset. */
const issuedAt = (ticket) => String(ticket.issued_at ?? "").slice(0, 16).replace("T", " ");

/** "09:30", the slot's start (already in the hall's offset). */
const slotTime = (ticket) => String(ticket.slot ?? "").slice(11, 16);

/** `el` gets the Chinese text, then the English one on its own smaller line when it differs. */
function bilingual(el, zh, en) {
  const small = document.createElement("small");
  small.textContent = en && en !== zh ? en : "";
  el.replaceChildren(zh ?? "", small);
}

function fill(ticket, hall, service) {
  const [zh, en] = [wordsOf("zh"), wordsOf("en")];
  const [ahead, wait] = [ticket.ahead ?? 0, ticket.est_wait_s ?? null]; // null: no estimate
  bilingual($("s-hall"), hall.name, hall.name_en);
  $("s-priority").hidden = !ticket.priority;
  $("s-booked").hidden = !ticket.booked; // 预约: checked in for a booked slot, called by it
  $("s-booked").textContent = ticket.booked ? `${zh.booked_mark} ${en.booked_mark} ${slotTime(ticket)}` : "";
  $("s-number").textContent = ticket.number;
  bilingual($("s-service"), service.name, service.name_en);
  const late = Boolean(ticket.past_closing); // the wait runs past the service's hours today
  bilingual($("s-ahead"), zh.ahead(ahead, wait, late), en.ahead(ahead, wait, late));
  $("s-time").textContent = issuedAt(ticket);
  fillSlipGuide($("s-guide"), ticket.service);
}

/** print.css's own @page rule: a stylesheet from 'self', which the page's CSP lets a script
 * change through the CSSOM (an inline <style> it blocks). */
function pageRule() {
  for (const sheet of document.styleSheets) {
    if (!sheet.href || !new URL(sheet.href).pathname.endsWith("/print.css")) continue;
    for (const rule of sheet.cssRules) if (rule instanceof CSSPageRule) return rule;
  }
  return null;
}

/** The page as tall as the slip (Chromium has no `size: 80mm auto`). */
function fitPage() {
  const mm = Math.ceil($("slip").getBoundingClientRect().height * MM_PER_PX) + 2;
  const rule = pageRule();
  if (rule) rule.style.setProperty("size", `80mm ${mm}mm`);
  else console.warn("callnext: print.css has no @page rule; the slip prints 150 mm tall");
}

/** Print the ticket's slip, once per ticket (`again`: once more, for a second check-in), after
 * its QR code has loaded (or failed to). */
export async function printSlip(ticket, hall, service, again = false) {
  if (printed.has(ticket.id) && !again) return;
  printed.add(ticket.id);
  fill(ticket, hall, service);
  const img = /** @type {HTMLImageElement} */ ($("s-qr"));
  img.hidden = false;
  img.src = qrUrl(ticket);
  try {
    await Promise.race([img.decode(), new Promise((ok) => setTimeout(ok, QR_WAIT_MS))]);
  } catch {
    console.warn("callnext: the QR code did not load; printing without it");
    img.hidden = true;
  }
  fitPage();
  console.info(`callnext: printing ${ticket.number}`);
  window.print();
}
