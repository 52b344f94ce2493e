// @ts-check
// The region overview's texts in Chinese and English (docs/overview.md). `words()` follows the
// language toggle.
import { pageWords } from "../shared/words.js";

const ERRORS_ZH = {
  network: "连接服务器失败，请稍后重试", server: "服务器出错，请稍后重试", bad_request: "请求有误",
  bad_credentials: "用户名或密码不正确", rate_limited: "尝试次数过多，请稍后再试",
  bad_date: "日期格式不正确",
};
const ERRORS_EN = {
  network: "Cannot reach the server; try again shortly", server: "The server failed; try again shortly",
  bad_request: "The request was refused", bad_credentials: "Wrong username or password",
  rate_limited: "Too many attempts; try again later", bad_date: "Not a valid date",
};

const WORDS = {
  zh: {
    html_lang: "zh-CN", locale: "zh-CN",
    title: "全区大厅概览", subtitle: "各政务服务大厅并列对比",
    window: (n) => `${n}号窗口`,
    login_title: "区域管理员登录", login_hint: "请使用可查看全部大厅的管理员账号登录。",
    username: "用户名", password: "密码", log_in: "登录", logging_in: "正在登录…", log_out: "退出",
    logged_out: "已退出", expired: "登录已过期，请重新登录",
    admins_only: "需要可查看全部大厅的管理员账号：本账号只能查看自己的大厅",
    loading: "正在载入…", offline: "连接服务器失败，正在重试…",
    day: "日期", today: "今天", as_of: (t) => `更新于 ${t}`,
    region: "全区合计", f_halls: "大厅", f_waiting: "当前等候", f_staffed: "在岗窗口", f_served: "今日办理",
    f_served_day: "当日办理", f_same_day: "当日办结率", f_satisfied: "满意率",
    spark_metric: "趋势图显示", trend_loading: "趋势载入中…", m_served: "每日办理量", m_same_day: "当日办结率",
    m_one_trip: "一次办结率", m_satisfied: "满意率",
    download: "下载表格", exporting: "正在生成文件…", exported: (name) => `已下载 ${name}`,
    caption: (n, day) => `${n}个大厅，${day}`,
    columns: {
      name: "大厅", waiting: "当前等候", longest_wait_s: "最长等候", staffed_windows: "在岗窗口",
      issued: "取号", served: "办理", same_day_completion_rate: "当日办结率",
      promise_met_rate: "承诺兑现率", one_trip_rate: "一次办结率", satisfied_rate: "满意度",
      trend: "近30天趋势",
    },
    sort_hint: (label) => `按${label}排序`,
    of_windows: (n) => `共${n}个`,
    ratings: (n, avg) => `${n}条评价 · 均分${avg}`,
    no_ratings: "无评价",
    over: (n) => `${n}件有结果`,
    of_served: (n) => `共办理${n}件`,
    last30: (p) => `近30天 ${p}`,
    cues: {
      long_wait: "等候过长", low_same_day_completion: "偏低", low_promise_met: "偏低",
      low_one_trip: "偏低", low_satisfied: "偏低",
    },
    legend: (t) => `红色并带“▲”标记：最长等候达到${Math.round(t.long_wait_s / 60)}分钟，或比率低于标准（当日办结率${pct(t.same_day_completion_rate)}、承诺兑现率${pct(t.promise_met_rate)}、一次办结率${pct(t.one_trip_rate)}、满意率${pct(t.satisfied_rate)}；样本不少于${t.min_sample}件）。“—”表示无数据。点击大厅名称打开该大厅的管理看板。`,
    spark_label: (name, metric, from, to) => `${name}：${metric}，${from} 至 ${to}`,
    errors: ERRORS_ZH,
  },
  en: {
    html_lang: "en", locale: "en-GB",
    title: "Region overview", subtitle: "Every service hall side by side",
    window: (n) => `Window ${n}`,
    login_title: "Region admin login", login_hint: "Log in with an admin account of every hall.",
    username: "Username", password: "Password", log_in: "Log in", logging_in: "Logging in…", log_out: "Log out",
    logged_out: "Logged out", expired: "Your session expired; log in again",
    admins_only: "This needs an admin account of every hall: this account sees its own hall only",
    loading: "Loading…", offline: "Cannot reach the server; retrying…",
    day: "Day", today: "Today", as_of: (t) => `as of ${t}`,
    region: "Region total", f_halls: "Halls", f_waiting: "Waiting now", f_staffed: "Staffed windows",
    f_served: "Served today", f_served_day: "Served", f_same_day: "Same-day completion",
    f_satisfied: "Satisfied",
    spark_metric: "Trend shows", trend_loading: "loading the trend…", m_served: "Served per day", m_same_day: "Same-day completion",
    m_one_trip: "One-trip rate", m_satisfied: "Satisfied",
    download: "Download", exporting: "Preparing the file…", exported: (name) => `Downloaded ${name}`,
    caption: (n, day) => `${n} halls, ${day}`,
    columns: {
      name: "Hall", waiting: "Waiting", longest_wait_s: "Longest wait", staffed_windows: "Staffed",
      issued: "Issued", served: "Served", same_day_completion_rate: "Same-day completion",
      promise_met_rate: "Promise met", one_trip_rate: "One-trip rate", satisfied_rate: "Satisfaction",
      trend: "30-day trend",
    },
    sort_hint: (label) => `Sort by ${label}`,
    of_windows: (n) => `of ${n}`,
    ratings: (n, avg) => `${n} ratings · avg ${avg}`,
    no_ratings: "no ratings",
    over: (n) => `${n} decided`,
    of_served: (n) => `of ${n} served`,
    last30: (p) => `30 days: ${p}`,
    cues: {
      long_wait: "long wait", low_same_day_completion: "low", low_promise_met: "low",
      low_one_trip: "low", low_satisfied: "low",
    },
    legend: (t) => `Red with “▲”: the longest wait is ${Math.round(t.long_wait_s / 60)} min or more, or a rate is under its floor (same-day completion ${pct(t.same_day_completion_rate)}, promise met ${pct(t.promise_met_rate)}, one-trip ${pct(t.one_trip_rate)}, satisfied ${pct(t.satisfied_rate)}; over at least ${t.min_sample}). “—”: no data. A hall's name opens its dashboard.`,
    spark_label: (name, metric, from, to) => `${name}: ${metric}, ${from} to ${to}`,
    errors: ERRORS_EN,
  },
};

/** A share 0…1 as "87.5%"; "—" for none. @param {number | null | undefined} value */
export function pct(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

export const { setLang, currentLang, words, fillTexts, errorText, names } = pageWords(WORDS);
