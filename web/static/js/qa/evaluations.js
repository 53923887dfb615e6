// Evaluations as cards. An agent acknowledges or disputes its own (a dispute needs a comment);
// a supervisor resolves disputes: uphold the score, or amend by crediting items marked "no".
import { api } from "../api.js";
import { $, toast, errorText, localTime, setBusy, followLive } from "../workspace/common.js";
import { scoreClass } from "./form.js";

const app = $("evals-app");
const mode = app.dataset.mode;
const role = app.dataset.role;
let form = null;
const STATUS = { submitted: "blue", acknowledged: "good", disputed: "warn", resolved: "info" };

function itemText(id) {
  for (const s of form?.definition.sections ?? []) for (const i of s.items) if (i.id === id) return i.text;
  return id;
}

function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }

function card(ev) {
  const c = el("article", "eval-card");
  c.dataset.evaluation = ev.evaluation_id;
  c.dataset.status = ev.status;
  const score = el("div", `eval-score score-big ${scoreClass(ev.score)}`, ev.score == null ? "—" : Number(ev.score).toFixed(0));
  score.style.fontSize = "40px";
  const mid = el("div", "stack");
  mid.style.gap = "6px";
  const head = el("div");
  head.append(el("strong", null, `Call ${ev.call_id}`), " ", el("span", `pill ${STATUS[ev.status] ?? ""}`, ev.status));
  mid.append(head, el("div", "note", `Agent ${ev.agent_id} · evaluated by ${ev.evaluator_id} · ${localTime(ev.created_at)}`));
  if (ev.critical_failed.length) {
    const crit = el("div", "message", `Critical failed: ${ev.critical_failed.map(itemText).join("; ")}`);
    crit.dataset.kind = "bad";
    mid.append(crit);
  }
  const secs = el("div", "note", Object.entries(ev.section_scores).map(([k, v]) => `${k} ${v == null ? "N/A" : Math.round(v)}`).join(" · "));
  mid.append(secs);
  if (ev.comments?.[""]) mid.append(el("div", null, `Evaluator: “${ev.comments[""]}”`));
  if (ev.dispute_comment) mid.append(el("div", null, `Agent's dispute: “${ev.dispute_comment}”`));
  if (ev.resolution) mid.append(el("div", null, `Resolution: ${ev.resolution}${ev.previous_score != null ? ` (was ${Math.round(ev.previous_score)})` : ""}${ev.resolution_comment ? ` — “${ev.resolution_comment}”` : ""}`));
  const actions = el("div", "eval-actions");
  if (mode === "agent" && ev.status === "submitted") {
    const ta = el("textarea"); ta.placeholder = "Comment (required to dispute)"; ta.maxLength = 4000; ta.className = "dispute-comment";
    const row = el("div", "btn-row"); row.style.marginTop = "0";
    const ack = el("button", "btn btn-good ack", "Acknowledge");
    const dis = el("button", "btn btn-warn dispute", "Dispute");
    ack.onclick = () => act(ev, "acknowledge", { comment: ta.value.trim() }, ack);
    dis.onclick = () => {
      if (!ta.value.trim()) { toast("Say why you dispute the evaluation", true); ta.focus(); return; }
      act(ev, "dispute", { comment: ta.value.trim() }, dis);
    };
    row.append(ack, dis);
    actions.append(ta, row);
  } else if (mode !== "agent" && ev.status === "disputed" && (role === "supervisor" || role === "admin")) {
    const ta = el("textarea"); ta.placeholder = "Resolution comment"; ta.className = "resolve-comment";
    const credits = el("div", "stack"); credits.style.gap = "4px";
    for (const [item, v] of Object.entries(ev.answers)) {
      if (v !== "no" && v !== 0) continue;
      const lab = el("label", "check"); const cb = el("input"); cb.type = "checkbox"; cb.value = item; lab.append(cb, ` credit “${itemText(item)}”`); credits.append(lab);
    }
    const row = el("div", "btn-row"); row.style.marginTop = "0";
    const up = el("button", "btn uphold", "Uphold score");
    const am = el("button", "btn btn-primary amend", "Amend");
    up.onclick = () => act(ev, "resolve", { resolution: "upheld", comment: ta.value.trim() }, up);
    am.onclick = () => {
      const answers = { ...ev.answers };
      const chosen = [...credits.querySelectorAll("input:checked")].map((x) => x.value);
      if (!chosen.length) { toast("Tick the items to credit, or uphold the score", true); return; }
      for (const id of chosen) answers[id] = typeof answers[id] === "number" ? maxOf(id) : "yes";
      act(ev, "resolve", { resolution: "amended", comment: ta.value.trim(), answers }, am);
    };
    row.append(up, am);
    actions.append(ta, credits, row);
  }
  c.append(score, mid, actions);
  return c;
}

function maxOf(id) {
  for (const s of form.definition.sections) for (const i of s.items) if (i.id === id) return i.max ?? 1;
  return 1;
}

async function act(ev, action, body, btn) {
  setBusy(btn, true);
  try {
    await api("POST", `/api/qa/evaluations/${ev.evaluation_id}/${action}`, body);
    toast({ acknowledge: "Acknowledged", dispute: "Dispute sent to your supervisor", resolve: "Dispute resolved" }[action]);
    await load();
  } catch (err) { toast(errorText(err), true); setBusy(btn, false); }
}

async function load() {
  let data;
  try {
    if (mode === "agent") data = await api("GET", "/api/qa/my-evaluations");
    else data = await api("GET", "/api/qa/evaluations?" + new URLSearchParams(Object.fromEntries([...new FormData($("filters")).entries()].filter(([, v]) => v))));
  } catch (err) { toast(errorText(err), true); return; }
  form = data.form;
  if ($("count")) $("count").textContent = `${data.evaluations.length} evaluations`;
  const list = $("evaluations");
  if (!data.evaluations.length) { const p = el("div", "card empty"); p.style.minHeight = "160px"; p.textContent = "Nothing here."; list.replaceChildren(p); return; }
  list.replaceChildren(...data.evaluations.map(card));
}

$("filters")?.addEventListener("change", load);
load();
followLive();
