// The settings page's requests: the manager's session (its own sessionStorage key, one per tab)
// and the settings API of one hall; every failure comes back as {ok: false, status, code, message}.

const STORE_KEY = "callnext.settings";
const TIMEOUT_MS = 15000;

/** The logged-in manager of this tab: {token, username, role, hall} or null. */
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
  get username() { return this.value?.username ?? null; },
};

let onExpired = () => {};
/** What to do when the server no longer knows the token (set once by the page). */
export function whenExpired(handler) { onExpired = handler; }

/** One request → {ok: true, status, data} | {ok: false, status, code, message} (status 0: no
 * answer). A 401 on a stored token ends the session. */
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
    return { ok: false, status: 0, code: "network", message: "" };
  } finally {
    clearTimeout(timer);
  }
  if (resp.ok) return { ok: true, status: resp.status, data };
  const error = data?.error ?? {};
  const failure = {
    ok: false, status: resp.status, code: error.code ?? `http_${resp.status}`,
    message: error.message ?? "",
  };
  if (resp.status === 401 && auth && token && session.token === token) onExpired(failure);
  return failure;
}

/** The manager's API of one hall. */
export function hallApi(hall) {
  const base = `/api/v1/halls/${encodeURIComponent(hall)}`;
  const part = encodeURIComponent;
  return {
    login: (username, password) =>
      request("POST", "/api/v1/login", { username, password }, { auth: false }),
    logout: () => request("POST", "/api/v1/logout"),
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
    audit: (date, actor) => {
      const query = new URLSearchParams({ date });
      if (actor) query.set("actor", actor);
      return request("GET", `${base}/audit?${query}`);
    },
  };
}
