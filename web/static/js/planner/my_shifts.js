// The agent's published shifts for a week, one card per day (shift, breaks, lunch), in the
// centre's time zone (not the browser's); a coming shift can be asked off or swapped, and the
// agent's requests are listed with the planner's decision.
import { api } from "../api.js";
import { num, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { checkText, emptyRow } from "./check.js";
import { addDays, centreZone, weekOf, zDay, zKey, zTime, zWeekdayTime } from "./zone.js";

const params = new URLSearchParams(location.search);
let weekStart = params.get("week_start");
let tz = centreZone();
const hm = (iso) => zTime(iso, tz);

async function load() {
  let data;
  try { data = await api("GET", "/api/agent/shifts" + (weekStart ? `?week_start=${weekStart}` : "")); } catch (err) { toast(errorText(err), true); return; }
  weekStart = data.week_start;
  tz = data.timezone;
  history.replaceState(null, "", `?week_start=${weekStart}`);
  $("week-label").textContent = weekOf(weekStart);
  const byDay = new Map();
  for (const a of data.activities) {
    const k = zKey(a.start_at, tz);
    if (!byDay.has(k)) byDay.set(k, []);
    byDay.get(k).push(a);
  }
  let hours = 0, count = 0;
  const today = zKey(new Date(), tz);
  const cards = [];
  for (let i = 0; i < 7; i++) {
    const k = addDays(weekStart, i);
    const card = document.createElement("article");
    card.className = "shift-day" + (k === today ? " today" : "");
    card.dataset.day = k;
    const h = document.createElement("h3");
    h.textContent = zDay(`${k}T12:00:00Z`, "UTC");  // a calendar date: no zone arithmetic
    card.append(h);
    const acts = (byDay.get(k) ?? []).sort((a, b) => a.start_at.localeCompare(b.start_at));
    const shifts = acts.filter((a) => a.activity === "shift");
    if (!shifts.length) { const p = document.createElement("div"); p.className = "off"; p.textContent = t("Day off"); card.append(p); }
    for (const s of shifts) {
      count += 1;
      hours += (Date.parse(s.end_at) - Date.parse(s.start_at)) / 36e5;
      const big = document.createElement("div");
      big.className = "shift-time";
      big.textContent = `${hm(s.start_at)} – ${hm(s.end_at)}`;
      card.append(big);
      if (Date.parse(s.start_at) > Date.now()) {
        const ask = document.createElement("button");
        ask.className = "btn btn-ghost ask-change";
        ask.type = "button";
        ask.textContent = t("Time off / swap…");
        ask.dataset.start = s.start_at;
        ask.addEventListener("click", () => openRequest(s));
        card.append(ask);
      }
      for (const b of acts.filter((a) => a.activity !== "shift" && a.start_at >= s.start_at && a.start_at < s.end_at)) {
        const row = document.createElement("div");
        row.className = "shift-part";
        row.innerHTML = `<span></span><span></span>`;
        row.firstChild.textContent = b.activity === "lunch" ? t("Lunch") : t("Break");
        row.lastChild.textContent = `${hm(b.start_at)} – ${hm(b.end_at)}`;
        card.append(row);
      }
    }
    cards.push(card);
  }
  $("shift-days").replaceChildren(...cards);
  $("k-shifts").textContent = count;
  $("k-hours").textContent = num(hours, 1);
  const next = data.activities.find((a) => a.activity === "shift" && Date.parse(a.end_at) > Date.now());
  $("k-next").textContent = next ? zWeekdayTime(next.start_at, tz) : "—";
  document.body.dataset.shifts = "ready";
  loadRequests();
}

// ---- requests: time off and swaps, decided by a planner ------------------------------------
let asking = null;
let colleagues = [];

async function openRequest(s) {
  asking = s;
  $("request-shift").textContent = `${zDay(s.start_at, tz)} · ${hm(s.start_at)} – ${hm(s.end_at)}`;
  $("request-error").textContent = "";
  $("request-reason").value = "";
  document.querySelector('#request-form input[value="time_off"]').checked = true;
  $("swap-fields").hidden = true;
  $("request-dialog").showModal();
  try {
    colleagues = (await api("GET", "/api/agent/swap-options?" + new URLSearchParams({ shift_start_at: s.start_at }))).colleagues;
  } catch (err) { colleagues = []; $("request-error").textContent = errorText(err); }
  $("swap-with").replaceChildren(...colleagues.map((c) => new Option(`${c.name} (${c.agent_id})`, c.agent_id)));
  fillTheirShifts();
}

function fillTheirShifts() {
  const c = colleagues.find((x) => x.agent_id === $("swap-with").value);
  $("swap-shift").replaceChildren(new Option(t("none: they just take mine"), ""), ...(c?.shifts ?? []).map((x) => new Option(`${zDay(x, tz)} ${hm(x)}`, x)));
}

async function sendRequest() {
  const kind = document.querySelector('#request-form input[name="kind"]:checked').value;
  const body = { kind, shift_start_at: asking.start_at, reason: $("request-reason").value };
  if (kind === "swap") {
    body.with_agent_id = $("swap-with").value;
    if ($("swap-shift").value) body.with_shift_start_at = $("swap-shift").value;
  }
  try {
    showRequests(await api("POST", "/api/agent/shift-requests", body));
    $("request-dialog").close();
    toast(t("Sent to the planner"));
  } catch (err) { $("request-error").textContent = errorText(err); }
}

function showRequests(data) {
  const STATUS = { pending: "blue", approved: "good", refused: "bad" };
  const STATUS_LABEL = { pending: t("pending"), approved: t("approved"), refused: t("refused") };
  $("requests").replaceChildren(...(data.requests.length ? data.requests.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.status = r.status;
    const what = r.kind === "time_off" ? t("Time off")
      : r.with_shift_start_at ? t("Swap: %(name)s takes it, you take %(when)s", { name: r.with_agent_name, when: `${zDay(r.with_shift_start_at, data.timezone)} ${zTime(r.with_shift_start_at, data.timezone)}` })
        : t("Swap: %(name)s takes it", { name: r.with_agent_name });
    for (const v of [zDay(r.created_at, data.timezone), `${zDay(r.shift_start_at, data.timezone)} ${zTime(r.shift_start_at, data.timezone)}`, what, null, r.status === "pending" ? "" : checkText(r.check)]) {
      const td = document.createElement("td");
      if (v === null) { td.innerHTML = `<span class="pill ${STATUS[r.status] ?? ""}"></span>`; td.firstChild.textContent = STATUS_LABEL[r.status] ?? r.status; } else td.textContent = v;
      tr.append(td);
    }
    return tr;
  }) : [emptyRow(5, t("No requests yet."))]));
}

async function loadRequests() {
  try { showRequests(await api("GET", "/api/agent/shift-requests")); } catch (err) { toast(errorText(err), true); }
}

for (const r of document.querySelectorAll('#request-form input[name="kind"]')) r.addEventListener("change", () => {
  $("swap-fields").hidden = document.querySelector('#request-form input[name="kind"]:checked').value !== "swap";
});
$("swap-with").addEventListener("change", fillTheirShifts);
$("request-form").addEventListener("submit", (e) => { if (e.submitter?.value === "send") { e.preventDefault(); sendRequest(); } });

function step(days) {
  weekStart = addDays(weekStart, days);
  load();
}
$("prev-week").addEventListener("click", () => step(-7));
$("next-week").addEventListener("click", () => step(7));
load();
followLive();
