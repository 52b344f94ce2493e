// The staff-side pages' session and requests (staff console, settings, dashboard): the token in
// sessionStorage (one per tab, so two people can share a PC in two tabs) under each page's own
// key, JSON in and out with the bearer header, and every failure as one shape:
// {ok: false, status, code, message, error}, where status 0 means no answer (network, timeout).

/** The logged-in session of this tab under `storeKey`: {token, username, role, hall, …} or null. */
export function pageSession(storeKey) {
  return {
    value: null,
    load() {
      try {
        this.value = JSON.parse(sessionStorage.getItem(storeKey) ?? "null");
      } catch {
        this.value = null;
      }
      return this.value;
    },
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
    get isManager() { return ["manager", "admin"].includes(this.value?.role); },
  };
}

/** The codes of a 401 that means the server no longer knows the token. */
export const EXPIRED_CODES = new Set(["bad_token", "missing_token"]);

/**
 * A page's requests over `session`. `ends(failure)` says which failures of a request sent with
 * the token end the session: those get `failure[flag] = true` (when `flag`), and the handler
 * given to whenEnded() runs if the token is still the session's.
 */
export function apiClient(session, { timeoutMs, ends, flag = null }) {
  let onEnded = () => {};

  /** One request → {ok: true, status, data, headers} or the failure shape above. `raw`: the
   * body of a success as a Blob (a download). */
  async function send(method, path, { body, auth = true, timeout = timeoutMs, raw = false } = {}) {
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
      console.warn(`callnext: ${method} ${path} got no answer (${err.name})`);
      return { ok: false, status: 0, code: "network", message: "", error: null };
    } finally {
      clearTimeout(timer);
    }
    if (resp.ok) return { ok: true, status: resp.status, data, headers: resp.headers };
    const error = data?.error ?? {};
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
    whenEnded(handler) { onEnded = handler; },
    /** The account calls every page makes. */
    account: {
      login: (username, password) =>
        send("POST", "/api/v1/login", { body: { username, password }, auth: false }),
      me: () => send("GET", "/api/v1/me"),
      logout: () => send("POST", "/api/v1/logout"),
    },
  };
}

/** End a session that may not be used here (a staff account's token), without keeping it. */
export function dropToken(token) {
  return fetch("/api/v1/logout", { method: "POST", headers: { Authorization: `Bearer ${token}` } })
    .catch(() => {});
}

export const hallPath = (hall) => `/api/v1/halls/${encodeURIComponent(hall)}`;
