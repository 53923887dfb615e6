// The sampled calls of a week, filtered by queue, agent and status; a row opens the evaluation.
import { api } from "../api.js";
import { duration } from "../format.js";
import { localTime, setBusy, followLive } from "../workspace/common.js";
import { $, SCORE_BANDS, errorText, scoreBand, toast } from "../helpers.js";

const form = $("filters");
let drawNote = null; // { week, text } of the last draw, shown in place of an empty table
const params = () => Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ""));

async function load() {
  let data;
  try { data = await api("GET", "/api/qa/samples?" + new URLSearchParams(params())); } catch (err) { toast(errorText(err), true); return; }
  $("count").textContent = `${data.samples.length} calls`;
  const body = $("samples");
  if (!data.samples.length) {
    const text = drawNote?.week === form.week.value ? drawNote.text : "No sampled calls match. Draw the week's sample to start.";
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
    const cells = [s.call_id, s.agent_name ?? s.agent_id, s.queue_id ?? "—", localTime(s.arrived_at), duration(s.talk_s), s.disposition ?? "—"];
    for (const [i, c] of cells.entries()) { const td = document.createElement("td"); td.textContent = c; if (i === 4) td.className = "num"; tr.append(td); }
    const why = document.createElement("td");
    for (const r of s.reasons) { const p = document.createElement("span"); p.className = `pill ${r === "random" ? "" : "warn"}`; p.textContent = r; p.style.marginRight = "4px"; why.append(p); }
    const ev = document.createElement("td");
    ev.innerHTML = s.evaluation_id ? `<span class="pill ${scoreBand(s.score, SCORE_BANDS.evaluation)}">${s.score ?? "—"} · ${s.status}</span>` : `<span class="pill blue">to evaluate</span>`;
    tr.append(why, ev);
    return tr;
  }));
}

$("draw").addEventListener("click", async () => {
  setBusy($("draw"), true, "Drawing…");
  try {
    const r = await api("POST", "/api/qa/samples/draw", { week: form.week.value });
    const text = r.drawn ? `${r.drawn} calls drawn for ${r.week}`
      : r.candidates ? `No new calls in ${r.week}: all ${r.candidates} handled calls are already sampled or evaluated.`
      : `No calls in ${r.week}: there are no handled calls to sample.`;
    drawNote = r.drawn ? null : { week: r.week, text };
    toast(text);
    await load();
  } catch (err) { toast(errorText(err), true); } finally { setBusy($("draw"), false); }
});
form.addEventListener("change", load);
form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
load();
followLive();
