// The evaluation form beside the call's details and the agent's wrap-up notes. Submitting scores
// on the server (critical items zero the evaluation) and shows the result.
import { api } from "../api.js";
import { duration } from "../format.js";
import { localTime, setBusy, followLive } from "../workspace/common.js";
import { renderForm, readAnswers, scoreClass } from "./form.js";
import { mountPlayer, pendingComments } from "./player.js";
import { $, errorText, toast } from "../helpers.js";

const callId = $("eval-app").dataset.call;
let work = null;

function facts(c) {
  const rows = [["Agent", `${c.agent_name ?? "—"} (${c.agent_id ?? "—"})`], ["Queue", c.queue_id ?? "—"], ["Direction", c.direction ?? "—"],
    ["Arrived", localTime(c.arrived_at)], ["Waited", duration(c.wait_s)], ["Talk", duration(c.talk_s)], ["Hold", duration(c.hold_s)],
    ["Wrap-up", duration(c.wrap_s)], ["Disposition", c.disposition ?? "—"], ["Transferred", c.transferred ? "yes" : "no"],
    ["Sampled because", c.sample_reasons.join(", ") || "—"]];
  $("facts").replaceChildren(...rows.flatMap(([k, v]) => { const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v; return [dt, dd]; }));
  $("notes").textContent = c.notes || "No notes were written.";
}

function showResult(ev) {
  $("result").hidden = false;
  const s = $("score");
  s.textContent = ev.score == null ? "—" : Number(ev.score).toFixed(ev.score % 1 ? 1 : 0);
  s.className = `score-big ${scoreClass(ev.score)}`;
  $("critical").textContent = ev.critical_failed.length ? `Critical item failed: ${ev.critical_failed.join(", ")} — the whole call scores 0.` : "";
  $("sections").replaceChildren(...Object.entries(ev.section_scores).map(([k, v]) => {
    const tr = document.createElement("tr"); const a = document.createElement("td"); a.textContent = k; const b = document.createElement("td"); b.className = "num"; b.textContent = v == null ? "N/A" : Number(v).toFixed(0); tr.append(a, b); return tr;
  }));
}

async function load() {
  try { work = await api("GET", `/api/qa/calls/${encodeURIComponent(callId)}`); } catch (err) { toast(errorText(err), true); return; }
  facts(work.call);
  $("form-name").textContent = work.form.name;
  $("form-version").textContent = `version ${work.form.version}`;
  renderForm($("form"), work.form.definition, work.evaluation?.answers ?? {});
  mountPlayer($("recording"), callId, { commenting: !work.evaluation });
  if (work.evaluation) {
    showResult(work.evaluation);
    $("submit").disabled = true;
    $("submit").textContent = `Evaluated by ${work.evaluation.evaluator_id} (${work.evaluation.status})`;
  }
}

$("submit").addEventListener("click", async () => {
  const { answers, missing } = readAnswers($("form"), work.form.definition);
  if (missing.length) {
    $("form-error").textContent = `Answer every item (${missing.length} left, first: ${missing[0]}).`;
    document.querySelector(`.qa-item[data-item="${CSS.escape(missing[0])}"]`)?.scrollIntoView({ block: "center" });
    return;
  }
  $("form-error").textContent = "";
  setBusy($("submit"), true, "Submitting…");
  try {
    const comment = $("comment").value.trim();
    const ev = await api("POST", "/api/qa/evaluations", { call_id: callId, form_version_id: work.form.form_version_id, answers, comments: comment ? { "": comment } : {},
      timed_comments: pendingComments() });
    showResult(ev);
    $("submit").textContent = "Submitted";
    toast(`Evaluation saved: score ${ev.score}`);
  } catch (err) {
    $("form-error").textContent = errorText(err);
    setBusy($("submit"), false);
  }
});
load();
followLive();
