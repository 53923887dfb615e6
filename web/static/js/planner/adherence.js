// Adherence for a day: per agent the published schedule (top lane) against the states the agent
// was in (bottom lane), with the adherence figure from the workforce package.
import { api } from "../api.js";
import { num, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { centreZone, zTime } from "./zone.js";

const TZ = centreZone();
// activities and agent states as the page names them (ids stay machine names)
const LABEL = {
  shift: t("shift"), break: t("break"), lunch: t("lunch"), ready: t("ready"), not_ready: t("not ready"),
  on_call: t("on call"), offered: t("ringing"), wrap_up: t("wrap-up"), logged_out: t("signed out"),
};

const params = new URLSearchParams(location.search);
let day = params.get("day") || new Date().toISOString().slice(0, 10);

function lane(kind, spans, dayStart) {
  const div = document.createElement("div");
  div.className = `adh-lane ${kind}`;
  for (const s of spans) {
    const a = (Date.parse(s.start_at) - dayStart) / 864e5 * 100;
    const b = (Date.parse(s.end_at) - dayStart) / 864e5 * 100;
    const span = document.createElement("span");
    span.className = `s-${s.activity ?? s.state}`;
    span.style.left = `${a}%`;
    span.style.width = `${Math.max(0.2, b - a)}%`;
    const what = s.activity ?? s.state;
    span.title = `${LABEL[what] ?? what}${s.reason ? ` (${s.reason})` : ""}: ${zTime(s.start_at, TZ)}–${zTime(s.end_at, TZ)}`;
    div.append(span);
  }
  return div;
}

async function load() {
  $("day").value = day;
  history.replaceState(null, "", `?day=${day}`);
  let data;
  try { data = await api("GET", `/api/planner/adherence?day=${day}`); } catch (err) { toast(errorText(err), true); return; }
  const dayStart = Date.parse(data.day_start_at);
  $("hours").replaceChildren(...[0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => {
    const s = document.createElement("span"); s.style.left = `${h / 24 * 100}%`; s.textContent = `${String(h).padStart(2, "0")}:00`; return s;
  }));
  const rows = data.agents.map((a) => {
    const row = document.createElement("div");
    row.className = "adh-row";
    const name = document.createElement("div");
    name.innerHTML = `<div class="agent-name"></div><div class="agent-sub"></div>`;
    name.firstChild.textContent = a.name;
    name.lastChild.textContent = t("%(agent)s · %(minutes)s min scheduled", { agent: a.agent_id, minutes: a.scheduled_min });
    const lanes = document.createElement("div");
    lanes.className = "adh-lanes";
    lanes.append(lane("plan", a.scheduled, dayStart), lane("act", a.actual, dayStart));
    const fig = document.createElement("div");
    fig.className = "num";
    const v = a.adherence_pct;
    fig.innerHTML = `<span class="pill ${v == null ? "" : v >= 90 ? "good" : v >= 75 ? "warn" : "bad"}">${v == null ? "—" : `${num(v, 0)}%`}</span>`;
    row.append(name, lanes, fig);
    return row;
  });
  if (!rows.length) {
    const p = document.createElement("p"); p.className = "note"; p.textContent = t("No published shifts or agent activity on this day."); rows.push(p);
  }
  $("adherence-rows").replaceChildren(...rows);
  const sched = data.agents.filter((a) => a.scheduled_min > 0);
  const mins = sched.reduce((s, a) => s + a.scheduled_min, 0);
  const inAdh = sched.reduce((s, a) => s + a.in_adherence_min, 0);
  const occ = data.agents.filter((a) => a.occupancy_pct != null);
  $("k-agents").textContent = sched.length;
  $("k-adh").textContent = mins ? `${num(100 * inAdh / mins, 1)}%` : "—";
  $("k-occ").textContent = occ.length ? `${num(occ.reduce((s, a) => s + a.occupancy_pct, 0) / occ.length, 1)}%` : "—";
}

function step(days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  day = d.toISOString().slice(0, 10);
  load();
}
$("day").addEventListener("change", (e) => { day = e.target.value; load(); });
$("prev-day").addEventListener("click", () => step(-1));
$("next-day").addEventListener("click", () => step(1));
load();
followLive();
