// The console's requests: the session (token in sessionStorage, one per tab so two staff can
// share a PC in two tabs), JSON in and out, and every failure as {status, code, message}.

const STORE_KEY = "callnext.staff";
const TIMEOUT_MS = 10000;

/** The logged-in session of this tab: {token, username, role, hall, window} or null. */
export const session = {
  value: null,
  load() {
    try {
      this.value = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? "null");
    } catch {
      this.value = null;
    }
    return this.value;
  },
  save(value) {
    this.value = value;
    sessionStorage.setItem(STORE_KEY, JSON.stringify(value));
  },
  clear() {
    this.value = null;
    sessionStorage.removeItem(STORE_KEY);
  },
  get token() { return this.value?.token ?? null; },
  get isManager() { return ["manager", "admin"].includes(this.value?.role); },
};

let onExpired = () => {};
/** What to do when the server no longer knows the token (set once by the page). */
export function whenExpired(handler) { onExpired = handler; }

const EXPIRED_CODES = new Set(["bad_token", "missing_token"]);

/**
 * One request: → {ok: true, status, data} or {ok: false, status, code, message, error}, where
 * status 0 means no answer (network down, timeout). A 401 for a dead token ends the session.
 */
export async function request(method, path, body = undefined, { auth = true } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = session.token;
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let resp;
  let data = null;
  try {
    resp = await fetch(path, {
      method, headers, cache: "no-store", signal: abort.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    data = await resp.json().catch(() => null);
  } catch (err) {
    console.warn(`callnext: ${method} ${path} got no answer (${err.name})`);
    return { ok: false, status: 0, code: "network", message: "", error: null };
  } finally {
    clearTimeout(timer);
  }
  if (resp.ok) return { ok: true, status: resp.status, data };
  const error = data?.error ?? {};
  const failure = {
    ok: false, status: resp.status, code: error.code ?? `http_${resp.status}`,
    message: error.message ?? "", error,
  };
  if (resp.status === 401 && auth && token && EXPIRED_CODES.has(failure.code)) {
    if (session.token === token) onExpired(failure);
    failure.expired = true;
  }
  return failure;
}

const hallPath = (hall) => `/api/v1/halls/${encodeURIComponent(hall)}`;

/** The staff API of one hall. */
export function hallApi(hall) {
  const base = hallPath(hall);
  const win = (n) => `${base}/windows/${encodeURIComponent(n)}`;
  return {
    login: (username, password) =>
      request("POST", "/api/v1/login", { username, password }, { auth: false }),
    me: () => request("GET", "/api/v1/me"),
    logout: () => request("POST", "/api/v1/logout"),
    hall: () => request("GET", base, undefined, { auth: false }),
    windows: () => request("GET", `${base}/windows`),
    desk: (n) => request("GET", `${win(n)}/desk`),
    pending: () => request("GET", `${base}/pending`),
    take: (n, force = false) => request("POST", `${win(n)}/take`, { force }),
    release: (n) => request("POST", `${win(n)}/release`),
    act: (n, action, body) => request("POST", `${win(n)}/${action}`, body ?? {}),
    complete: (id) => request("POST", `/api/v1/tickets/${encodeURIComponent(id)}/complete`),
  };
}
