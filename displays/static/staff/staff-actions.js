// @ts-check
// The window actions, shared by the desk and the manager's cards: what each one needs (a current
// ticket, an open window), its dialog, its request, and the sentence that reports its result.

import { callDialog, pauseDialog, transferDialog } from "./staff-dialogs.js";
import { serviceName, words } from "./staff-words.js";

/** In the order of the desk's buttons. `key`: the shortcut; `needs`: what must hold first. */
export const ACTIONS = [
  { id: "next", key: "N", label: "a_next", hint: "a_next_hint", needs: "open", primary: true },
  { id: "recall", key: "R", label: "a_recall", needs: "current" },
  { id: "complete", key: "C", label: "a_complete", needs: "current" },
  { id: "pending", key: "P", label: "a_pending", needs: "current" },
  { id: "no_show", key: "X", label: "a_no_show", needs: "current" },
  { id: "transfer", key: "T", label: "a_transfer", needs: "current" },
  { id: "call", key: "G", label: "a_call", needs: "open_idle" },
  { id: "pause", key: "S", label: "a_pause" }, // "恢复 Resume" while paused
];
export const BY_KEY = new Map(ACTIONS.map((a) => [a.key.toLowerCase(), a]));
export const BY_ID = new Map(ACTIONS.map((a) => [a.id, a]));

/** The button's label now (pause turns into resume on a paused window). */
export function actionLabel(action, win) {
  if (action.id === "pause" && win?.status === "paused") return words().a_resume;
  return words()[action.label];
}

/** Why `action` cannot run on `win` now (words key), or null when it can. */
export function blockedBy(action, win) {
  if (!win) return "busy";
  const paused = win.status !== "open";
  if (action.needs === "current" && !win.current) return "no_current";
  if ((action.needs === "open" || action.needs === "open_idle") && paused) return "is_paused";
  if (action.needs === "open_idle" && win.current) return "has_current";
  return null;
}

let busy = false; // one action at a time: a double N never calls two tickets
export const actionBusy = () => busy;

/**
 * Run `action` on window `win` (its dialog first, if it has one). ctx: {api, say(text, kind),
 * fail(failure, win), services (code → service), done(win, data)}. → the answer's data or null.
 */
export async function runAction(ctx, action, win) {
  const w = words();
  if (busy) {
    ctx.say(w.busy, "info");
    return null;
  }
  const why = blockedBy(action, win);
  if (why) {
    ctx.say(w[why], "error");
    return null;
  }
  const request = await requestFor(ctx, action, win);
  if (!request) return null; // the dialog was cancelled
  const result = request.result ?? await send(ctx, win, request.path, request.body);
  if (!result.ok) {
    ctx.fail(result, win);
    ctx.done?.(win, null);
    return null;
  }
  ctx.say(resultText(ctx, action, win, result.data), result.data.called === null ? "info" : "ok");
  ctx.done?.(win, result.data);
  return result.data;
}

/** One window request, marked busy while it runs. */
async function send(ctx, win, path, body) {
  busy = true;
  ctx.busy?.(true);
  try {
    return await ctx.api.act(win.number, path, body);
  } finally {
    busy = false;
    ctx.busy?.(false);
  }
}

/** The request of `action` ({path, body}), or its answer ({result}) when its dialog sent it. */
async function requestFor(ctx, action, win) {
  const current = win.current;
  switch (action.id) {
    case "next": return { path: "call-next", body: { finish: "completed" } };
    case "recall": return { path: "recall", body: {} };
    case "complete": return { path: "finish", body: { outcome: "completed" } };
    case "pending": return { path: "finish", body: { outcome: "pending" } };
    case "no_show": return { path: "finish", body: { outcome: "no_show" } };
    case "transfer": {
      const service = await transferDialog(current.number, [...ctx.services.values()], current.service);
      return service && { path: "transfer", body: { service } };
    }
    case "call": {
      const result = await callDialog((number) => send(ctx, win, "call", { number }));
      return result && { result };
    }
    case "pause": {
      if (win.status === "paused") return { path: "resume", body: {} };
      const reason = await pauseDialog();
      return reason && { path: "pause", body: { reason } };
    }
    default: return null;
  }
}

function resultText(ctx, action, win, data) {
  const w = words();
  const finished = data.finished?.number;
  const called = data.called?.number;
  switch (action.id) {
    case "next":
      if (called) return finished ? w.finished_called(finished, called) : w.called(called);
      return finished ? w.finished_nobody(finished) : w.nobody;
    case "recall": return w.recalled(called, data.called?.recalls ?? 1);
    case "complete": return w.completed(finished);
    case "pending": return w.accepted(finished);
    case "no_show": return w.no_showed(finished);
    case "transfer": {
      const t = data.transferred;
      return w.moved(t?.number, serviceName(ctx.services.get(t?.service) ?? { code: t?.service }));
    }
    case "call": return w.called(called);
    case "pause": return data.window?.status === "paused" ? w.was_paused : w.was_resumed;
    default: return "";
  }
}
