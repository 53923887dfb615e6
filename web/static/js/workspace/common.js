// What the planner, QA and complaint pages share beyond helpers.js: dates, charts, busy buttons.
import { dateTime } from "../format.js";
import { t } from "../i18n.js";
import { connectLive } from "../live.js";
import { plotlyLocale } from "../plotly_locale.js";

export function debounce(fn, ms = 300) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// A time in a fixed UTC offset (minutes), as the roster's planner sees it.
export function shifted(iso, offsetMin) {
  return new Date(Date.parse(iso) + offsetMin * 60000);
}
export const hhmm = (d) => `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
export const dayKey = (d) => d.toISOString().slice(0, 10);
const DAYS = [t("Sun"), t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat")];
export const dayLabel = (d) => `${DAYS[d.getUTCDay()]} ${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
export function offsetText(offsetMin) {
  const sign = offsetMin < 0 ? "-" : "+";
  const a = Math.abs(offsetMin);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}
// A moment in the centre's time zone, in the page's language (format.js: 24-hour).
export const localTime = (iso) => (iso ? dateTime(iso) : "—");
export const num = (v, d = 1) => (v == null || !isFinite(v) ? "—" : Number(v).toFixed(d));

export function darkLayout(extra = {}) {
  return {
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: "#c9d3e3", family: "Inter, Noto Sans, system-ui, sans-serif", size: 12 },
    margin: { l: 48, r: 16, t: 10, b: 40 },
    legend: { orientation: "h", y: 1.12, x: 0, bgcolor: "rgba(0,0,0,0)" },
    xaxis: { gridcolor: "#1f2a3e", zeroline: false, linecolor: "#26324a" },
    yaxis: { gridcolor: "#1f2a3e", zeroline: false, linecolor: "#26324a", rangemode: "tozero" },
    hovermode: "x unified",
    ...extra,
  };
}
// Every chart's config: no logo, no selection tools, Plotly's own words in the page's language.
export const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"], ...plotlyLocale };

export function setBusy(btn, busy, label) {
  if (!btn) return;
  if (busy) { btn.dataset.label = btn.textContent; btn.textContent = label ?? t("Working…"); btn.disabled = true; }
  else { btn.textContent = btn.dataset.label ?? btn.textContent; btn.disabled = false; }
}

// Every workspace page follows the live feed (the status dot in the top bar shows it).
export function followLive(onMessages = () => {}, onOpen = () => {}) {
  return connectLive({ onOpen, onMessages });
}
