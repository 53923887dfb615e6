// The Reports page: a historical report from /api/reports/{kind} as two charts and a table, with
// CSV / XLSX links to the same report. Every figure comes from the server (reports/definitions.py);
// the page only draws it, and shows "—" where the server says there was nothing to measure.
import { api } from "../api.js";
import { darkLayout, PLOT_CONFIG } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";

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

function draw(id, title, traces, layout = {}) {
  $(`${id}-title`).textContent = title;
  Plotly.react(id, traces, darkLayout(layout), PLOT_CONFIG);
}

// plotly draws an ISO time at its wall-clock time (the offset dropped): add in wall time too
const wallPlus = (iso, ms) => new Date(Date.parse(`${iso.slice(0, 19)}Z`) + ms).toISOString().slice(0, 19);
const CATEGORY = { type: "category", gridcolor: "#1f2a3e" };

function intervals(rows, d) {
  const queues = byKey(rows, "queue");
  const stepMs = d.interval_min * 60000;
  // an interval inside a telephony gap is shaded: its figures are incomplete, not zeros
  const shapes = [...new Set(rows.filter((r) => r.no_data).map((r) => r.interval_start))].map((x) => ({
    type: "rect", xref: "x", yref: "paper", x0: x, x1: wallPlus(x, stepMs), y0: 0, y1: 1,
    fillcolor: "rgba(240,86,74,.18)", line: { width: 0 } }));
  const x = (rs) => rs.map((r) => r.interval_start);
  draw("chart-a", "Offered per interval and queue (shaded: no data)", [...queues].map(([q, rs], i) => (
    { x: x(rs), y: rs.map((r) => r.offered), name: q, type: "bar", marker: { color: COLORS[i % 7] },
      customdata: rs.map((r) => [r.answered, r.abandoned]), hovertemplate: `${q}: %{y} offered, %{customdata[0]} answered, %{customdata[1]} abandoned<extra></extra>` })),
  { barmode: "stack", shapes });
  draw("chart-b", "Service level % (no point: nothing offered)", [...queues].map(([q, rs], i) => (
    { x: x(rs), y: rs.map((r) => r.sl_pct), name: q, type: "scatter", mode: "lines+markers",
      connectgaps: false, line: { color: COLORS[i % 7] } })), { yaxis: { range: [0, 105], gridcolor: "#1f2a3e" }, shapes });
}

function queues(rows) {
  const x = rows.map((r) => r.queue);
  draw("chart-a", "Calls per queue", [
    { x, y: rows.map((r) => r.answered), name: "answered", type: "bar", marker: { color: COLORS[1] } },
    { x, y: rows.map((r) => r.abandoned), name: "abandoned", type: "bar", marker: { color: COLORS[3] } },
    { x, y: rows.map((r) => r.callbacks), name: "callbacks", type: "bar", marker: { color: COLORS[2] } },
  ], { barmode: "group", xaxis: CATEGORY });
  draw("chart-b", "Service level % and ASA (s)", [
    { x, y: rows.map((r) => r.sl_pct), name: "SL %", type: "bar", marker: { color: COLORS[0] } },
    { x, y: rows.map((r) => r.asa_s), name: "ASA s", type: "scatter", mode: "markers", yaxis: "y2", marker: { size: 12, color: COLORS[2] } },
  ], { xaxis: CATEGORY, yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false } });
}

function agents(rows) {
  const ids = [...new Set(rows.map((r) => r.agent_id))];
  const states = byKey(rows.filter((r) => r.state), "state");
  draw("chart-a", "Hours per state", [...states].map(([s, rs]) => {
    const h = new Map(ids.map((a) => [a, 0]));
    for (const r of rs) h.set(r.agent_id, h.get(r.agent_id) + r.state_s / 3600);
    return { y: ids, x: ids.map((a) => h.get(a)), name: s.replace("_", " "), type: "bar", orientation: "h", marker: { color: STATE_COLORS[s] ?? COLORS[5] } };
  }), { barmode: "stack", hovermode: "closest", yaxis: CATEGORY, margin: { l: 80, r: 16, t: 10, b: 40 } });
  const first = ids.map((a) => rows.find((r) => r.agent_id === a));
  draw("chart-b", "Occupancy % and calls", [
    { x: ids, y: first.map((r) => r.occupancy_pct), name: "occupancy %", type: "bar", marker: { color: COLORS[0] } },
    { x: ids, y: first.map((r) => r.calls), name: "calls", type: "scatter", mode: "markers", yaxis: "y2", marker: { size: 12, color: COLORS[2] } },
  ], { xaxis: CATEGORY, yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false } });
}

function dispositions(rows) {
  const queues = byKey(rows, "queue");
  draw("chart-a", "Answered calls per disposition", [...queues].map(([q, rs], i) => (
    { x: rs.map((r) => r.disposition || "(not wrapped)"), y: rs.map((r) => r.calls), name: q, type: "bar", marker: { color: COLORS[i % 7] } })),
  { barmode: "group", xaxis: CATEGORY });
  draw("chart-b", "AHT per disposition (s)", [...queues].map(([q, rs], i) => (
    { x: rs.map((r) => r.disposition || "(not wrapped)"), y: rs.map((r) => r.aht_s), name: q, type: "bar", marker: { color: COLORS[i % 7] } })),
  { barmode: "group", xaxis: CATEGORY });
}

const CHARTS = { intervals, queues, agents, dispositions };

function table(d) {
  const t = $("report-table");
  const head = document.createElement("tr");
  for (const c of d.columns) { const th = document.createElement("th"); th.textContent = c; head.append(th); }
  t.tHead.replaceChildren(head);
  const body = document.createDocumentFragment();
  for (const r of d.rows) {
    const tr = document.createElement("tr");
    r.forEach((v, i) => {
      const td = document.createElement("td");
      td.textContent = v == null ? "—" : v;
      if (typeof v === "number" || (v == null && i > 0)) td.className = "num";
      tr.append(td);
    });
    body.append(tr);
  }
  t.tBodies[0].replaceChildren(body);
  $("table-title").textContent = `${d.kind} · ${d.from_day} – ${d.to_day} (${d.timezone}) · ${d.rows.length} rows`;
}

async function load(ev) {
  ev?.preventDefault();
  $("interval").disabled = $("kind").value !== "intervals";
  $("csv").href = query("csv");
  $("xlsx").href = query("xlsx");
  let d;
  try { d = await api("GET", query()); } catch (err) { toast(errorText(err), true); return; }
  CHARTS[d.kind](records(d), d);
  table(d);
  document.body.dataset.report = d.kind;
}

$("report-form").addEventListener("submit", load);
$("kind").addEventListener("change", load);
load();
