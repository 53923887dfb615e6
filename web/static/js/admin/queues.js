// The admin's Queues page: every queue's settings; edit one (skills and minimum levels, service
// level, strategy, ring timeout, wrap-up, escalation steps ...) through web/admin/http.py. Each
// change is audited and reaches the running routers without a restart.
import { api } from "../api.js";
import { followLive } from "../workspace/common.js";
import { $, act, el } from "../helpers.js";
import { t } from "../i18n.js";
import { loadChanges, parseSkills, skillsText, submit } from "./form.js";

// routing strategies as the page names them (the ids stay machine names)
const STRATEGY = { longest_idle: t("longest idle"), most_skilled: t("most skilled"), round_robin: t("round robin") };
const strategyLabel = (s) => STRATEGY[s] ?? s.replace("_", " ");

const NUMBERS = ["priority", "sl_target_pct", "sl_target_s", "ring_timeout_s", "wrap_up_s", "short_abandon_s", "announce_every_s"];
let queues = [];
let editing = null;

const escalationText = (steps) => steps.map((s) => {
  const what = [s.min_level ? t("level ≥ %(level)s", { level: s.min_level }) : "", s.overflow.length ? t("overflow %(queues)s", { queues: s.overflow.join(", ") }) : "", Object.keys(s.extra_skills).length ? `+ ${skillsText(s.extra_skills)}` : ""];
  return t("after %(seconds)s s: %(what)s", { seconds: s.after, what: what.filter(Boolean).join("; ") || "—" });
}).join(" · ") || "—";

function stepRow(step = { after: "", min_level: null, overflow: [], extra_skills: {} }) {
  const i = $("steps").children.length;
  const cell = (name, value, hint) => el("td", {}, el("input", { name: `escalation.${i}.${name}`, value: value ?? "", placeholder: hint ?? "" }),
    el("span", { class: "part-msg", "data-for": `escalation.${i}.${name}` }));
  const remove = el("button", { class: "btn", type: "button", style: "white-space:nowrap" }, t("Remove"));
  const row = el("tr", { class: "step" }, cell("after", step.after, t("seconds")), cell("min_level", step.min_level, "1-10"),
    cell("overflow", step.overflow.join(", "), t("queue ids")), cell("extra_skills", skillsText(step.extra_skills), t("skill:level")), el("td", {}, remove));
  remove.onclick = () => { row.remove(); renumber(); };
  return row;
}

function renumber() { // the inputs' names follow the rows' order, as the server names them
  [...$("steps").children].forEach((row, i) => {
    for (const n of row.querySelectorAll("[name], [data-for]")) {
      for (const a of ["name", "data-for"]) if (n.hasAttribute(a)) n.setAttribute(a, n.getAttribute(a).replace(/^escalation\.\d+/, `escalation.${i}`));
    }
  });
}

function edit(q) {
  editing = q.id;
  const f = $("queue-form");
  $("editor").hidden = false;
  $("editor-title").textContent = t("Queue %(id)s", { id: q.id });
  f.dataset.queue = q.id;
  f.name.value = q.name ?? "";
  f.skills.value = skillsText(q.skills);
  for (const n of NUMBERS) f[n].value = q[n];
  f.strategy.value = q.strategy;
  f.abandon_counts_against_sl.checked = q.abandon_counts_against_sl;
  $("steps").replaceChildren();
  for (const s of q.escalation) $("steps").append(stepRow(s));
}

function body(f) {
  const out = { name: f.name.value, skills: parseSkills(f.skills.value), strategy: f.strategy.value, abandon_counts_against_sl: f.abandon_counts_against_sl.checked };
  for (const n of NUMBERS) out[n] = f[n].value.trim();
  out.escalation = [...$("steps").children].map((row) => {
    const v = (n) => row.querySelector(`[name$=".${n}"]`).value.trim();
    return { after: v("after"), min_level: v("min_level") || null, overflow: v("overflow").split(",").map((s) => s.trim()).filter(Boolean), extra_skills: parseSkills(v("extra_skills")) };
  });
  return out;
}

async function load() {
  const data = await act(() => api("GET", "/api/admin/queues"));
  if (!data) return;
  queues = data.queues;
  if ($("strategy").options.length === 0) $("strategy").append(...data.strategies.map((s) => el("option", { value: s }, strategyLabel(s))));
  $("queues").replaceChildren(...queues.map((q) => {
    const btn = el("button", { class: "btn", type: "button", "data-action": "edit" }, t("Edit"));
    btn.onclick = () => edit(q);
    return el("tr", { dataset: { queue: q.id } },
      el("td", {}, el("strong", {}, q.name ?? q.id), el("div", { class: "note" }, q.id)),
      el("td", {}, skillsText(q.skills) || "—"),
      el("td", {}, t("%(pct)s in %(seconds)s s", { pct: `${q.sl_target_pct}%`, seconds: q.sl_target_s })),
      el("td", {}, strategyLabel(q.strategy)),
      el("td", {}, t("%(ring)s s · %(wrap)s s", { ring: q.ring_timeout_s, wrap: q.wrap_up_s })),
      el("td", { class: "escalation" }, escalationText(q.escalation)),
      el("td", {}, btn));
  }));
  await loadChanges("queue", $("changes"));
}

$("add-step").onclick = () => $("steps").append(stepRow());
$("queue-form").onsubmit = async (e) => {
  e.preventDefault();
  const id = editing;
  if (await submit(e.target, "PATCH", `/api/admin/queues/${encodeURIComponent(id)}`, body(e.target), t("queue %(id)s saved", { id }))) {
    await load();
    edit(queues.find((q) => q.id === id));
  }
};

load();
followLive();
