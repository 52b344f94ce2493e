// @ts-check
// The staff-side pages' session and requests (staff console, settings, dashboard): the token in
// sessionStorage (one per tab, so two people can share a PC in two tabs) under each page's own
// key, JSON in and out with the bearer header, and every failure as one shape:
// {ok: false, status, code, message, error}, where status 0 means no answer (network, timeout).

/**
 * What a login leaves in the tab (the staff console also keeps the window it holds).
 * @typedef {{token: string, username: string, role: string, hall?: string | null,
 *   window?: number | null}} SessionValue
 */
/**
 * A request's answer when it succeeded.
 * @typedef {{ok: true, status: number, data: any, headers: Headers}} Success
 */
/**
 * A request's answer when it failed (status 0: no answer); `denied`/`expired`: the flag
 * apiClient sets on a failure that ended the session.
 * @typedef {{ok: false, status: number, code: string, message: string, error: any,
 *   denied?: boolean, expired?: boolean}} Failure
 */
/** @typedef {Success | Failure} Result */

/**
 * The logged-in session of this tab under `storeKey`: {token, username, role, hall, …} or null.
 * @param {string} storeKey
 */
export function pageSession(storeKey) {
  return {
    /** @type {SessionValue | null} */
    value: null,
    load() {
      try {
        this.value = JSON.parse(sessionStorage.getItem(storeKey) ?? "null");
      } catch {
        this.value = null;
      }
      return this.value;
    },
    /** @param {SessionValue} value */
    save(value) {
      this.value = value;
      sessionStorage.setItem(storeKey, JSON.stringify(value));
    },
    clear() {
      this.value = null;
      sessionStorage.removeItem(storeKey);
    },
    get token() { return this.value?.token ?? null; },
    get username() { return this.value?.username ?? null; },
    get isManager() { return ["manager", "admin"].includes(this.value?.role ?? ""); },
  };
}

/** The codes of a 401 that means the server no longer knows the token. */
export const EXPIRED_CODES = new Set(["bad_token", "missing_token"]);

/**
 * A page's requests over `session`. `ends(failure)` says which failures of a request sent with
 * the token end the session: those get `failure[flag] = true` (when `flag`), and the handler
 * given to whenEnded() runs if the token is still the session's.
 * @param {{readonly token: string | null}} session
 * @param {{timeoutMs: number, ends: (failure: Failure) => boolean,
 *   flag?: "denied" | "expired" | null}} options
 */
export function apiClient(session, { timeoutMs, ends, flag = null }) {
  /** @type {(failure: Failure) => void} */
  let onEnded = () => {};

  /**
   * One request → {ok: true, status, data, headers} or the failure shape above. `raw`: the
   * body of a success as a Blob (a download).
   * @param {string} method
   * @param {string} path
   * @param {{body?: unknown, auth?: boolean, timeout?: number, raw?: boolean}} [options]
   * @returns {Promise<Result>}
   */
  async function send(method, path, { body, auth = true, timeout = timeoutMs, raw = false } = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: raw ? "*/*" : "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const token = session.token;
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    let resp;
    let data = null;
    try {
      resp = await fetch(path, {
        method, headers, cache: "no-store", signal: abort.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      data = raw && resp.ok ? await resp.blob() : await resp.json().catch(() => null);
    } catch (err) {
      console.warn(`callnext: ${method} ${path} got no answer (${/** @type {Error} */ (err).name})`);
      return { ok: false, status: 0, code: "network", message: "", error: null };
    } finally {
      clearTimeout(timer);
    }
    if (resp.ok) return { ok: true, status: resp.status, data, headers: resp.headers };
    const error = data?.error ?? {};
    /** @type {Failure} */
    const failure = {
      ok: false, status: resp.status, code: error.code ?? `http_${resp.status}`,
      message: error.message ?? "", error,
    };
    if (auth && token && ends(failure)) {
      if (flag) failure[flag] = true;
      if (session.token === token) onEnded(failure);
    }
    return failure;
  }

  return {
    send,
    /** What to do when the server refuses this tab's token (set once by the page). */
    /** @param {(failure: Failure) => void} handler */
    whenEnded(handler) { onEnded = handler; },
    /** The account calls every page makes. */
    account: {
      /** @param {string} username @param {string} password */
      login: (username, password) =>
        send("POST", "/api/v1/login", { body: { username, password }, auth: false }),
      me: () => send("GET", "/api/v1/me"),
      logout: () => send("POST", "/api/v1/logout"),
    },
  };
}

/**
 * End a session that may not be used here (a staff account's token), without keeping it.
 * @param {string} token
 */
export function dropToken(token) {
  return fetch("/api/v1/logout", { method: "POST", headers: { Authorization: `Bearer ${token}` } })
    .catch(() => {});
}

/** @param {string} hall */
export const hallPath = (hall) => `/api/v1/halls/${encodeURIComponent(hall)}`;
