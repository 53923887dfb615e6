// Scorecards for a period: total and rank per agent with each KPI's score; a row drills down to
// the KPI values against their targets; CSV export of the same table.
import { api } from "../api.js";
import { num, darkLayout, PLOT_CONFIG, followLive } from "../workspace/common.js";
import { $, SCORE_BANDS, errorText, scoreBand, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { labelOf } from "../labels.js";

const kpiLabel = (kpi) => labelOf("kpi", kpi);
const f = $("period-form");
let cards = [];

const BAND_COLOUR = { good: "#2fb380", warn: "#f2a93b", bad: "#f0564a" };

function scoreCell(v) { const td = document.createElement("td"); td.className = "num"; td.innerHTML = v == null ? `<span class="note">—</span>` : `<span class="pill ${scoreBand(v, SCORE_BANDS.scorecard)}">${Math.round(v)}</span>`; return td; }

function drill(c) {
  for (const tr of $("cards").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.agent === c.agent_id);
  $("drill-title").textContent = t("%(agent)s · total %(total)s · rank %(rank)s", { agent: c.name ?? c.agent_id, total: num(c.total, 1), rank: c.rank ?? "—" });
  Plotly.react("drill-chart", [{ type: "bar", orientation: "h", y: c.kpis.map((k) => kpiLabel(k.kpi)), x: c.kpis.map((k) => k.score ?? 0),
    text: c.kpis.map((k) => (k.score == null ? t("missing") : Math.round(k.score))), textposition: "auto",
    marker: { color: c.kpis.map((k) => (BAND_COLOUR[scoreBand(k.score, SCORE_BANDS.scorecard)] ?? "#39445a")) } }],
  darkLayout({ xaxis: { range: [0, 100], gridcolor: "#1f2a3e", title: { text: t("score (0–100)") } }, yaxis: { autorange: "reversed", automargin: true }, margin: { l: 90, r: 10, t: 10, b: 40 }, showlegend: false }), PLOT_CONFIG);
  $("drill-rows").replaceChildren(...c.kpis.map((k) => {
    const tr = document.createElement("tr");
    for (const [i, v] of [kpiLabel(k.kpi), num(k.value, 1), num(k.target, 0), num(k.floor, 0), num(k.weight, 0)].entries()) { const td = document.createElement("td"); td.textContent = v; if (i) td.className = "num"; tr.append(td); }
    if (k.note) { const small = document.createElement("div"); small.className = "note"; small.textContent = k.note; tr.firstChild.append(small); tr.title = k.note; }
    tr.append(scoreCell(k.score));
    return tr;
  }));
}

async function load() {
  const params = Object.fromEntries([...new FormData(f).entries()].filter(([, v]) => v));
  $("csv").href = "/api/qa/scorecards.csv?" + new URLSearchParams(params);
  let data;
  try { data = await api("GET", "/api/qa/scorecards?" + new URLSearchParams(params)); } catch (err) { toast(errorText(err), true); return; }
  cards = data.scorecards;
  const kpis = data.kpis.filter((k) => cards.some((c) => c.kpis.some((x) => x.kpi === k)));
  $("cards").tHead.innerHTML = `<tr><th class="num nowrap">${t("Rank")}</th><th class="nowrap">${t("Agent")}</th><th class="nowrap">${t("Team")}</th><th class="num nowrap">${t("Total")}</th>${kpis.map(() => `<th class="num kpi-head"></th>`).join("")}</tr>`;
  [...$("cards").tHead.querySelectorAll("th")].slice(4).forEach((th, i) => { th.textContent = kpiLabel(kpis[i]); th.dataset.kpi = kpis[i]; });
  $("cards").tBodies[0].replaceChildren(...cards.map((c) => {
    const tr = document.createElement("tr");
    tr.className = "clickable";
    tr.dataset.agent = c.agent_id;
    tr.onclick = () => drill(c);
    const cells = [[c.rank ?? "—", "num"], [c.name ?? c.agent_id, "nowrap"], [c.team ?? "—", "nowrap"]];
    for (const [v, cls] of cells) { const td = document.createElement("td"); td.textContent = v; td.className = cls; tr.append(td); }
    const total = document.createElement("td"); total.className = "num"; total.innerHTML = `<strong>${num(c.total, 1)}</strong>`; tr.append(total);
    for (const k of kpis) tr.append(scoreCell(c.kpis.find((x) => x.kpi === k)?.score));
    return tr;
  }));
  $("sc-note").textContent = t("%(n)s agents · period %(period)s", { n: cards.length, period: data.period }) + (data.adherence_available ? "" : t(" · adherence not available yet: marked missing"));
  if (cards.length) drill(cards[0]);
}
f.addEventListener("submit", (e) => { e.preventDefault(); load(); });
load();
followLive();
