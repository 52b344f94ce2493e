// @ts-check
// The audit log's words for what happened to a ticket: its state after the action (已呼叫 /
// called, 未到 / no-show …), the phrases that depend on it (办结 / 受理为承诺件 / 记为未到), and
// the services by name: an entry never shows a raw code.

export const AUDIT_WORDS = {
  zh: {
    state: "状态",
    service: "业务",
    states: {
      waiting: "等候中", called: "已呼叫", no_show: "未到", cancelled: "已取消",
      completed: "已办结", pending: "已受理（承诺件）", done: "已结束", expired: "过期作废",
      // a 差评's follow-up (差评回访), as the exports word them too
      open: "待回访", contacted: "已联系", resolved: "已解决", unreachable: "无法联系",
    },
    followup: "回访编号",
    finished: {
      completed: (t, n) => `办结 ${t}（${n}号窗口）`,
      pending: (t, n) => `受理 ${t} 为承诺件（${n}号窗口）`,
      no_show: (t, n) => `${t} 记为未到（${n}号窗口）`,
    },
    moved: (t, from, to) => `转移 ${t}：${from} → ${to}`,
    requeued: (t, n) => `将 ${t} 送回等候队列（${n}号窗口）`,
    expired: (t) => `${t} 当日未叫，过期作废`,
    system: "系统",
  },
  en: {
    state: "status",
    service: "service",
    states: {
      waiting: "waiting", called: "called", no_show: "no-show", cancelled: "cancelled",
      completed: "completed", pending: "accepted as pending", done: "finished", expired: "expired",
      open: "to follow up", contacted: "contacted", resolved: "resolved", unreachable: "unreachable",
    },
    followup: "follow-up no.",
    finished: {
      completed: (t, n) => `completed ${t} (window ${n})`,
      pending: (t, n) => `accepted ${t} as pending (window ${n})`,
      no_show: (t, n) => `marked ${t} as a no-show (window ${n})`,
    },
    moved: (t, from, to) => `moved ${t} from ${from} to ${to}`,
    requeued: (t, n) => `sent ${t} back to its queue (window ${n})`,
    expired: (t) => `${t} expired: not called that day`,
    system: "the system",
  },
};

/** A follow-up entry's details: its number and the state it is in now ("回访编号 3; 状态: 已解决"). */
export function followupDetails(detail, aw) {
  const parts = [`${aw.followup} ${detail.followup ?? "?"}`];
  if (detail.state) parts.push(`${aw.state}: ${aw.states[detail.state] ?? detail.state}`);
  return parts.join("; ");
}

/** What the ticket of an entry became, in words ("已呼叫", "no-show"), or "" for no ticket. */
export function ticketState(detail, aw) {
  if (!detail?.status) return "";
  if (detail.status === "done") return aw.states[detail.outcome] ?? aw.states.done;
  if (detail.status === "cancelled" && detail.reason === "expired") return aw.states.expired;
  return aw.states[detail.status] ?? detail.status;
}

/** The phrase of a ticket entry whose words depend on its ticket's state; null for the others.
 * `name(code)`: a service by name. */
export function ticketPhrase(entry, aw, name) {
  const d = entry.detail ?? {};
  const t = entry.ticket;
  switch (entry.action) {
    case "ticket.finished": {
      const how = d.status === "no_show" ? "no_show" : d.outcome;
      return aw.finished[how]?.(t, entry.window) ?? null;
    }
    case "ticket.transferred":
      if (d.requeued) return aw.requeued(t, entry.window);
      return aw.moved(t, name(d.from_service ?? "?"), name(d.service ?? "?"));
    case "ticket.cancelled":
      return d.reason === "expired" ? aw.expired(t) : null;
    default:
      return null;
  }
}
