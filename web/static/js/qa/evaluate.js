// The evaluation form beside the call's details and the agent's wrap-up notes. Submitting scores
// on the server (critical items zero the evaluation) and shows the result.
import { api } from "../api.js";
import { dateTime, duration } from "../format.js";
import { setBusy, followLive } from "../workspace/common.js";
import { t } from "../i18n.js";
import { labelOf } from "../labels.js";
import { renderForm, readAnswers, scoreClass } from "./form.js";
import { mountPlayer, pendingComments } from "./player.js";
import { $, errorText, toast } from "../helpers.js";

const callId = $("eval-app").dataset.call;
let work = null;
const LIST = t(", "); // between the items of a list

function facts(c) {
  const rows = [[t("Agent"), `${c.agent_name ?? "—"} (${c.agent_id ?? "—"})`], [t("Queue"), labelOf("queue", c.queue_id)], [t("Direction"), labelOf("direction", c.direction)],
    [t("Arrived"), dateTime(c.arrived_at)], [t("Waited"), duration(c.wait_s)], [t("Talk"), duration(c.talk_s)], [t("Hold time"), duration(c.hold_s)],
    [t("Wrap-up"), duration(c.wrap_s)], [t("Disposition"), labelOf("disposition", c.disposition)], [t("Transferred"), c.transferred ? t("Yes") : t("No")],
    [t("Sampled because"), c.sample_reasons.map((r) => labelOf("reason", r)).join(LIST) || "—"]];
  $("facts").replaceChildren(...rows.flatMap(([k, v]) => { const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v; return [dt, dd]; }));
  $("notes").textContent = c.notes || t("No notes were written.");
}

// An item's text in the form being filled (its id when the form does not have it).
function itemText(id) {
  for (const s of work?.form.definition.sections ?? []) for (const i of s.items) if (i.id === id) return i.text;
  return id;
}

function showResult(ev) {
  $("result").hidden = false;
  const s = $("score");
  s.textContent = ev.score == null ? "—" : Number(ev.score).toFixed(ev.score % 1 ? 1 : 0);
  s.className = `score-big ${scoreClass(ev.score)}`;
  $("critical").textContent = ev.critical_failed.length ? t("Critical item failed: %(items)s — the whole call scores 0.", { items: ev.critical_failed.map(itemText).join(LIST) }) : "";
  $("critical").dataset.items = ev.critical_failed.join(",");
  $("sections").replaceChildren(...Object.entries(ev.section_scores).map(([k, v]) => {
    const tr = document.createElement("tr"); const a = document.createElement("td"); a.textContent = k; a.translate = false; const b = document.createElement("td"); b.className = "num"; b.textContent = v == null ? t("N/A") : Number(v).toFixed(0); tr.append(a, b); return tr;
  }));
}

async function load() {
  try { work = await api("GET", `/api/qa/calls/${encodeURIComponent(callId)}`); } catch (err) { toast(errorText(err), true); return; }
  facts(work.call);
  $("form-name").textContent = work.form.name;
  $("form-name").translate = false;
  $("form-version").textContent = t("version %(n)s", { n: work.form.version });
  renderForm($("form"), work.form.definition, work.evaluation?.answers ?? {});
  mountPlayer($("recording"), callId, { commenting: !work.evaluation });
  if (work.evaluation) {
    showResult(work.evaluation);
    $("submit").disabled = true;
    $("submit").textContent = t("Evaluated by %(evaluator)s (%(status)s)", { evaluator: work.evaluation.evaluator_id, status: labelOf("status", work.evaluation.status) });
  }
}

$("submit").addEventListener("click", async () => {
  const { answers, missing } = readAnswers($("form"), work.form.definition);
  if (missing.length) {
    $("form-error").textContent = t("Answer every item (%(n)s left, first: %(item)s).", { n: missing.length, item: missing[0] });
    document.querySelector(`.qa-item[data-item="${CSS.escape(missing[0])}"]`)?.scrollIntoView({ block: "center" });
    return;
  }
  $("form-error").textContent = "";
  setBusy($("submit"), true, t("Submitting…"));
  try {
    const comment = $("comment").value.trim();
    const ev = await api("POST", "/api/qa/evaluations", { call_id: callId, form_version_id: work.form.form_version_id, answers, comments: comment ? { "": comment } : {},
      timed_comments: pendingComments() });
    showResult(ev);
    $("submit").textContent = t("Submitted");
    toast(t("Evaluation saved: score %(score)s", { score: ev.score }));
  } catch (err) {
    $("form-error").textContent = errorText(err);
    setBusy($("submit"), false);
  }
});
load();
followLive();
