// A roster as a week grid per agent (shift bars with breaks and lunch) and its coverage against
// the requirement per interval. Clicking a shift opens the move dialog; after a move the server
// returns the roster with its coverage recomputed, and both are repainted.
import { api } from "../api.js";
import { PLOT_CONFIG, num, shifted, hhmm, dayKey, offsetText, setBusy, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { number } from "../format.js";
import { timeLayout, zDateTime, zDayShort } from "./zone.js";

// a shifted date (the roster's offset already applied) as its column names it
const dayLabel = (d) => zDayShort(d, "UTC");
// the activities as the page names them (ids stay machine names)
const ACTIVITY = { shift: t("shift"), break: t("break"), lunch: t("lunch") };

const SHOWN_SHORT = 24; // intervals listed, the worst first

const rosterId = $("roster-app").dataset.roster;
let roster = null;
let editing = null;
const moved = new Set(); // "agent|start" of shifts moved in this visit
let windowMin = [0, 1440];

function openWindow(r) {
  // the part of the day with requirement or shifts, padded to whole hours
  const per = 1440 / r.interval_min;
  let lo = 1440, hi = 0;
  r.required.forEach((v, i) => { if (v > 0) { const m = (i % per) * r.interval_min; lo = Math.min(lo, m); hi = Math.max(hi, m + r.interval_min); } });
  for (const a of r.agents) for (const x of a.activities) {
    const s = shifted(x.start_at, r.utc_offset_min), e = shifted(x.end_at, r.utc_offset_min);
    lo = Math.min(lo, s.getUTCHours() * 60 + s.getUTCMinutes());
    hi = Math.max(hi, e.getUTCHours() * 60 + e.getUTCMinutes() || 1440);
  }
  if (lo >= hi) return [0, 1440];
  return [Math.floor(lo / 60) * 60, Math.min(1440, Math.ceil(hi / 60) * 60)];
}

function days(r) {
  const first = shifted(r.first_interval_at, r.utc_offset_min);
  const n = Math.round(r.required.length * r.interval_min / 1440);
  return Array.from({ length: n }, (_, i) => new Date(first.getTime() + i * 86400000));
}

function paintHead(r) {
  const thead = $("roster-grid").querySelector("thead");
  const [lo, hi] = windowMin;
  const tr = document.createElement("tr");
  const hours = t("%(from)s–%(to)sh", { from: String(lo / 60).padStart(2, "0"), to: String(hi / 60).padStart(2, "0") });
  const agent = t("Agent");
  tr.innerHTML = `<th class="agent-col">${agent}</th>` + days(r).map((d) => `<th>${dayLabel(d)} <span class="note">${hours}</span></th>`).join("");
  thead.replaceChildren(tr);
}

function paintGrid(r) {
  const tbody = $("roster-grid").querySelector("tbody");
  const ds = days(r).map(dayKey);
  const [lo, hi] = windowMin;
  const span = hi - lo;
  const filter = $("agent-filter").value.trim().toLowerCase();
  const rows = [];
  for (const a of r.agents) {
    if (filter && !a.name.toLowerCase().includes(filter) && !a.agent_id.toLowerCase().includes(filter)) continue;
    const tr = document.createElement("tr");
    tr.dataset.agent = a.agent_id;
    const name = document.createElement("td");
    name.className = "agent-col";
    name.innerHTML = `<div class="agent-name"></div><div class="agent-sub"></div>`;
    name.firstChild.textContent = a.name;
    name.lastChild.textContent = t("%(agent)s · %(hours)s h", { agent: a.agent_id, hours: num(a.hours, 1) });
    tr.append(name);
    const cells = ds.map((k) => { const td = document.createElement("td"); td.className = "day"; td.dataset.day = k; tr.append(td); return td; });
    const shifts = a.activities.filter((x) => x.activity === "shift");
    for (const s of shifts) {
      const st = shifted(s.start_at, r.utc_offset_min), en = shifted(s.end_at, r.utc_offset_min);
      const cell = cells[ds.indexOf(dayKey(st))];
      if (!cell) continue;
      const m0 = st.getUTCHours() * 60 + st.getUTCMinutes();
      const m1 = m0 + (en - st) / 60000;
      const bar = document.createElement("div");
      bar.className = "bar" + (moved.has(`${a.agent_id}|${s.start_at}`) ? " moved" : "");
      bar.style.left = `${Math.max(0, (m0 - lo) / span * 100)}%`;
      bar.style.width = `${Math.max(2, (m1 - m0) / span * 100)}%`;
      bar.dataset.agent = a.agent_id;
      bar.dataset.start = s.start_at;
      bar.title = `${a.name}: ${hhmm(st)}–${hhmm(en)}`;
      for (const b of a.activities) {
        if (b.activity === "shift" || b.start_at < s.start_at || b.start_at >= s.end_at) continue;
        const bs = (Date.parse(b.start_at) - Date.parse(s.start_at)) / 60000;
        const bl = (Date.parse(b.end_at) - Date.parse(b.start_at)) / 60000;
        const i = document.createElement("i");
        i.className = b.activity;
        i.style.left = `${bs / (m1 - m0) * 100}%`;
        i.style.width = `${bl / (m1 - m0) * 100}%`;
        i.title = `${ACTIVITY[b.activity] ?? b.activity} ${hhmm(shifted(b.start_at, r.utc_offset_min))}`;
        bar.append(i);
      }
      const label = document.createElement("em");
      label.textContent = `${hhmm(st)}–${hhmm(en)}`;
      bar.append(label);
      cell.append(bar);
    }
    rows.push(tr);
  }
  tbody.replaceChildren(...rows);
}

function paintCoverage(r) {
  const first = Date.parse(r.first_interval_at);
  const xs = r.required.map((_, i) => shifted(new Date(first + i * r.interval_min * 60000).toISOString(), r.utc_offset_min).toISOString().slice(0, 16).replace("T", " "));
  const gap = r.coverage.map((c, i) => Math.min(0, c - r.required[i]));
  Plotly.react("coverage-chart", [
    { x: xs, y: r.required, name: t("requirement"), type: "scatter", mode: "lines", line: { shape: "hv", color: "#f2a93b", width: 2 } },
    { x: xs, y: r.coverage, name: t("coverage (on the phones)"), type: "scatter", mode: "lines", line: { shape: "hv", color: "#4c8dff", width: 1.5 }, fill: "tozeroy", fillcolor: "rgba(76,141,255,.16)" },
    { x: xs, y: gap, name: t("short"), type: "bar", marker: { color: "rgba(240,86,74,.75)" } },
  ], timeLayout({ barmode: "overlay", yaxis: { title: t("agents"), gridcolor: "#1f2a3e" } }), PLOT_CONFIG);
}

function paintShortfall(r) {
  $("shortfall").hidden = r.meets_requirement;
  $("shortfall-text").textContent = r.explanation;
  const worst = [...r.short_intervals].sort((a, b) => b.short - a.short || a.start_at.localeCompare(b.start_at)).slice(0, SHOWN_SHORT);
  $("shortfall-rows").replaceChildren(...worst.map((x) => {
    const tr = document.createElement("tr");
    for (const [i, v] of [zDateTime(x.start_at, r.timezone), num(x.required, 1), num(x.covered, 1), num(x.short, 1)].entries()) {
      const td = document.createElement("td");
      td.textContent = v;
      if (i) td.className = "num";
      tr.append(td);
    }
    return tr;
  }));
  const more = r.short_intervals.length - worst.length;
  $("shortfall-more").textContent = more > 0 ? t("and %(count)s more intervals short (the coverage chart shows them all)", { count: more }) : "";
}

const rosterName = (x) => t("%(name)s (roster %(id)s)", { name: x.name, id: x.roster_id });

function paint(r) {
  roster = r;
  paintShortfall(r);
  $("roster-name").textContent = r.name;
  const st = $("roster-status");
  st.textContent = r.published ? t("published") : t("draft");
  st.className = "pill " + (r.published ? "good" : "blue");
  $("publish").disabled = r.published;
  $("publish").textContent = r.published ? t("Published") : t("Publish to agents");
  $("k-agents").textContent = r.agents.length;
  $("k-hours").textContent = number(Math.round(r.agents.reduce((s, a) => s + a.hours, 0)));
  $("k-under").textContent = num(r.under_agent_h, 1);
  $("k-over").textContent = num(r.over_agent_h, 1);
  $("k-gap").textContent = r.gap == null ? "—" : `${num(100 * r.gap, 1)}%`;
  $("tz-note").textContent = t("· times in %(timezone)s (UTC%(offset)s), %(interval)s-minute intervals", { timezone: r.timezone, offset: offsetText(r.utc_offset_min), interval: r.interval_min });
  windowMin = openWindow(r);
  paintHead(r);
  paintGrid(r);
  paintCoverage(r);
  document.body.dataset.roster = "ready";
}

function openMove(bar) {
  const a = roster.agents.find((x) => x.agent_id === bar.dataset.agent);
  const s = a.activities.find((x) => x.activity === "shift" && x.start_at === bar.dataset.start);
  editing = { agent: a, shift: s };
  const st = shifted(s.start_at, roster.utc_offset_min), en = shifted(s.end_at, roster.utc_offset_min);
  $("move-who").textContent = t("%(name)s · %(day)s · now %(from)s–%(to)s", { name: a.name, day: dayLabel(st), from: hhmm(st), to: hhmm(en) });
  $("move-start").value = hhmm(st);
  $("move-end").value = hhmm(en);
  $("move-error").textContent = "";
  $("move-dialog").showModal();
}

function atTime(dayStartShifted, hm) {
  const [h, m] = hm.split(":").map(Number);
  const local = new Date(Date.UTC(dayStartShifted.getUTCFullYear(), dayStartShifted.getUTCMonth(), dayStartShifted.getUTCDate(), h, m));
  return new Date(local.getTime() - roster.utc_offset_min * 60000).toISOString();
}

async function saveMove(ev) {
  ev.preventDefault();
  const day = shifted(editing.shift.start_at, roster.utc_offset_min);
  const start = atTime(day, $("move-start").value);
  let end = atTime(day, $("move-end").value);
  if ($("move-end").value === "00:00") end = new Date(Date.parse(end) + 86400000).toISOString();
  setBusy($("move-save"), true, t("Saving…"));
  try {
    const r = await api("POST", `/api/planner/rosters/${rosterId}/moves`, {
      agent_id: editing.agent.agent_id, shift_start_at: editing.shift.start_at, start_at: start, end_at: end,
    });
    moved.add(`${editing.agent.agent_id}|${new Date(start).toISOString().replace(".000Z", "Z")}`);
    const ns = r.agents.find((x) => x.agent_id === editing.agent.agent_id)?.activities.find((x) => x.activity === "shift" && Date.parse(x.start_at) === Date.parse(start));
    if (ns) moved.add(`${editing.agent.agent_id}|${ns.start_at}`);
    $("move-dialog").close();
    paint(r);
    toast(t("Shift of %(name)s moved; coverage updated", { name: editing.agent.name }));
  } catch (err) {
    $("move-error").textContent = errorText(err);
  } finally {
    setBusy($("move-save"), false);
  }
}

async function confirmPublish() {
  // say what publishing does before it happens: agents see it, and it replaces the published
  // roster of the same week
  let others = [];
  try {
    const { rosters } = await api("GET", "/api/planner/rosters");
    const me = rosters.find((x) => x.roster_id === roster.roster_id);
    others = rosters.filter((x) => x.published && x.roster_id !== roster.roster_id && me
      && Date.parse(x.period_start_at) < Date.parse(me.period_end_at) && Date.parse(me.period_start_at) < Date.parse(x.period_end_at));
  } catch (err) { toast(errorText(err), true); return; }
  $("publish-what").textContent = t("%(name)s: %(count)s agents will see these shifts on their shifts page.", { name: roster.name, count: roster.agents.length })
    + (roster.meets_requirement ? "" : " " + t("It is %(hours)s agent-hours short of the requirement.", { hours: num(roster.under_agent_h, 1) }));
  $("publish-replaces").textContent = others.length
    ? t("It replaces the published %(rosters)s: agents see one set of shifts.", { rosters: others.map(rosterName).join(", ") })
    : t("No other roster is published for this week.");
  $("publish-dialog").showModal();
}

async function publish() {
  setBusy($("publish"), true, t("Publishing…"));
  try {
    await api("POST", `/api/planner/rosters/${rosterId}/publish`);
    roster.published = true;
    paint(roster);
    toast(t("Published: agents now see their shifts"));
  } catch (err) {
    toast(errorText(err), true);
    setBusy($("publish"), false);
  }
}

$("roster-grid").addEventListener("click", (e) => { const bar = e.target.closest(".bar"); if (bar) openMove(bar); });
$("move-form").addEventListener("submit", (e) => { if (e.submitter?.value === "save") saveMove(e); });
$("publish").addEventListener("click", confirmPublish);
$("publish-form").addEventListener("submit", (e) => { if (e.submitter?.value === "publish") publish(); });
$("agent-filter").addEventListener("input", () => paintGrid(roster));
api("GET", `/api/planner/rosters/${rosterId}`).then(paint).catch((err) => toast(errorText(err), true));
followLive();
