// @ts-check
// The ticket screen's card: the number, the service, who is ahead, 预约 and its slot, the first
// items to bring, and whether the slip printed.
import { renderBooked } from "./kiosk-checkin.js";
import { renderCardGuide } from "./kiosk-guide.js";
import { currentLang, names, words } from "./kiosk-words.js";

const $ = (id) => document.getElementById(id);

const PRINT_WORDS = {
  printed: "printed", browser: "printed", failed: "print_failed", not_again: "not_again",
};

/** Ticket `t` of `service` on the card; `printMode`: the page's own, when no kiosk was sent. */
export function renderTicketCard(t, service, printMode) {
  const w = words();
  const [name, name2] = names(service);
  const small = document.createElement("small");
  small.textContent = name2;
  $("t-priority").hidden = !t.priority;
  $("t-number").textContent = t.number;
  $("t-service").replaceChildren(name, ...(name2 ? [small] : []));
  $("t-ahead").textContent = w.ahead(t.ahead ?? 0, t.est_wait_s ?? null, t.past_closing);
  $("t-ahead").classList.toggle("late", Boolean(t.past_closing));
  $("t-ahead").hidden = t.status !== "waiting"; // a second check-in of a ticket called or done
  /** @type {HTMLImageElement} */ ($("t-qr")).alt = w.scan;
  renderBooked(t); // 预约 and its slot, or why a booking became a walk-in ticket
  renderCardGuide($("t-guide"), t.service, currentLang()); // 请携带: the first items
  const status = t.print?.status ?? printMode;
  let key = PRINT_WORDS[status] ?? "no_print";
  if (t.again && key === "printed") key = "reprinted";
  $("t-print").textContent = w[key];
  $("t-print").hidden = Boolean(t.again) && t.status !== "waiting"; // called or done: no slip
  $("t-print").classList.toggle("failed", key === "print_failed");
}
