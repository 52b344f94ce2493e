// @ts-check
// The console's time: the shared clock and durations (time.js), the average of a day, and one
// ticker that re-renders what counts each second.

import { duration, serverNow } from "../shared/time.js";

export { clockTime, duration, secondsSince, serverNow, serverSaid, setClock } from "../shared/time.js";

/** Average seconds as m:ss, or "—" when there is none yet. */
export const average = (s) => (s == null ? "—" : duration(Math.round(s)));

const tickers = new Set();
/** Call `fn` every second, on the second (the countdowns tick together). Returns a remover. */
export function everySecond(fn) {
  tickers.add(fn);
  return () => tickers.delete(fn);
}
function tick() {
  for (const fn of tickers) {
    try {
      fn();
    } catch (err) {
      console.warn("callnext: ticker", err);
    }
  }
  setTimeout(tick, 1000 - (serverNow() % 1000) + 5);
}
tick();
