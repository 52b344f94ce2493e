// @ts-check
// The phone's ticket page's texts in Chinese and English. `words()` follows the language toggle.
import { pageWords } from "../shared/words.js";
import { PAST_CLOSING, waitFor } from "../shared/wait-words.js";

export const WORDS = {
  zh: {
    htmlLang: "zh-CN",
    other: "English",
    otherLang: "en",
    label: "您的号码",
    status: {
      waiting: "排队中", transferred: "已转办，继续排队", called: "到您了", done: "已办结",
      pending: "已受理，待办结", no_show: "已过号", cancelled: "已取消", expired: "已过期",
    },
    note: {
      waiting: (_svc, almost) => (almost > 0
        ? `请保持本页面打开：前面还剩 ${almost} 人时和到号时都会提醒您。`
        : "请保持本页面打开，到号时会提醒您。"),
      transferred: (svc) => `您的业务已转到「${svc}」，号码不变，请继续等候。`,
      called: () => "请带好材料，尽快前往。",
      recalled: () => "工作人员再次呼叫您，请尽快前往。",
      done: () => "业务已办结，感谢您的耐心等候。",
      pending: () => "业务已受理，办结后另行通知。",
      no_show: () => "叫号时您未到窗口。如仍需办理，请到咨询台或重新取号。",
      cancelled: () => "您已取消排队。如仍需办理，请重新取号。",
      expired: () => "当日办理时间已结束，此号作废。如仍需办理，请另日重新取号。",
    },
    go: (n) => ["请到", n, "号窗口"],
    ahead: (n) => (n > 0 ? ["前面还有", n, "人"] : ["", "下一位就是您", ""]),
    wait: (s) => `预计等候${waitFor.zh(s)}`,
    late: `${PAST_CLOSING.zh}：前面人数较多，预计今日办理时间结束前轮不到您。可改日再来或咨询工作人员。`,
    noEstimate: "暂无窗口办理，无法估计等候时间",
    title: (t, status) => `${t.number} · ${status}`,
    titleCalled: (t) => `【请到${t.window}号窗口】${t.number}`,
    notifyBody: (t, hall) => `${t.number} · ${hall}`,
    almostTitle: "快到您了",
    almostLine: (n) => `${n > 0 ? `还有 ${n} 人就到您` : "下一位就是您"}，\n请到窗口附近留意叫号。`,
    titleAlmost: (t) => `快到您了 · ${t.number}`,
    almostBody: (t, hall) => `${t.ahead > 0 ? `前面还有 ${t.ahead} 人` : "下一位就是您"} · ${hall}`,
    /** @type {(almost: boolean) => string} */
    notify: (almost) => (almost ? "开启快到号及到号提醒" : "开启到号提醒"),
    /** @type {(almost: boolean) => string} */
    notifyOn: (almost) => (almost ? "已开启提醒：快到您时和到号时都会通知您。" : "已开启到号提醒。"),
    notifyDenied: "浏览器未允许通知，请留意本页面。",
    cancel: "取消排队",
    confirm: (t) => `确定要取消 ${t.number} 号吗？取消后需重新取号。`,
    confirmYes: "确定取消",
    confirmNo: "继续排队",
    cancelling: "正在取消…",
    error: {
      notWaiting: "这张号已不在排队中，无法取消。",
      network: "网络不通，未能取消，请稍后重试。",
      failed: "取消失败，请稍后重试。",
    },
    offline: "连接中断，正在重连…",
    issued: (time) => `取号时间 ${time}`,
  },
  en: {
    htmlLang: "en",
    other: "中文",
    otherLang: "zh-CN",
    label: "Your number",
    status: {
      waiting: "Waiting", transferred: "Transferred, waiting again", called: "Your turn",
      done: "Done", pending: "Accepted, to be completed", no_show: "Missed",
      cancelled: "Cancelled", expired: "Expired",
    },
    note: {
      waiting: (_svc, almost) => (almost > 0
        ? `Keep this page open: it alerts you when ${almost === 1 ? "1 is" : `${almost} are`} `
          + "ahead of you and when you are called."
        : "Keep this page open: it alerts you when you are called."),
      transferred: (svc) => `Your matter moved to ${svc}. Same number: please keep waiting.`,
      called: () => "Please bring your documents and go now.",
      recalled: () => "You are being called again. Please go now.",
      done: () => "All done. Thank you for waiting.",
      pending: () => "Accepted. It will be completed later; you will be told.",
      no_show: () => "You were called but did not come. Ask at the enquiries desk or take "
        + "a new ticket.",
      cancelled: () => "You left the queue. Take a new ticket if you still need this service.",
      expired: () => "The hall's day ended before this number was called. Please take a new "
        + "ticket on another day.",
    },
    go: (n) => ["Please go to window ", n, ""],
    ahead: (n) => (n > 0 ? ["", n, " ahead of you"] : ["", "You are next", ""]),
    wait: (s) => `Estimated wait: ${waitFor.en(s)}`,
    late: `${PAST_CLOSING.en}: many people are ahead of you and the estimate runs past today's `
      + "hours. Come back another day or ask a member of staff.",
    noEstimate: "No window is serving this now; no wait estimate",
    title: (t, status) => `${t.number} · ${status}`,
    titleCalled: (t) => `[Go to window ${t.window}] ${t.number}`,
    notifyBody: (t, hall) => `${t.number} · ${hall}`,
    almostTitle: "Almost your turn",
    almostLine: (n) => `${n > 0 ? `${n} ahead of you` : "You are next"}: please stay near the `
      + "windows and watch the screens for your number.",
    titleAlmost: (t) => `Almost your turn · ${t.number}`,
    almostBody: (t, hall) => `${t.ahead > 0 ? `${t.ahead} ahead of you` : "You are next"} · ${hall}`,
    /** @type {(almost: boolean) => string} */
    notify: (almost) => (almost ? "Notify me near my turn and when called"
      : "Notify me when called"),
    /** @type {(almost: boolean) => string} */
    notifyOn: (almost) => (almost ? "You will be notified when your turn is near and when called."
      : "You will be notified when called."),
    notifyDenied: "Notifications are blocked: please keep an eye on this page.",
    cancel: "Cancel my ticket",
    confirm: (t) => `Cancel ticket ${t.number}? You would need to take a new one.`,
    confirmYes: "Yes, cancel it",
    confirmNo: "No, keep my place",
    cancelling: "Cancelling…",
    error: {
      notWaiting: "This ticket is no longer waiting, so it cannot be cancelled.",
      network: "No connection: the ticket was not cancelled. Please try again.",
      failed: "Could not cancel. Please try again.",
    },
    offline: "Connection lost. Reconnecting…",
    issued: (time) => `Issued at ${time}`,
  },
};

// words.js's pageWords: the language (Chinese until setLang) and its words.
export const { setLang, currentLang, words } = pageWords(WORDS);
