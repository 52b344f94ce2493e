// @ts-check
// The staff-side pages' login form (displays/_login.html; staff console, dashboard, settings):
// sending it, its error, the session it saves, where the focus goes, and logging out. What each
// page does around it (its views, who may log in there) comes in as options.

/** @typedef {import("./session.js").Result} Result */
/** @typedef {import("./session.js").Failure} Failure */
/** @typedef {import("./session.js").SessionValue} SessionValue */

/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/**
 * Wire the page's login form (#login-form) and return what the page does with it.
 *
 * @param {object} options
 * @param {(username: string, password: string) => Promise<Result>} options.login the request
 * @param {() => Promise<Result>} options.logout the request
 * @param {{save(value: SessionValue): void, clear(): void}} options.session
 * @param {() => {log_in: string, logging_in?: string}} options.words the page's words now
 *   (`logging_in` with `busyText` only: the settings page's words have none)
 * @param {(failure: Failure) => string} options.failureText a refused login in words
 * @param {(data: any) => string} [options.refusal] why the account may not use this page, or ""
 * @param {(text: string, data: any) => void | Promise<void>} [options.refused] what the page
 *   does then; by default, the text is the form's error (and focus moves as after a failure)
 * @param {(data: any, username: string) => SessionValue} options.sessionOf what to keep
 * @param {() => void | Promise<void>} options.entered once the session is saved
 * @param {boolean} [options.needBoth] an empty field gets the focus instead of a request
 * @param {boolean} [options.busyText] the button says `logging_in` while the request runs
 * @param {boolean} [options.clearError] the error goes away when the form is sent again
 * @param {(password: HTMLInputElement) => void} [options.afterError] the password field after
 *   an error: selected and focused by default
 */
export function loginForm({
  login, logout, session, words, failureText, refusal = () => "", refused, sessionOf, entered,
  needBoth = true, busyText = true, clearError = false,
  afterError = (password) => { password.select(); password.focus(); },
}) {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("login-form"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("login-submit"));
  const error = /** @type {HTMLElement} */ (document.getElementById("login-error"));

  /** Show `text` as the form's error ("": none). @param {string} text */
  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (button.disabled) return;
    const username = input("username").value.trim();
    const password = input("password").value;
    const missing = !needBoth ? null : !username ? input("username") : !password ? input("password") : null;
    if (missing) {
      missing.focus();
      return;
    }
    button.disabled = true;
    if (busyText) button.textContent = /** @type {string} */ (words().logging_in);
    if (clearError) showError("");
    const result = await login(username, password);
    button.disabled = false;
    if (busyText) button.textContent = words().log_in;
    if (!result.ok) {
      showError(failureText(/** @type {Failure} */ (result))); // not narrowed unless strict
      afterError(input("password"));
      return;
    }
    const data = result.data;
    const no = refusal(data);
    if (no) {
      if (refused) {
        await refused(no, data);
      } else {
        showError(no);
        afterError(input("password"));
      }
      return;
    }
    session.save(sessionOf(data, username));
    input("password").value = "";
    await entered();
  });

  return {
    showError,
    /** The form, empty but for `username`, and the focus in its first empty field. */
    reset(username = "") {
      input("username").value = username;
      input("password").value = "";
      (username ? input("password") : input("username")).focus();
    },
    /** Log out: the server forgets the token, the tab forgets the session. */
    async logOut() {
      await logout();
      session.clear();
    },
  };
}
