// @ts-check
// The rating on the citizen's ticket page (/t/{id}, 好差评): once the ticket is served, five
// faces, the reasons as chips, an optional comment, submit; then the thanks and the rating.
// One rating per ticket: a rating made on the window's screen shows here too.
import { chips, digitScore, faces, loadScale, reasonName, scoreName } from
  "../shared/rating-ui.js";

const $ = (id) => document.getElementById(id);

const WORDS = {
  zh: {
    ask: "请评价本次服务",
    reasons: "请选择原因（可多选）",
    comment: "其他意见（选填）",
    commentHolder: "最多 200 字",
    submit: "提交评价",
    pick: "请先选择满意程度",
    sending: "正在提交…",
    thanks: "感谢您的评价！",
    yours: (name) => `您的评价：${name}`,
    closed: "本次服务的评价时间已过。",
    error: {
      rate_limited: "操作太频繁，请稍后再试。",
      network: "网络不通，未能提交，请重试。",
      failed: "提交失败，请重试。",
    },
  },
  en: {
    ask: "Please rate this service",
    reasons: "Why? (choose any)",
    comment: "Anything else? (optional)",
    commentHolder: "Up to 200 characters",
    submit: "Submit rating",
    pick: "Choose how satisfied you are first",
    sending: "Sending…",
    thanks: "Thank you for your rating!",
    yours: (name) => `Your rating: ${name}`,
    closed: "The time to rate this service is over.",
    error: {
      rate_limited: "Too many tries: please wait a moment.",
      network: "No connection: not sent. Please try again.",
      failed: "Could not send. Please try again.",
    },
  },
};

const served = (t) => t.status === "done" && (t.outcome === "completed" || t.outcome === "pending");

export class RatingPanel {
  constructor(ticketId) {
    this.url = `/api/v1/tickets/${encodeURIComponent(ticketId)}/rating`;
    this.phase = "none"; // none | loading | form | sending | rated | closed
    this.scale = null;
    this.rating = null;
    this.score = null;
    this.reasons = new Set();
    this.error = null;
    this.lang = "zh";
    this.renderFaces = null;
    $("rating-submit").addEventListener("click", () => this.submit());
    $("rating").addEventListener("keydown", (e) => this.onKey(e));
    $("rating-comment").addEventListener("input", () => this.draw());
  }

  /** Called by the page's render(): show the form once the ticket is served. */
  render(ticket, lang) {
    this.lang = lang;
    if (served(ticket) && this.phase === "none") this.load();
    this.draw();
  }

  /** The ticket was rated elsewhere (the window's screen): read the rating again. */
  reload() {
    if (this.phase !== "sending") this.load();
  }

  async load() {
    this.phase = this.phase === "none" ? "loading" : this.phase;
    try {
      this.scale ??= await loadScale();
      const resp = await fetch(this.url, { cache: "no-store" });
      if (resp.ok) {
        this.rating = await resp.json();
        this.phase = "rated";
      } else if (resp.status === 404 && this.phase !== "closed") {
        this.phase = "form";
      }
    } catch {
      this.phase = "none"; // offline: the next render tries again
      return;
    }
    this.draw();
  }

  onKey(e) {
    if (this.phase !== "form") return;
    const score = digitScore(e, $("rating-scores"));
    if (score !== null) {
      e.preventDefault();
      this.pick(score);
    }
  }

  pick(score) {
    if (this.phase !== "form") return;
    this.score = score;
    this.error = null;
    this.draw();
  }

  async submit() {
    if (this.phase !== "form" || this.score === null) return;
    const comment = /** @type {HTMLTextAreaElement} */ ($("rating-comment")).value.trim();
    const body = { score: this.score, reasons: [...this.reasons], comment: comment || null };
    this.phase = "sending";
    this.error = null;
    this.draw();
    let resp;
    let answer = null;
    try {
      resp = await fetch(this.url, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      answer = await resp.json().catch(() => null);
    } catch {
      this.phase = "form";
      this.error = "network";
      this.draw();
      return;
    }
    const code = answer?.error?.code;
    if (resp.ok) {
      this.rating = answer;
      this.phase = "rated";
      this.draw();
      $("rated-thanks").focus();
      return;
    }
    if (code === "already_rated") return this.load();
    if (code === "rating_closed" || code === "not_rateable") this.phase = "closed";
    else {
      this.phase = "form";
      this.error = code in WORDS.zh.error ? code : "failed";
    }
    this.draw();
  }

  draw() {
    const w = WORDS[this.lang];
    const form = this.phase === "form" || this.phase === "sending";
    $("rating").hidden = !form;
    $("rated").hidden = this.phase !== "rated" && this.phase !== "closed";
    if (!this.scale) return;
    if (!this.renderFaces) this.renderFaces = faces($("rating-scores"), this.scale, (s) => this.pick(s));
    $("rating-ask").textContent = w.ask;
    this.renderFaces(this.score, this.lang);
    $("rating-reasons-label").textContent = w.reasons;
    chips($("rating-chips"), this.scale, this.score, this.reasons, this.lang);
    $("rating-reasons-label").hidden = $("rating-chips").hidden;
    $("rating-comment-label").textContent = w.comment;
    /** @type {HTMLTextAreaElement} */ ($("rating-comment")).placeholder = w.commentHolder;
    /** @type {HTMLTextAreaElement} */ ($("rating-comment")).maxLength = this.scale.comment_max;
    const sending = this.phase === "sending";
    const submit = /** @type {HTMLButtonElement} */ ($("rating-submit"));
    submit.textContent = sending ? w.sending : this.score === null ? w.pick : w.submit;
    submit.disabled = sending || this.score === null;
    $("rating-error").hidden = !this.error;
    $("rating-error").textContent = this.error ? w.error[this.error] : "";
    this.drawRated(w);
  }

  drawRated(w) {
    const r = this.rating;
    const closed = this.phase === "closed";
    $("rated-thanks").textContent = closed ? w.closed : w.thanks;
    $("rated").classList.toggle("closed", closed);
    $("rated-score").hidden = closed || !r;
    $("rated-reasons").hidden = closed || !r || (!r.reasons.length && !r.comment);
    if (closed || !r) return;
    $("rated-score").textContent = w.yours(scoreName(this.scale, r.score, this.lang));
    $("rated-score").dataset.score = String(r.score);
    const reasons = r.reasons.map((code) => reasonName(this.scale, code, this.lang));
    $("rated-reasons").textContent = [...reasons, ...(r.comment ? [`“${r.comment}”`] : [])]
      .join(" · ");
  }
}
