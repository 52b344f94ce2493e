// @ts-check
// The booking page's texts (/halls/{hall}/book and /a/{id}) in Chinese and English, and its
// dates and times in the hall's timezone. `words()` follows the language toggle.
import { pageWords } from "../shared/words.js";

const WORDS = {
  zh: {
    html_lang: "zh-CN", locale: "zh-CN", other: "English", other_lang: "en",
    title: "预约办事",
    loading: "正在载入…",
    closed_title: "本大厅暂未开放预约",
    closed_text: "请直接到大厅取号办理。",
    pick_service: "选择业务",
    pick_day: "选择日期",
    pick_slot: "选择时段",
    no_days: "近期没有可预约的日期，请到大厅取号。",
    no_slots: "这一天已没有可预约的时段，请另选日期。",
    free: (n) => `余 ${n} 个`,
    full: "已约满",
    today: "今天",
    tomorrow: "明天",
    your_details: "联系信息",
    // 实名取号: a real-name service's ID number (book-id.js); no message ever repeats it
    your_details_id: "实名信息",
    real_name_tag: "实名预约",
    id_number: "身份证号",
    id_x: "输入字母 X",
    id_hint: "实名预约：请填写前来办理者的 18 位居民身份证号（最后一位可能是 X）。号码只用于核对，提交后不再显示，也不保存号码本身。",
    id_checkin: "到大厅后，可在取号机上刷同一张身份证签到，也可扫描预约码。",
    id_checkin_booked: "也可在取号机上刷预约时填写的那张身份证签到。",
    id_errors: {
      length: (n) => `身份证号应为 18 位，现在是 ${n} 位，请核对。`,
      shape: "身份证号的格式不对：前 17 位应为数字（第 1 位不是 0），最后一位是数字或 X。",
      birth_date: "身份证号中的出生日期（第 7–14 位）不是有效日期，请核对。",
      check_character: "身份证号的最后一位（校验码）与前 17 位对不上，请逐位核对后重新输入。",
    },
    person_limit: (n) => (n ? `这项业务每人每天最多预约 ${n} 次，这个身份证号在这一天已约满，请另选日期。`
      : "这个身份证号在这一天已约满，请另选日期。"),
    name: "姓名",
    phone: "手机号",
    optional: "（选填）",
    required: "（必填）",
    privacy: "信息只用于本次预约，不会显示在任何公共屏幕上。",
    book: "确认预约",
    booking: "正在预约…",
    summary: (svc, day, time) => `${svc} · ${day} ${time}`,
    your_code: "预约码",
    qr_hint: "到大厅后，在取号机上扫描此码或输入预约码签到",
    window: (from, to) => `请在 ${from}–${to} 之间到取号机签到，签到后按预约时间优先叫号。`,
    status: { booked: "已预约", checked_in: "已签到", cancelled: "已取消", missed: "已过期" },
    note: {
      checked_in: "您已签到，请留意叫号。",
      cancelled: "预约已取消，名额已释放。",
      missed: "签到时间已过。如仍需办理，请重新预约或到大厅取号。",
    },
    ticket: (n) => `查看我的号码 ${n}`,
    cancel: "取消预约",
    confirm: (code) => `确定取消预约 ${code} 吗？`,
    confirm_yes: "确定取消",
    cancelling: "正在取消…",
    keep: "保留预约",
    book_another: "预约其他时间",
    errors: {
      slot_full: "这个时段刚刚约满，请另选一个时段。",
      slot_not_bookable: "这个时段已不能预约，请另选一个时段。",
      booking_disabled: "这项业务暂停预约。",
      field_required: (field) => `请填写${field}。`,
      invalid_field: (field) => `${field}的格式不对，请检查。`,
      service_not_found: "没有这项业务。",
      appointment_not_cancellable: "这个预约已不能取消。",
      appointment_not_found: "没有找到这个预约。",
      rate_limited: "操作太频繁，请稍后再试。",
      network: "网络不通，请稍后重试。",
      failed: "没有成功，请稍后重试。",
    },
  },
  en: {
    html_lang: "en", locale: "en-GB", other: "中文", other_lang: "zh-CN",
    title: "Book an appointment",
    loading: "Loading…",
    closed_title: "This hall takes no bookings yet",
    closed_text: "Please come to the hall and take a ticket.",
    pick_service: "Choose a service",
    pick_day: "Choose a day",
    pick_slot: "Choose a time",
    no_days: "No day can be booked soon: please take a ticket at the hall.",
    no_slots: "No time is left on this day: please choose another day.",
    free: (n) => `${n} left`,
    full: "Full",
    today: "Today",
    tomorrow: "Tomorrow",
    your_details: "Your details",
    your_details_id: "Your details",
    real_name_tag: "Booked by real name",
    id_number: "ID number",
    id_x: "Type the letter X",
    id_hint: "Booked by real name: the 18-character resident ID number of the person coming (the last may be X). It is only checked: never shown again, and the number itself is not kept.",
    id_checkin: "At the hall, check in at the kiosk with the same ID card, or scan the booking code.",
    id_checkin_booked: "You can also check in at the kiosk with the ID card this booking was made with.",
    id_errors: {
      length: (n) => `An ID number has 18 characters; this one has ${n}: please check it.`,
      shape: "An ID number is 17 digits (the first is not 0), then a digit or X.",
      birth_date: "The date of birth in the ID number (characters 7–14) is not a real date: please check it.",
      check_character: "The last character (the check character) does not match the first 17: please check each one and type it again.",
    },
    person_limit: (n) => (n ? `One person may book this service ${n === 1 ? "once" : `${n} times`} a day, `
      + "and this ID number has no bookings left that day: please choose another day."
      : "This ID number has no bookings left that day: please choose another day."),
    name: "Name",
    phone: "Phone",
    optional: " (optional)",
    required: " (required)",
    privacy: "Used for this booking only, never shown on any public screen.",
    book: "Book",
    booking: "Booking…",
    summary: (svc, day, time) => `${svc} · ${day}, ${time}`,
    your_code: "Booking code",
    qr_hint: "At the hall, scan this code or type the booking code at the kiosk to check in",
    window: (from, to) => `Check in at the kiosk between ${from} and ${to}: you are then called by `
      + "your booked time.",
    status: { booked: "Booked", checked_in: "Checked in", cancelled: "Cancelled", missed: "Missed" },
    note: {
      checked_in: "You have checked in: please wait for your number to be called.",
      cancelled: "The booking is cancelled and the place is free again.",
      missed: "The check-in time has passed. Book again, or take a ticket at the hall.",
    },
    ticket: (n) => `See my number ${n}`,
    cancel: "Cancel the booking",
    confirm: (code) => `Cancel booking ${code}?`,
    confirm_yes: "Yes, cancel it",
    cancelling: "Cancelling…",
    keep: "No, keep it",
    book_another: "Book another time",
    errors: {
      slot_full: "This time has just been taken: please choose another one.",
      slot_not_bookable: "This time can no longer be booked: please choose another one.",
      booking_disabled: "This service takes no bookings now.",
      field_required: (field) => `Please fill in: ${field}.`,
      invalid_field: (field) => `Please check: ${field}.`,
      service_not_found: "No such service.",
      appointment_not_cancellable: "This booking can no longer be cancelled.",
      appointment_not_found: "No such booking.",
      rate_limited: "Too many requests: please try again in a moment.",
      network: "No connection: please try again.",
      failed: "That did not work: please try again.",
    },
  },
};

// words.js's pageWords: the language, its words, fillTexts ([data-t]).
export const { setLang, currentLang, words, fillTexts } = pageWords(WORDS);

let timezone = "UTC";
export const setTimezone = (value) => { timezone = value || "UTC"; };

/** A name pair in the page's language first, the other one second ("" when the same). */
export function pick(zh, en) {
  const both = Boolean(en) && en !== zh;
  return currentLang() === "en" ? [en || zh, both ? zh : ""] : [zh, both ? en : ""];
}

/** An error code of the API in words (`field`: the field it names, already in words). */
export function errorText(code, field = "") {
  const text = words().errors[code] ?? words().errors.failed;
  return typeof text === "function" ? text(field) : text;
}

const formats = new Map();
function format(kind) {
  const key = `${currentLang()}-${kind}`;
  if (!formats.has(key)) {
    /** @type {Intl.DateTimeFormatOptions} */
    const options = kind === "time"
      ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
      : { month: "short", day: "numeric", weekday: "short" };
    // A day is a calendar date (YYYY-MM-DD read as UTC midnight): no timezone can shift it.
    const timeZone = kind === "time" ? timezone : "UTC";
    formats.set(key, new Intl.DateTimeFormat(words().locale, { timeZone, ...options }));
  }
  return formats.get(key);
}

/** "09:30" in the hall's timezone. */
export const clock = (iso) => format("time").format(Date.parse(iso));

/** "12月4日周五" / "Fri 4 December" for a YYYY-MM-DD day. */
export const dayName = (day) => format("day").format(Date.parse(`${day}T00:00:00Z`));

/** The hall's day (YYYY-MM-DD) at the instant `ms`. */
export const hallDayOf = (ms) => new Intl.DateTimeFormat("en-CA", {
  timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit",
}).format(ms);
