// The agent's published shifts for a week, one card per day (shift, breaks, lunch), in the
// centre's time zone (not the browser's).
import { api } from "../api.js";
import { num, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { addDays, centreZone, weekOf, zDay, zKey, zTime, zWeekdayTime } from "./zone.js";

const params = new URLSearchParams(location.search);
let weekStart = params.get("week_start");
let tz = centreZone();
const t = (iso) => zTime(iso, tz);

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
    if (!shifts.length) { const p = document.createElement("div"); p.className = "off"; p.textContent = "Day off"; card.append(p); }
    for (const s of shifts) {
      count += 1;
      hours += (Date.parse(s.end_at) - Date.parse(s.start_at)) / 36e5;
      const big = document.createElement("div");
      big.className = "shift-time";
      big.textContent = `${t(s.start_at)} – ${t(s.end_at)}`;
      card.append(big);
      for (const b of acts.filter((a) => a.activity !== "shift" && a.start_at >= s.start_at && a.start_at < s.end_at)) {
        const row = document.createElement("div");
        row.className = "shift-part";
        row.innerHTML = `<span></span><span></span>`;
        row.firstChild.textContent = b.activity === "lunch" ? "Lunch" : "Break";
        row.lastChild.textContent = `${t(b.start_at)} – ${t(b.end_at)}`;
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
}

function step(days) {
  weekStart = addDays(weekStart, days);
  load();
}
$("prev-week").addEventListener("click", () => step(-7));
$("next-week").addEventListener("click", () => step(7));
load();
followLive();
