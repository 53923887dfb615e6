// The sampled calls of a week, filtered by queue, agent and status; a row opens the evaluation.
import { api } from "../api.js";
import { dateTime, duration } from "../format.js";
import { setBusy, followLive } from "../workspace/common.js";
import { t } from "../i18n.js";
import { labelOf } from "../labels.js";
import { $, SCORE_BANDS, errorText, scoreBand, toast } from "../helpers.js";

const form = $("filters");
let drawNote = null; // { week, text } of the last draw, shown in place of an empty table
const params = () => Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ""));

async function load() {
  let data;
  try { data = await api("GET", "/api/qa/samples?" + new URLSearchParams(params())); } catch (err) { toast(errorText(err), true); return; }
  $("count").textContent = t("%(n)s calls", { n: data.samples.length });
  const body = $("samples");
  if (!data.samples.length) {
    const text = drawNote?.week === form.week.value ? drawNote.text : t("No sampled calls match. Draw the week's sample to start.");
    const td = document.createElement("td");
    td.colSpan = 8;
    td.textContent = text;
    const tr = document.createElement("tr");
    tr.className = "empty-row";
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...data.samples.map((s) => {
    const tr = document.createElement("tr");
    tr.className = "clickable";
    tr.dataset.call = s.call_id;
    tr.onclick = () => { location.href = `/qa/calls/${encodeURIComponent(s.call_id)}`; };
    const cells = [s.call_id, s.agent_name ?? s.agent_id, labelOf("queue", s.queue_id), dateTime(s.arrived_at), duration(s.talk_s), labelOf("disposition", s.disposition)];
    for (const [i, c] of cells.entries()) { const td = document.createElement("td"); td.textContent = c; if (i === 4) td.className = "num"; tr.append(td); }
    const why = document.createElement("td");
    for (const r of s.reasons) { const p = document.createElement("span"); p.className = `pill ${r === "random" ? "" : "warn"}`; p.textContent = labelOf("reason", r); p.style.marginRight = "4px"; why.append(p); }
    const ev = document.createElement("td");
    ev.innerHTML = s.evaluation_id ? `<span class="pill ${scoreBand(s.score, SCORE_BANDS.evaluation)}">${s.score ?? "—"} · ${labelOf("status", s.status)}</span>` : `<span class="pill blue">${t("to evaluate")}</span>`;
    tr.append(why, ev);
    return tr;
  }));
}

$("draw").addEventListener("click", async () => {
  setBusy($("draw"), true, t("Drawing…"));
  try {
    const r = await api("POST", "/api/qa/samples/draw", { week: form.week.value });
    const text = r.drawn ? t("%(n)s calls drawn for %(week)s", { n: r.drawn, week: r.week })
      : r.candidates ? t("No new calls in %(week)s: all %(n)s handled calls are already sampled or evaluated.", { week: r.week, n: r.candidates })
      : t("No calls in %(week)s: there are no handled calls to sample.", { week: r.week });
    drawNote = r.drawn ? null : { week: r.week, text };
    toast(text);
    await load();
  } catch (err) { toast(errorText(err), true); } finally { setBusy($("draw"), false); }
});
form.addEventListener("change", load);
form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
load();
followLive();
