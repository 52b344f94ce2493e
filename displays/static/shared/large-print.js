// @ts-check
// Large print (大字, 适老化): the page's toggles put `large-print` on <html>, where the page's CSS
// doubles its type (under the strict CSP: a class, never a style). The toggles' label follows
// the page's language (<html lang>). On a phone the choice is kept on the device (localStorage);
// at a kiosk it is the present citizen's: kiosk.js turns it off when their ticket is done, and
// it turns itself off after `idleMs` without a touch or a key.
const CLASS = "large-print";
const KEY = "callnext.large-print";
const LABELS = { zh: "大字", en: "Large text" };
const root = document.documentElement;
const toggles = () => document.querySelectorAll("[data-large-print]");

export const largePrint = () => root.classList.contains(CLASS);

export function setLargePrint(on) {
  root.classList.toggle(CLASS, on);
  for (const button of toggles()) button.setAttribute("aria-pressed", String(on));
}

function label() {
  const text = root.lang.startsWith("en") ? LABELS.en : LABELS.zh;
  for (const button of toggles()) button.querySelector(".lp-label").textContent = text;
}

function stored() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage turned off: the choice lasts as long as the page
  }
}

function keep(storage, on) {
  try {
    storage?.setItem(KEY, on ? "1" : "0");
  } catch {
    // full or refused: the choice lasts as long as the page
  }
}

/** Wire the page's toggles: `remember` keeps the choice on this device; `idleMs` (> 0) turns
 * large print off after that long without a touch or a key. */
export function largePrintToggle({ remember = false, idleMs = 0 } = {}) {
  const storage = remember ? stored() : null;
  let idleTimer = 0;
  const rearm = () => {
    clearTimeout(idleTimer);
    if (idleMs > 0 && largePrint()) idleTimer = setTimeout(() => setLargePrint(false), idleMs);
  };
  setLargePrint(storage?.getItem(KEY) === "1");
  label();
  new MutationObserver(label).observe(root, { attributes: true, attributeFilter: ["lang"] });
  for (const button of toggles()) {
    button.addEventListener("click", () => {
      setLargePrint(!largePrint());
      keep(storage, largePrint());
      rearm();
    });
  }
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, rearm, { capture: true, passive: true });
  }
}
