// @ts-check
// The kiosk's key (docs/kiosk.md). Its setup link, from the settings page, brings it once
// (?kiosk=K1&key=…): the page keeps it in localStorage, takes it out of the address bar at once,
// and sends it with each ticket and check-in as X-Kiosk-Key. `?key=` empty forgets it.

export const KEY_HEADER = "X-Kiosk-Key";
export const KEY_ERRORS = new Set(["kiosk_key_missing", "kiosk_key_wrong"]);

const slot = (hall, kiosk) => `callnext.kiosk-key.${hall}.${kiosk}`;

/** This kiosk's key (null: none), taking a new one from the address first. */
export function kioskKey(hall) {
  const url = new URL(location.href);
  const kiosk = url.searchParams.get("kiosk");
  const fromLink = url.searchParams.get("key");
  if (fromLink !== null) {
    url.searchParams.delete("key");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  if (!kiosk) return null;
  try {
    if (fromLink) localStorage.setItem(slot(hall, kiosk), fromLink);
    else if (fromLink === "") localStorage.removeItem(slot(hall, kiosk));
    return localStorage.getItem(slot(hall, kiosk));
  } catch {
    return fromLink || null; // no storage (a private window): this page's life only
  }
}
