// What the words modules (staff-, settings-, dashboard-words.js) and their pages share: filling
// [data-t] texts from a table of words, an API failure in words, and the language toggle.

/**
 * Fill every [data-t] element under `root` with its text from `table`; [data-t-label] sets the
 * aria-label (and, with `placeholders`, an input's placeholder too).
 */
export function fillFrom(table, root = document, { placeholders = false } = {}) {
  for (const el of root.querySelectorAll("[data-t]")) {
    const text = table[el.dataset.t];
    if (typeof text === "string") el.textContent = text;
  }
  for (const el of root.querySelectorAll("[data-t-label]")) {
    const text = table[el.dataset.tLabel];
    if (typeof text !== "string") continue;
    el.setAttribute("aria-label", text);
    if (placeholders && el.matches("input")) el.placeholder = text;
  }
}

/**
 * An API failure in words: the code's own sentence in `errors`, else the server's message, else
 * a generic one by status. `failure` is {status, code, message} (status 0: no answer).
 */
export function failureText(errors, failure) {
  if (errors[failure.code]) return errors[failure.code];
  if (failure.status === 0) return errors.network;
  if (failure.status >= 500) return errors.server;
  return failure.message || errors.bad_request;
}

/** Show `lang` as the page's language: <html lang> and the toggle's pressed button. */
export function markLang(lang, htmlLang) {
  document.documentElement.lang = htmlLang;
  for (const button of document.querySelectorAll(".lang button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
}

/** Keep the language in the address (?lang=en; Chinese is the default), so a reload keeps it. */
export function langInUrl(lang) {
  const url = new URL(window.location.href);
  if (lang === "en") url.searchParams.set("lang", "en");
  else url.searchParams.delete("lang");
  history.replaceState(null, "", url);
}

/** Call `pick(lang)` when a button of the language toggle is clicked. */
export function onLangToggle(pick) {
  for (const button of document.querySelectorAll(".lang button")) {
    button.addEventListener("click", () => pick(button.dataset.lang));
  }
}
