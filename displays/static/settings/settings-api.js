// @ts-check
// The settings page's requests: the manager's session (session.js, key "callnext.settings") and
// the settings API of one hall; every failure comes back as {ok: false, status, code, message}.
import { apiClient, hallPath, pageSession } from "../shared/session.js";

/** The logged-in manager of this tab: {token, username, role, hall} or null. */
export const session = pageSession("callnext.settings");

// Any 401 on a stored token ends the session.
const client = apiClient(session, { timeoutMs: 15000, ends: (failure) => failure.status === 401 });

/** What to do when the server no longer knows the token (set once by the page). */
export const whenExpired = client.whenEnded;

/** One request → {ok: true, status, data} | {ok: false, status, code, message}. */
const request = (method, path, body = undefined, { auth = true } = {}) =>
  client.send(method, path, { body, auth });

/** The manager's API of one hall. */
export function hallApi(hall) {
  const base = hallPath(hall);
  const part = encodeURIComponent;
  return {
    login: client.account.login,
    logout: client.account.logout,
    settings: () => request("GET", `${base}/settings`),
    patchSettings: (body) => request("PATCH", `${base}/settings`, body),
    putService: (code, body) => request("PUT", `${base}/services/${part(code)}`, body),
    deleteService: (code) => request("DELETE", `${base}/services/${part(code)}`),
    putWindow: (n, body) => request("PUT", `${base}/windows/${part(n)}`, body),
    deleteWindow: (n) => request("DELETE", `${base}/windows/${part(n)}`),
    users: () => request("GET", `${base}/users`),
    putUser: (name, body) => request("PUT", `${base}/users/${part(name)}`, body),
    deleteUser: (name) => request("DELETE", `${base}/users/${part(name)}`),
    kiosks: () => request("GET", `${base}/kiosks`),
    putKiosk: (code, body) => request("PUT", `${base}/kiosks/${part(code)}`, body),
    deleteKiosk: (code) => request("DELETE", `${base}/kiosks/${part(code)}`),
    newKioskKey: (code) => request("POST", `${base}/kiosks/${part(code)}/key`),
    booking: () => request("GET", `${base}/booking`),
    patchBooking: (body) => request("PATCH", `${base}/booking`, body),
    putServiceBooking: (code, body) => request("PUT", `${base}/services/${part(code)}/booking`, body),
    audit: (date, actor) => {
      const query = new URLSearchParams({ date });
      if (actor) query.set("actor", actor);
      return request("GET", `${base}/audit?${query}`);
    },
  };
}
