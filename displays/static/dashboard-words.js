// The dashboard's texts in Chinese and English, and how it writes numbers, shares and times.
// `words()` follows the language toggle.
import { duration } from "./time.js";
import { failureText, fillFrom } from "./words.js";

/** "星期二", "Tuesday": the weekday of a day (YYYY-MM-DD). */
function weekday(day, locale) {
  const ms = Date.parse(`${day}T12:00:00Z`);
  if (Number.isNaN(ms)) return "";
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(ms);
}

const WORDS = {
  zh: {
    html_lang: "zh-CN",
    locale: "zh-CN",
    title: "管理看板",
    window: (n) => `${n}号窗口`,
    // login, session
    login_title: "管理员登录",
    login_hint: "请使用大厅管理员账号登录。",
    username: "用户名",
    password: "密码",
    log_in: "登录",
    logging_in: "正在登录…",
    log_out: "退出",
    logged_out: "已退出",
    expired: "登录已过期，请重新登录",
    managers_only: "需要管理员权限：工作人员账号不能查看管理看板",
    other_hall: (hall) => `此账号属于 ${hall} 大厅，不能查看本大厅的数据`,
    loading: "正在载入…",
    online: "实时",
    reconnecting: "重连中",
    offline: "连接服务器失败，正在重试…",
    // the day picker
    day: "日期",
    prev_day: "前一天",
    next_day: "后一天",
    today: "今天",
    day_title: (d, isToday) => `${d} ${weekday(d, "zh-CN")}${isToday ? "（今天）" : ""}`,
    as_of: (t) => `更新于 ${t}`,
    // live
    live: "实时",
    live_only_today: "实时状态只在查看今天时显示。",
    waiting: "等候",
    waiting_n: (n) => `${n} 人`,
    est_wait: (t) => `预计 ${t}`,
    not_issuing: "暂停取号",
    no_window: "暂无窗口办理",
    longest_wait: "最长等候",
    nobody_waits: "无人等候",
    pending_open: "待办结事项",
    pending_sub: (overdue, soon) => `逾期 ${overdue} 件 · 1 小时内到期 ${soon} 件`,
    windows: "窗口",
    open: "服务中",
    paused: "暂停",
    closed: "关闭",
    paused_because: (why) => (why ? `暂停：${why}` : "暂停"),
    idle: "空闲",
    no_staff: "无人登录",
    called_ago: (t) => `已叫 ${t}`,
    served_today: (n) => `今日办理 ${n}`,
    // KPIs
    k_issued: "取号",
    k_issued_sub: (cancelled, waiting) => `取消 ${cancelled} · 等候中 ${waiting}`,
    k_served: "已办理",
    k_served_sub: (called) => `已叫号 ${called}`,
    k_no_show: "过号未到",
    k_no_show_sub: (share) => `占已叫号 ${share}`,
    k_completion: "当日办结率",
    k_completion_sub: (done, served) => `${done} / ${served} 件当日办结`,
    k_completion_open: (open, late) => (late ? `${open} 件办理中，${late} 件已超承诺时限`
      : `${open} 件办理中，均在承诺时限内`),
    k_level: "等候达标率",
    k_level_sub: (within, called) => `${within} / ${called} 在目标时间内叫号`,
    k_promise: (min) => `${min} 分钟承诺办结率`,
    k_promise_sub: (p) => `按时 ${p.completed_in_time} · 超时 ${p.completed_late} · 逾期未办 ${p.overdue_open} · 办理中 ${p.open_in_time}`,
    k_wait: "等候时间（分钟）",
    k_service: "办理时长（分钟）",
    k_estimate: "预计等候误差",
    k_estimate_sub: (ratio, bias) => `误差占平均等候 ${ratio} · ${bias}`,
    bias_longer: (t) => `实际平均多等 ${t}`,
    bias_shorter: (t) => `实际平均少等 ${t}`,
    bias_none: "无系统偏差",
    avg: "平均",
    p50: "中位数",
    p90: "P90",
    none: "—",
    // charts
    c_hourly: "每小时取号与叫号",
    c_wait: "等候时间分布",
    c_windows: "各窗口办理量",
    c_rate: "近 30 天当日办结率",
    c_daily: "近 30 天每日取号与办理",
    arrivals: "取号",
    calls: "叫号",
    issued: "取号",
    served: "已办理",
    rate: "当日办结率",
    tickets: "人次",
    hour: "时",
    hour_axis: "时段（时）",
    minutes_axis: "等候（分钟）",
    people_axis: "人次",
    date_axis: "日期",
    over_target: "超过目标等候",
    within_target: "目标等候以内",
    per_window_sub: (t) => `平均办理 ${t}`,
    no_data: "当日无数据",
    // per service
    per_service: "各业务",
    s_service: "业务",
    s_waiting: "等候中",
    s_issued: "取号",
    s_served: "已办理",
    s_no_show: "过号",
    s_completion: "办结率",
    s_wait_avg: "平均等候",
    s_wait_p90: "P90 等候",
    s_target: "目标等候",
    s_level: "达标率",
    s_estimate: "预计误差",
    s_total: "全部",
    // export
    export: "导出",
    export_day: "当天",
    export_range: "日期范围",
    from: "从",
    to: "至",
    exporting: "正在导出…",
    exported: (name) => `已下载 ${name}`,
    errors: {
      network: "无法连接服务器，请稍后重试",
      server: "服务器出错，请稍后重试",
      bad_credentials: "用户名或密码错误",
      rate_limited: "尝试次数过多，请稍后再试",
      bad_range: "日期范围有误：开始日期须早于结束日期，且不超过 366 天",
      bad_date: "日期格式有误",
      hall_not_found: "没有这个大厅",
      bad_request: "请求未被接受",
    },
  },
  en: {
    html_lang: "en",
    locale: "en-GB",
    title: "Dashboard",
    window: (n) => `Window ${n}`,
    login_title: "Manager login",
    login_hint: "Log in with the hall manager's account.",
    username: "Username",
    password: "Password",
    log_in: "Log in",
    logging_in: "Logging in…",
    log_out: "Log out",
    logged_out: "Logged out",
    expired: "Your session has expired: please log in again",
    managers_only: "Managers only: a staff account cannot open the dashboard",
    other_hall: (hall) => `This account belongs to hall ${hall}, not to this hall`,
    loading: "Loading…",
    online: "Live",
    reconnecting: "Reconnecting",
    offline: "Cannot reach the server, retrying…",
    day: "Day",
    prev_day: "Previous day",
    next_day: "Next day",
    today: "Today",
    day_title: (d, isToday) => `${weekday(d, "en-GB")} ${d}${isToday ? " (today)" : ""}`,
    as_of: (t) => `as of ${t}`,
    live: "Live",
    live_only_today: "The live state shows when you look at today.",
    waiting: "Waiting",
    waiting_n: (n) => `${n}`,
    est_wait: (t) => `est. ${t}`,
    not_issuing: "Not issuing",
    no_window: "No window serving",
    longest_wait: "Longest wait",
    nobody_waits: "Nobody waits",
    pending_open: "Pending matters",
    pending_sub: (overdue, soon) => `${overdue} overdue · ${soon} due within the hour`,
    windows: "Windows",
    open: "Open",
    paused: "Paused",
    closed: "Closed",
    paused_because: (why) => (why ? `Paused: ${why}` : "Paused"),
    idle: "Idle",
    no_staff: "Nobody logged in",
    called_ago: (t) => `called ${t} ago`,
    served_today: (n) => `${n} served today`,
    k_issued: "Issued",
    k_issued_sub: (cancelled, waiting) => `${cancelled} cancelled · ${waiting} waiting`,
    k_served: "Served",
    k_served_sub: (called) => `${called} called`,
    k_no_show: "No-shows",
    k_no_show_sub: (share) => `${share} of those called`,
    k_completion: "Same-day completion",
    k_completion_sub: (done, served) => `${done} of ${served} completed the same day`,
    k_completion_open: (open, late) => (late ? `${open} in progress, ${late} past the promise`
      : `${open} in progress, all within the promise`),
    k_level: "Service level",
    k_level_sub: (within, called) => `${within} of ${called} called within the target wait`,
    k_promise: (min) => `${min}-minute promise met`,
    k_promise_sub: (p) => `${p.completed_in_time} in time · ${p.completed_late} late · ${p.overdue_open} overdue · ${p.open_in_time} open`,
    k_wait: "Wait (minutes)",
    k_service: "Service time (minutes)",
    k_estimate: "Wait-estimate error",
    k_estimate_sub: (ratio, bias) => `${ratio} of the mean wait · ${bias}`,
    bias_longer: (t) => `people waited ${t} longer than told`,
    bias_shorter: (t) => `people waited ${t} less than told`,
    bias_none: "no bias",
    avg: "avg",
    p50: "median",
    p90: "p90",
    none: "—",
    c_hourly: "Arrivals and calls per hour",
    c_wait: "Wait distribution",
    c_windows: "Served per window",
    c_rate: "Same-day completion, last 30 days",
    c_daily: "Issued and served per day, last 30 days",
    arrivals: "Arrivals",
    calls: "Calls",
    issued: "Issued",
    served: "Served",
    rate: "Same-day completion",
    tickets: "tickets",
    hour: "h",
    hour_axis: "Hour of the day",
    minutes_axis: "Wait (minutes)",
    people_axis: "Tickets",
    date_axis: "Day",
    over_target: "over the target wait",
    within_target: "within the target wait",
    per_window_sub: (t) => `avg service ${t}`,
    no_data: "No data for this day",
    per_service: "Per service",
    s_service: "Service",
    s_waiting: "Waiting",
    s_issued: "Issued",
    s_served: "Served",
    s_no_show: "No-shows",
    s_completion: "Same day",
    s_wait_avg: "Wait avg",
    s_wait_p90: "Wait p90",
    s_target: "Target",
    s_level: "Level",
    s_estimate: "Estimate error",
    s_total: "All",
    export: "Export",
    export_day: "This day",
    export_range: "Date range",
    from: "From",
    to: "to",
    exporting: "Exporting…",
    exported: (name) => `Downloaded ${name}`,
    errors: {
      network: "Cannot reach the server; please try again",
      server: "The server failed; please try again",
      bad_credentials: "Wrong username or password",
      rate_limited: "Too many attempts; please wait a moment",
      bad_range: "Bad range: the start must not be after the end, and 366 days at most",
      bad_date: "Bad date",
      hall_not_found: "No such hall",
      bad_request: "The request was not accepted",
    },
  },
};

let lang = "zh";

export const setLang = (value) => { lang = value === "en" ? "en" : "zh"; };
export const currentLang = () => lang;
export const words = () => WORDS[lang];

/** A service's name in the current language (the code when the hall does not know it). */
export function serviceName(service, code = "") {
  if (!service) return code;
  return (lang === "en" ? service.name_en || service.name : service.name) || service.code;
}

/** A window's label: its name in Chinese ("3号窗口"), "Window 3" in English. */
export function windowLabel(w) {
  const own = WORDS.zh.window(w.number);
  if (lang === "zh") return w.name || own;
  return w.name && w.name !== own ? `${WORDS.en.window(w.number)} · ${w.name}` : WORDS.en.window(w.number);
}

/** A count: "1,234"; "—" when there is none. */
export const count = (n) => (n == null ? "—" : Number(n).toLocaleString(words().locale));

/** A share (0…1) as "89.7%"; "—" over nothing (null). */
export const percent = (rate) => (rate == null ? "—" : `${(rate * 100).toFixed(1)}%`);

/** Seconds as minutes with one decimal: "10.2 分钟", "10.2 min"; "—" when there is none. */
export function minutes(seconds) {
  if (seconds == null) return "—";
  const m = (Math.abs(seconds) / 60).toFixed(1);
  return lang === "en" ? `${m} min` : `${m} 分钟`;
}

/** "3:07", "1:02:07": a duration that ticks (the longest wait, a window's current call). */
export const clock = (seconds) => duration(Math.max(0, seconds));

/**
 * An API failure in words: the code's own sentence, else the server's message, else a generic
 * one by status. `failure` is {status, code, message} (status 0: no answer).
 */
export const errorText = (failure) => failureText(WORDS[lang].errors, failure);

/** Fill every [data-t] element under `root` with its text; [data-t-label] sets aria-label. */
export const fillTexts = (root = document) => fillFrom(WORDS[lang], root);
