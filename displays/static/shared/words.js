// @ts-check
// What the words modules (staff-, settings-, dashboard-words.js; the kiosk's kiosk- and
// book-words.js) and their pages share: pageWords(), the language a page shows and its words
// in it; filling [data-t] texts from a table of words; an API failure in words; the toggle.

/** @typedef {"zh" | "en"} Lang */
/** A table of one language's words: texts, and functions that make texts. @typedef {Record<string, any>} WordTable */
/** An API failure as session.js gives it (a page may make one of a code alone).
 * @typedef {{status?: number, code: string, message?: string}} FailureLike */

/**
 * A page's words in Chinese and English, and which of them it shows (Chinese until setLang).
 * @template {WordTable} T
 * @param {{zh: T, en: T}} tables
 * @param {{placeholders?: boolean}} [options] placeholders: fillTexts also sets the placeholder
 *   of an input with [data-t-label]
 */
export function pageWords(tables, { placeholders = false } = {}) {
  /** @type {Lang} */
  let lang = "zh";
  const words = () => tables[lang];
  return {
    /** @param {string | null | undefined} value "en", else Chinese */
    setLang(value) { lang = value === "en" ? "en" : "zh"; },
    /** @returns {Lang} */
    currentLang: () => lang,
    words,
    /** Fill every [data-t] element under `root` with its text ([data-t-label]: its aria-label).
     * @param {ParentNode} [root] */
    fillTexts: (root = document) => fillFrom(words(), root, { placeholders }),
    /** An API failure in words (see failureText): the table's `errors`.
     * @param {FailureLike} failure */
    errorText: (failure) => failureText(words().errors, failure),
    /**
     * A name pair in the current language first: [first, second or ""].
     * @param {Record<string, any> | null | undefined} obj
     */
    names(obj, zhKey = "name", enKey = "name_en") {
      const zh = obj?.[zhKey] ?? "";
      const en = obj?.[enKey] || zh;
      return lang === "en" ? [en, en === zh ? "" : zh] : [zh, en === zh ? "" : en];
    },
    /**
     * A service's name in the current language (the code when the hall does not know it;
     * `code` when there is no service).
     * @param {{code: string, name?: string, name_en?: string} | null | undefined} service
     */
    serviceName(service, code = "") {
      if (!service) return code;
      return (lang === "en" ? service.name_en || service.name : service.name) || service.code;
    },
    /**
     * A window's label: its name in Chinese ("3号窗口"), "Window 3" in English (the tables'
     * `window(n)`).
     * @param {{number: number, name?: string | null}} w
     */
    windowLabel(w) {
      const own = tables.zh.window(w.number);
      if (lang === "zh") return w.name || own;
      return w.name && w.name !== own ? `${tables.en.window(w.number)} · ${w.name}` : tables.en.window(w.number);
    },
  };
}

/**
 * Fill every [data-t] element under `root` with its text from `table`; [data-t-label] sets the
 * aria-label (and, with `placeholders`, an input's placeholder too).
 * @param {WordTable} table
 * @param {ParentNode} [root]
 */
export function fillFrom(table, root = document, { placeholders = false } = {}) {
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll("[data-t]"))) {
    const text = table[el.dataset.t ?? ""];
    if (typeof text === "string") el.textContent = text;
  }
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll("[data-t-label]"))) {
    const text = table[el.dataset.tLabel ?? ""];
    if (typeof text !== "string") continue;
    el.setAttribute("aria-label", text);
    if (placeholders && el instanceof HTMLInputElement) el.placeholder = text;
  }
}

/**
 * An API failure in words: the code's own sentence in `errors`, else the server's message, else
 * a generic one by status. `failure` is {status, code, message} (status 0: no answer).
 * @param {Record<string, string>} errors
 * @param {FailureLike} failure
 * @returns {string}
 */
export function failureText(errors, failure) {
  if (errors[failure.code]) return errors[failure.code];
  if (failure.status === 0) return errors.network;
  if (failure.status !== undefined && failure.status >= 500) return errors.server;
  return failure.message || errors.bad_request;
}

/**
 * Show `lang` as the page's language: <html lang> and the toggle's pressed button.
 * @param {string} lang
 * @param {string} htmlLang
 */
export function markLang(lang, htmlLang) {
  document.documentElement.lang = htmlLang;
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".lang button"))) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
}

/**
 * Keep the language in the address (?lang=en; Chinese is the default), so a reload keeps it.
 * @param {string} lang
 */
export function langInUrl(lang) {
  const url = new URL(window.location.href);
  if (lang === "en") url.searchParams.set("lang", "en");
  else url.searchParams.delete("lang");
  history.replaceState(null, "", url);
}

/**
 * Call `pick(lang)` when a button of the language toggle is clicked.
 * @param {(lang: string | undefined) => void} pick
 */
export function onLangToggle(pick) {
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".lang button"))) {
    button.addEventListener("click", () => pick(button.dataset.lang));
  }
}
