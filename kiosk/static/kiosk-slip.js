// The paper slip of browser printing (print.css lays it out for 80 mm thermal paper): filled
// with both languages, printed once per ticket after its QR code has loaded.

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
  bilingual($("s-ahead"), zh.ahead(ahead, wait), en.ahead(ahead, wait));
  $("s-time").textContent = issuedAt(ticket);
}

/** The page as tall as the slip (Chromium has no `size: 80mm auto`). */
function fitPage() {
  const slip = $("slip");
  const mm = Math.ceil(slip.getBoundingClientRect().height * MM_PER_PX) + 2;
  let style = $("page-size");
  if (!style) {
    style = document.createElement("style");
    style.id = "page-size";
    document.head.append(style);
  }
  style.textContent = `@page { size: 80mm ${mm}mm; margin: 0; }`;
}

/** Print the ticket's slip, once per ticket, after its QR code has loaded (or failed to). */
export async function printSlip(ticket, hall, service) {
  if (printed.has(ticket.id)) return;
  printed.add(ticket.id);
  fill(ticket, hall, service);
  const img = $("s-qr");
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
