// @ts-check
// Issuing a ticket: one Idempotency-Key per tap, the same key for each retry of that tap, so a
// lost reply or a double send never makes two tickets.

export const TIMEOUT_MS = 6000; // per attempt
export const RETRIES = 2; // after the first attempt
const BACKOFF_MS = [500, 1500];

// Server errors that the same request cannot mend by trying again: said at once, not after the
// retries (a server with no person keys answers every real-name ticket 503 real_name_unavailable).
const FINAL_5XX = new Set(["real_name_unavailable"]);

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** A fresh random key (getRandomValues works on plain http, where randomUUID does not). */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One POST, abandoned after `timeoutMs` (the body read included): {status, data}; throws when
 * there is no answer. */
async function post(url, body, key, timeoutMs, headers) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const resp = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key, ...headers },
      body: JSON.stringify(body),
      cache: "no-store",
      signal: abort.signal,
    });
    const data = await resp.json().catch(() => null);
    return { status: resp.status, data };
  } finally {
    clearTimeout(timer);
  }
}

/** A final answer (what `accept` makes of a success, or an error retrying cannot change), or
 * null to try again. */
function outcome(answer, accept) {
  if (!answer) return null;
  const { status, data } = answer;
  const accepted = status >= 200 && status < 300 ? accept(data) : null;
  if (accepted) return accepted;
  const code = data?.error?.code;
  if ((status >= 400 && status < 500 && status !== 408) || FINAL_5XX.has(code)) {
    return { error: code ?? `http_${status}`, status, detail: data?.error ?? {} };
  }
  return null; // other 5xx, a proxy's error page, an unreadable success: the same key again
}

/**
 * Issue a ticket for `body` ({service, priority, kiosk?}) in `hall` under `key`.
 * → {ticket} | {error: code, status, detail} | {error: "down"} once every attempt went unanswered.
 */
export function issueTicket(hall, body, key, options = {}) {
  const url = `/api/v1/halls/${encodeURIComponent(hall)}/tickets`;
  const accept = (data) => (data?.number ? { ticket: data } : null);
  return postRetrying(url, body, key, accept, options);
}

/**
 * POST `body` to `url` under `key` until an answer is final: `accept(data)` turns a success into
 * the result (or null: unreadable, try again); a 4xx is {error, status, detail}. `headers`: more
 * request headers (the kiosk's key).
 */
export async function postRetrying(url, body, key, accept,
  { timeoutMs = TIMEOUT_MS, retries = RETRIES, headers = {} } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    let answer = null;
    try {
      answer = await post(url, body, key, timeoutMs, headers);
    } catch (err) {
      console.warn(`callnext: attempt ${attempt + 1} at ${url} got no answer (${err.name})`);
    }
    const result = outcome(answer, accept);
    if (result) return result;
    if (answer) console.warn(`callnext: attempt ${attempt + 1} at ${url} answered ${answer.status}`);
    if (attempt >= retries) return { error: "down" };
    await sleep(BACKOFF_MS[attempt] ?? BACKOFF_MS.at(-1));
  }
}
