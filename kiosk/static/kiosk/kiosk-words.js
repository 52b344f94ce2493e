// @ts-check
// The kiosk's texts in Chinese and English. `words()` follows the language toggle.
import { pageWords } from "../shared/words.js";
import { PAST_CLOSING, opensWhen, waitFor } from "../shared/wait-words.js";

const WORDS = {
  zh: {
    html_lang: "zh-CN",
    locale: "zh-CN",
    title: "取号",
    prompt: "请选择要办理的业务",
    loading: "正在载入业务…",
    no_services: "暂无可办理的业务",
    page_up: "▲ 上一页",
    page_down: (n) => (n > 0 ? `▼ 还有 ${n} 项` : "▼ 没有了"),
    waiting: (n) => `等候 ${n} 人`,
    // s null: no staffed window serves the service now, so there is no estimate to give;
    // late: the estimate runs past the service's hours today
    wait: (s, late) => (s == null ? "暂无窗口办理" : late ? PAST_CLOSING.zh : s > 0 ? waitFor.zh(s) : "无需等候"),
    remaining: (n) => `今日剩余 ${n} 个号`,
    priority: "绿色通道",
    priority_who: "老年人、残疾人、孕妇",
    priority_pick: "请选择业务，取优先号",
    no_priority: "不设绿色通道",
    back: "返回",
    busy: "正在取号…",
    your_number: "您的号码",
    ahead: (n, s, late) => (s == null ? `${n > 0 ? `前面还有 ${n} 人` : "前面没有人"} · 暂无窗口办理，无法估计等候时间`
      : late ? `${n > 0 ? `前面还有 ${n} 人` : "前面没有人"} · ${PAST_CLOSING.zh}`
        : n > 0 ? `前面还有 ${n} 人 · ${waitFor.zh(s)}` : "前面没有人"),
    scan: "扫码在手机上查看进度",
    done: "完成",
    ok: "好的",
    back_in: (n) => `${n} 秒后返回`,
    printed: "请取走号票",
    reprinted: "已补打号票，请取走",
    print_failed: "打印失败，请扫码或拍照保存",
    not_again: "如未出票，请扫码或拍照保存",
    no_print: "请拍照或扫码保存您的号码",
    no_ticket: "未能取号",
    down: "暂时无法取号，请稍后再试或咨询工作人员",
    rate_limited: "取号人数较多，请稍后再试",
    offline: "网络连接中断，正在重连…",
    unknown_kiosk: (code) => `取号机 ${code} 未登记`,
    kiosk_key_missing: (code) => `取号机 ${code} 没有密钥：请在设置页“取号机”为它生成新密钥，并在本机打开设置链接`,
    kiosk_key_wrong: (code) => `取号机 ${code} 的密钥不对（已更换？）：请在本机打开设置页给出的新设置链接`,
    checkin_entry: "我有预约",
    checkin_entry_2: "输入或扫描预约码签到",
    checkin_title: "预约签到",
    checkin_prompt: "请扫描预约二维码，或输入8位预约码",
    checkin_go: "签到",
    checkin_hint: "扫码签到：打开手机上的预约页面，把二维码对准扫描口",
    checkin_clear: "清空",
    checkin_backspace: "删除",
    checkin_busy: "正在签到…",
    booked_mark: "预约",
    checkin: {
      slot: (time) => `预约 ${time}`,
      again: "您已签到过，这是您的号码",
      again_reprinted: "您已签到过，已为您补打号票",
      again_called: (n) => `您已签到过，您的号已叫到，请到 ${n} 号窗口`,
      again_status: {
        done: "您已签到过，这个号已办结", pending: "您已签到过，业务已受理，待办结",
        no_show: "您已签到过，这个号已过号。如仍需办理，请到咨询台", cancelled: "您已签到过，这个号已取消",
        expired: "您已签到过，这个号已过期",
      },
      early_walk_in: (at) => `还没到签到时间（${at} 开始），已按普通号为您排队`,
      late_walk_in: "已过签到时间，已按普通号为您排队",
      failed: "未能签到",
      checkin_too_early: (at) => (at ? `还没到签到时间，请在 ${at} 之后签到。如现在办理，请返回取普通号。`
        : "还没到签到时间。如现在办理，请返回取普通号。"),
      checkin_too_late: "已过签到时间，预约已失效。如仍需办理，请返回取普通号。",
      appointment_cancelled: "这个预约已取消。如仍需办理，请返回取普通号。",
      appointment_not_today: (day) => (day ? `您的预约是 ${day}，不是今天。` : "您的预约不是今天。"),
      appointment_not_found: "没有找到这个预约码，请核对后重新输入",
      too_short: "预约码是8位，请输入完整",
    },
    closed: {
      quota_reached: "今日号已发完",
      outside_hours: (at) => (at ? `未到取号时间，${at} 开始` : "今日已停止取号"),
      service_closed: "暂停取号",
      hall_closed_today: "今日休息",
      priority_not_allowed: "该业务不设绿色通道",
    },
    opens: (when) => `${when} 开始取号`,
  },
  en: {
    html_lang: "en",
    locale: "en-GB",
    title: "Take a ticket",
    prompt: "Please choose a service",
    loading: "Loading the services…",
    no_services: "No service is available",
    page_up: "▲ Back",
    page_down: (n) => (n > 0 ? `▼ ${n} more` : "▼ No more"),
    waiting: (n) => `${n} waiting`,
    wait: (s, late) => (s == null ? "no window serving" : late ? PAST_CLOSING.en : s > 0 ? waitFor.en(s) : "no wait"),
    remaining: (n) => `${n} left today`,
    priority: "Priority lane",
    priority_who: "Elderly, disabled, pregnant",
    priority_pick: "Choose a service for a priority ticket",
    no_priority: "No priority lane",
    back: "Back",
    busy: "Getting your ticket…",
    your_number: "Your number",
    ahead: (n, s, late) => (s == null ? `${n > 0 ? `${n} ahead of you` : "Nobody ahead of you"} · No window is serving this now; no wait estimate`
      : late ? `${n > 0 ? `${n} ahead of you` : "Nobody ahead of you"} · ${PAST_CLOSING.en}`
        : n > 0 ? `${n} ahead of you · ${waitFor.en(s)}` : "Nobody ahead of you"),
    scan: "Scan to follow on your phone",
    done: "Done",
    ok: "OK",
    back_in: (n) => `back in ${n} s`,
    printed: "Please take your ticket",
    reprinted: "Printed again: please take your ticket",
    print_failed: "Printing failed: scan the code or take a photo",
    not_again: "No slip? Scan the code or take a photo",
    no_print: "Take a photo or scan the code to keep your number",
    no_ticket: "No ticket issued",
    down: "We cannot issue tickets right now. Please try again later or ask a member of staff.",
    rate_limited: "Too many requests: please try again in a moment",
    offline: "Offline, reconnecting…",
    unknown_kiosk: (code) => `Kiosk ${code} is not registered`,
    kiosk_key_missing: (code) => `Kiosk ${code} has no key here: make a new key for it (Settings, Kiosks) and open its setup link on this kiosk`,
    kiosk_key_wrong: (code) => `Kiosk ${code}'s key is wrong (replaced?): open its new setup link from the settings page on this kiosk`,
    checkin_entry: "I have an appointment",
    checkin_entry_2: "Type or scan your booking code",
    checkin_title: "Appointment check-in",
    checkin_prompt: "Scan the booking's QR code, or type the 8-character code",
    checkin_go: "Check in",
    checkin_hint: "To scan: open the booking on your phone and hold its QR code to the scanner",
    checkin_clear: "Clear",
    checkin_backspace: "Delete",
    checkin_busy: "Checking in…",
    booked_mark: "Appointment",
    checkin: {
      slot: (time) => `Appointment ${time}`,
      again: "You had already checked in: this is your number",
      again_reprinted: "You had already checked in: your ticket is printed again",
      again_called: (n) => `You had already checked in and your number was called: go to window ${n}`,
      again_status: {
        done: "You had already checked in: this number is done",
        pending: "You had already checked in: your matter was accepted, to be completed",
        no_show: "You had already checked in: this number was missed. Ask at the enquiries desk",
        cancelled: "You had already checked in: this number was cancelled",
        expired: "You had already checked in: this number has expired",
      },
      early_walk_in: (at) => `Too early to check in (from ${at}): you are queued as a walk-in`,
      late_walk_in: "Too late to check in: you are queued as a walk-in",
      failed: "Not checked in",
      checkin_too_early: (at) => (at ? `Too early: check-in opens at ${at}. To be served now, go back and take a ticket.`
        : "Too early to check in. To be served now, go back and take a ticket."),
      checkin_too_late: "Too late: the appointment has lapsed. Go back and take a ticket if you still need it.",
      appointment_cancelled: "This appointment was cancelled. Go back and take a ticket if you still need it.",
      appointment_not_today: (day) => (day ? `Your appointment is on ${day}, not today.` : "Your appointment is not today."),
      appointment_not_found: "No appointment has this code: please check it and type it again",
      too_short: "A booking code has 8 characters",
    },
    closed: {
      quota_reached: "All of today's tickets are taken",
      outside_hours: (at) => (at ? `Opens at ${at}` : "Closed for today"),
      service_closed: "Not issuing now",
      hall_closed_today: "Closed today",
      priority_not_allowed: "No priority lane for this service",
    },
    opens: (when) => `opens ${when}`,
  },
};

// words.js's pageWords: the language, its words, fillTexts ([data-t]), a service's (or the
// hall's) name pair in the current language first.
export const { setLang, currentLang, words, fillTexts, names } = pageWords(WORDS);
export const wordsOf = (value) => WORDS[value];

/** Why a service issues no ticket, in words: a closed_reason (or a 409 error code); with
 * `opensAt` ("13:30", later today) or `next` ({at: its next_open_at, today: the hall's day}),
 * when it issues again: "今日已停止取号 · 明天 09:00 开始取号". */
export function closedText(reason, opensAt = null, next = null) {
  const w = words();
  const text = w.closed[reason] ?? w.closed.service_closed;
  const line = typeof text === "function" ? text(opensAt) : text;
  if (opensAt || !next?.at || reason === "service_closed") return line;
  return `${line} · ${w.opens(opensWhen(next.at, next.today, currentLang()))}`;
}
