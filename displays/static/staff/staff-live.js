// @ts-check
// Which stream events concern a window's desk (the desk then re-reads it: refresher.js).

/** Whether an event frame may change the desk of `window` (number, services). */
export function touchesDesk(frame, window) {
  const name = frame.event;
  if (frame.window === window.number) return true;
  if (name === "hall.updated" || name === "ticket.completed") return true;
  const services = window.services ?? [];
  const t = frame.ticket;
  if (t && services.includes(t.service)) return true; // its queue (issued, called, cancelled)
  if (frame.from_service && services.includes(frame.from_service)) return true;
  return name === "ticket.finished" && t?.outcome === "pending"; // the hall's pending matters
}
