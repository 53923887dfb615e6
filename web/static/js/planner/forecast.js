// The planner's forecast page: upload a history (or use the store's), see the forecast with its
// held-out week and the requirement for the target, start a roster solve and follow its progress
// over the live feed (elapsed, best bound, gap); cancel stops the solver.
import { api, ApiError } from "../api.js";
import { connectLive } from "../live.js";
import { debounce, PLOT_CONFIG, num, setBusy } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { number } from "../format.js";
import { centreZone, timeLayout, weekOf, zDate } from "./zone.js";

let job = null;
let pollTimer = null;
const source = () => document.querySelector('input[name="source"]:checked').value;

function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (v !== "") out[k] = Number(v);
  return out;
}
const TZ = centreZone();
const weekParam = () => ($("week-start").value ? { week_start: $("week-start").value } : {});
const targetParams = () => ({ source: source(), ...weekParam(), ...formValues($("target")) });

async function uploadFile(file) {
  $("history-status").textContent = t("Uploading %(file)s…", { file: file.name });
  const text = await file.text();
  const resp = await fetch("/api/planner/history", {
    method: "PUT", credentials: "same-origin", body: text,
    headers: { "Content-Type": "text/csv", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
  });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    $("history-status").textContent = t("Rejected: %(error)s", { error: errorText(err) });
    $("history-status").dataset.kind = "bad";
    toast(errorText(err), true);
    return;
  }
  showHistory(file.name, data);
  document.querySelector('input[name="source"][value="upload"]').checked = true;
  await refresh();
}

let uploaded = false;
function showHistory(name, h) {
  uploaded = true;
  $("history-status").dataset.kind = "ok";
  $("history-status").textContent = t("%(name)s: %(days)s days of %(interval)s-minute intervals (%(first)s – %(last)s).", {
    name, days: h.days, interval: h.interval_min, first: zDate(h.first_at, TZ), last: zDate(h.last_at, TZ),
  });
}

async function refresh() {
  if (source() === "upload" && !uploaded) { $("forecast-note").textContent = t("— upload a history to start"); return; }
  let f;
  try {
    f = await api("GET", "/api/planner/forecast?" + new URLSearchParams(targetParams()));
  } catch (err) {
    if (err.status === 404) { $("forecast-note").textContent = t("— upload a history to start"); return; }
    $("forecast-note").textContent = `— ${errorText(err)}`;
    $("forecast-note").dataset.kind = "bad";
    toast(errorText(err), true);
    return;
  }
  delete $("forecast-note").dataset.kind;
  $("week-label").textContent = t("%(week)s · Monday to Sunday, times in %(timezone)s", { week: weekOf(f.week_start), timezone: f.timezone });
  document.body.dataset.week = f.week_start;
  $("k-calls").textContent = number(Math.round(f.total_calls));
  $("k-error").textContent = f.wape_pct == null ? "—" : `${num(f.wape_pct)}%`;
  $("k-error-box").className = "kpi " + (f.wape_pct == null ? "" : f.wape_pct <= 10 ? "good" : f.wape_pct <= 20 ? "warn" : "bad");
  $("k-peak").textContent = f.peak_scheduled;
  $("k-hours").textContent = number(Math.round(f.scheduled_hours));
  $("forecast-note").textContent = t("· held-out week MAPE %(mape)s, %(interval)s-minute intervals", { mape: `${num(f.mape_pct)}%`, interval: f.interval_min });
  const lastWeek = f.holdout_actual.starts;
  Plotly.react("forecast-chart", [
    { x: lastWeek, y: f.holdout_actual.calls, name: t("held-out week: actual"), type: "scatter", mode: "lines", line: { color: "#8d9bb3", width: 1.5 } },
    { x: lastWeek, y: f.holdout_forecast, name: t("held-out week: forecast"), type: "scatter", mode: "lines", line: { color: "#f2a93b", dash: "dot", width: 1.5 } },
    { x: f.starts, y: f.calls, name: t("%(week)s: forecast", { week: weekOf(f.week_start) }), type: "scatter", mode: "lines", fill: "tozeroy", line: { color: "#4c8dff", width: 2 }, fillcolor: "rgba(76,141,255,.15)" },
  ], timeLayout({ yaxis: { title: t("calls / interval"), gridcolor: "#1f2a3e", rangemode: "tozero" } }), PLOT_CONFIG);
  Plotly.react("requirement-chart", [
    { x: f.starts, y: f.agents, name: t("agents on the phones (Erlang C)"), type: "scatter", mode: "lines", line: { shape: "hv", color: "#2fb380" } },
    { x: f.starts, y: f.scheduled_agents, name: t("agents to schedule (with shrinkage)"), type: "scatter", mode: "lines", line: { shape: "hv", color: "#7c6cf2", width: 2 }, fill: "tozeroy", fillcolor: "rgba(124,108,242,.12)" },
  ], timeLayout({ yaxis: { title: t("agents"), gridcolor: "#1f2a3e", rangemode: "tozero" } }), PLOT_CONFIG);
  document.body.dataset.forecast = "ready";
}

// the solve's state, stage and status as the page names them (ids stay machine names)
const TITLE = { running: t("Solving the roster…"), done: t("Roster ready: meets the requirement"), cancelled: t("Cancelled"), failed: t("Failed") };
const STAGE = { agents: t("assigning agents"), shifts: t("planning shifts"), saving: t("saving"), starting: t("starting") };
const STATUS = { done: t("done"), cancelled: t("cancelled"), failed: t("failed") };

function showJob(j) {
  if (!job || j.job_id !== job.job_id) return;
  job = j;
  const p = $("progress");
  p.hidden = false;
  const short = j.status === "done" && j.short_agent_h > 0;
  p.dataset.status = short ? "short" : j.status;
  $("p-title").textContent = short ? t("Roster cannot meet the requirement") : (TITLE[j.status] ?? j.status);
  $("p-stage").textContent = j.status === "running" ? (STAGE[j.stage] ?? j.stage) : (STATUS[j.status] ?? j.status);
  $("p-elapsed").textContent = t("%(seconds)s s", { seconds: num(j.elapsed_s) });
  // a bound is shown only once the solver has proven one (a bound of 0 proves nothing)
  $("p-bound").textContent = j.best_bound == null ? t("not proven yet") : num(j.best_bound);
  $("p-objective").textContent = num(j.best_objective);
  $("p-gap").textContent = j.gap == null ? t("unknown") : `${num(100 * j.gap)}%`;
  // the bar is the closed share of the gap, never the time spent; unknown: an indefinite bar
  const running = j.status === "running";
  p.dataset.known = running && j.progress == null ? "no" : "yes";
  $("p-bar").style.width = running ? `${Math.round(100 * (j.progress ?? 0))}%` : "100%";
  $("p-message").textContent = j.status === "done" ? (j.message ?? "") : "";
  $("p-message").dataset.kind = short ? "bad" : "ok";
  $("cancel").hidden = !running;
  $("generate").disabled = running;
  if (j.status === "failed") toast(j.error ?? t("the solve failed"), true);
  if (j.status === "done" && j.roster_id) {
    const a = $("open-roster");
    a.href = `/planner/rosters/${j.roster_id}`;
    a.hidden = false;
    toast(short ? t("Roster %(id)s is %(hours)s agent-hours short", { id: j.roster_id, hours: num(j.short_agent_h) }) : t("Roster %(id)s ready", { id: j.roster_id }), short);
  }
  if (!running) { clearInterval(pollTimer); pollTimer = null; }
}

async function generate() {
  const body = { ...targetParams(), ...formValues($("roster-form")) };
  setBusy($("generate"), true, t("Starting…"));
  try {
    job = await api("POST", "/api/planner/rosters", body);
    $("open-roster").hidden = true;
    showJob(job);
    // the live feed pushes progress; a slow poll covers a dropped connection
    pollTimer = setInterval(async () => {
      try { showJob(await api("GET", `/api/planner/jobs/${job.job_id}`)); } catch { /* next tick */ }
    }, 2000);
  } catch (err) {
    toast(errorText(err), true);
  } finally {
    setBusy($("generate"), false);
    if (job?.status === "running") $("generate").disabled = true;
  }
}

async function cancel() {
  if (!job) return;
  try { showJob(await api("POST", `/api/planner/jobs/${job.job_id}/cancel`)); } catch (err) { toast(errorText(err), true); }
}

$("history-file").addEventListener("change", (e) => e.target.files[0] && uploadFile(e.target.files[0]));
const dz = $("dropzone");
dz.addEventListener("dragover", (e) => { e.preventDefault(); dz.classList.add("over"); });
dz.addEventListener("dragleave", () => dz.classList.remove("over"));
dz.addEventListener("drop", (e) => { e.preventDefault(); dz.classList.remove("over"); if (e.dataTransfer.files[0]) uploadFile(e.dataTransfer.files[0]); });
$("target").addEventListener("input", debounce(refresh, 350));
$("week-start").addEventListener("change", refresh);
for (const r of document.querySelectorAll('input[name="source"]')) r.addEventListener("change", refresh);
$("generate").addEventListener("click", generate);
$("cancel").addEventListener("click", cancel);
document.body.dataset.wired = "yes";  // the controls answer from here on (tests wait for it)

connectLive({
  onOpen: () => {},
  onMessages: (msgs) => {
    for (const m of msgs) if (m.t === "roster.progress" || m.t === "roster.done") showJob(m);
  },
});
document.body.dataset.js = "ready";
api("GET", "/api/planner/history").then((h) => { if (h.uploaded) showHistory(t("Uploaded history"), h.history); refresh(); })
  .catch((err) => toast(errorText(err), true));
