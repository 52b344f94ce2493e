// @ts-check
// The dashboard's requests: its session (session.js, key "callnext.dashboard"), JSON reads with
// every failure as {status, code, message}, downloads that need the token (fetch, then a Blob
// and an <a download>), the server's clock (time.js), and (from refresher.js) the Refresher that keeps a view fresh.

import { EXPIRED_CODES, apiClient, hallPath, pageSession } from "../shared/session.js";

export { clockTime, hallDay, secondsSince, serverNow, serverSaid, setClock } from "../shared/time.js";
export { Refresher } from "../shared/refresher.js";

const EXPORT_TIMEOUT_MS = 300000; // a year as XLSX takes the server tens of seconds

/** The logged-in session of this tab: {token, username, role, hall} or null. */
export const session = pageSession("callnext.dashboard");

const DENIED_CODES = new Set(["wrong_role", "wrong_hall"]);

// The token refused: expired (401) or not a manager's (403); the failure says so (`denied`).
const client = apiClient(session, {
  timeoutMs: 20000,
  ends: (f) => (f.status === 401 && EXPIRED_CODES.has(f.code)) || (f.status === 403 && DENIED_CODES.has(f.code)),
  flag: "denied",
});

/** What to do when the server refuses the token: expired (401) or not a manager (403). */
export const whenDenied = client.whenEnded;
const send = client.send;

/** The manager's API of one hall. */
export function hallApi(hall) {
  const base = hallPath(hall);
  const q = (params) => new URLSearchParams(params).toString();
  return {
    ...client.account,
    hall: () => send("GET", base, { auth: false }),
    windows: () => send("GET", `${base}/windows`),
    pending: () => send("GET", `${base}/pending`),
    settings: () => send("GET", `${base}/settings`),
    report: (day) => send("GET", `${base}/report?${q({ date: day })}`),
    trend: (from, to) => send("GET", `${base}/trend?${q({ from, to })}`),
    appointments: (day) => send("GET", `${base}/appointments?${q({ day })}`),
    ratings: (day, maxScore) => send("GET", `${base}/ratings?${q({ date: day, max_score: maxScore })}`),
    // 差评回访 (docs/ratings.md): the hall's follow-ups, and one change to one of them
    followups: (state) => send("GET", `${base}/followups?${q({ state })}`),
    followupAct: (id, action, body) => send("POST", `${base}/followups/${id}/${action}`, { body }),
    // In the page's language (headers, states, h:mm:ss); programs ask for `raw=1` themselves.
    exportFile: (from, to, format, lang) =>
      send("GET", `${base}/export?${q({ from, to, format, lang })}`, { raw: true, timeout: EXPORT_TIMEOUT_MS }),
  };
}

/** The file name of a Content-Disposition header ("attachment; filename=…"), or `fallback`. */
export function fileName(headers, fallback) {
  const header = headers?.get("Content-Disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}

/** Hand a Blob to the browser as a download named `name`. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- days ----

/** `day` (YYYY-MM-DD) moved by `delta` days. */
export function addDays(day, delta) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + delta);
  return d.toISOString().slice(0, 10);
}

export const isDay = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value ?? "") &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
