// The dashboard's requests: the session (token in sessionStorage, per tab), JSON reads with
// every failure as {status, code, message}, downloads that need the token (fetch, then a Blob
// and an <a download>), the server's clock, and a Refresher that keeps a view fresh.

const STORE_KEY = "callnext.dashboard";
const TIMEOUT_MS = 20000;
const EXPORT_TIMEOUT_MS = 300000; // a year as XLSX takes the server tens of seconds

/** The logged-in session of this tab: {token, username, role, hall} or null. */
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
};

let onDenied = () => {};
/** What to do when the server refuses the token: expired (401) or not a manager (403). */
export function whenDenied(handler) { onDenied = handler; }

const EXPIRED_CODES = new Set(["bad_token", "missing_token"]);
const DENIED_CODES = new Set(["wrong_role", "wrong_hall"]);

async function send(method, path, { body, auth = true, timeout = TIMEOUT_MS, raw = false } = {}) {
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
    return { ok: false, status: 0, code: "network", message: "" };
  } finally {
    clearTimeout(timer);
  }
  if (resp.ok) return { ok: true, status: resp.status, data, headers: resp.headers };
  const error = data?.error ?? {};
  const failure = {
    ok: false, status: resp.status, code: error.code ?? `http_${resp.status}`,
    message: error.message ?? "",
  };
  const expired = resp.status === 401 && EXPIRED_CODES.has(failure.code);
  const denied = resp.status === 403 && DENIED_CODES.has(failure.code);
  if (auth && token && (expired || denied)) {
    failure.denied = true;
    if (session.token === token) onDenied(failure);
  }
  return failure;
}

/** The manager's API of one hall. */
export function hallApi(hall) {
  const base = `/api/v1/halls/${encodeURIComponent(hall)}`;
  const q = (params) => new URLSearchParams(params).toString();
  return {
    login: (username, password) =>
      send("POST", "/api/v1/login", { body: { username, password }, auth: false }),
    logout: () => send("POST", "/api/v1/logout"),
    me: () => send("GET", "/api/v1/me"),
    hall: () => send("GET", base, { auth: false }),
    windows: () => send("GET", `${base}/windows`),
    pending: () => send("GET", `${base}/pending`),
    settings: () => send("GET", `${base}/settings`),
    report: (day) => send("GET", `${base}/report?${q({ date: day })}`),
    trend: (from, to) => send("GET", `${base}/trend?${q({ from, to })}`),
    exportFile: (from, to, format) =>
      send("GET", `${base}/export?${q({ from, to, format })}`, { raw: true, timeout: EXPORT_TIMEOUT_MS }),
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

// ---- the server's clock (an office PC's clock is often wrong), in the hall's timezone ----

let skew = 0;
let timezone = "UTC";
const dayFormat = new Map();

export function setClock(nowMs, tz) {
  if (Number.isFinite(nowMs)) skew = nowMs - Date.now();
  if (tz) timezone = tz;
}

/** The server's time, as an RFC 3339 string it sent (a response's "now"), corrects the skew. */
export function serverSaid(rfc3339) {
  const ms = Date.parse(rfc3339 ?? "");
  if (!Number.isNaN(ms)) skew = ms - Date.now();
}

export const serverNow = () => Date.now() + skew;

/** Seconds since `rfc3339` on the server's clock (never negative). */
export function secondsSince(rfc3339) {
  const ms = Date.parse(rfc3339 ?? "");
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.floor((serverNow() - ms) / 1000));
}

/** The hall's local day (YYYY-MM-DD) at `ms` (default: now on the server's clock). */
export function hallDay(ms = serverNow()) {
  if (!dayFormat.has(timezone)) {
    dayFormat.set(timezone, new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit",
    }));
  }
  return dayFormat.get(timezone).format(ms);
}

/** "10:02", the hall's local time of day of an RFC 3339 string or a time in ms. */
export function clockTime(when, seconds = false) {
  const ms = typeof when === "number" ? when : Date.parse(when ?? "");
  if (Number.isNaN(ms)) return "";
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    ...(seconds ? { second: "2-digit" } : {}),
  }).format(ms);
}

/** `day` (YYYY-MM-DD) moved by `delta` days. */
export function addDays(day, delta) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + delta);
  return d.toISOString().slice(0, 10);
}

export const isDay = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value ?? "") &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

// ---- keeping a view fresh ----

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

/**
 * Re-reads after the stream's events: debounced, one load in flight, once more if events came
 * during it; retries while the server is away. load() → a promise of {ok, …}; apply(result)
 * gets each answer; onHealth(ok) says whether the server answered.
 */
export class Refresher {
  constructor(load, apply, onHealth = () => {}, debounce = 250) {
    Object.assign(this, { load, apply, onHealth, debounce });
    this.timer = 0;
    this.inFlight = false;
    this.again = false;
    this.failures = 0;
    this.generation = 0;
  }

  schedule(delay = this.debounce) {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  now() { this.schedule(0); }

  async run() {
    clearTimeout(this.timer);
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const generation = this.generation;
    this.inFlight = true;
    this.again = false;
    let result;
    try {
      result = await this.load();
    } catch (err) {
      console.warn("callnext: refresh", err);
      result = { ok: false, status: 0, code: "network", message: String(err) };
    }
    this.inFlight = false;
    if (generation !== this.generation) { // stopped or restarted meanwhile: read again
      if (this.again) this.schedule();
      return;
    }
    this.apply(result);
    const unreachable = !result.ok && (result.status === 0 || result.status >= 500);
    this.onHealth(!unreachable);
    if (unreachable) {
      const delay = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
      this.failures += 1;
      this.schedule(delay);
      return;
    }
    this.failures = 0;
    if (this.again) this.schedule();
  }

  /** Forget a read in flight (its answer is dropped) and pending timers. */
  stop() {
    this.generation += 1;
    this.again = false;
    clearTimeout(this.timer);
  }
}
