// Complaint and return-visit reports as charts: tickets per day, in-time shares by category,
// hours to acknowledge / resolve by severity, return-visit outcomes.
import { api } from "../api.js";
import { darkLayout, PLOT_CONFIG, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { date, pct as percent } from "../format.js";
import { labelOf } from "../labels.js";

const pct = (v) => percent(v);
function weighted(rows, key) {
  const w = rows.filter((r) => r[key] != null);
  const n = w.reduce((s, r) => s + r.tickets, 0);
  return n ? w.reduce((s, r) => s + r[key] * r.tickets, 0) / n : null;
}
function groupBy(rows, key, value) {
  const out = new Map();
  for (const r of rows) { const k = r[key]; const o = out.get(k) ?? { n: 0, s: 0 }; if (r[value] != null) { o.n += r.tickets; o.s += r[value] * r.tickets; } out.set(k, o); }
  return [...out.entries()].map(([k, o]) => [k, o.n ? o.s / o.n : null]);
}

async function load() {
  let d;
  try { d = await api("GET", `/api/complaints/reports?days=${$("days").value}`); } catch (err) { toast(errorText(err), true); return; }
  const s = d.summary;
  $("k-tickets").textContent = s.reduce((a, r) => a + r.tickets, 0);
  $("k-ack").textContent = pct(weighted(s, "ack_in_time_pct"));
  $("k-res").textContent = pct(weighted(s, "resolved_in_time_pct"));
  $("k-reopen").textContent = pct(weighted(s, "reopen_rate_pct"));
  const rv = d.return_visits;
  $("k-rv").textContent = rv.return_visits ?? 0;
  $("k-rv-time").textContent = pct(rv.done_within_window_pct);
  $("k-sat").textContent = pct(rv.satisfied_pct);
  Plotly.react("per-day", [
    { x: d.per_day.map((r) => date(`${r.day}T12:00:00Z`)), y: d.per_day.map((r) => r.opened), name: t("tickets opened"), type: "bar", marker: { color: "#f0564a" } },
    { x: d.per_day.map((r) => date(`${r.day}T12:00:00Z`)), y: d.per_day.map((r) => r.resolved), name: t("tickets resolved"), type: "bar", marker: { color: "#2fb380" } },
  ], darkLayout({ barmode: "group" }), PLOT_CONFIG);
  const cats = groupBy(s, "category", "ack_in_time_pct"), res = groupBy(s, "category", "resolved_in_time_pct");
  Plotly.react("in-time", [
    { x: cats.map((c) => labelOf("category", c[0])), y: cats.map((c) => c[1]), name: t("acknowledged in time %"), type: "bar", marker: { color: "#4c8dff" } },
    { x: res.map((c) => labelOf("category", c[0])), y: res.map((c) => c[1]), name: t("resolved in time %"), type: "bar", marker: { color: "#2fb380" } },
  ], darkLayout({ barmode: "group", yaxis: { range: [0, 100], gridcolor: "#1f2a3e" } }), PLOT_CONFIG);
  const ack = groupBy(s, "severity", "ack_h_mean"), rs = groupBy(s, "severity", "resolve_h_mean");
  Plotly.react("hours", [
    { x: ack.map((c) => labelOf("severity", c[0])), y: ack.map((c) => c[1]), name: t("hours to acknowledge"), type: "bar", marker: { color: "#f2a93b" } },
    { x: rs.map((c) => labelOf("severity", c[0])), y: rs.map((c) => c[1]), name: t("hours to resolve"), type: "bar", marker: { color: "#7c6cf2" } },
  ], darkLayout({ barmode: "group" }), PLOT_CONFIG);
  const oc = Object.entries(d.return_visits_by_outcome);
  Plotly.react("rv-outcomes", [{ type: "pie", hole: 0.55, labels: oc.map((o) => labelOf("return_visit", o[0])), values: oc.map((o) => o[1]),
    marker: { colors: ["#2fb380", "#4c8dff", "#f2a93b", "#f0564a", "#7c6cf2", "#8d9bb3"] } }],
  darkLayout({ hovermode: "closest", margin: { l: 10, r: 10, t: 10, b: 10 },
    annotations: oc.length ? [] : [{ text: t("No return visits in this period"), showarrow: false, font: { size: 15, color: "#8d9bb3" }, x: 0.5, y: 0.5, xref: "paper", yref: "paper" }],
    xaxis: { visible: false }, yaxis: { visible: false } }), PLOT_CONFIG);
  document.body.dataset.reports = "ready";
}
$("days").addEventListener("change", load);
load();
followLive();
