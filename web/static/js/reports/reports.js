// The Reports page: a historical report from /api/reports/{kind} as two charts and a table, with
// CSV / XLSX links to the same report. Every figure comes from the server (reports/definitions.py);
// the page only draws it, and shows "—" where the server says there was nothing to measure.
// Labels are in the page's language; the columns' machine names (the CSV/XLSX header) stay in each
// column header's data-col.
import { api } from "../api.js";
import { dateTime, day, number } from "../format.js";
import { t } from "../i18n.js";
import { darkLayout, followLive, PLOT_CONFIG } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { dispositionLabel, reasonLabel, stateLabel } from "../wallboard/labels.js";

const COLORS = ["#4c8dff", "#2fb380", "#f2a93b", "#f0564a", "#7c6cf2", "#8d9bb3", "#35c4d6"];
const STATE_COLORS = { ready: "#2fb380", offered: "#35c4d6", on_call: "#4c8dff", wrap_up: "#7c6cf2", not_ready: "#f2a93b" };

function query(format) {
  const f = $("report-form");
  const p = new URLSearchParams({ from: f.from.value, to: f.to.value, interval_min: f.interval_min.value });
  for (const o of $("queues").selectedOptions) p.append("queue", o.value);
  if (format) p.set("format", format);
  return `/api/reports/${f.kind.value}?${p}`;
}

const records = (d) => d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c, r[i]])));
const byKey = (rows, key) => {
  const out = new Map();
  for (const r of rows) { if (!out.has(r[key])) out.set(r[key], []); out.get(r[key]).push(r); }
  return out;
};

const KINDS = { intervals: t("Intervals"), queues: t("Queues"), agents: t("Agents"), dispositions: t("Dispositions") };
const COLUMNS = {
  interval_start: t("Interval start"), queue: t("Queue"), offered: t("Offered"), answered: t("Answered"),
  answered_in_sl: t("Answered in SL"), abandoned: t("Abandoned"), abandoned_short: t("Abandoned short"),
  sl_pct: t("SL %"), asa_s: t("ASA (s)"), aht_s: t("AHT (s)"), hold_s: t("Hold (s)"), transfers: t("Transfers"),
  rona: t("Rang out (RONA)"), callbacks: t("Callbacks"), no_data: t("No data"), surveyed: t("Surveyed"),
  csat_pct: t("CSAT %"), agent_id: t("Agent"), state: t("State"), reason: t("Reason"),
  state_s: t("Time in state (s)"), logged_in_s: t("Logged in (s)"), occupancy_pct: t("Occupancy %"),
  calls: t("Calls"), disposition: t("Disposition"), share_pct: t("Share %"),
};
// a cell as read on the page: ids as labels, times in the centre's zone, numbers per locale
const queueNames = new Map([...$("queues").options].map((o) => [o.value, o.textContent]));
const queueName = (id) => queueNames.get(id) ?? id;
const CELL = {
  interval_start: dateTime, queue: queueName, state: stateLabel, reason: reasonLabel,
  disposition: (v) => (v ? dispositionLabel(v) : t("(not wrapped)")), no_data: (v) => (v ? t("yes") : ""),
};
const cell = (col, v) => (v == null ? "—" : CELL[col] ? CELL[col](v) : typeof v === "number" ? number(v) : v);

function draw(id, title, traces, layout = {}) {
  $(`${id}-title`).textContent = title;
  Plotly.react(id, traces, darkLayout(layout), PLOT_CONFIG);
}

// plotly draws an ISO time at its wall-clock time (the offset dropped): add in wall time too
const wallPlus = (iso, ms) => new Date(Date.parse(`${iso.slice(0, 19)}Z`) + ms).toISOString().slice(0, 19);
const CATEGORY = { type: "category", gridcolor: "#1f2a3e" };
const Y2_MARGIN = { l: 48, r: 48, t: 10, b: 40 }; // room for the right-hand axis's labels

function intervals(rows, d) {
  const queues = byKey(rows, "queue");
  const stepMs = d.interval_min * 60000;
  // an interval inside a telephony gap is shaded: its figures are incomplete, not zeros
  const shapes = [...new Set(rows.filter((r) => r.no_data).map((r) => r.interval_start))].map((x) => ({
    type: "rect", xref: "x", yref: "paper", x0: x, x1: wallPlus(x, stepMs), y0: 0, y1: 1,
    fillcolor: "rgba(240,86,74,.18)", line: { width: 0 } }));
  const x = (rs) => rs.map((r) => r.interval_start);
  const hover = (q) => `${t("%(queue)s: %(offered)s offered, %(answered)s answered, %(abandoned)s abandoned",
    { queue: queueName(q), offered: "%{y}", answered: "%{customdata[0]}", abandoned: "%{customdata[1]}" })}<extra></extra>`;
  draw("chart-a", t("Offered per interval and queue (shaded: no data)"), [...queues].map(([q, rs], i) => (
    { x: x(rs), y: rs.map((r) => r.offered), name: queueName(q), type: "bar", marker: { color: COLORS[i % 7] },
      customdata: rs.map((r) => [r.answered, r.abandoned]), hovertemplate: hover(q) })),
  { barmode: "stack", shapes });
  draw("chart-b", t("Service level % (no point: nothing offered)"), [...queues].map(([q, rs], i) => (
    { x: x(rs), y: rs.map((r) => r.sl_pct), name: queueName(q), type: "scatter", mode: "lines+markers",
      connectgaps: false, line: { color: COLORS[i % 7] } })), { yaxis: { range: [0, 105], gridcolor: "#1f2a3e" }, shapes });
}

function queues(rows) {
  const x = rows.map((r) => queueName(r.queue));
  draw("chart-a", t("Calls per queue"), [
    { x, y: rows.map((r) => r.answered), name: t("Answered"), type: "bar", marker: { color: COLORS[1] } },
    { x, y: rows.map((r) => r.abandoned), name: t("Abandoned"), type: "bar", marker: { color: COLORS[3] } },
    { x, y: rows.map((r) => r.callbacks), name: t("Callbacks"), type: "bar", marker: { color: COLORS[2] } },
  ], { barmode: "group", xaxis: CATEGORY });
  draw("chart-b", t("Service level % and ASA (s)"), [
    { x, y: rows.map((r) => r.sl_pct), name: t("SL %"), type: "bar", marker: { color: COLORS[0] } },
    { x, y: rows.map((r) => r.asa_s), name: t("ASA (s)"), type: "scatter", mode: "markers", yaxis: "y2", marker: { size: 12, color: COLORS[2] } },
  ], { xaxis: CATEGORY, yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false }, margin: Y2_MARGIN });
}

function agents(rows) {
  const ids = [...new Set(rows.map((r) => r.agent_id))];
  const states = byKey(rows.filter((r) => r.state), "state");
  draw("chart-a", t("Hours per state"), [...states].map(([s, rs]) => {
    const h = new Map(ids.map((a) => [a, 0]));
    for (const r of rs) h.set(r.agent_id, h.get(r.agent_id) + r.state_s / 3600);
    return { y: ids, x: ids.map((a) => h.get(a)), name: stateLabel(s), type: "bar", orientation: "h", marker: { color: STATE_COLORS[s] ?? COLORS[5] } };
  }), { barmode: "stack", hovermode: "closest", yaxis: CATEGORY, margin: { l: 80, r: 16, t: 10, b: 40 } });
  const first = ids.map((a) => rows.find((r) => r.agent_id === a));
  draw("chart-b", t("Occupancy % and calls"), [
    { x: ids, y: first.map((r) => r.occupancy_pct), name: t("Occupancy %"), type: "bar", marker: { color: COLORS[0] } },
    { x: ids, y: first.map((r) => r.calls), name: t("Calls"), type: "scatter", mode: "markers", yaxis: "y2", marker: { size: 12, color: COLORS[2] } },
  ], { xaxis: CATEGORY, yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false }, margin: Y2_MARGIN });
}

function dispositions(rows) {
  const queues = byKey(rows, "queue");
  const x = (rs) => rs.map((r) => CELL.disposition(r.disposition));
  draw("chart-a", t("Answered calls per disposition"), [...queues].map(([q, rs], i) => (
    { x: x(rs), y: rs.map((r) => r.calls), name: queueName(q), type: "bar", marker: { color: COLORS[i % 7] } })),
  { barmode: "group", xaxis: CATEGORY });
  draw("chart-b", t("AHT per disposition (s)"), [...queues].map(([q, rs], i) => (
    { x: x(rs), y: rs.map((r) => r.aht_s), name: queueName(q), type: "bar", marker: { color: COLORS[i % 7] } })),
  { barmode: "group", xaxis: CATEGORY });
}

const CHARTS = { intervals, queues, agents, dispositions };

function table(d) {
  const tableEl = $("report-table");
  const head = document.createElement("tr");
  for (const c of d.columns) {
    const th = document.createElement("th");
    th.textContent = COLUMNS[c] ?? c;
    th.dataset.col = c; // the machine name, as the CSV / XLSX header has it
    head.append(th);
  }
  tableEl.tHead.replaceChildren(head);
  const body = document.createDocumentFragment();
  for (const r of d.rows) {
    const tr = document.createElement("tr");
    r.forEach((v, i) => {
      const td = document.createElement("td");
      td.textContent = cell(d.columns[i], v);
      if (typeof v === "number" || (v == null && i > 0)) td.className = "num";
      tr.append(td);
    });
    body.append(tr);
  }
  tableEl.tBodies[0].replaceChildren(body);
  $("table-title").textContent = t("%(report)s · %(from)s – %(to)s (%(timezone)s) · %(count)s rows", {
    report: KINDS[d.kind] ?? d.kind, from: day(d.from_day), to: day(d.to_day), timezone: d.timezone, count: number(d.rows.length) });
}

let shown = 0; // the latest request: an earlier, slower answer is not drawn over it
async function load(ev) {
  ev?.preventDefault();
  const mine = ++shown;
  $("interval").disabled = $("kind").value !== "intervals";
  $("csv").href = query("csv");
  $("xlsx").href = query("xlsx");
  let d;
  try { d = await api("GET", query()); } catch (err) { toast(errorText(err), true); return; }
  if (mine !== shown) return;
  CHARTS[d.kind](records(d), d);
  table(d);
  document.body.dataset.report = d.kind;
}

followLive(); // the bar's live status, as on every workspace page
$("report-form").addEventListener("submit", load);
$("kind").addEventListener("change", load);
load();
