// The wallboard's waiting list: the callers in each queue in the router's order (position, wait,
// tier, masked caller, callback asked) with the supervisor's actions: call back at the caller's
// number, route to a chosen ready agent who serves the queue, move to another queue. Rows are
// keyed by call id and updated in place (a chosen agent or queue survives a refresh); each
// action's error is shown beside its button.
import { api } from "../api.js";
import { duration, number } from "../format.js";
import { t } from "../i18n.js";
import { $, el, errorText, setText } from "../helpers.js";
import { tierLabel } from "./labels.js";

const rows = new Map(); // call_id -> <tr>
const readyByQueue = new Map(); // queue_id -> [{agent_id, name}]
let skewMs = 0;
let busy = false;
let again = false;

const queueNames = () => JSON.parse($("waiting-card").dataset.queues || "[]");

function fillSelect(select, options, placeholder) {
  const wanted = JSON.stringify(options);
  if (select.dataset.options === wanted) return;
  const keep = select.value;
  select.dataset.options = wanted;
  select.replaceChildren(el("option", { value: "" }, placeholder),
    ...options.map(([value, text]) => el("option", { value }, text)));
  if (options.some(([v]) => v === keep)) select.value = keep;
}

function actionCell(act, control, label) {
  return el("span", { class: "w-action", dataset: { act } }, control ?? "",
    el("button", { class: "btn btn-small", dataset: { act } }, label),
    el("span", { class: "w-error", role: "alert" }));
}

function rowFor(c) {
  let tr = rows.get(c.call_id);
  if (tr) return tr;
  tr = el("tr", { dataset: { call: c.call_id } },
    el("td", { class: "num pos" }), el("td", { class: "w-queue" }), el("td", { class: "num wait" }),
    el("td", { class: "w-tier" }), el("td", { class: "caller" }), el("td", { class: "callback" }),
    el("td", { class: "actions" },
      actionCell("callback", null, t("call back")),
      actionCell("route", el("select", { class: "route-agent", "aria-label": t("ready agent to route to") }), t("route")),
      actionCell("move", el("select", { class: "move-queue", "aria-label": t("queue to move to") }), t("move"))));
  rows.set(c.call_id, tr);
  return tr;
}

function paintRow(c) {
  const tr = rowFor(c);
  tr.dataset.state = c.state;
  tr.dataset.queue = c.queue_id;
  tr.querySelector(".wait").dataset.since = c.arrived_ms;
  setText(tr.querySelector(".pos"), c.position);
  setText(tr.querySelector(".w-queue"), queueNames().find((q) => q.id === c.queue_id)?.name ?? c.queue_id);
  setText(tr.querySelector(".w-tier"), tierLabel(c.tier));
  setText(tr.querySelector(".caller"), c.caller ?? "—");
  setText(tr.querySelector(".callback"), c.callback ? t("asked") : c.state === "offered" ? t("offered to %(agent)s", { agent: c.agent_id }) : t("no"));
  const waitingNow = c.state === "waiting";
  tr.querySelector('button[data-act="callback"]').disabled = !waitingNow || c.callback;
  tr.querySelector('button[data-act="route"]').disabled = !waitingNow;
  tr.querySelector('button[data-act="move"]').disabled = !waitingNow;
  fillSelect(tr.querySelector(".route-agent"),
    (readyByQueue.get(c.queue_id) ?? []).map((a) => [a.agent_id, `${a.name} (${a.agent_id})`]), t("ready agent…"));
  fillSelect(tr.querySelector(".move-queue"),
    queueNames().filter((q) => q.id !== c.queue_id).map((q) => [q.id, q.name]), t("queue…"));
  return tr;
}

async function loadReady(queueIds) {
  await Promise.all(queueIds.map(async (q) => {
    const data = await api("GET", `/api/wallboard/agents?${new URLSearchParams({ queue: q, state: "ready", size: 500 })}`);
    readyByQueue.set(q, data.agents.map((a) => ({ agent_id: a.agent_id, name: a.name })));
  }));
}

// Read the list again (at most one read at a time; a request during one runs once after it).
export async function refreshWaiting() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    const filter = $("waiting-queue").value;
    const data = await api("GET", `/api/wallboard/waiting${filter ? `?queue=${encodeURIComponent(filter)}` : ""}`);
    skewMs = data.server_ms - Date.now();
    await loadReady([...new Set(data.calls.map((c) => c.queue_id))]);
    const wanted = data.calls.map(paintRow);
    const seen = new Set(data.calls.map((c) => c.call_id));
    for (const id of [...rows.keys()]) if (!seen.has(id)) { rows.get(id).remove(); rows.delete(id); }
    const body = $("waiting-body");
    wanted.forEach((tr, i) => { if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null); });
    $("waiting-empty").hidden = wanted.length > 0;
    setText($("waiting-count"), t("%(count)s waiting", { count: number(wanted.length) }));
    tickWaiting();
  } finally {
    busy = false;
    if (again) { again = false; refreshWaiting().catch(() => {}); }
  }
}

export function tickWaiting() {
  for (const td of $("waiting-body").querySelectorAll("td.wait")) {
    setText(td, duration((Date.now() + skewMs - Number(td.dataset.since)) / 1000));
  }
}

async function onClick(e) {
  const b = e.target.closest("button[data-act]");
  if (!b) return;
  const tr = b.closest("tr");
  const callId = tr.dataset.call;
  const box = b.closest(".w-action");
  const error = box.querySelector(".w-error");
  setText(error, "");
  b.disabled = true;
  try {
    const path = `/api/calls/${encodeURIComponent(callId)}`;
    if (b.dataset.act === "callback") {
      await api("POST", `${path}/callback-in-queue`, { caller_number: true });
    } else if (b.dataset.act === "route") {
      const agent = box.querySelector("select").value;
      if (!agent) throw { message: t("choose a ready agent") };
      await api("POST", `${path}/route-to-agent`, { agent_id: agent });
    } else if (b.dataset.act === "move") {
      const queue = box.querySelector("select").value;
      if (!queue) throw { message: t("choose a queue") };
      await api("POST", `${path}/move`, { queue_id: queue });
    }
    tr.dataset.done = b.dataset.act;
  } catch (err) {
    setText(error, errorText(err));
  } finally {
    b.disabled = false;
    await refreshWaiting().catch(() => {});
  }
}

$("waiting-body").addEventListener("click", onClick);
$("waiting-queue").onchange = () => refreshWaiting().catch(() => {});
