// @ts-check
// The console's requests: its session (session.js, key "callnext.staff") and the staff API of
// one hall; every failure comes back as {ok: false, status, code, message, error}.
import { EXPIRED_CODES, apiClient, hallPath, pageSession } from "../shared/session.js";

/** The logged-in session of this tab: {token, username, role, hall, window} or null. */
export const session = pageSession("callnext.staff");

// A 401 for a dead token ends the session; the failure says so (`expired`).
const client = apiClient(session, {
  timeoutMs: 10000,
  ends: (failure) => failure.status === 401 && EXPIRED_CODES.has(failure.code),
  flag: "expired",
});

/** What to do when the server no longer knows the token (set once by the page). */
export const whenExpired = client.whenEnded;

/** One request → {ok: true, status, data} | {ok: false, status, code, message, error}. */
const request = (method, path, body = undefined, { auth = true } = {}) =>
  client.send(method, path, { body, auth });

/** The staff API of one hall. */
export function hallApi(hall) {
  const base = hallPath(hall);
  const win = (n) => `${base}/windows/${encodeURIComponent(n)}`;
  return {
    ...client.account,
    hall: () => request("GET", base, undefined, { auth: false }),
    windows: () => request("GET", `${base}/windows`),
    desk: (n) => request("GET", `${win(n)}/desk`),
    pending: () => request("GET", `${base}/pending`),
    booking: () => request("GET", `${base}/booking`, undefined, { auth: false }),
    appointments: () => request("GET", `${base}/appointments`),
    take: (n, force = false) => request("POST", `${win(n)}/take`, { force }),
    release: (n) => request("POST", `${win(n)}/release`),
    act: (n, action, body) => request("POST", `${win(n)}/${action}`, body ?? {}),
    complete: (id) => request("POST", `/api/v1/tickets/${encodeURIComponent(id)}/complete`),
  };
}
