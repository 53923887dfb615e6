// The supervisor's wallboard: queue tiles (paged, alerted queues first), totals, agents table
// (paged on the server), today's chart. Figures arrive every second over the live feed; agent
// state events update the visible rows between page reloads. All DOM writes happen once per frame.
import { api } from "./api.js";
import { duration, number, pct, time } from "./format.js";
import { t } from "./i18n.js";
import { connectLive } from "./live.js";
import { $, el, errorText, setText, toast } from "./helpers.js";
import { drawDay } from "./wallboard/day_chart.js";
import { centreTotals } from "./wallboard/figures.js";
import "./wallboard/messages.js";
import { alertsText, categoryLabel, deadlineLabel, modeLabel, severityLabel, stateLabel, reasonLabel } from "./wallboard/labels.js";
import { monitorRequested, onMonitorEvent } from "./wallboard/monitoring.js";
import { refreshWaiting, tickWaiting } from "./wallboard/waiting.js";

const params = new URLSearchParams(location.search);
const QUEUES_PER_PAGE = Number(params.get("queues_per_page") || 8);
const AGENTS_PER_PAGE = Number(params.get("agents_per_page") || 20);
const ROTATE_MS = 12000;
const reasons = ($("reasons").dataset.reasons || "break").split(",");

let skewMs = 0;
let queues = [];
let queuePage = 0;
let agentPage = 1;
let agentRows = new Map();      // agent_id -> row data on the visible page
let overdue = new Map();        // complaint id -> text
const tiles = new Map();        // queue_id -> tile element
const queueNames = new Map(JSON.parse($("waiting-card").dataset.queues || "[]").map((q) => [q.id, q.name]));
const queueName = (id) => (id ? queueNames.get(id) ?? id : "");

const now = () => Date.now() + skewMs;

// ---- queues ----------------------------------------------------------------------------------

function tileFor(q) {
  let tile = tiles.get(q.queue_id);
  if (tile) return tile;
  const f = (cls, lbl) => el("div", { class: `qf ${cls}` }, el("div", { class: "qf-value" }), el("div", { class: "qf-label" }, lbl));
  tile = el("article", { class: "queue", dataset: { queue: q.queue_id } },
    el("header", {}, el("h3", {}, q.name), el("span", { class: "q-alert-text" })),
    el("div", { class: "q-main" },
      el("div", { class: "q-waiting" }, el("div", { class: "big" }), el("div", { class: "qf-label" }, t("waiting"))),
      el("div", { class: "q-grid" }, f("longest", t("longest")), f("sl30", t("SL 30m")), f("slday", t("SL today")),
        f("abandon", t("abandon %")), f("asa", t("ASA")), f("ewt", t("expected wait")))),
    el("div", { class: "q-agents" }, ...["ready", "on_call", "wrap_up", "not_ready"].map((s) =>
      el("span", { class: `chip state-${s}`, dataset: { s } }, el("b"), ` ${stateLabel(s)}`))),
    el("div", { class: "q-bar" }, el("span", { class: "q-bar-fill" }), el("span", { class: "q-bar-target" })));
  tiles.set(q.queue_id, tile);
  return tile;
}

function paintTile(q) {
  const tile = tileFor(q);
  const alert = q.alerts.length > 0;
  tile.dataset.alert = alert ? "yes" : "no";
  tile.querySelector(".big").textContent = q.waiting;
  setText(tile.querySelector(".q-alert-text"), alert ? alertsText(q.alerts) : "");
  const set = (cls, v) => setText(tile.querySelector(`.${cls} .qf-value`), v);
  set("longest", duration(q.longest_wait_s));
  const sl30 = q.last_30m.offered ? q.last_30m.service_level_pct : null;
  set("sl30", pct(sl30));
  set("slday", pct(q.day.service_level_pct));
  set("abandon", pct(q.abandon_rate_pct));
  set("asa", q.day.asa_s == null ? "—" : t("%(seconds)s s", { seconds: number(Math.round(q.day.asa_s)) }));
  set("ewt", duration(q.expected_wait_s));
  const slEl = tile.querySelector(".sl30");
  slEl.dataset.good = sl30 == null ? "na" : sl30 >= q.sl_target_pct ? "yes" : "no";
  for (const chip of tile.querySelectorAll(".chip")) setText(chip.querySelector("b"), q.agents[chip.dataset.s] ?? 0);
  const sl = q.day.service_level_pct;
  tile.querySelector(".q-bar-fill").style.width = `${sl == null ? 0 : Math.min(100, sl)}%`;
  tile.querySelector(".q-bar-fill").dataset.good = sl == null ? "na" : sl >= q.sl_target_pct ? "yes" : "no";
  tile.querySelector(".q-bar-target").style.left = `${q.sl_target_pct}%`;
  tile.title = t("%(queue)s: target %(pct)s answered in %(seconds)s s", { queue: q.name, pct: pct(q.sl_target_pct), seconds: q.sl_target_s });
}

function paintQueues() {
  const ordered = [...queues].sort((a, b) => (b.alerts.length > 0) - (a.alerts.length > 0));
  const pages = Math.max(1, Math.ceil(ordered.length / QUEUES_PER_PAGE));
  queuePage %= pages;
  const shown = ordered.slice(queuePage * QUEUES_PER_PAGE, (queuePage + 1) * QUEUES_PER_PAGE);
  shown.forEach(paintTile);
  const box = $("queues");
  const wanted = shown.map((q) => tileFor(q));
  if (wanted.length !== box.children.length || wanted.some((tile, i) => box.children[i] !== tile)) box.replaceChildren(...wanted);
  box.dataset.count = String(Math.min(queues.length, QUEUES_PER_PAGE));
  const pager = $("queue-pager");
  pager.hidden = pages < 2;
  if (pages > 1) pager.replaceChildren(...Array.from({ length: pages }, (_, i) => el("span", { class: i === queuePage ? "on" : "" })),
    el("em", {}, t("queues %(first)s–%(last)s of %(total)s", { first: queuePage * QUEUES_PER_PAGE + 1, last: Math.min(ordered.length, (queuePage + 1) * QUEUES_PER_PAGE), total: ordered.length })));
  paintTotals();
  paintAlerts();
}

function paintTotals() {
  const tot = centreTotals(queues);
  setText($("t-waiting"), tot.waiting);
  setText($("t-longest"), duration(tot.longestWaitS));
  setText($("t-sl"), pct(tot.serviceLevelPct));
  setText($("t-abandon"), pct(tot.abandonedPct));
  $("totals").dataset.alert = queues.some((q) => q.alerts.length) ? "yes" : "no";
}

function paintAlerts() {
  const items = [];
  for (const q of queues) if (q.alerts.length) items.push(el("div", { class: "alert-item" }, el("b", {}, q.name), ` ${alertsText(q.alerts)}`));
  for (const [id, text] of overdue) items.push(el("a", { class: "alert-item complaint", href: `/complaints?ticket=${encodeURIComponent(id)}` }, el("b", {}, t("Complaint overdue")), ` ${text}`, el("small", {}, ` ${id}`)));
  const box = $("alerts");
  box.hidden = items.length === 0;
  box.replaceChildren(...items);
}

// ---- agents ----------------------------------------------------------------------------------

const recPaused = new Map(); // call id -> its recording paused from here (README "Call recording")

function actionButtons(a) {
  const out = [];
  if (a.state === "on_call" && a.call_id) {
    for (const mode of ["listen", "whisper", "barge"]) {
      out.push(el("button", { class: `btn btn-small spy-${mode}`, dataset: { act: "spy", mode, call: a.call_id } }, modeLabel(mode)));
    }
    out.push(el("button", { class: "btn btn-small btn-ghost rec-pause", dataset: { act: "rec", call: a.call_id } }, recPaused.get(a.call_id) ? t("resume rec") : t("pause rec")));
  }
  if (["ready", "wrap_up", "not_ready"].includes(a.state)) {
    if (a.state !== "not_ready") out.push(el("button", { class: "btn btn-small btn-warn", dataset: { act: "not-ready", agent: a.agent_id } }, t("not ready")));
    out.push(el("button", { class: "btn btn-small btn-ghost", dataset: { act: "logout", agent: a.agent_id } }, t("log out")));
  }
  return out;
}

// One <tr> per agent id, kept across reloads and events: its cells change in place, and its
// buttons only when the actions the agent's state allows change, so a click never lands on a
// button that was replaced under the pointer.
const agentTrs = new Map();     // agent_id -> <tr>

function rowFor(a) {
  let tr = agentTrs.get(a.agent_id);
  if (!tr) {
    tr = el("tr", { dataset: { agent: a.agent_id } },
      el("td", {}, el("b", { class: "name" }), el("small", { class: "muted" }, ` ${a.agent_id}`)),
      el("td", {}, el("span", { class: "state-pill" })),
      el("td", { class: "reason" }), el("td", { class: "num since" }), el("td", { class: "call" }),
      el("td", { class: "a-queue" }), el("td", { class: "actions" }));
    agentTrs.set(a.agent_id, tr);
  }
  tr.dataset.state = a.state;
  setText(tr.querySelector(".name"), a.name);
  const pill = tr.querySelector(".state-pill");
  pill.dataset.state = a.state;
  setText(pill, stateLabel(a.state));
  setText(tr.querySelector(".reason"), reasonLabel(a.reason));
  tr.querySelector(".since").dataset.since = a.since_ms ?? "";
  setText(tr.querySelector(".call"), a.call_id ? a.call_id.slice(-8) : "");
  setText(tr.querySelector(".a-queue"), queueName(a.queue_id));
  const buttons = actionButtons(a);
  const signature = buttons.map((b) => `${b.dataset.act}:${b.dataset.mode ?? ""}:${b.dataset.call ?? ""}`).join(",");
  const cell = tr.querySelector(".actions");
  if (cell.dataset.signature !== signature) {
    cell.dataset.signature = signature;
    cell.replaceChildren(...buttons);
  }
  return tr;
}

async function loadAgents() {
  const q = new URLSearchParams({ page: agentPage, size: AGENTS_PER_PAGE });
  if ($("agent-state").value) q.set("state", $("agent-state").value);
  if ($("agent-queue").value) q.set("queue", $("agent-queue").value);
  if ($("agent-search").value.trim()) q.set("search", $("agent-search").value.trim());
  const data = await api("GET", `/api/wallboard/agents?${q}`);
  skewMs = data.server_ms - Date.now();
  agentPage = data.page;
  agentRows = new Map(data.agents.map((a) => [a.agent_id, a]));
  const wanted = data.agents.map(rowFor);
  for (const [id, tr] of agentTrs) if (!agentRows.has(id)) { tr.remove(); agentTrs.delete(id); }
  const body = $("agents-body");
  wanted.forEach((tr, i) => { if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null); });
  const pages = Math.max(1, Math.ceil(data.total / data.size));
  setText($("agents-page"), `${data.page} / ${pages}`);
  setText($("agent-count"), t("%(count)s agents", { count: number(data.total) }));
  $("agents-prev").disabled = data.page <= 1;
  $("agents-next").disabled = data.page >= pages;
  for (const s of ["ready", "on_call", "wrap_up", "not_ready"]) setText($(`t-${s}`), (data.by_state[s] ?? 0) + (s === "on_call" ? data.by_state.offered ?? 0 : 0));
  tickTimes();
}

function applyAgentEvent(m) {
  const a = agentRows.get(m.agent_id);
  if (!a) return;
  const p = m.payload ?? {};
  a.state = p.state ?? a.state;
  a.reason = p.reason ?? null;
  a.since_ms = Date.parse(m.ts);
  if (m.call_id) a.call_id = m.call_id;
  if (["ready", "not_ready", "logged_out"].includes(a.state)) { a.call_id = null; a.queue_id = null; }
  rowFor(a);
}

function tickTimes() {
  for (const td of $("agents-body").querySelectorAll("td.since")) {
    const since = Number(td.dataset.since);
    setText(td, since ? duration((now() - since) / 1000) : "");
  }
  setText($("clock"), time(now()));
}

// ---- chart -----------------------------------------------------------------------------------

const loadChart = () => drawDay("day-chart", $("chart-queue").value);

// ---- actions ---------------------------------------------------------------------------------

async function onAction(e) {
  const b = e.target.closest("button[data-act]");
  if (!b) return;
  b.disabled = true;
  try {
    if (b.dataset.act === "spy") {
      await api("POST", `/api/calls/${encodeURIComponent(b.dataset.call)}/spy`, { mode: b.dataset.mode });
      toast(t("%(mode)s started: your phone will ring", { mode: modeLabel(b.dataset.mode) }));
      monitorRequested(b.dataset.call, b.closest("tr").dataset.agent, b.dataset.mode);
    } else if (b.dataset.act === "rec") {
      const want = !recPaused.get(b.dataset.call);
      await api("POST", `/api/calls/${encodeURIComponent(b.dataset.call)}/recording`, { paused: want });
      recPaused.set(b.dataset.call, want);
      b.textContent = want ? t("resume rec") : t("pause rec");
      toast(want ? t("Recording paused: silence until resumed") : t("Recording resumed"));
    } else if (b.dataset.act === "not-ready") {
      await api("POST", `/api/agents/${encodeURIComponent(b.dataset.agent)}/not-ready`, { reason: reasons.includes("meeting") ? "meeting" : reasons[0] });
      toast(t("%(agent)s set not ready", { agent: b.dataset.agent }));
    } else if (b.dataset.act === "logout") {
      await api("POST", `/api/agents/${encodeURIComponent(b.dataset.agent)}/logout`);
      toast(t("%(agent)s logged out", { agent: b.dataset.agent }));
    }
  } catch (err) {
    toast(errorText(err), true);
  } finally {
    b.disabled = false;
  }
}

// ---- wiring ----------------------------------------------------------------------------------

async function loadAll() {
  const data = await api("GET", "/api/wallboard/queues");
  skewMs = data.server_ms - Date.now();
  queues = data.queues;
  paintQueues();
  await Promise.all([loadAgents(), loadChart(), loadOverdue(), refreshWaiting()]);
}

async function loadOverdue() {
  const data = await api("GET", "/api/complaints/overdue");
  overdue = new Map(data.complaints.map((c) => [c.complaint_id,
    [categoryLabel(c.category), severityLabel(c.severity), c.overdue.map(deadlineLabel).join(" / ")].filter(Boolean).join(" · ")]));
  paintAlerts();
}

function onMessages(msgs) {
  let agentsChanged = false;
  for (const m of msgs) {
    if (m.t === "stats") {
      queues = m.queues;
      skewMs = m.ts_ms - Date.now();
    } else if (m.t === "event") {
      if (m.type === "agent.state") { applyAgentEvent(m); agentsChanged = true; }
      else if (m.type.startsWith("call.monitor_")) onMonitorEvent(m);
      else if (m.type === "complaint.overdue") loadOverdue().catch(() => {});
      else if (m.type === "complaint.status" && m.payload?.complaint_id) overdue.delete(m.payload.complaint_id);
    }
  }
  paintQueues();
  if (msgs.some(changesWaiting)) refreshWaitingSoon();
  if (agentsChanged) { tickTimes(); reloadAgentsSoon(); }
}

// The waiting list is read again when a call joins, leaves or changes state in a queue, or a
// queue's count changes; at most once a second (the figures arrive several times a second).
const WAITING_EVENTS = new Set(["call.queued", "call.offered", "call.answered", "call.abandoned",
  "call.ended", "call.moved", "outbound.scheduled", "agent.state"]);
let waitingCounts = "";
function changesWaiting(m) {
  if (m.t === "event") return WAITING_EVENTS.has(m.type);
  if (m.t !== "stats") return false;
  const counts = m.queues.map((q) => `${q.queue_id}:${q.waiting}`).join(",");
  if (counts === waitingCounts) return false;
  waitingCounts = counts;
  return true;
}
let waitingTimer = null;
function refreshWaitingSoon() {
  if (waitingTimer) return;
  waitingTimer = setTimeout(() => { waitingTimer = null; refreshWaiting().catch(() => {}); }, 1000);
}

// Agent events change the totals and may move rows between pages: reload, at most once a second.
let agentsReloadAt = 0;
let agentsReloadTimer = null;
function reloadAgentsSoon() {
  if (agentsReloadTimer) return;
  const wait = Math.max(0, agentsReloadAt + 1000 - Date.now());
  agentsReloadTimer = setTimeout(() => {
    agentsReloadTimer = null;
    agentsReloadAt = Date.now();
    loadAgents().catch(() => {});
  }, wait);
}

$("agents-body").addEventListener("click", onAction);
$("agents-prev").onclick = () => { agentPage = Math.max(1, agentPage - 1); loadAgents(); };
$("agents-next").onclick = () => { agentPage += 1; loadAgents(); };
for (const id of ["agent-state", "agent-queue"]) $(id).onchange = () => { agentPage = 1; loadAgents(); };
let searchTimer = null;
$("agent-search").oninput = () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { agentPage = 1; loadAgents(); }, 250); };
$("chart-queue").onchange = loadChart;
setInterval(() => { tickTimes(); tickWaiting(); }, 1000);
setInterval(() => loadAgents().catch(() => {}), 5000);
setInterval(() => refreshWaiting().catch(() => {}), 10000); // ready agents to route to
setInterval(() => loadChart().catch(() => {}), 60000);
setInterval(() => { queuePage += 1; paintQueues(); }, ROTATE_MS);
connectLive({ onOpen: () => loadAll().catch((e) => toast(e.message, true)), onMessages });
