// Today by interval (offered, answered, abandoned, service level) over the centre's opening
// hours, for the wallboard and the kiosk view; telephony gaps shaded "no data".
import { api } from "../api.js";
import { t } from "../i18n.js";
import { plotlyLocale } from "../plotly_locale.js";

export async function drawDay(target, queue, fontSize = 14) {
  const q = new URLSearchParams({ interval_min: 30 });
  if (queue) q.set("queue", queue);
  const data = await api("GET", `/api/wallboard/day?${q}`);
  const x = data.intervals.map((i) => i.start_at);
  const bar = (name, key, color) => ({ type: "bar", name, x, y: data.intervals.map((i) => i[key]), marker: { color } });
  const traces = [
    bar(t("Offered"), "offered", "#4c6ef5"), bar(t("Answered"), "answered", "#2fb380"), bar(t("Abandoned"), "abandoned", "#f0564a"),
    { type: "scatter", mode: "lines+markers", name: t("SL %"), x, y: data.intervals.map((i) => i.service_level_pct),
      yaxis: "y2", line: { color: "#ffd43b", width: 3 }, connectgaps: true },
  ];
  // intervals a telephony gap touched: one shaded, labelled band per run of them, never read as
  // quiet ones. Times are the centre's wall clock (the API's offset), as plotly draws them.
  const stepMs = data.interval_min * 60000;
  const wall = (s) => Date.parse(`${s.slice(0, 19)}Z`);
  const bands = [];
  for (const i of data.intervals.filter((x) => x.no_data)) {
    const from = wall(i.start_at);
    const last = bands[bands.length - 1];
    if (last && last.to === from) last.to = from + stepMs;
    else bands.push({ from, to: from + stepMs });
  }
  const iso = (ms) => new Date(ms).toISOString().slice(0, 19);
  const shapes = bands.map((b) => ({
    type: "rect", xref: "x", yref: "paper", y0: 0, y1: 1, line: { width: 0 }, fillcolor: "rgba(160,170,190,0.18)",
    x0: iso(b.from), x1: iso(b.to),
  }));
  const annotations = bands.map((b) => ({
    xref: "x", yref: "paper", y: 1, yanchor: "top", showarrow: false, text: t("no data"),
    font: { size: 11, color: "#aab4c8" }, x: iso((b.from + b.to) / 2),
  }));
  const layout = {
    shapes, annotations,
    barmode: "group", paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: "#c9d3e3", size: fontSize }, margin: { l: 44, r: 48, t: 10, b: 36 },
    legend: { orientation: "h", y: 1.12 },
    // the centre's opening hours (today, widened to calls outside them), not midnight to now
    xaxis: { type: "date", gridcolor: "#233047", tickformat: "%H:%M", hoverformat: "%H:%M", range: [data.from_at, data.to_at] },
    yaxis: { title: { text: t("calls") }, gridcolor: "#233047", rangemode: "tozero", automargin: true },
    // service level in round steps of 20 (not the calls axis's ticks scaled), its title clear of them
    yaxis2: { title: { text: t("SL %") }, overlaying: "y", side: "right", range: [0, 105], showgrid: false,
      tickmode: "array", tickvals: [0, 20, 40, 60, 80, 100], automargin: true },
  };
  if (window.Plotly) window.Plotly.react(target, traces, layout, { displayModeBar: false, responsive: true, ...plotlyLocale });
}
