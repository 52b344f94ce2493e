// @ts-check
// "Almost your turn" (快到您了) on the phone's ticket page: whether the banner shows, and when the
// phone alerts: once per ticket, when its place moves from more than the hall's
// almost_turn_ahead to that many or fewer. A page opened already that close shows the banner
// and does not alert: the citizen is looking at it. "Once" outlives a reload: the tickets
// already told are kept in localStorage (a few ids; nothing at all in private mode).

const STORE_KEY = "callnext.almost-told";
const KEEP = 20; // ids kept: a phone's last few tickets, not a history

/** @returns {string[]} */
function toldIds() {
  try {
    const ids = JSON.parse(localStorage.getItem(STORE_KEY) ?? "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return []; // private mode, or a value that is not ours: nothing was told
  }
}

/** @param {string} id */
function rememberTold(id) {
  try {
    const ids = [...toldIds().filter((x) => x !== id), id].slice(-KEEP);
    localStorage.setItem(STORE_KEY, JSON.stringify(ids));
  } catch {
    // private mode: "once" then lasts as long as the page
  }
}

export class AlmostTurn {
  /**
   * @param {string} ticketId
   * @param {number} limit the hall's almost_turn_ahead; 0: never
   */
  constructor(ticketId, limit) {
    this.id = ticketId;
    this.limit = Number.isInteger(limit) && limit > 0 ? limit : 0;
    /** @type {number | null} the place last seen while waiting; null: none yet */
    this.last = null;
    this.told = toldIds().includes(ticketId);
  }

  /** The banner shows: the ticket waits with `limit` or fewer ahead. */
  shows(t) {
    return this.limit > 0 && t.status === "waiting" && Number.isInteger(t.ahead)
      && t.ahead <= this.limit;
  }

  /** Look at the ticket's new state → true when the phone should alert now (at most once). */
  update(t) {
    if (t.status !== "waiting" || !Number.isInteger(t.ahead)) return false;
    const before = this.last;
    this.last = t.ahead;
    if (!this.shows(t) || this.told) return false;
    this.told = true; // told now, or it saw the banner on opening: never again for this ticket
    rememberTold(this.id);
    return before !== null && before > this.limit;
  }
}
