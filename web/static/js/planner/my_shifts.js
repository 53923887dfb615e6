// The agent's published shifts for a week, one card per day (shift, breaks, lunch).
import { api } from "../api.js";
import { num, followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";

const params = new URLSearchParams(location.search);
let weekStart = params.get("week_start");
const t = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const localDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

async function load() {
  let data;
  try { data = await api("GET", "/api/agent/shifts" + (weekStart ? `?week_start=${weekStart}` : "")); } catch (err) { toast(errorText(err), true); return; }
  weekStart = data.week_start;
  history.replaceState(null, "", `?week_start=${weekStart}`);
  const first = new Date(`${weekStart}T00:00:00`);
  $("week-label").textContent = `Week of ${first.toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" })}`;
  const byDay = new Map();
  for (const a of data.activities) {
    const k = localDay(new Date(a.start_at));
    if (!byDay.has(k)) byDay.set(k, []);
    byDay.get(k).push(a);
  }
  let hours = 0, count = 0;
  const today = localDay(new Date());
  const cards = [];
  for (let i = 0; i < 7; i++) {
    const d = new Date(first.getFullYear(), first.getMonth(), first.getDate() + i);
    const k = localDay(d);
    const card = document.createElement("article");
    card.className = "shift-day" + (k === today ? " today" : "");
    card.dataset.day = k;
    const h = document.createElement("h3");
    h.textContent = d.toLocaleDateString([], { weekday: "long", day: "numeric", month: "short" });
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
  $("k-next").textContent = next ? new Date(next.start_at).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" }) : "—";
  document.body.dataset.shifts = "ready";
}

function step(days) {
  const d = new Date(`${weekStart}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  weekStart = d.toISOString().slice(0, 10);
  load();
}
$("prev-week").addEventListener("click", () => step(-7));
$("next-week").addEventListener("click", () => step(7));
load();
followLive();
