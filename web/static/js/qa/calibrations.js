// Calibration: evaluators score the same call; the spread per item, the agreement rate and each
// evaluator's deviation from the agreed (or mean) score.
import { api } from "../api.js";
import { num, darkLayout, PLOT_CONFIG, setBusy, followLive } from "../workspace/common.js";
import { renderForm, readAnswers } from "./form.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { pct } from "../format.js";

let current = null;

async function list() {
  const { calibrations } = await api("GET", "/api/qa/calibrations");
  const body = $("cals");
  if (!calibrations.length) { body.innerHTML = `<tr class="empty-row"><td colspan="3">${t("No session yet.")}</td></tr>`; return; }
  body.replaceChildren(...calibrations.map((c) => {
    const tr = document.createElement("tr");
    tr.className = "clickable" + (current?.calibration_id === c.calibration_id ? " selected" : "");
    tr.onclick = () => open(c.calibration_id);
    for (const v of [c.calibration_id, c.call_id, c.evaluators.join(t(", ")) || "—"]) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
    return tr;
  }));
}

function paint(r) {
  current = r;
  $("detail").hidden = false;
  $("cal-call").textContent = r.call_id;
  $("k-agreed").textContent = num(r.agreed_score ?? (Object.values(r.scores).reduce((a, b) => a + (b ?? 0), 0) / Math.max(1, Object.keys(r.scores).length)), 1);
  $("k-agreed-label").textContent = r.basis === "agreed" ? t("agreed score") : t("mean score (no agreement yet)");
  $("k-std").textContent = num(r.std, 1);
  $("k-maxdiff").textContent = num(r.max_diff, 1);
  $("k-agree").textContent = r.agreement_rate == null ? "—" : pct(100 * r.agreement_rate);
  $("devs").replaceChildren(...r.evaluators.map((e) => {
    const tr = document.createElement("tr");
    const cls = e.deviation > 0 ? "dev-pos" : e.deviation < 0 ? "dev-neg" : "";
    tr.innerHTML = `<td></td><td class="num">${num(e.score, 1)}</td><td class="num ${cls}">${e.deviation == null ? "—" : (e.deviation > 0 ? "+" : "") + num(e.deviation, 1)}</td><td class="num">${e.item_match_rate == null ? "—" : pct(100 * e.item_match_rate)}</td>`;
    tr.firstChild.textContent = e.evaluator_id;
    return tr;
  }));
  Plotly.react("dev-chart", [{ x: r.evaluators.map((e) => e.evaluator_id), y: r.evaluators.map((e) => e.deviation ?? 0), type: "bar",
    marker: { color: r.evaluators.map((e) => (e.deviation ?? 0) >= 0 ? "#2fb380" : "#f0564a") } }],
  darkLayout({ yaxis: { automargin: true, title: { text: r.basis === "agreed" ? t("points vs the agreed score") : t("points vs the mean score") }, gridcolor: "#1f2a3e", zeroline: true, zerolinecolor: "#8d9bb3" }, showlegend: false }), PLOT_CONFIG);
  const evaluators = Object.keys(r.scores);
  $("items-head").innerHTML = `<tr><th>${t("Item")}</th>${evaluators.map(() => `<th class="num"></th>`).join("")}<th class="num">${t("Std dev")}</th><th class="num">${t("Max diff")}</th><th class="num">${t("Agreement")}</th></tr>`;
  [...$("items-head").querySelectorAll("th.num")].slice(0, evaluators.length).forEach((th, i) => { th.textContent = evaluators[i]; });
  $("items").replaceChildren(...r.items.map((i) => {
    const tr = document.createElement("tr");
    if ((i.max_diff ?? 0) >= 50) tr.className = "overdue";
    const text = document.createElement("td"); text.textContent = i.text; tr.append(text);
    for (const e of evaluators) { const td = document.createElement("td"); td.className = "num"; td.textContent = i.values[e] == null ? t("N/A") : num(i.values[e], 0); tr.append(td); }
    for (const v of [num(i.std, 1), num(i.max_diff, 0), i.agreement_rate == null ? "—" : pct(100 * i.agreement_rate)]) { const td = document.createElement("td"); td.className = "num"; td.textContent = v; tr.append(td); }
    return tr;
  }));
  renderForm($("cal-form"), r.form.definition, {});
}

async function open(id) {
  try { paint(await api("GET", `/api/qa/calibrations/${id}`)); await list(); } catch (err) { toast(errorText(err), true); }
}

$("new-cal").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const c = await api("POST", "/api/qa/calibrations", { call_id: e.target.call_id.value.trim() });
    await open(c.calibration_id);
    toast(t("Session %(id)s started", { id: c.calibration_id }));
  } catch (err) { toast(errorText(err), true); }
});
$("cal-submit").addEventListener("click", async () => {
  const { answers, missing } = readAnswers($("cal-form"), current.form.definition);
  if (missing.length) { toast(t("Answer every item (%(n)s left)", { n: missing.length }), true); return; }
  setBusy($("cal-submit"), true, t("Saving…"));
  try { paint(await api("PUT", `/api/qa/calibrations/${current.calibration_id}/score`, { answers })); await list(); toast(t("Scores saved")); }
  catch (err) { toast(errorText(err), true); } finally { setBusy($("cal-submit"), false); }
});
list().catch((err) => toast(errorText(err), true));
followLive();
