// @ts-check
// How an estimated wait reads, in Chinese and English, on the kiosk, its slip and the phone
// page (printing.py's wait_texts says the same on the ESC/POS slip): whole minutes rounded up;
// over an hour, hours and minutes rounded up to 5; a wait that runs past the service's hours
// today (the ticket's `past_closing`) gives no figure but a warning.

const LONG_STEP_MIN = 5;

/** [hours, minutes] of a wait of `s` seconds (at least 1 minute). */
function parts(s) {
  const minutes = Math.max(1, Math.ceil(s / 60));
  if (minutes <= 60) return [0, minutes];
  const rounded = Math.ceil(minutes / LONG_STEP_MIN) * LONG_STEP_MIN;
  return [Math.floor(rounded / 60), rounded % 60];
}

export const PAST_CLOSING = { zh: "今日可能无法办理", en: "May not be served today" };

/** "约 1 小时 25 分钟" / "about 1 h 25 min", for `s` > 0 seconds. */
export const waitFor = {
  zh: (s) => {
    const [h, m] = parts(s);
    return `约 ${h ? `${h} 小时` : ""}${h && m ? " " : ""}${m ? `${m} 分钟` : ""}`;
  },
  en: (s) => {
    const [h, m] = parts(s);
    return `about ${h ? `${h} h` : ""}${h && m ? " " : ""}${m ? `${m} min` : ""}`;
  },
};

const TOMORROW = { zh: "明天", en: "tomorrow" };
const LOCALES = { zh: "zh-CN", en: "en-GB" };
const formats = new Map();

function dateFormat(lang, withinWeek) {
  const key = `${lang}-${withinWeek}`;
  if (!formats.has(key)) {
    /** @type {Intl.DateTimeFormatOptions} */
    const options = withinWeek ? { weekday: "short" } : { month: "short", day: "numeric" };
    formats.set(key, new Intl.DateTimeFormat(LOCALES[lang], { timeZone: "UTC", ...options }));
  }
  return formats.get(key);
}

/** When tickets are next issued, from the stream's `next_open_at` (RFC 3339 in the hall's
 * offset) and the hall's day today ("2026-11-26"): "09:00" today, "明天 09:00" / "09:00
 * tomorrow", a weekday within the week ("周一 09:00" / "Mon 09:00"), else the date. */
export function opensWhen(iso, today, lang) {
  const day = iso.slice(0, 10);
  const hhmm = iso.slice(11, 16);
  const days = Math.round((Date.parse(day) - Date.parse(today)) / 86400000);
  if (days <= 0) return hhmm;
  if (days === 1) return lang === "en" ? `${hhmm} ${TOMORROW.en}` : `${TOMORROW.zh} ${hhmm}`;
  return `${dateFormat(lang, days < 7).format(Date.parse(day))} ${hhmm}`;
}
