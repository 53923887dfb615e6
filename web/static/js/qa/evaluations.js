// Evaluations as cards. An agent acknowledges or disputes its own (a dispute needs a comment);
// a supervisor resolves disputes: uphold the score, or amend by crediting items marked "no".
import { api } from "../api.js";
import { setBusy, followLive } from "../workspace/common.js";
import { dateTime } from "../format.js";
import { t } from "../i18n.js";
import { labelOf } from "../labels.js";
import { scoreClass } from "./form.js";
import { mountPlayer } from "./player.js";
import { $, el, errorText, toast } from "../helpers.js";

const app = $("evals-app");
const mode = app.dataset.mode;
const role = app.dataset.role;
let form = null;
const LIST = t(", "); // between the items of a list
const STATUS = { submitted: "blue", acknowledged: "good", disputed: "warn", resolved: "info" };

function itemText(id) {
  for (const s of form?.definition.sections ?? []) for (const i of s.items) if (i.id === id) return i.text;
  return id;
}

function card(ev) {
  const c = el("article", { class: "eval-card" });
  c.dataset.evaluation = ev.evaluation_id;
  c.dataset.status = ev.status;
  const score = el("div", { class: `eval-score score-big ${scoreClass(ev.score)}` }, ev.score == null ? "—" : Number(ev.score).toFixed(0));
  score.style.fontSize = "40px";
  const mid = el("div", { class: "stack" });
  mid.style.gap = "6px";
  const head = el("div");
  head.append(el("strong", {}, t("Call %(call)s", { call: ev.call_id })), " ", el("span", { class: `pill ${STATUS[ev.status] ?? ""}` }, labelOf("status", ev.status)));
  mid.append(head, el("div", { class: "note" }, t("Agent %(agent)s · evaluated by %(evaluator)s · %(at)s", { agent: labelOf("agent", ev.agent_id), evaluator: ev.evaluator_id, at: dateTime(ev.created_at) })));
  if (ev.critical_failed.length) {
    const crit = el("div", { class: "message" }, t("Critical item failed: %(items)s", { items: ev.critical_failed.map(itemText).join(LIST) }));
    crit.dataset.kind = "bad";
    mid.append(crit);
  }
  const secs = el("div", { class: "note", translate: "no" }, Object.entries(ev.section_scores).map(([k, v]) => `${k} ${v == null ? t("N/A") : Math.round(v)}`).join(" · "));
  mid.append(secs);
  const listen = el("button", { type: "button", class: "btn btn-ghost listen" }, t("Listen to the call"));
  const box = el("div", { class: "recording-box" });
  listen.onclick = () => { listen.remove(); mountPlayer(box, ev.call_id); };
  mid.append(listen, box);
  if (ev.comments?.[""]) mid.append(el("div", {}, t("Evaluator: “%(comment)s”", { comment: ev.comments[""] })));
  if (ev.dispute_comment) mid.append(el("div", {}, t("Agent's dispute: “%(comment)s”", { comment: ev.dispute_comment })));
  if (ev.resolution) mid.append(el("div", {}, t("Resolution: %(resolution)s", { resolution: labelOf("resolution", ev.resolution) }) + (ev.previous_score != null ? t(" (was %(score)s)", { score: Math.round(ev.previous_score) }) : "") + (ev.resolution_comment ? ` — “${ev.resolution_comment}”` : "")));
  const actions = el("div", { class: "eval-actions" });
  if (mode === "agent" && ev.status === "submitted") {
    const ta = el("textarea"); ta.placeholder = t("Comment (required to dispute)"); ta.maxLength = 4000; ta.className = "dispute-comment";
    const row = el("div", { class: "btn-row" }); row.style.marginTop = "0";
    const ack = el("button", { class: "btn btn-good ack" }, t("Acknowledge"));
    const dis = el("button", { class: "btn btn-warn dispute" }, t("Dispute"));
    ack.onclick = () => respond(ev, "acknowledge", { comment: ta.value.trim() }, ack);
    dis.onclick = () => {
      if (!ta.value.trim()) { toast(t("Say why you dispute the evaluation"), true); ta.focus(); return; }
      respond(ev, "dispute", { comment: ta.value.trim() }, dis);
    };
    row.append(ack, dis);
    actions.append(ta, row);
  } else if (mode !== "agent" && ev.status === "disputed" && (role === "supervisor" || role === "admin")) {
    const ta = el("textarea"); ta.placeholder = t("Resolution comment"); ta.className = "resolve-comment";
    const credits = el("div", { class: "stack" }); credits.style.gap = "4px";
    for (const [item, v] of Object.entries(ev.answers)) {
      if (v !== "no" && v !== 0) continue;
      const lab = el("label", { class: "check" }); const cb = el("input"); cb.type = "checkbox"; cb.value = item; lab.append(cb, " ", t("credit “%(item)s”", { item: itemText(item) })); credits.append(lab);
    }
    const row = el("div", { class: "btn-row" }); row.style.marginTop = "0";
    const up = el("button", { class: "btn uphold" }, t("Uphold score"));
    const am = el("button", { class: "btn btn-primary amend" }, t("Amend"));
    up.onclick = () => respond(ev, "resolve", { resolution: "upheld", comment: ta.value.trim() }, up);
    am.onclick = () => {
      const answers = { ...ev.answers };
      const chosen = [...credits.querySelectorAll("input:checked")].map((x) => x.value);
      if (!chosen.length) { toast(t("Tick the items to credit, or uphold the score"), true); return; }
      for (const id of chosen) answers[id] = typeof answers[id] === "number" ? maxOf(id) : "yes";
      respond(ev, "resolve", { resolution: "amended", comment: ta.value.trim(), answers }, am);
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

async function respond(ev, action, body, btn) {
  setBusy(btn, true, t("Saving…"));
  try {
    await api("POST", `/api/qa/evaluations/${ev.evaluation_id}/${action}`, body);
    toast({ acknowledge: t("Acknowledged"), dispute: t("Dispute sent to your supervisor"), resolve: t("Dispute resolved") }[action]);
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
  if ($("count")) $("count").textContent = t("%(n)s evaluations", { n: data.evaluations.length });
  const list = $("evaluations");
  if (!data.evaluations.length) { const p = el("div", { class: "card empty" }); p.style.minHeight = "160px"; p.textContent = t("Nothing here."); list.replaceChildren(p); return; }
  list.replaceChildren(...data.evaluations.map(card));
}

$("filters")?.addEventListener("change", load);
load();
followLive();
